"""The policy state as JSON for state.json, and back (tolerant of missing fields)."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from reminder.core.policy import PolicyState

STATE_VERSION = 1


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
        if item.name not in data or data[item.name] is None:
            continue
        raw = data[item.name]
        if item.name in ("prompts_in_spell",):
            if not isinstance(raw, int):
                raise ValueError(f"{item.name} must be an integer")
            values[item.name] = raw
        elif item.name == "held":
            values[item.name] = bool(raw)
        else:
            moment = datetime.fromisoformat(str(raw))
            if moment.tzinfo is None:
                raise ValueError(f"{item.name} has no time zone")
            values[item.name] = moment
    return PolicyState(**values)
