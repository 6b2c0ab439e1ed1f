"""A valid value other than the default for every key, for the policy channels' round trips."""

from __future__ import annotations

from typing import Any

from reminder.configuration.keys import KEYS, validate

SAMPLES: dict[str, Any] = {
    "schedule.timezone": "Europe/Berlin",
    "schedule.days_off": ["2026-12-24", "2026-12-31"],
    "schedule.work_hours.monday": ["08:00-12:00", "12:45-16:30"],
    "schedule.work_hours.tuesday": ["08:00-16:00"],
    "schedule.work_hours.wednesday": [],
    "schedule.work_hours.thursday": ["07:30-11:30", "12:00-15:00"],
    "schedule.work_hours.friday": ["08:00-13:00"],
    "schedule.work_hours.saturday": ["10:00-12:00"],
    "schedule.work_hours.sunday": ["00:00-24:00"],
    "reminders.sitting_limit": "45m",
    "reminders.repeat_every": "7m",
    "reminders.snooze_options": ["5m", "1h30m"],
    "activity.break_after_idle": "4m",
    "activity.check_every": "20s",
    "notifications.backend": "console",
    "notifications.quiet_when_fullscreen": False,
    "notifications.quiet_during_calls": False,
    "notifications.quiet_when_dnd": False,
    "notifications.after_call": "2m",
    "notifications.max_hold": "2h",
    "stretches.file": "/srv/it/stretches.toml",
    "stretches.only": ["seated", "discreet"],
    "guide.url": "https://intranet.example.com/health/moving",
}


def check_samples() -> None:
    """Every key has a sample, valid and different from its default (so a new key is noticed)."""
    assert sorted(SAMPLES) == sorted(KEYS), "add a sample for each new key"
    for key, value in SAMPLES.items():
        validate(key, value)
        assert value != KEYS[key].default, f"the sample of {key} is its default"
