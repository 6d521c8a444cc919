"""Note sync in Slack: `/swarm status`, `/swarm sync retry`, the "Add to case" shortcut, notices, webhooks.

The capture of thread messages itself lives in `messages.py`; this module answers people about it and
tells swarm channels what the case system did (a note parked, the customer commented, status changed).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import error_text, system_name
from bot.i18n.catalog import t
from bot.listeners.catchup import catch_up_joiner
from bot.listeners.commands import CommandContext
from bot.listeners.messages import captured_message, nudge_delivery
from bot.registration import Listeners, team_of
from bot.replies import reply_privately
from bot.services import AppServices
from bot.slack.identity import bot_identity
from bot.slack.later import post_later
from bot.views.note_sync import (
    AddToCaseState,
    SyncBlock,
    SyncCallback,
    add_to_case_modal,
    added_modal,
    case_change_blocks,
    case_change_text,
    picked_swarm_id,
    status_text,
)
from swarms.case_systems.webhooks import WebhookRejected, read_webhook
from swarms.db import utcnow
from swarms.errors import SwarmError
from swarms.models import MemberRole, Swarm, SwarmMember, SwarmStatus
from swarms.note_sync.capture import add_message_to_swarm, retry_parked, swarms_for_user, sync_status
from swarms.note_sync.case_changes import ChangeNotice, poll_case_changes
from swarms.opening.case_numbers import is_case_number
from swarms.opening.lifecycle import add_member, find_swarm_at, require_swarm, thread_swarm_numbered

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/webhooks/case-system"


def register(app: App, services: AppServices) -> None:
    registry = services.subcommands
    registry.add("status", _status)
    registry.add("sync", _sync)
    listeners = Listeners(app, services)
    listeners.shortcut(SyncCallback.ADD_TO_CASE, _open_add_to_case(services))
    listeners.view(SyncCallback.ADD_TO_CASE_VIEW, _submit_add_to_case(services))
    listeners.event("member_joined_channel", _member_joined(services))
    listeners.event("member_left_channel", _member_left(services))
    services.routes[WEBHOOK_PATH] = webhook_app(services)


# ---------------------------------------------------------------- who is in the swarm


def _member_joined(services: AppServices) -> Callable:
    """People added by hand in Slack count as swarm members (stats, permissions, suggestions leave them out)."""

    def on_join(event: dict, body: dict) -> None:
        user_id, channel_id, team_id = event.get("user", ""), event.get("channel", ""), team_of(body)
        if not user_id or user_id == bot_identity(services, team_id).get("user_id"):
            return
        with services.sessions.begin() as session:  # add_member settles a race with an invite recording them
            swarm = find_swarm_at(session, channel_id)
            if swarm is None or swarm.status != SwarmStatus.OPEN:
                return
            add_member(session, swarm.id, user_id, role=MemberRole.EXPERT, invited_by=event.get("inviter"))
        services.executor.submit(catch_up_joiner, services, team_id, channel_id, user_id)

    return on_join


def _member_left(services: AppServices) -> Callable:
    def on_leave(event: dict) -> None:
        with services.sessions.begin() as session:
            swarm = find_swarm_at(session, event.get("channel", ""))
            if swarm is None:
                return
            member = session.scalar(select(SwarmMember).where(SwarmMember.swarm_id == swarm.id,
                                                              SwarmMember.user_id == event.get("user", "")))
            if member is not None and member.left_at is None:
                member.left_at = utcnow()

    return on_leave


# ---------------------------------------------------------------- /swarm status, /swarm sync retry


def _swarm_of(session: Session, ctx: CommandContext, case_number: str = "") -> Swarm:
    """This channel's swarm; in a team channel, its thread swarm of `case_number` (`/swarm sync retry 00001026`:
    Slack takes no slash commands in the thread itself). Anything typed that is not a case number (a NUL byte,
    which PostgreSQL refuses in a query) is not looked up: the channel's own swarm answers, or its absence."""
    number = case_number.lstrip("#")
    in_thread = thread_swarm_numbered(session, ctx.channel_id, number) if is_case_number(number) else None
    return in_thread or require_swarm(session, ctx.channel_id)


def _status(ctx: CommandContext) -> None:
    with ctx.services.sessions() as session:
        swarm = _swarm_of(session, ctx, ctx.command.args[0] if ctx.command.args else "")
        case_number, status = swarm.case_number, sync_status(session, swarm.id)
    ctx.answer(status_text(case_number, status, system=ctx.services.settings.case_system, lang=ctx.lang))


