"""Work hours as UTC spans (`reminder.core.schedule`), on literal Berlin dates.

Pure functions of a real Schedule (ranges parsed by the real validator) and
literal instants; nothing is faked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from reminder.configuration.model import WEEKDAYS, Schedule
from reminder.configuration.values import as_work_hours
from reminder.core.schedule import (
    WorkSpan,
    local_day,
    local_instant,
    next_boundary,
    next_work_start,
    ranges_on,
    spans_on,
    work_span_at,
)

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
HOUR = timedelta(hours=1)
OFFICE = {day: ["09:00-12:00", "13:00-17:00"] for day in WEEKDAYS[:5]}
SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)


def schedule(
    work_hours: Mapping[str, Sequence[str]] = OFFICE, days_off: Sequence[date] = ()
) -> Schedule:
    return Schedule(
        timezone="Europe/Berlin",
        zone=BERLIN,
        days_off=frozenset(days_off),
        work_hours=tuple(as_work_hours(list(work_hours.get(day, []))) for day in WEEKDAYS),
    )


def berlin(day: str, clock: str, fold: int = 0) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BERLIN, fold=fold)


def span(start: datetime, end: datetime) -> WorkSpan:
    return WorkSpan(start.astimezone(UTC), end.astimezone(UTC))


# ------------------------------------------------------------ local instants


@pytest.mark.parametrize(
    ("day", "day_length"),
    [(date(2026, 12, 1), 24 * HOUR), (SPRING, 23 * HOUR), (AUTUMN, 25 * HOUR)],
    ids=["ordinary-tuesday", "spring-forward-23h", "fall-back-25h"],
)
def test_a_local_day_lasts_as_long_as_the_clocks_say(day: date, day_length: timedelta) -> None:
    sched = schedule()
    start, end = local_instant(sched, day, 0), local_instant(sched, day, 24 * 60)
    assert end - start == day_length
    assert end == local_instant(sched, day + timedelta(days=1), 0)
    assert start.tzinfo is UTC
    assert local_day(sched, start) == day
    assert local_day(sched, end - timedelta(seconds=1)) == day


def test_local_day_follows_berlin_not_utc() -> None:
    sched = schedule()
    late_evening = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 00:30 on Wednesday in Berlin
    assert local_day(sched, late_evening) == date(2026, 12, 2)


# --------------------------------------------------------------- work spans


def test_office_day_spans_are_utc_instants_of_berlin_wall_times() -> None:
    sched = schedule()
    assert spans_on(sched, date(2026, 12, 1)) == [
        span(berlin("2026-12-01", "09:00"), berlin("2026-12-01", "12:00")),
        span(berlin("2026-12-01", "13:00"), berlin("2026-12-01", "17:00")),
    ]
    # winter is UTC+1, summer UTC+2
    assert spans_on(sched, date(2026, 12, 1))[0].start == datetime(2026, 12, 1, 8, tzinfo=UTC)
    assert spans_on(sched, date(2026, 7, 1))[0].start == datetime(2026, 7, 1, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days_off", "day"),
    [((date(2026, 12, 24),), date(2026, 12, 24)), ((), date(2026, 12, 5))],
    ids=["day-off", "saturday-without-hours"],
)
def test_no_spans_on_a_day_off(days_off: tuple[date, ...], day: date) -> None:
    sched = schedule(days_off=days_off)
    assert ranges_on(sched, day) == ()
    assert spans_on(sched, day) == []
    assert work_span_at(sched, berlin(day.isoformat(), "10:00")) is None


@pytest.mark.parametrize(
    ("clock", "inside"),
    [
        ("08:59:59", False),
        ("09:00", True),
        ("11:59:59", True),
        ("12:00", False),
        ("12:30", False),
        ("13:00", True),
        ("17:00", False),
    ],
    ids=["before", "at-start", "last-second", "at-end", "lunch", "after-lunch", "evening"],
)
def test_a_span_includes_its_start_and_excludes_its_end(clock: str, inside: bool) -> None:
    found = work_span_at(schedule(), berlin("2026-12-01", clock))
    assert (found is not None) is inside


@pytest.mark.parametrize(
    ("day", "hours", "length"),
    [
        (SPRING, "00:00-06:00", 5 * HOUR),
        (AUTUMN, "00:00-06:00", 7 * HOUR),
        (SPRING, "01:00-05:00", 3 * HOUR),
        (AUTUMN, "01:00-05:00", 5 * HOUR),
        (AUTUMN, "02:30-03:30", 2 * HOUR),
        (SPRING, "00:00-24:00", 23 * HOUR),
        (AUTUMN, "00:00-24:00", 25 * HOUR),
    ],
    ids=[
        "spring-00-06",
        "fall-00-06",
        "spring-01-05",
        "fall-01-05",
        "fall-range-in-the-repeated-hour",
        "spring-whole-day",
        "fall-whole-day",
    ],
)
def test_daylight_saving_changes_the_length_of_a_span(
    day: date, hours: str, length: timedelta
) -> None:
    (found,) = spans_on(schedule({"sunday": [hours]}), day)
    assert found.end - found.start == length


def test_a_range_inside_the_skipped_hour_has_no_work_time() -> None:
    """02:00-03:00 does not exist on the spring Sunday: no span, no prompt."""
    sched = schedule({"sunday": ["02:00-03:00", "10:00-11:00"]})
    assert spans_on(sched, SPRING) == [
        span(berlin("2026-03-29", "10:00"), berlin("2026-03-29", "11:00"))
    ]


def test_a_range_starting_in_the_skipped_hour_starts_when_that_time_is_reached() -> None:
    """02:30 is read like most calendars do: 30 minutes after the jump, 03:30 summer time."""
    (found,) = spans_on(schedule({"sunday": ["02:30-04:00"]}), SPRING)
    assert found == span(berlin("2026-03-29", "03:30"), berlin("2026-03-29", "04:00"))


# -------------------------------------------------------- across midnight


def test_back_to_back_whole_days_merge_into_one_span() -> None:
    sched = schedule({**OFFICE, "saturday": ["00:00-24:00"], "sunday": ["00:00-24:00"]})
    expected = span(berlin("2026-12-05", "00:00"), berlin("2026-12-07", "00:00"))
    for clock in (("2026-12-05", "00:00"), ("2026-12-05", "23:59"), ("2026-12-06", "12:00")):
        assert work_span_at(sched, berlin(*clock)) == expected
    # Friday's 17:00 end is not at midnight, Monday's 09:00 start is not at midnight
    assert work_span_at(sched, berlin("2026-12-04", "16:00")) == span(
        berlin("2026-12-04", "13:00"), berlin("2026-12-04", "17:00")
    )


@pytest.mark.parametrize(
    ("saturday", "length"),
    [("2026-03-28", 47 * HOUR), ("2026-10-24", 49 * HOUR)],
    ids=["spring-forward-weekend", "fall-back-weekend"],
)
def test_a_merged_weekend_over_a_clock_change_is_an_hour_shorter_or_longer(
    saturday: str, length: timedelta
) -> None:
    sched = schedule({"saturday": ["00:00-24:00"], "sunday": ["00:00-24:00"]})
    found = work_span_at(sched, berlin(saturday, "12:00"))
    assert found is not None
    assert found.end - found.start == length


def test_an_evening_range_runs_into_the_next_morning() -> None:
    sched = schedule({"friday": ["18:00-24:00"], "saturday": ["00:00-02:00"]})
    expected = span(berlin("2026-12-04", "18:00"), berlin("2026-12-05", "02:00"))
    assert work_span_at(sched, berlin("2026-12-04", "23:00")) == expected
    assert work_span_at(sched, berlin("2026-12-05", "01:00")) == expected
    assert next_boundary(sched, berlin("2026-12-04", "23:00")) == expected.end


def test_a_day_off_breaks_the_run_across_midnight() -> None:
    sched = schedule(
        {"friday": ["18:00-24:00"], "saturday": ["00:00-02:00"]}, days_off=[date(2026, 12, 5)]
    )
    assert work_span_at(sched, berlin("2026-12-04", "23:00")) == span(
        berlin("2026-12-04", "18:00"), berlin("2026-12-05", "00:00")
    )
    assert work_span_at(sched, berlin("2026-12-05", "01:00")) is None


def test_every_day_all_day_gives_overlapping_spans_for_neighbouring_days() -> None:
    """With no gap in sight the merged span is cut off, but any two instants a day apart
    still lie in each other's span (the policy relies on this to keep a spell at midnight)."""
    sched = schedule({day: ["00:00-24:00"] for day in WEEKDAYS})
    before, after = berlin("2026-12-01", "23:59"), berlin("2026-12-02", "00:01")
    first, second = work_span_at(sched, before), work_span_at(sched, after)
    assert first is not None and second is not None
    assert after in first and before in second
    assert first.end - first.start >= timedelta(days=14)


