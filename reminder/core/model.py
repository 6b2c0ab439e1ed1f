"""Value types shared by the core and the adapters: states, commands, snapshots."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from reminder.durations import format_duration


class SpellState(str, enum.Enum):
    """What the user is doing, as the tray and `status` show it."""

    SITTING = "sitting"
    DUE = "due"  # sitting past the limit; `status` reports it as "sitting"
    ON_BREAK = "on_break"
    SNOOZED = "snoozed"
    PAUSED = "paused"
    OFF_HOURS = "off_hours"

    @property
    def public_name(self) -> str:
        """The name `status --json` uses (the contract has no separate "due")."""
        return "sitting" if self is SpellState.DUE else self.value


class PromptAction(str, enum.Enum):
    """Buttons a notification may offer."""

    DONE = "done"
    SNOOZE = "snooze"
    GUIDE = "guide"


# ----------------------------------------------------------------- commands


@dataclass(frozen=True)
class TakeBreak:
    """ "I moved": end the current spell now."""

    source: Literal["user", "notification"] = "user"


@dataclass(frozen=True)
class Snooze:
    """No prompts for `duration` (None: the first snooze option)."""

    duration: timedelta | None = None


PauseTarget = Literal["tomorrow", "next_work_day"]


@dataclass(frozen=True)
class Pause:
    """Stop tracking until `until` (an instant, or a named target resolved by the policy)."""

    until: datetime | PauseTarget = "next_work_day"


@dataclass(frozen=True)
class Resume:
    """End a snooze or a pause."""


@dataclass(frozen=True)
class SetInterval:
    """Change `reminders.sitting_limit` (written to the user file by the shell)."""

    sitting_limit: timedelta


Command = TakeBreak | Snooze | Pause | Resume | SetInterval


# ---------------------------------------------------------------- snapshots


@dataclass(frozen=True)
class DayStats:
    """One day's numbers, as `stats` and the tray's "today" line show them."""

    day: str
    prompts: int = 0
    snoozes: int = 0
    breaks_taken: int = 0
    natural_breaks: int = 0
    longest_spell_s: int = 0
    sitting_s: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day,
            "prompts": self.prompts,
            "snoozes": self.snoozes,
            "breaks_taken": self.breaks_taken,
            "natural_breaks": self.natural_breaks,
            "longest_spell_s": self.longest_spell_s,
            "sitting_s": self.sitting_s,
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Status:
    """An immutable snapshot of the engine, handed to the tray and the CLI."""

    state: SpellState
    now: datetime
    sitting_for: timedelta
    next_prompt_at: datetime | None
    snoozed_until: datetime | None
    paused_until: datetime | None
    sitting_limit: timedelta
    activity_detection: str = "unavailable"
    snooze_options: tuple[timedelta, ...] = ()
    interval_locked_by: str | None = None
    today: DayStats | None = None
    config_warning: str | None = None
    pid: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The `status --json` document."""
        data: dict[str, Any] = {
            "state": self.state.public_name,
            "due": self.state is SpellState.DUE,
            "sitting_for_s": int(self.sitting_for.total_seconds()),
            "next_prompt_at": _iso(self.next_prompt_at),
            "snoozed_until": _iso(self.snoozed_until),
            "paused_until": _iso(self.paused_until),
            "sitting_limit_s": int(self.sitting_limit.total_seconds()),
            "activity_detection": self.activity_detection,
            "interval_locked_by": self.interval_locked_by,
            "today": None if self.today is None else self.today.to_json(),
            "config_warning": self.config_warning,
            "pid": self.pid,
        }
        data.update(self.extra)
        return data

    def one_line(self) -> str:
        """The one-line answer of `status`."""
        state = self.state
        if state is SpellState.SNOOZED and self.snoozed_until:
            text = f"snoozed until {self.snoozed_until.astimezone():%H:%M:%S}"
        elif state is SpellState.PAUSED and self.paused_until:
            text = f"paused until {self.paused_until.astimezone():%a %H:%M}"
        elif state is SpellState.OFF_HOURS:
            text = "outside work hours"
        elif state is SpellState.ON_BREAK:
            text = "on a break"
        else:
            text = f"sitting for {format_duration(self.sitting_for, coarse=True)}"
            if state is SpellState.DUE:
                text += " (time to move)"
        if self.next_prompt_at and state not in (SpellState.PAUSED, SpellState.OFF_HOURS):
            text += f"; next prompt at {self.next_prompt_at.astimezone():%H:%M:%S}"
        return text
