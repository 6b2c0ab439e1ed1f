"""Save: write the changed keys into the user's file, switch autostart, tell the service.

No toolkit here. The window runs `save` in a worker thread (it blocks on file I/O and
on the control endpoint, up to the client's timeout) and shows the `Saved` it returns.

The order matters for honesty: the file is written first, by the one writer
(`set_user_values`: validated again, locked keys refused, comments kept, atomic);
only then is the service asked to read it again (`{"cmd": "reload"}`), so that it
applies at once even where files are polled. Each step's failure is said in words,
with what did happen before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reminder import paths
from reminder.configuration.keys import KEYS
from reminder.errors import NoServiceError, ReminderError, RuntimeFailure
from reminder.settings.form import describe_change, shown_path


@dataclass(frozen=True)
class Saved:
    """What Save did, for the window to show and the process to print."""

    lines: tuple[str, ...]  # what happened, in order, one sentence each
    written: tuple[str, ...] = ()  # the keys written into the user file
    failed: bool = False  # something was not done: the window stays open and says what
    attention: bool = False  # done, but the person should read the lines (no service ...)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def save(
    changes: Mapping[str, Any],
    *,
    user_file: Path | None = None,
    autostart_to: bool | None = None,
    endpoint: str | None = None,
) -> Saved:
    """Write `changes` (dotted key -> TOML value), set autostart if asked, reload the service.

    `user_file`: `--config`'s file, else the user's own. Never raises for what a person
    can meet (a locked key, a broken file, a full disk, no service); says it in `Saved`.
    """
    from reminder.configuration.loader import load_configuration
    from reminder.configuration.writer import set_user_values

    target = user_file or paths.user_config_file()
    lines: list[str] = []
    written: tuple[str, ...] = ()
    if changes:
        try:
            loaded = load_configuration(user_file, new_user_file_ok=True)  # the locks of now
            set_user_values(target, changes, locked=loaded.locked)
        except ReminderError as error:
            return Saved((f"Nothing was saved: {error}",), failed=True)
        except OSError as error:
            return Saved(
                (f"Nothing was saved: cannot write {target}: {_reason(error)}",), failed=True
            )
        written = tuple(changes)
        described = "; ".join(describe_change(KEYS[key], value) for key, value in changes.items())
        lines.append(f"Saved to {shown_path(target)}: {described}.")
    if autostart_to is not None:
        from reminder.autostart import autostart

        try:
            lines.append(_sentence(autostart("enable" if autostart_to else "disable")))
        except (ReminderError, OSError) as error:
            lines.append(f"Start at login was not changed: {error}")
            return Saved(tuple(lines), written, failed=True)
    if not written:
        return Saved(tuple(lines) or ("Nothing changed.",), written)
    outcome, attention = _tell_service(endpoint)
    return Saved((*lines, outcome), written, attention=attention)


def _tell_service(endpoint: str | None) -> tuple[str, bool]:
    """Ask the running service to read its configuration again; (what happened, needs reading)."""
    from reminder.control.client import send_request

    try:
        answer = send_request({"cmd": "reload"}, endpoint)
    except NoServiceError:
        return "No service is running: the new settings are used at the next start.", True
    except RuntimeFailure as error:
        return (
            f"The running service did not answer ({error}); it reads the file again by itself "
            "within a second.",
            True,
        )
    if not answer.get("ok"):
        return f"The running service refused to read it again: {answer.get('error')}", True
    status = answer.get("status") or {}
    warning = status.get("config_warning")
    if warning:
        return f"The running service did not apply it: {warning}", True
    return "The running service applied it.", False


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else text


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


@dataclass(frozen=True)
class AutostartState:
    """Whether the service starts at login, and the sentence `autostart status` gives."""

    enabled: bool | None  # None: cannot be told (a file we did not write is in the way ...)
    text: str
    plain: bool = True  # the user's own entry or none: the check box says it all

    @property
    def note(self) -> str:
        """What to say under the check box: nothing when the box says it all."""
        return "" if self.plain else self.text


def read_autostart() -> AutostartState:
    """Whether the service starts at login (reminder.autostart.autostart_state).

    Said under the check box only when it is more than on or off: IT's entry for all
    users, the user's entry hiding it, or a file in the way that was not written here.
    """
    from reminder.autostart import autostart_state

    try:
        state = autostart_state()
    except (ReminderError, OSError) as error:
        return AutostartState(None, str(error), plain=False)
    text = state.message
    if "not written by sitting-reminder" in text:
        return AutostartState(None, _sentence(text), plain=False)  # enable/disable are refused
    plain = "system-wide" not in text and "all users" not in text
    return AutostartState(state.enabled, _sentence(text), plain=plain)
