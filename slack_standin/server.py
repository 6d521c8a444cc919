"""The stand-in's HTTP side on 127.0.0.1: the Web API under `/api/`, response URLs, and the file upload URL."""

from __future__ import annotations

import base64
import binascii
import json
import threading
import urllib.parse
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_standin.api import ApiAnswer, WebApi
from slack_standin.errors import SlackError


class StandInHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, api: WebApi, after_request: Callable[[], None], port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.api = api
        self.after_request = after_request  # delivers the events a call caused, once it is answered
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="standin-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    server: StandInHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed-ACK stalls
    wbufsize = 65536

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the call log instead
        pass

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        body = self._read_body()
        if parsed.path.startswith("/api/"):
            self._api(parsed.path.removeprefix("/api/"), parsed.query, body)
        elif parsed.path.startswith("/respond/"):
            self._respond(parsed.path.removeprefix("/respond/"), body)
        elif parsed.path.startswith("/upload/v1/"):
            self._upload(parsed.path.removeprefix("/upload/v1/"), body)
        elif parsed.path.startswith("/files/"):
            self._download(parsed.path.split("/")[2])
        elif parsed.path == "/oauth/v2/authorize":
            self._authorize(parsed.query)
        else:
            self._send(404, b"not found", "text/plain")
        self.server.after_request()

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _api(self, method: str, query: str, body: bytes) -> None:
        values: dict[str, Any] = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        content_type = self.headers.get("Content-Type", "")
        warnings = []
        if content_type.startswith("application/json"):
            try:
                parsed = json.loads(body or b"{}")
            except ValueError:
                self._answer(ApiAnswer(200, {"ok": False, "error": "invalid_json"}, {}))
                return
            if not isinstance(parsed, dict):
                self._answer(ApiAnswer(200, {"ok": False, "error": "json_not_object"}, {}))
                return
            values.update(parsed)
            if "charset" not in content_type:
                warnings.append("missing_charset")
        elif body:
            values.update(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
            if "charset" in content_type:
                warnings.append("superfluous_charset")
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
        if auth.startswith("Basic "):  # oauth.v2.access: the client id and secret, as Slack prefers them
            client_id, client_secret = _basic_credentials(auth.removeprefix("Basic ").strip())
            values.setdefault("client_id", client_id)
            values.setdefault("client_secret", client_secret)
        answer = self.server.api.handle(method, values, token=token)
        if warnings and answer.status == 200:
            answer.body = _with_warnings(answer.body, warnings)
        self._answer(answer)

    def _authorize(self, query: str) -> None:
        """Slack's consent page, answered for the person signed in to the stand-in (a cookie `Browser` sets)."""
        oauth = self.server.api.oauth
        if oauth is None:
            self._send(404, b"this stand-in has no OAuth app (SlackStandIn(oauth=OAuthApp()))", "text/plain")
            return
        cookies = _cookies(self.headers.get("Cookie", ""))
        team_id, _, user_id = cookies.get("standin_session", "").partition(":")
        workspace = self.server.api.workspaces.get(team_id)
        allow = cookies.get("standin_consent", "allow") != "cancel"
        redirect = oauth.authorize(dict(urllib.parse.parse_qsl(query)), workspace, user_id, allow=allow)
        if redirect.error:
            self._send(redirect.status, redirect.error.encode(), "text/plain; charset=utf-8")
            return
        self._send(302, b"", "text/plain", {"Location": redirect.location})

    def _respond(self, token: str, body: bytes) -> None:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = dict(urllib.parse.parse_qsl(body.decode()))
            payload = json.loads(payload["payload"]) if "payload" in payload else payload
        error = SlackError("expired_url")
        for workspace in self.server.api.workspaces.values():  # a response URL belongs to one of them
            try:
                workspace.respond(token, payload)
            except SlackError as refused:
                error = refused if refused.code != "expired_url" else error  # "not here" unless no one has it
                continue
            self._send(200, b'{"ok":true}', "application/json")
            return
        self._send(404, json.dumps(error.body()).encode(), "application/json")

    def _upload(self, file_id: str, body: bytes) -> None:
        if any(ws.receive_upload(file_id, body) for ws in self.server.api.workspaces.values()):
            self._send(200, f"OK - {len(body)}".encode(), "text/plain")
        else:
            self._send(404, b"file_not_found", "text/plain")

    def _download(self, file_id: str) -> None:
        stored = next((found for ws in self.server.api.workspaces.values()
                       if (found := ws.file(file_id)) is not None), None)
        if stored is None or stored.content is None:
            self._send(404, b"file_not_found", "text/plain")
            return
        self._send(200, stored.content, "application/octet-stream")

    def _answer(self, answer: ApiAnswer) -> None:
        self._send(answer.status, json.dumps(answer.body).encode(), "application/json; charset=utf-8", answer.headers)

    def _send(self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()


def _basic_credentials(encoded: str) -> tuple[str, str]:
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return client_id, secret


def _cookies(header: str) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _with_warnings(body: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """Slack's charset warnings, in `warning` (comma-joined) and in `response_metadata.warnings`."""
    existing = [w for w in body.get("warning", "").split(",") if w]
    merged = list(dict.fromkeys([*existing, *warnings]))
    metadata = dict(body.get("response_metadata") or {})
    metadata["warnings"] = list(dict.fromkeys([*metadata.get("warnings", []), *warnings]))
    return {**body, "warning": ",".join(merged), "response_metadata": metadata}
