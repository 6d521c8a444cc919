"""Inbound webhooks from the case systems: check the signature, then say what changed or what to poll.

Zendesk signs each request: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(secret, timestamp + body))
with the timestamp from `X-Zendesk-Webhook-Signature-Timestamp` (ISO 8601). Salesforce has no signing of
its own, so a Flow or Apex callout (or a proxy for outbound messages) sends `X-Case-Swarm-Signature:
sha256=<hex HMAC-SHA256(secret, body)>`, and the body carries its own `sent_at` so a replay grows stale:

    {"sent_at": "2026-11-21T16:05:40Z",
     "case_ids": ["5005g00000AbCdEAAV"],
     "changes": [{"id": "017…", "case_id": "5005g00000AbCdEAAV", "field": "Status",
                  "old": "New", "new": "Working", "at": "2026-11-21T16:05:31Z", "author": "Dana Agent"}]}

A change with the CaseHistory or CaseComment `id` becomes a `CaseChange` whose change_id matches the
one polling gives (`sf:<id>`), so it is posted once whichever way it arrives. Zendesk payloads name no
audit id, so a Zendesk webhook only asks for its ticket to be polled now.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from swarms.case_systems.base import CaseChange

MAX_AGE_SECONDS = 300
ZENDESK_SIGNATURE = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
CASE_SWARM_SIGNATURE = "X-Case-Swarm-Signature"
SALESFORCE_FIELDS = {
    "status": "status",
    "priority": "priority",
    "owner": "owner",
    "ownerid": "owner",
    "ownerassignment": "owner",
    "public_comment": "public_comment",
    "casecomment": "public_comment",
}
_RECORD_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
_TICKET_SUBJECT = re.compile(r"^zen:ticket:(\d+)$")


class WebhookRejected(Exception):
    """The request is not from the case system, or too old; answer 401 and do nothing."""


@dataclass(frozen=True)
class WebhookEvent:
    """What a verified webhook asks for: changes to post, and cases to poll now."""

    changes: list[CaseChange] = field(default_factory=list)
    poll_case_keys: list[str] = field(default_factory=list)


def read_webhook(
    source: str, headers: Mapping[str, str], body: bytes, secret: str, *, now: float | None = None
) -> WebhookEvent:
    """Verify and parse one request from "zendesk" or "salesforce". Raises WebhookRejected."""
    header = {name.lower(): value for name, value in headers.items()}
    if source == "zendesk":
        verify_zendesk(
            secret, body, header.get(ZENDESK_SIGNATURE.lower(), ""), header.get(ZENDESK_TIMESTAMP.lower(), ""), now=now
        )
        return parse_zendesk(body)
    if source == "salesforce":
        payload = verify_case_swarm(secret, body, header.get(CASE_SWARM_SIGNATURE.lower(), ""), now=now)
        return parse_salesforce(payload)
    raise WebhookRejected(f"unknown webhook source {source!r}")


def verify_zendesk(secret: str, body: bytes, signature: str, timestamp: str, *, now: float | None = None) -> None:
    """Zendesk's recipe: base64(HMAC-SHA256(secret, timestamp + body)), and a timestamp under 5 minutes old."""
    if not secret:
        raise WebhookRejected("no webhook secret is configured")
    if not signature or not timestamp:
        raise WebhookRejected("signature headers missing")
    expected = base64.b64encode(hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature.strip().encode()):
        raise WebhookRejected("signature does not match")
    _fresh(_epoch(timestamp), now)


def verify_case_swarm(secret: str, body: bytes, signature: str, *, now: float | None = None) -> dict[str, Any]:
    """`sha256=<hex HMAC of the body>`, and a `sent_at` in the body under 5 minutes old. Returns the payload."""
    if not secret:
        raise WebhookRejected("no webhook secret is configured")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise WebhookRejected("signature does not match")
    payload = _json(body)
    if not isinstance(payload, dict) or not payload.get("sent_at"):
        raise WebhookRejected("sent_at missing from the body")
    _fresh(_epoch(str(payload["sent_at"])), now)
    return payload


def parse_zendesk(body: bytes) -> WebhookEvent:
    """An event subscription (`zen:ticket:<id>` subject) or a trigger body with `ticket_id`: poll that ticket."""
    payload = _json(body)
    if not isinstance(payload, dict):
        raise WebhookRejected("body is not a JSON object")
    ticket = payload.get("ticket") if isinstance(payload.get("ticket"), dict) else {}
    detail = payload.get("detail") if isinstance(payload.get("detail"), dict) else {}
    subject = _TICKET_SUBJECT.match(str(payload.get("subject", "")))
    candidates = (payload.get("ticket_id"), ticket.get("id"), subject and subject.group(1), detail.get("id"))
    ticket_id = next((str(value) for value in candidates if value and str(value).isdigit()), "")
    return WebhookEvent(poll_case_keys=[ticket_id] if ticket_id else [])


def parse_salesforce(payload: Mapping[str, Any]) -> WebhookEvent:
    """Changes with a record id become CaseChanges; other changed cases are polled."""
    changes: list[CaseChange] = []
    poll = [str(key) for key in payload.get("case_ids") or [] if _RECORD_ID.fullmatch(str(key))]
    for item in payload.get("changes") or []:
        if not isinstance(item, dict) or not _RECORD_ID.fullmatch(str(item.get("case_id", ""))):
            continue
        case_id = str(item["case_id"])
        field_name = SALESFORCE_FIELDS.get(str(item.get("field", "")).lower())
        at = _datetime(item.get("at"))
        if field_name and at and item.get("id"):
            changes.append(
                CaseChange(
                    case_id,
                    field_name,
                    str(item.get("old") or ""),
                    str(item.get("new") or ""),
                    at,
                    str(item.get("author") or ""),
                    change_id=f"sf:{item['id']}",
                )
            )
        elif case_id not in poll:
            poll.append(case_id)
    return WebhookEvent(changes=changes, poll_case_keys=list(dict.fromkeys(poll)))


def _fresh(sent: float, now: float | None) -> None:
    age = (time.time() if now is None else now) - sent
    if abs(age) > MAX_AGE_SECONDS:
        raise WebhookRejected(f"timestamp is {int(abs(age))} s off; refusing a stale or replayed request")


def _epoch(value: str) -> float:
    value = value.strip()
    if value.isdigit():
        return float(value)
    at = _datetime(value)
    if at is None:
        raise WebhookRejected(f"unreadable timestamp {value[:40]!r}")
    return at.timestamp()


def _datetime(value: Any) -> datetime | None:
    try:
        at = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    if at is not None and at.tzinfo is None:
        return None  # a time without a zone cannot be compared safely
    return at


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise WebhookRejected("body is not JSON") from None
