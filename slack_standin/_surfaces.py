"""App surfaces for `Workspace`: modals and Home tabs, triggers, file uploads, usergroups, response URLs."""

from __future__ import annotations

import copy
import hashlib
from typing import TYPE_CHECKING, Any

from slack_standin.errors import SlackError
from slack_standin.models import ResponseUrl, StoredFile, Trigger, file_json

if TYPE_CHECKING:
    from slack_standin.workspace import Workspace

TRIGGER_TTL = 3.0  # seconds: a trigger_id must be used within 3 s
RESPONSE_URL_TTL = 30 * 60  # a response_url works for 30 minutes ...
RESPONSE_URL_USES = 5  # ... and at most 5 times
MAX_VIEW_BLOCKS = 100
MAX_MODAL_STACK = 3


class SurfacesMixin:
    """Methods mixed into `Workspace`; `self` is the workspace and every method takes its lock."""

    def _init_surfaces(self: Workspace) -> None:
        self.origin = "http://127.0.0.1"  # set by the server once it knows its port
        self._views: dict[str, dict[str, Any]] = {}
        self._home: dict[str, str] = {}  # user id -> view id of their Home tab
        self._stacks: dict[str, list[str]] = {}  # user id -> open modal view ids, root first
        self._triggers: dict[str, Trigger] = {}
        self._files: dict[str, StoredFile] = {}
        self._response_urls: dict[str, ResponseUrl] = {}
        self._responses: list[dict[str, Any]] = []

    # reading -----------------------------------------------------------------------------------------

    def view(self: Workspace, view_id: str) -> dict[str, Any] | None:
        with self.lock:
            return copy.deepcopy(self._views.get(view_id))

    def views(self: Workspace, user_id: str | None = None) -> list[dict[str, Any]]:
        """Every view ever opened or published (latest version of each), optionally for one user."""
        with self.lock:
            found = [v for v in self._views.values() if user_id is None or v["_user"] == user_id]
            return [_public_view(v) for v in found]

    def home_view(self: Workspace, user_id: str) -> dict[str, Any] | None:
        with self.lock:
            view_id = self._home.get(user_id)
            return _public_view(self._views[view_id]) if view_id else None

    def modal_stack(self: Workspace, user_id: str) -> list[dict[str, Any]]:
        """The modals open for a user, root first (what their screen shows is the last)."""
        with self.lock:
            return [_public_view(self._views[v]) for v in self._stacks.get(user_id, [])]

    def files(self: Workspace, channel_id: str | None = None) -> list[StoredFile]:
        with self.lock:
            found = [f for f in self._files.values() if channel_id is None or channel_id in f.channels]
            return copy.deepcopy(found)

    def file(self: Workspace, file_id: str) -> StoredFile | None:
        with self.lock:
            return copy.deepcopy(self._files.get(file_id))

    def responses(self: Workspace, user_id: str | None = None) -> list[dict[str, Any]]:
        """What the app posted to response URLs, oldest first."""
        with self.lock:
            return copy.deepcopy([r for r in self._responses if user_id is None or r["user"] == user_id])

    # triggers and views ----------------------------------------------------------------------------

    def new_trigger(self: Workspace, user_id: str) -> str:
        """A trigger id, as an interaction carries it; valid for 3 s of stand-in clock, once."""
        with self.lock:
            trigger_id = f"{self.now()}.{self.new_id('', 8)}.{self._rng.getrandbits(64):016x}"
            self._triggers[trigger_id] = Trigger(user_id=user_id, created=self.clock.now())
            return trigger_id

    def open_view(self: Workspace, trigger_id: str, view: dict[str, Any], *, push: bool = False) -> dict[str, Any]:
        """views.open / views.push: a modal on top of the user's stack."""
        with self.lock:
            user_id = self._use_trigger(trigger_id)
            stack = self._stacks.setdefault(user_id, [])
            if push and not stack:
                raise SlackError("not_found")  # Slack: no modal to push onto
            if not push:
                stack.clear()
            if len(stack) >= MAX_MODAL_STACK:
                raise SlackError("push_limit_reached")
            root = stack[0] if stack else None
            stored = self._store_view(view, user_id, kind="modal", root_id=root,
                                      previous=stack[-1] if stack else None)
            stack.append(stored["id"])
            return _public_view(stored)

    def update_view(self: Workspace, view: dict[str, Any], *, view_id: str | None = None,
                    external_id: str | None = None, hash: str | None = None) -> dict[str, Any]:
        with self.lock:
            current = self._find_view(view_id, external_id)
            if hash and hash != current["hash"]:
                raise SlackError("hash_conflict")
            stored = self._store_view(view, current["_user"], kind=current["type"], root_id=current["root_view_id"],
                                      previous=current.get("previous_view_id"), view_id=current["id"])
            return _public_view(stored)

    def publish_view(self: Workspace, user_id: str, view: dict[str, Any], *, hash: str | None = None) -> dict[str, Any]:
        """views.publish: the user's Home tab, replaced whole."""
        with self.lock:
            self._require_user(user_id)
            if view.get("type") != "home":
                raise SlackError("invalid_arguments", response_metadata={
                    "messages": ["[ERROR] must be a valid enum value [json-pointer:/view/type]"]})
            existing = self._home.get(user_id)
            if hash and existing and hash != self._views[existing]["hash"]:
                raise SlackError("hash_conflict")
            stored = self._store_view(view, user_id, kind="home", root_id=None, previous=None, view_id=existing)
            self._home[user_id] = stored["id"]
            return _public_view(stored)

    def close_view(self: Workspace, view_id: str) -> None:
        """The user closed (or submitted with `clear`) a modal: it leaves their stack."""
        with self.lock:
            for stack in self._stacks.values():
                if view_id in stack:
                    del stack[stack.index(view_id):]

    def set_view_state(self: Workspace, view_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """What the user typed, as `state.values`; returned view is what Slack sends with view_submission."""
        with self.lock:
            stored = self._find_view(view_id, None)
            stored["state"] = {"values": copy.deepcopy(values)}
            return _public_view(stored)

    # files -------------------------------------------------------------------------------------------

    def start_upload(self: Workspace, *, user: str, filename: str, length: int, alt_txt: str | None = None,
                     snippet_type: str | None = None) -> StoredFile:
        """files.getUploadURLExternal: a file id awaiting its bytes."""
        with self.lock:
            if not filename or length < 1:
                raise SlackError("invalid_arguments")
            stored = StoredFile(id=self.new_id("F"), name=filename, title=filename, user=user, created=self.now(),
                                length=length, alt_txt=alt_txt, snippet_type=snippet_type)
            self._files[stored.id] = stored
            return copy.deepcopy(stored)

    def receive_upload(self: Workspace, file_id: str, content: bytes) -> bool:
        with self.lock:
            stored = self._files.get(file_id)
            if stored is None or stored.content is not None:
                return False
            stored.content = content
            stored.length = len(content)
            return True

    def complete_upload(self: Workspace, files: list[dict[str, Any]], *, user: str, channel_id: str | None,
                        initial_comment: str = "", thread_ts: str | None = None) -> list[dict[str, Any]]:
        """files.completeUploadExternal: name the files and share them in one message, comment as its text."""
        with self.lock:
            stored = []
            for entry in files:
                found = self._files.get(str(entry.get("id", "")))
                if found is None or found.content is None:
                    raise SlackError("file_not_found")
                found.title = entry.get("title") or found.name
                stored.append(found)
            if channel_id:
                channel = self._require_channel(channel_id)
                for found in stored:
                    found.channels.append(channel.id)
                payload = [self.file_json(f) for f in stored]
                message = self.post_message(channel.id, user=user, text=initial_comment, thread_ts=thread_ts,
                                            extra={"files": payload, "upload": True, "display_as_bot": False})
                for found in stored:
                    found.shares[channel.id] = [message["ts"]]
            return [self.file_json(f) for f in stored]

    def file_json(self: Workspace, stored: StoredFile) -> dict[str, Any]:
        return file_json(stored, channels=self._channels, origin=self.origin, domain=self.domain)

    # usergroups --------------------------------------------------------------------------------------

    def usergroup_users(self: Workspace, group_id: str, *, include_disabled: bool = False) -> list[str]:
        with self.lock:
            group = self._usergroups.get(group_id)
            if group is None or (group["date_delete"] and not include_disabled):
                raise SlackError("no_such_subteam")
            return list(group["users"])

    # response URLs -----------------------------------------------------------------------------------

    def new_response_url(self: Workspace, user_id: str, channel_id: str | None, *, message_ts: str | None = None,
                         is_ephemeral: bool = False) -> str:
        """A response URL token; the server turns it into `{origin}/respond/{token}`."""
        with self.lock:
            token = hashlib.sha1(self.new_id("R", 16).encode()).hexdigest()[:24]
            self._response_urls[token] = ResponseUrl(token=token, user_id=user_id, channel_id=channel_id,
                                                     created=self.clock.now(), message_ts=message_ts,
                                                     is_ephemeral=is_ephemeral)
            return token

    def respond(self: Workspace, token: str, payload: dict[str, Any]) -> None:
        """A post to a response URL: ephemeral by default, `in_channel`, or replacing/deleting the source."""
        with self.lock:
            url = self._response_urls.get(token)
            if url is None or self.clock.now() - url.created > RESPONSE_URL_TTL:
                raise SlackError("expired_url")
            if len(url.replies) >= RESPONSE_URL_USES:
                raise SlackError("used_url")
            action = self._apply_response(url, payload)
            record = {"user": url.user_id, "channel": url.channel_id, "action": action,
                      "response_type": payload.get("response_type", "ephemeral"), "payload": copy.deepcopy(payload)}
            url.replies.append(record)
            self._responses.append(record)

    def _apply_response(self: Workspace, url: ResponseUrl, payload: dict[str, Any]) -> str:
        text, blocks = payload.get("text", ""), payload.get("blocks")
        original = url.message_ts if url.channel_id and not url.is_ephemeral else None
        if _truthy(payload.get("delete_original")):
            if original and self._channels[url.channel_id].messages.get(original):
                self.delete_message(url.channel_id, original)
            return "delete_original"
        if _truthy(payload.get("replace_original")):
            if original and self._channels[url.channel_id].messages.get(original):
                self.update_message(url.channel_id, original, editor=self.bot_user_id, text=text, blocks=blocks)
            return "replace_original"
        if payload.get("response_type") == "in_channel" and url.channel_id:
            self.post_message(url.channel_id, user=self.bot_user_id, text=text, blocks=blocks,
                              thread_ts=payload.get("thread_ts"))
            return "in_channel"
        if url.channel_id:
            self.add_ephemeral({"user": url.user_id, "channel": url.channel_id, "text": text, "blocks": blocks,
                                "thread_ts": payload.get("thread_ts"), "via": "response_url"})
        return "ephemeral"

    # internals ---------------------------------------------------------------------------------------

    def _use_trigger(self: Workspace, trigger_id: str) -> str:
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if self.clock.now() - trigger.created > TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        trigger.used = True
        return trigger.user_id

    def _find_view(self: Workspace, view_id: str | None, external_id: str | None) -> dict[str, Any]:
        if view_id:
            found = self._views.get(view_id)
        else:
            found = next((v for v in self._views.values() if external_id and v["external_id"] == external_id), None)
        if found is None:
            raise SlackError("not_found")
        return found

    def _store_view(self: Workspace, view: dict[str, Any], user_id: str, *, kind: str, root_id: str | None,
                    previous: str | None, view_id: str | None = None) -> dict[str, Any]:
        _check_view(view, kind)
        view_id = view_id or self.new_id("V")
        stored = {
            "id": view_id, "team_id": self.team_id, "type": kind, "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""), "callback_id": view.get("callback_id", ""),
            "state": {"values": {}}, "hash": f"{self.now()}.{self.new_id('', 8).lower()}",
            "title": view.get("title"), "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)), "close": view.get("close"),
            "submit": view.get("submit"), "previous_view_id": previous, "root_view_id": root_id or view_id,
            "app_id": self.app_id, "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id, "bot_id": self.bot_id, "_user": user_id,
        }
        if kind == "home":
            for key in ("title", "close", "submit", "previous_view_id", "clear_on_close", "notify_on_close"):
                stored.pop(key)
        self._views[view_id] = stored
        return stored


def _check_view(view: dict[str, Any], kind: str) -> None:
    """Slack answers bad views with `invalid_arguments` and a json-pointer message per problem."""
    problems = []
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        problems.append("[ERROR] missing required field: blocks [json-pointer:/view]")
    elif len(blocks) > MAX_VIEW_BLOCKS:
        problems.append(f"[ERROR] no more than {MAX_VIEW_BLOCKS} items allowed [json-pointer:/view/blocks]")
    if kind == "modal":
        title = (view.get("title") or {}).get("text", "")
        if not title:
            problems.append("[ERROR] missing required field: title [json-pointer:/view]")
        elif len(title) > 24:
            problems.append("[ERROR] must be less than 25 characters [json-pointer:/view/title/text]")
    if len(view.get("private_metadata", "")) > 3000:
        problems.append("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")
    if problems:
        raise SlackError("invalid_arguments", response_metadata={"messages": problems})


def _public_view(stored: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in stored.items() if not k.startswith("_")}


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
