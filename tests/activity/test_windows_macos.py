"""Windows and macOS sources with the OS functions injected.

GetLastInputInfo, GetTickCount, OpenInputDesktop, SHQueryUserNotificationState
and IOKit's HIDIdleTime cannot exist on this Linux machine, so every test here
hands the source plain Python functions standing in for them; what is tested is
our arithmetic and interpretation of their results.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from reminder.activity.base import NOTHING_PUSHED, ActivitySample, ActivitySource, Pushes
from reminder.activity.detect import choose_activity_source
from reminder.activity.macos import MacApi, MacSource
from reminder.activity.windows import (
    QUNS_ACCEPTS_NOTIFICATIONS,
    QUNS_APP,
    QUNS_BUSY,
    QUNS_NOT_PRESENT,
    QUNS_PRESENTATION_MODE,
    QUNS_QUIET_TIME,
    QUNS_RUNNING_D3D_FULL_SCREEN,
    WindowsApi,
    WindowsSource,
)

WRAP = 2**32


def windows(
    last_input: int, tick: int, *, state: int = QUNS_ACCEPTS_NOTIFICATIONS, desktop: bool = True
) -> WindowsApi:
    """Stand-ins for the Windows calls, returning fixed values (no Windows here)."""
    return WindowsApi(
        last_input_tick=lambda: last_input,
        tick_count=lambda: tick,
        input_desktop_open=lambda: desktop,
        notification_state=lambda: state,
    )


def sample(source: WindowsSource | MacSource) -> ActivitySample:
    async def scenario() -> ActivitySample:
        await source.start()
        try:
            return await source.sample()
        finally:
            await source.close()

    return asyncio.run(scenario())


def test_windows_idle_time_is_tick_count_minus_last_input() -> None:
    """(GetTickCount is faked.) Last input 42 s ago: idle 42 s."""
    assert sample(WindowsSource(windows(1_000_000, 1_042_000))).idle_for == timedelta(seconds=42)


def test_windows_idle_time_survives_the_49_day_tick_wrap() -> None:
    """(GetTickCount is faked.) Input 1 s before the 32-bit wrap, now 1.5 s after it: 2.5 s idle.

    Without the wrap handled this would be about -49.7 days, or a month of "away".
    """
    last_input = WRAP - 1_000
    now_after_wrap = 1_500
    assert sample(WindowsSource(windows(last_input, now_after_wrap))).idle_for == timedelta(
        milliseconds=2_500
    )


def test_windows_input_stamped_after_the_tick_read_is_no_idle_time() -> None:
    """(GetTickCount is faked.) A last input later than "now" must not look like 49 days away."""
    assert sample(WindowsSource(windows(5_016, 5_000))).idle_for == timedelta(0)


@pytest.mark.parametrize(
    ("state", "fullscreen"),
    [
        (QUNS_BUSY, True),
        (QUNS_RUNNING_D3D_FULL_SCREEN, True),
        (QUNS_PRESENTATION_MODE, True),
        (QUNS_ACCEPTS_NOTIFICATIONS, False),
        (QUNS_QUIET_TIME, False),
        (QUNS_APP, False),
    ],
    ids=["busy", "d3d-game", "presentation", "normal", "quiet-time", "store-app"],
)
def test_windows_fullscreen_follows_the_shell_notification_state(
    state: int, fullscreen: bool
) -> None:
    """(SHQueryUserNotificationState is faked.) Presentations and full-screen apps hold prompts."""
    seen = sample(WindowsSource(windows(0, 10, state=state)))
    assert seen.fullscreen is fullscreen
    assert not seen.screen_locked


def test_windows_lock_screen_counts_as_locked() -> None:
    """(OpenInputDesktop is faked.) The secure desktop refuses us: the screen is locked."""
    assert sample(WindowsSource(windows(0, 10, desktop=False))).screen_locked


def test_windows_not_present_counts_as_locked() -> None:
    """(SHQueryUserNotificationState is faked.) QUNS_NOT_PRESENT: locked or screen saver."""
    seen = sample(WindowsSource(windows(0, 10, state=QUNS_NOT_PRESENT)))
    assert seen.screen_locked
    assert not seen.fullscreen


def test_windows_failed_notification_query_still_gives_idle_time() -> None:
    """(The shell call is faked to fail.) Idle time still comes; full screen is taken as no."""

    def failing() -> int:
        raise OSError("SHQueryUserNotificationState failed: HRESULT 0x80004005")

    api = replace(windows(0, 7_000), notification_state=failing)
    seen = sample(WindowsSource(api))
    assert seen.idle_for == timedelta(seconds=7)
    assert not seen.fullscreen


def test_macos_hid_idle_nanoseconds_become_a_timedelta() -> None:
    """(IOKit's HIDIdleTime is faked.) 90.5 s in nanoseconds is 90.5 s idle."""
    api = MacApi(hid_idle_ns=lambda: 90_500_000_000, screen_locked=lambda: False)
    seen = sample(MacSource(api))
    assert seen.idle_for == timedelta(seconds=90.5)
    assert not seen.screen_locked
    assert not seen.fullscreen


def test_macos_locked_session_and_release_on_close() -> None:
    """(CGSession and IOKit are faked.) A locked session is reported; close() frees the service."""
    released: list[bool] = []
    api = MacApi(
        hid_idle_ns=lambda: 1_000, screen_locked=lambda: True, release=lambda: released.append(True)
    )
    seen = sample(MacSource(api))
    assert seen.screen_locked
    assert seen.idle_for == timedelta(microseconds=1)
    assert released == [True]


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_real_windows_and_macos_apis_refuse_to_load_here(platform: str) -> None:
    """The real OS APIs are absent on Linux: detection moves on to the plain timer, no crash."""

    async def scenario() -> str:
        source = await choose_activity_source({}, platform=platform)
        await source.close()
        return source.name

    assert asyncio.run(scenario()) == "unavailable"


def test_windows_and_macos_are_query_only_so_the_engine_asks_them() -> None:
    """(The OS calls are faked.) Neither announces anything: watch() says so, the engine polls."""

    async def pushes() -> list[Pushes]:
        sources: list[ActivitySource] = [
            WindowsSource(windows(1_000, 2_000)),
            MacSource(MacApi(hid_idle_ns=lambda: 0, screen_locked=lambda: False)),
        ]
        found = []
        for source in sources:
            await source.start()
            found.append(source.watch(lambda: None, timedelta(minutes=5)))
            await source.close()
        return found

    assert asyncio.run(pushes()) == [NOTHING_PUSHED, NOTHING_PUSHED]
