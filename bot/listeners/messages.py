"""Message events of swarm channels (and of thread swarms' threads) become case notes; edits and deletions
follow them.

The app runs with `process_before_response`, so the note and its outbox row are committed before
Slack gets its 200: a crash before that makes Slack retry, and the claimed event id makes the retry
harmless. Messages from other channels, bots and the app itself are dropped first, cheaply.
"""

from __future__ import annotations

import logging
import time

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.registration import Listeners, team_of
from bot.services import AppServices
from bot.slack.identity import workspace_url
from bot.slack.markup import message_permalink, note_body, readable_text, ts_to_datetime
from swarms.note_sync.capture import (
    CapturedMessage,
    SwarmChanged,
    SwarmRef,
    capture_deletion,
    capture_edit,
    capture_message,
    capture_note,
    syncing_swarm,
)

log = logging.getLogger(__name__)
NEW_MESSAGE_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})
SWARM_CACHE_TTL = 30.0  # seconds a channel's syncing swarm is remembered; the capture re-checks it anyway


def register(app: App, services: AppServices) -> None:
    Listeners(app, services).event("message", _on_message(services))


def _on_message(services: AppServices):
    """A new message, an edit or a deletion; handled before the ack (see above), so no lazy step."""

    def on_message(body: dict, event: dict) -> None:
        subtype = event.get("subtype")
        team_id = team_of(body)
        if subtype == "message_changed":
            _on_edit(services, team_id, event, body.get("event_id", ""))
        elif subtype == "message_deleted":
            _on_delete(services, event, body.get("event_id", ""))
        elif subtype in NEW_MESSAGE_SUBTYPES and not event.get("bot_id"):
            _on_new(services, team_id, event, body.get("event_id", ""))

    return on_message


def captured_message(services: AppServices, team_id: str, event: dict, *, event_id: str,
                     source: str) -> CapturedMessage:
    """Turn a Slack message of workspace `team_id` into the domain's CapturedMessage, names resolved and
    permalink built."""
    user_id = event.get("user", "")
    text = event.get("text", "")
    readable = readable_text(text, user_name=lambda uid: services.people.get(team_id, uid).display_name,
                             channel_name=lambda cid: _channel_name(services, team_id, cid))
    thread_ts = event.get("thread_ts")
    permalink = message_permalink(workspace_url(services, team_id), event["channel"], event["ts"], thread_ts)
    files = tuple({"name": f.get("name", ""), "permalink": f.get("permalink", "")} for f in event.get("files", []))
    # An app's message (an alert) has no user: its name is the one it posted under.
    author = (services.people.get(team_id, user_id).display_name if user_id else
              event.get("username") or (event.get("bot_profile") or {}).get("name") or "app")
    return CapturedMessage(
        channel_id=event["channel"], ts=event["ts"], user_id=user_id,
        author_name=author, text=text,
        body=note_body(readable, files=files, permalink=permalink), thread_ts=thread_ts, permalink=permalink,
        files=files, event_id=event_id, source=source, at=ts_to_datetime(event["ts"]),
    )


def _on_new(services: AppServices, team_id: str, event: dict, event_id: str) -> None:
    """One transaction per message, remembered swarm: the capture's own UPDATE checks the swarm is unchanged."""
    channel_id, thread_ts = event.get("channel", ""), event.get("thread_ts")
    swarm = syncing_swarm_ref(services, channel_id, thread_ts)
    if swarm is None:
        return
    in_thread = bool(thread_ts) and thread_ts != event.get("ts")
    if not in_thread and (swarm.thread_ts or not services.settings.sync.top_level_messages):
        return  # a thread swarm's notes are its thread's replies, never the team channel's own messages
    if swarm.card_ts == event["ts"]:
        return
    message = captured_message(services, team_id, event, event_id=event_id,
                               source="thread" if in_thread else "channel")
    try:
        with services.sessions.begin() as session:
            captured: object = capture_note(session, swarm, message, check_swarm=True)
    except SwarmChanged:
        forget_swarm_place(services, channel_id, thread_ts)
        with services.sessions.begin() as session:  # the swarm changed under us: as it is now
            current = syncing_swarm(session, channel_id, thread_ts)
            if current is None or current.card_ts == event["ts"]:
                return
            captured = capture_message(session, current, message)
    if captured is not None:
        nudge_delivery(services)


