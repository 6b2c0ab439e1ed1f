"""The real service's StatusNotifierItem in a real tray host on Xvfb.

Debian's `status-notifier-watcher` and `gtk-sni-tray-standalone --top` (a GTK panel
that draws SNI icons and builds their menus with libdbusmenu-gtk3) run on a private
Xvfb and session bus; `python -m reminder run` starts with no tray option, so it
picks its tray itself. The test then does what a user does: looks for the icon in
the panel (in a screenshot, by its tile colour), hovers it, right-clicks it, picks
Snooze > 10 min in the menu the panel built from our dbusmenu layout, and reads the
result back with `sitting-reminder status --json`. `dbus-monitor` watches what the
item sends. Nothing is faked. The README's pictures docs/sni-tray.png and
docs/sni-menu.png come from this run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import docs_screenshots, require_desktop_tools
from desktop_helpers import WORK_ALL_WEEK, OutputReader, Window, crop, docked_icon, popup_windows
from desktop_session import SNI_PANEL_CLASS, SNI_TOOLS, DesktopSession
from PIL import Image

from reminder.core.model import SpellState
from reminder.tray.icons import TILE_COLOURS

pytestmark = pytest.mark.desktop

DOCS = docs_screenshots()
PANEL_HEIGHT = 30  # gtk-sni-tray-standalone --top
SNI_INTERFACES = ("org.kde.StatusNotifierItem", "com.canonical.dbusmenu")
SNI_SIGNALS = tuple(f"type='signal',interface='{name}'" for name in SNI_INTERFACES)

USER_CONFIG = (
    WORK_ALL_WEEK
    + """

[reminders]
sitting_limit = "45m"
snooze_options = ["10m", "30m"]

[activity]
check_every = "1s"

