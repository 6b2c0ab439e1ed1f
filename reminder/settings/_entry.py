"""`sitting-reminder settings`: the settings window's process, from the first check to exit.

Runs in its own process (the tray starts `python -m reminder settings`), so Tk is
never loaded into the service and its memory goes back to the system when the
window closes. In order:

1. no display (Linux without DISPLAY): say how to change settings on the command
   line, exit 2; no tkinter: say how to install it, and the same, exit 2;
2. another settings window is open: ask it to come to the front, exit 0;
3. the configuration in effect is read (a broken file: said in a dialog and on
   stderr, exit 2), the form built from it, the window shown until it closes;
4. what Save did (or that nothing was written) is printed, exit 0.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reminder import paths
from reminder.errors import EXIT_OK, EXIT_USAGE, ConfigError

if TYPE_CHECKING:
    import tkinter

    from reminder.configuration.loader import LoadedConfig
    from reminder.settings._instance import Claimed

PROG = "sitting-reminder"


def command_line_instead(user_file: Path) -> str:
    """How to change settings without the window."""
    return (
        "Change settings on the command line instead:\n"
        f"  {PROG} config show --origin    every setting, where it comes from, what is locked\n"
        f"  {PROG} interval 45m            set the sitting limit\n"
        f"  edit {user_file}\n"
        f"  {PROG} config validate         then check the file\n"
        "A running service applies a saved edit within a second."
    )


def no_display_reason() -> str | None:
    """Why no window can open here, or None. Only Linux and the BSDs need a DISPLAY (X11 or
    XWayland: Tk does not speak Wayland)."""
    if sys.platform in ("win32", "darwin"):
        return None
    if os.environ.get("DISPLAY"):
        return None
    if os.environ.get("WAYLAND_DISPLAY"):
        return "this Wayland session has no DISPLAY for XWayland, which Tk needs"
    return "there is no display (DISPLAY is not set)"


def tk_install_hint() -> str:
    if sys.platform.startswith("linux"):
        return (
            "install Tk for Python: sudo apt install python3-tk (Debian, Ubuntu), "
            "sudo dnf install python3-tkinter (Fedora), sudo pacman -S tk (Arch)"
        )
    return "install a Python that includes Tk (the python.org installers do)"


def open_settings(user_file: Path | None = None) -> int:
    """The whole `settings` command; returns the exit code."""
    target = user_file or paths.user_config_file()
    reason = no_display_reason()
    if reason is not None:
        print(f"{PROG}: no settings window: {reason}.", file=sys.stderr)
        print(command_line_instead(target), file=sys.stderr)
        return EXIT_USAGE
    try:
        import tkinter  # noqa: F401 - only to know it is there; the window imports it
    except ImportError:
        print(f"{PROG}: the settings window needs Tk: {tk_install_hint()}.", file=sys.stderr)
        print(command_line_instead(target), file=sys.stderr)
        return EXIT_USAGE

    from reminder.settings import _instance

    try:
        instance = _instance.claim()
    except OSError as error:  # a runtime folder that cannot hold the lock: go on without it
        print(
            f"{PROG}: warning: cannot tell whether a settings window is open: {error}",
            file=sys.stderr,
        )
        instance = None
    else:
        if instance is None:
            if _instance.ask_to_raise():
                print("The settings window is open already; it was brought to the front.")
                return EXIT_OK
            print(
                f"{PROG}: error: a settings window is open already but did not answer; "
                "close it and try again.",
                file=sys.stderr,
            )
            return 1
    try:
        return _show(user_file, target, instance)
    finally:
        if instance is not None:
            instance.release()


def _show(user_file: Path | None, target: Path, instance: Claimed | None) -> int:
    import tkinter as tk

    from reminder.configuration.loader import load_configuration
    from reminder.settings._save import read_autostart
    from reminder.settings.form import build_form, zone_names

    try:
        root = tk.Tk(className="sitting-reminder-settings")
    except tk.TclError as error:
        print(f"{PROG}: no settings window: cannot open the display ({error}).", file=sys.stderr)
        print(command_line_instead(target), file=sys.stderr)
        return EXIT_USAGE
    try:
        loaded: LoadedConfig = load_configuration(user_file, new_user_file_ok=True)
    except ConfigError as error:
        _say_broken(root, error)
        return EXIT_USAGE
    import zoneinfo

    form = build_form(loaded, zone_names(zoneinfo.available_timezones()))
    from reminder.settings._window import SettingsWindow

    window = SettingsWindow(
        root,
        form,
        read_autostart(),
        target=target,
        user_file=user_file,
        instance=instance,
    )
    outcome = window.run()
    for line in outcome.lines:
        print(line)
    return EXIT_OK


def _say_broken(root: tkinter.Tk, error: ConfigError) -> None:
    """A configuration file with a mistake: the window cannot start from it; say so."""
    from tkinter import messagebox

    print(f"{PROG}: error: {error}", file=sys.stderr)
    root.withdraw()
    messagebox.showerror(
        "Sitting Reminder settings",
        "A configuration file has a mistake, so the settings cannot be shown.",
        detail=f"{error}\n\nCorrect it, then open the settings again.",
        parent=root,
    )
    root.destroy()
