"""Idle inhibitors and Do Not Disturb over real session buses.

Real: dunst (on Xvfb, paused with `dunstctl`), dconf and `gsettings` (GNOME's
settings store, changed the way GNOME's Do Not Disturb switch changes it), and
every dbus-daemon. Stand-ins (call_buses.py), since GNOME Shell, gnome-session
and KDE Plasma cannot run here: org.gnome.SessionManager, KDE's PolicyAgent and
Plasma's notification server, with their real names, paths and signals.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from call_buses import (
    GNOME_IDLE,
    GNOME_SUSPEND,
    KDE_CHANGE_SCREEN_SETTINGS,
    KDE_INTERRUPT_SESSION,
    FakeGnomeSessionManager,
    FakeKdePolicyAgent,
    FakePlasmaNotifications,
    PlainNotificationServer,
    connect,
    serve,
)
from changes import Changes
from conftest import require_desktop_tools
from desktop_session import DesktopSession
from private_bus import eventually, private_bus

from reminder import _dbus
from reminder.calls.base import SourceUnavailable
from reminder.calls.dnd import GnomeBannersDnd, NotificationServerDnd
from reminder.calls.inhibit import GnomeIdleInhibitor, KdeIdleInhibitor

WITHIN = 1.0


@pytest.fixture
def bus_address(tmp_path: Path) -> Iterator[str]:
    with private_bus(tmp_path / "bus.log") as address:
        yield address


@pytest.fixture
def dunst_desktop(tmp_path: Path) -> Iterator[DesktopSession]:
    """Xvfb and a session bus that starts nothing by itself, so dunst runs only when asked."""
    require_desktop_tools()
    with DesktopSession(tmp_path / "desktop", bus_activation=False) as session:
        yield session


# -------------------------------------------------------------- idle inhibitors


def test_gnome_idle_inhibitor_is_a_call_until_released(bus_address: str) -> None:
    """(gnome-session is stood in for.) An app inhibiting idle (flag 8) switches the source on
    within a second; inhibiting only suspend (4) does not; releasing switches it off."""

    async def scenario() -> None:
        manager = FakeGnomeSessionManager()
        service = await serve(
            bus_address, "org.gnome.SessionManager", "/org/gnome/SessionManager", manager
        )
        app, ours = await connect(bus_address), await connect(bus_address)
        changes = Changes()
        inhibitor = GnomeIdleInhibitor(ours)
        try:
            await inhibitor.start(changes)
            assert not await inhibitor.active()

            async def inhibit(flags: int) -> int:
                body = await _dbus.call(
                    app, "org.gnome.SessionManager", "/org/gnome/SessionManager",
                    "org.gnome.SessionManager", "Inhibit", "susu", ["player", 0, "video", flags],
                )  # fmt: skip
                return int(body[0])

            suspend_only = await inhibit(GNOME_SUSPEND)
            await asyncio.sleep(0.3)
            assert not await inhibitor.active(), "a suspend inhibitor is no call"
            assert changes.count == 0
            idle = await inhibit(GNOME_IDLE)
            await changes.next(WITHIN, "the idle inhibitor to be seen")
            assert await inhibitor.active()
            await _dbus.call(
                app, "org.gnome.SessionManager", "/org/gnome/SessionManager",
                "org.gnome.SessionManager", "Uninhibit", "u", [idle],
            )  # fmt: skip
            await changes.next(WITHIN, "the release to be seen")
            assert not await inhibitor.active()
            assert suspend_only in manager.inhibitors
        finally:
            await inhibitor.close()
            for bus in (app, ours, service):
                bus.disconnect()

    asyncio.run(scenario())


def test_kde_screen_inhibition_is_a_call_suspend_inhibition_is_not(bus_address: str) -> None:
    """(PowerDevil is stood in for.) ChangeScreenSettings (what org.freedesktop.ScreenSaver's
    Inhibit becomes on KDE) is a call; InterruptSession alone (a music player) is not."""

    async def scenario() -> None:
        agent = FakeKdePolicyAgent()
        name, path = (
            "org.kde.Solid.PowerManagement.PolicyAgent",
            "/org/kde/Solid/PowerManagement/PolicyAgent",
        )
        service = await serve(bus_address, name, path, agent)
        app, ours = await connect(bus_address), await connect(bus_address)
        changes = Changes()
        inhibitor = KdeIdleInhibitor(ours)
        try:
            await inhibitor.start(changes)
            assert inhibitor.name == "idle inhibitor (kde)"
            await _dbus.call(
                app,
                name,
                path,
                name,
                "AddInhibition",
                "uss",
                [KDE_INTERRUPT_SESSION, "Elisa", "music"],
            )
            await asyncio.sleep(0.3)
            assert not await inhibitor.active()
            body = await _dbus.call(
                app,
                name,
                path,
                name,
                "AddInhibition",
                "uss",
                [KDE_CHANGE_SCREEN_SETTINGS, "Zoom", "call"],
            )
            await changes.next(WITHIN, "the screen inhibition to be seen")
            assert await inhibitor.active()
            await _dbus.call(app, name, path, name, "ReleaseInhibition", "u", [body[0]])
            await changes.next(WITHIN, "the release to be seen")
            assert not await inhibitor.active()
        finally:
            await inhibitor.close()
            for bus in (app, ours, service):
                bus.disconnect()

    asyncio.run(scenario())


def test_inhibitor_service_leaving_the_bus_ends_the_call(bus_address: str) -> None:
    """gnome-session gone (the session ends, or it crashed) means no inhibitor holds."""

    async def scenario() -> None:
        manager = FakeGnomeSessionManager()
        service = await serve(
            bus_address, "org.gnome.SessionManager", "/org/gnome/SessionManager", manager
        )
        ours = await connect(bus_address)
        changes = Changes()
        inhibitor = GnomeIdleInhibitor(ours)
        try:
            await inhibitor.start(changes)
            manager.inhibitors[1] = GNOME_IDLE
            manager.InhibitorAdded("/org/gnome/SessionManager/Inhibitor1")
            await changes.next(WITHIN, "the inhibitor")
            service.disconnect()
            await changes.next(WITHIN, "the service's departure")
            assert not await inhibitor.active()
        finally:
            await inhibitor.close()
            ours.disconnect()

    asyncio.run(scenario())


def test_missing_inhibitor_services_are_unavailable(bus_address: str) -> None:
    async def scenario() -> list[str]:
        ours = await connect(bus_address)
        reasons = []
        try:
            for source in (GnomeIdleInhibitor(ours), KdeIdleInhibitor(ours)):
                with pytest.raises(SourceUnavailable) as caught:
                    await source.start(Changes())
                reasons.append(str(caught.value))
        finally:
            ours.disconnect()
        return reasons

    gnome, kde = asyncio.run(scenario())
    assert gnome == "org.gnome.SessionManager is not on the session bus"
    assert kde == "org.kde.Solid.PowerManagement.PolicyAgent is not on the session bus"


# ------------------------------------------------------------------- dunst


def test_dunst_paused_is_do_not_disturb(dunst_desktop: DesktopSession) -> None:
    """A real dunst: `dunstctl set-paused true` switches the source on within a second, `false`
    off again, each pushed by dunst's PropertiesChanged."""
    dunst_desktop.start_dunst()

    async def scenario() -> None:
        ours = await connect(dunst_desktop.env["DBUS_SESSION_BUS_ADDRESS"])
        changes = Changes()
        dnd = NotificationServerDnd(ours)
        try:
            await dnd.start(changes)
            assert dnd.name == "dunst do-not-disturb"
            assert not await dnd.active()
            await asyncio.to_thread(dunst_desktop.run, "dunstctl", "set-paused", "true")
            await changes.next(WITHIN, "dunst's pause")
            assert await dnd.active()
            await asyncio.to_thread(dunst_desktop.run, "dunstctl", "set-paused", "false")
            await changes.next(WITHIN, "dunst's resume")
            assert not await dnd.active()
        finally:
            await dnd.close()
            ours.disconnect()

    asyncio.run(scenario())


