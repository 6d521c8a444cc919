"""The in-memory Slack workspace: users, channels, membership, and what tests read back.

One re-entrant lock guards everything. Accessors hand out deep copies, so a test can never
see a half-made change nor change the workspace behind the stand-in's back. Messages, views,
files and the rest live in the mixins in `_content.py` and `_surfaces.py`; they share the lock.
"""

from __future__ import annotations

import copy
import random
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_standin._content import ContentMixin
from slack_standin._surfaces import SurfacesMixin
from slack_standin.errors import SlackError
from slack_standin.models import Channel, User

EventListener = Callable[[dict[str, Any]], None]
_ID_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class Clock:
    """Wall-clock time that tests can move forward, to expire triggers and response URLs without sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds


class Workspace(ContentMixin, SurfacesMixin):
    """One Slack team with one installed app, whose bot user exists from the start."""

    def __init__(
        self,
        *,
        team_id: str,
        team_name: str,
        bot_user_id: str,
        bot_id: str,
        bot_name: str,
        app_id: str,
        clock: Clock | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.team_id = team_id
        self.team_name = team_name
        self.domain = re.sub(r"[^a-z0-9]+", "-", team_name.lower()).strip("-") or "standin"
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        # Slack takes uncased letters (Hangul) in channel names; a test sets this to see the ASCII fallback.
        self.ascii_channel_names_only = False
        self.clock = clock or Clock()
        self.listeners: list[EventListener] = []
        self._rng = random.Random(team_id)
        self._issued_ids: set[str] = set()
        self._last_ts_us = 0
        self._users: dict[str, User] = {}
        self._channels: dict[str, Channel] = {}
        self._usergroups: dict[str, dict[str, Any]] = {}
        self._init_content()
        self._init_surfaces()
        self._users[bot_user_id] = User(
            id=bot_user_id,
            name=bot_name,
            real_name=bot_name,
            email=None,
            tz="America/Los_Angeles",
            locale="en-US",
            is_bot=True,
            bot_id=bot_id,
            updated=int(self.clock.now()),
        )
        self.general_id = self.add_channel("general")
        with self.lock:
            self._channels[self.general_id].is_general = True

    # ids and timestamps ---------------------------------------------------------------------------

    def new_id(self, prefix: str, length: int = 10) -> str:
        """A fresh Slack-looking id (`C…`, `U…`, `V…`); deterministic per team for readable failures."""
        with self.lock:
            while True:
                candidate = prefix + "".join(self._rng.choice(_ID_ALPHABET) for _ in range(length))
                if candidate not in self._issued_ids:
                    self._issued_ids.add(candidate)
                    return candidate

    def next_ts(self) -> str:
        """A message timestamp, strictly increasing, in Slack's `1700000000.000100` form."""
        with self.lock:
            now_us = int(self.clock.now() * 1_000_000)
            self._last_ts_us = max(now_us, self._last_ts_us + 1)
            return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def now(self) -> int:
        return int(self.clock.now())

    # seeding -----------------------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        *,
        id: str | None = None,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "Asia/Seoul",
        locale: str = "ko-KR",
        deleted: bool = False,
        is_bot: bool = False,
        profile_fields: dict[str, Any] | None = None,
        title: str = "",
        display_name: str | None = None,
    ) -> str:
        """Add a person (or another bot); like Slack, they join #general. Returns the user id."""
        with self.lock:
            user_id = id or self.new_id("U")
            if user_id in self._users:
                raise ValueError(f"user {user_id} already exists")
            self._issued_ids.add(user_id)
            fields = {key: _profile_field(value) for key, value in (profile_fields or {}).items()}
            self._users[user_id] = User(
                id=user_id,
                name=name,
                real_name=real_name if real_name is not None else name,
                email=email if email is not None else f"{name}@{self.domain}.example.com",
                tz=tz,
                locale=locale,
                deleted=deleted,
                is_bot=is_bot,
                bot_id=self.new_id("B") if is_bot else None,
                title=title,
                display_name=display_name if display_name is not None else name,
                profile_fields=fields,
                updated=self.now(),
            )
            if not deleted and not is_bot and hasattr(self, "general_id"):
                self._channels[self.general_id].members.append(user_id)
            return user_id

    def deactivate_user(self, user_id: str) -> None:
        """Deactivate like an admin would: `deleted: true`, and out of every channel."""
        with self.lock:
            self._require_user(user_id).deleted = True
            for channel in self._channels.values():
                if user_id in channel.members and not channel.is_im:
                    channel.members.remove(user_id)

    def add_channel(
        self,
        name: str,
        *,
        is_private: bool = False,
        members: Iterable[str] = (),
        id: str | None = None,
        creator: str | None = None,
        topic: str = "",
        purpose: str = "",
    ) -> str:
        """Seed a channel quietly (no join messages, no events). Returns the channel id."""
        with self.lock:
            channel_id = id or self.new_id("C")
            self._issued_ids.add(channel_id)
            channel = Channel(
                id=channel_id,
                name=name,
                created=self.now(),
                creator=creator or self.bot_user_id,
                is_private=is_private,
                members=list(dict.fromkeys(members)),
            )
            for key, value in (("topic", topic), ("purpose", purpose)):
                if value:
                    setattr(channel, key, {"value": value, "creator": channel.creator, "last_set": channel.created})
            self._channels[channel_id] = channel
            return channel_id

    def add_usergroup(self, handle: str, users: Iterable[str], *, id: str | None = None, name: str = "") -> str:
        with self.lock:
            group_id = id or self.new_id("S")
            self._usergroups[group_id] = {"id": group_id, "handle": handle, "name": name or handle,
                                          "users": list(users), "date_delete": 0}
            return group_id

    # reading -----------------------------------------------------------------------------------------

    def user(self, user_id: str) -> User | None:
        with self.lock:
            return copy.deepcopy(self._users.get(user_id))

    def user_by_email(self, email: str) -> User | None:
        with self.lock:
            found = next((u for u in self._users.values() if (u.email or "").lower() == email.lower()), None)
            return copy.deepcopy(found)

    def users(self) -> list[User]:
        with self.lock:
            return copy.deepcopy(list(self._users.values()))

    def channel(self, channel_id: str) -> Channel | None:
        with self.lock:
            return copy.deepcopy(self._channels.get(channel_id))

    def channel_by_name(self, name: str) -> Channel | None:
        with self.lock:
            found = next((c for c in self._channels.values() if c.name == name.lstrip("#")), None)
            return copy.deepcopy(found)

    def channels(self) -> list[Channel]:
        with self.lock:
            return copy.deepcopy(list(self._channels.values()))

    def members(self, channel_id: str) -> list[str]:
        with self.lock:
            return list(self._require_channel(channel_id).members)

    def usergroup(self, group_id: str) -> dict[str, Any] | None:
        with self.lock:
            return copy.deepcopy(self._usergroups.get(group_id))

    def im_channel(self, user_id: str) -> str | None:
        """The id of the bot's DM with `user_id`, if it was ever opened."""
        with self.lock:
            found = next((c for c in self._channels.values() if c.is_im and c.im_user == user_id), None)
            return found.id if found else None

    # changing channels ---------------------------------------------------------------------------

    def create_channel(self, name: str, *, creator: str, is_private: bool) -> Channel:
        with self.lock:
            if any(c.name == name for c in self._channels.values()):
                raise SlackError("name_taken")
            channel_id = self.add_channel(name, is_private=is_private, members=[creator], creator=creator)
            return copy.deepcopy(self._channels[channel_id])

    def join(self, channel_id: str, user_id: str, *, inviter: str | None = None) -> None:
        """Add a member the way Slack shows it: a `channel_join` message and `member_joined_channel`."""
        with self.lock:
            channel = self._require_channel(channel_id)
            if user_id in channel.members:
                return
            channel.members.append(user_id)
            extra = {"inviter": inviter} if inviter else {}
            self._system_message(channel, user_id, "channel_join", f"<@{user_id}> has joined the channel", **extra)
            event = {"type": "member_joined_channel", "user": user_id, "channel": channel.id,
                     "channel_type": "G" if channel.is_private else "C", "team": self.team_id, **extra,
                     "event_ts": self.next_ts()}
            self._emit_in(channel, event)

    def leave(self, channel_id: str, user_id: str) -> None:
        with self.lock:
            channel = self._require_channel(channel_id)
            self._system_message(channel, user_id, "channel_leave", f"<@{user_id}> has left the channel")
            event = {"type": "member_left_channel", "user": user_id, "channel": channel.id,
                     "channel_type": "G" if channel.is_private else "C", "team": self.team_id,
                     "event_ts": self.next_ts()}
            self._emit_in(channel, event)
            channel.members.remove(user_id)

    def set_archived(self, channel_id: str, archived: bool, *, by: str) -> None:
        with self.lock:
            channel = self._require_channel(channel_id)
            if archived:
                self._system_message(channel, by, "channel_archive", "archived the channel")
            channel.is_archived = archived
            if not archived:
                self._system_message(channel, by, "channel_unarchive", "un-archived the channel")

    def set_topic_or_purpose(self, channel_id: str, which: str, value: str, *, by: str) -> None:
        with self.lock:
            channel = self._require_channel(channel_id)
            setattr(channel, which, {"value": value, "creator": by, "last_set": self.now()})
            self._system_message(channel, by, f"channel_{which}", f"set the channel {which}: {value}",
                                 **{which: value})

    def open_im(self, user_id: str) -> tuple[str, bool]:
        """The bot's DM with a user, opened if needed. Returns (channel id, already open)."""
        with self.lock:
            existing = self.im_channel(user_id)
            if existing:
                return existing, True
            channel_id = self.new_id("D")
            self._channels[channel_id] = Channel(
                id=channel_id, name=user_id, created=self.now(), creator=self.bot_user_id, is_private=True,
                is_im=True, im_user=user_id, members=[self.bot_user_id, user_id],
            )
            return channel_id, False

    def open_mpim(self, user_ids: list[str]) -> tuple[str, bool]:
        with self.lock:
            wanted = {self.bot_user_id, *user_ids}
            for channel in self._channels.values():
                if channel.is_mpim and set(channel.members) == wanted:
                    return channel.id, True
            names = "--".join(self._users[u].name for u in user_ids)
            channel_id = self.add_channel(f"mpdm-{self.bot_name}--{names}-1", is_private=True,
                                          members=[self.bot_user_id, *user_ids], id=self.new_id("C"))
            self._channels[channel_id].is_mpim = True
            return channel_id, False

    # internals shared with the mixins ------------------------------------------------------------

    def _require_user(self, user_id: str) -> User:
        user = self._users.get(user_id)
        if user is None:
            raise SlackError("user_not_found")
        return user

    def _require_channel(self, channel_id: str) -> Channel:
        channel = self._channels.get(channel_id)
        if channel is None:
            raise SlackError("channel_not_found")
        return channel

    def emit_app_event(self, event: dict[str, Any]) -> None:
        """An event about the app itself (uninstalled, tokens revoked), not about a conversation."""
        with self.lock:
            self._emit(event)

    def _emit(self, event: dict[str, Any]) -> None:
        """Hand an event to the listeners (the stand-in's delivery queue), in order, under the lock."""
        for listener in self.listeners:
            listener(copy.deepcopy(event))

    def _emit_in(self, channel: Channel, event: dict[str, Any]) -> None:
        """Slack only tells an app about conversations its bot is a member of."""
        if self.bot_user_id in channel.members:
            self._emit(event)


def _profile_field(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {"value": str(value.get("value", "")), "alt": str(value.get("alt", "")),
                **({"label": str(value["label"])} if "label" in value else {})}
    return {"value": str(value), "alt": ""}
