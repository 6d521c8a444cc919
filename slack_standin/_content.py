"""Channel content for `Workspace`: messages and threads, reactions, pins, bookmarks, ephemerals."""

from __future__ import annotations

import copy
import uuid
from typing import TYPE_CHECKING, Any

from slack_standin.errors import SlackError
from slack_standin.models import SYSTEM_SUBTYPES, Channel

if TYPE_CHECKING:
    from slack_standin.workspace import Workspace


class ContentMixin:
    """Methods mixed into `Workspace`; `self` is the workspace and every method takes its lock."""

    def _init_content(self: Workspace) -> None:
        self._ephemerals: list[dict[str, Any]] = []

    # reading -----------------------------------------------------------------------------------------

    def messages(self: Workspace, channel_id: str, *, include_system: bool = False) -> list[dict[str, Any]]:
        """Top-level messages, oldest first (thread broadcasts included, like the channel shows them).

        Join/leave/topic/purpose/archive notices are left out unless `include_system`.
        """
        with self.lock:
            channel = self._require_channel(channel_id)
            found = [m for m in channel.messages.values() if _is_top_level(m)]
            if not include_system:
                found = [m for m in found if m.get("subtype") not in SYSTEM_SUBTYPES]
            return copy.deepcopy(found)

    def replies(self: Workspace, channel_id: str, thread_ts: str) -> list[dict[str, Any]]:
        """A thread's replies, oldest first, without the parent."""
        with self.lock:
            channel = self._require_channel(channel_id)
            found = [m for m in channel.messages.values() if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts]
            return copy.deepcopy(found)

    def message(self: Workspace, channel_id: str, ts: str) -> dict[str, Any] | None:
        with self.lock:
            return copy.deepcopy(self._require_channel(channel_id).messages.get(ts))

    def dms(self: Workspace, user_id: str) -> list[dict[str, Any]]:
        """Every message in the bot's DM with `user_id` (empty if it was never opened)."""
        channel_id = self.im_channel(user_id)
        return self.messages(channel_id) if channel_id else []

    def reactions(self: Workspace, channel_id: str, ts: str) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self._require_message(self._require_channel(channel_id), ts).get("reactions", []))

    def pins(self: Workspace, channel_id: str) -> list[str]:
        """The ts of each pinned message, in pin order."""
        with self.lock:
            return [pin["ts"] for pin in self._require_channel(channel_id).pins]

    def bookmarks(self: Workspace, channel_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self._require_channel(channel_id).bookmarks)

    def ephemerals(self: Workspace, user_id: str | None = None, channel_id: str | None = None) -> list[dict[str, Any]]:
        """`chat.postEphemeral` messages (and ephemeral response_url replies), filtered by user and channel."""
        with self.lock:
            found = [e for e in self._ephemerals if (user_id is None or e["user"] == user_id)
                     and (channel_id is None or e["channel"] == channel_id)]
            return copy.deepcopy(found)

    # messages --------------------------------------------------------------------------------------

    def post_message(
        self: Workspace,
        channel_id: str,
        *,
        user: str,
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        reply_broadcast: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a message from `user` (the bot or a person) and tell the app, like Slack does."""
        with self.lock:
            channel = self._require_channel(channel_id)
            message = self._new_message(user, text, blocks)
            message.update(extra or {})
            parent = self._attach_to_thread(channel, message, thread_ts)
            if parent is not None and reply_broadcast:
                message["subtype"] = "thread_broadcast"
                message["root"] = copy.deepcopy(parent)
            channel.messages[message["ts"]] = message
            self._emit_in(channel, _message_event(channel, message))
            return copy.deepcopy(message)

    def update_message(
        self: Workspace,
        channel_id: str,
        ts: str,
        *,
        editor: str,
        text: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Edit a message in place; the app hears a `message_changed`."""
        with self.lock:
            channel = self._require_channel(channel_id)
            message = self._require_message(channel, ts)
            previous = copy.deepcopy(message)
            if text is not None:
                message["text"] = text
            if blocks is not None:
                message["blocks"] = blocks
            elif text is not None and message.get("user") != self.bot_user_id:
                message["blocks"] = [_rich_text(text, self.new_id("", 4))]
            message.update(extra or {})
            event_ts = self.next_ts()
            message["edited"] = {"user": editor, "ts": event_ts}
            changed = {"type": "message", "subtype": "message_changed", "message": copy.deepcopy(message),
                       "previous_message": previous, "channel": channel.id, "hidden": True,
                       "ts": event_ts, "event_ts": event_ts, "channel_type": channel.event_channel_type}
            self._emit_in(channel, changed)
            return copy.deepcopy(message)

    def delete_message(self: Workspace, channel_id: str, ts: str) -> dict[str, Any]:
        """Remove a message; the app hears a `message_deleted`. Returns the deleted message."""
        with self.lock:
            channel = self._require_channel(channel_id)
            previous = channel.messages.pop(self._require_message(channel, ts)["ts"])
            thread_ts = previous.get("thread_ts")
            if thread_ts and thread_ts != ts and thread_ts in channel.messages:
                self._recount_thread(channel, channel.messages[thread_ts])
            event_ts = self.next_ts()
            deleted = {"type": "message", "subtype": "message_deleted", "previous_message": copy.deepcopy(previous),
                       "channel": channel.id, "hidden": True, "deleted_ts": ts, "event_ts": event_ts,
                       "ts": event_ts, "channel_type": channel.event_channel_type}
            self._emit_in(channel, deleted)
            return copy.deepcopy(previous)

    def add_ephemeral(self: Workspace, record: dict[str, Any]) -> str:
        with self.lock:
            record = {**record, "message_ts": self.next_ts()}
            self._ephemerals.append(record)
            return record["message_ts"]

    # reactions, pins, bookmarks --------------------------------------------------------------------

    def add_reaction(self: Workspace, channel_id: str, ts: str, name: str, *, user: str) -> None:
        with self.lock:
            channel = self._require_channel(channel_id)
            message = self._require_message(channel, ts)
            reactions = message.setdefault("reactions", [])
            entry = next((r for r in reactions if r["name"] == name), None)
            if entry is None:
                entry = {"name": name, "users": [], "count": 0}
                reactions.append(entry)
            if user in entry["users"]:
                raise SlackError("already_reacted")
            entry["users"].append(user)
            entry["count"] = len(entry["users"])
            self._emit_in(channel, self._reaction_event("reaction_added", channel, message, name, user))

    def remove_reaction(self: Workspace, channel_id: str, ts: str, name: str, *, user: str) -> None:
        with self.lock:
            channel = self._require_channel(channel_id)
            message = self._require_message(channel, ts)
            reactions = message.get("reactions", [])
            entry = next((r for r in reactions if r["name"] == name and user in r["users"]), None)
            if entry is None:
                raise SlackError("no_reaction")
            entry["users"].remove(user)
            entry["count"] = len(entry["users"])
            message["reactions"] = [r for r in reactions if r["count"]]
            if not message["reactions"]:
                del message["reactions"]
            self._emit_in(channel, self._reaction_event("reaction_removed", channel, message, name, user))

    def add_pin(self: Workspace, channel_id: str, ts: str, *, by: str) -> None:
        with self.lock:
            channel = self._require_channel(channel_id)
            self._require_message(channel, ts)
            if any(pin["ts"] == ts for pin in channel.pins):
                raise SlackError("already_pinned")
            channel.pins.append({"ts": ts, "created": self.now(), "created_by": by})
            channel.messages[ts].setdefault("pinned_to", []).append(channel.id)

    def pin_records(self: Workspace, channel_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self._require_channel(channel_id).pins)

    def add_bookmark(self: Workspace, channel_id: str, bookmark: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            channel = self._require_channel(channel_id)
            now = self.now()
            stored = {"id": self.new_id("Bk"), "channel_id": channel.id, "date_created": now, "date_updated": 0,
                      "rank": chr(ord("a") + len(channel.bookmarks) % 26), "last_updated_by_user_id": self.bot_user_id,
                      "last_updated_by_team_id": self.team_id, "shortcut_id": None, "entity_id": None,
                      "app_id": self.app_id, "icon_url": None, **bookmark}
            channel.bookmarks.append(stored)
            return copy.deepcopy(stored)

    # internals -------------------------------------------------------------------------------------

    def _new_message(self: Workspace, user: str, text: str, blocks: list[dict[str, Any]] | None) -> dict[str, Any]:
        ts = self.next_ts()
        rendered = blocks if blocks is not None else [_rich_text(text, self.new_id("", 4))] if text else []
        if user == self.bot_user_id:
            message = {"user": user, "type": "message", "ts": ts, "bot_id": self.bot_id, "app_id": self.app_id,
                       "text": text, "team": self.team_id, "bot_profile": self._bot_profile()}
        else:
            message = {"client_msg_id": str(uuid.uuid4()), "type": "message", "text": text, "user": user,
                       "ts": ts, "team": self.team_id}
        if rendered:
            message["blocks"] = rendered
        return message

    def _attach_to_thread(self: Workspace, channel: Channel, message: dict[str, Any],
                          thread_ts: str | None) -> dict[str, Any] | None:
        """Make `message` a reply; a reply to a reply joins the parent's thread, like in Slack."""
        if not thread_ts:
            return None
        parent = channel.messages.get(thread_ts)
        if parent is not None and parent.get("thread_ts") not in (None, parent["ts"]):
            thread_ts = parent["thread_ts"]
            parent = channel.messages.get(thread_ts)
        message["thread_ts"] = thread_ts
        if parent is None:  # Slack does not document refusing an unknown thread_ts; the reply is kept
            return None
        message["parent_user_id"] = parent.get("user")
        parent["thread_ts"] = parent["ts"]
        self._recount_thread(channel, parent, extra_reply=message)
        return parent

    def _recount_thread(self: Workspace, channel: Channel, parent: dict[str, Any],
                        extra_reply: dict[str, Any] | None = None) -> None:
        replies = [m for m in channel.messages.values() if m.get("thread_ts") == parent["ts"] and m is not parent]
        if extra_reply is not None:
            replies.append(extra_reply)
        users = list(dict.fromkeys(m.get("user") for m in replies if m.get("user")))
        parent.update({"reply_count": len(replies), "reply_users_count": len(users), "reply_users": users,
                       "latest_reply": replies[-1]["ts"] if replies else parent["ts"], "is_locked": False,
                       "subscribed": False})

    def _system_message(self: Workspace, channel: Channel, user: str, subtype: str, text: str,
                        **extra: Any) -> None:
        message = {"type": "message", "subtype": subtype, "ts": self.next_ts(), "user": user, "text": text, **extra}
        channel.messages[message["ts"]] = message
        self._emit_in(channel, _message_event(channel, message))

    def _require_message(self: Workspace, channel: Channel, ts: str) -> dict[str, Any]:
        message = channel.messages.get(ts)
        if message is None:
            raise SlackError("message_not_found")
        return message

    def _reaction_event(self: Workspace, kind: str, channel: Channel, message: dict[str, Any], name: str,
                        user: str) -> dict[str, Any]:
        return {"type": kind, "user": user, "item": {"type": "message", "channel": channel.id, "ts": message["ts"]},
                "reaction": name, "item_user": message.get("user"), "event_ts": self.next_ts()}

    def _bot_profile(self: Workspace) -> dict[str, Any]:
        icons = {f"image_{size}": f"https://avatars.slack-edge.com/{self.app_id}_{size}.png" for size in (36, 48, 72)}
        return {"id": self.bot_id, "deleted": False, "name": self.bot_name, "updated": 1700000000,
                "app_id": self.app_id, "icons": icons, "team_id": self.team_id}


def _is_top_level(message: dict[str, Any]) -> bool:
    thread_ts = message.get("thread_ts")
    return thread_ts in (None, message["ts"]) or message.get("subtype") == "thread_broadcast"


def _message_event(channel: Channel, message: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(message), "channel": channel.id, "event_ts": message["ts"],
            "channel_type": channel.event_channel_type}


def _rich_text(text: str, block_id: str) -> dict[str, Any]:
    """The `rich_text` block Slack attaches to a plain-text message."""
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return {"type": "rich_text", "block_id": block_id, "elements": [section]}
