"""The settings form, built from the key table: pages, fields, checks and the changes to save.

Pure: no toolkit, no files, no clock (the caller passes `now` where a time is shown).
The Tk window (`_window.py`) draws what this module describes and hands back what
the person entered; this module says what is wrong with it, in the validator's own
words, and which keys changed.

How a key becomes a field (`Kind` -> `Control`), so that a key added to
`reminder.configuration.keys.TABLE` appears in the window without new code:

    DURATION, TEXT           a line of text ("45m", a path)
    DURATIONS, WORK_HOURS,   a line of comma-separated items ("10m, 30m, 1h",
    DATES                    "09:00-12:30, 13:30-17:30", "2026-12-24, 2026-12-25")
    TIMEZONE                 an editable list: "local" and the IANA names
    CHOICE                   a list to pick one from
    BOOL                     a check box
    TAGS                     a check box per tag (none ticked: every kind)

Which page a key goes on follows its table (`PAGE_BY_TABLE`); a key of a new table
goes on "Advanced". Four keys a person at a desk rarely needs are on "Advanced"
whatever their table (`ADVANCED`, with the reason for each). None is left out.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from reminder.configuration.keys import TABLE, TABLE_NOTES, Key, Kind, validate
from reminder.configuration.loader import LoadedConfig
from reminder.configuration.model import TimeRange
from reminder.configuration.values import Invalid
from reminder.durations import format_duration, human_duration, parse_duration

WINDOW_TITLE = "Sitting Reminder settings"
SET_BY_ORGANISATION = "Set by your organisation"  # the tray's words, as a sentence
LOCAL_ZONE = "local"
PROBLEM_COLOUR = "#b00020"  # a wrong entry's message (and Save refused)
LOCK_COLOUR = "#1f4e79"  # "Set by your organisation", and what Save did
HELP_COLOUR = "#555555"  # descriptions, what a value means
"""The window's message colours, here (no Tk) so that its tests can find the messages."""

FieldValue = str | bool | tuple[str, ...]
"""What a control holds: the text of a line, a check box, or the ticked tags."""


class Control(enum.Enum):
    """The kind of control a field is drawn with."""

    LINE = "line"  # one line of text
    LIST_LINE = "list_line"  # one line of comma-separated items
    ZONE = "zone"  # an editable drop-down of time zones
    CHOICE = "choice"  # a read-only drop-down
    CHECK = "check"  # a check box
    TAGS = "tags"  # a check box per tag


CONTROL_BY_KIND: dict[Kind, Control] = {
    Kind.DURATION: Control.LINE,
    Kind.TEXT: Control.LINE,
    Kind.DURATIONS: Control.LIST_LINE,
    Kind.WORK_HOURS: Control.LIST_LINE,
    Kind.DATES: Control.LIST_LINE,
    Kind.TIMEZONE: Control.ZONE,
    Kind.CHOICE: Control.CHOICE,
    Kind.BOOL: Control.CHECK,
    Kind.TAGS: Control.TAGS,
}

HINT_BY_KIND: dict[Kind, str] = {
    Kind.DURATIONS: "Separate them with commas: 10m, 30m, 1h.",
    Kind.WORK_HOURS: "Separate ranges with commas: 09:00-12:30, 13:30-17:30. Empty: no work.",
    Kind.DATES: "Separate them with commas: 2026-12-24, 2026-12-25.",
    Kind.TAGS: "None ticked shows every kind.",
}
"""How to type a value whose form the description gives only in TOML."""

PAGES = ("Reminders", "Work hours", "Quiet times", "Advanced")
PAGE_BY_TABLE: dict[str, str] = {
    "reminders": "Reminders",
    "activity": "Reminders",
    "stretches": "Reminders",
    "schedule": "Work hours",
    "schedule.work_hours": "Work hours",
    "notifications": "Quiet times",
}
ADVANCED: dict[str, str] = {
    "activity.check_every": "only matters where the desktop cannot announce activity",
    "notifications.backend": "'auto' picks the best notifier; the others are for trouble-shooting",
    "stretches.file": "a catalog of one's own is a TOML file to write first",
    "guide.url": "IT points it at an intranet page; a person keeps the built-in guide",
}
"""Keys on the "Advanced" page whatever their table, and why."""

AUTOSTART_LABEL = "Start at login"
AUTOSTART_HELP = "Start Sitting Reminder each time you log in to this computer."

_LIST_SEPARATORS = re.compile(r"[,;]")


