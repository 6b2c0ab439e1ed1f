"""History in a real SQLite file: a scripted day gives the `stats` a user expects.

Times are literal datetimes (no clock); the database is real.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import stat
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reminder import paths
from reminder.core.model import DayStats
from reminder.errors import RuntimeFailure
from reminder.store.history import MIGRATIONS, SCHEMA_VERSION, History, format_stats_table

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=BERLIN)


def script_monday(history: History) -> None:
    """A working Monday: two long spells, a snooze, a natural and a requested break."""
    d = MONDAY
    history.record("prompt", at(d, "09:50"), d, spell_s=50 * 60)
    history.record("snooze", at(d, "09:51"), d, detail="2026-11-23T10:01:00+01:00")
    history.record("prompt", at(d, "10:01"), d, spell_s=61 * 60)
    history.record("break_taken", at(d, "10:05"), d, spell_s=65 * 60, detail="tray")
    history.record("spell", at(d, "10:05"), d, spell_s=65 * 60, detail="break")
    history.record("spell", at(d, "12:30"), d, spell_s=40 * 60, detail="idle")
    history.record("natural_break", at(d, "12:30"), d, spell_s=40 * 60, detail="idle")
    history.record("pause", at(d, "13:00"), d, detail="2026-11-23T14:00:00+01:00")
    history.record("prompt", at(d, "15:20"), d, spell_s=50 * 60)
    history.record("break_taken", at(d, "15:21"), d, spell_s=51 * 60, detail="notification")
    history.record("spell", at(d, "15:21"), d, spell_s=51 * 60, detail="break")


def test_a_scripted_day_gives_the_expected_numbers() -> None:
    with History(paths.history_file()) as history:
        script_monday(history)
        monday = history.day_stats(MONDAY)
    assert monday == DayStats(
        day="2026-11-23",
        prompts=3,
        snoozes=1,
        breaks_taken=2,
        natural_breaks=1,
        longest_spell_s=65 * 60,
        sitting_s=(65 + 40 + 51) * 60,
    )


def test_stats_lists_every_day_oldest_first_with_zeros_for_empty_days() -> None:
    with History(paths.history_file()) as history:
        script_monday(history)
        history.record("prompt", at(TUESDAY, "11:00"), TUESDAY, spell_s=3000)
        rows = history.stats(days=4, today=date(2026, 11, 25))
    assert [row.day for row in rows] == ["2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25"]
    assert rows[0] == DayStats(day="2026-11-22")
    assert rows[1].prompts == 3
    assert rows[2].prompts == 1
    assert rows[2].sitting_s == 0
    assert rows[3] == DayStats(day="2026-11-25")


def test_stats_json_rows_have_the_documented_fields() -> None:
    with History(paths.history_file()) as history:
        script_monday(history)
        rows = history.stats(days=1, today=MONDAY)
    document = json.loads(json.dumps([row.to_json() for row in rows]))
    assert document[0]["date"] == "2026-11-23"
    assert document[0]["breaks_taken"] == 2
    assert document[0]["longest_spell_s"] == 3900


def test_history_survives_a_restart() -> None:
    with History(paths.history_file()) as first_run:
        script_monday(first_run)
    with History(paths.history_file()) as second_run:
        assert second_run.day_stats(MONDAY).prompts == 3


def test_the_local_day_decides_the_row_not_the_utc_date() -> None:
    """00:30 in Berlin is still the previous day in UTC; the user's day counts."""
    late = datetime(2026, 11, 24, 0, 30, tzinfo=BERLIN)
    with History(paths.history_file()) as history:
        history.record("prompt", late, TUESDAY, spell_s=3000)
        rows = history.stats(days=2, today=TUESDAY)
        stored = history._conn.execute("SELECT at_utc FROM events").fetchone()[0]
    assert [row.prompts for row in rows] == [0, 1]
    assert stored == "2026-11-23T23:30:00+00:00"


def test_caller_mistakes_are_refused() -> None:
    with History(paths.history_file()) as history:
        with pytest.raises(ValueError, match="kind must be one of"):
            history.record("nap", at(MONDAY, "10:00"), MONDAY)
        with pytest.raises(ValueError, match="timezone-aware"):
            history.record("prompt", datetime(2026, 11, 23, 10, 0), MONDAY)
        with pytest.raises(ValueError, match="days must be at least 1"):
            history.stats(days=0, today=MONDAY)


