"""Asking experts into a swarm, their answers, and escalation when nobody answers.

Flows of small committed steps, like opening a swarm: the database records the invitation before Slack
is called, and what Slack answered right after. An invitation plans a persistent APScheduler date job
(`expert-escalate:<outcome id>`); a join or a decline cancels it, and when it runs it first looks whether
the person joined or wrote in the swarm meanwhile. A decline, or silence, brings the next suggestion.
A request names its workspace (team): a swarm or an invitation of another workspace is refused, and the
finder ranks the swarm's own workspace's directory.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from expert_finder.models import Ranking, Reason, Suggestion
from swarms.case_systems.base import CaseRecord
from swarms.errors import NotAllowed
from swarms.experts.errors import AlreadyAnswered, ExpertUnreachable, NotYourInvite, SwarmNotLive
from swarms.experts.finder import (
    member_ids,
    opted_out_ids,
    outcome_for,
    reasons_from_json,
    record_suggestions,
    suggest_for_swarm,
    wrote_since,
)
from swarms.experts.models import InviteMode, SuggestionOutcome, SuggestionState
from swarms.experts.settings import ExpertSettings
from swarms.models import MemberRole, Swarm, SwarmMember
from swarms.opening.lifecycle import add_member
from swarms.ports import InviteOutcome

log = logging.getLogger(__name__)
ESCALATION_RETRY = timedelta(minutes=5)  # an answer check that failed runs again this much later


def escalation_job_id(outcome_id: int) -> str:
    return f"expert-escalate:{outcome_id}"


@dataclass(frozen=True, slots=True)
class SwarmInfo:
    swarm_id: int
    team_id: str  # the workspace the swarm belongs to
    channel_id: str
    channel_name: str
    case_number: str
    case_subject: str
    case_url: str
    language: str
    opened_by: str
    thread_ts: str | None = None  # a thread swarm: the thread of `channel_id` it happens in


@dataclass(frozen=True, slots=True)
class JoinRequest:
    """What the DM to an expert says: the case, who asks, and why them."""

    outcome_id: int
    user_id: str
    invited_by: str
    swarm: SwarmInfo
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class ExpertNotice:
    """Something the swarm channel should hear: who joined, declined or stayed silent, and who is next."""

    kind: str  # joined, declined, ignored, added, opted_out
    swarm: SwarmInfo
    user_ids: tuple[str, ...]
    reason: str = ""
    next: Suggestion | None = None


@dataclass(frozen=True, slots=True)
class InviteResult:
    asked: tuple[str, ...] = ()  # a DM with Join / Decline went out
    added: tuple[str, ...] = ()  # put straight into the channel
    skipped: tuple[tuple[str, str], ...] = ()  # (user, "member" | "pending" | "opted_out")
    failed: tuple[tuple[str, str], ...] = ()  # (user, reason)
    opted_out: tuple[str, ...] = ()  # picked by hand and invited although opted out of suggestions


class ExpertsPort(Protocol):
    """What the flows need from outside: Slack, the case system and the scheduler (the bot implements it)."""

    def case_of(self, case_number: str) -> CaseRecord | None: ...

    def unavailable(self, team_id: str, user_id: str) -> str:
        """"" when the person can be asked; else why not ("deactivated", "bot", "user_not_found")."""
        ...

    def in_channel(self, team_id: str, channel_id: str, user_id: str) -> bool: ...

    def add_to_swarm(self, swarm: SwarmInfo, user_ids: Sequence[str]) -> InviteOutcome:
        """Into the swarm's channel; for a thread swarm, wherever they need to be to read and answer the thread."""
        ...

    def ask_to_join(self, request: JoinRequest) -> tuple[str, str]:
        """DM the request; return (DM channel, message ts). Raise ExpertUnreachable when it cannot go."""
        ...

    def announce(self, notice: ExpertNotice) -> None: ...

    def plan_answer_check(self, outcome_id: int, run_at: datetime) -> None: ...

    def cancel_answer_check(self, outcome_id: int) -> None: ...


