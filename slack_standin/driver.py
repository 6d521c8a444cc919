"""Plays Slack towards the bot: signed slash commands, events, interactions, and people using the workspace."""

from __future__ import annotations

import base64
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_standin.people import PeopleMixin
from slack_standin.signing import signed_headers

if TYPE_CHECKING:
    from slack_standin.delivery import Outbox
    from slack_standin.workspace import Workspace

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass
class DriverResult:
    """What the bot answered, and how long it took (Slack gives up after 3 s)."""

    status: int | None  # None: no answer within the timeout, or the connection failed
    body: str
    elapsed: float
    headers: dict[str, str] = field(default_factory=dict)
    trigger_id: str | None = None
    response_url: str | None = None
    event_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def acked_in_time(self) -> bool:
        return self.ok and self.elapsed < 3.0

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Driver(PeopleMixin):
    """Sends what Slack sends to one Request URL (`…/slack/events`), signed with the app's signing secret."""

    def __init__(self, url: str, *, workspace: Workspace, signing_secret: str, outbox: Outbox,
                 verification_token: str = "standin-verification-token", timeout: float = 10.0) -> None:
        self.url = url
        self.workspace = workspace
        self.signing_secret = signing_secret
        self.outbox = outbox
        self.verification_token = verification_token
        self.timeout = timeout
        self.last_deliveries: list[DriverResult] = []

    def for_workspace(self, workspace: Workspace) -> Driver:
        """The same Request URL, as Slack sends it for another workspace that installed the app."""
        return Driver(self.url, workspace=workspace, signing_secret=self.signing_secret, outbox=self.outbox,
                      verification_token=self.verification_token, timeout=self.timeout)

    # raw ---------------------------------------------------------------------------------------------

    def send_raw(self, body: bytes, content_type: str, *, sign: bool = True, timestamp_offset: int = 0,
                 headers: dict[str, str] | None = None) -> DriverResult:
        """POST `body` as Slack would; `sign=False` / `timestamp_offset` make requests the bot must refuse."""
        all_headers = {**signed_headers(self.signing_secret, body, content_type=content_type,
                                        timestamp_offset=timestamp_offset, sign=sign), **(headers or {})}
        request = urllib.request.Request(self.url, data=body, headers=all_headers, method="POST")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read().decode()
                return DriverResult(response.status, text, time.monotonic() - started, dict(response.headers))
        except urllib.error.HTTPError as error:
            return DriverResult(error.code, error.read().decode(), time.monotonic() - started, dict(error.headers))
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:  # a cut or garbled answer
            return DriverResult(None, str(error), time.monotonic() - started)

    def send_form(self, fields: dict[str, str], **kwargs: Any) -> DriverResult:
        return self.send_raw(urllib.parse.urlencode(fields).encode(), FORM, **kwargs)

    def send_payload(self, payload: dict[str, Any], **kwargs: Any) -> DriverResult:
        """Interactions arrive form-encoded as `payload=<JSON>`."""
        return self.send_form({"payload": json.dumps(payload)}, **kwargs)

    def send_command_fields(self, fields: dict[str, str], **kwargs: Any) -> DriverResult:
        """Slash commands arrive form-encoded (over Socket Mode: as an envelope, see `SocketModeDriver`)."""
        return self.send_form(fields, **kwargs)

    # events ------------------------------------------------------------------------------------------

    def envelope(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        """The `event_callback` wrapper Slack puts around every event."""
        ws = self.workspace
        context = base64.urlsafe_b64encode(json.dumps({"et": event.get("type")}).encode()).decode().rstrip("=")
        return {
            "token": self.verification_token, "team_id": ws.team_id, "api_app_id": ws.app_id, "event": event,
            "type": "event_callback", "event_id": event_id or ws.new_id("Ev"), "event_time": ws.now(),
            "authorizations": [{"enterprise_id": None, "team_id": ws.team_id, "user_id": ws.bot_user_id,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False, "event_context": "4-" + context,
        }

    def send_envelope(self, envelope: dict[str, Any], *, retry_num: int | None = None,
                      retry_reason: str | None = None, **kwargs: Any) -> DriverResult:
        headers = dict(kwargs.pop("headers", None) or {})
        if retry_num is not None:
            headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason or "http_error"})
        result = self.send_raw(json.dumps(envelope).encode(), JSON, headers=headers, **kwargs)
        result.event_id = envelope["event_id"]
        return result

    def event(self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None,
              retry_reason: str | None = None, **kwargs: Any) -> DriverResult:
        """Deliver one event now; pass the same `event_id` with `retry_num` to replay a retry."""
        return self.send_envelope(self.envelope(event, event_id=event_id), retry_num=retry_num,
                                  retry_reason=retry_reason, **kwargs)

    def url_verification(self, challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P") -> DriverResult:
        body = {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}
        return self.send_raw(json.dumps(body).encode(), JSON)

    # commands and interactions -----------------------------------------------------------------------

    def command(self, command: str, text: str = "", *, user: str, channel: str, **kwargs: Any) -> DriverResult:
        """A slash command, form-encoded, with a fresh trigger_id and response_url."""
        return self.send_command(self.command_form(command, text, user=user, channel=channel), **kwargs)

    def command_form(self, command: str, text: str = "", *, user: str, channel: str) -> dict[str, str]:
        """The fields of a slash command; `send_command` them once, or twice to replay it (same trigger_id)."""
        ws = self.workspace
        return {
            "token": self.verification_token, "team_id": ws.team_id, "team_domain": ws.domain,
            "channel_id": channel, "channel_name": self._channel_name(channel), "user_id": user,
            "user_name": self._user_name(user), "command": command, "text": text, "api_app_id": ws.app_id,
            "is_enterprise_install": "false", "response_url": self._response_url(user, channel),
            "trigger_id": ws.new_trigger(user),
        }

    def send_command(self, fields: dict[str, str], **kwargs: Any) -> DriverResult:
        """Send (or replay) a slash command's fields, freshly signed, as Slack or a replaying proxy would."""
        result = self.send_command_fields(fields, **kwargs)
        result.trigger_id, result.response_url = fields["trigger_id"], fields["response_url"]
        return self._after(result)

    def block_action(self, action_id: str, *, user: str, channel: str | None = None, message_ts: str | None = None,
                     view_id: str | None = None, value: str | None = None, block_id: str | None = None,
                     ephemeral: bool = False, action: dict[str, Any] | None = None, **kwargs: Any) -> DriverResult:
        """A click on an element of a message (`channel` + `message_ts`) or of a view (`view_id`: modal or Home)."""
        ws = self.workspace
        trigger_id = ws.new_trigger(user)
        payload: dict[str, Any] = {"type": "block_actions", "user": self._user(user), "api_app_id": ws.app_id,
                                   "token": self.verification_token, "trigger_id": trigger_id, "team": self._team()}
        blocks: list[dict[str, Any]] = []
        response_url = None
        if view_id is not None:
            view = ws.view(view_id) or {}
            blocks = view.get("blocks", [])
            payload.update(container={"type": "view", "view_id": view_id}, view=view)
        else:
            if channel is None or message_ts is None:
                raise ValueError("give channel and message_ts, or view_id")
            message = None if ephemeral else ws.message(channel, message_ts)
            blocks = (message or {}).get("blocks", [])
            response_url = self._response_url(user, channel, message_ts=message_ts, is_ephemeral=ephemeral)
            payload.update(container={"type": "message", "message_ts": message_ts, "channel_id": channel,
                                      "is_ephemeral": ephemeral},
                           channel={"id": channel, "name": self._channel_name(channel)},
                           response_url=response_url, state={"values": {}})
            if message is not None:
                payload["message"] = message
        payload["actions"] = [self._action(blocks, action_id, block_id, value, action)]
        result = self.send_payload(payload, **kwargs)
        result.trigger_id, result.response_url = trigger_id, response_url
        return self._after(result)

    def view_submission(self, view_id: str, *, user: str, values: dict[str, Any] | None = None,
                        **kwargs: Any) -> DriverResult:
        """The user presses Submit; `values` is `state.values` ({block_id: {action_id: {type, value…}}}).

        The bot's answer moves the modal stack as Slack would: an empty ack closes the view, `update`,
        `push`, `clear` and `errors` do what their `response_action` says.
        """
        ws = self.workspace
        view = ws.set_view_state(view_id, values or {})
        trigger_id = ws.new_trigger(user)
        payload = {"type": "view_submission", "team": self._team(), "user": self._user(user), "api_app_id": ws.app_id,
                   "token": self.verification_token, "trigger_id": trigger_id, "view": view, "response_urls": [],
                   "is_enterprise_install": False, "enterprise": None}
        result = self.send_payload(payload, **kwargs)
        result.trigger_id = trigger_id
        if result.ok:
            self._apply_response_action(view_id, user, result)
        return self._after(result)

    def block_suggestion(self, view_id: str, action_id: str, value: str, *, user: str, **kwargs: Any) -> DriverResult:
        """The user types into an external_select of an open modal; the answer is `{"options": [...]}`."""
        ws = self.workspace
        view = ws.view(view_id) or {}
        block_id, _element = _find_element(view.get("blocks", []), action_id)
        payload = {"type": "block_suggestion", "user": self._user(user), "container": {"type": "view",
                   "view_id": view_id}, "api_app_id": ws.app_id, "token": self.verification_token,
                   "action_id": action_id, "block_id": block_id, "value": value, "team": self._team(), "view": view}
        return self._after(self.send_payload(payload, **kwargs))

    def view_closed(self, view_id: str, *, user: str, is_cleared: bool = False, **kwargs: Any) -> DriverResult:
        """The user closes a modal (sent only when the view has `notify_on_close`, but the driver always can)."""
        ws = self.workspace
        payload = {"type": "view_closed", "team": self._team(), "user": self._user(user), "api_app_id": ws.app_id,
                   "token": self.verification_token, "view": ws.view(view_id), "is_cleared": is_cleared,
                   "is_enterprise_install": False, "enterprise": None}
        ws.close_view(view_id)
        return self._after(self.send_payload(payload, **kwargs))

    def message_shortcut(self, callback_id: str, *, user: str, channel: str, message_ts: str,
                         **kwargs: Any) -> DriverResult:
        ws = self.workspace
        trigger_id = ws.new_trigger(user)
        response_url = self._response_url(user, channel, message_ts=message_ts)
        payload = {"type": "message_action", "token": self.verification_token, "action_ts": ws.next_ts(),
                   "team": self._team(), "user": {"id": user, "name": self._user_name(user)},
                   "channel": {"id": channel, "name": self._channel_name(channel)}, "callback_id": callback_id,
                   "trigger_id": trigger_id, "message_ts": message_ts, "message": ws.message(channel, message_ts),
                   "response_url": response_url, "api_app_id": ws.app_id, "is_enterprise_install": False}
        result = self.send_payload(payload, **kwargs)
        result.trigger_id, result.response_url = trigger_id, response_url
        return self._after(result)

    def global_shortcut(self, callback_id: str, *, user: str, **kwargs: Any) -> DriverResult:
        ws = self.workspace
        trigger_id = ws.new_trigger(user)
        payload = {"type": "shortcut", "token": self.verification_token, "action_ts": ws.next_ts(),
                   "team": self._team(), "user": {"id": user, "username": self._user_name(user), "team_id": ws.team_id},
                   "callback_id": callback_id, "trigger_id": trigger_id, "api_app_id": ws.app_id,
                   "is_enterprise_install": False, "enterprise": None}
        result = self.send_payload(payload, **kwargs)
        result.trigger_id = trigger_id
        return self._after(result)

    # helpers -----------------------------------------------------------------------------------------

    def _after(self, result: DriverResult) -> DriverResult:
        """Deliver the events the bot caused while answering, so a test sees a settled workspace."""
        self.outbox.pump(wait=True)
        return result

    def _response_url(self, user: str, channel: str | None, **kwargs: Any) -> str:
        token = self.workspace.new_response_url(user, channel, **kwargs)
        return f"{self.workspace.origin}/respond/{token}"

    def _team(self) -> dict[str, Any]:
        return {"id": self.workspace.team_id, "domain": self.workspace.domain}

    def _user(self, user_id: str) -> dict[str, Any]:
        name = self._user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.workspace.team_id}

    def _user_name(self, user_id: str) -> str:
        user = self.workspace.user(user_id)
        return user.name if user else user_id

    def _channel_name(self, channel_id: str) -> str:
        channel = self.workspace.channel(channel_id)
        if channel is None:
            return channel_id
        return "directmessage" if channel.is_im else channel.name

    def _action(self, blocks: list[dict[str, Any]], action_id: str, block_id: str | None, value: str | None,
                action: dict[str, Any] | None) -> dict[str, Any]:
        """The action as Slack reports it, copied from the element the user clicked when it can be found."""
        found_block, element = _find_element(blocks, action_id)
        built = {"action_id": action_id, "block_id": block_id or found_block or self.workspace.new_id("", 4),
                 "type": (element or {}).get("type", "button"), "action_ts": self.workspace.next_ts()}
        if element and "text" in element:
            built["text"] = element["text"]
        if value is not None or (element and "value" in element):
            built["value"] = value if value is not None else element["value"]
        return {**built, **(action or {})}

    def _apply_response_action(self, view_id: str, user: str, result: DriverResult) -> None:
        ws = self.workspace
        try:
            answer = result.json() or {}
        except ValueError:
            answer = {}
        kind = answer.get("response_action")
        if kind == "update":
            ws.update_view(answer["view"], view_id=view_id)
        elif kind == "push":
            ws.open_view(ws.new_trigger(user), answer["view"], push=True)
        elif kind == "clear":
            root = (ws.view(view_id) or {}).get("root_view_id", view_id)
            ws.close_view(root)
        elif kind != "errors":
            ws.close_view(view_id)


def _find_element(blocks: list[dict[str, Any]], action_id: str) -> tuple[str | None, dict[str, Any] | None]:
    for block in blocks:
        candidates = [*block.get("elements", []), block.get("accessory"), block.get("element")]
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id"), element
    return None, None
