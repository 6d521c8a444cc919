"""The expert finder's section of `Settings` (`settings.experts`), read by the one settings reader."""

from __future__ import annotations

from dataclasses import dataclass, replace

from expert_finder.models import TUNE_MEASURE_LAST, TUNE_MIN_SAMPLES, RankingPolicy
from expert_finder.queues import DEFAULT_PATTERNS
from swarms.experts.models import InviteMode
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
    queue_accounts: tuple[str, ...] = DEFAULT_PATTERNS  # ids or glob patterns of queue accounts, never suggested
    tune_schedule: str = "monthly"  # `experts tune` on its own: monthly or off
    tune_min_swarms: int = TUNE_MIN_SAMPLES  # resolved swarms (with a credited resolver) tuning needs
    tune_measure_last: int = TUNE_MEASURE_LAST  # the last swarms held out to measure before/after

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
            queue_accounts=reader.labels("EXPERTS_QUEUE_ACCOUNTS", DEFAULT_PATTERNS),
            tune_schedule=reader.choice("EXPERTS_TUNE_SCHEDULE", "monthly", ("monthly", "off")),
            tune_min_swarms=reader.integer("EXPERTS_TUNE_MIN_SWARMS", TUNE_MIN_SAMPLES, low=20, high=100_000),
            tune_measure_last=reader.integer("EXPERTS_TUNE_MEASURE_LAST", TUNE_MEASURE_LAST, low=5, high=10_000),
        )

    def policy(self, *, limit: int | None = None, weights: dict[str, float] | None = None) -> RankingPolicy:
        """The ranking policy; `weights`: the tuned ones in use (`finder.weights_in_use`), else defaults."""
        policy = RankingPolicy(outside_hours=self.outside_hours, at_limit=self.at_limit,  # type: ignore[arg-type]
                               limit=limit or self.suggestions, queue_accounts=self.queue_accounts)
        return replace(policy, weights=dict(weights)) if weights else policy

