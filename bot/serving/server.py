"""Serving the bot: HTTP mode (`/slack/events` on waitress, a production WSGI server) or Socket Mode.

HTTP mode is what several replicas need; Socket Mode (SLACK_APP_TOKEN set, `bot.serving.socket_mode`) is for a
laptop or a workspace without a public URL. HTTP mode keeps Bolt's request verification on; Socket
Mode needs none (the WebSocket is opened with the app-level token).

Beside Slack's endpoint: `/healthz` (liveness: the process answers), `/readyz` (ready for traffic: the
database answers, the schema is this code's, the scheduler and the delivery worker run; 503 with the
reasons otherwise) and `/metrics` (Prometheus). `case-swarm worker` serves only these three.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.app import BotApp
from bot.serving.logs import REQUEST_IDS, REQUEST_LISTENER, log_text_analysis
from swarms.metrics import ACKS, HTTP_REQUESTS, app_registry, listener_label

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def wsgi_app(bot: BotApp, extra_routes: dict[str, WsgiApp] | None = None, *, slack: bool = True) -> WsgiApp:
    """`/slack/events` to Bolt, health and metrics answered here, other routes (webhooks) as features add them.

    `slack=False` (the worker) serves only the health and metrics routes."""
    routes: dict[str, WsgiApp] = {HEALTH_PATH: lambda environ, start: _health(start),
                                  READY_PATH: lambda environ, start: _ready(bot, start),
                                  METRICS_PATH: _metrics_route(bot)}
    if slack:
        routes.update(extra_routes or {})
        routes.update(bot.services.routes)
        routes[EVENTS_PATH] = SlackRequestHandler(bot.bolt, path=EVENTS_PATH)
        flow = bot.bolt.oauth_flow  # installed by OAuth: Bolt's handler also answers the install pages
        if flow is not None:
            routes[flow.install_path] = routes[flow.redirect_uri_path] = routes[EVENTS_PATH]

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        route = path if path in routes else "unknown"
        started = time.perf_counter()
        status = ["500"]
        named: list[str] = []
        ids_token, named_token = REQUEST_IDS.set(None), REQUEST_LISTENER.set(named)

        def recording_start(status_line: str, headers: list, *args) -> Callable:
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, *args)

        try:
            if route == "unknown":
                return _send(recording_start, "404 Not Found", {"ok": False, "error": "not_found"})
            return routes[path](environ, recording_start)
        finally:
            took = time.perf_counter() - started
            HTTP_REQUESTS.labels(route, status[0]).observe(took)
            if named:
                ACKS.labels(listener_label(named[0])).observe(took)
            REQUEST_IDS.reset(ids_token)
            REQUEST_LISTENER.reset(named_token)

    return application


def _health(start_response: Callable) -> Iterable[bytes]:
    """Liveness only: the process answers HTTP. Whether it should get traffic is `/readyz`."""
    return _send(start_response, "200 OK", {"ok": True})


def _ready(bot: BotApp, start_response: Callable) -> Iterable[bytes]:
    from bot.serving.readiness import readiness

    report = readiness(bot.services)
    return _send(start_response, "200 OK" if report.ready else "503 Service Unavailable", report.as_json())


def _metrics_route(bot: BotApp) -> WsgiApp:
    registry = app_registry(bot.services.sessions)

    def metrics(environ: dict, start_response: Callable) -> Iterable[bytes]:
        payload = generate_latest(registry)
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(payload)))])
        return [payload]

    return metrics


def _send(start_response: Callable, status: str, body: dict) -> Iterable[bytes]:
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


def serve_http(bot: BotApp, *, port: int, host: str = "0.0.0.0", slack: bool = True) -> None:
    """Block serving HTTP: Slack's endpoint and the health routes, or (`slack=False`, the worker) only the latter."""
    from waitress import serve

    if slack:
        log.info("case-swarm listening on http://%s:%s%s", host, port, EVENTS_PATH)
    else:
        log.info("case-swarm worker: health and metrics on http://%s:%s (no Slack endpoint)", host, port)
    log_text_analysis(bot.services.settings.opening.offer_meaning)  # the worker drafts and redacts Korean too
    serve(wsgi_app(bot, slack=slack), host=host, port=port, threads=max(4, bot.services.settings.listener_threads),
          ident="case-swarm")

