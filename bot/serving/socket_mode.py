"""Serving the bot over Socket Mode (SLACK_APP_TOKEN set): Bolt's SocketModeHandler, opened and closed with care.

We call `apps.connections.open` ourselves before handing the URL to the handler, so a refused app token
stops start-up with a line that names SLACK_APP_TOKEN (the SDK would only log and raise a bare
SlackApiError). Requests arrive over the authenticated WebSocket, so no signing secret is involved.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
from dataclasses import dataclass
from urllib.error import URLError

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.app import BotApp, SlackUnreachable
from bot.serving.logs import log_text_analysis

log = logging.getLogger(__name__)
CONNECT_SECONDS = 10.0


class AppTokenRefused(Exception):
    """Slack refused the app-level token (SLACK_APP_TOKEN) when asked for a Socket Mode URL."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class SocketModeUnreachable(Exception):
    """The WebSocket URL Slack gave could not be connected to."""


@dataclass
class SocketModeConnection:
    handler: SocketModeHandler

    @property
    def connected(self) -> bool:
        return self.handler.client.is_connected()

    def stop(self) -> None:
        """Close at once: the SDK's client would otherwise wait out a 3 s socket read and a 1 s queue poll."""
        client = self.handler.client
        client.auto_reconnect_enabled = False
        client.closed = True
        client.current_app_monitor.shutdown()  # no ping on a closing socket, no reconnect
        client.message_queue.put(None)  # wakes the message loop, which then sees `closed`
        session = client.current_session
        sock = getattr(session, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed by Slack
                sock.shutdown(socket.SHUT_RDWR)  # the reader's blocking recv returns now, releasing its lock
        self.handler.close()


def connect_socket_mode(bot: BotApp) -> SocketModeConnection:
    """Open the Socket Mode connection and return once it is up; the SDK reconnects on Slack's refreshes."""
    settings = bot.services.settings
    # The SDK's connection chatter goes under slack_sdk (quiet unless -v); Bolt's dispatch keeps app.logger.
    handler = SocketModeHandler(bot.bolt, settings.slack_app_token, concurrency=settings.listener_threads,
                                logger=logging.getLogger("slack_sdk.socket_mode"))
    client = bot.services.slack.app_client  # no bot token needed: the app-level token opens the connection
    try:
        url = client.apps_connections_open(app_token=settings.slack_app_token)["url"]
    except SlackApiError as exc:
        handler.close()
        raise AppTokenRefused(str(exc.response.get("error", "unknown"))) from None
    except (URLError, OSError) as exc:
        handler.close()
        raise SlackUnreachable(client.base_url, getattr(exc, "reason", None) or exc) from None
    handler.client.wss_uri = url  # the handler's first connect uses this URL instead of asking again
    handler.connect()
    if not handler.client.is_connected():
        SocketModeConnection(handler).stop()
        raise SocketModeUnreachable(url.split("?")[0])
    return SocketModeConnection(handler)


def serve_socket_mode(bot: BotApp) -> None:
    """`case-swarm serve` with SLACK_APP_TOKEN: connect, then run until SIGINT (Ctrl-C) or SIGTERM.

    The signals only set an event the main thread waits on, so a stop never lands as a KeyboardInterrupt in
    the middle of a log line or the SDK's code; the connection and the background are then closed in order.
    """
    connection = connect_socket_mode(bot)
    stopping = threading.Event()
    received: list[str] = []

    def stop(signum: int, frame: object) -> None:
        received.append(signal.Signals(signum).name)
        stopping.set()

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    log.info("case-swarm connected to Slack in Socket Mode")
    log_text_analysis(bot.services.settings.opening.offer_meaning)
    try:
        while not stopping.wait(timeout=1.0):
            pass
    finally:
        connection.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    log.info("case-swarm stopped (%s)", received[0])