def test_the_schema_version_is_recorded_in_the_file() -> None:
    path = paths.history_file()
    History(path).close()
    with sqlite3.connect(path) as raw:
        version = raw.execute("PRAGMA user_version").fetchone()[0]
    raw.close()
    assert version == SCHEMA_VERSION == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_later_release_migrates_an_old_file_without_losing_events() -> None:
    path = paths.history_file()
    with History(path) as old_release:
        script_monday(old_release)
    next_step = "ALTER TABLE events ADD COLUMN source TEXT;"
    with History(path, migrations=(*MIGRATIONS, next_step)) as new_release:
        assert new_release.schema_version == 2
        assert new_release.day_stats(MONDAY).prompts == 3
        columns = [row[1] for row in new_release._conn.execute("PRAGMA table_info(events)")]
    assert "source" in columns


def test_a_failing_migration_leaves_the_old_file_intact() -> None:
    path = paths.history_file()
    with History(path) as old_release:
        script_monday(old_release)
    broken_step = "ALTER TABLE events ADD COLUMN source TEXT;\nTHIS IS NOT SQL;"
    with pytest.raises(RuntimeFailure, match="cannot open the history"):
        History(path, migrations=(*MIGRATIONS, broken_step))
    with History(path) as reopened:
        assert reopened.schema_version == 1
        assert reopened.day_stats(MONDAY).prompts == 3
        columns = [row[1] for row in reopened._conn.execute("PRAGMA table_info(events)")]
    assert "source" not in columns
    assert not list(path.parent.glob("history.sqlite3.corrupt-*"))


def test_a_file_from_a_newer_release_is_used_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = paths.history_file()
    with History(path, migrations=(*MIGRATIONS, "CREATE TABLE later (x);")) as newer:
        script_monday(newer)
    with caplog.at_level(logging.WARNING), History(path) as older:
        assert older.day_stats(MONDAY).prompts == 3
    assert "newer release" in caplog.text


def test_a_corrupt_database_is_moved_aside_and_a_fresh_one_used(
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = paths.history_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    garbage = b"this was never a database" * 100
    path.write_bytes(garbage)
    with caplog.at_level(logging.WARNING), History(path) as history:
        history.record("prompt", at(MONDAY, "09:50"), MONDAY, spell_s=3000)
        assert history.day_stats(MONDAY).prompts == 1
    moved = list(path.parent.glob("history.sqlite3.corrupt-*"))
    assert len(moved) == 1
    assert moved[0].read_bytes() == garbage
    assert "not a usable database" in caplog.text


def test_a_database_damaged_inside_is_moved_aside(caplog: pytest.LogCaptureFixture) -> None:
    path = paths.history_file()
    with History(path) as history:
        for minute in range(0, 600, 2):
            day = MONDAY + timedelta(days=minute % 7)
            history.record("prompt", at(MONDAY, "08:00") + timedelta(minutes=minute), day)
    data = bytearray(path.read_bytes())
    page_size = 4096
    data[page_size + 100 : 2 * page_size] = b"\xa5" * (page_size - 100)  # scribble on page 2
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING), History(path) as fresh:
        assert fresh.day_stats(MONDAY).prompts == 0
    assert list(path.parent.glob("history.sqlite3.corrupt-*"))


def test_the_stats_table_lines_up_for_people() -> None:
    rows = [
        DayStats(day="2026-11-22"),
        DayStats(
            day="2026-11-23",
            prompts=12,
            snoozes=1,
            breaks_taken=2,
            natural_breaks=3,
            longest_spell_s=65 * 60 + 7,
            sitting_s=7 * 3600 + 5 * 60,
        ),
    ]
    lines = format_stats_table(rows).splitlines()
    assert lines[0].startswith("date" + " " * 8 + "prompts")
    for header in ("prompts", "snoozes", "breaks taken", "natural breaks", "longest spell"):
        assert header in lines[0]
    assert lines[1].split() == ["2026-11-22", "0", "0", "0", "0", "0s", "0s"]
    assert lines[2].split() == ["2026-11-23", "12", "1", "2", "3", "1h5m", "7h5m"]
    # right-aligned numbers: every line ends at the same column
    assert len({len(line) for line in lines}) == 1


def test_history_lives_in_the_state_folder(isolated_dirs: dict[str, Path]) -> None:
    with History(paths.history_file()) as history:
        history.record("prompt", datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc), MONDAY)
    assert paths.history_file().is_relative_to(isolated_dirs["state"])
    assert paths.history_file().name == "history.sqlite3"
