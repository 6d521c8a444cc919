"""Plain value types of the expert finder: what an expert is, what a case asks for, what a ranking answers.

Frozen dataclasses with no database or Slack behind them, so the directory, the Slack flow and the
evaluation all speak the same small language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from expert_finder.queues import DEFAULT_PATTERNS

POSITIVE_KINDS = frozenset({"resolved", "credited", "contributed"})
NEGATIVE_KINDS = frozenset({"declined", "ignored"})
HISTORY_KINDS = POSITIVE_KINDS | NEGATIVE_KINDS | {"joined"}
WEEKDAYS = frozenset({0, 1, 2, 3, 4})
# How much one past part counts: positive kinds feed the history model, negative ones lower availability.
KIND_WEIGHTS = {"resolved": 1.0, "credited": 1.0, "contributed": 0.6, "joined": 0.2, "declined": -0.15, "ignored": -0.1}
DIRECTORY_FEATURES = ("skill", "product", "language")
HISTORY_FEATURES = ("centroid", "words", "knn", "prior", "recency", "active")  # profiles.FEATURES
# The app's ranking weights: directory evidence beside the history model's; `gate` fades out who stopped
# helping. `case-swarm experts tune` replaces them with weights tuned on the team's own swarms.
DEFAULT_WEIGHTS: dict[str, float] = {
    "skill": 1.0,
    "product": 0.35,
    "language": 0.15,
    "centroid": 0.5,
    "words": 0.5,
    "knn": 0.3,
    "prior": 0.0,
    "recency": 0.0,
    "active": 0.05,
    "gate": 0.0,
}
# `case-swarm experts tune` (and its replay in the evaluation): the newest resolved cases it tunes on, how
# many it needs, and how many of the newest it holds out to measure before/after (a share, at least a few).
TUNE_MAX_SAMPLES = 400
TUNE_MIN_SAMPLES = 40
TUNE_MEASURE_LAST = 15
TUNE_MEASURE_SHARE = 0.15


@dataclass(frozen=True)
class Skill:
    name: str
    level: int = 3  # 1 (knows of it) to 5 (the go-to person)


@dataclass(frozen=True)
class WorkingHours:
    timezone: str = "UTC"
    start: time = time(9)
    end: time = time(18)
    days: frozenset[int] = WEEKDAYS  # Monday is 0, as datetime.weekday()

    def is_working(self, at: datetime) -> bool:
        """Whether `at` (timezone-aware; naive means UTC) falls in these hours, in the expert's own zone."""
        if at.tzinfo is None:
            at = at.replace(tzinfo=ZoneInfo("UTC"))
        local = at.astimezone(ZoneInfo(self.timezone))
        clock = local.time().replace(tzinfo=None)
        if self.start <= self.end:
            return local.weekday() in self.days and self.start <= clock < self.end
        # A night shift (22:00-06:00) belongs to the day it started on.
        if clock >= self.start:
            return local.weekday() in self.days
        return clock < self.end and (local.weekday() - 1) % 7 in self.days


@dataclass(frozen=True)
class ExpertProfile:
    user_id: str
    name: str
    skills: tuple[Skill, ...] = ()
    products: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    hours: WorkingHours = field(default_factory=WorkingHours)
    max_concurrent: int = 3
    active_swarms: int = 0
    opted_out: bool = False


@dataclass(frozen=True)
class PastHelp:
    """One person's part in one past case; the finder learns who actually helps from these."""

    case_key: str
    text: str
    product: str
    user_id: str
    kind: str  # one of HISTORY_KINDS
    at: datetime


@dataclass(frozen=True)
class CaseQuery:
    subject: str
    description: str = ""
    product: str = ""
    category: str = ""
    language: str = ""
    requester_id: str = ""
    member_ids: frozenset[str] = frozenset()
    needed_skills: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(p for p in (self.subject, self.description, self.category) if p)


@dataclass(frozen=True)
class Reason:
    """Why someone was suggested (or left out); `explain` turns it into words in the reader's language.

    Kinds: skill_match {skill, percent}, product {product}, history {count, days_ago}, load {active},
    language {language}, outside_hours {}, at_limit {active, max}, declined_recently {count}.
    """

    kind: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    user_id: str
    name: str
    score: float
    reasons: tuple[Reason, ...]
    covers: tuple[str, ...]  # needed skills this person brings


@dataclass(frozen=True)
class Ranking:
    suggestions: tuple[Suggestion, ...]
    uncovered_skills: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]  # (user_id, reason kind)


@dataclass(frozen=True)
class RankingPolicy:
    outside_hours: Literal["downweight", "exclude"] = "downweight"
    at_limit: Literal["downweight", "exclude"] = "exclude"
    history_half_life_days: float = 90
    limit: int = 5
    skill_cutoff: float = 70  # rapidfuzz score (0-100) below which a skill does not match at all
    outside_hours_factor: float = 0.5
    at_limit_factor: float = 0.3
    load_penalty: float = 0.05  # per active swarm, so a busy expert drops a little
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    history_min_similarity: float = 0.1  # a past case this similar is named as a reason
    queue_accounts: tuple[str, ...] = DEFAULT_PATTERNS  # ids or glob patterns of queue accounts, never suggested
