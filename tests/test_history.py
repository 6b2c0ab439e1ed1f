"""History in a real SQLite file: scripted days give the `stats` a user expects, and trouble
with the file (locked, read-only, full) never stops the service.

Times are literal datetimes (no clock). The database, its locks and the file systems are
real: a second connection holding `BEGIN EXCLUSIVE`, a tmpfs remounted read-only, a small
tmpfs filled up. Only the monotonic clock of the retry interval is a fake (`FakeMonotonic`),
so a test does not wait a minute.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import subprocess
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reminder import paths
from reminder.core.model import DayStats
from reminder.errors import RuntimeFailure
from reminder.store.history import (
    MIGRATIONS,
    SCHEMA_VERSION,
    History,
    format_stats_table,
    split_by_local_day,
)
from reminder.testing import sample_status
from reminder.tray.menu import today_line

BERLIN = ZoneInfo("Europe/Berlin")
SUNDAY = date(2026, 11, 22)
MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=BERLIN)


def spell(history: History, day: date, start: str, end: str, ending: str, prompts: int) -> None:
    """Record a spell the way the engine does when it ends."""
    length = int((at(day, end) - at(day, start)).total_seconds())
    history.record("spell", at(day, end), day, spell_s=length, detail=ending, prompts=prompts)


def script_monday(history: History) -> None:
    """A working Monday, recorded as the engine records it.

    08:55-10:05 prompted twice, snoozed once, then "I moved" (a break after a prompt)
    10:20-11:00 up on their own: idle (a break before any prompt)
    11:10-12:30 a call held the prompt 15 min; then the screen locked (after a prompt)
    13:30-14:00 paused (not a break)
    16:45-17:30 work hours ended (not a break)
    """
    d = MONDAY
    history.record("prompt", at(d, "09:45"), d, spell_s=50 * 60)
    history.record("snooze", at(d, "09:46"), d, detail="2026-11-23T09:56:00+01:00")
    history.record("prompt", at(d, "09:56"), d, spell_s=61 * 60)
    history.record("break_taken", at(d, "10:05"), d, spell_s=70 * 60, detail="tray")
    spell(history, d, "08:55", "10:05", "user", prompts=2)
    history.record("natural_break", at(d, "11:00"), d, spell_s=40 * 60, detail="idle")
    spell(history, d, "10:20", "11:00", "idle", prompts=0)
    history.record("held", at(d, "12:15"), d, spell_s=15 * 60, detail="call")
    history.record("prompt", at(d, "12:15"), d, spell_s=65 * 60)
    spell(history, d, "11:10", "12:30", "locked", prompts=1)
    history.record("pause", at(d, "14:00"), d, detail="2026-11-23T15:00:00+01:00")
    spell(history, d, "13:30", "14:00", "pause", prompts=0)
    history.record("held", at(d, "16:00"), d, spell_s=5 * 60, detail="dnd")
    # Today's engine also logs the end of work hours as a natural break: not one.
    history.record("natural_break", at(d, "17:30"), d, spell_s=45 * 60, detail="work_hours_end")
    spell(history, d, "16:45", "17:30", "work_hours_end", prompts=0)


MONDAY_NUMBERS = DayStats(
    day="2026-11-23",
    sitting_s=(70 + 40 + 80 + 30 + 45) * 60,
    longest_spell_s=80 * 60,
    prompts=3,
    breaks_after_prompt=2,
    breaks_on_own=1,
    breaks_taken=1,
    natural_breaks=2,
    ended_with_work_day=1,
    ended_by_pause=1,
    snoozes=1,
    calls_held=1,
    call_held_s=15 * 60,
)


def test_a_scripted_day_gives_the_expected_numbers() -> None:
    with History(paths.history_file()) as history:
        script_monday(history)
        monday = history.day_stats(MONDAY, zone=BERLIN)
    assert monday == MONDAY_NUMBERS
    assert monday.breaks == 3
    assert monday.breaks == monday.breaks_taken + monday.natural_breaks


def test_the_end_of_work_hours_is_not_a_break_in_stats_or_the_tray() -> None:
    """A day whose only spell ended with the work day: zero breaks everywhere."""
    d = MONDAY
    with History(paths.history_file()) as history:
        history.record("natural_break", at(d, "17:30"), d, spell_s=3600, detail="work_hours_end")
        spell(history, d, "16:30", "17:30", "work_hours_end", prompts=1)
        today = history.day_stats(d, zone=BERLIN)
        [row] = history.stats(7, d, zone=BERLIN)
    assert today == row
    assert (row.breaks, row.natural_breaks, row.ended_with_work_day) == (0, 0, 1)
    assert row.sitting_s == row.longest_spell_s == 3600
    assert today_line(sample_status(today=today)) == "Today: 0 breaks, longest spell 1 hour"


def test_the_spell_in_progress_counts_toward_time_sat_and_the_longest_spell() -> None:
    with History(paths.history_file()) as history:
        script_monday(history)
        current = (at(MONDAY, "18:00"), at(MONDAY, "19:45"))  # 1 hour 45 min, still going
        monday = history.day_stats(MONDAY, current_spell=current, zone=BERLIN)
        [row] = history.stats(1, MONDAY, current_spell=current, zone=BERLIN)
    assert monday == row
    assert monday.longest_spell_s == 105 * 60
    assert monday.sitting_s == MONDAY_NUMBERS.sitting_s + 105 * 60
    assert monday.in_progress_s == 105 * 60
    assert monday.breaks == MONDAY_NUMBERS.breaks  # it has not ended: no break yet


def test_a_spell_across_midnight_is_split_between_the_local_days() -> None:
    """22:30 to 01:15 Berlin time: 1 h 30 min on Monday, 1 h 15 min on Tuesday."""
    start, now = at(MONDAY, "22:30"), at(TUESDAY, "01:15")
    assert split_by_local_day(start, now, BERLIN) == [(MONDAY, 90 * 60), (TUESDAY, 75 * 60)]
    with History(paths.history_file()) as history:
        history.record("prompt", at(MONDAY, "22:00"), MONDAY, spell_s=3000)  # the first event
        in_progress = history.stats(7, TUESDAY, current_spell=(start, now), zone=BERLIN)
        history.record("spell", now, TUESDAY, spell_s=165 * 60, detail="idle", prompts=2)
        ended = history.stats(7, TUESDAY, zone=BERLIN)
    for rows in (in_progress, ended):
        assert [(r.day, r.sitting_s, r.longest_spell_s) for r in rows] == [
            ("2026-11-23", 90 * 60, 90 * 60),
            ("2026-11-24", 75 * 60, 75 * 60),
        ]
    assert [(r.breaks_after_prompt, r.natural_breaks) for r in ended] == [(0, 0), (1, 1)]


def test_split_follows_daylight_saving_time() -> None:
    """The night clocks go back (25-hour day): a whole-day spell has 25 hours on that day."""
    start = datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)
    end = datetime(2026, 10, 26, 0, 0, tzinfo=BERLIN)
    assert split_by_local_day(start, end, BERLIN) == [(date(2026, 10, 25), 25 * 3600)]


def test_a_fresh_install_has_one_row_for_today_not_a_week_of_zeros() -> None:
    with History(paths.history_file()) as history:
        assert history.stats(7, TUESDAY, zone=BERLIN) == [DayStats(day="2026-11-24")]
        sitting = (at(TUESDAY, "09:00"), at(TUESDAY, "09:20"))
        [row] = history.stats(7, TUESDAY, current_spell=sitting, zone=BERLIN)
    assert (row.day, row.sitting_s, row.in_progress_s) == ("2026-11-24", 1200, 1200)


def test_rows_start_at_the_first_recorded_event_and_empty_days_between_are_listed() -> None:
    with History(paths.history_file()) as history:
        script_monday(history)
        history.record("prompt", at(TUESDAY, "11:00"), TUESDAY, spell_s=3000)
        rows = history.stats(days=7, today=date(2026, 11, 26), zone=BERLIN)
        history.record("snooze", at(SUNDAY, "11:00"), SUNDAY, detail="later")
        from_sunday = history.stats(days=3, today=TUESDAY, zone=BERLIN)
    assert [row.day for row in rows] == ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"]
    assert rows[0] == MONDAY_NUMBERS
    assert (rows[1].prompts, rows[1].sitting_s) == (1, 0)
    assert rows[2] == DayStats(day="2026-11-25")
    assert [row.day for row in from_sunday] == ["2026-11-22", "2026-11-23", "2026-11-24"]


def test_spells_recorded_before_prompt_counts_existed_use_the_prompts_inside_them() -> None:
    """Rows the previous release wrote (schema 1, no `prompts`): the prompt rows decide."""
    path = paths.history_file()
    path.parent.mkdir(parents=True)
    d = MONDAY
    old_rows = [  # as schema 1 stored them: at_utc, local_day, kind, spell_s, detail
        ("2026-11-23T08:50:00+00:00", "2026-11-23", "prompt", 3000, None),
        ("2026-11-23T09:05:00+00:00", "2026-11-23", "spell", 65 * 60, "user"),  # 09:00-10:05
        ("2026-11-23T10:00:00+00:00", "2026-11-23", "spell", 40 * 60, "idle"),  # 10:20-11:00
        ("2026-11-23T11:00:00+00:00", "2026-11-23", "prompt", 3000, None),  # spell going on
    ]
    with sqlite3.connect(path) as old_release:
        old_release.executescript(MIGRATIONS[0])
        old_release.execute("PRAGMA user_version = 1")
        old_release.executemany(
            "INSERT INTO events (at_utc, local_day, kind, spell_s, detail) VALUES (?, ?, ?, ?, ?)",
            old_rows,
        )
    old_release.close()
    with History(path) as new_release:
        assert new_release.schema_version == SCHEMA_VERSION == 2
        monday = new_release.day_stats(d, zone=BERLIN)
    assert (monday.breaks_after_prompt, monday.breaks_on_own, monday.prompts) == (1, 1, 2)
    assert monday.sitting_s == (65 + 40) * 60


def test_a_prompt_held_for_dnd_or_a_full_screen_is_not_a_call() -> None:
    d = MONDAY
    with History(paths.history_file()) as history:
        history.record("held", at(d, "10:00"), d, spell_s=600, detail="dnd")
        history.record("held", at(d, "11:00"), d, spell_s=300, detail="fullscreen")
        history.record("held", at(d, "12:00"), d, spell_s=1500, detail="call")
        history.record("held", at(d, "14:00"), d, spell_s=120, detail="call")
        monday = history.day_stats(d, zone=BERLIN)
    assert (monday.calls_held, monday.call_held_s) == (2, 1620)


def test_stats_json_rows_have_the_documented_fields() -> None:
    with History(paths.history_file()) as history:
        script_monday(history)
        rows = history.stats(days=1, today=MONDAY, zone=BERLIN)
    document = json.loads(json.dumps({"days": [row.to_json() for row in rows]}))
    [monday] = document["days"]
    assert monday["date"] == "2026-11-23"
    assert monday["breaks_after_prompt"] == 2
    assert monday["breaks_on_own"] == 1
    assert monday["breaks_taken"] == 1
    assert monday["longest_spell_s"] == 4800
    assert monday["ended_with_work_day"] == 1
    assert (monday["calls_held"], monday["call_held_s"]) == (1, 900)


def test_history_survives_a_restart() -> None:
    with History(paths.history_file()) as first_run:
        script_monday(first_run)
    with History(paths.history_file()) as second_run:
        assert second_run.day_stats(MONDAY, zone=BERLIN) == MONDAY_NUMBERS


def test_the_local_day_decides_the_row_not_the_utc_date() -> None:
    """00:30 in Berlin is still the previous day in UTC; the user's day counts."""
    late = datetime(2026, 11, 24, 0, 30, tzinfo=BERLIN)
    with History(paths.history_file()) as history:
        history.record("prompt", at(MONDAY, "10:00"), MONDAY, spell_s=3000)
        history.record("prompt", late, TUESDAY, spell_s=3000)
        rows = history.stats(days=2, today=TUESDAY, zone=BERLIN)
        assert history._conn is not None
        stored = history._conn.execute("SELECT at_utc FROM events").fetchall()
    assert [row.prompts for row in rows] == [1, 1]
    assert stored[1][0] == "2026-11-23T23:30:00+00:00"


