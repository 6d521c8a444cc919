"""Swarmed against non-swarmed cases: how many closed in a period, how many the same day, how fast.

The figure swarming is sold on ("better, more same-day resolution"), asked of the case system in use,
not guessed from the app's own tables: the local store from its rows, Salesforce with one SOQL aggregate
per group, Zendesk with search counts. "Same day" is the calendar day (UTC) the case was created.
Each system says what it could not measure (Zendesk's counts carry no times) instead of inventing it.

The case system is the deployment's, shared by every Slack workspace it serves, while a comparison is of
one workspace: "swarmed" is its own swarms' cases (`swarmed_keys`), and a case only another workspace
swarmed (`elsewhere_keys`) is that workspace's, so it is in neither group, not among the non-swarmed.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from swarms.case_systems.base import CaseSystemUnavailable

SOQL_IDS_PER_QUERY = 300  # keeps each query well under SOQL's 100,000-character limit
ZENDESK_IDS_PER_CALL = 100  # tickets/show_many takes at most 100 ids
_SALESFORCE_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")


@dataclass(frozen=True, slots=True)
class OutcomeGroup:
    closed: int
    same_day: int
    median_close_s: float | None  # None: the system cannot tell (or nothing closed)

    @property
    def same_day_rate(self) -> float | None:
        return self.same_day / self.closed if self.closed else None


@dataclass(frozen=True, slots=True)
class OutcomeComparison:
    start: datetime
    end: datetime
    swarmed: OutcomeGroup
    not_swarmed: OutcomeGroup
    source: str  # "local", "salesforce", "zendesk"
    day_granular: bool = False  # times known only to the day (Salesforce's aggregate)

    @property
    def same_day_lift(self) -> float | None:
        """Swarmed same-day rate over the non-swarmed one, minus one (0.19 = 19% more)."""
        ours, theirs = self.swarmed.same_day_rate, self.not_swarmed.same_day_rate
        return ours / theirs - 1 if ours is not None and theirs else None


def group_of(pairs: Iterable[tuple[datetime, datetime]]) -> OutcomeGroup:
    """Exact figures from (created, closed) moments."""
    seconds, same_day = [], 0
    for created, closed in pairs:
        seconds.append(max(0.0, (closed - created).total_seconds()))
        same_day += _day(created) == _day(closed)
    return OutcomeGroup(len(seconds), same_day, statistics.median(seconds) if seconds else None)


def group_of_days(counts: Counter[int]) -> OutcomeGroup:
    """Figures from how many cases closed N calendar days after they were created."""
    closed = sum(counts.values())
    if not closed:
        return OutcomeGroup(0, 0, None)
    days = sorted(counts.elements())
    return OutcomeGroup(closed, counts.get(0, 0), statistics.median(days) * 86400.0)


def _day(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()


# ---------------------------------------------------------------- local store


def local_outcomes(sessions: sessionmaker, start: datetime, end: datetime, swarmed_keys: Sequence[str],
                   elsewhere_keys: Sequence[str]) -> OutcomeComparison:
    from swarms.models import Case  # the store's own table

    keys, theirs = set(swarmed_keys), set(elsewhere_keys)
    with sessions() as session:
        rows = session.execute(select(Case.number, Case.created_at, Case.closed_at)
                               .where(Case.closed_at >= start, Case.closed_at < end)).all()
    swarmed = group_of((created, closed) for number, created, closed in rows if number in keys)
    others = group_of((created, closed) for number, created, closed in rows if number not in keys | theirs)
    return OutcomeComparison(start, end, swarmed, others, "local")


# ---------------------------------------------------------------- Salesforce


def salesforce_outcomes(query_all, start: datetime, end: datetime, swarmed_keys: Sequence[str],
                        elsewhere_keys: Sequence[str]) -> OutcomeComparison:
    """Two kinds of aggregate: every closed case of the period, and the swarmed ones by Id (in chunks; those
    of other workspaces too, when there are any); the non-swarmed figures are the difference, day pair by
    day pair."""
    where = f"IsClosed = true AND ClosedDate >= {_soql_datetime(start)} AND ClosedDate < {_soql_datetime(end)}"
    everyone = _day_gaps(query_all, where)
    swarmed = _day_gaps_of(query_all, where, set(swarmed_keys))
    elsewhere = _day_gaps_of(query_all, where, set(elsewhere_keys) - set(swarmed_keys))
    others = everyone - swarmed - elsewhere
    return OutcomeComparison(start, end, group_of_days(swarmed), group_of_days(others), "salesforce",
                             day_granular=True)


def _day_gaps_of(query_all, where: str, keys: set[str]) -> Counter[int]:
    """The day gaps of these cases (by Id, in chunks); keys that are not Salesforce Ids are never asked."""
    ids = sorted(key for key in keys if _SALESFORCE_ID.match(key))
    gaps: Counter[int] = Counter()
    for i in range(0, len(ids), SOQL_IDS_PER_QUERY):
        chunk = ", ".join(f"'{key}'" for key in ids[i:i + SOQL_IDS_PER_QUERY])
        gaps += _day_gaps(query_all, f"{where} AND Id IN ({chunk})")
    return gaps


def _day_gaps(query_all, where: str) -> Counter[int]:
    soql = ("SELECT DAY_ONLY(CreatedDate) created, DAY_ONLY(ClosedDate) closed, COUNT(Id) n FROM Case "
            f"WHERE {where} GROUP BY DAY_ONLY(CreatedDate), DAY_ONLY(ClosedDate)")
    gaps: Counter[int] = Counter()
    for row in query_all(soql):
        created, closed = _iso_date(row.get("created")), _iso_date(row.get("closed"))
        if created is None or closed is None:
            continue
        gaps[max(0, (closed - created).days)] += int(row.get("n") or 0)
    return gaps


def _soql_datetime(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# ---------------------------------------------------------------- Zendesk


def zendesk_outcomes(request, start: datetime, end: datetime, swarmed_keys: Sequence[str],
                     elsewhere_keys: Sequence[str]) -> OutcomeComparison:
    """Counts from the search count API (solved in the period; created and solved on the same day, one
    count a day), and the swarmed tickets' own times from their metric sets. Search counts carry no
    times, so the non-swarmed median is not given."""
    first, last = _utc(start).date(), (_utc(end) - timedelta(microseconds=1)).date()
    total = _count(request, f"type:ticket solved>={first.isoformat()} solved<={last.isoformat()}")
    same_day_total = sum(_count(request, f"type:ticket created:{day.isoformat()} solved:{day.isoformat()}")
                         for day in _days(first, last))
    swarmed = _zendesk_swarmed(request, start, end, swarmed_keys)
    elsewhere = _zendesk_swarmed(request, start, end, sorted(set(elsewhere_keys) - set(swarmed_keys)))
    others = OutcomeGroup(max(0, total - swarmed.closed - elsewhere.closed),
                          max(0, same_day_total - swarmed.same_day - elsewhere.same_day), None)
    return OutcomeComparison(start, end, swarmed, others, "zendesk")


def _count(request, query: str) -> int:
    answer = request("GET", "/api/v2/search/count.json", params={"query": query}) or {}
    count = answer.get("count")
    if not isinstance(count, int):
        raise CaseSystemUnavailable("Zendesk's search count gave no number")
    return count


def _zendesk_swarmed(request, start: datetime, end: datetime, swarmed_keys: Sequence[str]) -> OutcomeGroup:
    ids = sorted({key for key in swarmed_keys if key.isdigit()}, key=int)
    pairs = []
    for i in range(0, len(ids), ZENDESK_IDS_PER_CALL):
        answer = request("GET", "/api/v2/tickets/show_many.json",
                         params={"ids": ",".join(ids[i:i + ZENDESK_IDS_PER_CALL]), "include": "metric_sets"}) or {}
        for metrics in answer.get("metric_sets", []):
            created, solved = _zendesk_time(metrics.get("created_at")), _zendesk_time(metrics.get("solved_at"))
            if created and solved and start <= solved < end:
                pairs.append((created, solved))
    return group_of(pairs)


def _zendesk_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _days(first: date, last: date) -> Iterable[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
