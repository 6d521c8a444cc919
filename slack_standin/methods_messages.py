"""Web API methods about messages and app surfaces: chat, reactions, pins, bookmarks, views, files."""

from __future__ import annotations

from typing import Any

from slack_standin.args import Args
from slack_standin.errors import SlackError
from slack_standin.methods_conversations import Method, member_channel, visible_channel
from slack_standin.models import Channel
from slack_standin.workspace import Workspace

MAX_MESSAGE_BLOCKS = 50
MAX_TEXT = 40_000


def _target_channel(ws: Workspace, channel_arg: str) -> Channel:
    """chat.* take a channel id, or a user id meaning the app's DM with that user."""
    if channel_arg.startswith(("U", "W")) and ws.user(channel_arg) is not None:
        channel_arg, _ = ws.open_im(channel_arg)
    return member_channel(ws, channel_arg)


def _content(args: Args, *, required: bool = True) -> tuple[str, list[dict[str, Any]] | None]:
    text, blocks, attachments = args.str("text"), args.json("blocks"), args.json("attachments")
    if blocks is not None:
        if not isinstance(blocks, list) or not all(isinstance(b, dict) and b.get("type") for b in blocks):
            raise SlackError("invalid_blocks")
        if len(blocks) > MAX_MESSAGE_BLOCKS:
            raise SlackError("invalid_blocks", response_metadata={
                "messages": [f"[ERROR] no more than {MAX_MESSAGE_BLOCKS} items allowed [json-pointer:/blocks]"]})
    if required and not text and not blocks and not attachments:
        raise SlackError("no_text")
    if len(text) > MAX_TEXT:
        raise SlackError("msg_too_long")
    return text, blocks


def _extra(args: Args) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if (attachments := args.json("attachments")) is not None:
        extra["attachments"] = attachments
    if (metadata := args.json("metadata")) is not None:
        extra["metadata"] = metadata
    return extra


