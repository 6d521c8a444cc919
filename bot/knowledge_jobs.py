"""Flows of closing and the knowledge draft, shared by the listeners, the case-change hook and the jobs
(bot.jobs: `swarm-archive:<id>`, `knowledge-draft:<id>`, `knowledge-reopen-poll`).

Flows: close and announce (summary, card, archive plan, draft), reopen, draft and post.
"""

from __future__ import annotations

import contextlib
import logging

from slack_sdk.errors import SlackApiError

from bot import jobs
from bot.errors import system_name
from bot.i18n.catalog import t
from bot.services import AppServices
from bot.views.case_card import case_card_blocks, case_card_text, closed_card_from_posted
from bot.views.knowledge import card_closed_line, closed_message
from bot.views.knowledge_review import draft_message
from swarms.case_systems.base import CaseSystemError
from swarms.db import utcnow
from swarms.jobs.scheduling import SafeScheduler
from swarms.knowledge.closing import (
    ClosedSwarm,
    CloseRequest,
    CloseSource,
    SwarmAlreadyClosed,
    check_reopened,
    claim_archive,
    close_swarm,
    flush_notes,
    mark_archived,
    reopen_swarm,
    swarms_awaiting_archive,
)
from swarms.knowledge.drafts import (
    Redraft,
    case_record_of,
    draft_of_swarm,
    get_draft,
    record_post,
    redraft,
    swarms_without_posted_draft,
)
from swarms.knowledge.models import KnowledgeDraft
from swarms.models import Swarm, SwarmStatus

log = logging.getLogger(__name__)
ARCHIVED_ALREADY = frozenset({"already_archived"})
GONE = frozenset({"channel_not_found", "is_archived"})


def on_lead(services: AppServices, scheduler: SafeScheduler) -> None:
    """Finish drafts a restart interrupted, re-plan archives, start the reopen poll."""
    with services.sessions() as session:
        undrafted = swarms_without_posted_draft(session)
    for swarm_id in undrafted:
        services.executor.submit(_draft_quietly, services, swarm_id)
    with services.sessions() as session:
        planned = swarms_awaiting_archive(session)
    for swarm_id, due in planned:
        jobs.plan_archive(scheduler, swarm_id, due, unless_planned=True)
    jobs.plan_reopen_poll(services, scheduler)


# ---------------------------------------------------------------- closing and reopening


def case_owners_for_close(services: AppServices, swarm_id: int, user_id: str) -> frozenset[str]:
    """The case owners' Slack ids the close check needs: none for whoever may close without them (the swarm's
    owner, an admin), so they cost no Slack call. Never inside a session: on SQLite every transaction holds
    the write lock."""
    with services.sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        if swarm is None:
            return frozenset()
        owner, case_number = swarm.opened_by, swarm.case_number
    if services.permissions.can_close_swarm(user_id, swarm_owner=owner):
        return frozenset()
    return case_owner_ids(services, case_number)


def case_owner_ids(services: AppServices, case_number: str) -> frozenset[str]:
    """The case owner's Slack id, where the case system gives an e-mail Slack knows."""
    try:
        owner = services.cases.get_case(case_number).owner
    except CaseSystemError:
        return frozenset()
    if "@" not in owner:
        return frozenset()
    try:
        return frozenset({services.client.users_lookupByEmail(email=owner.strip())["user"]["id"]})
    except SlackApiError:
        return frozenset()


def close_and_announce(services: AppServices, request: CloseRequest) -> ClosedSwarm:
    """Close in one transaction, then the slow parts: flush notes, tell the channel, plan archive and draft."""
    with services.sessions.begin() as session:
        closed = close_swarm(session, request, permissions=services.permissions, case_system=services.cases.name,
                             archive_delay=services.settings.knowledge.archive_after)
    flush_notes(services.sessions, services.cases, services.worker)
    _announce_closed(services, closed)
    if closed.archive_due_at is not None:
        jobs.plan_archive(services.scheduler, closed.swarm_id, closed.archive_due_at)
    start_drafting(services, closed.swarm_id, restart=True)  # closed again after a reopening: a fresh draft
    return closed


def start_drafting(services: AppServices, swarm_id: int, *, refresh: bool = False, restart: bool = False) -> None:
    """Draft on the listener pool (tests wait on it); a restart before it ends is healed by `on_lead`."""
    services.executor.submit(_draft_quietly, services, swarm_id, refresh=refresh, restart=restart)


def after_note_change(services: AppServices, swarm_id: int) -> None:
    """A note edited or deleted after its swarm closed: the draft must not keep the old words."""
    with services.sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        drafted = swarm is not None and swarm.status != SwarmStatus.OPEN and draft_of_swarm(session, swarm_id)
    if drafted:
        start_drafting(services, swarm_id, refresh=True)


