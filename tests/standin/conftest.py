"""A running stand-in per test, a WebClient pointed at it, and a small Bolt app to drive."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_sdk import WebClient

from slack_standin import SlackStandIn

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class _ThreadingWSGIServer(WSGIServer):
    """The bot answers while it calls the stand-in: one thread per request, like waitress."""

    def process_request(self, request, client_address):
        threading.Thread(target=self._handle, args=(request, client_address), daemon=True).start()

    def _handle(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:  # as socketserver's own threads do: report, never kill the test run
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(signing_secret=SECRET, bot_token=TOKEN, team_name="Acme") as slack:
        yield slack


@pytest.fixture
def client(standin) -> WebClient:
    return WebClient(token=TOKEN, base_url=standin.api_url)


@pytest.fixture
def serve():
    """Serve a WSGI app on 127.0.0.1; returns its `/slack/events` URL."""
    servers = []

    def start(wsgi_app) -> str:
        server = make_server("127.0.0.1", 0, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/slack/events"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
