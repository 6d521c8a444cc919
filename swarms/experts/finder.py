"""The expert finder's database side: profiles with their current load, history, the case query, outcomes.

`expert_finder` ranks plain values; this module builds those values from the tables in a few grouped
queries (never one query per expert) and records what became of each suggestion, which in turn is
history for the next ranking. Functions take the caller's session and only flush. A workspace (team) is
ranked from its own directory, its own swarms' history and its own tuned weights: what is read takes the
team explicitly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from expert_finder.models import (
    DEFAULT_WEIGHTS,
    CaseQuery,
    ExpertProfile,
    PastHelp,
    Ranking,
    RankingPolicy,
    Reason,
    Skill,
    Suggestion,
    WorkingHours,
)
from expert_finder.queues import detect_queue_accounts
from swarms.case_systems.base import CaseRecord
from swarms.experts.errors import SwarmNotLive
from swarms.experts.models import (
    ASKED_STATES,
    Expert,
    ExpertProduct,
    ExpertSkill,
    ExpertWeights,
    SuggestionOutcome,
    SuggestionState,
)
from swarms.models import Case, Note, Swarm, SwarmMember, SwarmStatus
from swarms.upsert import insert_or_skip

if TYPE_CHECKING:  # the ranking and history (numpy, the matching tables) load at the first ranking, not at start
    from expert_finder.history import HistoryIndex

LIVE = (SwarmStatus.OPENING, SwarmStatus.OPEN)
CLOSED = (SwarmStatus.CLOSED, SwarmStatus.ARCHIVED)
HISTORY_WINDOW = timedelta(days=730)
# One PastHelp per (swarm, person): the strongest thing they did there.
_KIND_STRENGTH = {"credited": 5, "contributed": 4, "joined": 3, "declined": 2, "ignored": 1}
_OUTCOME_KINDS = ("joined", "declined", "ignored", "contributed", "credited")


# ---------------------------------------------------------------- profiles


def expert_profiles(session: Session, team_id: str) -> list[ExpertProfile]:
    """Every active expert of `team_id`'s directory, with their load: that workspace's live swarms they are a
    member of right now."""
    load = (
        select(SwarmMember.user_id, func.count(SwarmMember.swarm_id).label("active"))
        .join(Swarm, Swarm.id == SwarmMember.swarm_id)
        .where(Swarm.team_id == team_id, Swarm.status.in_(LIVE), SwarmMember.joined_at.is_not(None),
               SwarmMember.left_at.is_(None))
        .group_by(SwarmMember.user_id)
        .subquery()
    )
    rows = session.execute(
        select(Expert, func.coalesce(load.c.active, 0))
        .outerjoin(load, load.c.user_id == Expert.user_id)
        .where(Expert.team_id == team_id, Expert.active.is_(True))
        .order_by(Expert.id)
    ).all()
    skills: dict[int, list[Skill]] = defaultdict(list)
    for expert_id, name, level in session.execute(
        select(ExpertSkill.expert_id, ExpertSkill.name, ExpertSkill.level)
        .join(Expert, Expert.id == ExpertSkill.expert_id).where(Expert.team_id == team_id)
        .order_by(ExpertSkill.id)
    ):
        skills[expert_id].append(Skill(name, level))
    products: dict[int, list[str]] = defaultdict(list)
    product_rows = (select(ExpertProduct.expert_id, ExpertProduct.name)
                    .join(Expert, Expert.id == ExpertProduct.expert_id).where(Expert.team_id == team_id)
                    .order_by(ExpertProduct.id))
    for expert_id, name in session.execute(product_rows):
        products[expert_id].append(name)
    return [
        ExpertProfile(
            user_id=expert.user_id,
            name=expert.name or expert.user_id,
            skills=tuple(skills[expert.id]),
            products=tuple(products[expert.id]),
            languages=tuple(expert.languages or ()),
            hours=WorkingHours(expert.timezone or "UTC", expert.work_start, expert.work_end,
                               frozenset(expert.work_days or ())),
            max_concurrent=expert.max_concurrent,
            active_swarms=int(active),
            opted_out=expert.opted_out,
        )
        for expert, active in rows
    ]


# ---------------------------------------------------------------- history


def past_help(session: Session, team_id: str, *, now: datetime, exclude_swarm_id: int | None = None) -> list[PastHelp]:
    """Who did what on `team_id`'s earlier swarms: credited, wrote notes on a closed case, joined, declined,
    ignored."""
    since = now - HISTORY_WINDOW
    best: dict[tuple[int, str], tuple[str, datetime]] = {}

    def offer(swarm_id: int, user_id: str, kind: str, at: datetime | None) -> None:
        if swarm_id == exclude_swarm_id or at is None:
            return
        key = (swarm_id, user_id)
        if key not in best or _KIND_STRENGTH[kind] > _KIND_STRENGTH[best[key][0]]:
            best[key] = (kind, at)

    case_closed = or_(Swarm.case_closed_at.is_not(None), Swarm.status.in_(CLOSED))
    for swarm_id, user_id, last in session.execute(
        select(Note.swarm_id, Note.user_id, func.max(Note.created_at))
        .join(Swarm, Swarm.id == Note.swarm_id)
        .where(Swarm.team_id == team_id, case_closed, Note.deleted_at.is_(None), Swarm.opened_at >= since)
        .group_by(Note.swarm_id, Note.user_id)
    ):
        offer(swarm_id, user_id, "contributed", last)
    for swarm_id, user_id, at in session.execute(
        select(SwarmMember.swarm_id, SwarmMember.user_id,
               func.coalesce(Swarm.case_closed_at, Swarm.closed_at, Swarm.last_activity_at))
        .join(Swarm, Swarm.id == SwarmMember.swarm_id)
        .where(Swarm.team_id == team_id, SwarmMember.credited.is_(True), Swarm.opened_at >= since)
    ):
        offer(swarm_id, user_id, "credited", at)
    for swarm_id, user_id, state, at in session.execute(
        select(SuggestionOutcome.swarm_id, SuggestionOutcome.user_id, SuggestionOutcome.state,
               func.coalesce(SuggestionOutcome.answered_at, SuggestionOutcome.invited_at))
        .join(Swarm, Swarm.id == SuggestionOutcome.swarm_id)
        .where(Swarm.team_id == team_id, SuggestionOutcome.state.in_(_OUTCOME_KINDS),
               SuggestionOutcome.suggested_at >= since)
    ):
        offer(swarm_id, user_id, state, at)
    return _as_past_help(session, best)


def _as_past_help(session: Session, best: dict[tuple[int, str], tuple[str, datetime]]) -> list[PastHelp]:
    swarm_ids = sorted({swarm_id for swarm_id, _ in best})
    swarms = {}
    for start in range(0, len(swarm_ids), 500):  # stay under every database's bound-parameter limit
        chunk = swarm_ids[start : start + 500]
        for row in session.execute(
            select(Swarm.id, Swarm.case_key, Swarm.case_subject, Swarm.resolution_summary, Swarm.case_product)
            .where(Swarm.id.in_(chunk))
        ):
            swarms[row.id] = row
    history = []
    for (swarm_id, user_id), (kind, at) in sorted(best.items()):
        swarm = swarms[swarm_id]
        text = " ".join(p for p in (swarm.case_subject, swarm.resolution_summary) if p)
        history.append(PastHelp(swarm.case_key, text, swarm.case_product, user_id, kind, at))
    return history


# ---------------------------------------------------------------- the case


def member_ids(session: Session, swarm_id: int) -> frozenset[str]:
    """People in the swarm now (joined and not left)."""
    return frozenset(session.scalars(
        select(SwarmMember.user_id).where(SwarmMember.swarm_id == swarm_id, SwarmMember.joined_at.is_not(None),
                                          SwarmMember.left_at.is_(None))
    ))


def opted_out_ids(session: Session, team_id: str, user_ids: Iterable[str]) -> frozenset[str]:
    """Who of these opted out of suggestions in `team_id`'s directory now: a suggestion may be clicked days
    later."""
    wanted = list(user_ids)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # a hand invite can name hundreds: stay under parameter limits
        chunk = wanted[start : start + 500]
        found.update(session.scalars(select(Expert.user_id).where(
            Expert.team_id == team_id, Expert.user_id.in_(chunk), Expert.opted_out.is_(True))))
    return frozenset(found)


def case_query(session: Session, swarm: Swarm, case: CaseRecord | None = None) -> CaseQuery:
    """What the finder searches for. Without a case record (a job, the case system down) the swarm's own
    copy of subject and product is used, and the local store's description where the case lives there."""
    if case is None and swarm.case_system == "local":
        row = session.scalar(select(Case).where(Case.number == swarm.case_number))
        if row is not None:
            case = CaseRecord(key=row.number, number=row.number, subject=row.subject, description=row.description,
                              product=row.product, category=row.category, language=row.language)
    extra = case.extra if case else {}
    needed = extra.get("needed_skills") or extra.get("skills") or ""
    return CaseQuery(
        subject=case.subject if case else swarm.case_subject,
        description=case.description if case else "",
        product=(case.product if case else "") or swarm.case_product,
        category=case.category if case else "",
        language=case.language if case else "",
        requester_id=swarm.opened_by,
        member_ids=member_ids(session, swarm.id),
        needed_skills=tuple(s.strip() for s in str(needed).replace(";", ",").split(",") if s.strip()),
    )


