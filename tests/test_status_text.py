"""What `status`, `status --json`, `stats --json` and `plan` say, word for word.

The snapshots (`reminder.core.model.Status`, `DayStats`) and the day plan are
built here as the engine and the history build them, from literal instants in
Europe/Berlin; the documents and lines they render are what the CLI prints and
scripts read. Nothing is faked.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from policy_config import make_config

from reminder.configuration.model import WEEKDAYS
from reminder.core.model import (
    HELD_LINES,
    DayStats,
    SpellState,
    Status,
    clock_text,
)
from reminder.core.plan import plan_day

BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC = timezone.utc
MIN = timedelta(minutes=1)
NOW = datetime(2026, 12, 1, 9, 30, 20, tzinfo=BERLIN)  # a Tuesday


def berlin(clock: str, day: str = "2026-12-01") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BERLIN)


def status(state: SpellState, **fields: Any) -> Status:
    """A snapshot at NOW, sitting since 09:00 with the default 50-minute limit."""
    sitting = Status(
        state=state,
        now=NOW,
        sitting_for=30 * MIN + timedelta(seconds=20),
        next_prompt_at=berlin("09:50"),
        snoozed_until=None,
        paused_until=None,
        sitting_limit=50 * MIN,
        zone=BERLIN,
        spell_started_at=berlin("09:00"),
    )
    return replace(sitting, **fields)


# ------------------------------------------------------------------ status


@pytest.mark.parametrize(
    ("snapshot", "expected"),
    [
        (status(SpellState.SITTING), "sitting for 30 min (since 09:00); next prompt at 09:50"),
        (
            status(SpellState.DUE, sitting_for=55 * MIN, next_prompt_at=berlin("10:00")),
            "sitting for 55 min (since 09:00): time to move; next prompt at 10:00",
        ),
        (
            status(SpellState.SITTING, spell_started_at=None, next_prompt_at=None),
            "sitting for 30 min",
        ),
        (
            status(SpellState.SNOOZED, snoozed_until=berlin("10:21"), next_prompt_at=None),
            "snoozed until 10:21, sitting for 30 min",
        ),
        (
            status(
                SpellState.SNOOZED,
                snoozed_until=berlin("10:21"),
                next_prompt_at=berlin("10:21"),
            ),
            "snoozed until 10:21, sitting for 30 min; next prompt at 10:21",
        ),
        (
            status(SpellState.PAUSED, paused_until=berlin("09:00", "2026-12-02")),
            "paused until Wed 09:00",
        ),
        (
            status(SpellState.OFF_HOURS, tracking_resumes_at=berlin("13:00")),
            "outside work hours; tracking resumes 13:00",
        ),
        (status(SpellState.OFF_HOURS), "outside work hours"),
        (status(SpellState.ON_BREAK, next_prompt_at=None), "on a break"),
        (
            status(SpellState.OFF_HOURS, snoozed_until=berlin("12:05"), next_prompt_at=None),
            "outside work hours",
        ),
    ],
    ids=[
        "sitting",
        "due",
        "sitting-no-start-known",
        "snoozed",
        "snoozed-with-next-prompt",
        "paused-until-tomorrow",
        "off-hours-resuming",
        "off-hours",
        "on-a-break",
        "off-hours-while-a-snooze-runs",
    ],
)
def test_plain_status_is_one_line_per_state(snapshot: Status, expected: str) -> None:
    assert snapshot.one_line() == expected


def test_paused_and_off_hours_never_announce_a_prompt() -> None:
    for state in (SpellState.PAUSED, SpellState.OFF_HOURS):
        snapshot = status(state, paused_until=berlin("11:00"), next_prompt_at=berlin("09:50"))
        assert "next prompt" not in snapshot.one_line()


def test_status_adds_what_holds_the_prompt_then_notes_then_warnings() -> None:
    snapshot = status(
        SpellState.DUE,
        sitting_for=55 * MIN,
        next_prompt_at=None,
        held_for="call",
        notes=("managed file from cache (the share was offline)",),
        config_warning="the user file has an error; the last good one is in use",
    )
    assert snapshot.lines() == [
        "sitting for 55 min (since 09:00): time to move",
        "In a call: your reminder waits, and comes soon after the call",
        "note: managed file from cache (the share was offline)",
        "warning: the user file has an error; the last good one is in use",
    ]
    assert snapshot.one_line() == "\n".join(snapshot.lines())
    assert set(HELD_LINES) == {"call", "dnd", "fullscreen"}
    assert HELD_LINES["dnd"] == "Do Not Disturb is on: your reminder waits until it is off"
    assert HELD_LINES["fullscreen"] == "held: full-screen window; the prompt comes when it closes"


def test_times_are_shown_in_the_schedule_zone_and_labelled_when_not_the_systems() -> None:
    snapshot = status(SpellState.SITTING, zone=TOKYO, zone_label="Asia/Tokyo")
    assert snapshot.one_line() == (
        "sitting for 30 min (since 17:00 Asia/Tokyo); next prompt at 17:50 Asia/Tokyo"
    )
    assert snapshot.clock(berlin("17:00")) == "Wed 01:00 Asia/Tokyo"


def test_a_clock_time_names_the_day_only_when_it_is_not_today() -> None:
    assert clock_text(berlin("10:42"), NOW, BERLIN) == "10:42"
    assert clock_text(berlin("23:59"), NOW, BERLIN) == "23:59"
    assert clock_text(berlin("00:00", "2026-12-02"), NOW, BERLIN) == "Wed 00:00"
    assert clock_text(berlin("09:00", "2026-11-30"), NOW, BERLIN) == "Mon 09:00"
    assert clock_text(berlin("10:42"), NOW, BERLIN, zone_label="Europe/Berlin") == (
        "10:42 Europe/Berlin"
    )
    # 00:30 in Berlin is still yesterday in UTC: "today" is Berlin's
    just_after_midnight = berlin("00:30", "2026-12-02")
    assert clock_text(berlin("00:45", "2026-12-02"), just_after_midnight, BERLIN) == "00:45"


def test_the_json_status_carries_every_documented_field() -> None:
    today = DayStats("2026-12-01", prompts=2, sitting_s=3600)
    snapshot = status(
        SpellState.DUE,
        sitting_for=timedelta(minutes=55, seconds=30, microseconds=900),
        next_prompt_at=berlin("10:00:00.5"),
        snoozed_until=berlin("09:40"),
        paused_until=berlin("09:00", "2026-12-02"),
        tracking_resumes_at=berlin("13:00"),
        activity_detection="x11",
        interval_locked_by="/etc/sitting-reminder/config.toml",
        locked={"reminders.sitting_limit": "/etc/sitting-reminder/config.toml"},
        refusals={"resume": "nothing is snoozed or paused"},
        today=today,
        config_warning="careful",
        notes=("a note",),
        pid=4242,
        held_for="fullscreen",
        held_since=berlin("09:50"),
        call_detection=("pulse", "camera"),
        day_off=True,
        extra={"version": "0.1.0"},
    )
    assert snapshot.to_json() == {
        "state": "sitting",
        "due": True,
        "sitting_for_s": 3330,
        "spell_started_at": "2026-12-01T09:00:00+01:00",
        "next_prompt_at": "2026-12-01T10:00:00+01:00",
        "snoozed_until": "2026-12-01T09:40:00+01:00",
        "paused_until": "2026-12-02T09:00:00+01:00",
        "tracking_resumes_at": "2026-12-01T13:00:00+01:00",
        "day_off": True,
        "sitting_limit_s": 3000,
        "activity_detection": "x11",
        "held_for": "fullscreen",
        "held_since": "2026-12-01T09:50:00+01:00",
        "call_detection": ["pulse", "camera"],
        "interval_locked_by": "/etc/sitting-reminder/config.toml",
        "locked": {"reminders.sitting_limit": "/etc/sitting-reminder/config.toml"},
        "refusals": {"resume": "nothing is snoozed or paused"},
        "today": today.to_json(),
        "config_warning": "careful",
        "config_notes": ["a note"],
        "timezone": "Europe/Berlin",
        "now": "2026-12-01T09:30:20+01:00",
        "pid": 4242,
        "version": "0.1.0",
    }
    assert snapshot.refusal("resume") == "nothing is snoozed or paused"
    assert snapshot.refusal("snooze") is None


def test_the_json_status_of_a_fresh_snapshot_says_null_where_nothing_is_known() -> None:
    snapshot = Status(SpellState.ON_BREAK, NOW, timedelta(0), None, None, None, 50 * MIN)
    document = snapshot.to_json()
    assert document["state"] == "on_break"
    assert document["due"] is False
    nothing = ("next_prompt_at", "snoozed_until", "paused_until", "spell_started_at")
    assert all(document[name] is None for name in nothing)
    assert document["activity_detection"] == "unavailable"
    assert (document["held_for"], document["today"], document["pid"]) == (None, None, None)
    assert (document["call_detection"], document["config_notes"]) == ([], [])
    assert document["timezone"] == "UTC"


def test_only_due_has_a_public_name_other_than_its_own() -> None:
    assert [state.public_name for state in SpellState] == [
        "sitting",
        "sitting",
        "on_break",
        "snoozed",
        "paused",
        "off_hours",
    ]


# ------------------------------------------------------------------- stats


def test_a_days_stats_document_names_every_number() -> None:
    day = DayStats(
        "2026-11-23",
        prompts=1,
        snoozes=2,
        breaks_taken=3,
        natural_breaks=4,
        longest_spell_s=5,
        sitting_s=6,
        breaks_after_prompt=7,
        breaks_on_own=8,
        ended_with_work_day=9,
        ended_by_pause=10,
        calls_held=11,
        call_held_s=12,
        in_progress_s=13,
    )
    assert day.to_json() == {
        "date": "2026-11-23",
        "prompts": 1,
        "snoozes": 2,
        "breaks_taken": 3,
        "natural_breaks": 4,
        "longest_spell_s": 5,
        "sitting_s": 6,
        "breaks_after_prompt": 7,
        "breaks_on_own": 8,
        "ended_with_work_day": 9,
        "ended_by_pause": 10,
        "calls_held": 11,
        "call_held_s": 12,
        "in_progress_s": 13,
    }
    assert day.breaks == 15  # after a prompt or not; the end of work hours is no break


# -------------------------------------------------------------------- plan


def test_the_plan_of_a_work_day_as_text_and_json() -> None:
    config = make_config(repeat_every=60 * MIN)
    plan = plan_day(config, date(2026, 12, 1))
    assert plan.to_json(config) == {
        "date": "2026-12-01",
        "timezone": "Europe/Berlin",
        "day_off": False,
        "work_hours": [["09:00", "12:00"], ["13:00", "17:00"]],
        "prompts": ["09:50", "10:50", "11:50", "13:50", "14:50", "15:50", "16:50"],
    }
    assert plan.render(config) == (
        "2026-12-01 (Tuesday, Europe/Berlin)\n"
        "  work 09:00-12:00\n"
        "  work 13:00-17:00\n"
        "  prompts if you never get up (7): 09:50, 10:50, 11:50, 13:50, 14:50, 15:50, 16:50"
    )
    assert plan.prompts[0] == berlin("09:50").astimezone(UTC)


def test_the_plan_of_a_whole_day_stops_at_its_midnight() -> None:
    """00:00-24:00 every day, a prompt each hour: the one at midnight belongs to tomorrow."""
    config = make_config(
        {day: ["00:00-24:00"] for day in WEEKDAYS}, sitting_limit=60 * MIN, repeat_every=60 * MIN
    )
    prompts = plan_day(config, date(2026, 12, 1)).to_json(config)["prompts"]
    assert prompts == [f"{hour:02d}:00" for hour in range(1, 24)]


def test_the_plan_of_a_schedule_without_work_hours() -> None:
    config = make_config({})
    plan = plan_day(config, date(2026, 12, 1))
    assert plan.render(config).splitlines()[1:] == [
        "  no work hours",
        "  prompts if you never get up (0): none",
    ]


@pytest.mark.parametrize(
    ("day", "days_off", "day_off", "reason"),
    [
        (date(2026, 12, 24), (date(2026, 12, 24),), True, "day off: no reminders"),
        (date(2026, 12, 5), (), False, "no work hours"),
    ],
    ids=["holiday", "saturday"],
)
def test_the_plan_of_a_day_without_work_says_why(
    day: date, days_off: tuple[date, ...], day_off: bool, reason: str
) -> None:
    config = make_config(days_off=days_off)
    plan = plan_day(config, day)
    document = plan.to_json(config)
    assert (document["day_off"], document["work_hours"], document["prompts"]) == (day_off, [], [])
    assert plan.render(config).splitlines()[1:] == [
        f"  {reason}",
        "  prompts if you never get up (0): none",
    ]
