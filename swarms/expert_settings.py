"""The expert finder's section of `Settings` (`settings.experts`), read by the one settings reader."""

from __future__ import annotations

from dataclasses import dataclass

from expert_finder.models import RankingPolicy
from swarms.expert_models import InviteMode
from swarms.settings import SettingsReader

DEFAULT_SKILL_FIELDS = ("Skills", "Expertise", "스킬", "전문 분야")
DEFAULT_PRODUCT_FIELDS = ("Products", "제품")
DEFAULT_LANGUAGE_FIELDS = ("Languages", "언어")


@dataclass(frozen=True)
class ExpertSettings:
    auto_invite_top_n: int = 0
    invite_mode: str = InviteMode.ASK
    answer_minutes: int = 30
    suggestions: int = 3  # shown under the case card and by /swarm experts
    outside_hours: str = "downweight"
    at_limit: str = "exclude"
    refresh_hours: int = 24  # how often directory members are re-read from Slack; 0 turns it off
    skill_fields: tuple[str, ...] = DEFAULT_SKILL_FIELDS
    product_fields: tuple[str, ...] = DEFAULT_PRODUCT_FIELDS
    language_fields: tuple[str, ...] = DEFAULT_LANGUAGE_FIELDS

    @classmethod
    def read(cls, reader: SettingsReader) -> ExpertSettings:
        return cls(
            auto_invite_top_n=reader.integer("EXPERTS_AUTO_INVITE_TOP_N", 0, low=0, high=10),
            invite_mode=reader.choice("EXPERTS_INVITE_MODE", InviteMode.ASK, tuple(InviteMode)),
            answer_minutes=reader.integer("EXPERTS_ANSWER_MINUTES", 30, low=1, high=7 * 24 * 60),
            suggestions=reader.integer("EXPERTS_SUGGESTIONS", 3, low=1, high=10),
            outside_hours=reader.choice("EXPERTS_OUTSIDE_HOURS", "downweight", ("downweight", "exclude")),
            at_limit=reader.choice("EXPERTS_AT_LIMIT", "exclude", ("downweight", "exclude")),
            refresh_hours=reader.integer("EXPERTS_REFRESH_HOURS", 24, low=0, high=24 * 30),
            skill_fields=reader.labels("EXPERTS_SKILL_FIELDS", DEFAULT_SKILL_FIELDS),
            product_fields=reader.labels("EXPERTS_PRODUCT_FIELDS", DEFAULT_PRODUCT_FIELDS),
            language_fields=reader.labels("EXPERTS_LANGUAGE_FIELDS", DEFAULT_LANGUAGE_FIELDS),
        )

    def policy(self, *, limit: int | None = None) -> RankingPolicy:
        return RankingPolicy(outside_hours=self.outside_hours, at_limit=self.at_limit,  # type: ignore[arg-type]
                             limit=limit or self.suggestions)

