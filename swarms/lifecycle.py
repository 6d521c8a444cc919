"""Opening a swarm: a flow of small committed steps, so a crash half-way is healed by the next try.

Each step records what it achieved (channel id, card ts, link saved) in its own transaction before the
next Slack call. Running the flow again for the same case resumes from the first step not recorded,
and the database's one-live-swarm-per-case index makes a replayed `/swarm` find the same swarm.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from swarms.case_systems.base import CaseRecord, CaseSystem
from swarms.db import utcnow
from swarms.errors import CaseClosed, NotAllowed
from swarms.models import MemberRole, Swarm, SwarmMember, SwarmStatus
from swarms.ports import SwarmWorkspace

log = logging.getLogger(__name__)

CHANNEL_NAME_MAX = 80
_NOT_ALLOWED_IN_NAME = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class OpenedSwarm:
    swarm_id: int
    channel_id: str
    channel_name: str
    case: CaseRecord
    created: bool  # False: the case already had a live swarm, which is returned instead


def channel_name_for(case_number: str, subject: str, *, max_length: int = CHANNEL_NAME_MAX) -> str:
    """`swarm-<number>-<subject slug>` in Slack's alphabet (lower case, digits, - and _), ≤ 80.

    Non-Latin subjects (Korean) fall back to the number alone: Slack's documented alphabet is ASCII,
    and the subject is on the card and in the channel purpose anyway.
    """
    number = _slug(case_number) or "case"
    base = f"swarm-{number}"
    words = _slug(subject).split("-")
    name = base
    for word in words:
        if not word:
            continue
        candidate = f"{name}-{word}"
        if len(candidate) > max_length - 4:  # room for a "-2" style suffix on a clash
            break
        name = candidate
    return name[:max_length]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_ALLOWED_IN_NAME.sub("-", ascii_text).strip("-_")


def swarm_marker(case_system: str, case_key: str, swarm_id: int) -> str:
    """Written into the channel's purpose so a channel we created can be recognised after a crash.

    It names the swarm, not just the case: a reopened case gets a new swarm and a new channel.
    """
    return f"case-swarm:{case_system}:{case_key}:{swarm_id}"


def find_live_swarm(session: Session, case_system: str, case_key: str) -> Swarm | None:
    return session.scalar(
        select(Swarm).where(
            Swarm.case_system == case_system,
            Swarm.case_key == case_key,
            Swarm.status.in_([SwarmStatus.OPENING, SwarmStatus.OPEN]),
        )
    )


def find_swarm_by_channel(session: Session, channel_id: str) -> Swarm | None:
    return session.scalar(select(Swarm).where(Swarm.channel_id == channel_id))


def add_member(session: Session, swarm_id: int, user_id: str, *, role: str, invited_by: str | None = None,
               joined: bool = True) -> SwarmMember:
    """Record a member once; a second call updates nothing but a missing join time."""
    member = session.scalar(
        select(SwarmMember).where(SwarmMember.swarm_id == swarm_id, SwarmMember.user_id == user_id)
    )
    now = utcnow()
    if member is None:
        member = SwarmMember(swarm_id=swarm_id, user_id=user_id, role=role, invited_by=invited_by,
                             invited_at=now, joined_at=now if joined else None)
        session.add(member)
    elif joined and (member.joined_at is None or member.left_at is not None):
        member.joined_at = member.joined_at or now  # someone who left and came back is a member again
        member.left_at = None
    session.flush()
    return member


def open_swarm(
    sessions: sessionmaker,
    cases: CaseSystem,
    workspace: SwarmWorkspace,
    *,
    case_number: str,
    requester_id: str,
    lang: str,
    may_open: bool = True,
) -> OpenedSwarm:
    """Open (or find, or finish opening) the swarm for a case. Raises CaseNotFound, CaseClosed, ...

    A swarm already open for the number is found first, from what its row remembers: joining it needs
    neither the case system (which may be down) nor the right to open swarms (`may_open`)."""
    with sessions() as session:
        existing = _open_swarm_numbered(session, cases.name, case_number)
        if existing is not None:
            return OpenedSwarm(existing.id, existing.channel_id or "", existing.channel_name,
                               remembered_case(existing), created=False)
    if not may_open:
        raise NotAllowed(action="open_swarm")
    case = cases.get_case(case_number)
    swarm_id, created = _claim_swarm(sessions, cases.name, case, requester_id, lang)
    with sessions() as session:
        swarm = session.get_one(Swarm, swarm_id)
    if swarm.status == SwarmStatus.OPEN:
        return OpenedSwarm(swarm.id, swarm.channel_id or "", swarm.channel_name, case, created=False)
    if case.is_closed:
        _abandon(sessions, swarm_id)
        raise CaseClosed(case=case.number, status=case.status)
    swarm = _finish_opening(sessions, workspace, swarm, case, requester_id)
    return OpenedSwarm(swarm.id, swarm.channel_id or "", swarm.channel_name, case, created=created)


def _open_swarm_numbered(session: Session, case_system: str, case_number: str) -> Swarm | None:
    return session.scalar(
        select(Swarm).where(Swarm.case_system == case_system, Swarm.case_number == case_number.strip(),
                            Swarm.status == SwarmStatus.OPEN, Swarm.channel_id.is_not(None))
    )


def remembered_case(swarm: Swarm) -> CaseRecord:
    """What the swarm row remembers of its case: enough to name it and link to it."""
    return CaseRecord(key=swarm.case_key, number=swarm.case_number, subject=swarm.case_subject,
                      product=swarm.case_product, url=swarm.case_url)


def _claim_swarm(sessions: sessionmaker, system: str, case: CaseRecord, requester_id: str,
                 lang: str) -> tuple[int, bool]:
    """The live swarm of the case, or a new one in `opening`; the unique index settles races."""
    try:
        with sessions.begin() as session:
            existing = find_live_swarm(session, system, case.key)
            if existing is not None:
                return existing.id, False
            swarm = Swarm(case_system=system, case_key=case.key, case_number=case.number,
                          case_subject=case.subject[:255], case_url=case.url, case_product=case.product[:255],
                          opened_by=requester_id, language=lang)
            session.add(swarm)
            session.flush()
            return swarm.id, True
    except IntegrityError:
        with sessions() as session:  # another request claimed it between our select and insert
            existing = find_live_swarm(session, system, case.key)
            if existing is None:
                raise
            return existing.id, False


def _abandon(sessions: sessionmaker, swarm_id: int) -> None:
    """A closed case gets no swarm; a row that never got a channel is removed, not left half-made."""
    with sessions.begin() as session:
        swarm = session.get_one(Swarm, swarm_id)
        if swarm.channel_id is None:
            session.delete(swarm)


def _finish_opening(sessions: sessionmaker, workspace: SwarmWorkspace, swarm: Swarm, case: CaseRecord,
                    requester_id: str) -> Swarm:
    if swarm.channel_id is None:
        channel = workspace.create_private_channel(
            channel_name_for(case.number, case.subject), marker=swarm_marker(swarm.case_system, case.key, swarm.id)
        )
        swarm = _update(sessions, swarm.id, channel_id=channel.id, channel_name=channel.name)
        if channel.adopted:
            log.info("swarm %s: adopted channel %s left by an earlier attempt", swarm.id, channel.id)
    channel_id = swarm.channel_id or ""
    outcome = workspace.invite(channel_id, [requester_id])
    if requester_id in outcome.invited or requester_id in outcome.already_members:
        with sessions.begin() as session:
            add_member(session, swarm.id, requester_id, role=MemberRole.OWNER, invited_by=requester_id)
    if swarm.card_ts is None:
        card_ts = workspace.post_case_card(channel_id, case, swarm_id=swarm.id, lang=swarm.language)
        swarm = _update(sessions, swarm.id, card_ts=card_ts)
    if not swarm.link_saved:
        workspace.save_case_link(channel_id, case, card_ts=swarm.card_ts or "", lang=swarm.language)
        swarm = _update(sessions, swarm.id, link_saved=True)
    return _update(sessions, swarm.id, status=SwarmStatus.OPEN, last_activity_at=utcnow())


def _update(sessions: sessionmaker, swarm_id: int, **values: object) -> Swarm:
    with sessions.begin() as session:
        swarm = session.get_one(Swarm, swarm_id)
        for name, value in values.items():
            setattr(swarm, name, value)
        session.flush()
        return swarm