def test_caller_mistakes_are_refused() -> None:
    d = MONDAY
    with History(paths.history_file()) as history:
        with pytest.raises(ValueError, match="kind must be one of"):
            history.record("nap", at(d, "10:00"), d)
        with pytest.raises(ValueError, match="timezone-aware"):
            history.record("prompt", datetime(2026, 11, 23, 10, 0), d)
        with pytest.raises(ValueError, match="days must be at least 1"):
            history.stats(days=0, today=d)
        with pytest.raises(ValueError, match="a spell's detail must be one of"):
            history.record("spell", at(d, "10:00"), d, spell_s=60, detail="break")
        with pytest.raises(ValueError, match="needs spell_s"):
            history.record("spell", at(d, "10:00"), d, detail="idle")
        with pytest.raises(ValueError, match="held event's detail"):
            history.record("held", at(d, "10:00"), d, spell_s=60, detail="zoom with Ana")
        with pytest.raises(ValueError, match="prompts is a spell's count"):
            history.record("held", at(d, "10:00"), d, spell_s=60, detail="call", prompts=1)
        assert history.pending == 0
        assert history.day_stats(d) == DayStats(day="2026-11-23")
    with pytest.raises(ValueError, match="is closed"):
        history.record("prompt", at(d, "10:00"), d)
    with pytest.raises(ValueError, match="opened read-only"):
        History(paths.history_file(), read_only=True).record("prompt", at(d, "10:00"), d)


