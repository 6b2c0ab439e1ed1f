"""The D-Bus sources and watchers on real private buses, against small services exporting
the same interfaces as GNOME Shell, KDE Plasma and logind (values set by the test)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from activity_buses import (
    FakeLogindManager,
    FakeLogindSession,
    FakeMutterIdleMonitor,
    FakeScreenSaver,
    eventually,
    private_bus,
    serve,
)

from reminder.activity.base import ActivitySample, PlainTimer
from reminder.activity.dbus_sources import FreedesktopScreenSaverSource, GnomeMutterSource
from reminder.activity.detect import choose_activity_source
from reminder.activity.signals import SignalWatchers

NO_SYSTEM_BUS = "unix:path=/nonexistent/system_bus_socket"
SESSION_PATH = "/org/freedesktop/login1/session/_31"


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


def test_freedesktop_source_reads_milliseconds_on_kde_legacy_path(tmp_path: Path) -> None:
    """KDE also answers on /ScreenSaver; 90000 from GetSessionIdleTime is a minute and a half."""

    async def scenario() -> ActivitySample:
        screensaver = FakeScreenSaver()
        screensaver.idle = 90_000
        service = await serve(address, "org.freedesktop.ScreenSaver", {"/ScreenSaver": screensaver})
        source = FreedesktopScreenSaverSource(env_for(address))
        try:
            await source.start()
            return await source.sample()
        finally:
            await source.close()
            service.disconnect()

    with private_bus(tmp_path / "bus.log") as address:
        sample = asyncio.run(scenario())
    assert sample.idle_for == timedelta(seconds=90)


def test_screensaver_active_changed_locks_the_next_sample(tmp_path: Path) -> None:
    """ActiveChanged(true) makes the next sample say "locked"; ActiveChanged(false) undoes it."""

    async def scenario() -> list[ActivitySample]:
        screensaver = FakeScreenSaver()
        service = await serve(
            address,
            "org.freedesktop.ScreenSaver",
            {"/org/freedesktop/ScreenSaver": screensaver},
        )
        source = FreedesktopScreenSaverSource(env_for(address))
        watched = SignalWatchers(source, environ=env_for(address))
        try:
            await watched.start()
            before = await watched.sample()
            screensaver.ActiveChanged(True)
            during = await eventually(watched.sample, locked, "the lock to be reported")
            screensaver.ActiveChanged(False)
            after = await eventually(watched.sample, unlocked, "the unlock to be reported")
        finally:
            await watched.close()
            service.disconnect()
        return [before, during, after]

    with private_bus(tmp_path / "bus.log") as address:
        before, during, after = asyncio.run(scenario())
    assert not before.screen_locked
    assert during.screen_locked
    assert not after.screen_locked
    assert during.idle_for == timedelta(0), "the idle source keeps reporting while watched"


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
    """logind's LockedHint locks the sample; PrepareForSleep(true) marks exactly one as slept."""

    async def scenario() -> dict[str, ActivitySample]:
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
        seen: dict[str, ActivitySample] = {}
        try:
            await watched.start()
            seen["start"] = await watched.sample()
            session.set_locked(True)
            seen["locked"] = await eventually(watched.sample, locked, "LockedHint true")
            session.set_locked(False)
            seen["unlocked"] = await eventually(watched.sample, unlocked, "LockedHint false")
            manager.PrepareForSleep(True)
            manager.PrepareForSleep(False)
            seen["slept"] = await eventually(watched.sample, lambda s: s.slept, "the suspend")
            seen["after"] = await watched.sample()
        finally:
            await watched.close()
            service.disconnect()
        return seen

    with (
        private_bus(tmp_path / "session.log") as address,
        private_bus(tmp_path / "sys.log") as system,
    ):
        seen = asyncio.run(scenario())
    assert seen["start"] == ActivitySample()
    assert seen["locked"].screen_locked
    assert not seen["unlocked"].screen_locked
    assert seen["slept"].slept
    assert not seen["after"].slept, "one suspend is one break, not a break on every sample"


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
