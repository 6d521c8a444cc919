"""Records the workspace holds, and how each renders as the JSON object Slack returns."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SYSTEM_SUBTYPES = frozenset(
    {"channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_archive", "channel_unarchive"}
)


@dataclass
class User:
    id: str
    name: str
    real_name: str
    email: str | None
    tz: str
    locale: str
    deleted: bool = False
    is_bot: bool = False
    bot_id: str | None = None
    title: str = ""
    display_name: str = ""
    profile_fields: dict[str, dict[str, str]] = field(default_factory=dict)
    updated: int = 0


@dataclass
class Channel:
    id: str
    name: str
    created: int
    creator: str
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_general: bool = False
    is_archived: bool = False
    im_user: str | None = None
    members: list[str] = field(default_factory=list)
    topic: dict[str, Any] = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    purpose: dict[str, Any] = field(default_factory=lambda: {"value": "", "creator": "", "last_set": 0})
    previous_names: list[str] = field(default_factory=list)
    # Every message, top level and thread replies, keyed by ts; ts are issued in increasing order.
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    pins: list[dict[str, Any]] = field(default_factory=list)
    bookmarks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def event_channel_type(self) -> str:
        """`channel_type` in message events."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "group" if self.is_private else "channel"


@dataclass
class StoredFile:
    id: str
    name: str
    title: str
    user: str
    created: int
    length: int
    content: bytes | None = None
    alt_txt: str | None = None
    snippet_type: str | None = None
    channels: list[str] = field(default_factory=list)
    shares: dict[str, list[str]] = field(default_factory=dict)  # channel id -> message ts


@dataclass
class Trigger:
    user_id: str
    created: float
    used: bool = False


@dataclass
class ResponseUrl:
    token: str
    user_id: str
    channel_id: str | None
    created: float
    message_ts: str | None = None
    is_ephemeral: bool = False
    replies: list[dict[str, Any]] = field(default_factory=list)


def tz_details(tz: str) -> tuple[str, int]:
    """Slack's `tz_label` and `tz_offset` (seconds) for an IANA zone, now."""
    try:
        now = datetime.now(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC", 0
    offset = now.utcoffset()
    return now.tzname() or tz, int(offset.total_seconds()) if offset else 0


def profile_json(user: User, team_id: str, *, with_fields: bool = False) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "title": user.title,
        "phone": "",
        "skype": "",
        "real_name": user.real_name,
        "real_name_normalized": user.real_name,
        "display_name": user.display_name,
        "display_name_normalized": user.display_name,
        "fields": dict(user.profile_fields) if with_fields else None,
        "status_text": "",
        "status_emoji": "",
        "status_expiration": 0,
        "avatar_hash": "g" + user.id[-11:].lower(),
        "image_72": f"https://avatars.slack-edge.com/{user.id}_72.png",
        "image_192": f"https://avatars.slack-edge.com/{user.id}_192.png",
        "first_name": user.real_name.split(" ")[0] if user.real_name else "",
        "last_name": " ".join(user.real_name.split(" ")[1:]),
        "team": team_id,
    }
    if user.email is not None and not user.is_bot:
        profile["email"] = user.email
    if user.is_bot:
        profile["bot_id"] = user.bot_id
        profile["always_active"] = True
    return profile


def user_json(user: User, team_id: str, *, include_locale: bool = False) -> dict[str, Any]:
    label, offset = tz_details(user.tz)
    body: dict[str, Any] = {
        "id": user.id,
        "team_id": team_id,
        "name": user.name,
        "deleted": user.deleted,
        "color": "9f69e7",
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_label": label,
        "tz_offset": offset,
        "profile": profile_json(user, team_id),
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": user.updated,
        "is_email_confirmed": not user.is_bot,
    }
    if include_locale:
        body["locale"] = user.locale
    return body


def conversation_json(channel: Channel, viewer: str, team_id: str) -> dict[str, Any]:
    """A conversation object as `viewer` (the bot) sees it."""
    if channel.is_im:
        return {
            "id": channel.id,
            "created": channel.created,
            "is_archived": False,
            "is_im": True,
            "is_org_shared": False,
            "context_team_id": team_id,
            "updated": channel.created * 1000,
            "user": channel.im_user,
            "is_user_deleted": False,
            "priority": 0,
        }
    return {
        "id": channel.id,
        "name": channel.name,
        "is_channel": not channel.is_mpim,
        "is_group": False,
        "is_im": False,
        "is_mpim": channel.is_mpim,
        "is_private": channel.is_private,
        "created": channel.created,
        "is_archived": channel.is_archived,
        "is_general": channel.is_general,
        "unlinked": 0,
        "name_normalized": channel.name,
        "is_shared": False,
        "is_org_shared": False,
        "is_pending_ext_shared": False,
        "pending_shared": [],
        "context_team_id": team_id,
        "updated": channel.created * 1000,
        "parent_conversation": None,
        "creator": channel.creator,
        "is_ext_shared": False,
        "shared_team_ids": [team_id],
        "pending_connected_team_ids": [],
        "is_member": viewer in channel.members,
        "topic": dict(channel.topic),
        "purpose": dict(channel.purpose),
        "previous_names": list(channel.previous_names),
        "num_members": len(channel.members),
    }


def file_json(stored: StoredFile, *, channels: dict[str, Channel], origin: str, domain: str) -> dict[str, Any]:
    """A file object; `channels` resolves the shares into public / private / im lists."""
    shared = [channels[c] for c in stored.channels if c in channels]
    mimetype = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    extension = stored.name.rsplit(".", 1)[-1].lower() if "." in stored.name else "binary"
    url = f"{origin}/files/{stored.id}/{stored.name}"
    return {
        "id": stored.id,
        "created": stored.created,
        "timestamp": stored.created,
        "name": stored.name,
        "title": stored.title,
        "mimetype": mimetype,
        "filetype": stored.snippet_type or extension,
        "pretty_type": extension.upper(),
        "user": stored.user,
        "editable": False,
        "size": stored.length,
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": any(not c.is_private and not c.is_im for c in shared),
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": url,
        "url_private_download": url + "?download=1",
        "permalink": f"https://{domain}.slack.com/files/{stored.user}/{stored.id}/{stored.name}",
        "permalink_public": f"https://slack-files.com/{stored.id}",
        "channels": [c.id for c in shared if not c.is_private and not c.is_im],
        "groups": [c.id for c in shared if c.is_private and not c.is_im],
        "ims": [c.id for c in shared if c.is_im],
        "comments_count": 0,
        "has_rich_preview": False,
        "file_access": "visible",
        "shares": _shares_json(stored, shared),
    }


def _shares_json(stored: StoredFile, shared: list[Channel]) -> dict[str, Any]:
    shares: dict[str, Any] = {}
    for channel in shared:
        kind = "public" if not channel.is_private and not channel.is_im else "private"
        ts = stored.shares.get(channel.id)
        entry = {"reply_users": [], "reply_users_count": 0, "reply_count": 0, "ts": ts, "channel_name": channel.name}
        shares.setdefault(kind, {})[channel.id] = [entry]
    return shares
