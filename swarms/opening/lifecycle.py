"""Asking for a swarm: find the open one, or claim a new one in `opening` and queue its opening.

The database's one-live-swarm-per-case index makes every concurrent or replayed `/swarm` of a case find
the same row; each asker is a waiting request, told the channel when `swarms.opening.finish` has made it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from swarms.case_systems.base import CaseRecord, CaseSystem
from swarms.db import utcnow
from swarms.errors import (
    CaseClosed,
    NotAllowed,
    NotASwarmChannel,
    SwarmBeingOpened,
    SwarmError,
    SwarmOfAnotherWorkspace,
    SwarmsInThreads,
)
from swarms.models import MemberRole, Swarm, SwarmMember, SwarmMode, SwarmStatus
from swarms.opening.models import HandledTrigger, OpenRequestState, SwarmOpenRequest
from swarms.ports import SwarmWorkspace
from swarms.upsert import insert_or_skip

log = logging.getLogger(__name__)

CHANNEL_NAME_MAX = 80
TRIGGER_KEY_MAX = 128
THREADS_NAMED = 5  # a team channel's thread swarms named in an answer
# Anything but lower-case letters, uncased letters (Hangul), digits, - and _ (Slack's channel-name alphabet).
_NOT_ALLOWED_IN_NAME = re.compile(r"[^\w-]+")
LATIN_END = "\u0250"  # Latin letters up to IPA extensions: folded to ASCII


@dataclass(frozen=True, slots=True)
class OpenRequest:
    """Someone's `/swarm <case>`: `reply_to` is where to tell them the channel once it exists."""

    team_id: str  # the Slack workspace asking: a case's swarm is found and opened within it
    case_number: str
    requester_id: str
    lang: str
    reply_to: str = ""
    may_open: bool = True
    case: CaseRecord | None = None  # already read (the offer of existing work read it): not read twice
    mode: str = SwarmMode.CHANNEL  # a new swarm's place: its own channel, or a thread of `team_channel`
    team_channel: str = ""  # thread mode: the channel /swarm was typed in, where the card goes
    team_channel_name: str = ""  # its name, as the command said it (for the experts' DMs)


@dataclass(frozen=True, slots=True)
class OpenedSwarm:
    swarm_id: int
    team_id: str  # the workspace it was opened in
    channel_id: str
    channel_name: str
    case: CaseRecord
    created: bool  # False: the case already had a live swarm, which is returned instead
    thread_ts: str | None = None  # thread mode: the card's ts, the thread the swarm happens in


def channel_name_for(case_number: str, subject: str, *, ascii_only: bool = False,
                     max_length: int = CHANNEL_NAME_MAX) -> str:
    """`swarm-<number>-<subject words>`, ≤ 80 characters, each word once.

    Slack takes lower-case letters, digits, - and _, and letters that have no case, such as Hangul
    (Korean-named channels are common; Slack's clients and other tools accept them): a Korean subject
    reads as itself, `swarm-00001027-배터리-충전이-80-에서-멈춥니다`. With `ascii_only` (the
    CHANNEL_NAMES_ASCII setting, or after Slack refused a name), a subject whose ASCII remainder is
    only digits and fragments gives the number alone: the subject is on the card and in the purpose.
    """
    number = _slug(case_number, ascii_only=True) or "case"
    name = f"swarm-{number}"
    words = [w for w in dict.fromkeys(_slug(subject, ascii_only=ascii_only).split("-")) if w]
    if not any(len(w) > 1 and not w.isdigit() for w in words):
        words = []  # "80" (of "배터리 충전이 80%에서 멈춥니다", ASCII only) or "e-21-3-2" says nothing
    for word in words:
        candidate = f"{name}-{word}"
        if len(candidate) > max_length - 4:  # room for a "-2" style suffix on a clash
            break
        name = candidate
    return name[:max_length]


def _slug(text: str, *, ascii_only: bool) -> str:
    """Latin letters lose their accents (é → e); other scripts stay unless `ascii_only`."""
    text = unicodedata.normalize("NFKC", text).casefold()  # ß → ss
    text = "".join(_ascii(c) if ascii_only or c < LATIN_END else c for c in text)
    return "-".join(part for part in _NOT_ALLOWED_IN_NAME.split(text) if part).strip("-_")


def _ascii(char: str) -> str:
    return unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")