def swarm_info(swarm: Swarm) -> SwarmInfo:
    return SwarmInfo(swarm.id, swarm.team_id, swarm.channel_id or "", swarm.channel_name, swarm.case_number,
                     swarm.case_subject, swarm.case_url, swarm.language, swarm.opened_by, swarm.thread_ts)


def live_swarm(session: Session, team_id: str, swarm_id: int) -> Swarm:
    """The live swarm `swarm_id` of `team_id`: a forged id naming another workspace's swarm is not live here."""
    swarm = session.get(Swarm, swarm_id)
    if swarm is None or swarm.team_id != team_id or not swarm.is_live or not swarm.channel_id:
        raise SwarmNotLive()
    return swarm


def check_may_invite(session: Session, port: ExpertsPort, team_id: str, swarm_id: int, user_id: str, *,
                     from_channel: str, is_admin: bool) -> SwarmInfo:
    """Only people of the swarm (or admins) invite, and only from its own channel: payloads can be forged."""
    swarm = live_swarm(session, team_id, swarm_id)
    if from_channel and from_channel != swarm.channel_id:
        raise NotAllowed(action="invite_experts")
    if not (is_admin or user_id in member_ids(session, swarm_id)
            or port.in_channel(swarm.team_id, swarm.channel_id or "", user_id)):
        raise NotAllowed(action="invite_experts")
    return swarm_info(swarm)


# ---------------------------------------------------------------- suggesting


def suggest(sessions: sessionmaker, port: ExpertsPort, team_id: str, swarm_id: int, *, now: datetime,
            settings: ExpertSettings, case: CaseRecord | None = None,
            auto_invite: bool = False) -> tuple[Ranking, InviteResult | None]:
    """Rank `team_id`'s directory for its swarm, store the suggestions, and invite the top N where the setting
    asks for it."""
    if case is None:
        # Read the case outside any transaction: the case system may be this database (SQLite writers queue
        # on one lock, so a nested session would wait for ours) or a slow HTTP API.
        with sessions() as session:
            number = live_swarm(session, team_id, swarm_id).case_number
        case = port.case_of(number)
    with sessions.begin() as session:
        swarm = live_swarm(session, team_id, swarm_id)
        ranking = suggest_for_swarm(session, team_id, swarm_id, now, settings.policy(), case=case)
        record_suggestions(session, swarm_id, ranking.suggestions, now=now)
        opened_by = swarm.opened_by
    invited = None
    if auto_invite and settings.auto_invite_top_n and ranking.suggestions:
        top = [s.user_id for s in ranking.suggestions[: settings.auto_invite_top_n]]
        invited = _auto_invite(sessions, port, team_id, swarm_id, top, invited_by=opened_by, now=now,
                               settings=settings)
    return ranking, invited


def _auto_invite(sessions: sessionmaker, port: ExpertsPort, team_id: str, swarm_id: int, user_ids: Sequence[str], *,
                 invited_by: str, now: datetime, settings: ExpertSettings) -> InviteResult:
    """Invite suggestions nobody clicked: nobody hears the answer, so people skipped as opted out are named
    in the swarm instead."""
    result = invite_experts(sessions, port, team_id, swarm_id, user_ids, invited_by=invited_by, now=now,
                            settings=settings)
    opted_out = tuple(u for u, why in result.skipped if why == "opted_out")
    if opted_out:
        with sessions() as session:
            info = swarm_info(session.get_one(Swarm, swarm_id))
        port.announce(ExpertNotice("opted_out", info, opted_out))
    return result


# ---------------------------------------------------------------- inviting