def test_the_schema_version_is_recorded_in_the_file() -> None:
    path = paths.history_file()
    History(path).close()
    with sqlite3.connect(path) as raw:
        version = raw.execute("PRAGMA user_version").fetchone()[0]
    raw.close()
    assert version == SCHEMA_VERSION == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_later_release_migrates_an_old_file_without_losing_events() -> None:
    path = paths.history_file()
    with History(path) as old_release:
        script_monday(old_release)
    next_step = "ALTER TABLE events ADD COLUMN source TEXT;"
    with History(path, migrations=(*MIGRATIONS, next_step)) as new_release:
        assert new_release.schema_version == SCHEMA_VERSION + 1
        assert new_release.day_stats(MONDAY, zone=BERLIN) == MONDAY_NUMBERS
        assert new_release._conn is not None
        columns = [row[1] for row in new_release._conn.execute("PRAGMA table_info(events)")]
    assert "source" in columns


def test_a_failing_migration_leaves_the_old_file_intact(caplog: pytest.LogCaptureFixture) -> None:
    path = paths.history_file()
    with History(path) as old_release:
        script_monday(old_release)
    broken_step = "ALTER TABLE events ADD COLUMN source TEXT;\nTHIS IS NOT SQL;"
    with caplog.at_level(logging.WARNING):
        broken = History(path, migrations=(*MIGRATIONS, broken_step))
    assert not broken.available
    assert "syntax error" in (broken.problem or "")
    assert str(path) in caplog.text
    broken.close()
    with History(path) as reopened:
        assert reopened.schema_version == SCHEMA_VERSION
        assert reopened.day_stats(MONDAY, zone=BERLIN).prompts == 3
        assert reopened._conn is not None
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
        assert older.day_stats(MONDAY, zone=BERLIN).prompts == 3
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


