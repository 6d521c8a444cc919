"""Portable SQL pieces for the stats: durations, local clock time, week buckets and medians.

SQLite and PostgreSQL disagree on date arithmetic, so each piece is a small construct compiled per
dialect. Medians per key use ordered `row_number()` windows, and a median over all rows one ORDER BY
with LIMIT/OFFSET at the middle; both databases run either the same way (PostgreSQL's `percentile_cont`
has no SQLite twin, and two code paths would give two answers to test).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Float, Integer, Select, Subquery, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from swarms.db import UTCDateTime

WEEK_SECONDS = 7 * 24 * 3600


class seconds_between(FunctionElement):
    """`later - earlier` in seconds, as a float."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between)
def _seconds_between_pg(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


class local_hour(FunctionElement):
    """The hour (0-23) of a UTC timestamp shifted by an offset in minutes."""

    type = Integer()
    inherit_cache = True
    name = "local_hour"


class local_weekday(FunctionElement):
    """The day of the week (0 = Sunday, as both databases count) of a shifted UTC timestamp."""

    type = Integer()
    inherit_cache = True
    name = "local_weekday"


def _shifted_pg(element, compiler, **kw) -> str:
    ts, offset = (compiler.process(c, **kw) for c in element.clauses)
    return f"(({ts}) AT TIME ZONE 'UTC' + ({offset}) * INTERVAL '1 minute')"


@compiles(local_hour)
def _local_hour_pg(element, compiler, **kw) -> str:
    return f"CAST(EXTRACT(HOUR FROM {_shifted_pg(element, compiler, **kw)}) AS INTEGER)"


@compiles(local_weekday)
def _local_weekday_pg(element, compiler, **kw) -> str:
    return f"CAST(EXTRACT(DOW FROM {_shifted_pg(element, compiler, **kw)}) AS INTEGER)"


def _strftime_sqlite(pattern: str, element, compiler, **kw) -> str:
    ts, offset = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(strftime('{pattern}', {ts}, ({offset}) || ' minutes') AS INTEGER)"


@compiles(local_hour, "sqlite")
def _local_hour_sqlite(element, compiler, **kw) -> str:
    return _strftime_sqlite("%H", element, compiler, **kw)


@compiles(local_weekday, "sqlite")
def _local_weekday_sqlite(element, compiler, **kw) -> str:
    return _strftime_sqlite("%w", element, compiler, **kw)


class weeks_since(FunctionElement):
    """Whole weeks from `anchor` to a timestamp at or after it (a week bucket number)."""

    type = Integer()
    inherit_cache = True
    name = "weeks_since"


@compiles(weeks_since)
def _weeks_since_pg(element, compiler, **kw) -> str:
    ts, anchor = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({ts} - {anchor})) / {WEEK_SECONDS}) AS INTEGER)"


@compiles(weeks_since, "sqlite")
def _weeks_since_sqlite(element, compiler, **kw) -> str:
    ts, anchor = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST((julianday({ts}) - julianday({anchor})) / 7.0 AS INTEGER)"


def at(moment: datetime) -> ColumnElement:
    """A bound timestamp stored the way the columns are (SQLite compares the text)."""
    return literal(moment, UTCDateTime())


def median_by(values: Select, *, value: str = "value", key: str | None = None) -> Subquery:
    """Median of `values.c[value]` per `key` (or over all rows): the middle row, or the mean of the two.

    `values` must name its columns; the result has `key` (when given) and `median`.
    """
    if key is None:
        return _median(values, value)
    inner = values.subquery()
    partition = [inner.c[key]]
    # One window for both, so the rows are sorted once (a count over the partition alone sorts again).
    window = {"partition_by": partition, "order_by": inner.c[value]}
    ranked = select(
        *partition,
        inner.c[value].label("value"),
        func.row_number().over(**window).label("rn"),
        func.count().over(**window, rows=(None, None)).label("n"),
    ).subquery()
    middle = ranked.c.rn.between((ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2)
    return select(ranked.c[key], func.avg(ranked.c.value).label("median")).where(middle).group_by(
        ranked.c[key]).subquery()


def _median(values: Select, value: str) -> Subquery:
    """The median of all rows: one sort that stops at the middle (LIMIT/OFFSET), no window to fill."""
    inner = values.subquery()
    n = select(func.count()).select_from(values.subquery()).scalar_subquery()
    middle = (select(inner.c[value].label("value")).order_by(inner.c[value])
              .limit(2 - n % 2).offset(case((n > 0, (n - 1) // 2), else_=0)).subquery())
    return select(func.avg(middle.c.value).label("median")).subquery()


class utc_day(FunctionElement):
    """Midnight UTC of a timestamp, comparable with the stored timestamps of either database."""

    type = UTCDateTime()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day)
def _utc_day_pg(element, compiler, **kw) -> str:
    (ts,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"(date_trunc('day', ({ts}) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw) -> str:
    (ts,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"strftime('%Y-%m-%d 00:00:00.000000', {ts})"


def aware(value: datetime | str) -> datetime:
    """Aggregates (max, a day bucket) skip the column type on SQLite and come back as text or naive."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