def asked_ids(session: Session, swarm_id: int) -> frozenset[str]:
    """Everyone already asked in this swarm, whatever they answered: never suggested twice."""
    return frozenset(session.scalars(
        select(SuggestionOutcome.user_id).where(SuggestionOutcome.swarm_id == swarm_id,
                                                SuggestionOutcome.state.in_(ASKED_STATES))
    ))


def weights_in_use(session: Session, team_id: str) -> tuple[int, dict[str, float]]:
    """`team_id`'s newest version tuned by `experts tune` and its weights; (0, the defaults) before its first."""
    row = session.scalar(select(ExpertWeights).where(ExpertWeights.team_id == team_id)
                         .order_by(ExpertWeights.version.desc()).limit(1))
    return (row.version, {**DEFAULT_WEIGHTS, **row.weights}) if row else (0, dict(DEFAULT_WEIGHTS))


def suggest_for_swarm(session: Session, team_id: str, swarm_id: int, now: datetime, policy: RankingPolicy, *,
                      case: CaseRecord | None = None) -> Ranking:
    """Rank `team_id`'s directory for a swarm of that workspace with its tuned weights in use, leaving out the
    swarm's members, anyone already asked and queue accounts (named in the settings, or detected in the
    history). A swarm of another workspace is refused, never ranked against this one's experts."""
    swarm = session.get(Swarm, swarm_id)
    if swarm is None or swarm.team_id != team_id:
        raise SwarmNotLive()
    asked = asked_ids(session, swarm_id)
    profiles = [p for p in expert_profiles(session, team_id) if p.user_id not in asked]
    rows = tuple(past_help(session, team_id, now=now, exclude_swarm_id=swarm_id))
    credited = [h for h in rows if h.kind == "credited"]
    detected = detect_queue_accounts([h.user_id for h in credited], [h.product for h in credited])
    policy = replace(policy, weights=weights_in_use(session, team_id)[1],
                     queue_accounts=(*policy.queue_accounts, *sorted(detected)))
    from expert_finder.ranking import rank_experts

    return rank_experts(case_query(session, swarm, case), profiles, history_index(rows), now=now, policy=policy)