def test_dunst_started_later_is_followed_and_its_exit_ends_dnd(
    dunst_desktop: DesktopSession,
) -> None:
    """No notification server at start (dunst is often started by the first notification):
    the source waits; once dunst runs its pause is seen, and dunst quitting ends it."""

    async def scenario() -> None:
        ours = await connect(dunst_desktop.env["DBUS_SESSION_BUS_ADDRESS"])
        changes = Changes()
        dnd = NotificationServerDnd(ours)
        try:
            await dnd.start(changes)
            assert dnd.name == "do-not-disturb (no notification server yet)"
            assert not await dnd.active()
            await asyncio.to_thread(dunst_desktop.start_dunst)

            async def name() -> str:
                return dnd.name

            await eventually(name, lambda n: n == "dunst do-not-disturb", "dunst to be recognised")
            await asyncio.to_thread(dunst_desktop.run, "dunstctl", "set-paused", "true")
            await changes.next(WITHIN, "dunst's pause")
            assert await dnd.active()
            await asyncio.to_thread(dunst_desktop.stop_dunst)
            await changes.next(WITHIN + 2, "dunst's exit")
            assert not await dnd.active()
        finally:
            await dnd.close()
            ours.disconnect()

    asyncio.run(scenario())


# --------------------------------------------------------- KDE, other servers


