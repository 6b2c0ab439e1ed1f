"""The activity-source seam: idle time, screen lock, suspend and full-screen windows.

The engine sleeps until the next moment that can matter. A source that can
announce changes (X11 XSync alarms, GNOME's IdleMonitor watches, D-Bus lock and
sleep signals) is asked to `watch` and then calls the engine back; a source
that can only be asked (KDE's GetSessionIdleTime, Windows, macOS) says so, and
the engine asks it again exactly when the answer could first change.

Threading rule: every method is called on the engine's asyncio loop thread, and
`on_change` must be called there too (use `loop.call_soon_threadsafe` from a
foreign thread). Sources that receive signals keep their own flags and report
them in the next `sample()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

ChangeListener = Callable[[], None]
"""Called with no arguments when something a source reports may have changed."""


@dataclass(frozen=True)
class ActivitySample:
    """What a source saw at one instant.

    `idle_for` is None when the source cannot tell (the plain timer).
    `slept` is True when the machine suspended since the previous sample.
    """

    idle_for: timedelta | None = None
    screen_locked: bool = False
    fullscreen: bool = False
    slept: bool = False


@dataclass(frozen=True)
class Pushes:
    """What a source announces by calling `on_change`, so the engine need not ask.

    `idle`: the idle time reaching the threshold given to `watch`, and input
    resuming after it did. `fullscreen`: a full-screen window appearing or going.
    `lock`: the screen locking or unlocking, and a suspend.
    """

    idle: bool = False
    fullscreen: bool = False
    lock: bool = False


NOTHING_PUSHED = Pushes()


class ActivitySource(Protocol):
    """Reports idle time, screen lock, suspend and full-screen windows."""

    name: str  # shown by `status` as activity_detection, e.g. "x11", "unavailable"

    async def start(self) -> None:
        """Connect (bus, display); raise to let the caller try the next source."""

    async def sample(self) -> ActivitySample:
        """The current state; cheap (no subprocess, no busy loop)."""
        ...

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        """From now on, call `on_change` for every change this source can announce.

        `idle_threshold` is `activity.break_after_idle`: announce the idle time
        reaching it and, once it has, the next input. Calling `watch` again replaces
        the listener and the threshold. Returns what will be announced; the engine
        asks (`sample`) for the rest.
        """
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

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        # Nothing can change: "present" is all it ever says, so nothing needs asking either.
        return Pushes(idle=True, fullscreen=True, lock=True)

    async def close(self) -> None:
        return None
