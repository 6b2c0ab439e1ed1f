"""The real service follows real input on a real X server (issue 4, end to end).

`python -m reminder run --no-tray` runs inside Xvfb with a private session bus;
input is sent with xdotool, full screen is set by a real window manager (openbox)
through wmctrl, and the service is read back with `status --json`. Prompts go to
the console notifier, so each one shows up as a "Try: " line on the service's
stdout; the number of prompts is read from `status` (today's history), which
counts each prompt once however many places printed it.

Nothing is faked. The only isolation: the system bus address points nowhere, so
the machine's own logind (lock and suspend signals) cannot end a spell mid-test.

The engine still samples on a fixed tick; the last test checks the announcements
the event-driven engine will use, on the source the service picks here.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import require_desktop_tools
from desktop_session import DesktopSession
from service_proc import ServiceProcess, write_fast_config

from reminder.activity.base import Pushes
from reminder.activity.detect import choose_activity_source
from reminder.activity.signals import SignalWatchers
from reminder.activity.x11 import X11Source

pytestmark = pytest.mark.desktop

PROMPT = r"\. Try: "
CONSOLE_PROMPTS = '\n[notifications]\nbackend = "console"\nquiet_when_fullscreen = true\n'
XDG_VARS = (
    "XDG_CONFIG_HOME",
    "XDG_CONFIG_DIRS",
    "XDG_STATE_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
)


class Wiggle:
    """A person at the keyboard: moves the mouse by one pixel, back and forth, every second.

    Threading rule: the thread only runs xdotool; start() and stop() are called
    from the test thread.
    """

    def __init__(self, desktop: DesktopSession, every: float = 1.0) -> None:
        self._desktop = desktop
        self._every = every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wiggle", daemon=True)
        self.started_at = 0.0

    def start(self) -> Wiggle:
        self.started_at = time.monotonic()  # before the first input reaches the X server
        self._desktop.xdotool("mousemove", "500", "400")
        self._thread.start()
        return self

    def _run(self) -> None:
        step = "1"
        while not self._stopping.wait(self._every):
            self._desktop.run("xdotool", "mousemove_relative", "--", step, "0", check=False)
            step = "-1" if step == "1" else "1"

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(15)

    def elapsed(self) -> float:
        return time.monotonic() - self.started_at


def service_env(desktop: DesktopSession) -> dict[str, str]:
    """The desktop's environment as a plain X11 session, with the test's own XDG folders.

    XDG_RUNTIME_DIR stays the desktop's: the service's control socket and the CLI
    (which uses the same env) meet there.
    """
    env = {k: v for k, v in desktop.env.items() if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    for var in XDG_VARS:
        env[var] = os.environ[var]
    env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=/nonexistent/system_bus_socket"
    return env


def prompts_today(data: dict[str, Any]) -> int:
    today = data.get("today") or {}
    return int(today.get("prompts", 0))


def prompt_lines(service: ServiceProcess) -> list[str]:
    """Every prompt line the service printed so far."""
    return [line for line in service.drain() if "Try: " in line]


def log_text(state_home: Path) -> str:
    return "\n".join(path.read_text() for path in state_home.rglob("sitting-reminder.log"))


@pytest.fixture
def wiggles(desktop: DesktopSession) -> Iterator[list[Wiggle]]:
    """Input threads a test starts; all stopped at the end, even when the test fails."""
    started: list[Wiggle] = []
    yield started
    for wiggle in started:
        wiggle.stop()


def start_service(desktop: DesktopSession) -> ServiceProcess:
    service = ServiceProcess(service_env(desktop), "--no-tray").start()
    service.wait_for_line("sitting-reminder running", timeout=30)
    return service


def test_status_under_xvfb_reports_the_x11_source(
    desktop: DesktopSession, isolated_dirs: dict[str, Path]
) -> None:
    """On an X11 desktop `status --json` names the X11 idle-time source."""
    write_fast_config(isolated_dirs["config"], sitting_limit="10m", extra=CONSOLE_PROMPTS)
    service = start_service(desktop)
    data = service.wait_for_status("the engine to answer", lambda s: "state" in s, timeout=20)
    assert data["activity_detection"] == "x11"
    assert service.stop() == 0


def test_someone_who_keeps_moving_the_mouse_is_prompted_at_the_sitting_limit(
    desktop: DesktopSession, isolated_dirs: dict[str, Path], wiggles: list[Wiggle]
) -> None:
    """Input every second keeps one spell going (idle never reaches 4 s): one prompt at 8 s."""
    write_fast_config(
        isolated_dirs["config"], sitting_limit="8s", repeat_every="30s", extra=CONSOLE_PROMPTS
    )
    wiggle = Wiggle(desktop).start()
    wiggles.append(wiggle)
    service = start_service(desktop)

    line = service.wait_for_line(PROMPT, timeout=40)
    waited = wiggle.elapsed()
    data = service.status()

    assert line.startswith("Time to move: ")
    assert data["activity_detection"] == "x11"
    assert data["state"] == "sitting" and data["due"] is True
    assert data["sitting_for_s"] >= 8
    assert prompts_today(data) == 1
    # The spell began with the input, so the prompt cannot come before 8 s of it.
    assert waited >= 7.5
    assert service.stop() == 0


def test_walking_away_ends_the_spell_without_a_prompt_and_return_starts_a_fresh_one(
    desktop: DesktopSession, isolated_dirs: dict[str, Path], wiggles: list[Wiggle]
) -> None:
    """No input for break_after_idle (3 s) is a break: no prompt, "on_break"; input again
    starts a new spell, prompted only after 8 s of it."""
    config = write_fast_config(
        isolated_dirs["config"], sitting_limit="8s", repeat_every="30s", extra=CONSOLE_PROMPTS
    )
    config.write_text(
        config.read_text().replace('break_after_idle = "4s"', 'break_after_idle = "3s"')
    )
    service = start_service(desktop)

    time.sleep(12)  # nobody at the desk: longer than the sitting limit
    away = service.status()
    assert prompt_lines(service) == []
    assert away["state"] == "on_break"
    assert away["sitting_for_s"] == 0
    assert prompts_today(away) == 0

    wiggle = Wiggle(desktop).start()
    wiggles.append(wiggle)
    back = service.wait_for_status("a new spell", lambda s: s["state"] == "sitting", timeout=20)
    # A fresh spell: it started when the input came back, not when the service did.
    assert back["sitting_for_s"] <= wiggle.elapsed() + 1

    line = service.wait_for_line(PROMPT, timeout=40)
    waited = wiggle.elapsed()
    data = service.status()
    assert line.startswith("Time to move: ")
    assert data["sitting_for_s"] >= 8
    assert prompts_today(data) == 1
    assert waited >= 7.5
    assert service.stop() == 0


def test_a_full_screen_window_holds_the_prompt_until_it_leaves_full_screen(
    desktop: DesktopSession,
    isolated_dirs: dict[str, Path],
    wiggles: list[Wiggle],
    artifacts: Path,
) -> None:
    """Slides full screen under openbox: the due prompt waits; leaving full screen brings
    exactly one prompt (no backlog of the held ones)."""
    require_desktop_tools("openbox", "wmctrl", "xmessage", "xprop")
    write_fast_config(
        isolated_dirs["config"], sitting_limit="5s", repeat_every="30s", extra=CONSOLE_PROMPTS
    )
    with desktop.slides_window() as slides:
        slides.set_fullscreen(True)
        desktop.wait_until(slides.is_fullscreen, 10, "the window to go full screen")
        wiggles.append(Wiggle(desktop).start())
        service = start_service(desktop)

        held = service.wait_for_status("the prompt to be due", lambda s: s["due"], timeout=30)
        time.sleep(5)  # several more samples, all while full screen
        still = service.status()
        desktop.screenshot(artifacts / "activity-service-fullscreen.png")
        assert held["state"] == "sitting"
        assert prompt_lines(service) == []
        assert prompts_today(still) == 0
        assert still["due"] is True
        assert "prompt held: a full-screen window is active" in log_text(isolated_dirs["state"])

        slides.set_fullscreen(False)
        desktop.wait_until(
            lambda: not slides.is_fullscreen(), 10, "the window to leave full screen"
        )
        first = service.wait_for_line(PROMPT, timeout=20)
        time.sleep(3)  # a backlog would arrive now
        after = service.status()
        lines = prompt_lines(service)

    assert first.startswith("Time to move: ")
    assert prompts_today(after) == 1
    assert not any(line.startswith("Still sitting") for line in lines)
    assert len(set(lines)) == 1  # the console notifier and the echo print the same prompt
    assert service.stop() == 0


def test_the_source_the_service_picks_announces_away_and_back_within_a_second(
    desktop: DesktopSession,
) -> None:
    """With the service's own environment, choose_activity_source gives the X11 source
    with XSync alarms: "away" comes within a second of break_after_idle (2 s) passing,
    "back" within a second of `xdotool mousemove`, and no query to the X server between
    (each announcement is followed by one sample, as the engine will do: one query)."""
    require_desktop_tools("xdotool")
    break_after_idle = timedelta(seconds=2)

    async def scenario() -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        source = await choose_activity_source(service_env(desktop), platform="linux")
        assert isinstance(source, SignalWatchers)
        assert isinstance(source.inner, X11Source)
        x11 = source.inner
        announced: list[tuple[float, int]] = []  # (when, X queries so far)
        seen: dict[str, Any] = {}

        async def announcement(number: int, within: float) -> tuple[float, int]:
            deadline = loop.time() + within
            while len(announced) < number and loop.time() < deadline:
                await asyncio.sleep(0.01)
            assert len(announced) >= number, f"announcement {number} missing after {within} s"
            return announced[number - 1]

        try:
            desktop.xdotool("mousemove", "500", "400")
            last_input = loop.time()
            seen["pushes"] = source.watch(
                lambda: announced.append((loop.time(), x11.queries)), break_after_idle
            )
            seen["present"] = await source.sample()  # answered after the alarms are armed
            queries = x11.queries
            away, queries_at_away = await announcement(1, 10)
            seen["away after input"] = away - last_input
            seen["queries until away"] = queries_at_away - queries
            seen["away sample"] = await source.sample()
            queries = x11.queries
            desktop.xdotool("mousemove", "510", "400")
            moved = loop.time()
            back, queries_at_back = await announcement(2, 5)
            seen["back after move"] = back - moved
            seen["queries until back"] = queries_at_back - queries
            seen["back sample"] = await source.sample()
        finally:
            await source.close()
        return seen

    seen = asyncio.run(scenario())
    assert seen["pushes"] == Pushes(idle=True, fullscreen=True, lock=False)
    assert seen["present"].idle_for < break_after_idle
    assert 2.0 - 0.05 <= seen["away after input"] <= 3.0, seen
    assert seen["queries until away"] == 0
    assert seen["away sample"].idle_for >= break_after_idle
    assert seen["back after move"] <= 1.0, seen
    assert seen["queries until back"] == 0
    assert seen["back sample"].idle_for < timedelta(seconds=1)
