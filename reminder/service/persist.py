"""The policy state as JSON for state.json, and back (tolerant of missing fields).

A state file is only trusted as far as it is plausible: an instant outside
`EARLIEST`..`LATEST` (year 1 or 9999 would overflow the first sum of a date and
a duration) makes the whole file "not a state we wrote", which the engine
treats like a corrupt file (moved aside, warned).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timezone
from typing import Any, get_args

from reminder.core.model import HeldFor
from reminder.core.policy import PolicyState

STATE_VERSION = 1
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)

_INSTANTS = frozenset(item.name for item in fields(PolicyState) if "datetime" in str(item.type))
_COUNTS = frozenset({"prompts_in_spell", "release_call_s"})
_HELD_FOR = frozenset(get_args(HeldFor))


def state_to_json(state: PolicyState) -> dict[str, Any]:
    data: dict[str, Any] = {"version": STATE_VERSION}
    for item in fields(state):
        value = getattr(state, item.name)
        data[item.name] = value.isoformat() if isinstance(value, datetime) else value
    return data


def state_from_json(data: dict[str, Any]) -> PolicyState:
    """Rebuild the state; raise ValueError when the content is not a state we wrote."""
    if data.get("version") != STATE_VERSION:
        raise ValueError(f"unknown state version {data.get('version')!r}")
    values: dict[str, Any] = {}
    for item in fields(PolicyState):
        name = item.name
        if name not in data or data[name] is None:
            continue
        raw = data[name]
        if name in _INSTANTS:
            values[name] = _instant(name, raw)
        elif name in _COUNTS:
            if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw < 10**9:
                raise ValueError(f"{name} must be a small whole number, found {raw!r}")
            values[name] = raw
        elif name == "held_for":
            if raw not in _HELD_FOR:
                raise ValueError(f"held_for must be one of {sorted(_HELD_FOR)}, found {raw!r}")
            values[name] = raw
        elif name == "stuck":
            if not isinstance(raw, str) or not set(filter(None, raw.split(","))) <= _HELD_FOR:
                raise ValueError(f"stuck must list signal kinds, found {raw!r}")
            values[name] = raw
    return PolicyState(**values)


def _instant(name: str, raw: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(f"{name} is not a date and time: {str(raw)[:40]!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"{name} has no time zone")
    try:
        utc = moment.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(f"{name} is out of range: {moment.isoformat()}") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError(f"{name} is out of range: {moment.isoformat()}")
    return utc
