"""Closing, drafting, archiving and reopening as flows: the domain decides what happens, in small committed
steps, and tells the workspace through `KnowledgePort` (the bot implements it with Slack and the scheduler).

Called from the listeners (`/swarm close`, the Close modal), the case-change hook (a case closed or reopened in
the case system), the jobs (the reopen poll, a draft tried again) and the claimed work queue (the archive,
queued with the close in its transaction as `ARCHIVE_CHANNEL`, run by whichever process finds it due).

The draft review comes after the closing summary, which promises it "follows here": its post is queued work
(`POST_DRAFT`) in the order of the swarm's place, queued after the summary's post, so it waits for it on
whichever process runs it, however long Slack makes the summary wait (the work queue's order key). If Slack
gives up on the summary, the draft is posted without it: the draft is the closing's work, the summary only
its notice. A draft whose swarm was reopened
before its turn is not posted (its closing is over); closing again drafts and posts it afresh.

The archive comes last: queued with the close but held back until the draft's review is posted (which
makes it due at SWARM_ARCHIVE_DAYS after the close), so `SWARM_ARCHIVE_DAYS=0` cannot archive the channel
before the draft is in it; a draft that never comes holds it back ARCHIVE_WAITS_FOR_DRAFT at most.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from swarms.case_systems.base import CaseSystem, CaseSystemError
from swarms.db import utcnow
from swarms.jobs.claimed_work import enqueue, reschedule
from swarms.knowledge.closing import (
    ArchiveTarget,
    ClosedSwarm,
    CloseRequest,
    CloseSource,
    ReopenedSwarm,
    SwarmAlreadyClosed,
    archive_key,
    archive_target,
    check_reopened,
    close_swarm,
    current_closing,
    mark_archived,
    reopen_swarm,
    swarms_awaiting_archive,
)
from swarms.knowledge.drafts import Redraft, draft_of_swarm, get_draft, redraft, swarms_without_posted_draft
from swarms.models import Swarm, SwarmStatus
from swarms.permissions import Permissions

log = logging.getLogger(__name__)
ARCHIVE_CHANNEL = "knowledge.archive_channel"  # claimed work, due SWARM_ARCHIVE_DAYS after the close
POST_DRAFT = "knowledge.post_draft"  # claimed work: the draft review, after the closing summary
DRAFT_RETRY = timedelta(minutes=5)  # the case could not be read for the draft: try again this much later
ARCHIVE_WAITS_FOR_DRAFT = timedelta(hours=1)  # past its due time, the archive waits this long for the draft


class KnowledgePort(Protocol):
    """What the flows need from outside: the chat workspace, the outbox and the scheduler."""

    def case_owner_ids(self, team_id: str, case_number: str) -> frozenset[str]:
        """The workspace ids of the case's owner, where the case system names one the workspace knows."""
        ...

    def deliver_notes_now(self) -> None:
        """Send what the outbox holds now (the closing note last), so the case is complete when people look."""
        ...

    def announce_closed(self, closed: ClosedSwarm) -> None:
        """The closing summary in the channel and the case card marked closed; failures are only logged."""
        ...

    def announce_reopened(self, reopened: ReopenedSwarm) -> None: ...

    def archive_channel(self, target: ArchiveTarget) -> None:
        """Archive at the workspace's pace; a channel already archived or gone counts as done, a refusal
        raises (a call that may not go yet raises what the work queue puts back for later)."""
        ...

    def post_draft(self, draft_id: int, *, reupload: bool = False) -> None:
        """Post the draft for review (or update its message)."""
        ...

    def queue_draft_post(self, team_id: str, draft_id: int, *, closing: str, reupload: bool = False) -> None:
        """`post_draft` as queued work, in the order of the swarm's place (so after the closing's summary,
        queued before it); any process runs it (`post_draft_of_closing`)."""
        ...

    def say_draft_is_behind(self, draft_id: int, what: Redraft) -> None:
        """The draft could not follow the channel: a reviewer's edits, or it left for the knowledge base."""
        ...

    def say_drafting_failed(self, team_id: str, channel_id: str, thread_ts: str | None, lang: str,
                            case_number: str, error: str) -> None: ...

    def place_url(self, team_id: str, channel_id: str, thread_ts: str | None) -> str:
        """A link to where the swarm talked (its channel, or a thread swarm's thread) for the article's sources
        ("" when unknown)."""
        ...

    def draft_later(self, swarm_id: int, *, refresh: bool = False, restart: bool = False) -> None:
        """Run `draft_and_post` off the caller's thread; a restart before it ends is healed by `heal`."""
        ...

    def plan_draft(self, swarm_id: int, run_at: datetime) -> None: ...


