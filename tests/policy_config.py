"""A Berlin `Config` built directly, for the policy tests (work hours still parsed for real)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from reminder.configuration.model import (
    WEEKDAYS,
    Activity,
    Config,
    Guide,
    Notifications,
    Reminders,
    Schedule,
    Stretches,
)
from reminder.configuration.values import as_work_hours

BERLIN = ZoneInfo("Europe/Berlin")
SEC = timedelta(seconds=1)
MIN = timedelta(minutes=1)
SNOOZE_OPTIONS = (10 * MIN, 30 * MIN, 60 * MIN)
OFFICE = {day: ["09:00-12:00", "13:00-17:00"] for day in WEEKDAYS[:5]}


def make_config(
    work_hours: Mapping[str, Sequence[str]] = OFFICE,
    *,
    days_off: Sequence[date] = (),
    sitting_limit: timedelta = 50 * MIN,
    repeat_every: timedelta = 10 * MIN,
    break_after_idle: timedelta = 5 * MIN,
    check_every: timedelta = 15 * SEC,
    quiet_when_fullscreen: bool = True,
    quiet_during_calls: bool = True,
    quiet_when_dnd: bool = True,
    after_call: timedelta = MIN,
    max_hold: timedelta = 3 * 60 * MIN,
) -> Config:
    """A Berlin configuration; work hours go through the real range parser."""
    return Config(
        schedule=Schedule(
            timezone="Europe/Berlin",
            zone=BERLIN,
            days_off=frozenset(days_off),
            work_hours=tuple(as_work_hours(list(work_hours.get(day, []))) for day in WEEKDAYS),
        ),
        reminders=Reminders(sitting_limit, repeat_every, SNOOZE_OPTIONS),
        activity=Activity(break_after_idle, check_every),
        notifications=Notifications(
            "console",
            quiet_when_fullscreen,
            quiet_during_calls,
            quiet_when_dnd,
            after_call,
            max_hold,
        ),
        stretches=Stretches("", ()),
        guide=Guide(""),
    )
