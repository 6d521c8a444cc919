"""Given a case system that calls us, when its request is signed with our secret, then we act on it;
when it is not, or it is stale, then it is refused and nothing happens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import pytest

from swarms.case_systems.webhooks import WebhookRejected, read_webhook

SECRET = "s3cret-shared-with-the-case-system"


def zendesk_headers(body: bytes, *, secret: str = SECRET, timestamp: str | None = None) -> dict[str, str]:
    stamp = timestamp or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    signature = base64.b64encode(hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()).decode()
    return {"X-Zendesk-Webhook-Signature": signature, "X-Zendesk-Webhook-Signature-Timestamp": stamp}


def salesforce_headers(body: bytes, *, secret: str = SECRET) -> dict[str, str]:
    return {"X-Case-Swarm-Signature": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def test_a_signed_zendesk_event_asks_for_its_ticket_to_be_polled():
    body = json.dumps({"type": "zen:event-type:ticket.status_changed", "subject": "zen:ticket:35436",
                       "detail": {"id": "35436", "status": "SOLVED"}}).encode()
    event = read_webhook("zendesk", zendesk_headers(body), body, SECRET)
    assert event.poll_case_keys == ["35436"]


def test_a_zendesk_trigger_body_with_ticket_id_works_too():
    body = json.dumps({"ticket_id": 42, "status": "open"}).encode()
    assert read_webhook("zendesk", zendesk_headers(body), body, SECRET).poll_case_keys == ["42"]


@pytest.mark.parametrize("tamper", ["body", "secret", "missing"])
def test_a_zendesk_request_with_a_wrong_signature_is_refused(tamper):
    body = json.dumps({"ticket_id": 42}).encode()
    headers = zendesk_headers(body, secret="other" if tamper == "secret" else SECRET)
    if tamper == "body":
        body = body.replace(b"42", b"43")
    if tamper == "missing":
        headers = {}
    with pytest.raises(WebhookRejected):
        read_webhook("zendesk", headers, body, SECRET)


def test_a_replayed_zendesk_request_is_refused():
    body = json.dumps({"ticket_id": 42}).encode()
    old = datetime.fromtimestamp(time.time() - 3600, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(WebhookRejected, match="stale"):
        read_webhook("zendesk", zendesk_headers(body, timestamp=old), body, SECRET)


def test_no_configured_secret_refuses_everything():
    body = b'{"ticket_id": 42}'
    with pytest.raises(WebhookRejected):
        read_webhook("zendesk", zendesk_headers(body, secret=""), body, "")


def test_a_signed_salesforce_change_becomes_a_case_change_with_the_polls_id():
    sent = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps({
        "sent_at": sent,
        "case_ids": ["5005g00000AbCdEAAV"],
        "changes": [{"id": "0175g00000XyZaBAAV", "case_id": "5005g00000AbCdEAAV", "field": "Status",
                     "old": "New", "new": "Working", "at": "2026-11-21T16:05:31+00:00", "author": "Dana Agent"},
                    {"case_id": "5005g00000ZzZzZAAV", "field": "Something"}],
    }).encode()
    event = read_webhook("salesforce", salesforce_headers(body), body, SECRET)
    [change] = event.changes
    assert (change.case_key, change.field, change.old, change.new) == ("5005g00000AbCdEAAV", "status", "New", "Working")
    assert change.change_id == "sf:0175g00000XyZaBAAV"
    assert set(event.poll_case_keys) == {"5005g00000AbCdEAAV", "5005g00000ZzZzZAAV"}


def test_a_salesforce_body_without_sent_at_or_with_a_bad_signature_is_refused():
    body = json.dumps({"case_ids": ["5005g00000AbCdEAAV"]}).encode()
    with pytest.raises(WebhookRejected, match="sent_at"):
        read_webhook("salesforce", salesforce_headers(body), body, SECRET)
    fresh = json.dumps({"sent_at": datetime.now(UTC).isoformat(), "case_ids": []}).encode()
    with pytest.raises(WebhookRejected, match="signature"):
        read_webhook("salesforce", salesforce_headers(fresh, secret="wrong"), fresh, SECRET)


def test_the_local_store_has_no_webhook():
    with pytest.raises(WebhookRejected):
        read_webhook("local", {}, b"{}", SECRET)
