"""The D-Bus sources and watchers on real private buses, against test doubles exporting
the same interfaces as GNOME Shell, KDE Plasma and logind (values set by the test).

GNOME Shell, KDE and logind cannot run here; the doubles are in activity_buses.py.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from activity_buses import (
    Changes,
    FakeLogindManager,
    FakeLogindSession,
    FakeMutterIdleMonitor,
    FakeMutterIdletimeOnly,
    FakeScreenSaver,
    serve,
    settle,
)
from dbus_fast.aio import MessageBus
from private_bus import eventually, private_bus

from reminder.activity.base import NOTHING_PUSHED, ActivitySample, PlainTimer, Pushes
from reminder.activity.dbus_sources import FreedesktopScreenSaverSource, GnomeMutterSource
from reminder.activity.detect import choose_activity_source
from reminder.activity.signals import SignalWatchers

NO_SYSTEM_BUS = "unix:path=/nonexistent/system_bus_socket"
SESSION_PATH = "/org/freedesktop/login1/session/_31"
MUTTER = "org.gnome.Mutter.IdleMonitor"
MUTTER_PATH = "/org/gnome/Mutter/IdleMonitor/Core"
FIVE_MINUTES = timedelta(minutes=5)


def env_for(session_bus: str, system_bus: str = NO_SYSTEM_BUS, **extra: str) -> dict[str, str]:
    return {"DBUS_SESSION_BUS_ADDRESS": session_bus, "DBUS_SYSTEM_BUS_ADDRESS": system_bus, **extra}


def locked(sample: ActivitySample) -> bool:
    return sample.screen_locked


def unlocked(sample: ActivitySample) -> bool:
    return not sample.screen_locked


def test_gnome_mutter_source_reports_gnome_idle_time(tmp_path: Path) -> None:
    """GNOME's idle monitor says 123456 ms; the source says the user has been away 123.456 s."""

    async def scenario() -> tuple[ActivitySample, ActivitySample]:
        monitor = FakeMutterIdleMonitor()
        monitor.idle_ms = 123_456
        service = await serve(
            address, "org.gnome.Mutter.IdleMonitor", {"/org/gnome/Mutter/IdleMonitor/Core": monitor}
        )
        source = GnomeMutterSource(env_for(address))
        try:
            await source.start()
            first = await source.sample()
            monitor.idle_ms = 20
            second = await source.sample()
        finally:
            await source.close()
            service.disconnect()
        return first, second

    with private_bus(tmp_path / "bus.log") as address:
        first, second = asyncio.run(scenario())
    assert first.idle_for == timedelta(milliseconds=123_456)
    assert second.idle_for == timedelta(milliseconds=20)


async def serve_mutter(address: str, monitor: FakeMutterIdletimeOnly) -> MessageBus:
    return await serve(address, MUTTER, {MUTTER_PATH: monitor})


def test_gnome_idle_watch_announces_going_away_and_coming_back_without_polling(
    tmp_path: Path,
) -> None:
    """GNOME's idle watch says "away" at the threshold, a user-active watch says "back";
    the source asks GetIdletime once per transition (to catch a quick return), never
    while nothing happens."""

    async def scenario() -> dict[str, object]:
        monitor = FakeMutterIdleMonitor()
        service = await serve_mutter(address, monitor)
        source = GnomeMutterSource(env_for(address))
        changes = Changes()
        seen: dict[str, object] = {}
        try:
            await source.start()
            seen["pushes"] = source.watch(changes, FIVE_MINUTES)
            await eventually(
                lambda: asyncio.sleep(0, dict(monitor.idle_watches)), bool, "the idle watch"
            )
            seen["idle_watches"] = dict(monitor.idle_watches)
            asked_before = monitor.idletime_calls
            monitor.away_for(299_999)  # a millisecond short: nothing to say
            await settle()
            seen["short_of_it"] = changes.count
            monitor.away_for(300_000)
            await changes.reach(1, "the away announcement")
            await eventually(
                lambda: asyncio.sleep(0, set(monitor.active_watches)), bool, "a user-active watch"
            )
            monitor.away_for(3_600_000)  # an hour away: still nothing to say
            await settle()
            seen["while_away"] = changes.count
            seen["away_sample"] = await source.sample()
            monitor.user_input()
            await changes.reach(2, "the back announcement")
            seen["back_sample"] = await source.sample()
            await settle()
            seen["changes"] = changes.count
            seen["asked"] = monitor.idletime_calls - asked_before
            seen["active_left"] = set(monitor.active_watches)
        finally:
            await source.close()
            seen["after_close"] = dict(monitor.idle_watches)
            service.disconnect()
        return seen

    with private_bus(tmp_path / "bus.log") as address:
        seen = asyncio.run(scenario())
    assert seen["pushes"] == Pushes(idle=True)
    idle_watches = seen["idle_watches"]
    assert isinstance(idle_watches, dict) and list(idle_watches.values()) == [300_000]
    assert seen["short_of_it"] == 0
    assert seen["while_away"] == 1
    assert seen["away_sample"] == ActivitySample(idle_for=timedelta(hours=1))
    assert seen["back_sample"] == ActivitySample(idle_for=timedelta(0))
    assert seen["changes"] == 2, "one announcement away, one back, nothing else"
    # The two samples above, and one check right after adding the user-active watch.
    assert seen["asked"] == 3
    assert seen["active_left"] == set(), "the user-active watch is one-shot"
    assert seen["after_close"] == {}, "close() removes the idle watch"


