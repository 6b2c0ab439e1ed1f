"""The tray on a real desktop: pystray's GTK backend docked in trayer under Xvfb.

The tray runs in a child process (GTK owns that process's main thread, as in the
service) with the recording engine from reminder.testing, which prints every command
it receives. Everything between is real: the X tray protocol, GTK's menu, xdotool's
clicks and keys. Screenshots go to tests/artifacts/ (docs/ gets the real service's).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from conftest import require_desktop_tools
from desktop_helpers import OutputReader, Window, crop, docked_icon, popup_windows
from desktop_session import DesktopSession

pytestmark = pytest.mark.desktop

CHILD = Path(__file__).with_name("tray_child.py")
PROGRAM_CLASS = "sitting-reminder"


@dataclass
class Tray:
    """The child running the tray: its output, and a way to make its engine publish."""

    output: OutputReader
    stdin: IO[str]

    def publish(self, state: str) -> None:
        self.stdin.write(f"state {state}\n")
        self.stdin.flush()
        self.output.wait_for(f"published {state}")


@pytest.fixture
def tray(desktop: DesktopSession, tmp_path: Path) -> Iterator[Tray]:
    """trayer plus a TrayApp child process."""
    require_desktop_tools("xwininfo", "convert")
    desktop.start_trayer()
    env = dict(desktop.env, PYSTRAY_BACKEND="gtk", NO_AT_BRIDGE="1", PYTHONUNBUFFERED="1")
    with (
        (tmp_path / "tray.log").open("w") as log,
        subprocess.Popen(
            [sys.executable, str(CHILD), "sitting"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        ) as child,
    ):
        output = OutputReader(child)
        assert child.stdin is not None
        try:
            yield Tray(output, child.stdin)
        finally:
            child.stdin.close()  # the child stops its tray when stdin closes
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(5)
            output.join()


def wait_for_icon(desktop: DesktopSession) -> Window:
    found: list[Window] = []

    def docked() -> bool:
        icon = docked_icon(desktop, PROGRAM_CLASS)
        if icon is not None:
            found.append(icon)
        return icon is not None

    desktop.wait_until(docked, 15, "the tray icon to dock in trayer")
    return found[-1]


def wait_for_popups(desktop: DesktopSession, count: int) -> list[Window]:
    found: list[list[Window]] = []

    def shown() -> bool:
        found.append(popup_windows(desktop, PROGRAM_CLASS))
        return len(found[-1]) >= count

    desktop.wait_until(shown, 10, f"{count} menu window(s) of the tray")
    return found[-1]


def test_icon_docks_and_snooze_from_its_menu_reaches_the_engine(
    desktop: DesktopSession, tray: Tray, artifacts: Path
) -> None:
    icon = wait_for_icon(desktop)
    assert 16 <= icon.width <= 48 and 16 <= icon.height <= 48, icon

    # Hover: GTK shows the tooltip with the sitting time and the next prompt.
    desktop.xdotool("mousemove", "10", "10")
    desktop.xdotool("mousemove", str(icon.centre[0]), str(icon.centre[1]))
    tooltip = wait_for_popups(desktop, 1)[0]
    shot = desktop.screenshot(artifacts / "tray-tooltip.png")
    left = min(tooltip.x, icon.x) - 8
    top = min(tooltip.y, icon.y) - 8
    crop(
        shot,
        artifacts / "tray-crop.png",
        (left, top, desktop.size[0] - left, desktop.size[1] - top),
        scale=2,
    )

    # Right click: the GTK menu opens; keys choose Snooze > first option.
    desktop.xdotool("mousemove", "10", "10")
    desktop.wait_until(
        lambda: popup_windows(desktop, PROGRAM_CLASS) == [], 10, "the tooltip to close"
    )
    desktop.xdotool("mousemove", str(icon.centre[0]), str(icon.centre[1]), "click", "3")
    menu = wait_for_popups(desktop, 1)[0]
    assert menu.height > 200, f"the menu looks too small to hold its items: {menu}"
    desktop.xdotool("key", "Down", "Down", "Right")  # "I moved", "Snooze", open its submenu
    submenu = min(wait_for_popups(desktop, 2), key=lambda window: window.height)
    shot = desktop.screenshot(artifacts / "tray-menu.png")
    left = min(submenu.x, menu.x) - 8
    crop(
        shot,
        artifacts / "menu-crop.png",
        (left, menu.y - 8, desktop.size[0] - left, desktop.size[1] - menu.y + 8),
    )
    desktop.xdotool("key", "Return")

    line = tray.output.wait_for("command:")
    assert line == "command: Snooze(duration=datetime.timedelta(seconds=600))"


def test_quit_in_the_menu_asks_the_engine_to_stop_and_the_tray_ends(
    desktop: DesktopSession, tray: Tray
) -> None:
    icon = wait_for_icon(desktop)
    desktop.xdotool("mousemove", str(icon.centre[0]), str(icon.centre[1]), "click", "3")
    wait_for_popups(desktop, 1)
    desktop.xdotool("key", "End", "Return")  # End selects the last item: Quit

    tray.output.wait_for("quit requested")
    tray.output.wait_for("tray stopped")
    assert not any(line.startswith("command:") for line in tray.output.lines())


def tile_colour(desktop: DesktopSession, shot: Path, icon: Window) -> tuple[int, int, int]:
    """The colour of the icon's tile, just inside its lower right corner."""
    x, y = icon.x + icon.width - 6, icon.y + icon.height - 6
    out = desktop.run("convert", str(shot), "-format", f"%[pixel:p{{{x},{y}}}]", "info:")
    numbers = out[out.index("(") + 1 : out.index(")")].split(",")
    red, green, blue = (
        round(float(n.rstrip("%")) * (2.55 if "%" in n else 1)) for n in numbers[:3]
    )
    return red, green, blue


def test_a_new_snapshot_changes_the_icon_and_an_open_menu_keeps_working(
    desktop: DesktopSession, tray: Tray, artifacts: Path
) -> None:
    icon = wait_for_icon(desktop)
    sitting = tile_colour(desktop, desktop.screenshot(artifacts / "icon-sitting.png"), icon)

    tray.publish("due")
    due: list[tuple[int, int, int]] = []

    def icon_changed() -> bool:
        due.append(tile_colour(desktop, desktop.screenshot(artifacts / "icon-due.png"), icon))
        return due[-1] != sitting

    desktop.wait_until(icon_changed, 10, "the icon to change for the due state")
    assert sitting[1] > sitting[0], f"sitting should show the green tile, got {sitting}"
    assert due[-1][0] > due[-1][1], f"due should show the red tile, got {due[-1]}"

    # The engine publishes while the user has the menu open: the menu stays usable.
    desktop.xdotool("mousemove", str(icon.centre[0]), str(icon.centre[1]), "click", "3")
    wait_for_popups(desktop, 1)
    tray.publish("snoozed")
    desktop.xdotool("key", "Down", "Down", "Right")
    wait_for_popups(desktop, 2)
    desktop.xdotool("key", "Return")

    assert tray.output.wait_for("command:").startswith("command: Snooze(")
