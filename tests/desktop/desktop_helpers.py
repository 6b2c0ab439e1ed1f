"""Helpers for the real-desktop tests: what dunst got, where windows are, what a child printed."""

from __future__ import annotations

import re
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from desktop_session import DesktopSession

NOTIFY_RULE = "interface='org.freedesktop.Notifications',member='Notify'"

WORK_ALL_WEEK = """\
[schedule]
timezone = "UTC"

[schedule.work_hours]
monday = ["00:00-24:00"]
tuesday = ["00:00-24:00"]
wednesday = ["00:00-24:00"]
thursday = ["00:00-24:00"]
friday = ["00:00-24:00"]
saturday = ["00:00-24:00"]
sunday = ["00:00-24:00"]
"""
"""A user file's start: work hours all day every day (UTC), so a test never falls off hours."""


class NotifyMonitor:
    """`dbus-monitor` watching Notify calls; `calls()` splits its output per call."""

    def __init__(self, desktop: DesktopSession) -> None:
        self._desktop = desktop
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._proc = subprocess.Popen(
            ["dbus-monitor", "--session", NOTIFY_RULE],
            env=desktop.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        # dbus-monitor prints the bus's greeting (NameAcquired/NameLost) once it listens.
        desktop.wait_until(lambda: self.text() != "", 10, "dbus-monitor to start listening")

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            with self._lock:
                self._lines.append(line)

    def text(self) -> str:
        with self._lock:
            return "".join(self._lines)

    def calls(self) -> list[str]:
        """The text of each Notify method call seen so far."""
        chunks = self.text().split("method call ")
        return [chunk for chunk in chunks[1:] if "member=Notify" in chunk]

    def wait_for_call(self, needle: str, timeout: float = 10, *, after: int = 0) -> str:
        """The first Notify call containing `needle`, skipping the first `after` calls."""
        self._desktop.wait_until(
            lambda: any(needle in call for call in self.calls()[after:]),
            timeout,
            f"a Notify with {needle!r}",
        )
        return next(call for call in self.calls()[after:] if needle in call)

    def close(self) -> None:
        self._proc.terminate()
        self._proc.wait(5)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._reader.join(5)

    def __enter__(self) -> NotifyMonitor:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def dmenu_picker(desktop: DesktopSession, label: str) -> str:
    """A `dmenu` program for dunstrc that picks the action named `label` from dunst's context menu.

    `dunstctl context` hands dunst's action list to this program, which answers with the
    line for `label`: dunst then invokes that action, exactly as a user picking it would.
    """
    script = desktop.workdir / f"pick-{label.lower()}.sh"
    seen = desktop.workdir / "context-menu.txt"
    script.write_text(f"#!/bin/sh\ntee '{seen}' | grep -m1 '^#{label} '\n")
    script.chmod(0o755)
    return f"dmenu = {script}"


class OutputReader:
    """Collects a child process's stdout lines in a thread, so tests can wait for one."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        self._stream = proc.stdout
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self._stream:
            with self._lock:
                self._lines.append(line.rstrip("\n"))

    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def text(self) -> str:
        return "\n".join(self.lines())

    def wait_for(self, needle: str, timeout: float = 10) -> str:
        """The first line containing `needle`."""
        DesktopSession.wait_until(
            lambda: any(needle in line for line in self.lines()), timeout, f"output {needle!r}"
        )
        return next(line for line in self.lines() if needle in line)

    def join(self, timeout: float = 5) -> None:
        self._thread.join(timeout)


@dataclass(frozen=True)
class Window:
    """An X window as xwininfo reports it, in screen coordinates."""

    id: str
    title: str
    x: int
    y: int
    width: int
    height: int

    @property
    def centre(self) -> tuple[int, int]:
        return self.x + self.width // 2, self.y + self.height // 2


# 0x400003 "sitting-reminder": ("sitting-reminder" "Sitting-reminder")  32x30+0+0  +991+737
_XWININFO_LINE = re.compile(
    r"^\s*(?P<id>0x[0-9a-f]+) (?P<title>\"[^\"]*\"|\(has no name\)).*?"
    r"(?P<w>\d+)x(?P<h>\d+)[+-]-?\d+[+-]-?\d+\s+\+(?P<x>-?\d+)\+(?P<y>-?\d+)\s*$"
)


def windows(desktop: DesktopSession, *xwininfo_args: str) -> list[Window]:
    """Windows listed by `xwininfo -tree` (default: the whole screen), all depths."""
    out = desktop.run("xwininfo", "-tree", *(xwininfo_args or ("-root",)), check=False)
    found = []
    for line in out.splitlines():
        match = _XWININFO_LINE.match(line)
        if match:
            found.append(
                Window(
                    match["id"],
                    match["title"].strip('"'),
                    int(match["x"]),
                    int(match["y"]),
                    int(match["w"]),
                    int(match["h"]),
                )
            )
    return found


def docked_icon(desktop: DesktopSession, program_class: str) -> Window | None:
    """The tray icon window of `program_class` inside trayer's panel, if it docked there."""
    panels = [w for w in windows(desktop) if w.title == "panel"]
    for panel in panels:
        for window in windows(desktop, "-id", panel.id):
            if f'"{program_class}"' in _class_line(desktop, window.id) and window.width > 8:
                return window
    return None


def _class_line(desktop: DesktopSession, window_id: str) -> str:
    return desktop.run("xprop", "-id", window_id, "WM_CLASS", check=False)


def popup_windows(desktop: DesktopSession, program_class: str, min_size: int = 40) -> list[Window]:
    """Visible top-level windows of `program_class` bigger than `min_size` (menus, popups)."""
    out = desktop.run("xwininfo", "-root", "-children", check=False)
    found = []
    for line in out.splitlines():
        match = _XWININFO_LINE.match(line)
        if not match or f'"{program_class}"' not in line:
            continue
        window = Window(
            match["id"],
            match["title"].strip('"'),
            int(match["x"]),
            int(match["y"]),
            int(match["w"]),
            int(match["h"]),
        )
        if window.width >= min_size and window.height >= min_size and window.x >= 0:
            viewable = desktop.run("xwininfo", "-id", window.id, check=False)
            if "IsViewable" in viewable:
                found.append(window)
    return found


def crop(source: Path, target: Path, box: tuple[int, int, int, int], scale: int = 1) -> Path:
    """Save the `box` (x, y, width, height) of a screenshot, enlarged `scale` times."""
    x, y, width, height = box
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "convert",
            str(source),
            "-crop",
            f"{width}x{height}+{x}+{y}",
            "+repage",
            "-bordercolor",  # a margin, so that nothing seems cut off at the screen's edge
            "black",
            "-border",
            "6",
            "-filter",
            "point",
            "-resize",
            f"{scale * 100}%",
            str(target),
        ],
        check=True,
        timeout=30,
    )
    return target
