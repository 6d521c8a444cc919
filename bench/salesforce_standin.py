"""A small Salesforce REST stand-in for the note-sync benchmark: real HTTP, the shapes the adapter reads.

It answers the OAuth client-credentials token call, SOQL queries for Case (by CaseNumber or Id) and
for a case's CaseComments, and sObject Collections create/update (200 records a call, per-record
results). It counts every REST call and stamps each created record with the time it arrived, which
is what the benchmark measures. Not a test double for correctness: the adapter's tests use
`responses` with the reference payloads.

For the replica drill it can also be down (`down = True`: every REST call answers 503, as in an
outage), and hold the next create call (`hold_next_create()`): it notes the caller's port in
`held_peers` (so the drill can tell which process is mid-delivery and kill it), keeps the call open
until released or `hold_seconds` pass, then answers 503 without storing anything: the call never landed.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

_IN_LIST = re.compile(r"(CaseNumber|Id|ParentId)\s+IN\s+\(([^)]*)\)", re.IGNORECASE)
_EQUALS = re.compile(r"\b(Id|CaseNumber)\s*=\s*'([^']*)'", re.IGNORECASE)


@dataclass
class StoredCase:
    id: str
    number: str
    subject: str
    description: str = ""
    status: str = "New"
    priority: str = "Medium"


@dataclass
class SalesforceStandIn:
    cases: dict[str, StoredCase] = field(default_factory=dict)
    comments: list[dict[str, Any]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None
    down: bool = False
    hold_seconds: float = 30.0
    held_peers: list[int] = field(default_factory=list)
    _hold_next: bool = False
    _release: threading.Event = field(default_factory=threading.Event)

    def add_case(self, number: str, subject: str, description: str = "") -> StoredCase:
        case = StoredCase(f"5005g{len(self.cases) + 1:010d}AAV", number, subject, description)
        self.cases[case.id] = case
        return case

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def rest_calls(self) -> int:
        with self.lock:
            return sum(n for path, n in self.calls.items() if "/services/data/" in path)

    def start(self) -> SalesforceStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls on kept-alive connections
            wbufsize = 65536

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                standin._count(self.path)
                if standin.down:
                    _send(self, 503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "stand-in outage"}])
                    return
                standin._query(self)

            def do_POST(self) -> None:
                standin._count(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if standin.down and "/services/data/" in self.path:
                    _send(self, 503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "stand-in outage"}])
                elif self.path.startswith("/services/oauth2/token"):
                    _send(self, 200, {"access_token": "00Dstandin!token", "instance_url": standin.url,
                                      "token_type": "Bearer", "issued_at": str(int(time.time() * 1000))})
                elif self.path.endswith("/composite/sobjects"):
                    if standin._take_hold(self.client_address[1]):
                        standin._release.wait(standin.hold_seconds)
                        _send(self, 503, [{"errorCode": "SERVER_UNAVAILABLE", "message": "held, never landed"}])
                        return
                    _send(self, 200, standin._create(json.loads(body or b"{}")))
                else:
                    _send(self, 404, [{"errorCode": "NOT_FOUND", "message": self.path}])

            def do_PATCH(self) -> None:
                standin._count(self.path)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                _send(self, 200, [{"id": r.get("id"), "success": True, "errors": []} for r in body.get("records", [])])

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="salesforce-standin", daemon=True).start()
        return self

    def hold_next_create(self) -> None:
        self._release.clear()
        with self.lock:
            self._hold_next = True

    def release(self) -> None:
        self._release.set()

    def _take_hold(self, peer_port: int) -> bool:
        with self.lock:
            if not self._hold_next:
                return False
            self._hold_next = False
            self.held_peers.append(peer_port)
            return True

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _count(self, path: str) -> None:
        key = urlsplit(path).path
        key = "/services/data/query" if "/query" in key else key
        with self.lock:
            self.calls[key] = self.calls.get(key, 0) + 1

    def _query(self, handler: BaseHTTPRequestHandler) -> None:
        soql = parse_qs(urlsplit(handler.path).query).get("q", [""])[0]
        if " FROM Case " in soql:
            keys = _keys(soql)
            rows = [_case_row(c) for c in self.cases.values() if c.id in keys or c.number in keys]
        elif " FROM CaseComment " in soql:
            keys = _keys(soql)
            with self.lock:
                rows = [{"attributes": {"type": "CaseComment"}, "Id": c["Id"], "ParentId": c["ParentId"],
                         "CommentBody": c["CommentBody"]} for c in self.comments if c["ParentId"] in keys]
        else:
            rows = []  # CaseHistory and the rest: nothing changes in the benchmark
        _send(handler, 200, {"totalSize": len(rows), "done": True, "records": rows})

    def _create(self, payload: dict[str, Any]) -> list[dict[str, Any]]:
        answers = []
        now = time.time()
        with self.lock:
            for record in payload.get("records", [])[:200]:
                if record.get("ParentId") not in self.cases:
                    answers.append({"success": False, "errors": [
                        {"statusCode": "INVALID_CROSS_REFERENCE_KEY", "message": "invalid cross reference id",
                         "fields": ["ParentId"]}]})
                    continue
                record_id = f"00a5g{next(self._ids):010d}AAQ"
                self.comments.append({**record, "Id": record_id, "received_at": now})
                answers.append({"id": record_id, "success": True, "errors": []})
        return answers


def _keys(soql: str) -> set[str]:
    keys: set[str] = set()
    for match in _IN_LIST.finditer(soql):
        keys.update(part.strip().strip("'") for part in match.group(2).split(","))
    keys.update(match.group(2) for match in _EQUALS.finditer(soql))
    return keys


def _case_row(case: StoredCase) -> dict[str, Any]:
    return {"attributes": {"type": "Case"}, "Id": case.id, "CaseNumber": case.number, "Subject": case.subject,
            "Description": case.description, "Status": case.status, "Priority": case.priority, "IsClosed": False,
            "CreatedDate": "2026-11-20T09:00:00.000+0000", "LastModifiedDate": "2026-11-20T09:00:00.000+0000",
            "Account": {"Name": "Hanbit Solar"}, "Contact": {"Name": "Min-ji Park", "Email": "minji@example.com"},
            "Owner": {"Name": "Dana Agent"}}


def _send(handler: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
