"""Changes made in the case system reach the swarm channel once; the case system's calls are verified."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime

from bot.listeners.note_sync import poll_and_post
from swarms.case_systems.local import set_case_field

SECRET = "webhook-secret-for-tests"


def open_swarm(app, number="00001026") -> str:
    app.swarm(number)
    return next(c for c in app.workspace.channels() if c.name.startswith(f"swarm-{number}")).id


def texts(app, channel: str) -> list[str]:
    return [m.get("text", "") for m in app.workspace.messages(channel)]


def test_a_status_and_priority_change_in_the_case_system_is_posted_once(swarm_app, sessions):
    channel = open_swarm(swarm_app)
    with sessions.begin() as session:
        set_case_field(session, "00001026", "status", "Working", author="Dana Agent")
        set_case_field(session, "00001026", "priority", "Critical", author="Dana Agent")
    assert poll_and_post(swarm_app.services) == 2
    assert poll_and_post(swarm_app.services) == 0, "a second poll finds nothing new"
    swarm_app.settle()  # queued at the channel's pace, in order
    posted = [t for t in texts(swarm_app, channel) if "🔔" in t]
    assert posted == ["🔔 Case 00001026: status *New* → *Working* (by Dana Agent)",
                      "🔔 Case 00001026: priority *High* → *Critical* (by Dana Agent)"]


def test_the_notes_the_bot_wrote_are_not_echoed_back(swarm_app, sessions):
    channel = open_swarm(swarm_app)
    card_ts = swarm_app.workspace.messages(channel)[0]["ts"]
    swarm_app.driver.user_posts(swarm_app.people.agent, channel, "checked the logs", thread_ts=card_ts)
    swarm_app.settle()
    before = len(swarm_app.workspace.messages(channel))
    poll_and_post(swarm_app.services)
    swarm_app.settle()
    assert len(swarm_app.workspace.messages(channel)) == before


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_webhook_endpoint_accepts_only_signed_fresh_requests(swarm_app):
    services = swarm_app.services
    services.settings = replace(services.settings, case_system="salesforce",
                                sync=replace(services.settings.sync, webhook_secret=SECRET))
    url = swarm_app.run.server.url + "/webhooks/case-system"
    body = json.dumps({"sent_at": datetime.now(UTC).isoformat(), "case_ids": ["5005g00000AbCdEAAV"]}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert post(url, body, {"X-Case-Swarm-Signature": signature}) == 200
    assert post(url, body, {"X-Case-Swarm-Signature": "sha256=" + "0" * 64}) == 401
    assert post(url, body, {}) == 401
    swarm_app.settle()