def find_live_swarm(session: Session, team_id: str, case_system: str, case_key: str) -> Swarm | None:
    return session.scalar(
        select(Swarm).where(
            Swarm.team_id == team_id,
            Swarm.case_system == case_system,
            Swarm.case_key == case_key,
            Swarm.status.in_([SwarmStatus.OPENING, SwarmStatus.OPEN]),
        )
    )


def find_swarm_at(session: Session, channel_id: str, thread_ts: str | None = None) -> Swarm | None:
    """The swarm whose place this is: the channel's own swarm, or (with `thread_ts`) the swarm of that thread.

    Slash commands carry no thread, so in a team channel only a thread's events and buttons find a swarm."""
    return session.scalar(select(Swarm).where(Swarm.placed_at(channel_id, thread_ts)).order_by(Swarm.mode).limit(1))


def require_swarm(session: Session, channel_id: str, thread_ts: str | None = None) -> Swarm:
    """The swarm of the channel a command or button was used in (a card's button: of its thread, `thread_ts`).

    None there: a team channel whose swarms run in threads, where Slack takes no slash commands, says so
    (SwarmsInThreads, naming them); anywhere else is NotASwarmChannel."""
    swarm = find_swarm_at(session, channel_id, thread_ts) if channel_id else None
    if swarm is None:
        raise _no_swarm_here(session, channel_id)
    return swarm


def _no_swarm_here(session: Session, channel_id: str) -> SwarmError:
    in_threads = thread_swarms_in(session, channel_id) if channel_id else []
    if in_threads:
        return SwarmsInThreads(cases=", ".join(swarm.case_number for swarm in in_threads[:THREADS_NAMED]))
    return NotASwarmChannel()


def thread_swarm_numbered(session: Session, channel_id: str, case_number: str) -> Swarm | None:
    """The newest thread swarm of this case in a team channel (open or closed: notes can still be parked)."""
    return session.scalar(
        select(Swarm).where(Swarm.channel_id == channel_id, Swarm.mode == SwarmMode.THREAD,
                            Swarm.case_number == case_number.strip())
        .order_by(Swarm.id.desc()).limit(1)
    )


def thread_swarms_in(session: Session, channel_id: str) -> list[Swarm]:
    """The live swarms running in threads of a team channel, newest first."""
    return list(session.scalars(
        select(Swarm).where(Swarm.channel_id == channel_id, Swarm.mode == SwarmMode.THREAD,
                            Swarm.status.in_([SwarmStatus.OPENING, SwarmStatus.OPEN]))
        .order_by(Swarm.id.desc())
    ))


def add_member(session: Session, swarm_id: int, user_id: str, *, role: str, invited_by: str | None = None,
               joined: bool = True) -> SwarmMember:
    """Record a member once; a second call updates nothing but a missing join time.

    Race-free: an invite and Slack's member_joined_channel for the same person, on two replicas at once,
    both land here; the INSERT … ON CONFLICT lets one write the row and the other find it.
    """
    now = utcnow()
    session.flush()
    inserted = insert_or_skip(session, SwarmMember.__table__, {
        "swarm_id": swarm_id, "user_id": user_id, "role": role, "invited_by": invited_by, "invited_at": now,
        "joined_at": now if joined else None, "credited": False,
    })
    member = session.scalars(
        select(SwarmMember).where(SwarmMember.swarm_id == swarm_id, SwarmMember.user_id == user_id)
        .execution_options(populate_existing=True)
    ).one()
    if inserted is None and joined and (member.joined_at is None or member.left_at is not None):
        member.joined_at = member.joined_at or now  # someone who left and came back is a member again
        member.left_at = None
        session.flush()
    return member


def record_joiner(sessions: sessionmaker, swarm_id: int, user_id: str) -> None:
    """Someone joins a thread swarm: no channel to join (so no member_joined_channel), a member all the same."""
    with sessions.begin() as session:
        add_member(session, swarm_id, user_id, role=MemberRole.AGENT)


@dataclass(frozen=True, slots=True)
class SwarmRequested:
    """The answer to a request: the swarm is open (`opened`, the asker joins it), or being opened."""

    swarm_id: int
    case: CaseRecord
    opened: OpenedSwarm | None  # None: being opened; the asker is told when it is
    created: bool = False  # this request made the swarm row
    team_id: str = ""  # the workspace it is (being) opened in


