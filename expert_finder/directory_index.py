"""A directory prepared once for fast ranking: distinct vocabulary, expert arrays, working hours as numbers.

Skills and products repeat across experts, so a case is matched against the distinct normalised names only
(one rapidfuzz `cdist`), and the scores reach experts through flat (term, owner, weight) arrays with
precomputed segments. Exclusion, availability and load are numpy arrays evaluated for `now` in one pass;
only the few suggestions shown are turned back into Python objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np

from expert_finder.evidence import user_rows
from expert_finder.history import HistoryIndex
from expert_finder.matching import FlatTerms, flatten_products, flatten_skills
from expert_finder.models import ExpertProfile
from expert_finder.normalize import expand
from expert_finder.queues import is_queue_account

LANGUAGE_NAMES = {"english": "en", "korean": "ko", "한국어": "ko", "영어": "en", "japanese": "ja", "german": "de"}


def language_code(value: str) -> str:
    value = value.strip().casefold().replace("_", "-")
    return LANGUAGE_NAMES.get(value, value.split("-")[0])


def _micros(t) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


@dataclass
class Segments:
    """FlatTerms plus what every ranking would otherwise recompute: segment starts and entries by term."""

    flat: FlatTerms
    starts: np.ndarray  # first entry of each owner that has entries
    owners: np.ndarray  # the owner of each segment
    by_term: np.ndarray  # entry indices ordered by (term, entry)
    term_ptr: np.ndarray  # by_term[term_ptr[t]:term_ptr[t + 1]] are the entries of term t
    spelling: list[str]  # per entry, as the directory wrote it

    @classmethod
    def build(cls, flat: FlatTerms, raw: Sequence[str]) -> Segments:
        """`raw`: every name in directory order; those that normalise to nothing were skipped by FlatTerms too."""
        starts = np.flatnonzero(np.r_[True, flat.owner[1:] != flat.owner[:-1]]) if flat.term.size else np.zeros(0, int)
        by_term = np.argsort(flat.term, kind="stable")
        term_ptr = np.searchsorted(flat.term[by_term], np.arange(len(flat.names) + 1))
        spelling = [name for name in raw if expand(name)]
        return cls(flat, starts, flat.owner[starts], by_term, term_ptr, spelling)

    def best(self, scores: np.ndarray) -> np.ndarray:
        """Per owner, the best weighted score (0-1); as `FlatTerms.best` without the argmax."""
        best = np.zeros(self.flat.n_owners, dtype=np.float32)
        if self.flat.term.size:
            best[self.owners] = np.maximum.reduceat(scores[self.flat.term] * self.flat.weight, self.starts)
        return best

    def which(self, owner: int, scores: np.ndarray, best: float) -> int:
        """The distinct name that gave `owner` its best score (the first such entry), or -1."""
        lo, hi = np.searchsorted(self.flat.owner, [owner, owner + 1])
        values = scores[self.flat.term[lo:hi]] * self.flat.weight[lo:hi]
        top = np.array([best], dtype=np.float32) - 1e-9  # float32, exactly as FlatTerms.best compares
        hit = np.flatnonzero((values >= top) & (values > 0))
        return int(self.flat.term[lo + hit[0]]) if hit.size else -1

    def label(self, term: int, pool: np.ndarray) -> str:
        """The spelling of `term` first seen among the experts in `pool`, as flattening only the pool would give."""
        entries = self.by_term[self.term_ptr[term] : self.term_ptr[term + 1]]
        inside = pool[self.flat.owner[entries]]
        first = int(entries[int(np.argmax(inside))]) if inside.any() else int(entries[0])
        return self.spelling[first]


@dataclass
class DirectoryIndex:
    """Experts prepared for ranking; build once when the directory changes, then rank many cases."""

    profiles: tuple[ExpertProfile, ...]
    position: dict[str, int]  # user id -> row
    user_ids: np.ndarray  # object, per row
    skills: Segments
    products: Segments
    active: np.ndarray  # int64 active swarms
    max_concurrent: np.ndarray  # int64
    opted_out: np.ndarray  # bool
    tz_names: list[str]
    tz_code: np.ndarray  # int64 index into tz_names
    start: np.ndarray  # int64 microseconds after local midnight
    end: np.ndarray
    days: np.ndarray  # int64 bit mask, Monday = bit 0
    languages: list[frozenset[str]]  # language codes per row
    _speakers: dict[str, np.ndarray] = field(default_factory=dict)
    _queues: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)
    _history: tuple = ()  # (HistoryIndex, its users' rows here): one slot, the app keeps one history index

    @classmethod
    def build(cls, profiles: Sequence[ExpertProfile]) -> DirectoryIndex:
        profiles = tuple(profiles)
        tz_names = sorted({p.hours.timezone for p in profiles})
        tz_of = {name: i for i, name in enumerate(tz_names)}
        return cls(
            profiles=profiles,
            position={p.user_id: i for i, p in enumerate(profiles)},
            user_ids=np.array([p.user_id for p in profiles], dtype=object),
            skills=Segments.build(flatten_skills(profiles), [s.name for p in profiles for s in p.skills]),
            products=Segments.build(flatten_products(profiles), [name for p in profiles for name in p.products]),
            active=np.array([p.active_swarms for p in profiles], dtype=np.int64),
            max_concurrent=np.array([p.max_concurrent for p in profiles], dtype=np.int64),
            opted_out=np.array([p.opted_out for p in profiles], dtype=bool),
            tz_names=tz_names,
            tz_code=np.array([tz_of[p.hours.timezone] for p in profiles], dtype=np.int64),
            start=np.array([_micros(p.hours.start) for p in profiles], dtype=np.int64),
            end=np.array([_micros(p.hours.end) for p in profiles], dtype=np.int64),
            days=np.array([sum(1 << d for d in p.hours.days) for p in profiles], dtype=np.int64),
            languages=[frozenset(language_code(x) for x in p.languages) for p in profiles],
        )

    def __len__(self) -> int:
        return len(self.profiles)

    def speakers(self, code: str) -> np.ndarray:
        """Who speaks the language `code` (a normalised code such as "ko"); cached per code."""
        if code not in self._speakers:
            self._speakers[code] = np.array([code in langs for langs in self.languages], dtype=bool)
        return self._speakers[code]

    def queue_mask(self, patterns: tuple[str, ...]) -> np.ndarray:
        """Who is a queue account by `patterns` (user ids or globs on id or name); cached per patterns."""
        if patterns not in self._queues:
            self._queues[patterns] = np.array(
                [is_queue_account(p.user_id, p.name, patterns) for p in self.profiles], dtype=bool
            )
        return self._queues[patterns]

    def history_rows(self, index: HistoryIndex) -> np.ndarray:
        """Per user of a history index, their row here (-1: not in the directory); cached for the last index."""
        if not self._history or self._history[0] is not index:
            self._history = (index, user_rows(index, self.position))
        return self._history[1]

    def working(self, now: datetime) -> np.ndarray:
        """`WorkingHours.is_working(now)` for every expert at once: one zone conversion per distinct zone."""
        at = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        weekday = np.empty(len(self.tz_names), dtype=np.int64)
        clock = np.empty(len(self.tz_names), dtype=np.int64)
        for i, name in enumerate(self.tz_names):
            local = at.astimezone(ZoneInfo(name))
            weekday[i] = local.weekday()
            clock[i] = _micros(local.time())
        wd, t = weekday[self.tz_code], clock[self.tz_code]
        today = (self.days >> wd) & 1 == 1
        yesterday = (self.days >> ((wd - 1) % 7)) & 1 == 1
        day_shift = today & (self.start <= t) & (t < self.end)
        # A night shift (22:00-06:00) belongs to the day it started on.
        night_shift = np.where(t >= self.start, today, (t < self.end) & yesterday)
        return np.where(self.start <= self.end, day_shift, night_shift)