def test_the_stats_table_lines_up_and_says_what_each_column_means() -> None:
    rows = [
        DayStats(day="2026-11-22"),
        MONDAY_NUMBERS,
        DayStats(day="2026-11-24", sitting_s=1500, longest_spell_s=1500, in_progress_s=1500),
    ]
    lines = format_stats_table(rows).splitlines()
    header = lines[0]
    for column in ("date", "sat", "longest", "prompts", "moved when asked", "moved unasked"):
        assert column in header
    assert "snoozes" in header and header.endswith("calls held")
    assert lines[1].split() == ["2026-11-22", "0", "s", "0", "s", "0", "0", "0", "0", "0"]
    assert "4 hours 25 min" in lines[2] and "1 hour 20 min" in lines[2]
    assert lines[2].endswith("1 (15 min)")
    assert len({len(line) for line in lines[:4]}) == 1  # right-aligned: one width
    legend = "\n".join(lines[4:])
    assert "moved when asked: spells that ended in a break after at least one prompt" in legend
    assert "moved unasked: spells that ended in a break before any prompt" in legend
    assert "the end of work hours and a pause end a spell but are not breaks" in legend
    assert "The spell still going on (25 min so far)" in legend


# ------------------------------------------------- trouble with the database


class FakeMonotonic:
    """The retry interval's clock, moved by hand (the database and its locks are real)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def timed(call: object) -> float:
    started = time.monotonic()
    assert callable(call)
    call()
    return time.monotonic() - started


def stored_prompts(path: Path) -> int:
    with History(path) as reader:
        return reader.day_stats(MONDAY, zone=BERLIN).prompts


def test_a_database_locked_by_another_process_never_stops_the_service(
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = paths.history_file()
    History(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    clock = FakeMonotonic()
    try:
        with caplog.at_level(logging.WARNING):
            started = time.monotonic()
            history = History(path, monotonic=clock)
            opened_in = time.monotonic() - started
        assert opened_in < 2
        assert not history.available
        assert history.problem == "cannot open it: database is locked"
        assert caplog.text.count("is unavailable") == 1
        assert str(path) in caplog.text

        def record_prompt() -> None:
            history.record("prompt", at(MONDAY, "10:00"), MONDAY, spell_s=3000)

        assert timed(record_prompt) < 0.2  # no retry within the minute: no wait at all
        clock.now += 61
        assert timed(record_prompt) < 2  # one retry, bounded by the busy timeout
        assert history.pending == 2
        assert caplog.text.count("is unavailable") == 1  # the same reason: no second warning
        with pytest.raises(RuntimeFailure, match=r"cannot read the history .*locked"):
            history.day_stats(MONDAY)
    finally:
        other.execute("ROLLBACK")
        other.close()
    clock.now += 61
    history.record("prompt", at(MONDAY, "10:10"), MONDAY, spell_s=3600)
    assert history.available and history.pending == 0
    assert "works again" in caplog.text
    history.close()
    assert stored_prompts(path) == 3


def test_a_lock_that_outlasts_the_service_loses_only_whats_in_memory_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = paths.history_file()
    history = History(path, monotonic=FakeMonotonic())
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING):
            history.record("prompt", at(MONDAY, "10:00"), MONDAY, spell_s=3000)
            assert history.pending == 1
            assert timed(history.close) < 2
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "1 events could not be written and are lost" in caplog.text


MOUNT = "/usr/bin/mount"


def mount_tmpfs(folder: Path, size: str) -> None:
    """A real tmpfs (root is needed; tests run as root here and in CI)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [MOUNT, "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        timeout=10,
    )
    if done.returncode != 0:
        reason = f"cannot mount a tmpfs for this test: {done.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run it, but {reason}")
        pytest.skip(reason)


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 192 KiB tmpfs of its own, unmounted after the test."""
    folder = tmp_path / "small-fs"
    mount_tmpfs(folder, "192k")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, timeout=10)


def fill_up(folder: Path) -> Path:
    """Write a file until the file system says it is full; return it (delete it to free space)."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with pytest.raises(OSError, match="No space left"):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)
    return filler


