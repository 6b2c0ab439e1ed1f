"""The table of every configuration key: its kind, default, bounds and description.

This table is the one source for everything that knows about settings:

- `validate(key, value)` is the one validation function. The loader checks
  every file with it; the CLI (`interval`, `snooze`), the tray and the settings
  window check what they write with it, so nothing can be written that the
  loader would refuse.
- config/default.toml, the Group Policy templates and the macOS profile are
  generated from it (`python -m reminder.configuration.generate`), and a test
  fails when a generated file is out of date.
- The settings window labels its fields with `label` and explains them with
  `description`.
- Group Policy (the registry value or list subkey) and macOS managed preferences
  (the plist key) name each key by `policy_name` ("SittingLimit").
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from reminder.configuration.model import WEEKDAYS
from reminder.configuration.values import (
    Invalid,
    as_bool,
    as_date_list,
    as_string,
    as_timezone,
    as_work_hours,
    choice_parser,
    duration_list_parser,
    duration_parser,
    tag_list_parser,
)

SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


class Kind(enum.Enum):
    """What sort of value a key holds; decides its parser and how each channel shows it."""

    DURATION = "duration"
    DURATIONS = "durations"
    WORK_HOURS = "work_hours"
    DATES = "dates"
    TIMEZONE = "timezone"
    CHOICE = "choice"
    BOOL = "bool"
    TEXT = "text"
    TAGS = "tags"


LIST_KINDS = frozenset({Kind.DURATIONS, Kind.WORK_HOURS, Kind.DATES, Kind.TAGS})
BACKENDS = ("auto", "desktop-notifier", "plyer", "console")
STRETCH_TAGS = ("seated", "standing", "discreet")


@dataclass(frozen=True)
class Key:
    """One setting: where it lives, what it holds, its default and what it is for."""

    name: str  # dotted, e.g. "reminders.sitting_limit"
    kind: Kind
    default: Any  # the TOML value of config/default.toml
    label: str  # a few words for a form field or a policy's name
    description: str  # what it does, in sentences (default.toml comment, policy explain text)
    minimum: timedelta | None = None
    maximum: timedelta | None = None
    choices: tuple[str, ...] = ()
    policy: str = ""  # the policy name where the rule in `policy_name` reads badly out of context
    parse: Callable[[Any], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parse", self._parser())

    def _parser(self) -> Callable[[Any], Any]:
        kind = self.kind
        if kind in (Kind.DURATION, Kind.DURATIONS):
            if self.minimum is None or self.maximum is None:
                raise ValueError(f"{self.name}: a duration key needs a minimum and a maximum")
            make = duration_parser if kind is Kind.DURATION else duration_list_parser
            return make(self.minimum, self.maximum)
        if kind is Kind.CHOICE:
            return choice_parser(self.choices)
        if kind is Kind.TAGS:
            return tag_list_parser(self.choices)
        simple: dict[Kind, Callable[[Any], Any]] = {
            Kind.WORK_HOURS: as_work_hours,
            Kind.DATES: as_date_list,
            Kind.TIMEZONE: as_timezone,
            Kind.BOOL: as_bool,
            Kind.TEXT: as_string,
        }
        return simple[kind]

    @property
    def table(self) -> str:
        return self.name.rpartition(".")[0]

    @property
    def leaf(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def policy_name(self) -> str:
        """The name Group Policy and macOS profiles know this key by.

        The rule: CamelCase of the dotted name without its top-level table
        ("reminders.sitting_limit" -> "SittingLimit", "schedule.work_hours.monday"
        -> "WorkHoursMonday"), unless `policy` names it (a leaf such as "file" says
        nothing once its table is gone). One flat name space: a test checks they
        are unique.
        """
        if self.policy:
            return self.policy
        below_table = self.name.partition(".")[2]
        return "".join(part.capitalize() for part in re.split(r"[._]", below_table))

    @property
    def holds_list(self) -> bool:
        """A list value: a list subkey in the registry, an array in a plist."""
        return self.kind in LIST_KINDS


def _weekday(day: str, default: list[str]) -> Key:
    return Key(
        f"schedule.work_hours.{day}",
        Kind.WORK_HOURS,
        default,
        f"Work hours on {day.capitalize()}",
        f'Zero or more "HH:MM-HH:MM" ranges of work on {day.capitalize()}; [] means no work.',
    )


_OFFICE_DAY = ["09:00-12:30", "13:30-17:30"]

TABLE: tuple[Key, ...] = (
    Key(
        "schedule.timezone",
        Kind.TIMEZONE,
        "local",
        "Time zone",
        'The time zone work hours and days off are read in: "local" (the computer\'s zone) '
        'or an IANA name such as "Europe/Berlin" or "America/New_York". Every time the '
        "tray and the command line show is in this zone.",
    ),
    Key(
        "schedule.days_off",
        Kind.DATES,
        [],
        "Days off",
        'Dates with no reminders at all (holidays), as ISO dates "YYYY-MM-DD".',
    ),
    *(_weekday(day, _OFFICE_DAY if day not in ("saturday", "sunday") else []) for day in WEEKDAYS),
    Key(
        "reminders.sitting_limit",
        Kind.DURATION,
        "50m",
        "Sitting limit",
        "Continuous sitting before the first prompt of a spell. From 1s to 12h.",
        minimum=SECOND,
        maximum=12 * HOUR,
    ),
    Key(
        "reminders.repeat_every",
        Kind.DURATION,
        "10m",
        "Repeat every",
        "While the spell goes on after a prompt, prompt again this often. From 1s to 12h.",
        minimum=SECOND,
        maximum=12 * HOUR,
    ),
    Key(
        "reminders.snooze_options",
        Kind.DURATIONS,
        ["10m", "30m", "1h"],
        "Snooze choices",
        "Snooze lengths offered in the tray and on notifications; the first one is the "
        "default for `sitting-reminder snooze` and the notification's button. Each from "
        "1s to 12h.",
        minimum=SECOND,
        maximum=12 * HOUR,
    ),
    Key(
        "activity.break_after_idle",
        Kind.DURATION,
        "5m",
        "Break after away for",
        "Away from keyboard and mouse (or a locked screen) this long counts as a break "
        "and ends the sitting spell. From 1s to 8h.",
        minimum=SECOND,
        maximum=8 * HOUR,
    ),
    Key(
        "activity.check_every",
        Kind.DURATION,
        "15s",
        "Check every",
        "Where the desktop cannot announce activity (KDE, Windows, macOS), how often "
        "activity is asked for while you are away. Where it can (X11, GNOME) nothing is "
        "polled. From 1s to 10m.",
        minimum=SECOND,
        maximum=10 * MINUTE,
    ),
    Key(
        "notifications.backend",
        Kind.CHOICE,
        "auto",
        "Notifications",
        'Which notifier shows prompts: "auto" (desktop notifications with buttons, then '
        'plyer, then the console), "desktop-notifier", "plyer" or "console".',
        choices=BACKENDS,
        policy="NotificationBackend",
    ),
    Key(
        "notifications.quiet_when_fullscreen",
        Kind.BOOL,
        True,
        "Quiet during full-screen windows",
        "Hold prompts while a full-screen window (a presentation, a video) is active; "
        "one prompt comes when it ends.",
    ),
    Key(
        "notifications.quiet_during_calls",
        Kind.BOOL,
        True,
        "Quiet during calls",
        "Hold prompts while the microphone or the camera is in use (a call); the spell "
        "keeps counting, and one prompt comes after the call. Nothing about the call is "
        "recorded but that a prompt was held and for how long.",
    ),
    Key(
        "notifications.quiet_when_dnd",
        Kind.BOOL,
        True,
        "Quiet during Do Not Disturb",
        "Hold prompts while the desktop's Do Not Disturb is on; one prompt comes when it ends.",
    ),
    Key(
        "notifications.after_call",
        Kind.DURATION,
        "1m",
        "Prompt after a call within",
        "When a call or Do Not Disturb ends and the spell is past its limit, prompt within "
        "this time. From 1s to 1h.",
        minimum=SECOND,
        maximum=HOUR,
    ),
    Key(
        "notifications.max_hold",
        Kind.DURATION,
        "3h",
        "Longest hold",
        "A call, Do Not Disturb or full-screen signal that lasts longer than this is taken "
        "for a stuck signal: prompts come again, with a warning in the log. From 1m to 24h.",
        minimum=MINUTE,
        maximum=24 * HOUR,
    ),
    Key(
        "stretches.file",
        Kind.TEXT,
        "",
        "Stretch catalog file",
        "A TOML stretch catalog of your own, in the format of config/stretches.toml: "
        '`mode = "extend"` (the default: add to the built-in catalog, an existing id '
        'replaces that entry, `remove = ["id", ...]` drops built-ins) or `mode = "replace"`, '
        'then one [[stretch]] table per movement. "" uses the built-in catalog only.',
        policy="StretchCatalogFile",
    ),
    Key(
        "stretches.only",
        Kind.TAGS,
        [],
        "Kinds of stretches",
        'Show only stretches with one of these tags: "seated", "standing", "discreet" '
        "(for an open-plan desk or clothes that do not suit every movement). [] shows all.",
        choices=STRETCH_TAGS,
        policy="StretchTags",
    ),
    Key(
        "guide.url",
        Kind.TEXT,
        "",
        "Guide address",
        'Where "Glute knot guide" points: "" is the built-in offline guide; IT may point it '
        "at an intranet page instead.",
        policy="GuideUrl",
    ),
)

KEYS: dict[str, Key] = {key.name: key for key in TABLE}
BY_POLICY_NAME: dict[str, Key] = {key.policy_name.lower(): key for key in TABLE}
"""Keys by policy name, lower-cased: registry value names are not case-sensitive."""
LOCKS_KEY = "managed.locked"

TABLE_NOTES: dict[str, str] = {
    "schedule.work_hours": (
        'Per weekday, zero or more "HH:MM-HH:MM" ranges in which sitting is tracked. '
        'Ranges must not be empty, reversed or overlap; "00:00-24:00" is a whole day and [] '
        "is a day without work. Nothing is tracked or prompted outside these ranges."
    ),
}
"""Notes for a whole table, written once above it in config/default.toml."""


def validate(key: str, value: Any) -> Any:
    """Check `value` (as TOML gives it) for `key` and return the typed value.

    The one validation function: raises `Invalid(expected, found)` for a value of
    the wrong form, and KeyError for a key that does not exist.
    """
    return KEYS[key].parse(value)


__all__ = [
    "BACKENDS",
    "BY_POLICY_NAME",
    "KEYS",
    "LIST_KINDS",
    "LOCKS_KEY",
    "STRETCH_TAGS",
    "TABLE",
    "TABLE_NOTES",
    "Invalid",
    "Key",
    "Kind",
    "validate",
]
