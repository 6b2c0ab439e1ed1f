"""The clock seam: wall time (aware UTC) and monotonic progress, read only by the shell."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Wall-clock time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds that never jump (and, on Linux, stand still during suspend)."""
        ...


class SystemClock:
    """The real clocks."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A test clock: frozen until moved; `advance` moves both clocks, `jump` only the wall."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._wall = start
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._wall

    def monotonic(self) -> float:
        return self._mono

    def advance(self, by: timedelta) -> None:
        if by < timedelta(0):
            raise ValueError("time does not run backwards; use jump() for a clock change")
        self._wall += by
        self._mono += by.total_seconds()

    def jump(self, by: timedelta) -> None:
        """Move only the wall clock, as a suspend or a manual clock change does."""
        self._wall += by
