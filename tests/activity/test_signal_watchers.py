"""SignalWatchers without buses: a failing idle source, and what it passes through.

D-Bus watching is off here and tested on real buses in test_dbus_sources.py.
Suspend detection by the clocks is not the watchers' any more: it is the
engine's, on its Clock seam (tests/test_engine.py).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from activity_buses import Changes

from reminder.activity.base import ActivitySample, ChangeListener, Pushes
from reminder.activity.signals import SignalWatchers


class BrokenSource:
    """An idle source whose service vanished after start (GNOME Shell restarting, say)."""

    name = "gnome-mutter"

    def __init__(self) -> None:
        self.failing = False

    async def start(self) -> None:
        return None

    async def sample(self) -> ActivitySample:
        if self.failing:
            raise ConnectionError("org.gnome.Mutter.IdleMonitor went away")
        return ActivitySample(idle_for=timedelta(seconds=3))

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        return Pushes()

    async def close(self) -> None:
        return None


def test_a_failing_idle_source_gives_unknown_idle_instead_of_raising(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The engine keeps running: idle is "unknown" while the source fails, and comes back."""
    inner = BrokenSource()
    watched = SignalWatchers(inner, watch_dbus=False)

    async def scenario() -> list[ActivitySample]:
        await watched.start()
        seen = [await watched.sample()]
        inner.failing = True
        seen += [await watched.sample(), await watched.sample()]
        inner.failing = False
        seen.append(await watched.sample())
        return seen

    seen = asyncio.run(scenario())
    assert [s.idle_for for s in seen] == [timedelta(seconds=3), None, None, timedelta(seconds=3)]
    assert watched.name == "gnome-mutter"
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1, "one warning per outage, not one per sample"
    assert "went away" in warnings[0].getMessage()


class PushingSource:
    """An idle source that announces idle and full screen itself, and records `watch`."""

    name = "x11"

    def __init__(self) -> None:
        self.watched: list[tuple[ChangeListener, timedelta]] = []
        self.reports = [True, False]

    async def start(self) -> None:
        return None

    async def sample(self) -> ActivitySample:
        return ActivitySample(idle_for=timedelta(0), slept=self.reports.pop(0))

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        self.watched.append((on_change, idle_threshold))
        return Pushes(idle=True, fullscreen=True)

    async def close(self) -> None:
        return None


def test_watch_passes_the_listener_and_threshold_on_and_claims_no_lock_without_watchers() -> None:
    """The inner source gets the engine's listener and threshold (again after a change);
    with no bus connected, locks are not claimed as pushed (the engine must ask)."""
    inner = PushingSource()
    watched = SignalWatchers(inner, watch_dbus=False)
    listener = Changes()

    async def scenario() -> tuple[Pushes, Pushes]:
        await watched.start()
        first = watched.watch(listener, timedelta(minutes=5))
        second = watched.watch(listener, timedelta(minutes=10))
        await watched.close()
        return first, second

    first, second = asyncio.run(scenario())
    assert first == second == Pushes(idle=True, fullscreen=True, lock=False)
    assert inner.watched == [(listener, timedelta(minutes=5)), (listener, timedelta(minutes=10))]


def test_a_suspend_the_inner_source_reports_is_one_slept_sample() -> None:
    """A source that sees the suspend itself: that sample says slept, the next does not."""
    watched = SignalWatchers(PushingSource(), watch_dbus=False)

    async def scenario() -> list[bool]:
        await watched.start()
        return [(await watched.sample()).slept, (await watched.sample()).slept]

    assert asyncio.run(scenario()) == [True, False]