@dataclass(frozen=True)
class Field:
    """One key as the window shows it: where, with which control, prefilled with what."""

    key: Key
    page: str
    control: Control
    initial: FieldValue
    origin: str  # where the value shown came from (a file, a policy, "built-in defaults")
    locked_by: str | None  # the managed file or policy that locked it; None: the user may edit
    options: tuple[str, ...] = ()  # drop-down entries, or the tags of TAGS
    show_description: bool = True  # False where the section's note says it once for all

    @property
    def name(self) -> str:
        return self.key.name

    @property
    def label(self) -> str:
        return self.key.label

    @property
    def help(self) -> str:
        """The line under the field: what it does, and how to type it where that is unclear."""
        hint = HINT_BY_KIND.get(self.key.kind, "")
        if not self.show_description:
            return ""
        return f"{self.key.description} {hint}".strip()

    @property
    def lock_note(self) -> str | None:
        """ "Set by your organisation: <where>" for a locked field, else None."""
        if self.locked_by is None:
            return None
        if self.locked_by == self.origin:
            return f"{SET_BY_ORGANISATION}: {self.origin}"
        return f"{SET_BY_ORGANISATION}: {self.origin} (locked by {self.locked_by})"


@dataclass(frozen=True)
class Section:
    """Fields of one table on a page, with the table's note said once above them."""

    table: str
    note: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Page:
    title: str
    sections: tuple[Section, ...]

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(field for section in self.sections for field in section.fields)


@dataclass(frozen=True)
class Form:
    """Every field of the window, by page, in the key table's order."""

    pages: tuple[Page, ...]

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(field for page in self.pages for field in page.fields)

    def field(self, key: str) -> Field:
        for field in self.fields:
            if field.name == key:
                return field
        raise KeyError(key)

    def initial_values(self) -> dict[str, FieldValue]:
        return {field.name: field.initial for field in self.fields}


def page_of(key: Key) -> str:
    """The page a key goes on: "Advanced" for `ADVANCED` and unknown tables."""
    if key.name in ADVANCED:
        return "Advanced"
    return PAGE_BY_TABLE.get(key.table, PAGE_BY_TABLE.get(key.name.partition(".")[0], "Advanced"))


def build_form(
    loaded: LoadedConfig, zones: Iterable[str] = (), table: Iterable[Key] = TABLE
) -> Form:
    """The form for the configuration in effect: a field per key, locked ones marked.

    `zones`: the IANA names offered for a TIMEZONE key (after "local"); see `zone_names`.
    """
    zone_options = (LOCAL_ZONE, *(zone for zone in zones if zone != LOCAL_ZONE))
    by_page: dict[str, dict[str, list[Field]]] = {}
    for key in table:
        control = CONTROL_BY_KIND[key.kind]
        options: tuple[str, ...] = ()
        if control is Control.ZONE:
            options = zone_options
        elif control in (Control.CHOICE, Control.TAGS):
            options = key.choices
        field = Field(
            key=key,
            page=page_of(key),
            control=control,
            initial=from_toml(key, loaded.raw[key.name]),
            origin=loaded.origins.get(key.name, ""),
            locked_by=loaded.locked.get(key.name),
            options=options,
            show_description=key.table not in TABLE_NOTES,
        )
        by_page.setdefault(field.page, {}).setdefault(key.table, []).append(field)
    titles = [title for title in PAGES if title in by_page]
    titles += [title for title in by_page if title not in PAGES]
    pages = []
    for title in titles:
        sections = tuple(
            Section(table_name, _section_note(table_name, fields), tuple(fields))
            for table_name, fields in by_page[title].items()
        )
        pages.append(Page(title, sections))
    return Form(tuple(pages))


def _section_note(table: str, fields: list[Field]) -> str:
    note = TABLE_NOTES.get(table, "")
    if not note:
        return ""
    hints = {HINT_BY_KIND.get(field.key.kind, "") for field in fields} - {""}
    return " ".join([note, *sorted(hints)])


def shown_path(path: Path, home: Path | None = None) -> str:
    """A path as a person reads it: the home folder as "~"."""
    try:
        return "~/" + path.relative_to(home or Path.home()).as_posix()
    except ValueError:
        return str(path)


def zone_names(available: Iterable[str]) -> tuple[str, ...]:
    """The IANA names worth offering, sorted: "Region/City" and "UTC" (not "posixrules",
    "Factory" or "EST5EDT", which remain valid when typed)."""
    return tuple(sorted(name for name in set(available) if "/" in name or name == "UTC"))


# ------------------------------------------------------------ values


def from_toml(key: Key, raw: Any) -> FieldValue:
    """The control's content for a TOML value (a list becomes "a, b, c")."""
    kind = key.kind
    if kind is Kind.BOOL:
        return bool(raw)
    if kind is Kind.TAGS:
        ticked = set(raw)
        return tuple(tag for tag in key.choices if tag in ticked)
    if isinstance(raw, list):
        return ", ".join(item.isoformat() if isinstance(item, date) else str(item) for item in raw)
    return str(raw)


