"""The real service on a real desktop: Xvfb, a session bus, dunst, trayer, xdotool.

`python -m reminder run` starts with a user configuration that prompts after 3 s of
sitting. The test then does what a user does: sees the icon, gets a prompt in dunst,
presses "Done" there, snoozes from the tray menu, and keeps working while the
notification server is gone. State is read back with `sitting-reminder status
--json`, prompts straight off the session bus. Nothing is faked. The screenshots in
docs/ come from this run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import docs_screenshots, require_desktop_tools
from desktop_helpers import (
    WORK_ALL_WEEK,
    NotifyMonitor,
    OutputReader,
    Window,
    crop,
    dmenu_picker,
    docked_icon,
    popup_windows,
)
from desktop_session import DesktopSession

from reminder.stretches import load_catalog

pytestmark = pytest.mark.desktop

DOCS = docs_screenshots()
PROGRAM_CLASS = "sitting-reminder"

USER_CONFIG = (
    WORK_ALL_WEEK
    + """

[reminders]
sitting_limit = "3s"
repeat_every = "5s"
snooze_options = ["10m", "30m"]

[activity]
check_every = "1s"

[notifications]
# desktop-notifier, then the console: a deterministic chain (plyer's notify-send
# path cannot tell whether anything was shown).
backend = "desktop-notifier"
"""
)


@dataclass
class Service:
    """The running service and the desktop it runs on."""

    desktop: DesktopSession
    proc: subprocess.Popen[str]
    output: OutputReader
    notifications: NotifyMonitor  # every Notify call since before the service started

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reminder", *args],
            env=self.desktop.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def status(self) -> dict[str, Any]:
        done = self.cli("status", "--json")
        assert done.returncode == 0, f"status failed ({done.returncode}): {done.stderr}"
        data: dict[str, Any] = json.loads(done.stdout)
        return data

    def wait_for_status(self, what: str, check: Any, timeout: float = 15) -> dict[str, Any]:
        seen: list[dict[str, Any]] = []

        def ok() -> bool:
            seen.append(self.status())
            return bool(check(seen[-1]))

        try:
            self.desktop.wait_until(ok, timeout, what)
        except AssertionError as error:
            raise AssertionError(f"{error}; last status: {seen[-1] if seen else None}") from None
        return seen[-1]


@pytest.fixture
def service(tmp_path: Path, isolated_dirs: dict[str, Path], artifacts: Path) -> Iterator[Service]:
    """The service in its own desktop, whose bus does not restart a stopped dunst."""
    require_desktop_tools()
    require_desktop_tools("dunstctl", "dbus-monitor", "xwininfo", "convert")
    config_dir = isolated_dirs["config"] / "sitting-reminder"
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text(USER_CONFIG)
    with DesktopSession(tmp_path / "desktop", bus_activation=False) as desktop:
        desktop.start_trayer()
        desktop.start_dunst(dmenu_picker(desktop, "Done"))
        env = dict(desktop.env, PYSTRAY_BACKEND="gtk", NO_AT_BRIDGE="1", PYTHONUNBUFFERED="1")
        desktop.env = env
        log_file = tmp_path / "service.stderr"
        with (
            NotifyMonitor(desktop) as monitor,
            log_file.open("w") as stderr,
            subprocess.Popen(
                [sys.executable, "-m", "reminder", "run", "-v"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            ) as proc,
        ):
            output = OutputReader(proc)
            try:
                yield Service(desktop, proc, output, monitor)
            finally:
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait(5)
                output.join()
                (artifacts / "service-stdout.txt").write_text(output.text())
                (artifacts / "service-stderr.txt").write_text(log_file.read_text())


def wait_for_icon(desktop: DesktopSession) -> Window:
    found: list[Window] = []

    def docked() -> bool:
        icon = docked_icon(desktop, PROGRAM_CLASS)
        found[:] = [icon] if icon else []
        return icon is not None

    desktop.wait_until(docked, 20, "the service's icon to dock in trayer")
    return found[0]


def wait_for_popups(desktop: DesktopSession, program_class: str, count: int) -> list[Window]:
    found: list[Window] = []

    def shown() -> bool:
        found[:] = popup_windows(desktop, program_class)
        return len(found) >= count

    desktop.wait_until(shown, 10, f"{count} popup window(s) of {program_class}")
    return found


def test_service_prompts_in_dunst_obeys_done_and_snooze_and_survives_dunst_stopping(
    service: Service, artifacts: Path
) -> None:
    desktop = service.desktop
    stretch_names = [stretch.name for stretch in load_catalog()]

    # The icon docks; a prompt naming a stretch reaches dunst within a few seconds.
    icon = wait_for_icon(desktop)
    call = service.notifications.wait_for_call("Time to move", timeout=20)
    assert any(name in call for name in stretch_names), f"no stretch named in:\n{call}"
    assert '"Done"' in call and '"Snooze 10 min"' in call and '"Guide"' in call

    bubble = wait_for_popups(desktop, "Dunst", 1)[0]
    desktop.xdotool("mousemove", "10", "10")
    desktop.xdotool("mousemove", str(icon.centre[0]), str(icon.centre[1]))
    tooltip = wait_for_popups(desktop, PROGRAM_CLASS, 1)[0]
    shot = desktop.screenshot(artifacts / "service-prompt.png")
    assert bubble.width > 0  # docs/notification.png comes from test_notify_dunst (with picture)
    left, top = min(tooltip.x, icon.x) - 8, min(tooltip.y, icon.y) - 8
    crop(
        shot, DOCS / "tray.png", (left, top, desktop.size[0] - left, desktop.size[1] - top), scale=2
    )
    assert service.status()["state"] == "sitting"

    # "Done" in dunst (picked from its action list, as a user would) ends the spell.
    desktop.run("dunstctl", "context")
    after_done = service.wait_for_status(
        "the break from Done to be counted",
        lambda status: (status.get("today") or {}).get("breaks_taken", 0) >= 1,
    )
    assert after_done["state"] in ("sitting", "on_break")

    # Right click, Snooze > 10 min: `status` says snoozed.
    desktop.xdotool("mousemove", "10", "10")
    desktop.wait_until(lambda: popup_windows(desktop, PROGRAM_CLASS) == [], 10, "no tooltip")
    desktop.xdotool("mousemove", str(icon.centre[0]), str(icon.centre[1]), "click", "3")
    menu = wait_for_popups(desktop, PROGRAM_CLASS, 1)[0]
    desktop.xdotool("key", "Down", "Down", "Right")
    submenu = min(wait_for_popups(desktop, PROGRAM_CLASS, 2), key=lambda w: w.height)
    shot = desktop.screenshot(artifacts / "service-menu.png")
    left = min(submenu.x, menu.x) - 8
    crop(
        shot,
        DOCS / "menu.png",
        (left, menu.y - 8, desktop.size[0] - left, desktop.size[1] - menu.y + 8),
    )
    desktop.xdotool("key", "Return")
    snoozed = service.wait_for_status("snoozed", lambda status: status["state"] == "snoozed")
    snooze_left = datetime.fromisoformat(snoozed["snoozed_until"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=9) < snooze_left <= timedelta(minutes=10), snoozed

    # dunst goes away: the service keeps running and the next prompt is printed instead.
    desktop.stop_dunst()
    assert service.cli("resume").returncode == 0
    service.output.wait_for("Try:", timeout=20)
    assert service.proc.poll() is None
    assert service.status()["state"] == "sitting"

    # dunst is back: the next prompt goes to it again.
    seen = len(service.notifications.calls())
    desktop.start_dunst()
    service.notifications.wait_for_call("Still sitting", timeout=20, after=seen)
    desktop.wait_until(
        lambda: desktop.run("dunstctl", "count", "displayed", check=False).strip() not in ("", "0"),
        20,
        "the restarted dunst to show a prompt",
    )

    # Quit from the menu ends the service cleanly.
    desktop.xdotool("mousemove", str(icon.centre[0]), str(icon.centre[1]), "click", "3")
    wait_for_popups(desktop, PROGRAM_CLASS, 1)
    desktop.xdotool("key", "End", "Return")
    assert service.proc.wait(15) == 0
    assert "sitting-reminder stopped." in service.output.text()
