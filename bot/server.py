"""Serving the bot: HTTP mode (`/slack/events` on waitress, a production WSGI server) or Socket Mode.

HTTP mode is what several replicas need; Socket Mode (SLACK_APP_TOKEN set, `bot.socket_mode`) is for a
laptop or a workspace without a public URL. HTTP mode keeps Bolt's request verification on; Socket
Mode needs none (the WebSocket is opened with the app-level token).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.app import BotApp

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def wsgi_app(bot: BotApp, extra_routes: dict[str, WsgiApp] | None = None) -> WsgiApp:
    """`/slack/events` to Bolt, `/healthz` answered here, other routes (webhooks) as features add them."""
    slack = SlackRequestHandler(bot.bolt, path=EVENTS_PATH)
    routes = dict(extra_routes or {})
    routes.update(bot.services.extras.get("http_routes", {}))

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH:
            return _health(bot, start_response)
        if path in routes:
            return routes[path](environ, start_response)
        return slack(environ, start_response)

    return application


def _health(bot: BotApp, start_response: Callable) -> Iterable[bytes]:
    from sqlalchemy import text

    try:
        with bot.services.sessions() as session:
            session.execute(text("SELECT 1"))
        status, body = "200 OK", {"ok": True, "database": "ok"}
    except Exception as exc:  # a health check reports, it does not raise
        status, body = "503 Service Unavailable", {"ok": False, "database": type(exc).__name__}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


@dataclass
class RunningServer:
    url: str
    port: int
    _server: object
    _thread: threading.Thread

    @property
    def events_url(self) -> str:
        return self.url + EVENTS_PATH

    def stop(self) -> None:
        """Stop at once and cleanly.

        Closing waitress from this thread would leave its loop in a 1-second select on descriptors closed
        under it (`Bad file descriptor`); instead the close runs inside the loop, woken through waitress's
        own trigger, the loop ends as its socket map empties, and the worker threads are let go.
        """
        from waitress import wasyncore

        server = self._server
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))  # type: ignore[attr-defined]
        self._thread.join(timeout=5)
        server.task_dispatcher.shutdown(timeout=5)  # type: ignore[attr-defined]


def start_http_server(bot: BotApp, *, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> RunningServer:
    """Start waitress in a background thread (tests, the demo); `serve_http` blocks instead."""
    from waitress.server import create_server

    server = create_server(wsgi_app(bot), host=host, port=port, threads=threads)
    thread = threading.Thread(target=server.run, name="case-swarm-http", daemon=True)
    thread.start()
    actual_port = server.effective_port  # type: ignore[union-attr]
    return RunningServer(f"http://{host}:{actual_port}", actual_port, server, thread)


def serve_http(bot: BotApp, *, port: int, host: str = "0.0.0.0") -> None:
    from waitress import serve

    log.info("case-swarm listening on http://%s:%s%s", host, port, EVENTS_PATH)
    serve(wsgi_app(bot), host=host, port=port, threads=max(4, bot.services.settings.listener_threads))

