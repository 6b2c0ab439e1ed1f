"""What bench/run.py and bench/soak.py share: the desktop, the service, the tray, the bus.

The desktop and the service launcher are the tests' own (tests/desktop_session.py,
tests/service_proc.py, tests/desktop/desktop_helpers.py), so the benchmarks run
exactly what the tests run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _folder in (ROOT / "tests" / "desktop", ROOT / "tests", ROOT):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from desktop_helpers import NotifyMonitor  # noqa: E402
from desktop_session import DesktopSession, missing_tools  # noqa: E402
from service_proc import DAYS, WHOLE_DAY, ServiceProcess  # noqa: E402

__all__ = [
    "DOCS",
    "ROOT",
    "SERVICE_CLASS",
    "DesktopSession",
    "NotifyMonitor",
    "ServiceProcess",
    "TrayWatch",
    "fresh_dirs",
    "missing_tools",
    "notify_times",
    "service_env",
    "start_desktop",
    "status",
    "write_user_config",
]

DOCS = ROOT / "docs"
SERVICE_CLASS = "sitting-reminder"  # the WM_CLASS of the service's tray icon
TRAY_ENV = {"PYSTRAY_BACKEND": "gtk", "NO_AT_BRIDGE": "1"}
DESKTOP_TOOLS = ("Xvfb", "dbus-daemon", "dunst", "trayer", "xdotool", "xwininfo", "dbus-monitor")


def start_desktop(workdir: Path, *, bus_activation: bool = True) -> DesktopSession:
    """Xvfb + a session bus + trayer + dunst, retried: Xvfb's `-displayfd` can race
    with another Xvfb starting at the same moment (both pick the same display)."""
    problem: Exception | None = None
    for attempt in range(3):
        desktop = DesktopSession(workdir / f"desktop-{attempt}", bus_activation=bus_activation)
        try:
            desktop.start()
            desktop.start_trayer()
            desktop.start_dunst()
        except (AssertionError, RuntimeError) as error:
            desktop.stop()
            problem = error
            time.sleep(1)
            continue
        return desktop
    raise RuntimeError(f"could not start a desktop session: {problem}")


def fresh_dirs(base: Path) -> dict[str, str]:
    """Empty XDG folders (config, state, cache, data, runtime, site config) under `base`."""
    env = {}
    for var, name in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_RUNTIME_DIR", "runtime"),
        ("XDG_CONFIG_DIRS", "site"),
    ):
        folder = base / name
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        env[var] = str(folder)
    return env


def write_user_config(config_home: Path, **settings: str) -> Path:
    """A user file with work hours all day every day (UTC) and the given settings.

    Keys are `section__key` (e.g. `reminders__sitting_limit="20s"`); every other
    setting keeps its built-in default (50m limit, 15 s sampling...).
    """
    hours = "\n".join(f"{day} = {WHOLE_DAY}" for day in DAYS)
    sections: dict[str, list[str]] = {}
    for name, value in settings.items():
        section, key = name.split("__", 1)
        sections.setdefault(section, []).append(f"{key} = {value}")
    text = f'[schedule]\ntimezone = "UTC"\n[schedule.work_hours]\n{hours}\n'
    for section, lines in sections.items():
        text += f"[{section}]\n" + "\n".join(lines) + "\n"
    folder = config_home / "sitting-reminder"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(text)
    return path


def service_env(desktop: DesktopSession, dirs: Mapping[str, str]) -> dict[str, str]:
    """The desktop's environment with the GTK tray backend and these XDG folders."""
    return {**desktop.env, **TRAY_ENV, **dirs}


def status(service: ServiceProcess) -> dict[str, Any]:
    """`sitting-reminder status --json` of the running service."""
    done = service.cli("status", "--json")
    if done.returncode != 0:
        raise RuntimeError(f"status failed ({done.returncode}): {done.stderr.strip()}")
    data: dict[str, Any] = json.loads(done.stdout)
    return data


_NOTIFY_TIME = re.compile(r"^time=(\d+\.\d+)")


def notify_times(monitor: NotifyMonitor) -> list[float]:
    """The wall-clock time (dbus-monitor's `time=`) of each Notify call seen so far."""
    found = []
    for call in monitor.calls():
        match = _NOTIFY_TIME.match(call)
        if match:
            found.append(float(match[1]))
    return found


_XWININFO_CHILD = re.compile(r'^\s*(0x[0-9a-f]+) .*\("(?P<cls>[^"]*)" "[^"]*"\)\s+(\d+)x(\d+)')


class TrayWatch:
    """trayer's panel, watched for an icon of a given WM_CLASS docking in it."""

    def __init__(self, desktop: DesktopSession) -> None:
        self.desktop = desktop
        out = desktop.run("xwininfo", "-root", "-children", check=False)
        panels = re.findall(r'^\s*(0x[0-9a-f]+) "panel"', out, re.MULTILINE)
        if not panels:
            raise RuntimeError("trayer's panel window was not found (is trayer running?)")
        self.panel = panels[0]

    def docked(self, wm_class: str) -> bool:
        """An icon window of `wm_class`, bigger than a placeholder, inside the panel."""
        out = self.desktop.run("xwininfo", "-tree", "-id", self.panel, check=False)
        for line in out.splitlines():
            match = _XWININFO_CHILD.match(line)
            if match and match["cls"] == wm_class and int(match[3]) > 8:
                return True
        return False

    def wait_docked(self, wm_class: str, timeout: float, poll_s: float = 0.02) -> float:
        """Poll until the icon docks; returns the time.monotonic() at which it was seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.docked(wm_class):
                return time.monotonic()
            time.sleep(poll_s)
        raise TimeoutError(f"no {wm_class!r} icon docked in trayer within {timeout}s")

    def wait_gone(self, wm_class: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.docked(wm_class):
            time.sleep(0.1)


def run_quiet(argv: list[str], env: Mapping[str, str], timeout: float = 30) -> str:
    """Run a program and return its stdout (stderr folded in), never raising on failure."""
    done = subprocess.run(
        argv,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done.stdout + done.stderr