def test_gnome_return_just_before_the_user_active_watch_is_still_announced(
    tmp_path: Path,
) -> None:
    """Input between the idle watch firing and AddUserActiveWatch fires no watch; the
    source's one GetIdletime after adding it catches the return."""

    async def scenario() -> tuple[int, set[int], list[int]]:
        monitor = FakeMutterIdleMonitor()
        service = await serve_mutter(address, monitor)
        source = GnomeMutterSource(env_for(address))
        changes = Changes()
        try:
            await source.start()
            source.watch(changes, FIVE_MINUTES)
            await eventually(
                lambda: asyncio.sleep(0, dict(monitor.idle_watches)), bool, "the idle watch"
            )
            monitor.away_for(300_000)
            monitor.idle_ms = 0  # back already, before any user-active watch exists
            await changes.reach(2, "away, then back")
            await settle()
            return changes.count, set(monitor.active_watches), monitor.removed
        finally:
            await source.close()
            service.disconnect()

    with private_bus(tmp_path / "bus.log") as address:
        count, active, removed = asyncio.run(scenario())
    assert count == 2
    assert active == set()
    assert len(removed) >= 1, "the unneeded user-active watch is removed"


def test_gnome_new_threshold_replaces_the_idle_watch_and_catches_an_idle_time_past_it(
    tmp_path: Path,
) -> None:
    """watch() again with 10 min replaces the 5 min watch; then, 7 min idle, back to 5 min:
    the idle time is already past it, which no watch would fire for, so it is said at once."""

    async def scenario() -> dict[str, object]:
        monitor = FakeMutterIdleMonitor()
        service = await serve_mutter(address, monitor)
        source = GnomeMutterSource(env_for(address))
        changes = Changes()
        seen: dict[str, object] = {}
        try:
            await source.start()
            source.watch(changes, FIVE_MINUTES)
            await eventually(
                lambda: asyncio.sleep(0, list(monitor.idle_watches.values())),
                lambda w: w == [300_000],
                "the 5 min watch",
            )
            source.watch(changes, timedelta(minutes=10))
            seen["ten"] = await eventually(
                lambda: asyncio.sleep(0, list(monitor.idle_watches.values())),
                lambda w: w == [600_000],
                "the 10 min watch instead",
            )
            monitor.away_for(420_000)
            await settle()
            seen["before"] = changes.count
            source.watch(changes, FIVE_MINUTES)
            await changes.reach(1, "the idle time already past 5 min")
            await eventually(
                lambda: asyncio.sleep(0, set(monitor.active_watches)), bool, "a user-active watch"
            )
            monitor.user_input()
            await changes.reach(2, "the return")
            seen["watches"] = list(monitor.idle_watches.values())
        finally:
            await source.close()
            service.disconnect()
        return seen

    with private_bus(tmp_path / "bus.log") as address:
        seen = asyncio.run(scenario())
    assert seen["before"] == 0
    assert seen["watches"] == [300_000]