# ---------------------------------------------------------------- closing and reopening


def case_owners_for_close(sessions: sessionmaker, port: KnowledgePort, permissions: Permissions, swarm_id: int,
                          user_id: str) -> frozenset[str]:
    """The case owners' ids the close check needs: none for whoever may close without them (the swarm's
    owner, an admin), so they cost no workspace call. Asked outside any session: on SQLite every
    transaction holds the write lock."""
    with sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        if swarm is None:
            return frozenset()
        owner, case_number, team_id = swarm.opened_by, swarm.case_number, swarm.team_id
    if permissions.can_close_swarm(user_id, swarm_owner=owner):
        return frozenset()
    return port.case_owner_ids(team_id, case_number)


def close_and_announce(sessions: sessionmaker, port: KnowledgePort, request: CloseRequest, *,
                       permissions: Permissions, case_system: str, archive_delay: timedelta) -> ClosedSwarm:
    """Close in one transaction with its archive queued, then the slow parts: flush notes, tell the channel, draft."""
    with sessions.begin() as session:
        closed = close_swarm(session, request, permissions=permissions, case_system=case_system,
                             archive_delay=archive_delay)
        if closed.archive_due_at is not None:
            # with the close, or not at all; held back until the draft is posted (release_archive)
            queue_archive(session, closed.swarm_id, closed.archive_due_at, after_draft=True)
    port.deliver_notes_now()
    port.announce_closed(closed)
    port.draft_later(closed.swarm_id, restart=True)  # closed again after a reopening: a fresh draft
    return closed


def reopen_and_announce(sessions: sessionmaker, port: KnowledgePort, swarm_id: int) -> bool:
    with sessions.begin() as session:
        reopened = reopen_swarm(session, swarm_id)
    if reopened is None:
        return False  # the archive queued at closing finds the swarm open again and does nothing
    port.announce_reopened(reopened)
    return True


def follow_case_status(sessions: sessionmaker, cases: CaseSystem, port: KnowledgePort, swarm_id: int,
                       case_number: str, *, permissions: Permissions, archive_delay: timedelta) -> None:
    """The case closed in the case system closes its swarm; a reopened case keeps the channel."""
    if cases.is_closed(case_number):
        with contextlib.suppress(SwarmAlreadyClosed):
            close_and_announce(sessions, port, CloseRequest(swarm_id, "", CloseSource.CASE_SYSTEM),
                               permissions=permissions, case_system=cases.name, archive_delay=archive_delay)
    else:
        reopen_and_announce(sessions, port, swarm_id)


def poll_reopened(sessions: sessionmaker, cases: CaseSystem, port: KnowledgePort) -> list[int]:
    """Closed swarms whose case the case system reopened are open again; one failing does not stop the rest."""
    reopened = check_reopened(sessions, cases)
    for swarm_id in reopened:
        try:
            reopen_and_announce(sessions, port, swarm_id)
        except Exception:
            log.exception("reopening swarm %s failed", swarm_id)
    return reopened


# ---------------------------------------------------------------- archive


def queue_archive(session: Session, swarm_id: int, due: datetime, *, after_draft: bool) -> None:
    """The archive as claimed work (one per closing, by key), in the swarm's workspace: any process runs it once
    it is due.

    `after_draft`: the draft is still to be posted; until `release_archive` says it is, the archive is
    due only ARCHIVE_WAITS_FOR_DRAFT after `due`."""
    key = archive_key(swarm_id, due)
    team_id = session.scalar(select(Swarm.team_id).where(Swarm.id == swarm_id)) or ""
    enqueue(session, ARCHIVE_CHANNEL, {"swarm_id": swarm_id}, team_id=team_id, key=key,
            due_at=due + ARCHIVE_WAITS_FOR_DRAFT if after_draft else due)
    if not after_draft:
        reschedule(session, key, due)  # queued before, held back for a draft posted since


def release_archive(sessions: sessionmaker, swarm_id: int) -> None:
    """The draft's review is in the channel: the closing's archive is due at its own time now."""
    with sessions.begin() as session:
        due = session.scalar(select(Swarm.archive_due_at).where(Swarm.id == swarm_id,
                                                                Swarm.status == SwarmStatus.CLOSED))
        if due is not None:
            reschedule(session, archive_key(swarm_id, due), due)


