"""The X11 source on a real X server (Xvfb), real input from xdotool, a real window manager.

What is pushed is asserted by counts, not by time: `X11Source.queries` (round trips
to the X server) and `wakeups` (times the connection woke the loop) stay put while
nothing happens.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from activity_buses import Changes, FakeMutterIdleMonitor, serve, settle
from conftest import require_desktop_tools
from desktop_session import DesktopSession
from private_bus import eventually

from reminder.activity.base import NOTHING_PUSHED, ActivitySample, Pushes
from reminder.activity.detect import choose_activity_source
from reminder.activity.x11 import X_TIMEOUT_S, X11Source

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


THRESHOLD = timedelta(seconds=1.5)
ON_TIME = 1.0  # seconds: how late an announcement may come


async def started_and_watching(source: X11Source, changes: Changes, threshold: timedelta) -> Pushes:
    """Start `source`, watch it, and wait until the arming is done (a sample runs after it)."""
    await source.start()
    pushes = source.watch(changes, threshold)
    await source.sample()
    return pushes


def test_xsync_alarms_announce_going_away_and_coming_back_without_any_query(
    desktop: DesktopSession,
) -> None:
    """Input, then nobody: "away" is announced when the idle time reaches the threshold,
    nothing during 20 s of absence, "back" at the next mouse move; no query meanwhile."""
    require_desktop_tools("xdotool")

    async def scenario() -> dict[str, float]:
        loop = asyncio.get_running_loop()
        source = X11Source(x11_env(desktop))
        changes = Changes()
        seen: dict[str, float] = {}
        try:
            desktop.xdotool("mousemove", "100", "100")
            last_input = loop.time()
            pushes = await started_and_watching(source, changes, THRESHOLD)
            seen["idle pushed"] = float(pushes.idle and pushes.fullscreen)
            queries, wakeups = source.queries, source.wakeups
            away = await changes.reach(1, "the away announcement")
            seen["away after input"] = away - last_input
            await asyncio.sleep(20)  # nobody at the keyboard
            seen["changes while away"] = changes.count - 1
            seen["wakeups while away"] = source.wakeups - wakeups - 1
            desktop.xdotool("mousemove", "300", "200")
            moved = loop.time()
            back = await changes.reach(2, "the back announcement")
            seen["back after move"] = back - moved
            seen["queries until back"] = source.queries - queries
            seen["wakeups until back"] = source.wakeups - wakeups
            present = await source.sample()
            assert present.idle_for is not None
            seen["idle after move"] = present.idle_for.total_seconds()
        finally:
            await source.close()
        return seen

    seen = asyncio.run(scenario())
    assert seen["idle pushed"] == 1.0
    threshold = THRESHOLD.total_seconds()
    assert threshold - 0.05 <= seen["away after input"] <= threshold + ON_TIME, seen
    assert seen["changes while away"] == 0
    assert seen["wakeups while away"] == 0, "nobody at the keyboard wakes nobody"
    assert 0 <= seen["back after move"] <= ON_TIME, seen
    assert seen["queries until back"] == 0, "no polling: the X server announced both"
    assert seen["wakeups until back"] == 2, "one wake-up away, one back"
    assert seen["idle after move"] < 1.0


def test_someone_typing_all_along_costs_no_wakeup(desktop: DesktopSession) -> None:
    """Input every 0.2 s for 3 s, threshold 2 s: never away, so no announcement, no wake-up,
    no query (a poller would have asked every check_every)."""
    require_desktop_tools("xdotool")

    async def scenario() -> tuple[int, int, int]:
        source = X11Source(x11_env(desktop))
        changes = Changes()
        try:
            desktop.xdotool("mousemove", "100", "100")
            await started_and_watching(source, changes, timedelta(seconds=2))
            queries, wakeups = source.queries, source.wakeups
            for step in range(15):
                desktop.xdotool("mousemove_relative", "--", "1" if step % 2 else "-1", "0")
                await asyncio.sleep(0.2)
            await settle()
            return changes.count, source.wakeups - wakeups, source.queries - queries
        finally:
            await source.close()

    assert asyncio.run(scenario()) == (0, 0, 0)


def test_a_new_threshold_moves_the_alarms_and_an_idle_time_past_it_is_said_at_once(
    desktop: DesktopSession,
) -> None:
    """Idle 2 s with a 10 s threshold; watch() again with 1 s: the server reports only
    transitions, so the source says "away" itself; the next input is still announced, and
    the new 1 s threshold is what the next absence is measured against."""
    require_desktop_tools("xdotool")

    async def scenario() -> dict[str, float]:
        loop = asyncio.get_running_loop()
        source = X11Source(x11_env(desktop))
        changes = Changes()
        seen: dict[str, float] = {}
        try:
            desktop.xdotool("mousemove", "100", "100")
            await started_and_watching(source, changes, timedelta(seconds=10))
            await asyncio.sleep(2)
            seen["before"] = changes.count
            rewatched = loop.time()
            source.watch(changes, timedelta(seconds=1))
            seen["away at once"] = await changes.reach(1, "away, already") - rewatched
            desktop.xdotool("mousemove", "300", "200")
            moved = loop.time()
            seen["back"] = await changes.reach(2, "back") - moved
            seen["away again"] = await changes.reach(3, "away at 1 s") - moved
        finally:
            await source.close()
        return seen

    seen = asyncio.run(scenario())
    assert seen["before"] == 0
    assert seen["away at once"] <= ON_TIME
    assert seen["back"] <= ON_TIME
    assert 0.95 <= seen["away again"] <= 1 + ON_TIME, seen


def test_without_libxext_idle_is_asked_and_the_log_says_why(
    desktop: DesktopSession, caplog: pytest.LogCaptureFixture
) -> None:
    """No libXext (here: a library name that cannot be loaded): idle time comes from the
    MIT-SCREEN-SAVER extension on each sample, and watch() promises no idle announcements."""
    caplog.set_level(logging.INFO, logger="reminder.activity.x11")

    async def scenario() -> tuple[Pushes, ActivitySample]:
        source = X11Source(x11_env(desktop), xsync_library="libXext-not-here.so.6")
        await source.start()
        try:
            return source.watch(Changes(), THRESHOLD), await source.sample()
        finally:
            await source.close()

    pushes, sample = asyncio.run(scenario())
    assert pushes == Pushes(idle=False, fullscreen=True)
    assert sample.idle_for is not None
    assert "asked, not announced" in caplog.text
    assert "libXext-not-here.so.6" in caplog.text


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


def test_going_full_screen_and_leaving_it_is_announced(
    desktop: DesktopSession, artifacts: Path
) -> None:
    """A slide show going full screen under openbox is announced, and so is its end; the
    samples in between read the state the events left, without asking the X server."""
    require_desktop_tools("openbox", "wmctrl", "xmessage")
    with desktop.slides_window() as slides:

        async def scenario() -> tuple[list[bool], int, int]:
            source = X11Source(x11_env(desktop))
            changes = Changes()
            try:
                await started_and_watching(source, changes, timedelta(minutes=5))
                windowed = (await source.sample()).fullscreen
                slides.set_fullscreen(True)
                await changes.reach(1, "full screen announced")
                queries = source.queries
                full = (await source.sample()).fullscreen
                asked_for_full = source.queries - queries - 1  # the idle time is asked
                desktop.screenshot(artifacts / "activity-x11-fullscreen-pushed.png")
                slides.set_fullscreen(False)
                await changes.reach(2, "the end of full screen announced")
                back = (await source.sample()).fullscreen
                await settle()
                return [windowed, full, back], changes.count, asked_for_full
            finally:
                await source.close()

        states, count, asked_for_full = asyncio.run(scenario())
    assert states == [False, True, False]
    assert count == 2
    assert asked_for_full == 0


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


def test_losing_the_x_server_while_watching_is_announced_once(tmp_path: Path) -> None:
    """The X server goes away while nobody is at the keyboard: the listener hears it once
    (so the engine samples and learns idle time is unknown), the loop does not spin on the
    dead connection, and watch() now promises nothing."""
    require_desktop_tools("Xvfb", "dbus-daemon")
    if not hasattr(ctypes.CDLL("libX11.so.6"), "XSetIOErrorExitHandler"):
        pytest.skip("libX11 older than 1.7 always exits when the X server goes away")
    doomed = DesktopSession(tmp_path / "doomed").start()

    async def scenario() -> tuple[int, int, str, Pushes]:
        source = X11Source(x11_env(doomed))
        changes = Changes()
        try:
            await started_and_watching(source, changes, timedelta(minutes=5))
            doomed.stop()
            await changes.reach(1, "the lost connection to be announced")
            await settle(1.0)
            try:
                await source.sample()
                outcome = "sampled"
            except OSError:
                outcome = "OSError"
            return changes.count, source.wakeups, outcome, source.watch(changes, THRESHOLD)
        finally:
            await source.close()

    try:
        count, wakeups, outcome, pushes = asyncio.run(scenario())
    finally:
        doomed.stop()
    assert count == 1
    assert wakeups <= 2, "a dead connection must not keep waking the loop"
    assert outcome == "OSError"
    assert pushes == NOTHING_PUSHED


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


@contextmanager
def own_xvfb() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """An Xvfb of this test's own, so the test can stop and continue the process."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            display = pipe.readline().strip()
        assert display, "Xvfb did not report a display"
        yield xvfb, f":{display}"
    finally:
        xvfb.send_signal(signal.SIGCONT)
        xvfb.terminate()
        xvfb.wait(5)