def invite_experts(sessions: sessionmaker, port: ExpertsPort, team_id: str, swarm_id: int, user_ids: Sequence[str],
                   *, invited_by: str, now: datetime, settings: ExpertSettings,
                   by_hand: bool = False) -> InviteResult:
    """Ask (DM) or add people into `team_id`'s swarm, record each outcome as invited, and plan the answer check.

    A suggestion can be clicked long after it was posted: whoever opted out of suggestions since is skipped
    (the directory is read now, not when the message was posted). Someone picked `by_hand` is a person's
    own choice and is still invited; the result names them so the inviter learns of the opt-out.
    """
    wanted = list(dict.fromkeys(user_ids))
    unusable = {u: why for u in wanted if (why := port.unavailable(team_id, u))}
    mode = settings.invite_mode
    due = now + timedelta(minutes=settings.answer_minutes)
    requests: list[JoinRequest] = []
    skipped: list[tuple[str, str]] = []
    with sessions.begin() as session:
        info = swarm_info(live_swarm(session, team_id, swarm_id))
        members = member_ids(session, swarm_id)
        opted_out = opted_out_ids(session, team_id, wanted)
        for user_id in wanted:
            outcome = outcome_for(session, swarm_id, user_id, now=now)
            if user_id in unusable:
                _fail(outcome, unusable[user_id])
            elif user_id in members:
                skipped.append((user_id, "member"))
            elif outcome.state == SuggestionState.INVITED:
                skipped.append((user_id, "pending"))
            elif user_id in opted_out and not by_hand:
                skipped.append((user_id, "opted_out"))
                if outcome.state in (SuggestionState.SUGGESTED, SuggestionState.FAILED):
                    _fail(outcome, "opted_out")  # an earlier answer here stays: it is their real history
            else:
                _mark_invited(outcome, mode=mode, invited_by=invited_by, now=now, due=due)
                session.flush()
                requests.append(JoinRequest(outcome.id, user_id, invited_by, info, reasons_from_json(outcome.reasons)))
    failed = list(unusable.items())
    if mode == InviteMode.ADD:
        done, more_failed = _add(sessions, port, info, requests, invited_by=invited_by, now=now)
        result = InviteResult(added=done, skipped=tuple(skipped), failed=tuple(failed + more_failed),
                              opted_out=tuple(u for u in done if u in opted_out))
    else:
        done, more_failed = _ask(sessions, port, requests)
        result = InviteResult(asked=done, skipped=tuple(skipped), failed=tuple(failed + more_failed),
                              opted_out=tuple(u for u in done if u in opted_out))
    for request in requests:
        if request.user_id in done:
            port.plan_answer_check(request.outcome_id, due)
    return result


def _mark_invited(outcome: SuggestionOutcome, *, mode: str, invited_by: str, now: datetime, due: datetime) -> None:
    outcome.state, outcome.mode, outcome.invited_by = SuggestionState.INVITED, mode, invited_by
    outcome.invited_at, outcome.answer_due_at = now, due
    outcome.answered_at = outcome.escalated_at = None
    outcome.decline_reason = ""


def _record_member(session: Session, swarm_id: int, user_id: str, *, invited_by: str | None,
                   now: datetime) -> SwarmMember:
    """A member again, whoever writes first (add_member settles a race with Slack's member_joined_channel
    for the same invite), and someone who left the channel earlier comes back."""
    member = add_member(session, swarm_id, user_id, role=MemberRole.EXPERT, invited_by=invited_by)
    if member.left_at is not None:
        member.joined_at, member.left_at = now, None
    return member


def _fail(outcome: SuggestionOutcome, why: str) -> None:
    outcome.state, outcome.decline_reason = SuggestionState.FAILED, why[:200]


def _add(sessions: sessionmaker, port: ExpertsPort, info: SwarmInfo, requests: list[JoinRequest], *,
         invited_by: str, now: datetime) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    if not requests:
        return (), []
    answer = port.add_to_swarm(info, [r.user_id for r in requests])  # one call, chunked by 100
    done = tuple(u for u in (*answer.invited, *answer.already_members))
    errors = dict(answer.failed)
    with sessions.begin() as session:
        for request in requests:
            outcome = session.get_one(SuggestionOutcome, request.outcome_id)
            if request.user_id in errors:
                _fail(outcome, errors[request.user_id])
            elif request.user_id in done:
                _record_member(session, info.swarm_id, request.user_id, invited_by=invited_by, now=now)
    if done:
        port.announce(ExpertNotice("added", info, done))
    return done, list(errors.items())


