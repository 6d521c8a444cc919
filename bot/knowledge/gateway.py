"""The knowledge flows' port (`swarms.knowledge.flows.KnowledgePort`), made of Slack Web API calls, the
outbox worker and the scheduler, beside `bot.slack.workspace` and `bot.experts.gateway`; and the flows wired with
this app's ports and settings, for the listeners, the hooks and the jobs."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.errors import system_name
from bot.i18n.catalog import t
from bot.jobs import scheduled as jobs
from bot.slack.identity import workspace_url
from bot.slack.later import POSTS_PRIORITY, post_later, posts_waiting, update_later
from bot.slack.work_queue import NotYet, channel_order
from bot.views.case_card import case_card_blocks, case_card_text, closed_card_from_posted
from bot.views.knowledge import card_closed_line, closed_message
from bot.views.knowledge_review import draft_message
from bot.views.swarm_place import thread_link
from swarms.case_systems.base import CaseSystemError
from swarms.jobs.claimed_work import WorkItem
from swarms.jobs.scheduling import SafeScheduler
from swarms.knowledge import flows
from swarms.knowledge.closing import (
    ArchiveTarget,
    ClosedSwarm,
    CloseRequest,
    ReopenedSwarm,
    closing_key,
    flush_notes,
    summary_key,
)
from swarms.knowledge.drafts import Redraft, case_record_of, get_draft, record_post
from swarms.knowledge.models import KnowledgeDraft
from swarms.note_sync.case_changes import ChangeNotice

if TYPE_CHECKING:
    from bot.services import AppServices

log = logging.getLogger(__name__)
ARCHIVED_ALREADY = frozenset({"already_archived"})
GONE = frozenset({"channel_not_found", "is_archived"})


class SlackKnowledgePort:
    """Closing, drafting, archiving and reopening, as Slack messages, files and channel calls."""

    def __init__(self, services: AppServices) -> None:
        self.services = services

    # -- closing and reopening

    def case_owner_ids(self, team_id: str, case_number: str) -> frozenset[str]:
        """The case owner's Slack id, where the case system gives an e-mail Slack knows."""
        try:
            owner = self.services.cases.get_case(case_number).owner
        except CaseSystemError:
            return frozenset()
        if "@" not in owner:
            return frozenset()
        try:
            return frozenset({self.services.slack_for(team_id).users_lookupByEmail(email=owner.strip())["user"]["id"]})
        except SlackApiError:
            return frozenset()

    def deliver_notes_now(self) -> None:
        flush_notes(self.services.sessions, self.services.cases, self.services.worker)

    def announce_closed(self, closed: ClosedSwarm) -> None:
        """The summary, then the card's closed line: queued (keyed by the closing) in the order of the swarm's
        place, at Slack's pace (a floor closing its swarms at once loses none to a 429). The draft review,
        queued later in the same order, follows the summary (`queue_draft_post`)."""
        services = self.services
        text, blocks = closed_message(closed, system=system_name(services.cases.name, closed.language))
        closing = closing_key(closed.swarm_id, closed.closed_at)
        post_later(services, closed.team_id, closed.channel_id, text, blocks=blocks, key=summary_key(closing),
                   thread_ts=closed.thread_ts)
        if not closed.card_ts:
            return
        closed_line = card_closed_line(closed)
        try:
            case = services.cases.get_case(closed.case_number)
            text = case_card_text(case, closed.language)
            blocks = case_card_blocks(case, lang=closed.language, closed_line=closed_line,
                                      in_thread=bool(closed.thread_ts))
        except CaseSystemError:
            text, blocks = self._posted_card_closed(closed, closed_line)
        update_later(services, closed.team_id, closed.channel_id, closed.card_ts, text, blocks=blocks,
                     key=f"close_card:{closing}", thread_ts=closed.thread_ts)

    def _posted_card_closed(self, closed: ClosedSwarm, closed_line: str) -> tuple[str, list[dict]]:
        """The case system is down: close the card as posted, keeping its fields; if Slack cannot give it
        back either, rebuild it from what the swarm row remembers."""
        try:
            answer = self.services.slack_for(closed.team_id).conversations_history(
                channel=closed.channel_id, latest=closed.card_ts, inclusive=True, limit=1)
            posted = next((m for m in answer.get("messages", []) if m.get("ts") == closed.card_ts), None)
        except SlackApiError as exc:
            log.warning("swarm %s: could not read the case card back: %s", closed.swarm_id, exc.response.get("error"))
            posted = None
        if posted and posted.get("blocks"):
            return posted.get("text", ""), closed_card_from_posted(posted["blocks"], closed_line)
        with self.services.sessions() as session:
            case = case_record_of(session, closed.swarm_id)
        return (case_card_text(case, closed.language),
                case_card_blocks(case, lang=closed.language, closed_line=closed_line,
                                 in_thread=bool(closed.thread_ts)))

    def announce_reopened(self, reopened: ReopenedSwarm) -> None:
        key = "knowledge.reopened" if reopened.reopened else "knowledge.reopened_archive_only"
        if reopened.thread_ts:
            key = "knowledge.reopened_thread" if reopened.reopened else "knowledge.reopened_thread_newer"
        post_later(self.services, reopened.team_id, reopened.channel_id,
                   t(key, reopened.language, case=reopened.case_number), thread_ts=reopened.thread_ts)

    # -- archive

    def archive_channel(self, target: ArchiveTarget) -> None:
        """conversations.archive at tier 2's pace, after the channel's queued posts (the closing summary, the
        card's closed line); the queue puts a call that may not go yet back for later."""
        client = self.services.slack_for(target.team_id)
        wait = posts_waiting(self.services, target.team_id, target.channel_id)
        if wait is not None:
            raise NotYet(wait, "the channel's queued posts go first")
        try:
            self.services.slack_queue.paced_call(target.team_id, "conversations.archive",
                                                 lambda: client.conversations_archive(channel=target.channel_id))
        except SlackApiError as exc:
            if exc.response.get("error") not in ARCHIVED_ALREADY | GONE:
                raise

    # -- the draft

    def post_draft(self, draft_id: int, *, reupload: bool = False) -> None:
        """Post the review message (or update it); a long draft goes up as a Markdown file beside it."""
        services = self.services
        with services.sessions() as session:
            record = get_draft(session, draft_id)
        message = draft_message(record, article_options(services))
        client = services.slack_for(record.team_id)
        if message.file_name and (not record.message_ts or reupload):
            client.files_upload_v2(channel=record.channel_id, thread_ts=record.thread_ts,
                                            content=message.file_content, filename=message.file_name,
                                            title=record.draft.title[:250])
        if record.message_ts:
            client.chat_update(channel=record.channel_id, ts=record.message_ts, text=message.text,
                               blocks=message.blocks)
            return
        answer = client.chat_postMessage(channel=record.channel_id, thread_ts=record.thread_ts,
                                         text=message.text, blocks=message.blocks, unfurl_links=False)
        with services.sessions.begin() as session:
            record_post(session, draft_id, channel_id=record.channel_id, message_ts=answer["ts"],
                        as_file=bool(message.file_name))

    def queue_draft_post(self, team_id: str, draft_id: int, *, closing: str, reupload: bool = False) -> None:
        """In the order of the swarm's place, so after the closing summary queued before it, on any process;
        tried here at once (it waits if the summary has not gone). A newer post of the same draft, queued while
        one waits, replaces it (it reads the draft when it runs)."""
        queue = self.services.slack_queue
        with self.services.sessions() as session:
            record = get_draft(session, draft_id)
        item_id = queue.enqueue(flows.POST_DRAFT, {"draft_id": draft_id, "closing": closing, "reupload": reupload,
                                                   "channel": record.channel_id},
                                team_id=team_id, priority=POSTS_PRIORITY, coalesce=f"draft_review:{draft_id}",
                                order_key=channel_order(team_id, record.channel_id, record.thread_ts))
        if item_id is not None:
            queue.run_now(item_id)

    def say_draft_is_behind(self, draft_id: int, what: Redraft) -> None:
        with self.services.sessions() as session:
            record = get_draft(session, draft_id)
            edited_by = session.get_one(KnowledgeDraft, draft_id).edited_by or ""
        if what == Redraft.KEPT_EDITED:
            text = t("knowledge.redraft_kept_edited", record.language, user=edited_by)
        else:
            text = t("knowledge.redraft_out_of_reach", record.language, location=record.export_location or "—")
        try:
            # Under the review message, also sent to its channel; a thread swarm's answer stays in its thread.
            self.services.slack_for(record.team_id).chat_postMessage(
                channel=record.channel_id, text=text, thread_ts=record.thread_ts or record.message_ts or None,
                reply_broadcast=bool(record.message_ts) and not record.thread_ts)
        except SlackApiError as exc:
            log.warning("draft %s: could not say it is behind the channel: %s", draft_id, exc.response.get("error"))

    def say_drafting_failed(self, team_id: str, channel_id: str, thread_ts: str | None, lang: str,
                            case_number: str, error: str) -> None:
        with contextlib.suppress(SlackApiError):
            self.services.slack_for(team_id).chat_postMessage(
                channel=channel_id, thread_ts=thread_ts,
                text=t("knowledge.drafting_failed", lang, case=case_number, error=error[:200]))

    def place_url(self, team_id: str, channel_id: str, thread_ts: str | None) -> str:
        workspace = workspace_url(self.services, team_id)
        if thread_ts:  # a thread swarm talked in its thread, not in the team channel
            return thread_link(workspace, channel_id, thread_ts)
        return f"{workspace.rstrip('/')}/archives/{channel_id}"

    def draft_later(self, swarm_id: int, *, refresh: bool = False, restart: bool = False) -> None:
        """On the listener pool (tests wait on it)."""
        self.services.executor.submit(_draft_quietly, self.services, swarm_id, refresh=refresh, restart=restart)

    # -- the scheduler

    def plan_draft(self, swarm_id: int, run_at: datetime) -> None:
        jobs.plan_draft(self.services.scheduler, swarm_id, run_at)


