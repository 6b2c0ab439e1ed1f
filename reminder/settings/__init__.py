"""The settings window, for people who will never open a TOML file.

`open_settings(user_file)` is the `sitting-reminder settings` command: a Tk window in
its own process, started by the tray's "Settings…" or the command line, that talks to
the running service only through the control endpoint. The modules:

    form.py        the form as data, built from the key table; checks and changes (pure)
    _save.py       Save: the one writer, autostart, then `reload` to the service
    _instance.py   one window at a time; a second request brings it to the front
    _window.py     the Tk view
    _entry.py      the process: no display, no Tk, a window open already, a broken file

Importing this package loads no toolkit; only `open_settings` imports tkinter.
"""

from __future__ import annotations

from pathlib import Path


def open_settings(user_file: Path | None = None) -> int:
    """Show the settings window until it closes; returns the exit code (2: cannot here)."""
    from reminder.settings._entry import open_settings as run

    return run(user_file)


__all__ = ["open_settings"]