def _sync(ctx: CommandContext) -> None:
    args = [a.lower() for a in ctx.command.args]
    if args[:1] != ["retry"] or len(args) > 2:
        ctx.answer(t("sync.sync_usage", ctx.lang))
        return
    with ctx.services.sessions.begin() as session:
        swarm = _swarm_of(session, ctx, args[1] if len(args) == 2 else "")
        swarm_id, case_number = swarm.id, swarm.case_number
        count = retry_parked(session, swarm_id)
    if not count:
        with ctx.services.sessions() as session:
            pending = sync_status(session, swarm_id).pending
        ctx.answer(t("sync.retry_none", ctx.lang, case=case_number, pending=pending))
        return
    ctx.answer(t("sync.retrying", ctx.lang, case=case_number, count=count))
    if ctx.services.worker is not None:
        ctx.services.worker.deliver_now()
    with ctx.services.sessions() as session:
        status = sync_status(session, swarm_id)
    ctx.answer(t("sync.retry_done", ctx.lang, case=case_number, delivered=status.delivered,
                 pending=status.pending, parked=status.parked))


# ---------------------------------------------------------------- "Add to case"


def _open_add_to_case(services: AppServices) -> Callable:
    def open_modal(ack: Ack, shortcut: dict, client, respond) -> None:
        ack()
        user_id = shortcut["user"]["id"]
        lang = services.people.cached_language_of(user_id)
        message = shortcut.get("message") or {}
        with services.sessions() as session:
            choices = swarms_for_user(session, team_of(shortcut), user_id,
                                      include_all=services.permissions.is_admin(user_id))
        if not choices:
            reply_privately(respond, t("sync.add_no_swarms", lang))
            return
        files = tuple({"name": f.get("name", ""), "permalink": f.get("permalink", "")}
                      for f in message.get("files", []))
        state = AddToCaseState(shortcut["channel"]["id"], message.get("ts", ""), message.get("thread_ts", ""),
                               message.get("user", ""), message.get("text", ""), files)
        excerpt = message.get("text", "")
        client.views_open(trigger_id=shortcut["trigger_id"],
                          view=add_to_case_modal(choices, state, excerpt=excerpt, lang=lang))

    return open_modal


def _submit_add_to_case(services: AppServices) -> Callable:
    def submit(ack: Ack, body: dict, view: dict) -> None:
        user_id, team_id = body["user"]["id"], team_of(body)
        lang = services.people.cached_language_of(user_id)
        swarm_id = picked_swarm_id(view)
        try:
            state = AddToCaseState.loads(view.get("private_metadata", ""))
        except ValueError:
            ack(response_action="errors", errors={SyncBlock.PICK: t("error.generic", lang, ref="metadata")})
            return
        if swarm_id is None:
            ack(response_action="errors", errors={SyncBlock.PICK: t("sync.add_pick_placeholder", lang)})
            return
        try:
            case_number, channel_id, permalink = add_to_case(services, team_id, user_id, swarm_id, state)
        except (SwarmError, SlackApiError) as exc:
            ack(response_action="errors", errors={SyncBlock.PICK: error_text(exc, lang)})
            return
        ack(response_action="update", view=added_modal(case_number, channel_id, lang=lang))
        _announce_added(services, swarm_id, user_id, state.channel_id, permalink)  # in the swarm's workspace

    return submit


def add_to_case(services: AppServices, team_id: str, user_id: str, swarm_id: int,
                state: AddToCaseState) -> tuple[str, str, str]:
    """Capture the chosen message (of workspace `team_id`) as a note of the swarm's case; (case number, swarm
    channel, permalink)."""
    message = read_message(services, team_id, state)
    message = {**message, "channel": state.channel_id, "ts": state.ts}
    if not message.get("text") and not message.get("files"):
        raise _EmptyMessage()
    captured = captured_message(services, team_id, message, event_id="", source="shortcut")
    with services.sessions.begin() as session:
        note = add_message_to_swarm(session, swarm_id, captured, team_id=team_id, user_id=user_id,
                                    may_choose_any=services.permissions.is_admin(user_id))
        swarm = session.get(Swarm, note.swarm_id)
        result = swarm.case_number, swarm.channel_id or "", captured.permalink
    nudge_delivery(services)
    return result


class _EmptyMessage(SwarmError):
    message_key = "sync.add_empty"


class _CannotRead(SwarmError):
    message_key = "sync.add_cannot_read"