@lru_cache(maxsize=4)
def history_index(history: tuple[PastHelp, ...]) -> HistoryIndex:
    """Fitting TF-IDF on the history costs most of a suggestion; the same history (every new swarm sees the
    same past until a swarm closes or someone answers) is fitted once per process."""
    from expert_finder.history import HistoryIndex

    return HistoryIndex.build(history)


# ---------------------------------------------------------------- outcomes


def reasons_to_json(reasons: Iterable[Reason]) -> list[dict]:
    return [{"kind": r.kind, "params": {k: _plain(v) for k, v in r.params.items()}} for r in reasons]


def _plain(value: object) -> object:
    """NumPy scalars from the ranking become JSON-friendly Python numbers."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def reasons_from_json(data: list | None) -> tuple[Reason, ...]:
    return tuple(Reason(str(d.get("kind", "")), dict(d.get("params") or {})) for d in data or () if isinstance(d, dict))


def outcome_for(session: Session, swarm_id: int, user_id: str, *, now: datetime) -> SuggestionOutcome:
    """The one outcome row of (swarm, person); INSERT … ON CONFLICT settles a race between two writers."""
    stmt = select(SuggestionOutcome).where(SuggestionOutcome.swarm_id == swarm_id, SuggestionOutcome.user_id == user_id)
    row = session.scalar(stmt)
    if row is not None:
        return row
    session.flush()
    insert_or_skip(session, SuggestionOutcome.__table__,
                   {"swarm_id": swarm_id, "user_id": user_id, "suggested_at": now, "reasons": [], "covers": []})
    return session.scalars(stmt).one()


def record_suggestions(session: Session, swarm_id: int, suggestions: Iterable[Suggestion], *,
                       now: datetime) -> list[SuggestionOutcome]:
    """Store what was suggested (rank, score, reasons); someone already asked keeps their state."""
    rows = []
    start = session.scalar(select(func.coalesce(func.max(SuggestionOutcome.rank), 0))
                           .where(SuggestionOutcome.swarm_id == swarm_id)) or 0
    for offset, suggestion in enumerate(suggestions, start=1):
        row = outcome_for(session, swarm_id, suggestion.user_id, now=now)
        if row.state in (SuggestionState.SUGGESTED, SuggestionState.FAILED) or not row.reasons:
            row.rank, row.score = start + offset, float(suggestion.score)
            row.reasons, row.covers = reasons_to_json(suggestion.reasons), list(suggestion.covers)
        rows.append(row)
    session.flush()
    return rows


@dataclass(frozen=True, slots=True)
class Settled:
    contributed: int = 0
    credited: int = 0


def settle_outcomes(session: Session, *, since: datetime) -> Settled:
    """Move outcomes of swarms that closed to contributed (wrote notes) or credited (resolution credit)."""
    open_states = (SuggestionState.INVITED, SuggestionState.JOINED, SuggestionState.IGNORED,
                   SuggestionState.CONTRIBUTED)
    rows = session.execute(
        select(SuggestionOutcome, SwarmMember.credited)
        .join(Swarm, Swarm.id == SuggestionOutcome.swarm_id)
        .outerjoin(SwarmMember, (SwarmMember.swarm_id == SuggestionOutcome.swarm_id)
                   & (SwarmMember.user_id == SuggestionOutcome.user_id))
        .where(Swarm.status.in_(CLOSED), Swarm.closed_at >= since, SuggestionOutcome.state.in_(open_states))
    ).all()
    writers = {
        (swarm_id, user_id)
        for swarm_id, user_id in session.execute(
            select(Note.swarm_id, Note.user_id).join(Swarm, Swarm.id == Note.swarm_id)
            .where(Swarm.status.in_(CLOSED), Swarm.closed_at >= since, Note.deleted_at.is_(None)).distinct()
        )
    }
    contributed = credited = 0
    for outcome, was_credited in rows:
        if was_credited:
            outcome.state = SuggestionState.CREDITED
            credited += 1
        elif (outcome.swarm_id, outcome.user_id) in writers and outcome.state != SuggestionState.CONTRIBUTED:
            outcome.state = SuggestionState.CONTRIBUTED
            contributed += 1
    session.flush()
    return Settled(contributed, credited)


def wrote_since(session: Session, swarm_id: int, user_id: str, since: datetime | None) -> bool:
    stmt = select(Note.id).where(Note.swarm_id == swarm_id, Note.user_id == user_id, Note.deleted_at.is_(None))
    if since is not None:
        stmt = stmt.where(Note.created_at >= since)
    return session.scalar(stmt.limit(1)) is not None
