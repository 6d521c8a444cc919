"""Notes per person of one workspace for a period: the daily rollup for finished days, raw notes for the rest.

`refresh_note_days` (a scheduled job, and the benchmark's seeding) recomputes whole days from the notes of
every workspace, each row keyed by its swarm's team, so running it twice, or on two replicas, gives the
same rows; the one state row is locked while it runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    CTE,
    ColumnElement,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

from swarms.knowledge.marks import NOTICE_SOURCE
from swarms.models import Note, SlackUser, Swarm
from swarms.stats.models import NoteDay, RollupState
from swarms.stats.sql import at, aware, local_hour, local_weekday, utc_day
from swarms.upsert import insert_or_skip

STATE = "note_days"
DAY = timedelta(days=1)


def midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def tz_offsets(session: Session, now: datetime) -> dict[str, int]:
    """Current UTC offset in minutes of each distinct Slack timezone we know (a handful, not a row each)."""
    offsets = {}
    for name in session.scalars(select(SlackUser.tz).where(SlackUser.tz != "").distinct()):
        try:
            delta = now.astimezone(ZoneInfo(name)).utcoffset()
        except (ZoneInfoNotFoundError, ValueError):
            continue
        offsets[name] = int(delta.total_seconds() // 60) if delta else 0
    return offsets


def outside_hours(ts, offsets: dict[str, int], hours) -> ColumnElement:
    """1 when `ts` falls outside `hours` in the author's zone (needs slack_users joined), else 0."""
    offset = case(offsets, value=SlackUser.tz, else_=0) if offsets else literal(0)
    hour, weekday = local_hour(ts, offset), local_weekday(ts, offset)
    outside = or_(weekday.not_in(hours.sql_days()), hour < hours.start_hour, hour >= hours.end_hour)
    return case((outside, 1), else_=0)


def people_only() -> list[ColumnElement]:
    """Notes people wrote: the app's own notices (closing, marks; no author) count nowhere in the stats."""
    return [Note.user_id != "", Note.source != NOTICE_SOURCE]


def _raw_notes(session: Session, lo: datetime, hi: datetime, now: datetime, hours, *, team_id: str | None,
               user_ids: list[str] | None = None):
    """(user_id, notes, outside) of one workspace's swarms; with `team_id` None, (team_id, day, user_id, ...) of all."""
    by_day = [Swarm.team_id.label("team_id"), utc_day(Note.created_at).label("day")] if team_id is None else []
    query = (select(*by_day, Note.user_id.label("user_id"), func.count().label("notes"),
                    func.sum(outside_hours(Note.created_at, tz_offsets(session, now), hours)).label("outside"))
             .join(Swarm, Swarm.id == Note.swarm_id)
             .outerjoin(SlackUser, SlackUser.id == Note.user_id)
             .where(Note.created_at >= at(lo), Note.created_at < at(hi), Note.deleted_at.is_(None), *people_only()))
    if team_id is not None:
        query = query.where(Swarm.team_id == team_id)
    if user_ids is not None:
        query = query.where(Note.user_id.in_(user_ids))
    return query.group_by(*by_day, Note.user_id)


def notes_by_person(session: Session, team_id: str, start: datetime, end: datetime, *, now: datetime, hours,
                    user_ids: list[str] | None = None) -> CTE:
    """(user_id, notes, outside) in `team_id`'s swarms for [start, end); `start` on a UTC midnight lets the
    rollup answer."""
    complete = session.scalar(select(RollupState.complete_until).where(RollupState.name == STATE))
    split = min(max(complete, start), end) if complete and start == midnight(start) else start
    parts = []
    if split > start:
        rolled = select(NoteDay.user_id, NoteDay.notes, NoteDay.outside).where(
            NoteDay.team_id == team_id, NoteDay.day >= at(start), NoteDay.day < at(split))
        if user_ids is not None:
            rolled = rolled.where(NoteDay.user_id.in_(user_ids))
        parts.append(rolled)
    if end > split:
        parts.append(_raw_notes(session, split, end, now, hours, team_id=team_id, user_ids=user_ids))
    both = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    return (select(both.c.user_id, func.sum(both.c.notes).label("notes"), func.sum(both.c.outside).label("outside"))
            .group_by(both.c.user_id).cte("person_notes"))


def refresh_note_days(session: Session, *, now: datetime, hours) -> int:
    """Roll up every workspace's notes up to `now` (today's row is partial), redoing days that changed;
    returns ranges redone.

    Every run redoes the days from the last run's day on, so reading the rollup up to `complete_until`
    and the raw notes after it gives exact figures with only minutes of raw notes to count.
    """
    state = _locked_state(session)
    ranges: list[tuple[datetime, datetime]] = []
    if state.complete_until is None:
        first = session.scalar(select(func.min(Note.created_at)))
        if first is not None:
            ranges.append((midnight(aware(first)), now))
    else:
        ranges.append((midnight(state.complete_until), now))
        ranges += [(day, day + DAY) for day in _changed_days(session, state) if day < midnight(state.complete_until)]
    for lo, hi in ranges:
        session.execute(delete(NoteDay).where(NoteDay.day >= at(lo), NoteDay.day < at(hi)))
        rows = _raw_notes(session, lo, hi, now, hours, team_id=None)
        session.execute(insert(NoteDay).from_select(["team_id", "day", "user_id", "notes", "outside"], rows))
    state.complete_until = now
    state.max_note_id = session.scalar(select(func.max(Note.id))) or 0
    state.checked_at = now
    session.flush()
    return len(ranges)


def adopt_note_days(session: Session, team_id: str) -> None:
    """Rows rolled up from swarms of no workspace ('') become `team_id`'s, as those swarms do when it claims
    the database; a day both have is summed (it is what rolling it up again would give)."""
    if not team_id:
        return
    unclaimed = aliased(NoteDay)
    same = and_(unclaimed.team_id == "", unclaimed.day == NoteDay.day, unclaimed.user_id == NoteDay.user_id)
    session.execute(update(NoteDay).where(NoteDay.team_id == team_id, exists().where(same)).values(
        notes=NoteDay.notes + select(unclaimed.notes).where(same).scalar_subquery(),
        outside=NoteDay.outside + select(unclaimed.outside).where(same).scalar_subquery()))
    claimed = aliased(NoteDay)
    session.execute(delete(NoteDay).where(NoteDay.team_id == "", exists().where(
        claimed.team_id == team_id, claimed.day == NoteDay.day, claimed.user_id == NoteDay.user_id)))
    session.execute(update(NoteDay).where(NoteDay.team_id == "").values(team_id=team_id))


def _changed_days(session: Session, state: RollupState) -> list[datetime]:
    """Finished days that got a late note (a retried event) or lost one (a deletion) since the last run."""
    late = select(utc_day(Note.created_at)).where(Note.id > state.max_note_id,
                                                  Note.created_at < at(state.complete_until))
    deleted = select(utc_day(Note.created_at)).where(Note.deleted_at >= at(state.checked_at),
                                                     Note.created_at < at(state.complete_until))
    return sorted({aware(day) for day in session.scalars(late.union(deleted))})


def _locked_state(session: Session) -> RollupState:
    """The state row, locked (PostgreSQL) so two replicas never redo the same days at once."""
    query = select(RollupState).where(RollupState.name == STATE).with_for_update()
    state = session.scalar(query)
    if state is None:  # the first run, perhaps on two replicas at once
        insert_or_skip(session, RollupState.__table__, {"name": STATE, "max_note_id": 0})
        state = session.scalars(query).one()
    return state
