"""Finishing a swarm's opening: claimed, so N replicas (or a replayed command) make one channel, one card.

The opening is held by one process at a time through a lease on the swarm row (a conditional UPDATE);
a holder that dies loses it when the lease runs out, and the next one carries on. Each step with a
side effect in Slack is recorded as *asked for* before its call (the channel name, the card), so a
resumed opening adopts what an interrupted call may have made instead of making it twice, and only
then looks it up in Slack: an uninterrupted opening never lists channels nor reads history.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import sessionmaker

from swarms.case_systems.base import CaseRecord
from swarms.db import utcnow
from swarms.errors import NoFreeChannelName
from swarms.models import MemberRole, Swarm, SwarmMode, SwarmStatus
from swarms.opening.lifecycle import (
    CHANNEL_NAME_MAX,
    OpenedSwarm,
    abandon_opening,
    add_member,
    channel_name_for,
    opened_swarm,
)
from swarms.opening.models import OpenRequestState, SwarmOpenRequest
from swarms.ports import NameRefused, NameTaken, SwarmWorkspace, WorkspaceRefused

log = logging.getLogger(__name__)
OPENING_LEASE = timedelta(seconds=60)
CARD_CLOCK_SLACK = timedelta(minutes=2)  # our clock against Slack's ts, when looking for an interrupted card
NAME_SUFFIXES = 20


class OpeningTakenOver(Exception):
    """Our lease ran out and another process holds the opening now: stop, it carries on."""


@dataclass(frozen=True, slots=True)
class WaitingAsker:
    user_id: str
    lang: str
    reply_to: str


def new_holder() -> str:
    """A name for one attempt at an opening (process and attempt), stored in the lease."""
    return uuid.uuid4().hex


def finish_opening(sessions: sessionmaker, workspace: SwarmWorkspace, swarm_id: int, case: CaseRecord, *,
                   holder: str, lease: timedelta = OPENING_LEASE) -> OpenedSwarm | None:
    """Open the swarm (channel, card, owner): None when another holder has it, or it is not opening any more.

    A thread swarm has its channel already (the team channel): its card is the thread's parent, and nobody
    is invited anywhere. Whoever else asked meanwhile is invited and told by `welcome_askers`, once open."""
    if not _take_lease(sessions, swarm_id, holder, lease):
        return None
    steps = _Steps(sessions, workspace, swarm_id, holder, lease)
    try:
        swarm = steps.channel(case)
        swarm = steps.card(swarm, case)
        steps.invite([swarm.opened_by], owner=swarm.opened_by)
        swarm = steps.record(status=SwarmStatus.OPEN, last_activity_at=utcnow())
    except OpeningTakenOver:
        log.info("swarm %s: the opening was taken over by another holder", swarm_id)
        return None
    finally:
        _release(sessions, swarm_id, holder)
    return opened_swarm(swarm, case, created=True)


def welcome_askers(sessions: sessionmaker, workspace: SwarmWorkspace, swarm_id: int) -> tuple[WaitingAsker, ...]:
    """Invite everyone waiting on an open swarm (one call), then take them (each told once): tell them.

    Invited before taken: if Slack refuses the invite, they are still waiting for the next try."""
    with sessions() as session:
        swarm = session.get_one(Swarm, swarm_id)
        waiting = session.scalars(select(SwarmOpenRequest.user_id).where(
            SwarmOpenRequest.swarm_id == swarm_id, SwarmOpenRequest.state == OpenRequestState.WAITING)).all()
    if swarm.status != SwarmStatus.OPEN or not waiting:
        return ()
    others = [u for u in dict.fromkeys(waiting) if u != swarm.opened_by]
    if others:
        # A thread swarm's askers typed /swarm in its team channel or have its link: members without an invite.
        joined = others if swarm.in_thread else _invited(workspace, swarm.channel_id or "", others)
        with sessions.begin() as session:
            for user_id in joined:
                add_member(session, swarm.id, user_id, role=MemberRole.AGENT, invited_by=swarm.opened_by)
    return _take_askers(sessions, swarm_id)


def give_up_thread_opening(sessions: sessionmaker, swarm_id: int) -> tuple[WaitingAsker, ...]:
    """Slack refused a thread swarm's card for good (the bot was removed from the channel, or it was archived):
    the askers, each taken once to be told why, and the row removed, so a later /swarm starts afresh."""
    askers = _take_askers(sessions, swarm_id)
    abandon_opening(sessions, swarm_id)
    return askers


def _invited(workspace: SwarmWorkspace, channel_id: str, user_ids: list[str]) -> tuple[str, ...]:
    outcome = workspace.invite(channel_id, user_ids)
    return (*outcome.invited, *outcome.already_members)


def _take_askers(sessions: sessionmaker, swarm_id: int) -> tuple[WaitingAsker, ...]:
    with sessions.begin() as session:
        waiting = session.scalars(
            select(SwarmOpenRequest).where(SwarmOpenRequest.swarm_id == swarm_id,
                                           SwarmOpenRequest.state == OpenRequestState.WAITING)
            .order_by(SwarmOpenRequest.id)
        ).all()
        taken = []
        for request in waiting:
            result = session.execute(
                update(SwarmOpenRequest)
                .where(SwarmOpenRequest.id == request.id, SwarmOpenRequest.state == OpenRequestState.WAITING)
                .values(state=OpenRequestState.TOLD, told_at=utcnow())
            )
            if result.rowcount == 1:
                taken.append(WaitingAsker(request.user_id, request.lang, request.reply_to))
        return tuple(taken)


def save_link(sessions: sessionmaker, workspace: SwarmWorkspace, swarm_id: int, case: CaseRecord) -> bool:
    """Bookmark the case link once: claimed before the call (a lost bookmark beats two; the card links too).

    Never in a thread swarm: a bookmark or pin in the team channel would outlive the swarm; the card links."""
    with sessions.begin() as session:
        claimed = session.execute(
            update(Swarm).where(Swarm.id == swarm_id, Swarm.link_saved.is_(False), Swarm.card_ts.is_not(None),
                                Swarm.mode == SwarmMode.CHANNEL)
            .values(link_saved=True)
        ).rowcount == 1
        swarm = session.get_one(Swarm, swarm_id)
    if not claimed:
        return False
    try:
        workspace.save_case_link(swarm.channel_id or "", case, card_ts=swarm.card_ts or "", lang=swarm.language)
    except WorkspaceRefused:
        with sessions.begin() as session:  # Slack made nothing: let the next try ask again
            session.execute(update(Swarm).where(Swarm.id == swarm_id).values(link_saved=False))
        raise
    return True


def _take_lease(sessions: sessionmaker, swarm_id: int, holder: str, lease: timedelta) -> bool:
    now = utcnow()
    with sessions.begin() as session:
        result = session.execute(
            update(Swarm)
            .where(Swarm.id == swarm_id, Swarm.status == SwarmStatus.OPENING,
                   or_(Swarm.opening_holder.is_(None), Swarm.opening_holder == holder,
                       Swarm.opening_lease_until < now))
            .values(opening_holder=holder, opening_lease_until=now + lease)
        )
        return result.rowcount == 1


def _release(sessions: sessionmaker, swarm_id: int, holder: str) -> None:
    with sessions.begin() as session:
        session.execute(update(Swarm).where(Swarm.id == swarm_id, Swarm.opening_holder == holder)
                        .values(opening_holder=None, opening_lease_until=None))


@dataclass
class _Steps:
    sessions: sessionmaker
    workspace: SwarmWorkspace
    swarm_id: int
    holder: str
    lease: timedelta

    def record(self, *conditions, **values: object) -> Swarm:
        """Write `values` if we still hold the opening (and `conditions` hold); renew the lease."""
        with self.sessions.begin() as session:
            result = session.execute(
                update(Swarm)
                .where(Swarm.id == self.swarm_id, Swarm.opening_holder == self.holder, *conditions)
                .values(**values, opening_lease_until=utcnow() + self.lease)
            )
            if result.rowcount != 1:
                raise OpeningTakenOver(self.swarm_id)
            return session.get_one(Swarm, self.swarm_id, populate_existing=True)

    def current(self) -> Swarm:
        with self.sessions() as session:
            return session.get_one(Swarm, self.swarm_id)

    def channel(self, case: CaseRecord) -> Swarm:
        swarm = self.current()
        if swarm.channel_id is not None or swarm.mode == SwarmMode.THREAD:
            return swarm
        if swarm.channel_requested:  # an interrupted attempt asked Slack for it: it may exist
            found = self.workspace.find_private_channel(swarm.channel_requested)
            if found is not None and not self._held_by_another_swarm(found.id):
                log.info("swarm %s: adopted channel %s of an interrupted opening", swarm.id, found.id)
                return self.record(channel_id=found.id, channel_name=found.name)
        bases = dict.fromkeys([channel_name_for(case.number, case.subject, ascii_only=ascii_only)
                               for ascii_only in (self.workspace.ascii_channel_names, True)])
        for base in bases:  # the subject's own letters, then ASCII if Slack refuses them
            for name in _names(base):
                self.record(channel_requested=name)  # asked for before the call: a crash now is adopted later
                try:
                    channel = self.workspace.create_private_channel(name)
                except NameTaken:
                    continue
                except NameRefused:
                    break
                except WorkspaceRefused:
                    self.record(channel_requested=None)  # Slack made nothing: the next try needs no lookup
                    raise
                return self.record(channel_id=channel.id, channel_name=channel.name)
        raise NoFreeChannelName(case=case.number)

    def _held_by_another_swarm(self, channel_id: str) -> bool:
        with self.sessions() as session:
            owner = session.scalar(select(Swarm.id).where(Swarm.channel_id == channel_id,
                                                          Swarm.mode == SwarmMode.CHANNEL))
            return owner is not None and owner != self.swarm_id

    def card(self, swarm: Swarm, case: CaseRecord) -> Swarm:
        if swarm.card_ts is not None:
            return swarm
        channel_id = swarm.channel_id or ""
        if swarm.card_requested_at is not None:  # an interrupted attempt may have posted it
            # In a busy team channel the card is not among the first messages: look from when it was asked.
            since = swarm.card_requested_at - CARD_CLOCK_SLACK if swarm.in_thread else None
            found = self.workspace.find_case_card(channel_id, swarm_id=swarm.id, since=since)
            if found is not None:
                return self._card_at(swarm, found)
        self.record(card_requested_at=utcnow())
        try:
            card_ts = self.workspace.post_case_card(channel_id, case, swarm_id=swarm.id, lang=swarm.language,
                                                    in_thread=swarm.in_thread)
        except WorkspaceRefused:
            self.record(card_requested_at=None)
            raise
        return self._card_at(swarm, card_ts)

    def _card_at(self, swarm: Swarm, card_ts: str) -> Swarm:
        """A thread swarm's place is the card's thread: its thread_ts is the card's ts, recorded with it."""
        return self.record(card_ts=card_ts, thread_ts=card_ts if swarm.in_thread else None)

    def invite(self, user_ids: list[str], *, owner: str) -> None:
        if not user_ids:
            return
        swarm = self.current()
        # The owner of a thread swarm typed /swarm in its team channel: already there.
        joined = user_ids if swarm.in_thread else _invited(self.workspace, swarm.channel_id or "", user_ids)
        with self.sessions.begin() as session:
            for user_id in joined:
                role = MemberRole.OWNER if user_id == owner else MemberRole.AGENT
                add_member(session, swarm.id, user_id, role=role, invited_by=owner)


def _names(base: str) -> Iterator[str]:
    """The name, then `-2`, `-3`… within Slack's 80 characters, for `name_taken`."""
    yield base
    for n in range(2, NAME_SUFFIXES + 1):
        suffix = f"-{n}"
        yield f"{base[: CHANNEL_NAME_MAX - len(suffix)]}{suffix}"