def chat_post_message(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = _target_channel(ws, args.str("channel", required=True))
    text, blocks = _content(args)
    message = ws.post_message(channel.id, user=ws.bot_user_id, text=text, blocks=blocks,
                              thread_ts=args.str("thread_ts") or None, reply_broadcast=args.bool("reply_broadcast"),
                              extra=_extra(args))
    return {"channel": channel.id, "ts": message["ts"], "message": message}


def chat_post_ephemeral(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = _target_channel(ws, args.str("channel", required=True))
    user_id = args.str("user", required=True)
    if ws.user(user_id) is None:
        raise SlackError("user_not_found")
    if user_id not in channel.members:
        raise SlackError("user_not_in_channel")
    text, blocks = _content(args)
    ts = ws.add_ephemeral({"user": user_id, "channel": channel.id, "text": text, "blocks": blocks,
                           "thread_ts": args.str("thread_ts") or None, "via": "chat.postEphemeral"})
    return {"message_ts": ts}


def _own_message(ws: Workspace, args: Args, ts_arg: str, refusal: str) -> tuple[Channel, dict[str, Any]]:
    channel = visible_channel(ws, args.str("channel", required=True))
    message = ws.message(channel.id, args.str(ts_arg, required=True))
    if message is None:
        raise SlackError("message_not_found")
    if message.get("user") != ws.bot_user_id:
        raise SlackError(refusal)
    return channel, message


def chat_update(ws: Workspace, args: Args) -> dict[str, Any]:
    channel, message = _own_message(ws, args, "ts", "cant_update_message")
    if channel.is_archived:
        raise SlackError("is_archived")
    text, blocks = _content(args, required=False)
    updated = ws.update_message(channel.id, message["ts"], editor=ws.bot_user_id,
                                text=text if "text" in args.values else None, blocks=blocks, extra=_extra(args))
    return {"channel": channel.id, "ts": updated["ts"], "text": updated.get("text", ""), "message": updated}


def chat_delete(ws: Workspace, args: Args) -> dict[str, Any]:
    channel, message = _own_message(ws, args, "ts", "cant_delete_message")
    ws.delete_message(channel.id, message["ts"])
    return {"channel": channel.id, "ts": message["ts"]}


def chat_get_permalink(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = visible_channel(ws, args.str("channel", required=True))
    message = ws.message(channel.id, args.str("message_ts", required=True))
    if message is None:
        raise SlackError("message_not_found")
    link = f"https://{ws.domain}.slack.com/archives/{channel.id}/p{message['ts'].replace('.', '')}"
    thread_ts = message.get("thread_ts")
    if thread_ts and thread_ts != message["ts"]:
        link += f"?thread_ts={thread_ts}&cid={channel.id}"
    return {"channel": channel.id, "permalink": link}


def _reaction_target(ws: Workspace, args: Args) -> tuple[Channel, str]:
    channel = visible_channel(ws, args.str("channel", required=True))
    ts = args.str("timestamp", required=True)
    if ws.message(channel.id, ts) is None:
        raise SlackError("message_not_found")
    return channel, ts


def reactions_add(ws: Workspace, args: Args) -> dict[str, Any]:
    channel, ts = _reaction_target(ws, args)
    ws.add_reaction(channel.id, ts, args.str("name", required=True).strip(":"), user=ws.bot_user_id)
    return {}


def reactions_remove(ws: Workspace, args: Args) -> dict[str, Any]:
    channel, ts = _reaction_target(ws, args)
    ws.remove_reaction(channel.id, ts, args.str("name", required=True).strip(":"), user=ws.bot_user_id)
    return {}


def reactions_get(ws: Workspace, args: Args) -> dict[str, Any]:
    channel, ts = _reaction_target(ws, args)
    return {"type": "message", "channel": channel.id, "message": ws.message(channel.id, ts)}


def pins_add(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = member_channel(ws, args.str("channel", required=True))
    ws.add_pin(channel.id, args.str("timestamp", required=True), by=ws.bot_user_id)
    return {}


def bookmarks_add(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = member_channel(ws, args.str("channel_id", required=True))
    kind, link = args.str("type", required=True), args.str("link")
    if kind != "link" or not link.startswith(("http://", "https://")):
        raise SlackError("invalid_link" if kind == "link" else "invalid_bookmark_type")
    bookmark = ws.add_bookmark(channel.id, {"title": args.str("title", required=True), "link": link,
                                            "emoji": args.str("emoji") or None, "type": kind,
                                            "entity_id": args.str("entity_id") or None})
    return {"bookmark": bookmark}


def bookmarks_list(ws: Workspace, args: Args) -> dict[str, Any]:
    channel = visible_channel(ws, args.str("channel_id", required=True))
    return {"bookmarks": ws.bookmarks(channel.id)}


def _view_arg(args: Args) -> dict[str, Any]:
    view = args.json("view")
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]})
    return view


def views_open(ws: Workspace, args: Args) -> dict[str, Any]:
    return {"view": ws.open_view(args.str("trigger_id", required=True), _view_arg(args))}


def views_push(ws: Workspace, args: Args) -> dict[str, Any]:
    return {"view": ws.open_view(args.str("trigger_id", required=True), _view_arg(args), push=True)}


def views_update(ws: Workspace, args: Args) -> dict[str, Any]:
    view_id, external_id = args.str("view_id"), args.str("external_id")
    if not view_id and not external_id:
        raise SlackError("invalid_arguments")
    return {"view": ws.update_view(_view_arg(args), view_id=view_id or None, external_id=external_id or None,
                                   hash=args.str("hash") or None)}


def views_publish(ws: Workspace, args: Args) -> dict[str, Any]:
    return {"view": ws.publish_view(args.str("user_id", required=True), _view_arg(args),
                                    hash=args.str("hash") or None)}


def files_get_upload_url_external(ws: Workspace, args: Args) -> dict[str, Any]:
    stored = ws.start_upload(user=ws.bot_user_id, filename=args.str("filename", required=True),
                             length=args.int("length", 0), alt_txt=args.str("alt_txt") or None,
                             snippet_type=args.str("snippet_type") or None)
    return {"upload_url": f"{ws.origin}/upload/v1/{stored.id}", "file_id": stored.id}


def files_complete_upload_external(ws: Workspace, args: Args) -> dict[str, Any]:
    files = args.json("files")
    if not isinstance(files, list) or not files:
        raise SlackError("invalid_arguments")
    channels = args.csv("channels") or ([args.str("channel_id")] if args.str("channel_id") else [])
    if len(channels) > 1:
        raise SlackError("invalid_arguments")  # the stand-in shares into one conversation, as the app does
    channel_id = _target_channel(ws, channels[0]).id if channels else None
    shared = ws.complete_upload(files, user=ws.bot_user_id, channel_id=channel_id,
                                initial_comment=args.str("initial_comment"), thread_ts=args.str("thread_ts") or None)
    return {"files": shared}


METHODS: dict[str, Method] = {
    "chat.postMessage": chat_post_message,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.getPermalink": chat_get_permalink,
    "reactions.add": reactions_add,
    "reactions.remove": reactions_remove,
    "reactions.get": reactions_get,
    "pins.add": pins_add,
    "bookmarks.add": bookmarks_add,
    "bookmarks.list": bookmarks_list,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
    "files.getUploadURLExternal": files_get_upload_url_external,
    "files.completeUploadExternal": files_complete_upload_external,
}