[notifications]
backend = "console"
"""
)


@dataclass
class Service:
    """The running service, the desktop it runs on, and what the item sent on the bus."""

    desktop: DesktopSession
    proc: subprocess.Popen[str]
    output: OutputReader
    signals: OutputReader  # dbus-monitor --profile: one line per SNI or dbusmenu signal
    log: Path  # the service's stderr (its log)

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

    def sent(self) -> list[str]:
        """The member names of the SNI and dbusmenu signals sent so far."""
        fields = [line.split() for line in self.signals.lines()]  # kind, ..., interface, member
        return [f[-1] for f in fields if f and f[0] == "sig" and f[-2] in SNI_INTERFACES]


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[DesktopSession]:
    """Xvfb and a session bus that starts nothing on demand (no trays yet)."""
    require_desktop_tools()
    require_desktop_tools(*SNI_TOOLS, "dbus-monitor", "xwininfo", "convert")
    with DesktopSession(tmp_path / "desktop", bus_activation=False) as session:
        yield session


def start_service(
    desktop: DesktopSession, tmp_path: Path, isolated_dirs: dict[str, Path]
) -> Iterator[Service]:
    config_dir = isolated_dirs["config"] / "sitting-reminder"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text(USER_CONFIG)
    desktop.env = dict(desktop.env, NO_AT_BRIDGE="1", PYTHONUNBUFFERED="1")
    desktop.env.pop("PYSTRAY_BACKEND", None)
    with (
        (tmp_path / "service.stderr").open("w") as stderr,
        subprocess.Popen(
            ["dbus-monitor", "--session", "--profile", *SNI_SIGNALS],
            env=desktop.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        ) as monitor,
        subprocess.Popen(
            [sys.executable, "-m", "reminder", "run", "-v"],
            env=desktop.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as proc,
    ):
        output, signals = OutputReader(proc), OutputReader(monitor)
        try:
            yield Service(desktop, proc, output, signals, tmp_path / "service.stderr")
        finally:
            for child in (proc, monitor):
                if child.poll() is None:
                    child.terminate()
                    try:
                        child.wait(10)
                    except subprocess.TimeoutExpired:
                        child.kill()
                        child.wait(5)
            output.join()
            signals.join()
            artifacts = Path(__file__).parents[1] / "artifacts"
            artifacts.mkdir(exist_ok=True)
            (artifacts / "sni-service-stdout.txt").write_text(output.text())
            (artifacts / "sni-service-stderr.txt").write_text(
                (tmp_path / "service.stderr").read_text()
            )


@pytest.fixture
def service(
    desktop: DesktopSession, tmp_path: Path, isolated_dirs: dict[str, Path]
) -> Iterator[Service]:
    """The service on a desktop whose tray is the SNI watcher plus gtk-sni-tray's panel."""
    desktop.start_sni_host()
    yield from start_service(desktop, tmp_path, isolated_dirs)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def find_tile(shot: Path, state: SpellState, area: tuple[int, int, int, int]) -> Window | None:
    """Where the icon's tile colour for `state` covers a patch of `area` (x, y, w, h)."""
    target = hex_rgb(TILE_COLOURS[state])
    x0, y0, width, height = area
    with Image.open(shot) as image:
        rgb = image.convert("RGB").crop((x0, y0, x0 + width, y0 + height)).tobytes()
    hits = [
        (index % width, index // width)
        for index in range(width * height)
        if sum(abs(rgb[3 * index + c] - target[c]) for c in range(3)) < 24
    ]
    if len(hits) < 40:  # a 16 px icon has well over 100 tile pixels
        return None
    xs, ys = [x for x, _ in hits], [y for _, y in hits]
    left, top = x0 + min(xs), y0 + min(ys)
    return Window("icon", state.value, left, top, max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def wait_for_icon(
    desktop: DesktopSession, artifacts: Path, state: SpellState = SpellState.SITTING
) -> Window:
    found: list[Window] = []
    panel = (0, 0, desktop.size[0], PANEL_HEIGHT)

    def shown() -> bool:
        icon = find_tile(desktop.screenshot(artifacts / "sni-panel.png"), state, panel)
        found[:] = [icon] if icon else []
        return icon is not None

    desktop.wait_until(shown, 20, f"the {state.value} icon in gtk-sni-tray's panel")
    return found[0]


def wait_for_popups(desktop: DesktopSession, count: int) -> list[Window]:
    found: list[Window] = []

    def shown() -> bool:
        found[:] = popup_windows(desktop, SNI_PANEL_CLASS)
        return len(found) >= count

    desktop.wait_until(shown, 10, f"{count} popup window(s) of the panel")
    return found


def test_icon_in_the_panel_and_snooze_from_the_menu_the_host_built(
    service: Service, artifacts: Path
) -> None:
    desktop = service.desktop
    icon = wait_for_icon(desktop, artifacts)
    assert 16 <= icon.width <= 32 and 16 <= icon.height <= 32, icon
    maps = Path(f"/proc/{service.proc.pid}/maps").read_text()
    unwanted = ("libgtk", "libgobject", "libfreetype", "libcrypto", "_imaging")
    loaded = [lib for lib in unwanted if lib in maps]
    assert loaded == [], "the service mapped a toolkit, Pillow, FreeType or OpenSSL"

    # Hover: the panel shows our tooltip (title and the time the spell started).
    desktop.xdotool("mousemove", "500", "400")
    desktop.xdotool("mousemove", str(icon.centre[0]), str(icon.centre[1]))
    tooltip = wait_for_popups(desktop, 1)[0]
    shot = desktop.screenshot(artifacts / "sni-tooltip.png")
    crop(
        shot,
        DOCS / "sni-tray.png",
        (0, 0, tooltip.x + tooltip.width + 16, tooltip.y + tooltip.height + 8),
        scale=2,
    )

    # Right click: the panel builds the menu from our dbusmenu layout; keys pick Snooze > 10 min.
    desktop.xdotool("mousemove", "500", "400")
    desktop.wait_until(lambda: popup_windows(desktop, SNI_PANEL_CLASS) == [], 10, "no tooltip")
    desktop.xdotool("mousemove", str(icon.centre[0]), str(icon.centre[1]), "click", "3")
    menu = wait_for_popups(desktop, 1)[0]
    assert menu.height > 200, f"the menu looks too small to hold its items: {menu}"
    desktop.xdotool("key", "Down", "Down", "Right")  # "I moved", "Snooze", open its submenu
    submenu = min(wait_for_popups(desktop, 2), key=lambda window: window.height)
    shot = desktop.screenshot(artifacts / "sni-menu-open.png")
    right = max(submenu.x + submenu.width, menu.x + menu.width) + 8
    crop(shot, DOCS / "sni-menu.png", (0, 0, right, menu.y + menu.height + 8))
    desktop.xdotool("key", "Return")

    seen: list[dict[str, Any]] = []

    def snoozed() -> bool:
        seen.append(service.status())
        return bool(seen[-1]["state"] == "snoozed")

    desktop.wait_until(snoozed, 10, f"status to say snoozed (last: {seen[-1:] or None})")
    left = datetime.fromisoformat(seen[-1]["snoozed_until"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=9) < left <= timedelta(minutes=10), seen[-1]

    # The host redraws the icon for the new state (NewIcon), as a user sees it.
    wait_for_icon(desktop, artifacts, SpellState.SNOOZED)

    # Quit in the menu ends the service cleanly (End selects the last item).
    desktop.xdotool("mousemove", str(icon.centre[0]), str(icon.centre[1]), "click", "3")
    wait_for_popups(desktop, 1)
    desktop.xdotool("key", "End", "Return")
    assert service.proc.wait(15) == 0
    assert "sitting-reminder stopped." in service.output.text()


def test_nothing_is_resent_while_the_state_holds(service: Service, artifacts: Path) -> None:
    """The engine ticks every second (check_every = 1s); the item signals only on a change."""
    desktop = service.desktop
    wait_for_icon(desktop, artifacts)
    service.signals.wait_for("sig")  # dbus-monitor's own NameAcquired: it listens
    before = service.sent()
    time.sleep(5)
    assert service.sent() == before, "signals were sent while nothing changed"

    assert service.cli("snooze", "10m").returncode == 0
    desktop.wait_until(lambda: "NewIcon" in service.sent(), 10, "NewIcon after the snooze")
    desktop.wait_until(lambda: "LayoutUpdated" in service.sent(), 10, "LayoutUpdated")
    time.sleep(1)
    after = service.sent()[len(before) :]
    assert sorted(after) == ["LayoutUpdated", "NewIcon", "NewToolTip"], after


def test_the_icon_comes_back_when_the_watcher_and_panel_restart(
    service: Service, artifacts: Path
) -> None:
    desktop = service.desktop
    wait_for_icon(desktop, artifacts)

    desktop.stop_sni_panel()
    desktop.stop_sni_watcher()
    panel = (0, 0, desktop.size[0], PANEL_HEIGHT)
    assert (
        find_tile(desktop.screenshot(artifacts / "sni-no-panel.png"), SpellState.SITTING, panel)
        is None
    )

    desktop.start_sni_host()
    wait_for_icon(desktop, artifacts)
    assert service.proc.poll() is None
    assert service.log.read_text().count("tray icon registered with the StatusNotifierWatcher") == 2


def test_without_any_tray_the_service_runs_and_the_icon_comes_when_a_host_starts(
    desktop: DesktopSession, tmp_path: Path, isolated_dirs: dict[str, Path], artifacts: Path
) -> None:
    for service in start_service(desktop, tmp_path, isolated_dirs):
        service.output.wait_for("running", timeout=20)
        assert service.status()["state"] == "sitting"

        desktop.start_sni_host()
        wait_for_icon(desktop, artifacts)
        assert service.proc.poll() is None


def test_an_xembed_only_desktop_gets_the_pystray_icon(
    desktop: DesktopSession, tmp_path: Path, isolated_dirs: dict[str, Path]
) -> None:
    """trayer owns _NET_SYSTEM_TRAY_S0 and no watcher runs: pystray's GTK icon docks there."""
    desktop.start_trayer()
    for service in start_service(desktop, tmp_path, isolated_dirs):
        desktop.wait_until(
            lambda: docked_icon(desktop, "sitting-reminder") is not None,
            20,
            "the pystray icon to dock in trayer",
        )
        assert service.sent() == []  # no StatusNotifierItem was shown