def test_gnome_shell_restarting_gets_the_watch_added_again(tmp_path: Path) -> None:
    """GNOME Shell restarts (the monitor's name changes owner, its watches are gone): the
    source says so and adds its idle watch to the new monitor."""

    async def scenario() -> tuple[list[int], int]:
        first = FakeMutterIdleMonitor()
        service = await serve_mutter(address, first)
        source = GnomeMutterSource(env_for(address))
        changes = Changes()
        try:
            await source.start()
            source.watch(changes, FIVE_MINUTES)
            await eventually(
                lambda: asyncio.sleep(0, dict(first.idle_watches)), bool, "the first watch"
            )
            service.disconnect()
            second = FakeMutterIdleMonitor()
            service = await serve_mutter(address, second)
            watches = await eventually(
                lambda: asyncio.sleep(0, list(second.idle_watches.values())),
                bool,
                "the watch on the restarted monitor",
            )
            second.away_for(300_000)
            await changes.reach(3, "gone, back, then away")
            return watches, changes.count
        finally:
            await source.close()
            service.disconnect()

    with private_bus(tmp_path / "bus.log") as address:
        watches, count = asyncio.run(scenario())
    assert watches == [300_000]
    assert count >= 3


def test_gnome_without_watches_is_asked_and_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A GNOME Shell without AddIdleWatch (before 3.10): nothing pushed, and the log says why."""
    caplog.set_level(logging.INFO, logger="reminder.activity.dbus_sources")

    async def scenario() -> tuple[Pushes, ActivitySample]:
        monitor = FakeMutterIdletimeOnly()
        monitor.idle_ms = 1_500
        service = await serve_mutter(address, monitor)
        source = GnomeMutterSource(env_for(address))
        try:
            await source.start()
            return source.watch(Changes(), FIVE_MINUTES), await source.sample()
        finally:
            await source.close()
            service.disconnect()

    with private_bus(tmp_path / "bus.log") as address:
        pushes, sample = asyncio.run(scenario())
    assert pushes == NOTHING_PUSHED
    assert sample.idle_for == timedelta(milliseconds=1_500)
    assert "asked, not announced" in caplog.text
    assert "AddIdleWatch" in caplog.text


def test_freedesktop_source_reads_milliseconds_on_kde_legacy_path(tmp_path: Path) -> None:
    """KDE also answers on /ScreenSaver; 90000 from GetSessionIdleTime is a minute and a half."""

    async def scenario() -> tuple[ActivitySample, Pushes]:
        screensaver = FakeScreenSaver()
        screensaver.idle = 90_000
        service = await serve(address, "org.freedesktop.ScreenSaver", {"/ScreenSaver": screensaver})
        source = FreedesktopScreenSaverSource(env_for(address))
        try:
            await source.start()
            return await source.sample(), source.watch(Changes(), FIVE_MINUTES)
        finally:
            await source.close()
            service.disconnect()

    with private_bus(tmp_path / "bus.log") as address:
        sample, pushes = asyncio.run(scenario())
    assert sample.idle_for == timedelta(seconds=90)
    assert pushes == NOTHING_PUSHED, "KDE can only be asked: the engine polls it"


def test_screensaver_active_changed_is_announced_and_locks_the_next_sample(tmp_path: Path) -> None:
    """ActiveChanged(true) is announced and makes the next sample say "locked";
    ActiveChanged(false) is announced and undoes it. A screensaver that answers means
    locks are pushed."""

    async def scenario() -> tuple[Pushes, list[ActivitySample], list[int]]:
        screensaver = FakeScreenSaver()
        service = await serve(
            address,
            "org.freedesktop.ScreenSaver",
            {"/org/freedesktop/ScreenSaver": screensaver},
        )
        source = FreedesktopScreenSaverSource(env_for(address))
        watched = SignalWatchers(source, environ=env_for(address))
        changes = Changes()
        counts = []
        try:
            await watched.start()
            pushes = watched.watch(changes, FIVE_MINUTES)
            before = await watched.sample()
            screensaver.ActiveChanged(True)
            await changes.reach(1, "the lock to be announced")
            during = await watched.sample()
            screensaver.ActiveChanged(False)
            await changes.reach(2, "the unlock to be announced")
            after = await watched.sample()
            await settle()
            counts.append(changes.count)
        finally:
            await watched.close()
            service.disconnect()
        return pushes, [before, during, after], counts

    with private_bus(tmp_path / "bus.log") as address:
        pushes, (before, during, after), counts = asyncio.run(scenario())
    assert pushes == Pushes(idle=False, fullscreen=False, lock=True)
    assert not before.screen_locked
    assert during.screen_locked
    assert not after.screen_locked
    assert counts == [2]
    assert during.idle_for == timedelta(0), "the idle source keeps reporting while watched"


def test_locks_are_not_claimed_as_pushed_when_no_watcher_is_connected(tmp_path: Path) -> None:
    """KDE's idle service answers on /ScreenSaver, but nothing answers GetActive on the lock
    paths and there is no logind: Pushes.lock is False, so the engine knows to ask."""

    async def scenario() -> Pushes:
        screensaver = FakeScreenSaver()
        service = await serve(address, "org.freedesktop.ScreenSaver", {"/ScreenSaver": screensaver})
        environ = env_for(address)
        watched = SignalWatchers(FreedesktopScreenSaverSource(environ), environ=environ)
        try:
            await watched.start()
            return watched.watch(Changes(), FIVE_MINUTES)
        finally:
            await watched.close()
            service.disconnect()

    with private_bus(tmp_path / "bus.log") as address:
        assert asyncio.run(scenario()) == NOTHING_PUSHED


def test_short_gnome_lock_between_samples_still_counts(tmp_path: Path) -> None:
    """A GNOME lock that ends before the next sample is still reported once, then cleared."""

    async def scenario() -> tuple[ActivitySample, ActivitySample]:
        gnome = FakeScreenSaver("org.gnome.ScreenSaver")
        service = await serve(address, "org.gnome.ScreenSaver", {"/org/gnome/ScreenSaver": gnome})
        watched = SignalWatchers(PlainTimer(), environ=env_for(address))
        try:
            await watched.start()
            gnome.ActiveChanged(True)
            gnome.ActiveChanged(False)
            seen = await eventually(watched.sample, locked, "the short lock to be reported")
            later = await eventually(watched.sample, unlocked, "the lock to be cleared")
        finally:
            await watched.close()
            service.disconnect()
        return seen, later

    with private_bus(tmp_path / "bus.log") as address:
        seen, later = asyncio.run(scenario())
    assert seen.screen_locked
    assert not later.screen_locked


def test_screen_already_locked_at_start_is_reported(tmp_path: Path) -> None:
    """A service started while the screen is locked is asked (GetActive), not just listened to."""

    async def scenario() -> ActivitySample:
        screensaver = FakeScreenSaver()
        screensaver.active = True
        service = await serve(
            address, "org.freedesktop.ScreenSaver", {"/org/freedesktop/ScreenSaver": screensaver}
        )
        watched = SignalWatchers(PlainTimer(), environ=env_for(address))
        try:
            await watched.start()
            return await watched.sample()
        finally:
            await watched.close()
            service.disconnect()

    with private_bus(tmp_path / "bus.log") as address:
        sample = asyncio.run(scenario())
    assert sample.screen_locked


def test_logind_lock_and_suspend_on_the_system_bus(tmp_path: Path) -> None:
    """logind's LockedHint locks the sample; PrepareForSleep(true) marks exactly one as slept.
    Each of them is announced (lock, unlock, suspend, resume), and locks count as pushed."""

    async def scenario() -> tuple[Pushes, dict[str, ActivitySample], int]:
        manager = FakeLogindManager(SESSION_PATH)
        session = FakeLogindSession()
        service = await serve(
            system,
            "org.freedesktop.login1",
            {"/org/freedesktop/login1": manager, SESSION_PATH: session},
        )
        watched = SignalWatchers(
            PlainTimer(), environ=env_for(address, system, XDG_SESSION_ID="31")
        )
        changes = Changes()
        seen: dict[str, ActivitySample] = {}
        try:
            await watched.start()
            pushes = watched.watch(changes, FIVE_MINUTES)
            seen["start"] = await watched.sample()
            session.set_locked(True)
            await changes.reach(1, "LockedHint true announced")
            seen["locked"] = await watched.sample()
            session.set_locked(False)
            await changes.reach(2, "LockedHint false announced")
            seen["unlocked"] = await watched.sample()
            manager.PrepareForSleep(True)
            manager.PrepareForSleep(False)
            await changes.reach(4, "the suspend and the resume announced")
            seen["slept"] = await watched.sample()
            seen["after"] = await watched.sample()
            await settle()
        finally:
            await watched.close()
            service.disconnect()
        return pushes, seen, changes.count

    with (
        private_bus(tmp_path / "session.log") as address,
        private_bus(tmp_path / "sys.log") as system,
    ):
        pushes, seen, count = asyncio.run(scenario())
    assert pushes.lock
    assert seen["start"] == ActivitySample()
    assert seen["locked"].screen_locked
    assert not seen["unlocked"].screen_locked
    assert seen["slept"].slept
    assert not seen["after"].slept, "one suspend is one break, not a break on every sample"
    assert count == 4


def test_logind_alone_is_a_connected_lock_watcher(tmp_path: Path) -> None:
    """With logind's session LockedHint watched (no screensaver service), locks are pushed
    even for a source that pushes nothing itself."""

    async def scenario() -> Pushes:
        manager = FakeLogindManager(SESSION_PATH)
        session = FakeLogindSession()
        service = await serve(
            system,
            "org.freedesktop.login1",
            {"/org/freedesktop/login1": manager, SESSION_PATH: session},
        )
        screensaver = FakeScreenSaver()
        idle = await serve(address, "org.freedesktop.ScreenSaver", {"/ScreenSaver": screensaver})
        environ = env_for(address, system, XDG_SESSION_ID="31")
        watched = SignalWatchers(FreedesktopScreenSaverSource(environ), environ=environ)
        try:
            await watched.start()
            return watched.watch(Changes(), FIVE_MINUTES)
        finally:
            await watched.close()
            service.disconnect()
            idle.disconnect()

    with (
        private_bus(tmp_path / "session.log") as address,
        private_bus(tmp_path / "sys.log") as system,
    ):
        assert asyncio.run(scenario()) == Pushes(lock=True)


def test_choose_prefers_mutter_on_gnome_wayland(tmp_path: Path) -> None:
    """On GNOME Wayland, where GNOME Shell refuses GetSessionIdleTime, Mutter is picked."""

    async def scenario() -> tuple[str, ActivitySample]:
        monitor = FakeMutterIdleMonitor()
        monitor.idle_ms = 5_000
        screensaver = FakeScreenSaver()
        screensaver.idle_error = "org.freedesktop.DBus.Error.NotSupported"
        services = [
            await serve(
                address,
                "org.gnome.Mutter.IdleMonitor",
                {"/org/gnome/Mutter/IdleMonitor/Core": monitor},
            ),
            await serve(
                address,
                "org.freedesktop.ScreenSaver",
                {"/org/freedesktop/ScreenSaver": screensaver},
            ),
        ]
        environ = env_for(address, WAYLAND_DISPLAY="wayland-0", XDG_CURRENT_DESKTOP="ubuntu:GNOME")
        source = await choose_activity_source(environ, platform="linux")
        try:
            return source.name, await source.sample()
        finally:
            await source.close()
            for service in services:
                service.disconnect()

    with private_bus(tmp_path / "bus.log") as address:
        name, sample = asyncio.run(scenario())
    assert name == "gnome-mutter"
    assert sample.idle_for == timedelta(seconds=5)


def test_choose_freedesktop_on_kde_wayland(tmp_path: Path) -> None:
    """On KDE Wayland the freedesktop ScreenSaver answers and is picked."""

    async def scenario() -> str:
        screensaver = FakeScreenSaver()
        service = await serve(
            address, "org.freedesktop.ScreenSaver", {"/org/freedesktop/ScreenSaver": screensaver}
        )
        environ = env_for(address, WAYLAND_DISPLAY="wayland-0", XDG_CURRENT_DESKTOP="KDE")
        source = await choose_activity_source(environ, platform="linux")
        await source.close()
        service.disconnect()
        return source.name

    with private_bus(tmp_path / "bus.log") as address:
        assert asyncio.run(scenario()) == "freedesktop-screensaver"


def test_choose_falls_back_to_unavailable_when_nothing_answers(tmp_path: Path) -> None:
    """A Wayland session whose bus has no idle service gets the plain timer, named unavailable."""

    async def scenario() -> tuple[str, ActivitySample]:
        environ = env_for(address, WAYLAND_DISPLAY="wayland-0", XDG_CURRENT_DESKTOP="sway")
        source = await choose_activity_source(environ, platform="linux")
        try:
            return source.name, await source.sample()
        finally:
            await source.close()

    with private_bus(tmp_path / "bus.log") as address:
        name, sample = asyncio.run(scenario())
    assert name == "unavailable"
    assert sample.idle_for is None


def test_choose_without_any_bus_never_raises() -> None:
    """No session bus, no system bus, no display: still a source, the plain timer."""

    async def scenario() -> str:
        source = await choose_activity_source({}, platform="linux")
        await source.close()
        return source.name

    assert asyncio.run(scenario()) == "unavailable"
