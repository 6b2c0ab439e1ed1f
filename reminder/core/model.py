"""Value types shared by the core and the adapters: states, commands, snapshots."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Literal

from reminder.durations import human_duration


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
    """One local day's numbers, as `stats`, the weekly report and the tray's "today" line show them.

    A day is a calendar date in `schedule.timezone`. Every number comes from the history's
    events of that day, plus the spell in progress when the running service reports one:

    sitting_s            time sat in spells: the part of each spell, ended or still going, that
                         falls on this day (a spell across midnight is split at midnight)
    longest_spell_s      the longest such part on this day (so never more than `sitting_s`)
    prompts              prompts to move that were shown on this day
    breaks_after_prompt  spells that ended in a break on this day (the user's "I moved", idle,
                         a locked screen, a suspend) after at least one prompt
    breaks_on_own        spells that ended in a break on this day before any prompt
    breaks_taken         of those breaks, the ones the user declared ("I moved", Done)
    natural_breaks       of those breaks, the ones the service noticed (idle, locked, suspend);
                         breaks_taken + natural_breaks == breaks_after_prompt + breaks_on_own
    ended_with_work_day  spells cut by the end of a work-hours range: not breaks
    ended_by_pause       spells cut by a pause: not breaks
    snoozes              times the user snoozed a prompt
    calls_held           prompts held back because a call was on (microphone or camera in use)
    call_held_s          how long those prompts waited, in total
    in_progress_s        the part of `sitting_s` that is the spell still going on (0 if none)
    """

    day: str
    prompts: int = 0
    snoozes: int = 0
    breaks_taken: int = 0
    natural_breaks: int = 0
    longest_spell_s: int = 0
    sitting_s: int = 0
    breaks_after_prompt: int = 0
    breaks_on_own: int = 0
    ended_with_work_day: int = 0
    ended_by_pause: int = 0
    calls_held: int = 0
    call_held_s: int = 0
    in_progress_s: int = 0

    @property
    def breaks(self) -> int:
        """Every break of the day (after a prompt or not); the end of work hours is none."""
        return self.breaks_after_prompt + self.breaks_on_own

    def to_json(self) -> dict[str, Any]:
        """One element of the `stats --json` document's "days" list (durations in seconds)."""
        return {
            "date": self.day,
            "sitting_s": self.sitting_s,
            "longest_spell_s": self.longest_spell_s,
            "prompts": self.prompts,
            "breaks_after_prompt": self.breaks_after_prompt,
            "breaks_on_own": self.breaks_on_own,
            "breaks_taken": self.breaks_taken,
            "natural_breaks": self.natural_breaks,
            "ended_with_work_day": self.ended_with_work_day,
            "ended_by_pause": self.ended_by_pause,
            "snoozes": self.snoozes,
            "calls_held": self.calls_held,
            "call_held_s": self.call_held_s,
            "in_progress_s": self.in_progress_s,
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


HeldFor = Literal["call", "dnd", "fullscreen"]
"""Why a due prompt waits: a call (microphone, camera, idle inhibitor), Do Not Disturb,
or a full-screen window."""

RefusableCommand = Literal["snooze", "break", "pause", "resume"]


def clock_text(moment: datetime, now: datetime, zone: tzinfo, *, zone_label: str = "") -> str:
    """How every time is shown to a person: "10:42" today, "Wed 09:00" on another day,
    in `zone` (schedule.timezone), followed by `zone_label` when that is not the system's."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    text = f"{local:%H:%M}" if local.date() == today.date() else f"{local:%a %H:%M}"
    return f"{text} {zone_label}" if zone_label else text


@dataclass(frozen=True)
class Status:
    """An immutable snapshot of the engine, handed to the tray and the CLI.

    Times are aware UTC instants; show them with `clock` (schedule.timezone).
    `refusals` names each command that would change nothing now, with the sentence
    that says why and what to do instead: the CLI refuses it (exit 2) with that
    sentence, the tray greys the item out.
    """

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
    zone: tzinfo = timezone.utc  # schedule.timezone's zone
    zone_label: str = ""  # e.g. "Asia/Tokyo" when it is not the system's zone; else ""
    spell_started_at: datetime | None = None
    tracking_resumes_at: datetime | None = None  # off hours / paused: when tracking starts again
    held_for: HeldFor | None = None
    held_since: datetime | None = None
    call_detection: tuple[str, ...] = ()
    refusals: Mapping[RefusableCommand, str] = field(default_factory=dict)
    locked: Mapping[str, str] = field(default_factory=dict)  # key -> who locked it (origin)
    notes: tuple[str, ...] = ()  # how the configuration was read ("managed file from cache ...")
    day_off: bool = False  # today (in schedule.timezone) is one of schedule.days_off
    guide_url: str = ""  # guide.url: where the guide items point ("" = the offline page)

    def clock(self, moment: datetime) -> str:
        """`moment` as this snapshot's user reads it ("10:42", "Wed 09:00 Asia/Tokyo")."""
        return clock_text(moment, self.now, self.zone, zone_label=self.zone_label)

    def refusal(self, command: RefusableCommand) -> str | None:
        return self.refusals.get(command)

    def to_json(self) -> dict[str, Any]:
        """The `status --json` document."""
        data: dict[str, Any] = {
            "state": self.state.public_name,
            "due": self.state is SpellState.DUE,
            "sitting_for_s": int(self.sitting_for.total_seconds()),
            "spell_started_at": _iso(self.spell_started_at),
            "next_prompt_at": _iso(self.next_prompt_at),
            "snoozed_until": _iso(self.snoozed_until),
            "paused_until": _iso(self.paused_until),
            "tracking_resumes_at": _iso(self.tracking_resumes_at),
            "day_off": self.day_off,
            "sitting_limit_s": int(self.sitting_limit.total_seconds()),
            "activity_detection": self.activity_detection,
            "held_for": self.held_for,
            "held_since": _iso(self.held_since),
            "call_detection": list(self.call_detection),
            "interval_locked_by": self.interval_locked_by,
            "locked": dict(self.locked),
            "refusals": dict(self.refusals),
            "today": None if self.today is None else self.today.to_json(),
            "config_warning": self.config_warning,
            "config_notes": list(self.notes),
            "timezone": str(self.zone),
            "now": _iso(self.now),
            "pid": self.pid,
        }
        data.update(self.extra)
        return data

    def one_line(self) -> str:
        """The answer of plain `status`: the state, then what is held, then warnings."""
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        state = self.state
        if state is SpellState.SNOOZED and self.snoozed_until:
            text = f"snoozed until {self.clock(self.snoozed_until)}"
            text += f", sitting for {human_duration(self.sitting_for)}"
        elif state is SpellState.PAUSED and self.paused_until:
            text = f"paused until {self.clock(self.paused_until)}"
        elif state is SpellState.OFF_HOURS:
            text = "today is a day off" if self.day_off else "outside work hours"
            if self.tracking_resumes_at is not None:
                text += f"; tracking resumes {self.clock(self.tracking_resumes_at)}"
        elif state is SpellState.ON_BREAK:
            text = "on a break"
        else:
            text = f"sitting for {human_duration(self.sitting_for)}"
            if self.spell_started_at is not None:
                text += f" (since {self.clock(self.spell_started_at)})"
            if state is SpellState.DUE:
                text += ": time to move"
        if self.next_prompt_at and state not in (SpellState.PAUSED, SpellState.OFF_HOURS):
            text += f"; next prompt at {self.clock(self.next_prompt_at)}"
        lines = [text]
        if self.held_for is not None:
            lines.append(HELD_LINES[self.held_for])
        lines += [f"note: {note}" for note in self.notes]
        if self.config_warning:
            lines.append(f"warning: {self.config_warning}")
        return lines


HELD_LINES: dict[HeldFor, str] = {
    "call": "In a call: your reminder waits, and comes soon after the call",
    "dnd": "Do Not Disturb is on: your reminder waits until it is off",
    "fullscreen": "held: full-screen window; the prompt comes when it closes",
}
