"""The X11 source on a real X server (Xvfb), real input from xdotool, a real window manager."""

from __future__ import annotations

import asyncio
import ctypes
from datetime import timedelta
from pathlib import Path

import pytest
from activity_buses import FakeMutterIdleMonitor, eventually, serve
from conftest import require_desktop_tools
from desktop_session import DesktopSession

from reminder.activity.base import ActivitySample
from reminder.activity.detect import choose_activity_source
from reminder.activity.x11 import X11Source

pytestmark = pytest.mark.desktop


def x11_env(desktop: DesktopSession) -> dict[str, str]:
    """The desktop's environment as an X11 session, whatever this machine's own session is."""
    env = {k: v for k, v in desktop.env.items() if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=/nonexistent/system_bus_socket"
    return env


def test_idle_grows_without_input_and_drops_after_mouse_move(desktop: DesktopSession) -> None:
    """Nobody touches the mouse: idle time grows; xdotool moves it: idle time falls back."""
    require_desktop_tools("xdotool")

    async def scenario() -> tuple[ActivitySample, ActivitySample, ActivitySample]:
        source = X11Source(x11_env(desktop))
        await source.start()
        try:
            first = await source.sample()
            await asyncio.sleep(1.0)
            still = await source.sample()
            desktop.xdotool("mousemove", "300", "200")
            moved = await source.sample()
        finally:
            await source.close()
        return first, still, moved

    first, still, moved = asyncio.run(scenario())
    assert first.idle_for is not None and still.idle_for is not None
    assert moved.idle_for is not None
    assert still.idle_for - first.idle_for >= timedelta(milliseconds=500)
    assert moved.idle_for < still.idle_for
    assert not still.fullscreen and not still.screen_locked


def test_choose_picks_x11_under_an_x_session(desktop: DesktopSession) -> None:
    """With DISPLAY set and no Wayland, the detector picks X11, as `status` will report."""

    async def scenario() -> tuple[str, ActivitySample]:
        source = await choose_activity_source(x11_env(desktop), platform="linux")
        try:
            return source.name, await source.sample()
        finally:
            await source.close()

    name, sample = asyncio.run(scenario())
    assert name == "x11"
    assert sample.idle_for is not None


def test_choose_skips_xwayland_on_gnome_wayland(desktop: DesktopSession) -> None:
    """Under GNOME Wayland a working X display (XWayland) is not used: its idle time is wrong."""

    async def scenario() -> str:
        address = desktop.env["DBUS_SESSION_BUS_ADDRESS"]
        service = await serve(
            address,
            "org.gnome.Mutter.IdleMonitor",
            {"/org/gnome/Mutter/IdleMonitor/Core": FakeMutterIdleMonitor()},
        )
        env = {**x11_env(desktop), "WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "GNOME"}
        source = await choose_activity_source(env, platform="linux")
        await source.close()
        service.disconnect()
        return source.name

    assert asyncio.run(scenario()) == "gnome-mutter"


def test_fullscreen_window_is_seen_until_it_leaves_fullscreen(
    desktop: DesktopSession, artifacts: Path
) -> None:
    """A window made full screen under openbox (like a slide show) is reported, then its end."""
    require_desktop_tools("openbox", "wmctrl", "xmessage")
    with desktop.slides_window() as slides:

        async def scenario() -> list[ActivitySample]:
            source = X11Source(x11_env(desktop))
            await source.start()
            try:
                windowed = await source.sample()
                slides.set_fullscreen(True)
                full = await eventually(source.sample, lambda s: s.fullscreen, "full screen")
                desktop.screenshot(artifacts / "activity-x11-fullscreen.png")
                slides.set_fullscreen(False)
                back = await eventually(source.sample, lambda s: not s.fullscreen, "windowed")
            finally:
                await source.close()
            return [windowed, full, back]

        windowed, full, back = asyncio.run(scenario())
    assert not windowed.fullscreen
    assert full.fullscreen
    assert not back.fullscreen


def test_losing_the_x_server_raises_instead_of_ending_the_process(tmp_path: Path) -> None:
    """When the X server goes away, sample() raises OSError; Xlib does not exit the service."""
    require_desktop_tools("Xvfb", "dbus-daemon")
    if not hasattr(ctypes.CDLL("libX11.so.6"), "XSetIOErrorExitHandler"):
        pytest.skip("libX11 older than 1.7 always exits when the X server goes away")
    doomed = DesktopSession(tmp_path / "doomed").start()

    async def scenario() -> list[str]:
        source = X11Source(x11_env(doomed))
        await source.start()
        outcomes = []
        try:
            await source.sample()
            doomed.stop()
            for _ in range(2):
                try:
                    await source.sample()
                    outcomes.append("sampled")
                except OSError:
                    outcomes.append("OSError")
        finally:
            await source.close()
        return outcomes

    try:
        outcomes = asyncio.run(scenario())
    finally:
        doomed.stop()
    assert outcomes == ["OSError", "OSError"]


def point_active_window_at_a_closed_window(display: str) -> None:
    """Set root's _NET_ACTIVE_WINDOW to a window id that does not exist (a window just closed)."""
    x11 = ctypes.CDLL("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = (ctypes.c_char_p,)
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = (ctypes.c_void_p,)
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int)
    x11.XChangeProperty.argtypes = (
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_ulong,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.c_int,
    )
    x11.XSync.argtypes = (ctypes.c_void_p, ctypes.c_int)
    x11.XCloseDisplay.argtypes = (ctypes.c_void_p,)
    dpy = x11.XOpenDisplay(display.encode())
    assert dpy
    gone = (ctypes.c_ulong * 1)(0x3FFFFF0)
    atom = x11.XInternAtom(dpy, b"_NET_ACTIVE_WINDOW", 0)
    xa_window, format_32, replace = 33, 32, 0
    root = x11.XDefaultRootWindow(dpy)
    x11.XChangeProperty(dpy, root, atom, xa_window, format_32, replace, gone, 1)
    x11.XSync(dpy, 0)
    x11.XCloseDisplay(dpy)


def test_active_window_that_just_closed_does_not_end_the_service(desktop: DesktopSession) -> None:
    """The active window vanishes between two X requests: not full screen, and no Xlib exit.

    Xlib's default handler would print "BadWindow" and end the whole process here.
    """

    async def scenario() -> ActivitySample:
        source = X11Source(x11_env(desktop))
        await source.start()
        try:
            point_active_window_at_a_closed_window(desktop.env["DISPLAY"])
            return await source.sample()
        finally:
            await source.close()

    seen = asyncio.run(scenario())
    assert not seen.fullscreen
    assert seen.idle_for is not None


def test_choose_moves_on_when_the_x_display_cannot_be_opened() -> None:
    """DISPLAY names a display nobody serves: no crash, the next source (here none) is used."""

    async def scenario() -> str:
        env = {"DISPLAY": ":987", "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/socket"}
        source = await choose_activity_source(env, platform="linux")
        await source.close()
        return source.name

    assert asyncio.run(scenario()) == "unavailable"
