"""The service's Prometheus metrics (prometheus-client), one set per process, scraped at `/metrics`.

Counters and histograms are module-level, as prometheus-client intends: one process runs one app. The
outbox figures are read from the database at scrape time (`OutboxCollector`), so every replica reports
the same shared queue; Prometheus should take `max` of them, not `sum`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from swarms.db import utcnow
from swarms.models import OutboxItem, OutboxState

log = logging.getLogger(__name__)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 3.0, 5.0, 10.0)
MAX_LISTENER_LABELS = 200  # a forged action id must not grow the label set without end

HTTP_REQUESTS = Histogram("case_swarm_http_request_seconds", "HTTP requests by route and status code",
                          ["route", "status"], buckets=LATENCY_BUCKETS)
ACKS = Histogram("case_swarm_ack_seconds", "Time from a Slack request reaching the HTTP server to its answer (the ack)",
                 ["listener"], buckets=LATENCY_BUCKETS)
EVENTS_DEDUPLICATED = Counter("case_swarm_events_deduplicated_total",
                              "Slack deliveries dropped as already handled (retries, replays)", ["kind"])
DELIVERIES = Counter("case_swarm_deliveries_total", "Outbox rows sent to the case system, by outcome",
                     ["case_system", "outcome"])
API_CALLS = Counter("case_swarm_api_calls_total", "Calls to Slack and the case systems, by answer",
                    ["system", "status"])
JOB_RUNS = Counter("case_swarm_job_runs_total", "Scheduled job runs", ["job"])
JOB_FAILURES = Counter("case_swarm_job_failures_total", "Scheduled job runs that failed (logged, retried)", ["job"])
JOB_SECONDS = Histogram("case_swarm_job_seconds", "Scheduled job run time", ["job"],
                        buckets=(0.01, 0.1, 0.5, 1, 5, 15, 60, 300))
SCHEDULER_ROLE = Gauge("case_swarm_scheduler_role", "1 for this process's scheduler role", ["role"])

_listener_labels: set[str] = set()


def count_api_calls(system: str) -> Callable[[str], None]:
    """What a vendor client calls with each answer ("200", "timeout"…), counted under `system`."""
    return lambda status: API_CALLS.labels(system, status).inc()


def listener_label(label: str) -> str:
    """The label as given while the set is small; "other" once MAX_LISTENER_LABELS are in use."""
    if label in _listener_labels:
        return label
    if len(_listener_labels) >= MAX_LISTENER_LABELS:
        return "other"
    _listener_labels.add(label)
    return label


def set_scheduler_role(role: str) -> None:
    """leader, follower, or none (a web-only process)."""
    for each in ("leader", "follower", "none"):
        SCHEDULER_ROLE.labels(each).set(1 if each == role else 0)


class OutboxCollector(Collector):
    """Outbox depth and the age of the oldest pending row, by case system, read when scraped."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("case_swarm_outbox_depth", "Outbox rows not yet delivered, by state",
                                  labels=["case_system", "state"])
        oldest = GaugeMetricFamily("case_swarm_outbox_oldest_pending_seconds",
                                   "Age of the oldest pending outbox row", labels=["case_system"])
        try:
            with self.sessions() as session:
                rows = session.execute(
                    select(OutboxItem.case_system, OutboxItem.state, func.count(), func.min(OutboxItem.created_at))
                    .where(OutboxItem.state != OutboxState.DELIVERED)
                    .group_by(OutboxItem.case_system, OutboxItem.state)
                ).all()
        except Exception:  # a scrape reports what it can; /readyz says the database is down
            log.warning("outbox metrics: the database did not answer", exc_info=True)
            return
        now = utcnow()
        for system, state, count, first in rows:
            depth.add_metric([system, state], count)
            if state == OutboxState.PENDING and first is not None:
                first = first if first.tzinfo else first.replace(tzinfo=now.tzinfo)
                oldest.add_metric([system], max(0.0, (now - first).total_seconds()))
        yield depth
        yield oldest


class _Everything(Collector):
    def __init__(self, sessions: sessionmaker) -> None:
        self.outbox = OutboxCollector(sessions)

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
        yield from self.outbox.collect()


def app_registry(sessions: sessionmaker) -> CollectorRegistry:
    """What `/metrics` serves for one app: the process's metrics plus its database's outbox figures."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Everything(sessions))
    return registry
