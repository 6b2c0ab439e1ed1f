"""The tray's texts and menu, computed from a Status snapshot.

`menu_entries` is a pure function of the snapshot: the tray rebuilds the menu only
when these entries change (menus are replaced, never edited, so an open menu is not
pulled from under the user more often than its text changes). Every action submits
a command or opens something; none changes engine state directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from reminder.core.model import (
    Command,
    Pause,
    Resume,
    SetInterval,
    Snooze,
    SpellState,
    Status,
    TakeBreak,
)
from reminder.durations import human_duration

INTERVAL_CHOICES: tuple[timedelta, ...] = tuple(timedelta(minutes=m) for m in (30, 45, 50, 60, 90))
LOCKED_LINE = "Set by your organisation"


def _coarse_sitting(value: timedelta) -> str:
    """Minutes only, so the status line changes at most once a minute."""
    if value < timedelta(minutes=1):
        return "under a minute"
    return human_duration(timedelta(minutes=int(value.total_seconds()) // 60))


def _clock(moment: datetime) -> str:
    return f"{moment.astimezone():%H:%M}"


def _day_clock(moment: datetime, now: datetime) -> str:
    local, today = moment.astimezone(), now.astimezone()
    if local.date() == today.date():
        return f"{local:%H:%M}"
    return f"{local:%a %H:%M}"


def status_line(status: Status) -> str:
    """What the user is doing now, in a few words (the menu's first line)."""
    state = status.state
    if state is SpellState.DUE:
        return f"Time to move: sitting for {_coarse_sitting(status.sitting_for)}"
    if state is SpellState.SNOOZED:
        until = f" until {_clock(status.snoozed_until)}" if status.snoozed_until else ""
        return f"Snoozed{until}, sitting for {_coarse_sitting(status.sitting_for)}"
    if state is SpellState.PAUSED:
        if status.paused_until is None:
            return "Paused"
        return f"Paused until {_day_clock(status.paused_until, status.now)}"
    if state is SpellState.OFF_HOURS:
        return "Outside work hours"
    if state is SpellState.ON_BREAK:
        return "On a break"
    return f"Sitting for {_coarse_sitting(status.sitting_for)}"


def tooltip(status: Status) -> str:
    """The icon's hover text: the sitting time and the next prompt."""
    text = f"Sitting Reminder: {status_line(status)}"
    if status.next_prompt_at and status.state not in (SpellState.PAUSED, SpellState.OFF_HOURS):
        text += f"\nNext prompt at {_clock(status.next_prompt_at)}"
    if status.config_warning:
        text += "\nConfiguration problem: see the log"
    return text


def today_line(status: Status) -> str | None:
    today = status.today
    if today is None:
        return None
    breaks = today.breaks_taken + today.natural_breaks
    noun = "break" if breaks == 1 else "breaks"
    longest = human_duration(timedelta(seconds=today.longest_spell_s))
    return f"Today: {breaks} {noun}, longest spell {longest}"


@dataclass(frozen=True)
class Entry:
    """One menu line, independent of pystray (compared to decide whether to rebuild)."""

    text: str
    command: Command | None = None  # submitted to the engine when chosen
    open: str | None = None  # "guide", "professional", "settings", "quit"
    checked: bool | None = None
    radio: bool = False
    enabled: bool = True
    submenu: tuple[Entry, ...] = field(default=())

    @property
    def separator(self) -> bool:
        return self.text == "-"


SEPARATOR = Entry("-")


def _interval_entries(status: Status) -> tuple[Entry, ...]:
    current = status.sitting_limit
    choices = sorted({*INTERVAL_CHOICES, current})
    locked = status.interval_locked_by is not None
    items = [
        Entry(
            human_duration(choice),
            command=SetInterval(choice),
            checked=choice == current,
            radio=True,
            enabled=not locked,
        )
        for choice in choices
    ]
    if locked:
        return (Entry(LOCKED_LINE, enabled=False), *items)
    return tuple(items)


def menu_entries(status: Status, settings_exists: bool = True) -> tuple[Entry, ...]:
    """The whole tray menu for `status`."""
    entries: list[Entry] = [Entry(status_line(status), enabled=False)]
    if status.config_warning:
        entries.append(Entry("Configuration problem: see the log", enabled=False))
    entries.append(SEPARATOR)
    entries.append(Entry("I moved", command=TakeBreak()))
    snooze = tuple(
        Entry(human_duration(option), command=Snooze(option)) for option in status.snooze_options
    )
    entries.append(Entry("Snooze", submenu=snooze, enabled=bool(snooze)))
    if status.state is SpellState.PAUSED:
        entries.append(Entry("Resume", command=Resume()))
    else:
        entries.append(Entry("Pause until tomorrow", command=Pause("tomorrow")))
        if status.state is SpellState.SNOOZED:
            entries.append(Entry("Resume", command=Resume()))
    interval_label = f"Interval: {human_duration(status.sitting_limit)}"
    if status.interval_locked_by is not None:
        interval_label += " (set by your organisation)"
    entries.append(Entry(interval_label, submenu=_interval_entries(status)))
    today = today_line(status)
    if today is not None:
        entries += [SEPARATOR, Entry(today, enabled=False)]
    entries += [
        SEPARATOR,
        Entry("Glute knot guide", open="guide"),
        Entry("When to see a professional", open="professional"),
        Entry("Open settings file" if settings_exists else "Open settings folder", open="settings"),
        SEPARATOR,
        Entry("Quit", open="quit"),
    ]
    return tuple(entries)


def to_pystray(
    entries: Sequence[Entry],
    pystray: ModuleType,
    choose: Callable[[Entry], None],
) -> Any:
    """A pystray.Menu for `entries`; choosing an item calls `choose(entry)`."""

    def item(entry: Entry) -> Any:
        if entry.separator:
            return pystray.Menu.SEPARATOR
        if entry.submenu:
            return pystray.MenuItem(
                entry.text, pystray.Menu(*(item(e) for e in entry.submenu)), enabled=entry.enabled
            )
        checked = None if entry.checked is None else (lambda _item, c=entry.checked: c)

        def action() -> None:
            choose(entry)

        return pystray.MenuItem(
            entry.text, action, checked=checked, radio=entry.radio, enabled=entry.enabled
        )

    return pystray.Menu(*(item(entry) for entry in entries))
