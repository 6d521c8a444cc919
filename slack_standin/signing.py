"""Slack request signing, as Slack does it for commands, interactions and events."""

from __future__ import annotations

import hashlib
import hmac
import time


def signature(secret: str, timestamp: str, body: bytes | str) -> str:
    """`v0=` + hex HMAC-SHA256(secret, `v0:{timestamp}:{raw body}`)."""
    raw = body if isinstance(body, bytes) else body.encode()
    base = b"v0:" + timestamp.encode() + b":" + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str,
    body: bytes,
    *,
    content_type: str,
    timestamp_offset: int = 0,
    sign: bool = True,
) -> dict[str, str]:
    """Headers Slack puts on a request; `sign=False` sends a signature made with the wrong secret."""
    timestamp = str(int(time.time()) + timestamp_offset)
    key = secret if sign else secret + "-wrong"
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(key, timestamp, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