def _on_edit(services: AppServices, team_id: str, event: dict, event_id: str) -> None:
    message = event.get("message") or {}
    channel_id = event.get("channel", "")
    swarm = None if message.get("bot_id") else syncing_swarm_ref(services, channel_id, message.get("thread_ts"))
    if swarm is None:
        return
    edited = {**message, "channel": channel_id}
    captured = captured_message(services, team_id, edited, event_id=event_id, source="thread")
    with services.sessions.begin() as session:
        changed = capture_edit(session, channel_id, message.get("ts", ""), text=captured.text, body=captured.body,
                               event_id=event_id)
    if changed:
        nudge_delivery(services)
        _after_note_change(services, swarm.id)


def _on_delete(services: AppServices, event: dict, event_id: str) -> None:
    channel_id = event.get("channel", "")
    swarm = syncing_swarm_ref(services, channel_id, (event.get("previous_message") or {}).get("thread_ts"))
    if swarm is None:
        return
    with services.sessions.begin() as session:
        changed = capture_deletion(session, channel_id, event.get("deleted_ts", ""), event_id=event_id)
    if changed:
        nudge_delivery(services)
        _after_note_change(services, swarm.id)


def _after_note_change(services: AppServices, swarm_id: int) -> None:
    """Features that keep something made from the notes (the knowledge draft) hear of an edit or deletion."""
    for hook in services.hooks.after_note_change:
        try:
            hook(services, swarm_id)
        except Exception:  # the note itself is captured; a follower failing must not fail the event
            log.exception("swarm %s: a follower of a changed note failed", swarm_id)


def nudge_delivery(services: AppServices) -> None:
    if services.worker is not None:
        services.worker.nudge()


def syncing_swarm_ref(services: AppServices, channel_id: str, thread_ts: str | None = None) -> SwarmRef | None:
    """The syncing swarm of the channel, or of the thread, remembered for SWARM_CACHE_TTL seconds (misses are
    not remembered). A swarm channel is remembered by its channel alone, a thread swarm by its thread."""
    if not channel_id:
        return None
    ref = _remembered(services, (channel_id, "")) or (thread_ts and _remembered(services, (channel_id, thread_ts)))
    if not ref:
        with services.sessions() as session:
            swarm = syncing_swarm(session, channel_id, thread_ts)
            if swarm is None:
                return None
            ref = SwarmRef.of(swarm)
        _swarm_cache(services)[(channel_id, ref.thread_ts or "")] = (ref, time.monotonic() + SWARM_CACHE_TTL)
    return ref


def forget_swarm_place(services: AppServices, channel_id: str, thread_ts: str | None = None) -> None:
    cache = _swarm_cache(services)
    cache.pop((channel_id, ""), None)
    if thread_ts:
        cache.pop((channel_id, thread_ts), None)


def _remembered(services: AppServices, place: tuple[str, str]) -> SwarmRef | None:
    entry = _swarm_cache(services).get(place)
    if entry is None:
        return None
    if entry[1] < time.monotonic():
        _swarm_cache(services).pop(place, None)
        return None
    return entry[0]


def _swarm_cache(services: AppServices) -> dict[tuple[str, str], tuple[SwarmRef, float]]:
    return services.caches.swarm_by_channel


def _channel_name(services: AppServices, team_id: str, channel_id: str) -> str:
    names = services.caches.channel_names
    if channel_id not in names:
        try:
            names[channel_id] = services.slack_for(team_id).conversations_info(channel=channel_id)["channel"]["name"]
        except SlackApiError:
            names[channel_id] = channel_id
    return names[channel_id]
