"""SignalWatchers without buses: suspend seen by the clocks, and a failing idle source.

The clocks are fakes (wall-clock and monotonic time set by the test); D-Bus
watching is off here and tested on real buses in test_dbus_sources.py.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from reminder.activity.base import ActivitySample, PlainTimer
from reminder.activity.signals import SignalWatchers

BREAK_AFTER_IDLE = timedelta(minutes=5)


class Clocks:
    """A wall clock and a monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.wall = 1_800_000_000.0
        self.mono = 1_000.0

    def awake(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds

    def asleep(self, seconds: float) -> None:
        self.wall += seconds  # the monotonic clock stops while suspended


def samples_after(steps: list[tuple[str, float]]) -> list[ActivitySample]:
    """One sample after each (awake|asleep|clock_set, seconds) step."""
    clocks = Clocks()
    watched = SignalWatchers(
        PlainTimer(),
        sleep_gap=BREAK_AFTER_IDLE,
        watch_dbus=False,
        wall_clock=lambda: clocks.wall,
        monotonic=lambda: clocks.mono,
    )

    async def scenario() -> list[ActivitySample]:
        await watched.start()
        seen = []
        for step, seconds in steps:
            if step == "awake":
                clocks.awake(seconds)
            elif step == "asleep":
                clocks.asleep(seconds)
            else:
                clocks.wall += seconds
            seen.append(await watched.sample())
        await watched.close()
        return seen

    return asyncio.run(scenario())


def test_a_suspend_longer_than_break_after_idle_is_one_break() -> None:
    """An hour's suspend between two samples: that sample says slept, the next does not."""
    seen = samples_after([("awake", 15), ("asleep", 3600), ("awake", 15)])
    assert [s.slept for s in seen] == [False, True, False]


def test_a_short_suspend_is_not_a_break() -> None:
    """A suspend shorter than break_after_idle does not end the spell."""
    seen = samples_after([("asleep", 60), ("awake", 15)])
    assert [s.slept for s in seen] == [False, False]


@pytest.mark.parametrize(
    "jump", [-3600.0, -86_400.0], ids=["clock-set-back-an-hour", "clock-set-back-a-day"]
)
def test_clock_set_back_is_not_a_suspend(jump: float) -> None:
    """Setting the clock back produces no break (and, being no break, no burst of anything)."""
    seen = samples_after([("clock_set", jump), ("awake", 15)])
    assert [s.slept for s in seen] == [False, False]


def test_without_sleep_gap_the_clocks_are_not_watched() -> None:
    """The gap check is opt-in: no sleep_gap, no clock-based suspend."""
    clocks = Clocks()
    watched = SignalWatchers(
        PlainTimer(),
        watch_dbus=False,
        wall_clock=lambda: clocks.wall,
        monotonic=lambda: clocks.mono,
    )

    async def scenario() -> ActivitySample:
        await watched.start()
        clocks.asleep(3600)
        return await watched.sample()

    assert not asyncio.run(scenario()).slept


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


class SleepReportingSource:
    """An idle source that itself reports the suspend on its first sample."""

    name = "macos"

    def __init__(self) -> None:
        self.reports = [True, False, False]

    async def start(self) -> None:
        return None

    async def sample(self) -> ActivitySample:
        return ActivitySample(idle_for=timedelta(0), slept=self.reports.pop(0))

    async def close(self) -> None:
        return None


def test_a_suspend_seen_twice_is_still_one_break() -> None:
    """The source and the clocks both see the same suspend: one slept sample, not two."""
    clocks = Clocks()
    watched = SignalWatchers(
        SleepReportingSource(),
        sleep_gap=BREAK_AFTER_IDLE,
        watch_dbus=False,
        wall_clock=lambda: clocks.wall,
        monotonic=lambda: clocks.mono,
    )

    async def scenario() -> list[bool]:
        await watched.start()
        clocks.asleep(3600)
        slept = [(await watched.sample()).slept]
        clocks.awake(15)
        slept.append((await watched.sample()).slept)
        clocks.awake(15)
        slept.append((await watched.sample()).slept)
        return slept

    assert asyncio.run(scenario()) == [True, False, False]
