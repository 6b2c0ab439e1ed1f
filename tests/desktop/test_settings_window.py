"""The settings window on a real desktop: Xvfb, openbox, xdotool, the real service.

`python -m reminder run` runs with a user file that has comments and a managed file
(in $XDG_CONFIG_DIRS) that locks `reminders.repeat_every`. `python -m reminder
settings` opens the window; the test finds it by its title with xdotool and uses it
as a person with a keyboard does: types over the focused field, Ctrl+Tab to the next
page, Tab to a field, Enter to save, Escape to cancel. What happened is read back
from the user's file, `status --json`, `plan --json` and `config show --json`, and
from the window's pixels (the validator's message is drawn in its red). The memory
test opens the window from the tray's "Settings…" in a real StatusNotifierItem host.
Nothing is faked. docs/settings.png comes from this run.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTIFACTS, docs_screenshots, require_desktop_tools
from dbus_fast.aio import MessageBus
from desktop_helpers import crop, popup_windows
from desktop_session import SNI_PANEL_CLASS, SNI_TOOLS, DesktopSession
from PIL import Image
from service_proc import ServiceProcess
from sni_helpers import HostView, registered_items

from reminder.core.model import SpellState
from reminder.settings.form import LOCK_COLOUR, PROBLEM_COLOUR, WINDOW_TITLE
from reminder.tray.icons import TILE_COLOURS

pytestmark = pytest.mark.desktop

DOCS = docs_screenshots()
APP = "sitting-reminder"
MINE = """\
# My settings. The limit is what my physio suggested.
[schedule]
timezone = "UTC"

[reminders]
sitting_limit = "50m"  # fifty minutes, then up
snooze_options = ["10m", "30m"]

[activity]
check_every = "1s"

[notifications]
backend = "console"
"""
MANAGED = """\
# IT: one repeat for everybody.
[reminders]
repeat_every = "8m"

