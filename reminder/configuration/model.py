"""The one frozen, typed configuration object the whole service reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from functools import cached_property

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, order=True)
class TimeRange:
    """A work-hours range in minutes after local midnight; `end` may be 1440 (24:00)."""

    start_min: int
    end_min: int

    def __str__(self) -> str:
        return f"{_hhmm(self.start_min)}-{_hhmm(self.end_min)}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Schedule:
    timezone: str
    zone: tzinfo = field(compare=False, repr=False)
    days_off: frozenset[date]
    work_hours: tuple[tuple[TimeRange, ...], ...]  # index 0 is Monday

    def __hash__(self) -> int:
        """Hashed once: every policy tick looks its day's spans up by schedule."""
        return self._hash

    @cached_property
    def _hash(self) -> int:
        return hash((self.timezone, self.days_off, self.work_hours))


@dataclass(frozen=True)
class Reminders:
    sitting_limit: timedelta
    repeat_every: timedelta
    snooze_options: tuple[timedelta, ...]


@dataclass(frozen=True)
class Activity:
    break_after_idle: timedelta
    check_every: timedelta


@dataclass(frozen=True)
class Notifications:
    backend: str
    quiet_when_fullscreen: bool
    quiet_during_calls: bool
    quiet_when_dnd: bool
    after_call: timedelta
    max_hold: timedelta


@dataclass(frozen=True)
class Stretches:
    file: str
    only: tuple[str, ...]


@dataclass(frozen=True)
class Guide:
    url: str


@dataclass(frozen=True)
class Config:
    """The effective configuration after every layer and lock was applied."""

    schedule: Schedule
    reminders: Reminders
    activity: Activity
    notifications: Notifications
    stretches: Stretches
    guide: Guide
