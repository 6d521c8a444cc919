"""Event delivery: what the workspace emits goes to an outbox, and from there to the bot's Events URL.

The workspace emits under its lock; delivering there would deadlock as soon as the bot calls the Web API
from its handler. So emitting only appends, and delivery happens after the lock is released:

* synchronous (default): the thread that caused the events delivers them. A test thread (driver helpers,
  `drain()`) waits until the outbox is empty; a server thread, after it has answered the Web API call,
  delivers unless another thread already is (that one keeps going until the outbox is empty). So when a
  helper or `drain()` returns, every event emitted so far has been delivered.
* asynchronous: one background thread delivers, as Slack does; `drain()` waits for it to catch up.

Like Slack, a delivery that fails (non-2xx or no answer in time) is retried up to 3 times with
`X-Slack-Retry-Num` / `X-Slack-Retry-Reason` and the same `event_id`; here the retries follow at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slack_standin.driver import Driver, DriverResult
    from slack_standin.workspace import Workspace

log = logging.getLogger(__name__)

MAX_RETRIES = 3


class Outbox:
    def __init__(self) -> None:
        self._queue: deque[tuple[dict[str, Any], Workspace | None]] = deque()
        self._cond = threading.Condition()
        self._delivering = threading.Lock()
        self._driver: Driver | None = None
        self._retry = True
        self._worker: threading.Thread | None = None
        self._stopping = False
        self._busy = False
        self._local = threading.local()
        self.emitted: list[dict[str, Any]] = []
        self.results: list[DriverResult] = []

    def configure(self, driver: Driver | None, *, asynchronous: bool = False, retry: bool = True) -> None:
        self.stop()
        with self._cond:
            self._driver, self._retry, self._stopping = driver, retry, False
        if driver is not None and asynchronous:
            self._worker = threading.Thread(target=self._run, name="standin-events", daemon=True)
            self._worker.start()

    @property
    def target(self) -> Driver | None:
        return self._driver

    def put(self, event: dict[str, Any], workspace: Workspace | None = None) -> None:
        """The workspace listener: record and queue; never blocks on delivery. `workspace`: another workspace
        than the driver's (several workspaces installed the app), whose envelope carries its team."""
        captured = getattr(self._local, "events", None)
        if captured is not None:
            captured.append(event)
        with self._cond:
            self.emitted.append(event)
            if self._driver is not None:
                self._queue.append((event, workspace))
                self._cond.notify_all()

    @contextmanager
    def capturing(self) -> Iterator[list[dict[str, Any]]]:
        """Collect the events this thread causes, for a driver that delivers them itself."""
        self._local.events = []
        try:
            yield self._local.events
        finally:
            self._local.events = None

    def pump(self, *, wait: bool) -> None:
        """Deliver queued events on this thread (sync mode). `wait=False` leaves them to a busy deliverer."""
        if self._worker is not None:
            if wait:
                self.drain()
            return
        while True:
            if not self._delivering.acquire(blocking=wait):
                return
            try:
                while (item := self._pop()) is not None:
                    self._deliver(item)
            finally:
                self._delivering.release()
            with self._cond:
                if not self._queue:
                    return

    def drain(self, timeout: float = 10.0) -> None:
        """Return once everything emitted so far has been delivered."""
        if self._worker is None:
            self.pump(wait=True)
            return
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("events still undelivered")
                self._cond.wait(remaining)

    def stop(self) -> None:
        worker = self._worker
        if worker is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        worker.join(timeout=5)
        self._worker = None

    def _pop(self) -> tuple[dict[str, Any], Workspace | None] | None:
        with self._cond:
            return self._queue.popleft() if self._queue else None

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                item = self._queue.popleft()
                self._busy = True
            try:
                self._deliver(item)
            except Exception:  # one bad delivery must not stop the events after it
                log.exception("stand-in: delivering a %s event failed", item[0].get("type"))
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _deliver(self, item: tuple[dict[str, Any], Workspace | None]) -> None:
        event, workspace = item
        driver = self._driver
        if driver is None:
            return
        if workspace is not None and workspace is not driver.workspace:
            driver = driver.for_workspace(workspace)
        envelope = driver.envelope(event)
        result = driver.send_envelope(envelope)
        attempt = 0
        while self._retry and not result.ok and attempt < MAX_RETRIES:
            attempt += 1
            reason = "http_timeout" if result.status is None else "http_error"
            result = driver.send_envelope(envelope, retry_num=attempt, retry_reason=reason)
        with self._cond:
            self.results.append(result)