[managed]
locked = ["reminders.repeat_every"]
"""
A_MONDAY = "2026-06-01"


@dataclass
class Desk:
    """The desktop, the user's file and the managed file."""

    desktop: DesktopSession
    user_file: Path
    managed_file: Path
    artifacts: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reminder", *args],
            env=self.desktop.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def json(self, *args: str) -> Any:
        done = self.cli(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def open_settings(self) -> Settings:
        proc = subprocess.Popen(
            [sys.executable, "-m", "reminder", "settings"],
            env=self.desktop.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return Settings(self.desktop, proc, find_window(self.desktop, proc))


def require_tkinter() -> None:
    """The window needs Tk in this Python (Debian: python3-tk); in CI its absence fails."""
    if importlib.util.find_spec("tkinter") is not None:
        return
    reason = f"{sys.executable} has no tkinter (Debian: apt-get install python3-tk)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the settings window tests, but {reason}")
    pytest.skip(reason)


def find_window(desktop: DesktopSession, proc: subprocess.Popen[str]) -> str:
    """The settings window's X id, found by its title as a person's eyes would."""
    found: list[str] = []

    def shown() -> bool:
        assert proc.poll() is None, f"settings exited early ({proc.returncode})"
        out = desktop.run("xdotool", "search", "--onlyvisible", "--name", WINDOW_TITLE, check=False)
        found[:] = out.split()
        return bool(found)

    desktop.wait_until(shown, 20, f"a window titled {WINDOW_TITLE!r}")
    return found[0]


@dataclass
class Settings:
    """The settings process and its window."""

    desktop: DesktopSession
    proc: subprocess.Popen[str]
    window: str

    def keys(self, *names: str) -> None:
        self.desktop.xdotool("windowactivate", "--sync", self.window)
        self.desktop.xdotool("key", "--delay", "60", *names)

    def type(self, text: str) -> None:
        self.desktop.xdotool("windowactivate", "--sync", self.window)
        self.desktop.xdotool("type", "--delay", "40", text)
        time.sleep(0.3)  # the check runs at each keystroke; let Tk draw it

    def geometry(self) -> tuple[int, int, int, int]:
        """x, y, width, height of the window with its frame, on the screen.

        From xwininfo: `xdotool getwindowgeometry` counts the frame's offset twice
        under a reparenting window manager.
        """
        info = self.desktop.run("xwininfo", "-id", self.window)
        values = {
            name.strip(): int(value)
            for name, _, value in (line.partition(":") for line in info.splitlines())
            if name.strip() in ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height")
        }
        extents = self.desktop.run("xprop", "-id", self.window, "_NET_FRAME_EXTENTS")
        left, right, top, bottom = (int(n) for n in extents.split("=")[1].split(","))
        return (
            values["Absolute upper-left X"] - left,
            values["Absolute upper-left Y"] - top,
            values["Width"] + left + right,
            values["Height"] + top + bottom,
        )

    def shot(self, path: Path) -> Path:
        """A screenshot of the window with its frame (openbox's title bar)."""
        screen = self.desktop.screenshot(ARTIFACTS / f"{path.stem}-screen.png")
        return crop(screen, path, self.geometry())

    def finish(self, timeout: float = 20) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.communicate(timeout=10)


def pixels_like(shot: Path, colour: str, tolerance: int = 40) -> int:
    """How many pixels of `shot` are within `tolerance` of `colour` (text drawn in it)."""
    target = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    with Image.open(shot) as image:
        rgb = image.convert("RGB").tobytes()
    return sum(
        1
        for i in range(0, len(rgb), 3)
        if sum(abs(rgb[i + c] - target[c]) for c in range(3)) < tolerance
    )


@pytest.fixture
def desk(tmp_path: Path, artifacts: Path) -> Iterator[Desk]:
    """A desktop whose user has a home with their own file, and IT a managed file.

    Short, plausible paths (the window shows them, and docs/settings.png with it):
    $HOME/.config/sitting-reminder/config.toml and <desk>/etc/xdg/sitting-reminder/.
    """
    require_desktop_tools("Xvfb", "dbus-daemon", "openbox", "xdotool", "import", "convert")
    require_tkinter()
    base = Path(tempfile.mkdtemp(prefix="desk-", dir="/tmp"))
    home = base / "home"
    user_file = home / ".config" / APP / "config.toml"
    user_file.parent.mkdir(parents=True)
    user_file.write_text(MINE)
    managed = base / "etc" / "xdg" / APP / "config.toml"
    managed.parent.mkdir(parents=True)
    managed.write_text(MANAGED)
    try:
        with DesktopSession(tmp_path / "desktop") as desktop:
            desktop.start_window_manager()
            desktop.env = dict(
                desktop.env,
                NO_AT_BRIDGE="1",
                HOME=str(home),
                XDG_CONFIG_HOME=str(home / ".config"),
                XDG_CONFIG_DIRS=str(base / "etc" / "xdg"),
            )
            yield Desk(desktop, user_file, managed, artifacts)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def service(desk: Desk) -> Iterator[ServiceProcess]:
    running = ServiceProcess(desk.desktop.env, "--no-tray").start()
    try:
        running.wait_for_status("the service to answer", lambda status: True, timeout=30)
        yield running
    finally:
        running.stop()


# ------------------------------------------------------------------ tests


def test_a_new_sitting_limit_and_work_hours_saved_from_the_window_apply_at_once(
    desk: Desk, service: ServiceProcess
) -> None:
    assert service.status()["sitting_limit_s"] == 50 * 60
    settings = desk.open_settings()
    try:
        # It fits a 1024x768 screen on every page.
        for _page in range(4):
            x, y, width, height = settings.geometry()
            assert x >= 0 and y >= 0 and x + width <= 1024 and y + height <= 768, (
                x,
                y,
                width,
                height,
            )
            settings.keys("ctrl+Tab")
        shot = settings.shot(DOCS / "settings.png")
        assert pixels_like(shot, LOCK_COLOUR) > 50, "the locked field's note is not drawn"
        assert pixels_like(shot, PROBLEM_COLOUR) == 0, "a message is shown for a good value"

        # The sitting limit has the focus, its text selected: typing replaces it.
        settings.type("45m")
        settings.keys("ctrl+Tab", "Tab", "Tab")  # Work hours: time zone, days off, Monday
        settings.type("08:00-12:00, 13:00-16:00")
        settings.shot(desk.artifacts / "settings-typed.png")
        started = time.monotonic()
        settings.keys("Return")
        code, out, err = settings.finish()
    finally:
        settings.close()
    assert code == 0, err
    assert "Sitting limit: 45 min; Work hours on Monday: 08:00-12:00, 13:00-16:00." in out
    assert "The running service applied it." in out

    text = desk.user_file.read_text()
    expected = MINE.replace('sitting_limit = "50m"', 'sitting_limit = "45m"')
    assert text.startswith(expected.split("\n[reminders]")[0])  # comment and timezone kept
    assert 'sitting_limit = "45m"  # fifty minutes, then up' in text
    assert 'monday = ["08:00-12:00", "13:00-16:00"]' in text
    for kept in ('snooze_options = ["10m", "30m"]', 'check_every = "1s"', 'backend = "console"'):
        assert kept in text
    assert "repeat_every" not in text and "tuesday" not in text  # only what changed

    status = service.status()
    assert status["sitting_limit_s"] == 45 * 60
    assert time.monotonic() - started < 5
    plan = desk.json("plan", "--date", A_MONDAY)
    assert plan["work_hours"] == [["08:00", "12:00"], ["13:00", "16:00"]]
    assert plan["prompts"][0] == "08:45"


def test_a_wrong_entry_is_marked_at_once_and_nothing_is_written(
    desk: Desk, service: ServiceProcess
) -> None:
    before = desk.user_file.read_bytes()
    settings = desk.open_settings()
    try:
        settings.type("abc")
        shot = settings.shot(desk.artifacts / "settings-invalid.png")
        assert pixels_like(shot, PROBLEM_COLOUR) > 100, "no message in red under the field"
        settings.keys("Return")  # refused: the window stays, nothing is written
        time.sleep(1.5)
        assert settings.proc.poll() is None, "Save closed the window despite the wrong entry"
        assert desk.user_file.read_bytes() == before
        settings.shot(desk.artifacts / "settings-refused.png")
        settings.keys("Escape")
        code, out, err = settings.finish()
    finally:
        settings.close()
    assert code == 0, err
    assert out.strip() == "Closed without saving; nothing was written."
    assert desk.user_file.read_bytes() == before
    assert service.status()["sitting_limit_s"] == 50 * 60


def test_a_locked_field_cannot_be_edited(desk: Desk, service: ServiceProcess) -> None:
    """Tab from the sitting limit skips the locked "Repeat every" (disabled) and lands on
    the snooze choices; what is typed there is saved, the locked value stays IT's."""
    settings = desk.open_settings()
    try:
        settings.keys("Tab")
        settings.type("5m, 15m")
        settings.keys("Return")
        code, _, err = settings.finish()
    finally:
        settings.close()
    assert code == 0, err
    text = desk.user_file.read_text()
    assert 'snooze_options = ["5m", "15m"]' in text
    assert "repeat_every" not in text
    shown = desk.json("config", "show", "--origin")
    assert shown["reminders.repeat_every"] == {
        "value": "8m",
        "origin": str(desk.managed_file),
        "locked_by": str(desk.managed_file),
    }


def test_cancel_writes_nothing(desk: Desk, service: ServiceProcess) -> None:
    before = desk.user_file.read_bytes()
    mtime = desk.user_file.stat().st_mtime_ns
    settings = desk.open_settings()
    try:
        settings.type("20m")
        settings.keys("shift+Tab", "shift+Tab", "shift+Tab")  # the tabs, Save, Cancel
        settings.keys("Return")  # Enter presses the focused button: Cancel
        code, out, err = settings.finish()
    finally:
        settings.close()
    assert code == 0, err
    assert out.strip() == "Closed without saving; nothing was written."
    assert desk.user_file.read_bytes() == before
    assert desk.user_file.stat().st_mtime_ns == mtime
    assert service.status()["sitting_limit_s"] == 50 * 60


def test_without_a_service_the_window_saves_and_says_when_it_applies(desk: Desk) -> None:
    settings = desk.open_settings()
    try:
        settings.type("40m")
        settings.keys("Return")
        desk.desktop.wait_until(
            lambda: 'sitting_limit = "40m"' in desk.user_file.read_text(), 10, "the file saved"
        )
        time.sleep(1)
        assert settings.proc.poll() is None, "the window closed before saying it"
        settings.shot(desk.artifacts / "settings-no-service.png")
        settings.keys("Escape")
        code, out, err = settings.finish()
    finally:
        settings.close()
    assert code == 0, err
    assert "No service is running: the new settings are used at the next start." in out


def test_a_second_request_brings_the_open_window_forward(desk: Desk) -> None:
    settings = desk.open_settings()
    try:
        desk.desktop.xdotool("windowminimize", "--sync", settings.window)
        visible = desk.desktop.run(
            "xdotool", "search", "--onlyvisible", "--name", WINDOW_TITLE, check=False
        )
        assert visible.split() == []
        second = desk.cli("settings")
        assert second.returncode == 0, second.stderr
        assert "brought to the front" in second.stdout
        desk.desktop.wait_until(
            lambda: (
                desk.desktop.run(
                    "xdotool", "search", "--onlyvisible", "--name", WINDOW_TITLE, check=False
                ).split()
                == [settings.window]
            ),
            10,
            "the first window to come back",
        )
        every = desk.desktop.run("xdotool", "search", "--name", WINDOW_TITLE, check=False)
        assert every.split() == [settings.window]  # still one window
        settings.keys("Escape")
        code, _, err = settings.finish()
        assert code == 0, err
    finally:
        settings.close()


def test_a_broken_file_is_said_in_a_dialog_and_nothing_opens(desk: Desk) -> None:
    desk.user_file.write_text(MINE.replace('sitting_limit = "50m"', "sitting_limit = 50"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "reminder", "settings"],
        env=desk.desktop.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    settings = Settings(desk.desktop, proc, find_window(desk.desktop, proc))
    try:
        settings.shot(desk.artifacts / "settings-broken-file.png")
        settings.keys("Return")  # the dialog's OK
        code, out, err = settings.finish()
    finally:
        settings.close()
    assert code == 2
    assert str(desk.user_file) in err and "line 6" in err and "sitting_limit" in err
    assert "Traceback" not in err and out == ""


# ------------------------------------------------------------------ memory


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def idle_rss_kib(pid: int, samples: int = 3) -> int:
    """The largest of a few VmRSS samples half a second apart (a sample may catch a wake-up)."""
    found = []
    for _ in range(samples):
        found.append(rss_kib(pid))
        time.sleep(0.5)
    return max(found)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


@dataclass
class TrayDesk:
    """The service with its StatusNotifierItem in gtk-sni-tray's panel, under openbox."""

    desktop: DesktopSession
    service: ServiceProcess
    icon: tuple[int, int]
    user_file: Path

    def open_settings_from_the_tray(self) -> tuple[int, str]:
        """Right click, "Settings…" (just above Quit); the child process and its window."""
        desktop = self.desktop
        desktop.xdotool("mousemove", str(self.icon[0]), str(self.icon[1]), "click", "3")
        desktop.wait_until(
            lambda: popup_windows(desktop, SNI_PANEL_CLASS) != [], 10, "the tray menu to open"
        )
        desktop.xdotool("key", "--delay", "100", "End", "Up", "Return")
        found: list[int] = []

        def window_up() -> bool:
            found[:] = children(self.service.pid)
            out = desktop.run(
                "xdotool", "search", "--onlyvisible", "--name", WINDOW_TITLE, check=False
            )
            return bool(out.split()) and bool(found)

        desktop.wait_until(window_up, 20, "the settings window opened from the tray")
        window = desktop.run("xdotool", "search", "--onlyvisible", "--name", WINDOW_TITLE)
        return found[0], window.split()[0]

    def menu_labels(self) -> list[str]:
        """The tray menu's lines, read from the item's dbusmenu as the panel reads them."""

        async def read() -> list[str]:
            bus = await MessageBus(
                bus_address=self.desktop.env["DBUS_SESSION_BUS_ADDRESS"]
            ).connect()
            try:
                items = await registered_items(bus)
                assert items, "no item registered with the watcher"
                _, root = await HostView(bus, items[0].split("/", 1)[0]).layout()
                return root.labels()
            finally:
                bus.disconnect()

        return asyncio.run(read())


@pytest.fixture
def tray_desk(
    tmp_path: Path, isolated_dirs: dict[str, Path], artifacts: Path
) -> Iterator[TrayDesk]:
    require_desktop_tools("Xvfb", "openbox", "xdotool", "xwininfo", *SNI_TOOLS)
    require_tkinter()
    user_file = isolated_dirs["config"] / APP / "config.toml"
    user_file.parent.mkdir(parents=True)
    user_file.write_text(
        MINE.replace("[schedule]\n", "[schedule]\n# a comment of my own, to be kept\n")
    )
    with DesktopSession(tmp_path / "desktop", bus_activation=False) as desktop:
        desktop.start_window_manager()
        desktop.start_sni_host()
        desktop.env = dict(desktop.env, NO_AT_BRIDGE="1")
        desktop.env.pop("PYSTRAY_BACKEND", None)
        service = ServiceProcess(desktop.env).start()
        try:
            service.wait_for_status("the service", lambda status: True, timeout=30)
            yield TrayDesk(desktop, service, wait_for_sni_icon(desktop, artifacts), user_file)
        finally:
            service.stop()


def test_the_service_stays_small_while_settings_opens_from_the_tray_and_closes(
    tray_desk: TrayDesk, artifacts: Path
) -> None:
    """The tray's "Settings…" (in gtk-sni-tray's menu, built from our dbusmenu) starts the
    window as a child process: Tk is mapped into it, never into the service, and the
    service's resident memory is the same after the window has come and gone."""
    desktop, service = tray_desk.desktop, tray_desk.service
    time.sleep(3)  # settle: the tray's first menu, the first samples
    before = idle_rss_kib(service.pid)

    window_pid, window = tray_desk.open_settings_from_the_tray()
    time.sleep(1)
    window_rss = rss_kib(window_pid)
    window_maps = Path(f"/proc/{window_pid}/maps").read_text()
    service_maps = Path(f"/proc/{service.pid}/maps").read_text()
    assert "libtk" in window_maps, "the settings process did not load Tk?"
    assert "libtk" not in service_maps and "libtcl" not in service_maps
    desktop.xdotool("windowactivate", "--sync", window)
    desktop.xdotool("key", "Escape")
    desktop.wait_until(lambda: children(service.pid) == [], 15, "the window to close")
    time.sleep(3)
    after = idle_rss_kib(service.pid)
    assert "libtk" not in Path(f"/proc/{service.pid}/maps").read_text()

    report = (
        f"service VmRSS before {before} KiB, after {after} KiB "
        f"(+{after - before} KiB); settings window VmRSS {window_rss} KiB\n"
    )
    (artifacts / "settings-memory.txt").write_text(report)
    print(report)
    assert after - before < NOISE_KIB, report


def test_the_tray_and_plan_follow_what_the_window_saved(
    tray_desk: TrayDesk, artifacts: Path
) -> None:
    """A new user's first visit: the sitting limit and the work hours, changed in the window
    opened from the tray, show in the tray's menu and in `plan` at once."""
    desktop = tray_desk.desktop
    before = tray_desk.menu_labels()
    assert "Interval: 50 min" in before
    _, window = tray_desk.open_settings_from_the_tray()
    desktop.xdotool("windowactivate", "--sync", window)
    desktop.xdotool("type", "--delay", "40", "45m")
    desktop.xdotool("key", "ctrl+Tab", "Tab")  # Work hours: the time zone, then days off
    for _day in range(7):
        desktop.xdotool("key", "Tab")
        desktop.xdotool("type", "--delay", "20", "00:00-24:00")
    desktop.xdotool("key", "Return")
    desktop.wait_until(lambda: children(tray_desk.service.pid) == [], 15, "the window to close")

    seen: list[list[str]] = []

    def follows() -> bool:
        seen.append(tray_desk.menu_labels())
        return "Interval: 45 min" in seen[-1] and seen[-1][0].startswith("Sitting")

    desktop.wait_until(follows, 5, f"the tray menu to follow (last: {seen[-1:]})")
    wait_for_sni_icon(desktop, artifacts, SpellState.SITTING)
    done = subprocess.run(
        [sys.executable, "-m", "reminder", "plan", "--json"],
        env=desktop.env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    plan = json.loads(done.stdout)
    assert plan["work_hours"] == [["00:00", "24:00"]]
    assert "# a comment of my own, to be kept" in tray_desk.user_file.read_text()


NOISE_KIB = 1024
"""How far the service's VmRSS may move between the two idle samples. Measured here: +28
KiB. Tk in a process costs about 10 MiB (a Python with the configuration loaded: 17 MiB;
with a Tk window: 27 MiB), so a toolkit that leaked into the service could not hide."""


def wait_for_sni_icon(
    desktop: DesktopSession, artifacts: Path, state: SpellState | None = None
) -> tuple[int, int]:
    """The centre of our item in gtk-sni-tray's panel, found by its tile's colour (that of
    `state`, or of any state)."""
    found: list[tuple[int, int]] = []
    panel_height = 30
    colours = [TILE_COLOURS[state]] if state is not None else list(TILE_COLOURS.values())

    def docked() -> bool:
        shot = desktop.screenshot(artifacts / "settings-sni-panel.png")
        with Image.open(shot) as image:
            width = image.width
            rgb = image.convert("RGB").crop((0, 0, width, panel_height)).tobytes()
        for colour in colours:
            target = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
            hits = [
                (index % width, index // width)
                for index in range(width * panel_height)
                if sum(abs(rgb[3 * index + c] - target[c]) for c in range(3)) < 24
            ]
            if len(hits) >= 40:
                xs, ys = [x for x, _ in hits], [y for _, y in hits]
                found[:] = [((min(xs) + max(xs)) // 2, (min(ys) + max(ys)) // 2)]
                return True
        return False

    desktop.wait_until(docked, 20, f"our {state.value if state else ''} icon in the panel")
    return found[0]
