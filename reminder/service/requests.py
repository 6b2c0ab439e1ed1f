"""Control requests: from a JSON object to a command, and the sentences that answer them.

Every request is checked as strictly as the command line checks its arguments:
a value of the wrong type or form is a UsageError (exit 2) naming what was
expected, never an internal error. Refusals and confirmations are worded here,
with every time in `schedule.timezone` (through `Status.clock`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from reminder.configuration.keys import validate
from reminder.configuration.model import Config
from reminder.configuration.values import Invalid
from reminder.core.model import (
    Command,
    Pause,
    RefusableCommand,
    Resume,
    SetInterval,
    Snooze,
    Status,
    TakeBreak,
)
from reminder.core.policy import Refusal
from reminder.core.schedule import local_day, local_instant
from reminder.durations import human_duration, parse_duration
from reminder.errors import UsageError

COMMANDS = ("status", "break", "snooze", "resume", "pause", "interval", "reload")


def command_from_request(request: dict[str, Any], config: Config, now: datetime) -> Command | None:
    """The command a request asks for (None for `status`); UsageError for anything else."""
    name = request.get("cmd")
    arg = request.get("arg")
    if arg is not None and not isinstance(arg, str):
        raise UsageError(f'"arg" must be a string, found {type(arg).__name__}')
    if arg is not None and len(arg) > 64:
        raise UsageError('"arg" is too long (at most 64 characters)')
    if name == "status":
        return None
    if name == "break":
        return TakeBreak()
    if name == "snooze":
        return Snooze(snooze_length(arg) if arg else None)
    if name == "resume":
        return Resume()
    if name == "pause":
        if arg in (None, "", "next_work_day"):
            return Pause("next_work_day")
        if arg == "tomorrow":
            return Pause("tomorrow")
        return Pause(next_local_time(config, arg, now))
    if name == "interval":
        if not arg:
            raise UsageError('interval needs "arg", the new sitting limit such as "45m"')
        return SetInterval(sitting_limit(arg))
    shown = name if isinstance(name, str) and len(name) <= 32 else type(name).__name__
    raise UsageError(f"unknown request {shown!r}; known: {', '.join(COMMANDS)}")


def snooze_length(text: str) -> timedelta:
    """A snooze length, checked as every entry of reminders.snooze_options is."""
    try:
        validate("reminders.snooze_options", [text])
    except Invalid as error:
        raise UsageError(
            f"cannot snooze for that: expected {error.expected}, found {error.found}"
        ) from None
    return parse_duration(text)


def sitting_limit(text: str) -> timedelta:
    """A new reminders.sitting_limit, checked as the loader checks it."""
    try:
        return validate("reminders.sitting_limit", text)  # type: ignore[no-any-return]
    except Invalid as error:
        raise UsageError(
            f"'reminders.sitting_limit' cannot be set to that: expected {error.expected}, "
            f"found {error.found}"
        ) from None


def next_local_time(config: Config, hhmm: str, now: datetime) -> datetime:
    """The next instant showing `hhmm` on the wall clock of the configured zone."""
    expected = f'expected a time "HH:MM" or "tomorrow", found "{hhmm}"'
    try:
        hours, minutes = (int(part) for part in hhmm.split(":"))
    except ValueError:
        raise UsageError(expected) from None
    if not (0 <= hours < 24 and 0 <= minutes < 60) or len(hhmm) != 5:
        raise UsageError(expected)
    day = local_day(config.schedule, now)
    candidate = local_instant(config.schedule, day, hours * 60 + minutes)
    if candidate <= now:
        candidate = local_instant(config.schedule, day + timedelta(days=1), hours * 60 + minutes)
    return candidate


# ------------------------------------------------------------------- wording


_NOTHING: dict[RefusableCommand, str] = {
    "snooze": "nothing to snooze",
    "break": "no sitting spell to end",
    "pause": "nothing to pause",
    "resume": "nothing to resume",
}


def refusal_text(command: RefusableCommand, refused: Refusal, status: Status) -> str:
    """Why `command` would do nothing now, and what to do instead."""
    nothing = _NOTHING[command]
    until = status.clock(refused.until) if refused.until is not None else None
    if refused.reason == "paused":
        return f"paused until {until}: {nothing}; `sitting-reminder resume` first"
    when = f"; tracking resumes {until}" if until else ""
    if refused.reason == "day_off":
        return f"today is a day off, nothing is tracked: {nothing}{when}"
    if refused.reason == "off_hours":
        return f"outside work hours, nothing is tracked: {nothing}{when}"
    return "not snoozed or paused: there is nothing to resume"


def refusable(command: Command) -> RefusableCommand | None:
    if isinstance(command, Snooze):
        return "snooze"
    if isinstance(command, TakeBreak):
        return "break"
    if isinstance(command, Pause):
        return "pause"
    if isinstance(command, Resume):
        return "resume"
    return None


def confirmation(command: Command, status: Status) -> str:
    """The one line that says what a command did."""
    if isinstance(command, TakeBreak):
        return "Well done: a fresh sitting spell starts now"
    if isinstance(command, Snooze) and status.snoozed_until:
        return f"snoozed until {status.clock(status.snoozed_until)}"
    if isinstance(command, Pause) and status.paused_until:
        return f"paused until {status.clock(status.paused_until)}"
    if isinstance(command, Resume):
        return "resumed: " + status.lines()[0]
    if isinstance(command, SetInterval):
        return f"sitting limit set to {human_duration(status.sitting_limit)}"
    return status.lines()[0]