# ---------------------------------------------------------------- the feature's hooks and flows, wired


def register_work(services: AppServices) -> None:
    """The archive, queued by the close flow as claimed work, and the draft review, queued after the closing
    summary, run here when due (on any process)."""
    services.slack_queue.handle(flows.ARCHIVE_CHANNEL, lambda item: flows.archive_when_due(
        services.sessions, services.knowledge, int(item.payload["swarm_id"])))
    services.slack_queue.handle(flows.POST_DRAFT, lambda item: _post_queued_draft(services, item))


def _post_queued_draft(services: AppServices, item: WorkItem) -> None:
    """At the channel's chat.postMessage pace (a 429 puts it back for later, like any queued post)."""
    payload = item.payload
    services.slack_queue.paced_call(item.team_id, "chat.postMessage", lambda: flows.post_draft_of_closing(
        services.sessions, services.knowledge, int(payload["draft_id"]), str(payload["closing"]),
        reupload=bool(payload.get("reupload"))), channel=str(payload.get("channel") or ""))


def on_case_change(services: AppServices, notice: ChangeNotice) -> None:
    """The case closed in the case system closes its swarm; a reopened case keeps the channel."""
    if notice.change.field == "status":
        flows.follow_case_status(services.sessions, services.cases, services.knowledge, notice.swarm_id,
                                 notice.case_number, permissions=services.permissions,
                                 archive_delay=services.settings.knowledge.archive_after)


