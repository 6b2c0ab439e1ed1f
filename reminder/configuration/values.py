"""Parsers for each kind of configuration value; they raise `Invalid(expected, found)`.

Each parser takes the value as TOML gives it (str, bool, list, date ...) and
returns the typed value the frozen Config holds. They are the only place a
value's form is checked: the loader, the CLI and the settings window all reach
them through `reminder.configuration.keys.validate`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reminder.configuration.model import TimeRange
from reminder.durations import (
    DURATION_FORM,
    DurationTooLong,
    format_duration,
    human_duration,
    parse_duration,
)

MAX_SHOWN_CHARS = 60
"""A found string longer than this is cut in error messages (a 1 MiB value is not echoed)."""


class Invalid(Exception):
    """A value of the wrong form: what was expected and what was found."""

    def __init__(self, expected: str, found: str) -> None:
        super().__init__(f"expected {expected}, found {found}")
        self.expected = expected
        self.found = found


def shown(text: str) -> str:
    """`text` as an error message quotes it: cut to a readable length."""
    if len(text) <= MAX_SHOWN_CHARS:
        return text
    return f"{text[:MAX_SHOWN_CHARS]}… ({len(text)} characters)"


def describe(value: Any) -> str:
    """How a found value is shown in an error: its TOML type and value."""
    if isinstance(value, bool):
        return f"a boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"a bare number {shown(str(value))}"
    if isinstance(value, str):
        return f'the string "{shown(value)}"'
    if isinstance(value, list):
        return "an empty list" if not value else f"a list {shown(repr(value))}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime):
        return f"the date and time {value.isoformat()}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    return f"{type(value).__name__} {shown(repr(value))}"


Parser = Callable[[Any], Any]


def duration_parser(minimum: timedelta, maximum: timedelta) -> Callable[[Any], timedelta]:
    """A parser for one duration between `minimum` and `maximum` (both included)."""
    return partial(as_duration, minimum=minimum, maximum=maximum)


def as_duration(value: Any, *, minimum: timedelta, maximum: timedelta) -> timedelta:
    """One duration between `minimum` and `maximum` (both included).

    Module-level, not a closure, so each check runs when a value is checked (where
    `make mutation` can see it), not only when the key table is built at import.
    """
    at_most = f"a duration of at most {format_duration(maximum)} ({human_duration(maximum)})"
    if not isinstance(value, str):
        raise Invalid(DURATION_FORM, describe(value))
    try:
        result = parse_duration(value)
    except DurationTooLong:
        raise Invalid(at_most, describe(value)) from None
    except ValueError:
        raise Invalid(DURATION_FORM, describe(value)) from None
    if result < minimum or result <= timedelta(0):
        raise Invalid(f"a duration of at least {format_duration(minimum)}", describe(value))
    if result > maximum:
        raise Invalid(at_most, describe(value))
    return result


def duration_list_parser(
    minimum: timedelta, maximum: timedelta
) -> Callable[[Any], tuple[timedelta, ...]]:
    """A parser for a non-empty list of durations, each between `minimum` and `maximum`."""
    return partial(as_duration_list, minimum=minimum, maximum=maximum)


def as_duration_list(
    value: Any, *, minimum: timedelta, maximum: timedelta
) -> tuple[timedelta, ...]:
    """A non-empty list of durations, each between `minimum` and `maximum`."""
    expected = f"a non-empty list of durations, each {DURATION_FORM}"
    if not isinstance(value, list) or not value:
        raise Invalid(expected, describe(value))
    return tuple(as_duration(item, minimum=minimum, maximum=maximum) for item in value)


_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
RANGE_FORM = 'a list of "HH:MM-HH:MM" ranges such as ["09:00-12:30", "13:30-17:30"]'


def as_work_hours(value: Any) -> tuple[TimeRange, ...]:
    """Ranges in order, none empty, reversed or overlapping; "00:00-24:00" is a whole day."""
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
        if end == start:
            raise Invalid("a range that lasts some time", f'the empty range "{item}"')
        if end < start:
            raise Invalid("a range whose end comes after its start", f'the reversed range "{item}"')
        ranges.append(TimeRange(start, end))
    ordered = sorted(ranges)
    for earlier, later in pairwise(ordered):
        if later.start_min < earlier.end_min:
            raise Invalid("ranges that do not overlap", f'"{earlier}" overlapping "{later}"')
    return tuple(ordered)


DATE_LIST_FORM = 'a list of ISO dates such as ["2026-12-25"]'


def as_date_list(value: Any) -> frozenset[date]:
    """Calendar dates, as strings "YYYY-MM-DD" or TOML local dates (never a date and time)."""
    if not isinstance(value, list):
        raise Invalid(DATE_LIST_FORM, describe(value))
    days = set()
    for item in value:
        if isinstance(item, datetime):  # a subclass of date: it would never match a day
            raise Invalid(DATE_LIST_FORM + " (a date without a time)", describe(item))
        if isinstance(item, date):  # a TOML local date
            days.add(item)
            continue
        if not isinstance(item, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", item):
            raise Invalid(DATE_LIST_FORM, describe(item))
        try:
            days.add(date.fromisoformat(item))
        except ValueError:
            raise Invalid("a real calendar date (YYYY-MM-DD)", describe(item)) from None
    return frozenset(days)


def local_zone() -> tzinfo:
    """The computer's time zone, with its daylight-saving rules where they can be found.

    `TZ` wins (with or without the leading ":" glibc allows), then /etc/localtime.
    """
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            if name.startswith("/"):
                with open(name, "rb") as handle:
                    return ZoneInfo.from_file(handle, key=name)
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    localtime = Path("/etc/localtime")
    if localtime.exists():
        try:
            with localtime.open("rb") as handle:
                return ZoneInfo.from_file(handle, key=_localtime_name(localtime))
        except (OSError, ValueError):
            pass
    return datetime.now(timezone.utc).astimezone().tzinfo or timezone.utc


def _localtime_name(localtime: Path) -> str:
    """The IANA name /etc/localtime links to ("Europe/Berlin"), else "localtime"."""
    try:
        target = str(localtime.resolve())
    except OSError:
        return "localtime"
    marker = "/zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else "localtime"


TIMEZONE_FORM = '"local" or an IANA time zone name such as "Europe/Berlin"'


def as_timezone(value: Any) -> tuple[str, tzinfo]:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(TIMEZONE_FORM, describe(value))
    if value == "local":
        return value, local_zone()
    try:
        return value, ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(TIMEZONE_FORM, f'the unknown time zone "{shown(value)}"') from None


def choice_parser(choices: tuple[str, ...]) -> Callable[[Any], str]:
    """A parser for one of `choices` (a string)."""
    return partial(as_choice, choices=choices)


def as_choice(value: Any, *, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise Invalid("one of " + ", ".join(f'"{name}"' for name in choices), describe(value))
    return value


def tag_list_parser(tags: tuple[str, ...]) -> Callable[[Any], tuple[str, ...]]:
    """A parser for a list of tags, each one of `tags`, no repeats ([] means all)."""
    return partial(as_tags, tags=tags)


def as_tags(value: Any, *, tags: tuple[str, ...]) -> tuple[str, ...]:
    expected = "a list of " + ", ".join(f'"{tag}"' for tag in tags) + " (or [] for all)"
    if not isinstance(value, list):
        raise Invalid(expected, describe(value))
    for item in value:
        if not isinstance(item, str) or item not in tags:
            raise Invalid(expected, describe(item))
    if len(set(value)) != len(value):
        raise Invalid(expected + ", each once", describe(value))
    return tuple(value)


def as_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("true or false", describe(value))
    return value


def as_string(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("a string", describe(value))
    return value