# ---------------------------------------------------------- the next start


@pytest.mark.parametrize(
    ("now", "after_day", "days_off", "expected"),
    [
        (berlin("2026-12-01", "07:00"), False, (), berlin("2026-12-01", "09:00")),
        (berlin("2026-12-01", "12:30"), False, (), berlin("2026-12-01", "13:00")),
        (berlin("2026-12-01", "10:00"), False, (), berlin("2026-12-01", "13:00")),
        (berlin("2026-12-01", "07:00"), True, (), berlin("2026-12-02", "09:00")),
        (berlin("2026-12-04", "18:00"), False, (), berlin("2026-12-07", "09:00")),
        (
            berlin("2026-12-04", "18:00"),
            False,
            (date(2026, 12, 7), date(2026, 12, 8)),
            berlin("2026-12-09", "09:00"),
        ),
    ],
    ids=[
        "this-morning",
        "after-lunch",
        "from-inside-a-span",
        "on-a-later-day",
        "over-the-weekend",
        "over-days-off",
    ],
)
def test_next_work_start(
    now: datetime, after_day: bool, days_off: tuple[date, ...], expected: datetime
) -> None:
    assert next_work_start(schedule(days_off=days_off), now, after_day=after_day) == expected


def test_the_next_start_of_work_is_looked_for_two_weeks_ahead() -> None:
    """Back from two weeks off: the Monday 14 days on is found (so `pause` until the next
    work day lands there); a start 15 days on is past what is looked at."""
    now = berlin("2026-12-21", "10:00")  # a Monday
    fortnight = [date(2026, 12, 21) + timedelta(days=n) for n in range(14)]
    assert next_work_start(schedule(days_off=fortnight), now) == berlin("2027-01-04", "09:00")
    longer = [*fortnight, date(2027, 1, 4)]
    assert next_work_start(schedule(days_off=longer), now) is None