def _ask(sessions: sessionmaker, port: ExpertsPort,
         requests: list[JoinRequest]) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    done: list[str] = []
    failed: list[tuple[str, str]] = []
    for request in requests:
        try:
            dm_channel, dm_ts = port.ask_to_join(request)
        except ExpertUnreachable as exc:
            failed.append((request.user_id, exc.error))
            with sessions.begin() as session:
                _fail(session.get_one(SuggestionOutcome, request.outcome_id), exc.error)
            continue
        with sessions.begin() as session:
            outcome = session.get_one(SuggestionOutcome, request.outcome_id)
            outcome.dm_channel, outcome.dm_ts = dm_channel, dm_ts
        done.append(request.user_id)
    return tuple(done), failed


# ---------------------------------------------------------------- answers


def _own_outcome(session: Session, team_id: str, outcome_id: int, user_id: str) -> SuggestionOutcome:
    """The invitation of this person in this workspace: another's, or another workspace's, is not theirs."""
    outcome = session.scalar(select(SuggestionOutcome).join(Swarm, Swarm.id == SuggestionOutcome.swarm_id)
                             .where(SuggestionOutcome.id == outcome_id, Swarm.team_id == team_id))
    if outcome is None or outcome.user_id != user_id or outcome.state == SuggestionState.SUGGESTED:
        raise NotYourInvite()
    return outcome


def accept_invite(sessions: sessionmaker, port: ExpertsPort, team_id: str, outcome_id: int, user_id: str, *,
                  now: datetime) -> SwarmInfo:
    """Join: into the channel (already there counts), recorded as a member; the answer check is cancelled."""
    with sessions.begin() as session:
        outcome = _own_outcome(session, team_id, outcome_id, user_id)
        if outcome.state in (SuggestionState.JOINED, SuggestionState.CONTRIBUTED, SuggestionState.CREDITED):
            raise AlreadyAnswered(state=outcome.state)
        info = swarm_info(live_swarm(session, team_id, outcome.swarm_id))
    answer = port.add_to_swarm(info, [user_id])
    if answer.failed:
        raise ExpertUnreachable(user_id, answer.failed[0][1])
    with sessions.begin() as session:
        outcome = session.get_one(SuggestionOutcome, outcome_id)
        outcome.state, outcome.answered_at = SuggestionState.JOINED, now
        _record_member(session, info.swarm_id, user_id, invited_by=outcome.invited_by, now=now)
    port.cancel_answer_check(outcome_id)
    port.announce(ExpertNotice("joined", info, (user_id,)))
    return info


def decline_invite(sessions: sessionmaker, port: ExpertsPort, team_id: str, outcome_id: int, user_id: str,
                   reason: str, *, now: datetime, settings: ExpertSettings) -> SwarmInfo:
    """Decline (with an optional reason): recorded, the answer check cancelled, the next suggestion brought."""
    with sessions.begin() as session:
        outcome = _own_outcome(session, team_id, outcome_id, user_id)
        if outcome.state not in (SuggestionState.INVITED, SuggestionState.IGNORED):
            raise AlreadyAnswered(state=outcome.state)
        outcome.state, outcome.answered_at = SuggestionState.DECLINED, now
        outcome.decline_reason = (reason or "").strip()[:500]
        already_escalated = outcome.escalated_at is not None
        outcome.escalated_at = outcome.escalated_at or now
        swarm = session.get_one(Swarm, outcome.swarm_id)
        info, live = swarm_info(swarm), swarm.is_live
    port.cancel_answer_check(outcome_id)
    if live and not already_escalated:
        bring_next(sessions, port, info, ExpertNotice("declined", info, (user_id,), reason=(reason or "").strip()),
                   now=now, settings=settings)
    return info


