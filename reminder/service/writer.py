"""The one writer: every blocking disk job of the service runs here, off the engine loop.

State saves (fsync of file and folder), history inserts and queries (SQLite,
which may wait on a lock held by another process), configuration writes
(tomlkit) and configuration reads (a network share may hang) all go through a
single worker thread, in the order they were handed in. The loop never waits
on the disk; a job that fails is logged, never dropped silently.

Threading rule: `submit` and `run` are called on the engine loop; the jobs run
on the writer thread and must not touch engine state (they get plain values).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class Writer:
    """A single worker thread for blocking work, with failures logged once per kind."""

    def __init__(self, name: str = "writer") -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._failing: set[str] = set()
        self._closed = False

    def submit(
        self, what: str, job: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> concurrent.futures.Future[T]:
        """Queue `job`; a failure is logged as "could not <what>" (once until it works again)."""
        if self._closed:
            raise RuntimeError(f"the writer is closed; cannot {what}")
        future = self._pool.submit(job, *args, **kwargs)
        future.add_done_callback(lambda done: self._report(what, done))
        return future

    async def run(self, what: str, job: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Queue `job` and wait for its result (its exception is raised here too)."""
        return await asyncio.wrap_future(self.submit(what, job, *args, **kwargs))

    def _report(self, what: str, done: concurrent.futures.Future[Any]) -> None:
        if done.cancelled():
            return
        error = done.exception()
        if error is None:
            if what in self._failing:
                self._failing.discard(what)
                log.info("%s works again", what)
            return
        if what not in self._failing:
            self._failing.add(what)
            log.warning("could not %s: %s", what, error)

    def close(self, timeout: float = 5.0) -> None:
        """Finish the queued jobs (waiting up to `timeout` seconds), then stop the thread."""
        if self._closed:
            return
        self._closed = True
        done = self._pool.submit(lambda: None)
        try:
            done.result(timeout)
        except concurrent.futures.TimeoutError:
            log.warning("the disk did not finish within %gs; some writes may be lost", timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)
