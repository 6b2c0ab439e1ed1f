"""The tray's texts and menu, computed from a Status snapshot: one model for every tray.

`menu_entries` is a pure function of the snapshot, rendered by the StatusNotifierItem
tray (`sni.py`, through `dbusmenu.py`) and by pystray (`to_pystray`). Every text names
a moment ("Sitting since 10:42", "Snoozed until 11:20"), never a count that grows, so
the entries change only when the state does and a tray resends its menu only then.
Every action submits a command or runs one of the shell's `TrayActions`; none changes
engine state directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any, Literal

from reminder.core.model import (
    HELD_LINES,
    Command,
    Pause,
    RefusableCommand,
    Resume,
    SetInterval,
    Snooze,
    SpellState,
    Status,
    TakeBreak,
)
from reminder.durations import human_duration

APP_TITLE = "Sitting Reminder"
INTERVAL_CHOICES: tuple[timedelta, ...] = tuple(timedelta(minutes=m) for m in (30, 45, 50, 60, 90))
LIMIT_KEY = "reminders.sitting_limit"
SET_BY_ORGANISATION = "set by your organisation"
CONFIG_PROBLEM_LINE = "Configuration problem: see the log"

OpenTarget = Literal["guide", "professional", "weekly_report", "settings", "quit"]
"""The menu's non-command items; the shell says what each does (`TrayActions`)."""


# ------------------------------------------------------------------- texts


def spell_start(status: Status) -> datetime | None:
    """When the current sitting spell began (older engines only give its length)."""
    if status.spell_started_at is not None:
        return status.spell_started_at
    if status.state in (SpellState.SITTING, SpellState.DUE, SpellState.SNOOZED):
        return status.now - status.sitting_for
    return None


def status_line(status: Status) -> str:
    """What the user is doing now, with the moment it started or ends (the menu's first line)."""
    state = status.state
    start = spell_start(status)
    since = f"sitting since {status.clock(start)}" if start is not None else "sitting"
    if state is SpellState.DUE:
        return f"Time to move: {since}"
    if state is SpellState.SNOOZED:
        if status.snoozed_until is None:
            return f"Snoozed ({since})"
        return f"Snoozed until {status.clock(status.snoozed_until)} ({since})"
    if state is SpellState.PAUSED:
        if status.paused_until is None:
            return "Paused"
        return f"Paused until {status.clock(status.paused_until)}"
    if state is SpellState.OFF_HOURS:
        if status.tracking_resumes_at is None:
            return "Outside work hours"
        return f"Outside work hours; tracking resumes {status.clock(status.tracking_resumes_at)}"
    if state is SpellState.ON_BREAK:
        return "On a break"
    return since[0].upper() + since[1:]


def next_prompt_line(status: Status) -> str | None:
    """ "Next prompt at 11:32", while prompts are coming at all."""
    if status.next_prompt_at is None or status.state in (SpellState.PAUSED, SpellState.OFF_HOURS):
        return None
    return f"Next prompt at {status.clock(status.next_prompt_at)}"


def held_line(status: Status) -> str | None:
    """Why a due prompt waits ("In a call: your reminder waits, ..."), if it does."""
    return None if status.held_for is None else HELD_LINES[status.held_for]


def tooltip_lines(status: Status) -> tuple[str, ...]:
    """The hover text under the title: state, next prompt, what holds it, problems."""
    lines = [status_line(status)]
    for extra in (next_prompt_line(status), held_line(status)):
        if extra is not None:
            lines.append(extra)
    if status.config_warning:
        lines.append(CONFIG_PROBLEM_LINE)
    return tuple(lines)


def tooltip(status: Status) -> str:
    """The icon's hover text in one string (pystray has no separate title)."""
    first, *rest = tooltip_lines(status)
    return "\n".join([f"{APP_TITLE}: {first}", *rest])


def today_line(status: Status) -> str | None:
    today = status.today
    if today is None:
        return None
    breaks = today.breaks_taken + today.natural_breaks
    noun = "break" if breaks == 1 else "breaks"
    # Whole minutes: the spell in progress counts, and a seconds figure would change the
    # menu at every wake-up while nothing a person cares about changed.
    minutes = today.longest_spell_s // 60
    longest = "under a minute" if minutes == 0 else human_duration(timedelta(minutes=minutes))
    return f"Today: {breaks} {noun}, longest spell {longest}"


