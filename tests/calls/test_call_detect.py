"""choose_call_sources and CallDetectors on real desktops.

Real: Xvfb with a session bus, dunst, dconf and gsettings, PulseAudio with
parecord as the call, /proc. Stood in for (call_buses.py): gnome-session's
org.gnome.SessionManager, which cannot run here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from call_buses import GNOME_IDLE, FakeGnomeSessionManager, connect, serve
from changes import Changes
from conftest import require_desktop_tools
from desktop_session import DesktopSession
from sound_server import SoundServer, sound_server

from reminder.calls.base import NO_CALL, CallKind, CallState
from reminder.calls.detect import CallDetectors, choose_call_sources
from reminder.calls.inhibit import SCREENSAVER_CANNOT_TELL

WITHIN = 1.0
SOUND_VARIABLES = ("PULSE_SERVER", "PULSE_RUNTIME_PATH")


@pytest.fixture
def dunst_desktop(tmp_path: Path) -> Iterator[DesktopSession]:
    require_desktop_tools()
    with DesktopSession(tmp_path / "desktop", bus_activation=False) as session:
        session.start_dunst()
        yield session


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SoundServer]:
    with sound_server(tmp_path / "pulse") as running:
        yield running


def session_env(desktop: DesktopSession, server: SoundServer, **extra: str) -> dict[str, str]:
    env = dict(desktop.env)
    env.update({name: server.env[name] for name in SOUND_VARIABLES})
    env.update(extra)
    return env


def test_a_dunst_desktop_with_a_sound_server(
    dunst_desktop: DesktopSession, server: SoundServer
) -> None:
    """What `status` and `doctor` would show on an X11 desktop with dunst, and the state a call
    and dunst's pause produce, each pushed to the listener."""
    env = session_env(dunst_desktop, server, XDG_CURRENT_DESKTOP="i3")

    async def scenario() -> None:
        bus = await connect(env["DBUS_SESSION_BUS_ADDRESS"])
        detectors = await choose_call_sources(bus, platform="linux", environ=env)
        changes = Changes()
        await detectors.start(changes)
        try:
            assert detectors.names == ["microphone (pulseaudio)", "camera", "dunst do-not-disturb"]
            assert detectors.unavailable == {
                "idle inhibitor (gnome)": "org.gnome.SessionManager is not on the session bus",
                "idle inhibitor (kde)": (
                    "org.kde.Solid.PowerManagement.PolicyAgent is not on the session bus"
                ),
                "idle inhibitor (org.freedesktop.ScreenSaver)": SCREENSAVER_CANNOT_TELL,
                "gnome do-not-disturb": "not a GNOME session (XDG_CURRENT_DESKTOP=i3)",
            }
            assert detectors.needs_asking, "the camera must be asked"
            assert await detectors.state() == NO_CALL

            with server.recording("mic"):
                await changes.next(WITHIN, "the call")
                assert await detectors.state() == CallState(in_call=True, dnd=False)
                await asyncio.to_thread(dunst_desktop.run, "dunstctl", "set-paused", "true")
                await changes.next(WITHIN, "dunst's pause")
                assert await detectors.state() == CallState(in_call=True, dnd=True)
            await changes.next(WITHIN, "the call's end")
            assert await detectors.state() == CallState(in_call=False, dnd=True)
        finally:
            await detectors.close()
            bus.disconnect()

    asyncio.run(scenario())


