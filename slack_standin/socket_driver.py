"""The driver over Socket Mode: the same commands, clicks and events as `Driver`, sent as envelopes.

Nothing is signed (the WebSocket was opened with the app-level token); an ack counts as the app's
answer: `status` 200 with the ack's payload as `body` (what the user sees for a command, the
`response_action` for a modal), or `status` None when no ack came within the ack timeout.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from slack_standin.driver import Driver, DriverResult

if TYPE_CHECKING:
    from slack_standin.delivery import Outbox
    from slack_standin.socket_mode import Delivery, SocketModeServer
    from slack_standin.workspace import Workspace

# The HTTP driver's retry reasons, as Socket Mode names them in `retry_reason`.
_RETRY_REASONS = {"http_timeout": "timeout", "http_error": "http_error"}


class SocketModeDriver(Driver):
    def __init__(self, socket_mode: SocketModeServer, *, workspace: Workspace, outbox: Outbox,
                 verification_token: str = "standin-verification-token") -> None:
        super().__init__("socket-mode", workspace=workspace, signing_secret="", outbox=outbox,
                         verification_token=verification_token, timeout=socket_mode.ack_timeout)
        self.socket_mode = socket_mode

    def send_raw(self, body: bytes, content_type: str, **kwargs: Any) -> DriverResult:
        raise NotImplementedError("Socket Mode carries envelopes, not signed HTTP requests")

    def send_command_fields(self, fields: dict[str, str], **kwargs: Any) -> DriverResult:
        return _result(self.socket_mode.send("slash_commands", dict(fields)))

    def send_payload(self, payload: dict[str, Any], **kwargs: Any) -> DriverResult:
        return _result(self.socket_mode.send("interactive", payload))

    def send_envelope(self, envelope: dict[str, Any], *, retry_num: int | None = None,
                      retry_reason: str | None = None, **kwargs: Any) -> DriverResult:
        reason = _RETRY_REASONS.get(retry_reason or "", retry_reason) if retry_num else None
        result = _result(self.socket_mode.send("events_api", envelope, retry_attempt=retry_num,
                                               retry_reason=reason))
        result.event_id = envelope["event_id"]
        return result


def _result(delivery: Delivery) -> DriverResult:
    if not delivery.acked:
        return DriverResult(None, delivery.error or "ack_timeout", delivery.elapsed)
    body = json.dumps(delivery.ack_payload) if delivery.ack_payload else ""
    return DriverResult(200, body, delivery.elapsed, {"X-Envelope-Id": delivery.envelope_id})