def test_a_hung_x_server_does_not_block_the_engine_loop() -> None:
    """The X server stops answering (SIGSTOP): sample() raises OSError after X_TIMEOUT_S
    and the loop keeps running meanwhile, because Xlib waits on the source's own thread."""
    require_desktop_tools("Xvfb")

    async def scenario(xvfb: subprocess.Popen[bytes], display: str) -> tuple[str, int, float]:
        loop = asyncio.get_running_loop()
        source = X11Source({"DISPLAY": display})
        await source.start()
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.1)
                ticks += 1

        running = loop.create_task(ticker())
        try:
            await source.sample()
            xvfb.send_signal(signal.SIGSTOP)
            began = loop.time()
            try:
                await source.sample()
                outcome = "sampled"
            except OSError:
                outcome = "OSError"
            took = loop.time() - began
            return outcome, ticks, took
        finally:
            running.cancel()
            xvfb.send_signal(signal.SIGCONT)
            await source.close()

    with own_xvfb() as (xvfb, display):
        outcome, ticks, took = asyncio.run(scenario(xvfb, display))
    assert outcome == "OSError"
    assert X_TIMEOUT_S - 0.1 <= took <= X_TIMEOUT_S + 1.0
    assert ticks >= 0.8 * took / 0.1, "the loop kept running while the X server was stopped"
