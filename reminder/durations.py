"""Durations written with units ("90s", "45m", "1h30m") and back."""

from __future__ import annotations

import re
from datetime import timedelta

DURATION_FORM = 'a duration with units such as "90s", "45m" or "1h30m"'
_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")


class DurationTooLong(ValueError):
    """A duration in the right form but longer than any timedelta (or int) holds."""


def parse_duration(text: str) -> timedelta:
    """Parse "1h30m"-style text; raise ValueError naming the expected form."""
    cleaned = text.strip().lower().replace(" ", "")
    match = _DURATION.match(cleaned)
    if not cleaned or match is None or not any(match.groupdict().values()):
        shown = text if len(text) <= 40 else f"{text[:40]}…"
        raise ValueError(f"expected {DURATION_FORM}, found {shown!r}")
    try:
        hours, minutes, seconds = (int(match.group(name) or 0) for name in ("h", "m", "s"))
        return timedelta(hours=hours, minutes=minutes, seconds=seconds)
    except (OverflowError, ValueError):  # more than a timedelta (or an int) holds
        shown = text if len(text) <= 40 else f"{text[:40]}…"
        raise DurationTooLong(
            f"expected {DURATION_FORM}, found {shown!r}, which is far too long"
        ) from None


def human_duration(value: timedelta) -> str:
    """How every message, menu and page shows a length of time: "1 hour 30 min", "45 min", "40 s".

    One rule for every place a person reads a duration (the TOML form "1h30m" is only
    for values to type back in, as `format_duration` writes them).
    """
    total = max(0, int(value.total_seconds()))
    if total < 60:
        return f"{total} s"
    hours, minutes = divmod(total // 60, 60)
    parts = []
    if hours:
        parts.append("1 hour" if hours == 1 else f"{hours} hours")
    if minutes:
        parts.append(f"{minutes} min")
    return " ".join(parts)


def format_duration(value: timedelta, *, coarse: bool = False) -> str:
    """Render a duration the way users write it: "1h30m", "45m", "90s" -> "1m30s".

    With `coarse`, seconds are dropped once the duration reaches a minute.
    """
    total = max(0, int(value.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours}h")
    if minutes:
        parts.append(f"{minutes}m")
    if seconds and not (coarse and total >= 60):
        parts.append(f"{seconds}s")
    return "".join(parts) or "0s"
