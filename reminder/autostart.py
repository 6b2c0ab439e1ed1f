"""`autostart enable|disable|status`: start the service at login, per user.

Linux (and other XDG desktops): `$XDG_CONFIG_HOME/autostart/sitting-reminder.desktop`.
A system-wide entry of the same name in `$XDG_CONFIG_DIRS/autostart` (IT's
roll-out, `/etc/xdg/autostart`) is respected: `disable` then writes a user
entry with `Hidden=true`, which the XDG autostart spec says hides it.
macOS: `~/Library/LaunchAgents/org.sitting-reminder.plist`.
Windows: the `SittingReminder` value of HKCU\\...\\CurrentVersion\\Run.

We only ever remove or overwrite what we wrote: our desktop entries carry a
marker line, our LaunchAgent our label, our Run value our name. A foreign
file in our place is reported and left alone.

`autostart_state()` says which entry is in effect and whether it starts the
service (for `autostart status` and `doctor`); a system-wide entry switched off
with `Hidden=true` (or `X-GNOME-Autostart-enabled=false`) starts nothing.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from reminder.atomic import write_bytes_atomically
from reminder.errors import RuntimeFailure, UsageError

Action = Literal["enable", "disable", "status"]

DESKTOP_FILE_NAME = "sitting-reminder.desktop"
DESKTOP_MARKER = "X-Sitting-Reminder-Autostart=true"
LAUNCH_AGENT_LABEL = "org.sitting-reminder"
RUN_VALUE_NAME = "SittingReminder"
RUN_SUBKEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def autostart(
    action: Action,
    *,
    platform: str | None = None,
    command: list[str] | None = None,
    run_key: RunKey | None = None,
) -> str:
    """Enable, disable or report starting at login; returns a one-line message.

    `platform` defaults to sys.platform; `command` to the installed
    `sitting-reminder run` (see `default_command`); `run_key` (Windows only)
    to the real HKCU Run key. Raises RuntimeFailure when a file we did not
    write is in the way, UsageError for an unknown action.
    """
    if action not in ("enable", "disable", "status"):
        raise UsageError(f"autostart action must be enable, disable or status, got: {action!r}")
    if action == "status":
        return autostart_state(platform=platform, run_key=run_key).message
    system = platform or sys.platform
    argv = command or default_command()
    if system == "win32":
        return _windows(action, argv, run_key or WinregRunKey())
    if system == "darwin":
        return _macos(action, argv)
    return _xdg(action, argv)


@dataclass(frozen=True)
class AutostartState:
    """Whether the service starts at login, and the entry that decides it."""

    enabled: bool | None  # None: cannot tell (a LaunchAgent someone else wrote)
    entry: str | None  # the file or registry value in effect; None when there is none
    message: str  # what `autostart status` prints


def autostart_state(
    *, platform: str | None = None, run_key: RunKey | None = None
) -> AutostartState:
    """The autostart entry in effect for this user, read without changing anything.

    Raises RuntimeFailure when an entry exists but cannot be read.
    """
    system = platform or sys.platform
    if system == "win32":
        return _windows_state(run_key or WinregRunKey())
    if system == "darwin":
        return _macos_state()
    return _xdg_state()


def default_command() -> list[str]:
    """The command that starts the service, by absolute path.

    The `sitting-reminder` script being run (sys.argv[0]), else the one on
    PATH, else this interpreter with `-m reminder`.
    """
    launched = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if launched is not None and launched.stem == "sitting-reminder" and launched.is_file():
        return [str(launched.absolute()), "run"]
    found = shutil.which("sitting-reminder")
    if found:
        return [str(Path(found).absolute()), "run"]
    return [sys.executable, "-m", "reminder", "run"]


# ------------------------------------------------------------------ Linux


def _xdg_user_entry() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(config_home) if os.path.isabs(config_home) else Path.home() / ".config"
    return base / "autostart" / DESKTOP_FILE_NAME


def _xdg_system_entry() -> Path | None:
    """The first system-wide entry IT installed (earlier $XDG_CONFIG_DIRS win)."""
    dirs = os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    for folder in dirs.split(os.pathsep):
        if folder and os.path.isabs(folder):
            candidate = Path(folder) / "autostart" / DESKTOP_FILE_NAME
            if candidate.is_file():
                return candidate
    return None


def _desktop_entry(argv: list[str], *, hidden: bool) -> str:
    lines = [
        "# Written by `sitting-reminder autostart enable`;",
        "# `sitting-reminder autostart disable` removes it. Edit freely, but keep the marker line.",
        "[Desktop Entry]",
        "Type=Application",
        "Name=Sitting Reminder",
        "Comment=Prompts a short stretch after a long sitting spell",
        f"Exec={desktop_exec(argv)}",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
    ]
    if hidden:
        lines[0] = "# Written by `sitting-reminder autostart disable`:"
        lines[1] = "# hides the system-wide entry for this user. `autostart enable` undoes it."
        lines.append("Hidden=true")
    lines.append(DESKTOP_MARKER)
    return "\n".join(lines) + "\n"


_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def desktop_exec(argv: list[str]) -> str:
    """argv as a desktop entry's Exec value (quoting and escaping per the Desktop Entry spec)."""
    words = []
    for arg in argv:
        if "\n" in arg or "\r" in arg:
            raise RuntimeFailure(f"cannot put a line break in an autostart command: {arg!r}")
        word = arg.replace("%", "%%")
        if not word or any(char in _EXEC_RESERVED for char in word):
            for char in '\\"`$':
                word = word.replace(char, "\\" + char)
            word = f'"{word}"'
        words.append(word)
    # The string-level escape is undone before the quoting rule, so it is applied last.
    return " ".join(words).replace("\\", "\\\\")