def on_lead(services: AppServices, scheduler: SafeScheduler) -> None:
    """Finish drafts a restart interrupted, queue archives closed swarms lack, start the reopen poll."""
    flows.heal(services.sessions, services.knowledge)
    jobs.plan_reopen_poll(services, scheduler)


def after_note_change(services: AppServices, swarm_id: int) -> None:
    flows.after_note_change(services.sessions, services.knowledge, swarm_id)


def close(services: AppServices, request: CloseRequest) -> None:
    """The close flow with this app's ports and settings."""
    flows.close_and_announce(services.sessions, services.knowledge, request, permissions=services.permissions,
                             case_system=services.cases.name, archive_delay=services.settings.knowledge.archive_after)


def case_owners_for_close(services: AppServices, swarm_id: int, user_id: str) -> frozenset[str]:
    """The one close-permission rule's Slack side: the case owners, asked only when they matter."""
    return flows.case_owners_for_close(services.sessions, services.knowledge, services.permissions, swarm_id, user_id)


def article_options(services: AppServices):
    """How the exporter renders articles, so the review previews exactly what it will send."""
    from knowledge_export.rendering import DEFAULT_OPTIONS

    try:
        return getattr(services.exporter, "options", DEFAULT_OPTIONS)
    except Exception:  # a bad export setting is reported by `check` and on Publish; the review still shows
        return DEFAULT_OPTIONS


def draft_now(services: AppServices, swarm_id: int, *, refresh: bool = False, restart: bool = False) -> int | None:
    """The draft flow with this app's exporter (similar articles), or without one if it cannot be built."""
    try:
        exporter = services.exporter
    except Exception:
        log.warning("no knowledge exporter (check KNOWLEDGE_EXPORT); drafting without similar articles",
                    exc_info=True)
        exporter = None
    return flows.draft_and_post(services.sessions, services.cases, services.knowledge, swarm_id, exporter=exporter,
                                phone_region=services.settings.knowledge.phone_region, refresh=refresh,
                                restart=restart)


def _draft_quietly(services: AppServices, swarm_id: int, *, refresh: bool = False, restart: bool = False) -> None:
    try:
        draft_now(services, swarm_id, refresh=refresh, restart=restart)
    except Exception:
        log.exception("drafting the article of swarm %s failed", swarm_id)