def _announce_closed(services: AppServices, closed: ClosedSwarm) -> None:
    text, blocks = closed_message(closed, system=system_name(services.cases.name, closed.language))
    try:
        services.client.chat_postMessage(channel=closed.channel_id, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("swarm %s: could not post the closing summary: %s", closed.swarm_id, exc.response.get("error"))
    if not closed.card_ts:
        return
    closed_line = card_closed_line(closed)
    try:
        case = services.cases.get_case(closed.case_number)
        text = case_card_text(case, closed.language)
        blocks = case_card_blocks(case, lang=closed.language, closed_line=closed_line)
    except CaseSystemError:
        text, blocks = _posted_card_closed(services, closed, closed_line)
    try:
        services.client.chat_update(channel=closed.channel_id, ts=closed.card_ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("swarm %s: could not update the case card: %s", closed.swarm_id, exc.response.get("error"))


def _posted_card_closed(services: AppServices, closed: ClosedSwarm, closed_line: str) -> tuple[str, list[dict]]:
    """The case system is down: close the card as posted, keeping its fields; if Slack cannot give it back
    either, rebuild it from what the swarm row remembers."""
    try:
        answer = services.client.conversations_history(channel=closed.channel_id, latest=closed.card_ts,
                                                       inclusive=True, limit=1)
        posted = next((m for m in answer.get("messages", []) if m.get("ts") == closed.card_ts), None)
    except SlackApiError as exc:
        log.warning("swarm %s: could not read the case card back: %s", closed.swarm_id, exc.response.get("error"))
        posted = None
    if posted and posted.get("blocks"):
        return posted.get("text", ""), closed_card_from_posted(posted["blocks"], closed_line)
    with services.sessions() as session:
        case = case_record_of(session, closed.swarm_id)
    return (case_card_text(case, closed.language),
            case_card_blocks(case, lang=closed.language, closed_line=closed_line))


def on_case_change(services: AppServices, notice) -> None:
    """The case closed in the case system closes its swarm; a reopened case keeps the channel."""
    if notice.change.field != "status":
        return
    if services.cases.is_closed(notice.case_number):
        with contextlib.suppress(SwarmAlreadyClosed):
            close_and_announce(services, CloseRequest(notice.swarm_id, "", CloseSource.CASE_SYSTEM))
    else:
        announce_reopened(services, notice.swarm_id)


def announce_reopened(services: AppServices, swarm_id: int) -> bool:
    with services.sessions.begin() as session:
        reopened = reopen_swarm(session, swarm_id)
    if reopened is None:
        return False
    jobs.cancel_archive(services.scheduler, swarm_id)
    key = "knowledge.reopened" if reopened.reopened else "knowledge.reopened_archive_only"
    try:
        services.client.chat_postMessage(channel=reopened.channel_id,
                                         text=t(key, reopened.language, case=reopened.case_number))
    except SlackApiError as exc:
        log.warning("swarm %s: could not post the reopening: %s", swarm_id, exc.response.get("error"))
    return True


# ---------------------------------------------------------------- archive


def archive_now(services: AppServices, swarm_id: int, *, now=None) -> bool:
    """conversations.archive once due; an already archived (or deleted) channel counts as done.

    The archive is claimed first (its due time moved an hour on, conditionally), so of several replicas
    running the job one says goodbye and archives; if that one dies, the hour later is the retry."""
    with services.sessions.begin() as session:
        target = claim_archive(session, swarm_id, now=now or utcnow(), retry_in=jobs.ARCHIVE_RETRY)
        lang = session.get_one(Swarm, swarm_id).language if target else "en"
    if target is None:
        return False
    with contextlib.suppress(SlackApiError):  # the archive matters, the goodbye does not
        services.client.chat_postMessage(channel=target.channel_id,
                                         text=t("knowledge.archiving", lang, case=target.case_number))
    try:
        services.client.conversations_archive(channel=target.channel_id)
    except SlackApiError as exc:
        if exc.response.get("error") not in ARCHIVED_ALREADY | GONE:
            raise
    with services.sessions.begin() as session:
        mark_archived(session, swarm_id)
    return True


# ---------------------------------------------------------------- reopenings


def poll_reopened(services: AppServices) -> list[int]:
    reopened = check_reopened(services.sessions, services.cases)
    for swarm_id in reopened:
        try:
            announce_reopened(services, swarm_id)
        except Exception:
            log.exception("reopening swarm %s failed", swarm_id)
    return reopened


# ---------------------------------------------------------------- the draft


def article_options(services: AppServices):
    """How the exporter renders articles, so the review previews exactly what it will send."""
    from knowledge_export.rendering import DEFAULT_OPTIONS

    try:
        return getattr(services.exporter, "options", DEFAULT_OPTIONS)
    except Exception:  # a bad export setting is reported by `check` and on Publish; the review still shows
        return DEFAULT_OPTIONS


def _draft_quietly(services: AppServices, swarm_id: int, *, refresh: bool = False, restart: bool = False) -> None:
    try:
        draft_and_post(services, swarm_id, refresh=refresh, restart=restart)
    except Exception:
        log.exception("drafting the article of swarm %s failed", swarm_id)


def draft_and_post(services: AppServices, swarm_id: int, *, refresh: bool = False,
                   restart: bool = False) -> int | None:
    """Draft (unless done before), then post it for review in the swarm channel.

    `refresh`: a note changed after closing; `restart`: the swarm closed again (see `store_draft`)."""
    with services.sessions() as session:
        swarm = session.get_one(Swarm, swarm_id)
        channel_id, lang, case_number = swarm.channel_id or "", swarm.language, swarm.case_number
        draft_id = draft_of_swarm(session, swarm_id)
        posted = draft_id is not None and get_draft(session, draft_id).message_ts
    if posted and not (refresh or restart):
        return draft_id
    try:
        exporter = services.exporter
    except Exception:
        log.warning("no knowledge exporter (check KNOWLEDGE_EXPORT); drafting without similar articles",
                    exc_info=True)
        exporter = None
    channel_url = f"{workspace_url_of(services).rstrip('/')}/archives/{channel_id}" if channel_id else ""
    try:
        draft_id, what = redraft(services.sessions, services.cases, swarm_id, exporter=exporter,
                                 channel_url=channel_url, refresh=refresh, restart=restart,
                                 phone_region=services.settings.knowledge.phone_region)
    except CaseSystemError as exc:
        _drafting_failed(services, swarm_id, channel_id, lang, case_number, str(exc))
        return None
    if what in (Redraft.KEPT_EDITED, Redraft.OUT_OF_REACH):
        _tell_draft_is_behind(services, draft_id, what)
    elif what != Redraft.UNCHANGED:
        post_draft(services, draft_id, reupload=what == Redraft.REFRESHED)
    return draft_id


def _tell_draft_is_behind(services: AppServices, draft_id: int, what: Redraft) -> None:
    """The draft could not follow the channel (a reviewer's edits, or it left for the knowledge base)."""
    with services.sessions() as session:
        record = get_draft(session, draft_id)
        edited_by = session.get_one(KnowledgeDraft, draft_id).edited_by or ""
    if what == Redraft.KEPT_EDITED:
        text = t("knowledge.redraft_kept_edited", record.language, user=edited_by)
    else:
        text = t("knowledge.redraft_out_of_reach", record.language, location=record.export_location or "—")
    try:
        services.client.chat_postMessage(channel=record.channel_id, text=text,
                                         thread_ts=record.message_ts or None, reply_broadcast=bool(record.message_ts))
    except SlackApiError as exc:
        log.warning("draft %s: could not say it is behind the channel: %s", draft_id, exc.response.get("error"))


def workspace_url_of(services: AppServices) -> str:
    from bot.listeners.messages import workspace_url

    return workspace_url(services) or ""


def _drafting_failed(services: AppServices, swarm_id: int, channel_id: str, lang: str, case: str,
                     error: str) -> None:
    """The case could not be read (its contact names are needed for redaction): say so, try again later."""
    with contextlib.suppress(SlackApiError):
        services.client.chat_postMessage(channel=channel_id, text=t("knowledge.drafting_failed", lang, case=case,
                                                                    error=error[:200]))
    jobs.plan_draft(services.scheduler, swarm_id, utcnow() + jobs.DRAFT_RETRY)


def post_draft(services: AppServices, draft_id: int, *, reupload: bool = False) -> None:
    """Post the review message (or update it); a long draft goes up as a Markdown file beside it."""
    with services.sessions() as session:
        record = get_draft(session, draft_id)
    message = draft_message(record, article_options(services))
    if message.file_name and (not record.message_ts or reupload):
        services.client.files_upload_v2(channel=record.channel_id, content=message.file_content,
                                        filename=message.file_name, title=record.draft.title[:250])
    if record.message_ts:
        services.client.chat_update(channel=record.channel_id, ts=record.message_ts, text=message.text,
                                    blocks=message.blocks)
        return
    answer = services.client.chat_postMessage(channel=record.channel_id, text=message.text, blocks=message.blocks,
                                              unfurl_links=False)
    with services.sessions.begin() as session:
        record_post(session, draft_id, channel_id=record.channel_id, message_ts=answer["ts"],
                    as_file=bool(message.file_name))