def test_a_gnome_session(desktop: DesktopSession, server: SoundServer) -> None:
    """(gnome-session is stood in for; dconf and gsettings are real.) On GNOME the idle
    inhibitor and show-banners are used, and a notification server that is not there yet is
    waited for rather than given up on."""
    require_desktop_tools("gsettings")
    env = session_env(desktop, server, XDG_CURRENT_DESKTOP="ubuntu:GNOME")

    async def scenario() -> None:
        manager = FakeGnomeSessionManager()
        address = env["DBUS_SESSION_BUS_ADDRESS"]
        gnome = await serve(
            address, "org.gnome.SessionManager", "/org/gnome/SessionManager", manager
        )
        bus = await connect(address)
        detectors = await choose_call_sources(bus, platform="linux", environ=env)
        changes = Changes()
        await detectors.start(changes)
        try:
            assert detectors.names == [
                "microphone (pulseaudio)",
                "camera",
                "idle inhibitor (gnome)",
                "do-not-disturb (no notification server yet)",
                "gnome do-not-disturb",
            ]
            assert set(detectors.unavailable) == {"idle inhibitor (kde)"}
            manager.inhibitors[1] = GNOME_IDLE
            manager.InhibitorAdded("/org/gnome/SessionManager/Inhibitor1")
            await changes.next(WITHIN, "the inhibitor")
            assert await detectors.state() == CallState(in_call=True, dnd=False)
            await asyncio.to_thread(
                desktop.run,
                "gsettings",
                "set",
                "org.gnome.desktop.notifications",
                "show-banners",
                "false",
            )
            await changes.next(WITHIN, "GNOME's Do Not Disturb")
            assert await detectors.state() == CallState(in_call=True, dnd=True)
        finally:
            await detectors.close()
            bus.disconnect()
            gnome.disconnect()

    asyncio.run(scenario())


def test_no_session_bus_and_no_sound_server(tmp_path: Path) -> None:
    """A console session: only the camera scan works; everything else says why not."""
    env = {"PULSE_SERVER": f"unix:{tmp_path / 'no-server'}", "PATH": "/usr/bin:/bin"}

    async def scenario() -> tuple[list[str], CallState, CallDetectors]:
        detectors = await choose_call_sources(None, platform="linux", environ=env)
        try:
            return detectors.names, await detectors.state(), detectors
        finally:
            await detectors.close()

    names, state, detectors = asyncio.run(scenario())
    assert names == ["camera"]
    assert state == NO_CALL
    assert detectors.unavailable["idle inhibitor"] == "no session bus"
    assert detectors.unavailable["do-not-disturb"] == "no session bus"
    assert detectors.unavailable["microphone (pulseaudio)"].startswith("no sound server")


def test_windows_and_macos_report_what_they_cannot_see() -> None:
    """Off those systems their sources cannot load; on macOS Focus and the camera are named."""

    async def scenario(platform: str) -> dict[str, str]:
        detectors = await choose_call_sources(None, platform=platform, environ={})
        await detectors.close()
        return detectors.unavailable

    windows = asyncio.run(scenario("win32"))
    assert set(windows) == {"microphone (windows)", "camera (windows)", "do-not-disturb (windows)"}
    mac = asyncio.run(scenario("darwin"))
    assert "no public way" in mac["do-not-disturb"]
    assert "CoreMediaIO" in mac["camera"]
    assert "microphone (coreaudio)" in mac
    assert asyncio.run(scenario("sunos5")) == {"call detection": "not supported on sunos5"}


class Switch:
    """A CallSource the test turns on and off; `fail` makes active() raise."""

    pushes = True

    def __init__(self, name: str, kind: CallKind) -> None:
        self.name, self.kind = name, kind
        self.on = False
        self.fail = False

    async def start(self, on_change: object) -> None:
        return None

    async def active(self) -> bool:
        if self.fail:
            raise OSError("service vanished")
        return self.on

    async def close(self) -> None:
        return None


def test_a_failing_source_counts_as_off_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    """One source raising in active() does not hide the others, and is warned about once."""

    async def scenario() -> list[CallState]:
        detectors = CallDetectors()
        broken, dnd = Switch("broken", "call"), Switch("dnd", "dnd")
        for source in (broken, dnd):
            assert await detectors.add(source)
        broken.fail, dnd.on = True, True
        states = [await detectors.state(), await detectors.state()]
        broken.fail, broken.on = False, True
        states.append(await detectors.state())
        return states

    assert asyncio.run(scenario()) == [
        CallState(in_call=False, dnd=True),
        CallState(in_call=False, dnd=True),
        CallState(in_call=True, dnd=True),
    ]
    warnings = [r for r in caplog.records if "broken failed" in r.getMessage()]
    assert len(warnings) == 1
