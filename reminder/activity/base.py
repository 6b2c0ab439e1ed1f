"""The activity-source seam.

Threading rule: every method is called from the engine's asyncio loop thread
only; sources that receive signals (screen lock, suspend) keep their own flags
and report them in the next `sample()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol


@dataclass(frozen=True)
class ActivitySample:
    """What a source saw at one sampling instant.

    `idle_for` is None when the source cannot tell (the plain timer).
    `slept` is True when the machine suspended since the previous sample.
    """

    idle_for: timedelta | None = None
    screen_locked: bool = False
    fullscreen: bool = False
    slept: bool = False


class ActivitySource(Protocol):
    """Reports idle time, screen lock, suspend and full-screen windows."""

    name: str  # shown by `status` as activity_detection, e.g. "x11", "unavailable"

    async def start(self) -> None:
        """Connect (bus, display); raise to let the caller try the next source."""

    async def sample(self) -> ActivitySample:
        """One sample; cheap (no subprocess, no busy loop)."""
        ...

    async def close(self) -> None:
        """Release connections; never raises."""


class PlainTimer:
    """The fallback where activity cannot be seen: the user always counts as present."""

    name = "unavailable"

    async def start(self) -> None:
        return None

    async def sample(self) -> ActivitySample:
        return ActivitySample()

    async def close(self) -> None:
        return None
