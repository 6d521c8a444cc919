"""Socket Mode as Slack serves it: a one-time WebSocket URL from `apps.connections.open`, then envelopes.

The protocol (Slack's "Using Socket Mode" page): on connect Slack sends `hello`; every payload arrives
as `{"envelope_id", "type": "events_api" | "slash_commands" | "interactive", "payload",
"accepts_response_payload"}` (events also carry `retry_attempt` / `retry_reason`); the app acks with
`{"envelope_id", "payload"?}` within 3 seconds, and for commands and interactions that payload is the
answer the user sees. Slack refreshes connections with `{"type": "disconnect", "reason":
"refresh_requested"}` (sometimes `warning` first); the app opens a new URL and reconnects.

The WebSocket side is the `websockets` library's threaded server: framing, masking, ping/pong and the
closing handshake are RFC 6455 details a stand-in should not reimplement (the SDK's built-in client
would happily talk to a subtly wrong server, and then so would our tests).
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

log = logging.getLogger(__name__)

ACK_TIMEOUT = 3.0  # seconds Slack waits for an ack before it counts the delivery as failed
TICKET_TTL = 30.0  # an apps.connections.open URL is for one prompt connection
MAX_CONNECTIONS = 10  # Slack allows up to 10 open connections per app
HOST = "applink-standin"


@dataclass
class Delivery:
    """One envelope sent to the app and what came back."""

    envelope_id: str
    type: str
    payload: dict[str, Any]
    retry_attempt: int | None = None
    acked: bool = False
    ack_payload: dict[str, Any] | None = None
    elapsed: float = 0.0
    error: str | None = None  # "no_connection" or "ack_timeout" when not acked


@dataclass
class _Pending:
    done: threading.Event = field(default_factory=threading.Event)
    payload: dict[str, Any] | None = None


class SocketModeServer:
    """The stand-in's WebSocket endpoint for one app; `apps.connections.open` asks it for URLs."""

    def __init__(self, *, app_id: str, ack_timeout: float = ACK_TIMEOUT, connect_wait: float = 5.0) -> None:
        self.app_id = app_id
        self.ack_timeout = ack_timeout
        self.connect_wait = connect_wait  # how long a send waits for the app to be connected (reconnects)
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._tickets: dict[str, float] = {}
        self._open: list[ServerConnection] = []
        self._next = 0  # round robin: each payload goes to one of the open connections
        self._pending: dict[str, _Pending] = {}
        self._acks_to_lose = 0
        self._timers: list[threading.Timer] = []
        self.hellos = 0  # connections that completed the handshake and got `hello`
        self.deliveries: list[Delivery] = []
        self.lost_acks: list[str] = []  # acks dropped on purpose (`lose_next_acks`)
        self.late_acks: list[str] = []  # acks for envelopes Slack had already given up on

    # lifecycle ---------------------------------------------------------------------------------------

    def start(self, port: int = 0) -> SocketModeServer:
        quiet = logging.getLogger("slack_standin.websockets")  # each open and close at INFO is noise here
        if quiet.level == logging.NOTSET:
            quiet.setLevel(logging.WARNING)
        self._server = serve(self._handle, "127.0.0.1", port, process_request=self._check_ticket, compression=None,
                             close_timeout=1, logger=quiet)
        self._thread = threading.Thread(target=self._server.serve_forever, name="standin-socket-mode", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection and the listening socket; returns once all are gone."""
        for timer in self._timers:
            timer.cancel()
        if self._server is not None:
            self._server.shutdown()  # wakes its accept loop at once (a socketpair), closes the connections
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._cond:
            for pending in self._pending.values():
                pending.done.set()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the Socket Mode server is not running")
        return self._server.socket.getsockname()[1]

    # apps.connections.open ---------------------------------------------------------------------------

    def new_url(self) -> str:
        """A fresh one-time WebSocket URL, shaped like Slack's `wss://…/link/?ticket=…&app_id=…`."""
        ticket = secrets.token_hex(16)
        with self._cond:
            self._tickets[ticket] = time.monotonic()
        query = urllib.parse.urlencode({"ticket": ticket, "app_id": self.app_id})
        return f"ws://127.0.0.1:{self.port}/link/?{query}"

    def _check_ticket(self, connection: ServerConnection, request: Any) -> Any:
        """Refuse the handshake for an unknown, used or stale ticket, as Slack does (HTTP 401)."""
        ticket = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query).get("ticket", [""])[0]
        with self._cond:
            issued = self._tickets.pop(ticket, None)
            crowded = len(self._open) >= MAX_CONNECTIONS
        if issued is None or time.monotonic() - issued > TICKET_TTL:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid_ticket\n")
        if crowded:
            return connection.respond(HTTPStatus.TOO_MANY_REQUESTS, "too_many_websockets\n")
        return None

    # one connection ----------------------------------------------------------------------------------

    def _handle(self, connection: ServerConnection) -> None:
        with self._cond:
            self._open.append(connection)
            count = len(self._open)
            self.hellos += 1
            self._cond.notify_all()
        try:
            connection.send(json.dumps({
                "type": "hello", "num_connections": count, "connection_info": {"app_id": self.app_id},
                "debug_info": {"host": HOST, "build_number": 1, "approximate_connection_time": 18060},
            }))
            for message in connection:
                self._receive(message)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                if connection in self._open:
                    self._open.remove(connection)
                self._cond.notify_all()

    def _receive(self, message: str | bytes) -> None:
        """An ack: `{"envelope_id": …, "payload": …}`; anything else is ignored, as Slack ignores it."""
        try:
            ack = json.loads(message)
        except ValueError:
            return
        envelope_id = ack.get("envelope_id") if isinstance(ack, dict) else None
        with self._cond:
            pending = self._pending.get(envelope_id or "")
            if pending is None:
                if envelope_id:
                    self.late_acks.append(envelope_id)
                    self._cond.notify_all()
                return
            if self._acks_to_lose > 0:
                self._acks_to_lose -= 1
                self.lost_acks.append(envelope_id)
                return
            payload = ack.get("payload")
            pending.payload = payload if isinstance(payload, dict) else None
            pending.done.set()

    # sending -----------------------------------------------------------------------------------------

    def send(self, kind: str, payload: dict[str, Any], *, retry_attempt: int | None = None,
             retry_reason: str | None = None) -> Delivery:
        """Send one envelope to one open connection and wait (up to `ack_timeout`) for its ack."""
        envelope_id = f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(6)}"
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                                    "accepts_response_payload": kind != "events_api"}
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt or 0, retry_reason=retry_reason or "")
        delivery = Delivery(envelope_id, kind, payload, envelope.get("retry_attempt"))
        pending = _Pending()
        started = time.monotonic()
        connection = self._pick_connection()
        if connection is None:
            delivery.error = "no_connection"
        else:
            with self._cond:
                self._pending[envelope_id] = pending
            try:
                connection.send(json.dumps(envelope))
                delivery.acked = pending.done.wait(self.ack_timeout) and self._server is not None
                delivery.error = None if delivery.acked else "ack_timeout"
            except ConnectionClosed:
                delivery.error = "connection_closed"
            finally:
                with self._cond:
                    self._pending.pop(envelope_id, None)
            delivery.ack_payload = pending.payload if delivery.acked else None
        delivery.elapsed = time.monotonic() - started
        with self._cond:
            self.deliveries.append(delivery)
        return delivery

    def _pick_connection(self) -> ServerConnection | None:
        deadline = time.monotonic() + self.connect_wait
        with self._cond:
            while not self._open:
                left = deadline - time.monotonic()
                if left <= 0 or self._server is None:
                    return None
                self._cond.wait(left)
            self._next = (self._next + 1) % len(self._open)
            return self._open[self._next]

    # test controls -----------------------------------------------------------------------------------

    def connection_count(self) -> int:
        with self._cond:
            return len(self._open)

    def wait_for(self, *, hellos: int = 0, open_connections: int | None = None, late_acks: int = 0,
                 timeout: float = 30.0) -> None:
        """Block until `hellos` handshakes happened in all (and, if given, exactly that many connections are
        open), and `late_acks` acks came after their envelope had timed out."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.hellos < hellos or len(self.late_acks) < late_acks or \
                    (open_connections is not None and len(self._open) != open_connections):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"Socket Mode: {self.hellos} hellos, {len(self._open)} open connections, "
                                       f"{len(self.late_acks)} late acks")
                self._cond.wait(left)

    def lose_next_acks(self, count: int = 1) -> None:
        """The next `count` acks never reach Slack, so those envelopes time out (and events are redelivered)."""
        with self._cond:
            self._acks_to_lose += count

    def disconnect(self, reason: str = "refresh_requested", *, close_after: float | None = None) -> None:
        """Tell every open connection to reconnect, then close it `close_after` seconds later as Slack does
        (by default 10 s after a `warning`, 2 s after a `refresh_requested` or any other reason)."""
        message = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}})
        delay = close_after if close_after is not None else (10.0 if reason == "warning" else 2.0)
        with self._cond:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.send(message)
            except ConnectionClosed:
                continue
            timer = threading.Timer(delay, connection.close)
            timer.daemon = True
            self._timers.append(timer)
            timer.start()
