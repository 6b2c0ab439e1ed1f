"""A change listener for call sources that tests can wait on."""

from __future__ import annotations

import asyncio
import time


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