def to_toml(key: Key, value: FieldValue) -> Any:
    """The TOML value for a control's content, before any check ("a, b" -> ["a", "b"])."""
    if key.kind is Kind.BOOL:
        return bool(value)
    if key.kind is Kind.TAGS:
        ticked = set(value) if isinstance(value, tuple) else set()
        return [tag for tag in key.choices if tag in ticked]
    text = value if isinstance(value, str) else ""
    if key.holds_list:
        return [item.strip() for item in _LIST_SEPARATORS.split(text) if item.strip()]
    return text.strip()


@dataclass(frozen=True)
class Checked:
    """A field's content after the check: the TOML value to write, or the problem."""

    value: Any  # the normalised TOML value ("1h30m", sorted ranges); None with a problem
    problem: str | None  # the validator's message, to show next to the field
    parsed: Any = None  # what the validator returned (for `echo`)

    @property
    def ok(self) -> bool:
        return self.problem is None


def check(key: Key, value: FieldValue) -> Checked:
    """Check a control's content with the loader's own validator (`keys.validate`).

    The problem is the validator's message ("Expected a duration with units such as
    "90s", ..., found the string "abc"."), the same the loader and the CLI give after
    naming the key, which the field's label names here.
    """
    toml_value = to_toml(key, value)
    try:
        parsed = validate(key.name, toml_value)
    except Invalid as error:
        return Checked(None, _sentence(str(error)))
    return Checked(normalised(key, parsed, toml_value), None, parsed)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def normalised(key: Key, parsed: Any, toml_value: Any) -> Any:
    """One spelling per value, so that "60m" and "1h" count as no change."""
    kind = key.kind
    if kind is Kind.DURATION:
        return format_duration(parsed)
    if kind is Kind.DURATIONS:
        return [format_duration(item) for item in parsed]
    if kind is Kind.WORK_HOURS:
        return [str(item) for item in parsed]
    if kind is Kind.DATES:
        return [day.isoformat() for day in sorted(parsed)]
    if kind is Kind.TIMEZONE:
        return parsed[0]
    return toml_value


def echo(key: Key, parsed: Any, now: datetime) -> str:
    """What a valid value means, in the words people read ("1 hour 30 min", "8 hours of
    work", "all kinds"), shown beside the field; "" where the value says it already."""
    kind = key.kind
    if kind is Kind.DURATION:
        return str(human_duration(parsed))
    if kind is Kind.DURATIONS:
        return ", ".join(human_duration(item) for item in parsed)
    if kind is Kind.WORK_HOURS:
        ranges: tuple[TimeRange, ...] = parsed
        total = sum(item.end_min - item.start_min for item in ranges)
        return f"{human_duration(timedelta(minutes=total))} of work" if total else "no work"
    if kind is Kind.DATES:
        count = len(parsed)
        return "none" if count == 0 else "1 day" if count == 1 else f"{count} days"
    if kind is Kind.TIMEZONE:
        return f"{now.astimezone(parsed[1]):%H:%M} there now"
    if kind is Kind.TAGS and not parsed:
        return "all kinds"
    return ""


@dataclass(frozen=True)
class Review:
    """What Save would do with the form's content."""

    changes: dict[str, Any]  # dotted key -> TOML value, only keys that changed
    problems: dict[str, str]  # dotted key -> the validator's message

    @property
    def can_save(self) -> bool:
        return not self.problems


def review(form: Form, values: Mapping[str, FieldValue]) -> Review:
    """Every field checked; the changed ones (locked fields never) as TOML values.

    A field counts as changed when its normalised value differs from the one it was
    prefilled with, so retyping "50m" as "50m" writes nothing.
    """
    changes: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in form.fields:
        if field.locked_by is not None:
            continue
        current = values.get(field.name, field.initial)
        checked = check(field.key, current)
        if checked.problem is not None:
            problems[field.name] = checked.problem
            continue
        before = check(field.key, field.initial)
        if checked.value != before.value:
            changes[field.name] = checked.value
    return Review(changes, problems)


def describe_change(key: Key, value: Any) -> str:
    """One checked change as a person reads it: "Sitting limit: 45 min"."""
    kind = key.kind
    if kind is Kind.BOOL:
        shown = "on" if value else "off"
    elif kind is Kind.DURATION:
        shown = human_duration(parse_duration(value))
    elif kind is Kind.DURATIONS:
        shown = ", ".join(human_duration(parse_duration(item)) for item in value)
    elif isinstance(value, list):
        empty = {Kind.TAGS: "all kinds", Kind.WORK_HOURS: "no work"}.get(kind, "none")
        shown = ", ".join(str(item) for item in value) or empty
    else:
        shown = str(value) or '""'
    return f"{key.label}: {shown}"