def test_plasma_inhibited_is_do_not_disturb(bus_address: str) -> None:
    """(Plasma's notification server is stood in for.) `Inhibited` true is Do Not Disturb."""

    async def scenario() -> None:
        plasma = FakePlasmaNotifications()
        service = await serve(
            bus_address, "org.freedesktop.Notifications", "/org/freedesktop/Notifications", plasma
        )
        ours = await connect(bus_address)
        changes = Changes()
        dnd = NotificationServerDnd(ours)
        try:
            await dnd.start(changes)
            assert dnd.name == "kde do-not-disturb"
            plasma.set_inhibited(True)
            await changes.next(WITHIN, "Plasma's Do Not Disturb")
            assert await dnd.active()
            plasma.set_inhibited(False)
            await changes.next(WITHIN, "its end")
            assert not await dnd.active()
        finally:
            await dnd.close()
            ours.disconnect()
            service.disconnect()

    asyncio.run(scenario())


def test_a_server_without_do_not_disturb_is_unavailable_by_name(bus_address: str) -> None:
    """(A server like mako is stood in for.) The reason names the server."""

    async def scenario() -> str:
        service = await serve(
            bus_address,
            "org.freedesktop.Notifications",
            "/org/freedesktop/Notifications",
            PlainNotificationServer("mako"),
        )
        ours = await connect(bus_address)
        try:
            with pytest.raises(SourceUnavailable) as caught:
                await NotificationServerDnd(ours).start(Changes())
            return str(caught.value)
        finally:
            ours.disconnect()
            service.disconnect()

    assert "(mako)" in asyncio.run(scenario())


# ------------------------------------------------------------------- GNOME


def test_gnome_show_banners_off_is_do_not_disturb(desktop: DesktopSession) -> None:
    """Real dconf and gsettings: `show-banners false` (GNOME's Do Not Disturb switch) is seen
    within a second through dconf's change signal, and `true` ends it."""
    require_desktop_tools("gsettings")

    def gsettings(value: str) -> None:
        desktop.run("gsettings", "set", "org.gnome.desktop.notifications", "show-banners", value)

    async def scenario() -> None:
        ours = await connect(desktop.env["DBUS_SESSION_BUS_ADDRESS"])
        changes = Changes()
        dnd = GnomeBannersDnd(ours, desktop.env)
        try:
            await dnd.start(changes)
            assert not await dnd.active()
            await asyncio.to_thread(gsettings, "false")
            await changes.next(WITHIN, "show-banners false")
            assert await dnd.active()
            await asyncio.to_thread(
                desktop.run,
                "gsettings",
                "set",
                "org.gnome.desktop.notifications",
                "show-in-lock-screen",
                "false",
            )
            await asyncio.sleep(0.3)
            assert changes.count == 1, "another key of the schema changes nothing"
            await asyncio.to_thread(gsettings, "true")
            await changes.next(WITHIN, "show-banners true")
            assert not await dnd.active()
        finally:
            await dnd.close()
            ours.disconnect()

    asyncio.run(scenario())


def test_gnome_banners_without_gsettings_is_unavailable(bus_address: str, tmp_path: Path) -> None:
    async def scenario() -> str:
        ours = await connect(bus_address)
        try:
            source = GnomeBannersDnd(ours, {"PATH": str(tmp_path)})
            with pytest.raises(SourceUnavailable) as caught:
                await source.start(Changes())
            return str(caught.value)
        finally:
            ours.disconnect()

    assert asyncio.run(scenario()) == "the gsettings program is not installed"