def team_of_outcome(session: Session, outcome_id: int) -> str | None:
    """The workspace of an invitation's swarm (None: no such invitation), for its answer check."""
    return session.scalar(select(Swarm.team_id).join(SuggestionOutcome, SuggestionOutcome.swarm_id == Swarm.id)
                          .where(SuggestionOutcome.id == outcome_id))


def escalate(sessions: sessionmaker, port: ExpertsPort, outcome_id: int, *, now: datetime,
             settings: ExpertSettings) -> str:
    """The answer check: joined or wrote meanwhile → recorded; silent past the time → ignored, next brought."""
    with sessions.begin() as session:
        outcome = session.get(SuggestionOutcome, outcome_id)
        if outcome is None or outcome.state != SuggestionState.INVITED or outcome.escalated_at is not None:
            return "settled"
        swarm = session.get(Swarm, outcome.swarm_id)
        if swarm is None or not swarm.is_live:
            return "swarm_closed"
        if wrote_since(session, swarm.id, outcome.user_id, outcome.invited_at):
            return "contributed" if _settle(session, outcome_id, state=SuggestionState.CONTRIBUTED) else "settled"
        if outcome.mode == InviteMode.ASK and outcome.user_id in member_ids(session, swarm.id):
            settled = _settle(session, outcome_id, state=SuggestionState.JOINED, answered_at=now)
            return "joined" if settled else "settled"
        if outcome.answer_due_at is not None and now < outcome.answer_due_at:
            return "not_due"
        info, user_id = swarm_info(swarm), outcome.user_id
        if not _settle(session, outcome_id, state=SuggestionState.IGNORED, answered_at=now, escalated_at=now):
            return "settled"  # another replica's check (or the expert's answer) got there first
    bring_next(sessions, port, info, ExpertNotice("ignored", info, (user_id,)), now=now, settings=settings)
    return "ignored"


def _settle(session: Session, outcome_id: int, **values) -> bool:
    """Claim the check's outcome: one conditional UPDATE, so of two checks at once only one acts."""
    return session.execute(
        update(SuggestionOutcome)
        .where(SuggestionOutcome.id == outcome_id, SuggestionOutcome.state == SuggestionState.INVITED,
               SuggestionOutcome.escalated_at.is_(None))
        .values(**values)
    ).rowcount == 1


def bring_next(sessions: sessionmaker, port: ExpertsPort, info: SwarmInfo, notice: ExpertNotice, *,
               now: datetime, settings: ExpertSettings) -> Suggestion | None:
    """Tell the swarm who declined or stayed silent, with the next suggestion (auto-invited where set) from its
    own workspace's directory."""
    try:
        case = port.case_of(info.case_number)  # before the transaction, as in suggest()
        with sessions.begin() as session:
            ranking = suggest_for_swarm(session, info.team_id, info.swarm_id, now, settings.policy(limit=1),
                                        case=case)
            record_suggestions(session, info.swarm_id, ranking.suggestions, now=now)
        following = ranking.suggestions[0] if ranking.suggestions else None
    except Exception:
        log.exception("swarm %s: ranking the next expert failed", info.swarm_id)
        following = None
    port.announce(ExpertNotice(notice.kind, info, notice.user_ids, reason=notice.reason, next=following))
    if following is not None and settings.auto_invite_top_n:
        _auto_invite(sessions, port, info.team_id, info.swarm_id, [following.user_id], invited_by=info.opened_by,
                     now=now, settings=settings)
    return following


def pending_checks(session: Session) -> list[tuple[int, datetime]]:
    """Invitations still waiting for an answer in live swarms, to re-plan their checks at start-up."""
    rows = session.execute(
        select(SuggestionOutcome.id, SuggestionOutcome.answer_due_at, Swarm.status)
        .join(Swarm, Swarm.id == SuggestionOutcome.swarm_id)
        .where(SuggestionOutcome.state == SuggestionState.INVITED, SuggestionOutcome.escalated_at.is_(None),
               SuggestionOutcome.answer_due_at.is_not(None))
    ).all()
    return [(row.id, row.answer_due_at) for row in rows if row.status in ("opening", "open")]