_OFF_SWITCHES = ("Hidden=true", "X-GNOME-Autostart-enabled=false")


def _read_entry(path: Path) -> tuple[bool, bool] | None:
    """(written by us, enabled) for the entry at `path`, or None when there is none."""
    lines = _entry_lines(path)
    if lines is None:
        return None
    return DESKTOP_MARKER in lines, _off_switch(lines) is None


def _entry_lines(path: Path) -> set[str] | None:
    """The lines of a desktop entry, without spaces; None when there is no file."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise RuntimeFailure(f"cannot read {path}: {error.strerror or error}") from None
    return {line.strip().replace(" ", "") for line in text.splitlines()}


def _off_switch(lines: set[str]) -> str | None:
    """The line that switches an entry off ("Hidden=true"), or None when it is on."""
    return next((switch for switch in _OFF_SWITCHES if switch in lines), None)


def _foreign(path: Path, what: str) -> RuntimeFailure:
    return RuntimeFailure(
        f"{path} exists and was not written by sitting-reminder; left it alone. "
        f"Remove or edit it yourself to {what}."
    )


def _xdg_state() -> AutostartState:
    entry = _xdg_user_entry()
    system = _xdg_system_entry()
    found = _read_entry(entry)
    if found is None:
        if system is None:
            return AutostartState(False, None, f"disabled (no {entry})")
        switch = _off_switch(_entry_lines(system) or set())
        if switch is not None:
            return AutostartState(
                False, str(system), f"disabled for all users by {system} ({switch})"
            )
        return AutostartState(True, str(system), f"enabled for all users by {system}")
    ours, enabled = found
    state = "enabled" if enabled else "disabled"
    if not ours:
        message = f"{state} by {entry} (not written by sitting-reminder)"
    elif not enabled and system is not None:
        message = f"disabled: {entry} hides the system-wide {system}"
    else:
        message = f"{state}: {entry}"
    return AutostartState(enabled, str(entry), message)


def _xdg(action: Action, argv: list[str]) -> str:
    entry = _xdg_user_entry()
    system = _xdg_system_entry()
    found = _read_entry(entry)
    if found is not None and not found[0]:
        raise _foreign(entry, "change autostart")
    if action == "enable":
        write_bytes_atomically(entry, _desktop_entry(argv, hidden=False).encode(), mode=0o644)
        return f"autostart enabled: {entry} starts `{' '.join(argv)}` at login"
    if system is not None:
        write_bytes_atomically(entry, _desktop_entry(argv, hidden=True).encode(), mode=0o644)
        return f"autostart disabled for you: {entry} hides the system-wide {system}"
    if found is None:
        return f"autostart already disabled (no {entry})"
    entry.unlink()
    return f"autostart disabled: removed {entry}"


# ------------------------------------------------------------------ macOS


def _launch_agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


def _launch_agent(argv: list[str]) -> dict[str, Any]:
    return {
        "Label": LAUNCH_AGENT_LABEL,
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }


def _agent_is_ours(path: Path) -> bool | None:
    """True: our LaunchAgent; False: someone else's file; None: no file."""
    try:
        with path.open("rb") as handle:
            data = plistlib.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, plistlib.InvalidFileException, ValueError):
        return False
    return isinstance(data, dict) and data.get("Label") == LAUNCH_AGENT_LABEL


