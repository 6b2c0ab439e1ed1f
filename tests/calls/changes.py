"""A change listener for call sources that tests can wait on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class Changes:
    """Counts `on_change` calls (on the loop) and lets a test wait for the next one."""

    def __init__(self) -> None:
        self.count = 0
        self.times: list[float] = []
        self._event = asyncio.Event()

    def __call__(self) -> None:
        self.count += 1
        self.times.append(time.monotonic())
        self._event.set()

    async def next(self, within: float, what: str) -> float:
        """Wait for a change (or take one that came since the last wait); its time."""
        try:
            await asyncio.wait_for(self._event.wait(), within)
        except asyncio.TimeoutError:
            raise AssertionError(f"no change within {within}s: {what}") from None
        self._event.clear()
        return self.times[-1]


async def eventually(
    produce: Callable[[], Awaitable[T]], accept: Callable[[T], bool], what: str, limit: float = 5
) -> T:
    """Call `produce` until `accept` says yes; fail naming `what` after `limit` seconds."""
    deadline = time.monotonic() + limit
    while True:
        value = await produce()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit}s waiting for {what}; last: {value!r}")
        await asyncio.sleep(0.02)