def archive_when_due(sessions: sessionmaker, port: KnowledgePort, swarm_id: int, *,
                     now: datetime | None = None) -> bool:
    """Archive the channel if it is due (run by the claimed work, so by one process); False when there is
    nothing to archive: reopened, archived by hand, or closed again since with a later archive of its own.

    No goodbye is posted: the closing summary said when the channel would be archived, and Slack shows who
    archived it."""
    with sessions() as session:
        target = archive_target(session, swarm_id, now=now or utcnow())
    if target is None:
        return False
    if not target.thread_ts:  # a thread of a team channel: its reopening window ends, nothing to archive
        port.archive_channel(target)
    with sessions.begin() as session:
        mark_archived(session, swarm_id)
    return True


# ---------------------------------------------------------------- the draft


def heal(sessions: sessionmaker, port: KnowledgePort) -> None:
    """After a restart: finish drafts it interrupted; queue the archives of swarms closed before archives were
    claimed work (their scheduler jobs are gone), once each, by key."""
    with sessions() as session:
        undrafted = swarms_without_posted_draft(session)
    with sessions.begin() as session:
        for swarm_id, due in swarms_awaiting_archive(session):
            queue_archive(session, swarm_id, due, after_draft=swarm_id in undrafted)
    for swarm_id in undrafted:
        port.draft_later(swarm_id)


def after_note_change(sessions: sessionmaker, port: KnowledgePort, swarm_id: int) -> None:
    """A note edited or deleted after its swarm closed: the draft must not keep the old words."""
    with sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        drafted = swarm is not None and swarm.status != SwarmStatus.OPEN and draft_of_swarm(session, swarm_id)
    if drafted:
        port.draft_later(swarm_id, refresh=True)


def draft_and_post(sessions: sessionmaker, cases: CaseSystem, port: KnowledgePort, swarm_id: int, *,
                   exporter: Any = None, phone_region: str = "", refresh: bool = False,
                   restart: bool = False) -> int | None:
    """Draft (unless done before), then queue its review post, after the closing summary, in the swarm channel.

    `refresh`: a note changed after closing; `restart`: the swarm closed again (see `store_draft`);
    `exporter`: where similar published articles are looked up (None: drafted without them)."""
    with sessions() as session:
        swarm = session.get_one(Swarm, swarm_id)
        channel_id, lang, case_number = swarm.channel_id or "", swarm.language, swarm.case_number
        thread_ts, team_id = swarm.thread_ts, swarm.team_id
        closing = current_closing(session, swarm_id)
        draft_id = draft_of_swarm(session, swarm_id)
        posted = draft_id is not None and get_draft(session, draft_id).message_ts
    if posted and not (refresh or restart):
        release_archive(sessions, swarm_id)
        return draft_id
    try:
        draft_id, what = redraft(sessions, cases, swarm_id, exporter=exporter,
                                 channel_url=port.place_url(team_id, channel_id, thread_ts) if channel_id else "",
                                 refresh=refresh, restart=restart, phone_region=phone_region)
    except CaseSystemError as exc:  # its contact names are needed for redaction: say so, try again later
        port.say_drafting_failed(team_id, channel_id, thread_ts, lang, case_number, str(exc))
        port.plan_draft(swarm_id, utcnow() + DRAFT_RETRY)
        return None
    if what in (Redraft.KEPT_EDITED, Redraft.OUT_OF_REACH):
        port.say_draft_is_behind(draft_id, what)
    elif what != Redraft.UNCHANGED and closing is not None:  # reopened: posted when it closes again
        port.queue_draft_post(team_id, draft_id, closing=closing, reupload=what == Redraft.REFRESHED)
        return draft_id  # the archive is released once the review is posted
    release_archive(sessions, swarm_id)
    return draft_id


def post_draft_of_closing(sessions: sessionmaker, port: KnowledgePort, draft_id: int, closing: str, *,
                          reupload: bool = False) -> bool:
    """The queued draft post, its closing's summary out (or given up): post it, then let the archive come.
    False, posting nothing, when that closing is over (the swarm reopened, or closed again with its own post)."""
    with sessions() as session:
        swarm_id = get_draft(session, draft_id).swarm_id
        current = current_closing(session, swarm_id)
    if current != closing:
        log.info("draft %s: its swarm was reopened before the review was posted; not posted", draft_id)
        return False
    port.post_draft(draft_id, reupload=reupload)
    release_archive(sessions, swarm_id)
    return True
