"""What an operator's probes and Prometheus see: liveness, readiness with reasons, metrics, JSON logs."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

from bot.serving.logs import REQUEST_IDS, JsonFormatter, _RequestIds


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_running_bot_is_live_and_ready_and_says_which_scheduler_role_it_has(swarm_app):
    base = swarm_app.run.server.url
    assert get(base + "/healthz")[0] == 200
    status, body = get(base + "/readyz")
    ready = json.loads(body)
    assert status == 200, body
    assert ready == {"ready": True, "reasons": [], "database": "ok", "schema": "current", "role": "all",
                     "scheduler": "leader", "delivery_worker": "running"}


def test_readiness_says_why_not_when_the_delivery_worker_has_stopped(swarm_app):
    swarm_app.services.worker.stop()
    status, body = get(swarm_app.run.server.url + "/readyz")
    assert status == 503
    assert json.loads(body)["reasons"] == ["delivery worker stopped"]


def test_metrics_count_acks_by_listener_slack_calls_the_outbox_and_the_scheduler_role(swarm_app):
    swarm_app.swarm("00001026")
    status, text = get(swarm_app.run.server.url + "/metrics")
    assert status == 200
    assert 'case_swarm_ack_seconds_count{listener="/swarm"}' in text
    assert 'case_swarm_api_calls_total{status="ok",system="slack"}' in text
    assert 'case_swarm_scheduler_role{role="leader"} 1.0' in text
    assert 'case_swarm_http_request_seconds_count{route="/slack/events",status="200"}' in text
    assert "case_swarm_outbox_depth" in text and "case_swarm_job_runs_total" in text


def test_a_json_log_line_is_one_object_with_the_slack_request_it_belongs_to():
    token = REQUEST_IDS.set({"event_id": "Ev0TEST01", "trigger_id": "13345.2"})
    try:
        record = logging.LogRecord("bot", logging.WARNING, __file__, 1, "could not post %s", ("the card",), None)
        _RequestIds().filter(record)
    finally:
        REQUEST_IDS.reset(token)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "could not post the card"
    assert (entry["event_id"], entry["trigger_id"], entry["level"]) == ("Ev0TEST01", "13345.2", "WARNING")