def request_swarm(sessions: sessionmaker, cases: CaseSystem, request: OpenRequest) -> SwarmRequested:
    """Find the open swarm of the case, or claim one in `opening` with the asker waiting on it.

    Raises CaseNotFound, CaseClosed, NotAllowed. A swarm already open for the number is found from
    what its row remembers: joining it needs neither the case system (which may be down) nor the right
    to open swarms."""
    with sessions() as session:
        existing = open_swarm_numbered(session, request.team_id, cases.name, request.case_number)
        if existing is not None:
            return SwarmRequested(existing.id, remembered_case(existing), _opened(existing, created=False),
                                  team_id=request.team_id)
    if not request.may_open:
        raise NotAllowed(action="open_swarm")
    case = request.case or cases.get_case(request.case_number)
    swarm_id, created = _claim_swarm(sessions, request.team_id, cases.name, case, request)
    if case.is_closed:
        abandon_opening(sessions, swarm_id)
        with sessions() as session:
            swarm = session.get(Swarm, swarm_id)
            if swarm is None or swarm.status != SwarmStatus.OPEN:
                raise CaseClosed(case=case.number, status=case.status)
    return _wait_for(sessions, swarm_id, case, request, created=created)


def _wait_for(sessions: sessionmaker, swarm_id: int, case: CaseRecord, request: OpenRequest, *,
              created: bool) -> SwarmRequested:
    """Record the asker as waiting, then look again: if the swarm opened meanwhile, take the answer back.

    The opener sweeps waiting requests only after the swarm is open, so a request is either swept by it
    or finds the swarm open here; the conditional UPDATE makes sure exactly one of the two answers it.
    """
    with sessions.begin() as session:
        waiting = SwarmOpenRequest(swarm_id=swarm_id, user_id=request.requester_id, lang=request.lang,
                                   reply_to=request.reply_to)
        session.add(waiting)
        session.flush()
        request_id = waiting.id
    with sessions.begin() as session:
        swarm = session.get_one(Swarm, swarm_id)
        if swarm.status == SwarmStatus.OPEN and claim_request(session, request_id):
            return SwarmRequested(swarm_id, case, _opened(swarm, case=case, created=False), team_id=request.team_id)
    return SwarmRequested(swarm_id, case, None, created=created, team_id=request.team_id)


def claim_request(session: Session, request_id: int) -> bool:
    """Take a waiting request to answer it; False when someone else already did."""
    result = session.execute(
        update(SwarmOpenRequest)
        .where(SwarmOpenRequest.id == request_id, SwarmOpenRequest.state == OpenRequestState.WAITING)
        .values(state=OpenRequestState.TOLD, told_at=utcnow())
    )
    return result.rowcount == 1


def claim_trigger(session: Session, trigger_id: str) -> bool:
    """True the first time a slash command's trigger_id is seen (on any replica); commit to make it stick."""
    key = trigger_id
    if len(key) > TRIGGER_KEY_MAX:  # a forged one: still one row, never a 500
        key = "sha256:" + hashlib.sha256(trigger_id.encode()).hexdigest()
    dialect = session.get_bind().dialect.name
    insert_of = sqlite_insert if dialect == "sqlite" else pg_insert
    inserted = session.execute(insert_of(HandledTrigger).values(trigger_id=key, received_at=utcnow())
                               .on_conflict_do_nothing().returning(HandledTrigger.trigger_id))
    return inserted.scalar() is not None


def open_swarm(sessions: sessionmaker, cases: CaseSystem, workspace: SwarmWorkspace, *, team_id: str,
               case_number: str, requester_id: str, lang: str, may_open: bool = True,
               holder: str = "inline", mode: str = SwarmMode.CHANNEL, team_channel: str = "") -> OpenedSwarm:
    """Request and finish opening in one go (the domain tests' and the CLI's way; the app queues it)."""
    from swarms.opening.finish import finish_opening, save_link, welcome_askers

    requested = request_swarm(sessions, cases, OpenRequest(team_id, case_number, requester_id, lang,
                                                          may_open=may_open, mode=mode, team_channel=team_channel))
    if requested.opened is not None:
        return requested.opened
    opened = finish_opening(sessions, workspace, requested.swarm_id, requested.case, holder=holder)
    if opened is None:
        raise SwarmBeingOpened(case=requested.case.number)
    welcome_askers(sessions, workspace, opened.swarm_id)
    save_link(sessions, workspace, opened.swarm_id, requested.case)
    return OpenedSwarm(opened.swarm_id, opened.team_id, opened.channel_id, opened.channel_name, opened.case,
                       created=requested.created, thread_ts=opened.thread_ts)


