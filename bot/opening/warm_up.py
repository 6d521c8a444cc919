"""After `serve` is ready, index the work already under way, so the first `/swarm` of the day is not the slow one.

The first offer in a process reads and analyses every recent swarm and article, and loads the Korean analyser
where they hold Korean (seconds with thousands of swarms; the analyser's model load holds the interpreter
for about a second, here as on a first offer). Here that happens on a background thread of low priority, once the
process reports ready, so start-up and the acks are not kept waiting. A database without swarms is left
alone (one query, nothing loaded), so a new install stays as light as before its first use (bench/startup.py);
with SWARM_OFFER_EXISTING=false nothing is warmed (no offer will use it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time

from bot.services import AppServices
from bot.serving.readiness import readiness
from swarms.opening.existing_work import teams_with_work, warm_existing_work

log = logging.getLogger(__name__)

READY_POLL_SECONDS = 0.5
READY_WAIT_SECONDS = 120.0  # a process not ready by then has other trouble: warming is left to the first offer


def start_warming(services: AppServices, *, poll_seconds: float = READY_POLL_SECONDS,
                  wait_seconds: float = READY_WAIT_SECONDS) -> threading.Thread:
    """Warm the offer's index of each workspace's work on a daemon thread, once `/readyz` would say ready."""
    thread = threading.Thread(target=warm_when_ready, args=(services, poll_seconds, wait_seconds),
                              name="offer-warm-up", daemon=True)
    thread.start()
    return thread


def warm_when_ready(services: AppServices, poll_seconds: float, wait_seconds: float) -> list[str]:
    """The workspaces warmed (none when the offer is off, there are no swarms, or the process never got ready)."""
    if not services.settings.opening.offer_existing:
        return []
    with contextlib.suppress(AttributeError, OSError):  # on Linux a thread has its own nice value: the
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)  # warm-up yields the CPU to the listeners
    try:
        with services.sessions() as session:
            teams = teams_with_work(session, services.cases.name)
        if not teams:
            return []
        deadline = time.monotonic() + wait_seconds
        while not readiness(services).ready:
            if time.monotonic() >= deadline:
                log.info("offer warm-up skipped: not ready after %.0f s", wait_seconds)
                return []
            time.sleep(poll_seconds)
    except Exception:  # the first offer then does the work itself; nothing is lost
        log.exception("offer warm-up failed")
        return []
    started = time.perf_counter()
    warmed = []
    for team_id in teams:
        try:
            with services.sessions() as session:
                warm_existing_work(session, services.existing_work, team_id, services.cases.name)
        except Exception:  # that workspace's first offer does it itself; the others are still warmed
            log.exception("offer warm-up failed for workspace %s", team_id)
            continue
        warmed.append(team_id)
    log.info("offer warm-up: the work of %d workspace(s) indexed in %.1f s", len(warmed), time.perf_counter() - started)
    return warmed
