"""A scripted working week for the report tests (it holds no tests itself).

Events at literal datetimes, recorded as the engine records them, with numbers that change
from day to day so every chart has something to show.

Monday 2026-11-16 to Sunday 2026-11-22, Europe/Berlin. The longest spells shrink through the
week (the trend the page must put in words), the weekend has no sitting at all, and Friday
has two calls that held a prompt.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from reminder.store.history import History

ZONE = ZoneInfo("Europe/Berlin")
FIRST_DAY = date(2026, 11, 16)  # a Monday
LAST_DAY = date(2026, 11, 22)  # the Sunday: "today" for the report

# Per weekday: (start "HH:MM", minutes sat, prompts shown, how it ended), in order.
WEEK: dict[int, list[tuple[str, int, int, str]]] = {
    0: [
        ("08:30", 130, 3, "user"),
        ("10:50", 95, 2, "idle"),
        ("13:30", 120, 2, "locked"),
        ("15:45", 105, 1, "work_hours_end"),
    ],
    1: [
        ("08:40", 110, 2, "user"),
        ("10:45", 70, 1, "user"),
        ("12:00", 40, 0, "idle"),
        ("13:30", 100, 2, "idle"),
        ("15:30", 80, 1, "work_hours_end"),
    ],
    2: [
        ("08:30", 85, 1, "user"),
        ("10:05", 45, 0, "idle"),
        ("11:00", 60, 1, "user"),
        ("13:15", 55, 1, "locked"),
        ("14:20", 40, 0, "user"),
        ("15:10", 60, 1, "pause"),
    ],
    3: [
        ("08:35", 60, 1, "user"),
        ("09:45", 45, 0, "idle"),
        ("10:40", 50, 1, "user"),
        ("13:00", 45, 0, "locked"),
        ("14:00", 55, 1, "user"),
        ("15:10", 40, 0, "idle"),
        ("16:00", 30, 0, "work_hours_end"),
    ],
    4: [
        ("08:30", 45, 0, "user"),
        ("09:25", 50, 1, "user"),
        ("10:30", 40, 0, "idle"),
        ("13:00", 45, 0, "user"),
        ("14:00", 35, 0, "locked"),
    ],
    5: [],
    6: [],
}
SNOOZES = {0: 2, 1: 3, 2: 1, 3: 1, 4: 0}
CALLS = {1: [("11:20", 12)], 4: [("09:40", 25), ("13:20", 8)]}  # hold ends, minutes held
SITTING_LIMIT = timedelta(minutes=50)
REPEAT_EVERY = timedelta(minutes=10)


def _at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=ZONE)


def script_week(history: History) -> None:
    """Record the week through `History.record`, the way the engine records a real one."""
    for offset in range(7):
        day = FIRST_DAY + timedelta(days=offset)
        snoozes_left = SNOOZES.get(offset, 0)
        for start, minutes, prompts, ending in WEEK[offset]:
            began = _at(day, start)
            ended = began + timedelta(minutes=minutes)
            for n in range(prompts):
                shown = began + SITTING_LIMIT + REPEAT_EVERY * n
                history.record("prompt", shown, day, spell_s=int((shown - began).total_seconds()))
                if snoozes_left and n == 0:
                    history.record("snooze", shown + timedelta(seconds=20), day, detail="10m")
                    snoozes_left -= 1
            if ending == "user":
                history.record("break_taken", ended, day, spell_s=minutes * 60, detail="tray")
            elif ending in ("idle", "locked"):
                history.record("natural_break", ended, day, spell_s=minutes * 60, detail=ending)
            history.record(
                "spell", ended, day, spell_s=minutes * 60, detail=ending, prompts=prompts
            )
        for hold_end, minutes in CALLS.get(offset, []):
            history.record("held", _at(day, hold_end), day, spell_s=minutes * 60, detail="call")
    history.record("held", _at(FIRST_DAY, "14:40"), FIRST_DAY, spell_s=300, detail="fullscreen")