def _opened(swarm: Swarm, *, case: CaseRecord | None = None, created: bool) -> OpenedSwarm:
    return opened_swarm(swarm, case or remembered_case(swarm), created=created)


def opened_swarm(swarm: Swarm, case: CaseRecord, *, created: bool) -> OpenedSwarm:
    return OpenedSwarm(swarm.id, swarm.team_id, swarm.channel_id or "", swarm.channel_name, case, created=created,
                       thread_ts=swarm.thread_ts)


def joinable_swarm(sessions: sessionmaker, swarm_id: int, team_id: str) -> OpenedSwarm | None:
    """The open swarm an offer's "Join that swarm" names, if it is still open and of the clicker's workspace.

    A forged id may name another workspace's swarm, or one since closed: neither is joined.
    """
    with sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        if swarm is None or swarm.team_id != team_id or swarm.status != SwarmStatus.OPEN or not swarm.channel_id:
            return None
        return opened_swarm(swarm, remembered_case(swarm), created=False)


def of_workspace(swarm: Swarm, team_id: str) -> Swarm:
    """The swarm, if it is of workspace `team_id`: a button's channel or swarm id can be forged, and another
    workspace's swarm is refused, whoever clicks."""
    if swarm.team_id != team_id:
        raise SwarmOfAnotherWorkspace()
    return swarm


def open_swarm_numbered(session: Session, team_id: str, case_system: str, case_number: str) -> Swarm | None:
    return session.scalar(
        select(Swarm).where(Swarm.team_id == team_id, Swarm.case_system == case_system,
                            Swarm.case_number == case_number.strip(), Swarm.status == SwarmStatus.OPEN,
                            Swarm.channel_id.is_not(None))
    )


def live_swarm_numbered(session: Session, team_id: str, case_system: str, case_number: str) -> Swarm | None:
    """The newest swarm of the number still opening or open (None: never asked for, or abandoned)."""
    return session.scalar(
        select(Swarm).where(Swarm.team_id == team_id, Swarm.case_system == case_system,
                            Swarm.case_number == case_number.strip(),
                            Swarm.status.in_([SwarmStatus.OPENING, SwarmStatus.OPEN]))
        .order_by(Swarm.id.desc()).limit(1)
    )


def remembered_case(swarm: Swarm) -> CaseRecord:
    """What the swarm row remembers of its case: enough to name it and link to it."""
    return CaseRecord(key=swarm.case_key, number=swarm.case_number, subject=swarm.case_subject,
                      product=swarm.case_product, url=swarm.case_url)


def _claim_swarm(sessions: sessionmaker, team_id: str, system: str, case: CaseRecord,
                 request: OpenRequest) -> tuple[int, bool]:
    """The live swarm of the case, or a new one in `opening`; the unique index settles races.

    A thread swarm knows its channel from the start (the team channel); a channel swarm gets one later."""
    in_thread = request.mode == SwarmMode.THREAD
    try:
        with sessions.begin() as session:
            existing = find_live_swarm(session, team_id, system, case.key)
            if existing is not None:
                return existing.id, False
            swarm = Swarm(team_id=team_id, case_system=system, case_key=case.key, case_number=case.number,
                          case_subject=case.subject[:255], case_url=case.url, case_product=case.product[:255],
                          opened_by=request.requester_id, language=request.lang, mode=request.mode,
                          channel_id=request.team_channel if in_thread else None,
                          channel_name=request.team_channel_name[:80] if in_thread else "")
            session.add(swarm)
            session.flush()
            return swarm.id, True
    except IntegrityError:
        with sessions() as session:  # another request claimed it between our select and insert
            existing = find_live_swarm(session, team_id, system, case.key)
            if existing is None:
                raise
            return existing.id, False


def abandon_opening(sessions: sessionmaker, swarm_id: int) -> None:
    """A closed case gets no swarm; a row that made nothing in Slack yet (no channel asked for, no card) goes."""
    made_nothing = or_(
        and_(Swarm.mode == SwarmMode.CHANNEL, Swarm.channel_id.is_(None), Swarm.channel_requested.is_(None)),
        and_(Swarm.mode == SwarmMode.THREAD, Swarm.card_ts.is_(None), Swarm.card_requested_at.is_(None)),
    )
    with sessions.begin() as session:
        session.execute(delete(Swarm).where(Swarm.id == swarm_id, Swarm.status == SwarmStatus.OPENING, made_nothing))