def _system_launch_agent() -> Path:
    return Path("/Library/LaunchAgents") / f"{LAUNCH_AGENT_LABEL}.plist"


def _macos_state() -> AutostartState:
    agent = _launch_agent_path()
    system = _system_launch_agent()
    ours = _agent_is_ours(agent)
    if ours is None:
        if system.is_file():
            return AutostartState(True, str(system), f"enabled for all users by {system}")
        return AutostartState(False, None, f"disabled (no {agent})")
    if not ours:
        return AutostartState(
            None, str(agent), f"unknown: {agent} was not written by sitting-reminder"
        )
    return AutostartState(True, str(agent), f"enabled: {agent}")


def _macos(action: Action, argv: list[str]) -> str:
    agent = _launch_agent_path()
    system = _system_launch_agent()
    ours = _agent_is_ours(agent)
    if ours is False:
        raise _foreign(agent, "change autostart")
    if action == "enable":
        write_bytes_atomically(agent, plistlib.dumps(_launch_agent(argv)), mode=0o644)
        return f"autostart enabled from the next login: {agent}"
    note = ""
    if system.is_file():
        note = (
            f"; the system-wide {system} still starts it "
            f"(`launchctl disable gui/$(id -u)/{LAUNCH_AGENT_LABEL}` stops that for you)"
        )
    if ours is None:
        return f"autostart already disabled (no {agent}){note}"
    agent.unlink()
    return f"autostart disabled: removed {agent}{note}"


# ---------------------------------------------------------------- Windows


class RunKey(Protocol):
    """The per-user Run key: values named by program, holding a command line.

    The real one is `WinregRunKey`; tests pass a dict-backed stand-in because
    the `winreg` module exists only on Windows.
    """

    location: str

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, command_line: str) -> None: ...

    def delete(self, name: str) -> None: ...


class WinregRunKey:
    """HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run via winreg.

    Untested here: winreg cannot exist on Linux, where these tests run.
    """

    location = rf"HKEY_CURRENT_USER\{RUN_SUBKEY}"

    def get(self, name: str) -> str | None:
        if sys.platform != "win32":
            raise RuntimeFailure("the Windows registry exists only on Windows")
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_SUBKEY) as key:
                value, _kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return str(value)

    def set(self, name: str, command_line: str) -> None:
        if sys.platform != "win32":
            raise RuntimeFailure("the Windows registry exists only on Windows")
        import winreg

        with winreg.CreateKeyEx(
            winreg.HKEY_CURRENT_USER, RUN_SUBKEY, 0, winreg.KEY_SET_VALUE
        ) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, command_line)

    def delete(self, name: str) -> None:
        if sys.platform != "win32":
            raise RuntimeFailure("the Windows registry exists only on Windows")
        import winreg

        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_SUBKEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, name)


def _windows_state(run_key: RunKey) -> AutostartState:
    where = f"{run_key.location}\\{RUN_VALUE_NAME}"
    current = run_key.get(RUN_VALUE_NAME)
    if current:
        return AutostartState(True, where, f"enabled: {where} = {current}")
    return AutostartState(False, None, f"disabled (no {where})")


def _windows(action: Action, argv: list[str], run_key: RunKey) -> str:
    where = f"{run_key.location}\\{RUN_VALUE_NAME}"
    current = run_key.get(RUN_VALUE_NAME)
    if action == "enable":
        command_line = subprocess.list2cmdline(argv)
        run_key.set(RUN_VALUE_NAME, command_line)
        return f"autostart enabled: {where} = {command_line}"
    if current is None:
        return f"autostart already disabled (no {where})"
    run_key.delete(RUN_VALUE_NAME)
    return f"autostart disabled: removed {where}"
