"""The thread pool behind Bolt's listeners and lazy work, sized on purpose and drainable in tests."""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import Future, ThreadPoolExecutor


class TrackingExecutor(ThreadPoolExecutor):
    """A ThreadPoolExecutor that can tell when all submitted work is done (tests wait on it, not sleep)."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "case-swarm") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        """Run `fn` in the caller's context (its log ids follow it into the pool's thread)."""
        with self._idle:
            self._pending += 1
        future = super().submit(contextvars.copy_context().run, fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued or running; False if `timeout` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)
