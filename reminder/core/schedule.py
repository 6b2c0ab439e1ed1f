"""Work hours as instants: pure functions of the schedule and a moment in time.

Ranges are local wall-clock times in the configured zone; every instant
returned is timezone-aware UTC, so daylight-saving changes shorten or lengthen
a range instead of breaking it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from reminder.configuration.model import Schedule, TimeRange

UTC = timezone.utc
_LOOKAHEAD_DAYS = 14


@dataclass(frozen=True)
class WorkSpan:
    """A stretch of work time [start, end) in UTC."""

    start: datetime
    end: datetime

    def __contains__(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


def local_day(schedule: Schedule, instant: datetime) -> date:
    """The calendar date of `instant` in the configured zone."""
    return instant.astimezone(schedule.zone).date()


def local_instant(schedule: Schedule, day: date, minutes: int) -> datetime:
    """`minutes` after local midnight of `day`, as UTC (24:00 is the next midnight)."""
    extra_days, minutes = divmod(minutes, 24 * 60)
    wall = datetime.combine(day + timedelta(days=extra_days), time()) + timedelta(minutes=minutes)
    return wall.replace(tzinfo=schedule.zone).astimezone(UTC)


def ranges_on(schedule: Schedule, day: date) -> tuple[TimeRange, ...]:
    """The day's work-hour ranges; none on a day off."""
    if day in schedule.days_off:
        return ()
    return schedule.work_hours[day.weekday()]


def spans_on(schedule: Schedule, day: date) -> list[WorkSpan]:
    """The day's work spans as UTC instants (adjacent ranges not merged)."""
    return list(_cached_spans(schedule, schedule.zone, day))


@lru_cache(maxsize=64)
def _cached_spans(schedule: Schedule, zone: tzinfo, day: date) -> tuple[WorkSpan, ...]:
    """Cached: each tick asks for the same day again (the zone is part of the key,
    since Schedule leaves it out of equality)."""
    spans = []
    for work_range in ranges_on(schedule, day):
        start = local_instant(schedule, day, work_range.start_min)
        end = local_instant(schedule, day, work_range.end_min)
        if end > start:
            spans.append(WorkSpan(start, end))
    return tuple(spans)


def _runs_into_next_day(schedule: Schedule, day: date) -> bool:
    today = ranges_on(schedule, day)
    tomorrow = ranges_on(schedule, day + timedelta(days=1))
    return bool(today and tomorrow and today[-1].end_min == 24 * 60 and tomorrow[0].start_min == 0)


def work_span_at(schedule: Schedule, instant: datetime) -> WorkSpan | None:
    """The work span holding `instant`, merged across midnight for back-to-back days."""
    day = local_day(schedule, instant)
    for span in spans_on(schedule, day):
        if instant in span:
            start, end = span.start, span.end
            first = day
            for _ in range(_LOOKAHEAD_DAYS):
                # The cheap test first: most days do not run into the next one.
                if not _runs_into_next_day(
                    schedule, first - timedelta(days=1)
                ) or start != local_instant(schedule, first, 0):
                    break
                first -= timedelta(days=1)
                start = spans_on(schedule, first)[-1].start
            last = day
            for _ in range(_LOOKAHEAD_DAYS):
                if not _runs_into_next_day(schedule, last) or end != local_instant(
                    schedule, last + timedelta(days=1), 0
                ):
                    break
                last += timedelta(days=1)
                end = spans_on(schedule, last)[0].end
            return WorkSpan(start, end)
    return None


def next_work_start(
    schedule: Schedule, instant: datetime, *, after_day: bool = False
) -> datetime | None:
    """The next start of work after `instant` (on a later date with `after_day`)."""
    day = local_day(schedule, instant)
    for offset in range(_LOOKAHEAD_DAYS + 1):
        candidate_day = day + timedelta(days=offset)
        if after_day and offset == 0:
            continue
        for span in spans_on(schedule, candidate_day):
            if span.start > instant:
                return span.start
    return None


def next_boundary(schedule: Schedule, instant: datetime) -> datetime | None:
    """The next moment work starts or ends after `instant`."""
    span = work_span_at(schedule, instant)
    if span is not None:
        return span.end
    return next_work_start(schedule, instant)
