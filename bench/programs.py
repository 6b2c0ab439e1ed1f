"""The programs `make bench` compares: the service three ways, Workrave and Safe Eyes.

Each is started the way a user's session starts it, in a fresh home and fresh XDG
folders, with its own defaults. Only what would pop up during the measurement is
switched off, each with the setting its own documentation names:

- Workrave 1.10 opens its status window (the three timers) at start; its key
  `enabled` of org.workrave.gui.main-window set to false (Preferences, Status
  Window, "Show status window") leaves only the tray icon; `start-in-tray` does not
  (tried). Its settings go to a GSettings keyfile in its fresh home
  (GSETTINGS_BACKEND=keyfile), so nothing of the machine's own dconf database is
  read or written. Its break timers count only time with input, so with nobody at
  the keyboard no break comes.
- Safe Eyes 2.1 needs nothing: its first break is 15 minutes after start and its
  Smart Pause stops the timer after 5 s without input (it asks `xprintidle` every
  2 s).

The service's icon: `sni` registers with the StatusNotifierWatcher, `xembed`
docks in trayer (pystray's GTK backend, the service's own choice when only an
XEmbed tray runs), `none` is `--no-tray`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from common import fresh_dirs, write_user_config
from desktop import BenchDesktop
from procstat import debian_version

Icon = Literal["sni", "xembed", "none"]
SERVICE_CLASS = "sitting-reminder"
WORKRAVE_CLASS = "workrave"
WORKRAVE_SETTINGS = "[org/workrave/gui/main-window]\nenabled=false\n"


@dataclass
class Program:
    """A program measured idle: how to start it and how its icon shows that it is up."""

    key: str  # short name for files
    label: str  # the table's column
    argv: list[str]
    env: dict[str, str]
    icon: Icon
    wm_class: str  # the XEmbed icon's WM_CLASS (icon "xembed")
    command: str  # for the report
    desktop: BenchDesktop
    is_service: bool = False
    log: Path | None = None  # where its stdout and stderr went


def service(desktop: BenchDesktop, workdir: Path, key: str, icon: Icon) -> Program:
    """`python -m reminder run` with default settings and work hours all day, no overrides."""
    dirs = fresh_dirs(workdir / key)
    write_user_config(Path(dirs["XDG_CONFIG_HOME"]))
    args = ["--no-tray"] if icon == "none" else []
    label = {
        "sni": "service, SNI tray",
        "xembed": "service, XEmbed tray",
        "none": "service --no-tray",
    }[icon]
    host = {
        "sni": "StatusNotifierWatcher + gtk-sni-tray panel (+ trayer)",
        "xembed": "trayer only (the service picks pystray's GTK icon)",
        "none": "",
    }[icon]
    return Program(
        key,
        label,
        [sys.executable, "-m", "reminder", "run", *args],
        {**desktop.env, **dirs, "PYTHONUNBUFFERED": "1"},
        icon,
        SERVICE_CLASS,
        f"`python -m reminder run{' --no-tray' if args else ''}`"
        + (f" under {host}" if host else "")
        + "; defaults (50m limit, break_after_idle 5m) with work hours all day",
        desktop,
        is_service=True,
    )


def workrave_version() -> str | None:
    return debian_version("workrave")


def safeeyes_version() -> str | None:
    return debian_version("safeeyes")


def workrave(desktop: BenchDesktop, workdir: Path, key: str = "workrave") -> Program:
    home = workdir / key
    settings = home / ".config" / "glib-2.0" / "settings" / "keyfile"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(WORKRAVE_SETTINGS)
    return Program(
        key,
        f"Workrave {workrave_version()}",
        ["workrave"],
        {
            **desktop.env,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "GSETTINGS_BACKEND": "keyfile",
        },
        "xembed",
        WORKRAVE_CLASS,
        "`workrave` (Debian package), fresh home, its defaults but no status window"
        " (main-window `enabled=false`); XEmbed icon in trayer",
        desktop,
    )


def safeeyes(desktop: BenchDesktop, workdir: Path, key: str = "safeeyes") -> Program:
    home = workdir / key
    (home / ".config").mkdir(parents=True, exist_ok=True)
    return Program(
        key,
        f"Safe Eyes {safeeyes_version()}",
        ["safeeyes"],
        {**desktop.env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")},
        "sni",
        "safeeyes",
        "`safeeyes` (Debian package), fresh home, its defaults; AppIndicator (SNI) icon",
        desktop,
    )