def remount_read_only(folder: Path) -> None:
    subprocess.run([MOUNT, "-o", "remount,ro", str(folder)], check=True, timeout=10)


def test_a_read_only_state_folder_never_stops_the_service_and_stats_still_read(
    small_tmpfs: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Root ignores permission bits, so the folder is a tmpfs remounted read-only: EROFS."""
    path = small_tmpfs / "sitting-reminder" / "history.sqlite3"
    with History(path) as before:
        script_monday(before)
    remount_read_only(small_tmpfs)
    clock = FakeMonotonic()
    with caplog.at_level(logging.WARNING):
        history = History(path, monotonic=clock)
        assert history.day_stats(MONDAY, zone=BERLIN) == MONDAY_NUMBERS  # reading works
        history.record("prompt", at(MONDAY, "18:00"), MONDAY, spell_s=3000)
    assert not history.available
    assert "readonly database" in (history.problem or "")
    assert history.pending == 1
    assert history.day_stats(MONDAY, zone=BERLIN).prompts == 4  # the kept event counts too
    assert caplog.text.count("is unavailable") == 1 and str(path) in caplog.text
    history.close()


def test_a_read_only_folder_without_a_history_yet_is_unavailable_not_fatal(
    small_tmpfs: Path,
) -> None:
    remount_read_only(small_tmpfs)
    path = small_tmpfs / "sitting-reminder" / "history.sqlite3"
    with History(path) as history:
        assert history.problem == "cannot open it: Read-only file system"
        history.record("prompt", at(MONDAY, "10:00"), MONDAY, spell_s=3000)
        assert history.stats(7, MONDAY, zone=BERLIN) == [DayStats(day="2026-11-23", prompts=1)]


def test_a_full_disk_never_stops_the_service_and_nothing_is_lost_once_space_is_back(
    small_tmpfs: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = small_tmpfs / "sitting-reminder" / "history.sqlite3"
    clock = FakeMonotonic()
    history = History(path, monotonic=clock)
    history.record("prompt", at(MONDAY, "09:00"), MONDAY, spell_s=3000)
    filler = fill_up(small_tmpfs)
    with caplog.at_level(logging.WARNING):
        for minute in range(0, 60, 10):  # enough rows to need a new page
            history.record("prompt", at(MONDAY, "10:00") + timedelta(minutes=minute), MONDAY)
            clock.now += 61
    assert not history.available
    assert "database or disk is full" in (history.problem or "")
    assert history.day_stats(MONDAY, zone=BERLIN).prompts == 7
    assert caplog.text.count("is unavailable") == 1
    filler.unlink()
    clock.now += 61
    history.record("prompt", at(MONDAY, "11:00"), MONDAY, spell_s=3000)
    assert history.available and history.pending == 0
    history.close()
    assert stored_prompts(path) == 8


def test_a_full_disk_at_start_leaves_history_unavailable_until_space_is_back(
    small_tmpfs: Path,
) -> None:
    filler = fill_up(small_tmpfs)
    path = small_tmpfs / "history.sqlite3"
    clock = FakeMonotonic()
    history = History(path, monotonic=clock)
    assert not history.available
    history.record("prompt", at(MONDAY, "10:00"), MONDAY, spell_s=3000)
    assert history.stats(7, MONDAY, zone=BERLIN) == [DayStats(day="2026-11-23", prompts=1)]
    filler.unlink()
    clock.now += 61
    history.record("prompt", at(MONDAY, "10:30"), MONDAY, spell_s=3000)
    assert history.available
    history.close()
    assert stored_prompts(path) == 2


def test_history_lives_in_the_state_folder(isolated_dirs: dict[str, Path]) -> None:
    with History(paths.history_file()) as history:
        history.record("prompt", datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc), MONDAY)
    assert paths.history_file().is_relative_to(isolated_dirs["state"])
    assert paths.history_file().name == "history.sqlite3"