def test_no_work_hours_at_all_means_no_next_start() -> None:
    sched = schedule({})
    assert next_work_start(sched, berlin("2026-12-01", "10:00")) is None
    assert next_boundary(sched, berlin("2026-12-01", "10:00")) is None


@pytest.mark.parametrize(
    ("clock", "expected"),
    [("08:00", "09:00"), ("10:00", "12:00"), ("12:00", "13:00"), ("16:59", "17:00")],
    ids=["before-work", "morning", "lunch", "end-of-day"],
)
def test_next_boundary_is_the_next_start_or_end(clock: str, expected: str) -> None:
    assert next_boundary(schedule(), berlin("2026-12-01", clock)) == berlin("2026-12-01", expected)


def test_the_same_hours_in_another_zone_are_other_instants() -> None:
    """ "local" follows the computer: after it moves to another zone (a laptop on a trip)
    and the configuration is read again, the same hours are other instants."""
    at_home, abroad = (
        Schedule(
            timezone="local",
            zone=ZoneInfo(name),
            days_off=frozenset(),
            work_hours=schedule().work_hours,
        )
        for name in ("Europe/Berlin", "Asia/Tokyo")
    )
    day = date(2026, 12, 1)
    assert spans_on(at_home, day)[0].start == berlin("2026-12-01", "09:00").astimezone(UTC)
    tokyo_nine = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")).astimezone(UTC)
    assert spans_on(abroad, day)[0].start == tokyo_nine
