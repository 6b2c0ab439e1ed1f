"""Parsers for each kind of configuration value; they raise `Invalid(expected, found)`."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reminder.configuration.model import WEEKDAYS, TimeRange
from reminder.durations import DURATION_FORM, parse_duration


class Invalid(Exception):
    """A value of the wrong form: what was expected and what was found."""

    def __init__(self, expected: str, found: str) -> None:
        super().__init__(f"expected {expected}, found {found}")
        self.expected = expected
        self.found = found


def describe(value: Any) -> str:
    """How a found value is shown in an error: its TOML type and value."""
    kinds = {bool: "a boolean", int: "a bare number", float: "a bare number", str: "the string"}
    kind = next((label for typ, label in kinds.items() if type(value) is typ), None)
    if isinstance(value, list):
        return f"a list {value!r}"
    if isinstance(value, dict):
        return "a table"
    if kind is None:
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, str):
        return f'the string "{value}"'
    return f"{kind} {str(value).lower() if isinstance(value, bool) else value}"


def as_duration(value: Any) -> timedelta:
    if not isinstance(value, str):
        raise Invalid(DURATION_FORM, describe(value))
    try:
        result = parse_duration(value)
    except ValueError:
        raise Invalid(DURATION_FORM, describe(value)) from None
    if result <= timedelta(0):
        raise Invalid("a duration longer than zero", describe(value))
    return result


def as_duration_list(value: Any) -> tuple[timedelta, ...]:
    expected = f"a non-empty list of durations, each {DURATION_FORM}"
    if not isinstance(value, list) or not value:
        raise Invalid(expected, describe(value))
    return tuple(as_duration(item) for item in value)


_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
RANGE_FORM = 'a list of "HH:MM-HH:MM" ranges such as ["09:00-12:30", "13:30-17:30"]'


def as_work_hours(value: Any) -> tuple[TimeRange, ...]:
    """Ranges in order, none reversed or overlapping; "00:00-24:00" is a whole day."""
    if not isinstance(value, list):
        raise Invalid(RANGE_FORM, describe(value))
    ranges = []
    for item in value:
        match = _RANGE.match(item.strip()) if isinstance(item, str) else None
        if match is None:
            raise Invalid(RANGE_FORM, describe(item))
        h1, m1, h2, m2 = (int(group) for group in match.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
            raise Invalid("times from 00:00 to 24:00", describe(item))
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise Invalid("a range whose end comes after its start", f'the reversed range "{item}"')
        ranges.append(TimeRange(start, end))
    ordered = sorted(ranges)
    for earlier, later in pairwise(ordered):
        if later.start_min < earlier.end_min:
            raise Invalid("ranges that do not overlap", f'"{earlier}" overlapping "{later}"')
    return tuple(ordered)


def as_date_list(value: Any) -> frozenset[date]:
    expected = 'a list of ISO dates such as ["2026-12-25"]'
    if not isinstance(value, list):
        raise Invalid(expected, describe(value))
    days = set()
    for item in value:
        if isinstance(item, date):  # a TOML local date
            days.add(item)
            continue
        if not isinstance(item, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", item):
            raise Invalid(expected, describe(item))
        try:
            days.add(date.fromisoformat(item))
        except ValueError:
            raise Invalid("a real calendar date (YYYY-MM-DD)", describe(item)) from None
    return frozenset(days)


def local_zone() -> tzinfo:
    """The computer's time zone, with its daylight-saving rules where they can be found."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    localtime = Path("/etc/localtime")
    if localtime.exists():
        try:
            with localtime.open("rb") as handle:
                return ZoneInfo.from_file(handle, key="localtime")
        except (OSError, ValueError):
            pass
    return datetime.now(timezone.utc).astimezone().tzinfo or timezone.utc


def as_timezone(value: Any) -> tuple[str, tzinfo]:
    expected = '"local" or an IANA time zone name such as "Europe/Berlin"'
    if not isinstance(value, str) or not value.strip():
        raise Invalid(expected, describe(value))
    if value == "local":
        return value, local_zone()
    try:
        return value, ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(expected, f'the unknown time zone "{value}"') from None


BACKENDS = ("auto", "desktop-notifier", "plyer", "console")


def as_backend(value: Any) -> str:
    expected = "one of " + ", ".join(f'"{name}"' for name in BACKENDS)
    if value not in BACKENDS:
        raise Invalid(expected, describe(value))
    return str(value)


def as_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("true or false", describe(value))
    return value


def as_string(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("a string", describe(value))
    return value


def as_string_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Invalid('a list of dotted keys such as ["reminders.sitting_limit"]', describe(value))
    return tuple(value)


@dataclass(frozen=True)
class KeySpec:
    """One configuration key: how to check its value."""

    parse: Callable[[Any], Any]


KEYS: dict[str, KeySpec] = {
    "schedule.timezone": KeySpec(as_timezone),
    "schedule.days_off": KeySpec(as_date_list),
    **{f"schedule.work_hours.{day}": KeySpec(as_work_hours) for day in WEEKDAYS},
    "reminders.sitting_limit": KeySpec(as_duration),
    "reminders.repeat_every": KeySpec(as_duration),
    "reminders.snooze_options": KeySpec(as_duration_list),
    "activity.break_after_idle": KeySpec(as_duration),
    "activity.check_every": KeySpec(as_duration),
    "notifications.backend": KeySpec(as_backend),
    "notifications.quiet_when_fullscreen": KeySpec(as_bool),
    "stretches.file": KeySpec(as_string),
    "guide.url": KeySpec(as_string),
}
LOCKS_KEY = "managed.locked"
DURATION_KEYS = tuple(key for key, spec in KEYS.items() if spec.parse is as_duration)
