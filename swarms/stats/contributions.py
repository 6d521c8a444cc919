"""Contribution stats for the Home tab, the export and the digest, computed by the database.

Every figure is one SQL aggregate (GROUP BY, windows for medians); Python only reads the few result
rows. Decisions the numbers rest on:

- *A workspace's figures*: every figure is of one Slack workspace (team), the one whose Home, digest or
  export asks: its swarms (`swarms.team_id`), their members, notes and invitations. People are counted
  where they swarmed, so someone in two workspaces has a row in each, with that workspace's work only.
- A period is today so far and the `days - 1` whole UTC days before it, start included, end excluded.
- *Same-day resolution*: the case closed within 24 hours of its swarm opening (a calendar day would
  depend on whose timezone; 24 hours does not).
- *Share of closed cases that were swarmed* compares the local case store (`cases.closed_at`) with the
  workspace's swarms for those cases; with Salesforce or Zendesk the store is empty and the share is None.
  The store is the deployment's, shared by every workspace: a case only another workspace swarmed is that
  workspace's, so it counts in neither part of this one's share.
- *Outside working hours*: a note written outside 09:00-18:00 Monday to Friday in its author's Slack
  timezone (`slack_users.tz`). The zone's current UTC offset is passed into the query as a CASE over
  the few distinct zones, so the clock arithmetic stays in SQL; across a DST change the hour can be off
  by one. Authors we know no zone for count in UTC.
- *Time to first reply*: from `invited_at` to `first_reply_at`, for members someone else invited.
- *Closed* (swarms closed, case-close times, same-day rate, credits) means closed now: reopening a swarm
  clears its close times and its members' credits (`closing.reopen_swarm`), so no status test is needed
  here and the close-time indexes serve these figures alone.
- *Invitations*: a member row for an add-mode invite or a join; an invitation asked by DM exists only
  as an expert-suggestion outcome until the expert joins, so both are read, the member row first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, exists, false, func, literal, or_, select, true, union, union_all
from sqlalchemy.orm import Session, aliased

from swarms.db import utcnow
from swarms.experts.models import InviteMode, SuggestionOutcome, SuggestionState
from swarms.models import Case, MemberRole, SlackUser, Swarm, SwarmMember, SwarmStatus
from swarms.stats.home_open import LINE_COLUMNS, SwarmLine, swarm_line
from swarms.stats.rollup import midnight, notes_by_person
from swarms.stats.sql import at, aware, median_by, seconds_between, weeks_since

PERIOD_DAYS = (7, 30, 90)
DEFAULT_PERIOD_DAYS = 30
SAME_DAY_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class Period:
    days: int = DEFAULT_PERIOD_DAYS

    def __post_init__(self) -> None:
        if self.days not in PERIOD_DAYS:
            raise ValueError(f"a period is one of {PERIOD_DAYS} days, not {self.days!r}")

    @classmethod
    def parse(cls, value: object) -> Period:
        """From a forgeable string (a select's value): only the known periods pass."""
        text = str(value or "").strip()
        if not text.isdigit():
            raise ValueError(f"not a period: {text[:20]!r}")
        return cls(int(text))

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        """Today so far and the `days - 1` whole UTC days before it (day bounds let the rollup answer)."""
        return midnight(now) - timedelta(days=self.days - 1), now


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Default working hours, in each person's own timezone; `days` counts Monday as 0."""

    start_hour: int = 9
    end_hour: int = 18
    days: frozenset[int] = frozenset(range(5))

    def sql_days(self) -> list[int]:
        return sorted((day + 1) % 7 for day in self.days)  # SQL counts Sunday as 0


@dataclass(frozen=True, slots=True)
class StallRule:
    no_expert_after: timedelta = timedelta(hours=4)
    idle_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class TeamFigures:
    period: Period
    start: datetime
    end: datetime
    swarms_opened: int
    swarms_closed: int
    cases_closed: int  # cases of swarms whose case closed in the period
    median_open_to_close_s: float | None
    same_day_rate: float | None
    store_closed_cases: int
    store_swarmed_cases: int

    @property
    def swarmed_share(self) -> float | None:
        return self.store_swarmed_cases / self.store_closed_cases if self.store_closed_cases else None


@dataclass(frozen=True, slots=True)
class PersonRow:
    user_id: str
    name: str
    left_slack: bool
    swarms_joined: int = 0
    notes: int = 0
    resolutions: int = 0
    median_first_reply_s: float | None = None
    current_load: int = 0
    outside_hours_notes: int = 0

    @property
    def outside_hours_share(self) -> float | None:
        return self.outside_hours_notes / self.notes if self.notes else None


@dataclass(frozen=True, slots=True)
class SilentExpert:
    user_id: str
    name: str
    left_slack: bool
    unanswered: int
    last_invited_at: datetime


@dataclass(frozen=True, slots=True)
class WeekPoint:
    week_start: datetime
    swarms_opened: int
    cases_closed: int
    same_day_rate: float | None


@dataclass(frozen=True, slots=True)
class ManagerStats:
    figures: TeamFigures
    people: list[PersonRow]
    people_total: int
    top: list[PersonRow]
    silent_experts: list[SilentExpert]
    stalled: list[SwarmLine]
    stalled_total: int


@dataclass(frozen=True, slots=True)
class MySwarms:
    user_id: str
    period: Period
    open: list[SwarmLine]
    open_total: int
    invitations: list[SwarmLine]
    contributions: PersonRow
    generated_at: datetime = field(default_factory=utcnow)


# ---------------------------------------------------------------- team figures


def team_figures(session: Session, team_id: str, period: Period, *, now: datetime | None = None) -> TeamFigures:
    """Headline figures of the period: swarms opened and closed, time to close, same-day rate, coverage.

    One statement of one-row parts, each on its own index (led by the workspace), so the figures cost one
    round trip.
    """
    start, end = period.window(now or utcnow())
    lo, hi = at(start), at(end)
    mine = Swarm.team_id == team_id
    # The half-made ones are not opened: the status is in the index, so no row is read to leave them out.
    opened = select(func.count()).where(mine, Swarm.opened_at >= lo, Swarm.opened_at < hi,
                                        Swarm.status != SwarmStatus.OPENING).scalar_subquery()
    closed = select(func.count()).where(mine, Swarm.closed_at >= lo, Swarm.closed_at < hi).scalar_subquery()
    duration = seconds_between(Swarm.case_closed_at, Swarm.opened_at)
    in_window = and_(mine, Swarm.case_closed_at >= lo, Swarm.case_closed_at < hi)
    cases = select(func.count().label("n"), func.sum(case((duration <= SAME_DAY_SECONDS, 1), else_=0))
                   .label("same_day")).where(in_window).subquery("closed_cases")
    median = median_by(select(duration.label("value")).where(in_window))
    swarmed = exists().where(Swarm.case_system == "local", Swarm.case_key == Case.number, mine)
    elsewhere = exists().where(Swarm.case_system == "local", Swarm.case_key == Case.number, Swarm.team_id != team_id)
    store = select(func.count().label("n"), func.sum(case((swarmed, 1), else_=0)).label("swarmed")).where(
        Case.closed_at >= lo, Case.closed_at < hi, or_(swarmed, ~elsewhere)).subquery("store_cases")
    row = session.execute(
        select(opened, closed, cases.c.n, cases.c.same_day, median.c.median, store.c.n, store.c.swarmed)
        .select_from(cases).join(median, true()).join(store, true())).one()
    n_opened, n_closed, count, same_day, middle, store_closed, store_swarmed = row
    return TeamFigures(period, start, end, n_opened or 0, n_closed or 0, count or 0,
                       float(middle) if middle is not None else None,
                       (same_day or 0) / count if count else None, store_closed or 0, store_swarmed or 0)


def weekly_series(session: Session, team_id: str, *, weeks: int = 12, now: datetime | None = None) -> list[WeekPoint]:
    """Swarms opened and same-day resolution per week (Monday 00:00 UTC), oldest first, for the chart."""
    now = now or utcnow()
    this_monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    anchor = this_monday - timedelta(weeks=weeks - 1)
    opened_week = weeks_since(Swarm.opened_at, at(anchor)).label("week")
    opened = dict(session.execute(
        select(opened_week, func.count()).where(Swarm.team_id == team_id, Swarm.opened_at >= at(anchor),
                                                Swarm.opened_at < at(now),
                                                Swarm.status != SwarmStatus.OPENING).group_by(opened_week)).all())
    closed_week = weeks_since(Swarm.case_closed_at, at(anchor)).label("week")
    same_day = case((seconds_between(Swarm.case_closed_at, Swarm.opened_at) <= SAME_DAY_SECONDS, 1), else_=0)
    closed = {week: (count, hits) for week, count, hits in session.execute(
        select(closed_week, func.count(), func.sum(same_day))
        .where(Swarm.team_id == team_id, Swarm.case_closed_at >= at(anchor), Swarm.case_closed_at < at(now))
        .group_by(closed_week))}
    points = []
    for week in range(weeks):  # one point per week of the chart, not per row
        count, hits = closed.get(week, (0, 0))
        points.append(WeekPoint(anchor + timedelta(weeks=week), opened.get(week, 0), count,
                                (hits or 0) / count if count else None))
    return points


# ---------------------------------------------------------------- per person


def person_rows(session: Session, team_id: str, period: Period, *, now: datetime | None = None,
                user_ids: list[str] | None = None, limit: int | None = None,
                hours: WorkingHours = WorkingHours()) -> list[PersonRow]:
    """The per-person table, most contributing first (resolutions, then swarms joined, then notes)."""
    return person_table(session, team_id, period, now=now, user_ids=user_ids, limit=limit, hours=hours)[0]


def person_table(session: Session, team_id: str, period: Period, *, now: datetime | None = None,
                 user_ids: list[str] | None = None, limit: int | None = None,
                 hours: WorkingHours = WorkingHours()) -> tuple[list[PersonRow], int]:
    """The top `limit` rows of the per-person table, and how many rows the whole table has.

    The rows are ranked and cut to `limit` first; the median reply time, the one figure that sorts its
    rows, is then worked out for the people shown only.
    """
    now = now or utcnow()
    start, end = period.window(now)
    lo, hi = at(start), at(end)
    only = [SwarmMember.user_id.in_(user_ids)] if user_ids is not None else []
    mine = Swarm.team_id == team_id
    notes = notes_by_person(session, team_id, start, end, now=now, hours=hours, user_ids=user_ids)
    joined = (select(SwarmMember.user_id.label("user_id"), func.count().label("joined"))
              .where(SwarmMember.joined_at >= lo, SwarmMember.joined_at < hi, in_team(SwarmMember.swarm_id, team_id),
                     *only)
              .group_by(SwarmMember.user_id).cte("person_joined"))
    # Both start from the few swarms that qualify (closed in the period; open now) and reach their members
    # through partial indexes, instead of a hash join over every member row.
    credited = (select(SwarmMember.user_id.label("user_id"), func.count().label("credited"))
                .select_from(Swarm).join(SwarmMember, and_(SwarmMember.swarm_id == Swarm.id, SwarmMember.credited))
                .where(mine, Swarm.closed_at >= lo, Swarm.closed_at < hi, *only)
                .group_by(SwarmMember.user_id).cte("person_credited"))
    load = (select(SwarmMember.user_id.label("user_id"), func.count().label("load"))
            .select_from(Swarm).join(SwarmMember, and_(SwarmMember.swarm_id == Swarm.id, SwarmMember.left_at.is_(None)))
            .where(mine, _live(), SwarmMember.swarm_id >= _first_open_id(team_id), *only)
            .group_by(SwarmMember.user_id).cte("person_load"))
    everyone = union(*(select(part.c.user_id) for part in (notes, joined, credited, load))).subquery("people")
    n_notes, n_joined = func.coalesce(notes.c.notes, 0), func.coalesce(joined.c.joined, 0)
    n_credited = func.coalesce(credited.c.credited, 0)
    ranked = (
        select(everyone.c.user_id, func.coalesce(func.nullif(SlackUser.real_name, ""), SlackUser.name).label("name"),
               func.coalesce(SlackUser.deleted, false()).label("left_slack"), n_joined.label("joined"),
               n_notes.label("notes"), n_credited.label("credited"), func.coalesce(load.c.load, 0).label("load"),
               func.coalesce(notes.c.outside, 0).label("outside"), func.count().over().label("total"))
        .select_from(everyone)
        .outerjoin(SlackUser, SlackUser.id == everyone.c.user_id)
        .outerjoin(notes, notes.c.user_id == everyone.c.user_id)
        .outerjoin(joined, joined.c.user_id == everyone.c.user_id)
        .outerjoin(credited, credited.c.user_id == everyone.c.user_id)
        .outerjoin(load, load.c.user_id == everyone.c.user_id)
        .where(func.coalesce(SlackUser.is_bot, false()) == false(), everyone.c.user_id != "")
        .order_by(n_credited.desc(), n_joined.desc(), n_notes.desc(), everyone.c.user_id)
        .limit(limit)
        .cte("ranked")
    )
    reply = median_by(
        select(SwarmMember.user_id.label("user_id"),
               seconds_between(SwarmMember.first_reply_at, SwarmMember.invited_at).label("value"))
        .where(SwarmMember.invited_at >= lo, SwarmMember.invited_at < hi, SwarmMember.first_reply_at.is_not(None),
               _invited_by_someone_else(), SwarmMember.user_id.in_(select(ranked.c.user_id)),
               in_team(SwarmMember.swarm_id, team_id)),
        key="user_id")
    r = ranked.c
    result = session.execute(
        select(r.user_id, r.name, r.left_slack, r.joined, r.notes, r.credited, reply.c.median, r.load, r.outside,
               r.total)
        .outerjoin(reply, reply.c.user_id == r.user_id)
        .order_by(r.credited.desc(), r.joined.desc(), r.notes.desc(), r.user_id)).all()
    rows = [PersonRow(uid, name or uid, bool(left), int(j), int(n), int(c),
                      float(median) if median is not None else None, int(ld), int(out))
            for uid, name, left, j, n, c, median, ld, out, _ in result]
    return rows, int(result[0][-1]) if result else 0


def in_team(swarm_id: ColumnElement, team_id: str) -> ColumnElement:
    """The row's swarm is of the workspace, for rows found by their own index (members, invitations by date).

    An EXISTS, not a join: each database then starts from the row's own range and looks its swarm up by id
    (SQLite's planner, given a join, starts from every swarm of the workspace instead)."""
    return exists().where(Swarm.id == swarm_id, Swarm.team_id == team_id)


def _live() -> ColumnElement:
    """Open swarms, with the status inline (not a bound parameter) so SQLite can use the partial indexes on it."""
    return Swarm.status == literal(SwarmStatus.OPEN, literal_execute=True)


def _first_open_id(team_id: str) -> ColumnElement:
    """The lowest id of the workspace's open swarms, as a redundant bound on `swarm_members.swarm_id`.

    Open swarms are the recent ones, so with it their members are a short range of a partial index;
    without it PostgreSQL hashes every member row. The figures never depend on it: an old open swarm only
    makes the range longer. (Either database answers it from the first entry of `ix_swarms_team_id_open`.)
    """
    swarm = aliased(Swarm)
    return (select(func.coalesce(func.min(swarm.id), 0))
            .where(swarm.team_id == team_id, swarm.status == literal(SwarmStatus.OPEN, literal_execute=True))
            .scalar_subquery())


def _invited_by_someone_else() -> ColumnElement:
    return and_(SwarmMember.invited_by.is_not(None), SwarmMember.invited_by != SwarmMember.user_id,
                SwarmMember.role != MemberRole.OWNER)


def _asked_by_dm() -> ColumnElement:
    """Outcomes of the ask mode: an add-mode invite always has its member row, which the stats read instead."""
    return and_(SuggestionOutcome.mode == InviteMode.ASK, SuggestionOutcome.invited_at.is_not(None))


def silent_experts(session: Session, team_id: str, period: Period, *, now: datetime | None = None,
                   grace: timedelta = timedelta(hours=4), limit: int = 10) -> list[SilentExpert]:
    """Experts invited in the period who never answered: members (invited `grace` ago) who never wrote,
    and DM invitations left unanswered past their answer time. A member row, when there is one, decides."""
    now = now or utcnow()
    start, _ = period.window(now)
    in_channel = (select(SwarmMember.user_id.label("user_id"), SwarmMember.invited_at.label("invited_at"))
                  .where(SwarmMember.role == MemberRole.EXPERT, SwarmMember.first_reply_at.is_(None),
                         SwarmMember.invited_at >= at(start), SwarmMember.invited_at < at(now - grace),
                         in_team(SwarmMember.swarm_id, team_id)))
    ask = SuggestionOutcome
    no_answer = or_(ask.state == SuggestionState.IGNORED,
                    and_(ask.state == SuggestionState.INVITED, ask.answer_due_at < at(now)))
    by_dm = (select(ask.user_id, ask.invited_at)
             .where(_asked_by_dm(), no_answer, ask.invited_at >= at(start), ask.invited_at < at(now),
                    in_team(ask.swarm_id, team_id),
                    ~exists().where(SwarmMember.swarm_id == ask.swarm_id, SwarmMember.user_id == ask.user_id)))
    asked = union_all(in_channel, by_dm).subquery("asked")
    query = (
        select(asked.c.user_id, func.coalesce(func.nullif(SlackUser.real_name, ""), SlackUser.name),
               func.coalesce(SlackUser.deleted, false()), func.count(), func.max(asked.c.invited_at))
        .outerjoin(SlackUser, SlackUser.id == asked.c.user_id)
        .group_by(asked.c.user_id, SlackUser.real_name, SlackUser.name, SlackUser.deleted)
        .order_by(func.count().desc(), asked.c.user_id)
        .limit(limit)
    )
    return [SilentExpert(uid, name or uid, bool(left), int(count), aware(last))
            for uid, name, left, count, last in session.execute(query)]


def stalled_swarms(session: Session, team_id: str, *, now: datetime | None = None, rule: StallRule = StallRule(),
                   limit: int = 10) -> tuple[list[SwarmLine], int]:
    """Open swarms no expert joined (after a while) or where nothing happened for `rule.idle_after`."""
    now = now or utcnow()
    expert_joined = exists().where(SwarmMember.swarm_id == Swarm.id, SwarmMember.role == MemberRole.EXPERT,
                                   SwarmMember.joined_at.is_not(None), SwarmMember.swarm_id >= _first_open_id(team_id))
    no_expert = and_(Swarm.opened_at < at(now - rule.no_expert_after), ~expert_joined)
    idle = Swarm.last_activity_at < at(now - rule.idle_after)
    reason = case((idle, "idle"), (no_expert, "no_expert"))
    # Ranked and counted from the workspace's open swarms in their index alone (the reason as the filter, so no
    # planner splits it into ranges over other indexes); only the rows shown are read for channel and subject.
    ranked = (select(Swarm.id, Swarm.last_activity_at, reason.label("reason"), func.count().over().label("total"))
              .where(Swarm.team_id == team_id, _live(), reason.is_not(None))
              .order_by(Swarm.last_activity_at, Swarm.id).limit(limit).subquery("stalled"))
    rows = session.execute(
        select(*LINE_COLUMNS, ranked.c.reason, ranked.c.total).join(ranked, ranked.c.id == Swarm.id)
        .order_by(ranked.c.last_activity_at, ranked.c.id)).all()
    return [swarm_line(row[:-1]) for row in rows], int(rows[0][-1]) if rows else 0


def manager_stats(session: Session, team_id: str, period: Period, *, now: datetime | None = None,
                  people_limit: int = 15, top: int = 5, rule: StallRule = StallRule(),
                  hours: WorkingHours = WorkingHours()) -> ManagerStats:
    """Everything the manager's part of the Home tab shows, of the manager's workspace."""
    now = now or utcnow()
    people, people_total = person_table(session, team_id, period, now=now, limit=people_limit, hours=hours)
    stalled, stalled_total = stalled_swarms(session, team_id, now=now, rule=rule)
    top_rows = [p for p in people[:top] if p.resolutions or p.swarms_joined or p.notes]
    return ManagerStats(team_figures(session, team_id, period, now=now), people, people_total,
                        top_rows, silent_experts(session, team_id, period, now=now), stalled, stalled_total)


# ---------------------------------------------------------------- everyone's own view


def my_swarms(session: Session, team_id: str, user_id: str, period: Period, *, now: datetime | None = None,
              limit: int = 10) -> MySwarms:
    """A person's open swarms in this workspace, invitations waiting on them, and their own figures for the period."""
    now = now or utcnow()
    mine = and_(SwarmMember.swarm_id == Swarm.id, SwarmMember.user_id == user_id, _live(),
                SwarmMember.left_at.is_(None), Swarm.team_id == team_id)
    open_rows = session.execute(select(*LINE_COLUMNS, literal(""), func.count().over()).join(SwarmMember, mine)
                                .order_by(Swarm.last_activity_at.desc(), Swarm.id.desc()).limit(limit)).all()
    open_total = int(open_rows[0][-1]) if open_rows else 0
    in_channel = (select(*LINE_COLUMNS, literal("").label("reason"), SwarmMember.invited_at.label("invited_at"))
                  .join(SwarmMember, mine).where(_invited_by_someone_else(), SwarmMember.first_reply_at.is_(None)))
    # Asked by DM and not in the channel now (someone who left and is asked again waits too).
    present = exists().where(SwarmMember.swarm_id == Swarm.id, SwarmMember.user_id == user_id,
                             SwarmMember.left_at.is_(None))
    ask = SuggestionOutcome
    by_dm = (select(*LINE_COLUMNS, literal("dm"), ask.invited_at)
             .join(ask, and_(ask.swarm_id == Swarm.id, ask.user_id == user_id, ask.state == SuggestionState.INVITED))
             .where(_asked_by_dm(), _live(), Swarm.team_id == team_id, ~present))
    both = union_all(in_channel, by_dm).subquery("waiting")
    waiting = session.execute(select(*(c for c in both.c if c.name != "invited_at"))
                              .order_by(both.c.invited_at.desc(), both.c.id.desc()).limit(limit))
    own = person_rows(session, team_id, period, now=now, user_ids=[user_id])
    contributions = own[0] if own else PersonRow(user_id, user_id, False)
    return MySwarms(user_id, period, [swarm_line(r[:-1]) for r in open_rows], open_total,
                    [swarm_line(r) for r in waiting], contributions, now)