def interval_locked_by(status: Status) -> str | None:
    """Who locked `reminders.sitting_limit`, if anyone did."""
    return status.locked.get(LIMIT_KEY) or status.interval_locked_by


# ------------------------------------------------------------------ entries


@dataclass(frozen=True)
class Entry:
    """One menu line, independent of any toolkit (compared to decide whether to resend).

    `key` names the line across snapshots whose text changes ("status", "interval"),
    so a tray can keep its identity (the SNI menu keeps one item id per key); lines
    that submit a command or open something are named by that already.
    """

    text: str
    command: Command | None = None  # submitted to the engine when chosen
    open: OpenTarget | None = None
    checked: bool | None = None
    radio: bool = False
    enabled: bool = True
    submenu: tuple[Entry, ...] = field(default=())
    key: str = ""

    @property
    def separator(self) -> bool:
        return self.text == "-"

    @property
    def identity(self) -> str:
        """What stays the same about this line while its text changes."""
        if self.key:
            return self.key
        if self.command is not None:
            return f"command:{self.command!r}"
        if self.open is not None:
            return f"open:{self.open}"
        return f"text:{self.text}"


SEPARATOR = Entry("-")


def info(text: str, key: str) -> Entry:
    """A line that only tells (greyed out, does nothing)."""
    return Entry(text, enabled=False, key=key)


def _interval_entries(status: Status, locked: bool) -> tuple[Entry, ...]:
    current = status.sitting_limit
    return tuple(
        Entry(
            human_duration(choice),
            command=SetInterval(choice),
            checked=choice == current,
            radio=True,
            enabled=not locked,
        )
        for choice in sorted({*INTERVAL_CHOICES, current})
    )


class _Refusable:
    """Adds command lines, greyed out with the engine's reason when they would change nothing."""

    def __init__(self, status: Status, entries: list[Entry]) -> None:
        self._status = status
        self._entries = entries
        self._reasons_shown: set[str] = set()

    def add(self, name: RefusableCommand, entry: Entry) -> None:
        reason = self._status.refusal(name)
        if reason is None:
            self._entries.append(entry)
            return
        self._entries.append(replace(entry, enabled=False))
        if reason not in self._reasons_shown:  # one reason often explains several lines
            self._reasons_shown.add(reason)
            self._entries.append(info(reason, f"why:{name}"))


def menu_entries(status: Status) -> tuple[Entry, ...]:
    """The whole tray menu for `status`."""
    entries: list[Entry] = [info(status_line(status), "status")]
    for key, line in (
        ("next", next_prompt_line(status)),
        ("held", held_line(status)),
        ("warning", CONFIG_PROBLEM_LINE if status.config_warning else None),
    ):
        if line is not None:
            entries.append(info(line, key))
    entries.append(SEPARATOR)

    commands = _Refusable(status, entries)
    commands.add("break", Entry("I moved", command=TakeBreak()))
    snooze = tuple(
        Entry(human_duration(option), command=Snooze(option)) for option in status.snooze_options
    )
    if snooze:
        commands.add("snooze", Entry("Snooze", submenu=snooze, key="snooze"))
    if status.state is not SpellState.PAUSED:
        commands.add("pause", Entry("Pause until tomorrow", command=Pause("tomorrow")))
    if status.state in (SpellState.PAUSED, SpellState.SNOOZED):
        commands.add("resume", Entry("Resume", command=Resume()))

    locked = interval_locked_by(status) is not None
    interval = f"Interval: {human_duration(status.sitting_limit)}"
    entries.append(
        Entry(
            f"{interval}, {SET_BY_ORGANISATION}" if locked else interval,
            submenu=_interval_entries(status, locked),
            enabled=not locked,
            key="interval",
        )
    )

    entries.append(SEPARATOR)
    today = today_line(status)
    if today is not None:
        entries.append(info(today, "today"))
    entries += [
        Entry("This week", open="weekly_report"),
        SEPARATOR,
        Entry("Glute knot guide", open="guide"),
        Entry("When to see a professional", open="professional"),
        Entry("Settings…", open="settings"),
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
