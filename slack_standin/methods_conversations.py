"""Web API methods about the team, people and conversations. Each takes (workspace, args), returns the body."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from slack_standin.args import Args, page
from slack_standin.errors import SlackError
from slack_standin.models import Channel, conversation_json, profile_json, user_json
from slack_standin.workspace import Workspace

Method = Callable[[Workspace, Args], dict[str, Any]]
MAX_INVITE = 1000
MAX_TOPIC = 250
_NAME_OK = re.compile(r"^[a-z0-9_\-]+$")
# Beyond a-z: letters without case (Hangul, kana, CJK), and their marks, as Slack's clients accept.
_UNCASED_LETTERS = frozenset({"Lo", "Lm", "Mn", "Mc"})


def _name_char_ok(char: str, *, ascii_only: bool) -> bool:
    if _NAME_OK.match(char):
        return True
    return not ascii_only and unicodedata.category(char) in _UNCASED_LETTERS


def visible_channel(ws: Workspace, channel_id: str) -> Channel:
    """The channel as the bot may see it: a private one it is not in does not exist for it."""
    channel = ws.channel(channel_id)
    if channel is None or (channel.is_private and ws.bot_user_id not in channel.members):
        raise SlackError("channel_not_found")
    return channel


def member_channel(ws: Workspace, channel_id: str, *, writable: bool = True) -> Channel:
    channel = visible_channel(ws, channel_id)
    if ws.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    if writable and channel.is_archived:
        raise SlackError("is_archived")
    return channel


def _conv(ws: Workspace, channel_id: str) -> dict[str, Any]:
    return conversation_json(ws.channel(channel_id), ws.bot_user_id, ws.team_id)


def auth_test(ws: Workspace, args: Args) -> dict[str, Any]:
    return {"url": f"https://{ws.domain}.slack.com/", "team": ws.team_name, "user": ws.bot_name,
            "team_id": ws.team_id, "user_id": ws.bot_user_id, "bot_id": ws.bot_id, "is_enterprise_install": False}


def team_info(ws: Workspace, args: Args) -> dict[str, Any]:
    icon = {f"image_{n}": f"https://avatars.slack-edge.com/{ws.team_id}_{n}.png" for n in (34, 44, 68, 88, 102)}
    return {"team": {"id": ws.team_id, "name": ws.team_name, "url": f"https://{ws.domain}.slack.com/",
                     "domain": ws.domain, "email_domain": f"{ws.domain}.example.com",
                     "icon": {**icon, "image_default": True}, "avatar_base_url": "https://ca.slack-edge.com/",
                     "is_verified": False}}


def conversations_create(ws: Workspace, args: Args) -> dict[str, Any]:
    name = args.str("name")
    if not name:
        raise SlackError("invalid_name_required")
    if len(name) > 80:
        raise SlackError("invalid_name_maxlength")
    if not all(_name_char_ok(c, ascii_only=ws.ascii_channel_names_only) for c in name):
        raise SlackError("invalid_name_specials")
    if not any(c.isalnum() for c in name):
        raise SlackError("invalid_name_punctuation")
    channel = ws.create_channel(name, creator=ws.bot_user_id, is_private=args.bool("is_private"))
    return {"channel": _conv(ws, channel.id)}


def conversations_invite(ws: Workspace, args: Args) -> dict[str, Any]:
    """Invite many; without `force` one bad user id fails the whole call, with it the valid ones still join.

    Per-user failures come back as `errors: [{user, ok: false, error}]` on an `ok: false` answer, the
    shape Slack's error schema for this method allows.
    """
    channel = member_channel(ws, args.str("channel", required=True))
    if channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    users = list(dict.fromkeys(args.csv("users")))
    if not users:
        raise SlackError("no_user")
    if len(users) > MAX_INVITE:
        raise SlackError("too_many_users")
    errors = [{"user": u, "ok": False, "error": code} for u in users if (code := _invite_problem(ws, channel, u))]
    failed = {e["user"] for e in errors}
    if not errors or args.bool("force"):
        for user_id in users:
            if user_id not in failed:
                ws.join(channel.id, user_id, inviter=ws.bot_user_id)
    if errors:
        raise SlackError(errors[0]["error"], **({"errors": errors} if len(users) > 1 or args.bool("force") else {}))
    return {"channel": _conv(ws, channel.id)}


def _invite_problem(ws: Workspace, channel: Channel, user_id: str) -> str | None:
    user = ws.user(user_id)
    if user is None or user.deleted:
        return "user_not_found"
    if user_id == ws.bot_user_id:
        return "cant_invite_self"
    if user_id in channel.members:
        return "already_in_channel"
    return None


def conversations_kick(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = member_channel(ws, args.str("channel", required=True))
    user_id = args.str("user", required=True)
    if ws.user(user_id) is None:
        raise SlackError("user_not_found")
    if user_id == ws.bot_user_id:
        raise SlackError("cant_kick_self")
    if user_id not in channel.members:
        raise SlackError("not_in_channel")
    ws.leave(channel.id, user_id)
    return {}


def conversations_join(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = visible_channel(ws, args.str("channel", required=True))
    if channel.is_private:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    if ws.bot_user_id in channel.members:
        return {"channel": _conv(ws, channel.id), "warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]}}
    ws.join(channel.id, ws.bot_user_id)
    return {"channel": _conv(ws, channel.id)}


def conversations_info(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = visible_channel(ws, args.str("channel", required=True))
    body = conversation_json(channel, ws.bot_user_id, ws.team_id)
    if not args.bool("include_num_members"):
        body.pop("num_members", None)
    if args.bool("include_locale"):
        body["locale"] = "en-US"
    return {"channel": body}


def conversations_members(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = visible_channel(ws, args.str("channel", required=True))
    members, cursor = page(channel.members, args)
    return {"members": members, "response_metadata": {"next_cursor": cursor}}


def conversations_list(ws: Workspace, args: Args) -> dict[str, Any]:
    types = set(args.csv("types") or ["public_channel"])
    found = []
    for channel in ws.channels():
        kind = ("im" if channel.is_im else "mpim" if channel.is_mpim
                else "private_channel" if channel.is_private else "public_channel")
        if kind not in types or (args.bool("exclude_archived") and channel.is_archived):
            continue
        if channel.is_private and ws.bot_user_id not in channel.members:
            continue
        found.append(conversation_json(channel, ws.bot_user_id, ws.team_id))
    channels, cursor = page(found, args)
    return {"channels": channels, "response_metadata": {"next_cursor": cursor}}


def _set_text(which: str) -> Method:
    def method(ws: Workspace, args: Args) -> dict[str, Any]:
        channel = member_channel(ws, args.str("channel", required=True))
        value = args.str(which)
        if len(value) > MAX_TOPIC:
            raise SlackError("too_long")
        ws.set_topic_or_purpose(channel.id, which, value, by=ws.bot_user_id)
        return {which: value, "channel": _conv(ws, channel.id)}

    return method


def conversations_archive(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = visible_channel(ws, args.str("channel", required=True))
    if channel.is_general:
        raise SlackError("cant_archive_general")
    if channel.is_archived:
        raise SlackError("already_archived")
    if channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    ws.set_archived(channel.id, True, by=ws.bot_user_id)
    return {}


def conversations_unarchive(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = visible_channel(ws, args.str("channel", required=True))
    if not channel.is_archived:
        raise SlackError("not_archived")
    ws.set_archived(channel.id, False, by=ws.bot_user_id)
    return {}


def conversations_open(ws: Workspace, args: Args) -> dict[str, Any]:
    """A DM for one user, a group DM for several; `channel` re-opens an existing one."""
    users = args.csv("users")
    if not users:
        channel = visible_channel(ws, args.str("channel", required=True))
        return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
    for user_id in users:
        user = ws.user(user_id)
        if user is None or user.deleted:
            raise SlackError("user_not_found")
    if len(users) > 8:
        raise SlackError("too_many_users")
    channel_id, existed = ws.open_im(users[0]) if len(users) == 1 else ws.open_mpim(users)
    body: dict[str, Any] = {"channel": _conv(ws, channel_id) if args.bool("return_im") else {"id": channel_id}}
    if existed:
        body.update(no_op=True, already_open=True)
    return body


def conversations_history(ws: Workspace, args: Args) -> dict[str, Any]:
    """Newest first, top-level messages (system notices included, as Slack returns them)."""
    channel = member_channel(ws, args.str("channel", required=True), writable=False)
    oldest, latest = args.str("oldest", default="0"), args.str("latest")
    inclusive = args.bool("inclusive")
    found = [m for m in reversed(ws.messages(channel.id, include_system=True))
             if _in_range(m["ts"], oldest, latest, inclusive)]
    messages, cursor = page(found, args)
    return {"messages": messages, "has_more": bool(cursor), "pin_count": len(channel.pins),
            "channel_actions_ts": None, "channel_actions_count": 0, "response_metadata": {"next_cursor": cursor}}


def _in_range(ts: str, oldest: str, latest: str, inclusive: bool) -> bool:
    try:
        value, low, high = float(ts), float(oldest or 0), float(latest) if latest else float("inf")
    except ValueError:
        raise SlackError("invalid_ts_oldest") from None
    return (low <= value <= high) if inclusive else (low < value < high)


def conversations_replies(ws: Workspace, args: Args) -> dict[str, Any]:
    """The parent first, then its replies, oldest first."""
    channel = member_channel(ws, args.str("channel", required=True), writable=False)
    ts = args.str("ts", required=True)
    parent = ws.message(channel.id, ts)
    if parent is None:
        raise SlackError("thread_not_found")
    thread_ts = parent.get("thread_ts", ts)
    found = [ws.message(channel.id, thread_ts) or parent, *ws.replies(channel.id, thread_ts)]
    messages, cursor = page(found, args, default_limit=1000)
    return {"messages": messages, "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}


def users_info(ws: Workspace, args: Args) -> dict[str, Any]:
    user = ws.user(args.str("user", required=True))
    if user is None:
        raise SlackError("user_not_found")
    return {"user": user_json(user, ws.team_id, include_locale=args.bool("include_locale"))}


def users_lookup_by_email(ws: Workspace, args: Args) -> dict[str, Any]:
    user = ws.user_by_email(args.str("email", required=True))
    if user is None:
        raise SlackError("users_not_found")
    return {"user": user_json(user, ws.team_id)}


def users_profile_get(ws: Workspace, args: Args) -> dict[str, Any]:
    user = ws.user(args.str("user", default=ws.bot_user_id))
    if user is None:
        raise SlackError("user_not_found")
    return {"profile": profile_json(user, ws.team_id, with_fields=True)}


def users_list(ws: Workspace, args: Args) -> dict[str, Any]:
    everyone = [user_json(u, ws.team_id, include_locale=args.bool("include_locale")) for u in ws.users()]
    members, cursor = page(everyone, args, default_limit=1000)
    return {"members": members, "cache_ts": ws.now(), "response_metadata": {"next_cursor": cursor}}


def usergroups_users_list(ws: Workspace, args: Args) -> dict[str, Any]:
    return {"users": ws.usergroup_users(args.str("usergroup", required=True),
                                        include_disabled=args.bool("include_disabled"))}


METHODS: dict[str, Method] = {
    "api.test": lambda ws, args: {"args": {k: v for k, v in args.values.items() if k != "token"}},
    "auth.test": auth_test,
    "team.info": team_info,
    "conversations.create": conversations_create,
    "conversations.invite": conversations_invite,
    "conversations.kick": conversations_kick,
    "conversations.join": conversations_join,
    "conversations.info": conversations_info,
    "conversations.members": conversations_members,
    "conversations.list": conversations_list,
    "conversations.setTopic": _set_text("topic"),
    "conversations.setPurpose": _set_text("purpose"),
    "conversations.archive": conversations_archive,
    "conversations.unarchive": conversations_unarchive,
    "conversations.open": conversations_open,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
    "users.profile.get": users_profile_get,
    "users.list": users_list,
    "usergroups.users.list": usergroups_users_list,
}
