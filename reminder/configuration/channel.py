"""What a native policy channel (Group Policy, a macOS profile) hands the loader.

A channel's reader turns what the OS stores into TOML-shaped values (durations as
strings, lists as lists, booleans as booleans) keyed by dotted name, each with
the text its origin shows; the loader checks them with the key table like any
file's values.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from reminder.configuration.keys import TABLE, Key, Kind
from reminder.configuration.values import TIMEZONE_FORM
from reminder.durations import DURATION_FORM
from reminder.errors import ConfigError


@dataclass
class PolicyValues:
    """What one policy source holds, before the key table checks it."""

    data: dict[str, Any] = field(default_factory=dict)  # dotted key -> value as TOML gives it
    origins: dict[str, str] = field(default_factory=dict)  # dotted key -> where it was read
    problems: list[ConfigError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def unknown_name(where: str, name: str, what: str = "value") -> str:
    """The warning for a policy name no key has (a newer template than this version knows)."""
    known = [key.policy_name for key in TABLE]
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f' (did you mean "{match[0]}"?)' if match else ""
    return f"{where}: no setting is called {name}; this {what} is ignored{hint}"


def value_form(key: Key) -> str:
    """What a policy value must say, in words every channel's template shows."""
    kind = key.kind
    if kind is Kind.DURATION:
        return DURATION_FORM
    if kind is Kind.DURATIONS:
        return 'one duration per entry, each with units such as "10m" or "1h"; at least one'
    if kind is Kind.WORK_HOURS:
        return (
            'one range "HH:MM-HH:MM" per entry, such as "09:00-12:30"; "00:00-24:00" is a '
            "whole day, and no entries is a day without work"
        )
    if kind is Kind.DATES:
        return 'one date per entry, "YYYY-MM-DD" such as "2026-12-25"'
    if kind is Kind.TAGS:
        tags = ", ".join(f'"{tag}"' for tag in key.choices)
        return f"one tag per entry: {tags}; no entries shows every stretch"
    if kind is Kind.TIMEZONE:
        return TIMEZONE_FORM
    if kind is Kind.CHOICE:
        return "one of " + ", ".join(f'"{choice}"' for choice in key.choices)
    if kind is Kind.BOOL:
        return "on or off"
    return "text"


__all__ = ["PolicyValues", "unknown_name", "value_form"]