def read_message(services: AppServices, team_id: str, state: AddToCaseState) -> dict:
    """The message as the shortcut carried it, or re-read from Slack when it was too long to keep."""
    if state.text is not None:
        return {"text": state.text, "thread_ts": state.thread_ts or None, "user": state.user_id,
                "files": list(state.files)}
    client = services.slack_for(team_id)
    try:
        if state.thread_ts and state.thread_ts != state.ts:
            found = client.conversations_replies(channel=state.channel_id, ts=state.thread_ts, latest=state.ts,
                                                 oldest=state.ts, inclusive=True)
        else:
            found = client.conversations_history(channel=state.channel_id, latest=state.ts, oldest=state.ts,
                                                 inclusive=True, limit=1)
    except SlackApiError as exc:
        if exc.response.get("error") in ("not_in_channel", "channel_not_found", "missing_scope"):
            raise _CannotRead() from exc
        raise
    for message in found.get("messages", []):
        if message.get("ts") == state.ts:
            return message
    raise _CannotRead()


def _announce_added(services: AppServices, swarm_id: int, user_id: str, source: str, permalink: str) -> None:
    """The swarm hears of a message added from elsewhere (a thread swarm in its thread)."""
    with services.sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        if swarm is None or not swarm.channel_id or (swarm.channel_id == source and not swarm.thread_ts):
            return
        channel_id, thread_ts, lang, team_id = swarm.channel_id, swarm.thread_ts, swarm.language, swarm.team_id
    try:
        services.slack_for(team_id).chat_postMessage(
            channel=channel_id, thread_ts=thread_ts,
            text=t("sync.add_announce", lang, user=user_id, source=source, permalink=permalink))
    except SlackApiError:
        log.warning("could not announce an added message in %s", channel_id)


# ---------------------------------------------------------------- notices to swarm channels


def announce_parked(services: AppServices, swarm_id: int, count: int, error: str) -> None:
    with services.sessions() as session:
        swarm = session.get(Swarm, swarm_id)
        if swarm is None or not swarm.channel_id:
            return
        channel_id, lang, case_number = swarm.channel_id, swarm.language, swarm.case_number
        thread_ts, team_id = swarm.thread_ts, swarm.team_id
    key = "sync.parked_notice_thread" if thread_ts else "sync.parked_notice"
    text = t(key, lang, count=count, case=case_number, error=error[:300] or "—",
             system=system_name(services.settings.case_system, lang))
    # Queued in the swarm's workspace: it waits there while the app has lost that workspace.
    post_later(services, team_id, channel_id, text, thread_ts=thread_ts)


def post_case_changes(services: AppServices, notices: Iterable[ChangeNotice]) -> int:
    """Each change once in its swarm channel (queued in its workspace, at the channel's pace, in order), then
    the features' hooks (closing on a closed case, ...)."""
    posted = 0
    for notice in notices:
        text = case_change_text(notice.case_number, notice.change, lang=notice.language)
        post_later(services, notice.team_id, notice.channel_id, text, blocks=case_change_blocks(text),
                   thread_ts=notice.thread_ts)
        posted += 1
        for hook in services.hooks.on_case_change:
            try:
                hook(services, notice)
            except Exception:
                log.exception("a case-change hook failed for swarm %s", notice.swarm_id)
    return posted


def poll_and_post(services: AppServices, case_keys: list[str] | None = None) -> int:
    notices = poll_case_changes(services.sessions, services.cases, case_keys=case_keys)
    return post_case_changes(services, notices)


def webhook_app(services: AppServices) -> Callable:
    """WSGI endpoint for the case system's calls: verify the shared secret, then poll those cases."""

    def application(environ: dict, start_response: Callable) -> list[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _reply(start_response, "405 Method Not Allowed", {"ok": False, "error": "POST only"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {key[5:].replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}
        try:
            event = read_webhook(services.settings.case_system, headers, body, services.settings.sync.webhook_secret)
        except WebhookRejected as exc:
            log.warning("case-system webhook refused: %s", exc)
            return _reply(start_response, "401 Unauthorized", {"ok": False, "error": "rejected"})
        keys = sorted(set(event.poll_case_keys) | {c.case_key for c in event.changes})
        if keys:
            services.executor.submit(_poll_quietly, services, keys)
        return _reply(start_response, "200 OK", {"ok": True, "cases": len(keys)})

    return application


def _poll_quietly(services: AppServices, keys: list[str]) -> None:
    try:
        poll_and_post(services, keys)
    except Exception:
        log.exception("polling after a webhook failed; the scheduled poll will catch up")


def _reply(start_response: Callable, status: str, payload: dict) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
