"""The weekly report and `stats`: the page's numbers, its trend sentence, and the real CLI.

The history is a real SQLite file filled by a scripted week (tests/test_report_week.py) through
`History.record` at literal datetimes; the CLI runs as a real subprocess; a real service
answers `status` for the spell in progress; a real program stands in as the browser.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from service_proc import ServiceProcess, headless_env, write_fast_config
from test_report_week import FIRST_DAY, LAST_DAY, ZONE, script_week

from reminder import paths
from reminder.core.model import DayStats
from reminder.report.page import CHARTS, render_report, trend_sentence
from reminder.store.history import History

MADE_AT = datetime(2026, 11, 22, 18, 5, tzinfo=ZONE)


def week_rows() -> list[DayStats]:
    with History(paths.history_file()) as history:
        script_week(history)
        return history.stats(7, LAST_DAY, zone=ZONE)


class PageReader(HTMLParser):
    """Every tag and attribute of the page, the table's numbers and the chart bars."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []
        self.table: dict[str, dict[str, int]] = {}
        self.bars: dict[str, dict[str, int]] = {}
        self.held_s: dict[str, int] = {}
        self.text: list[str] = []
        self._row: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        self.references += [
            value for name, value in attrs if name in ("src", "href", "xlink:href") and value
        ]
        if tag == "tr" and found.get("data-day"):
            self._row = found["data-day"]
        metric, value = found.get("data-metric"), found.get("data-value")
        if tag == "td" and self._row and metric and value is not None:
            self.table.setdefault(self._row, {})[metric] = int(value)
            if found.get("data-held-s") is not None:
                self.held_s[self._row] = int(found["data-held-s"] or 0)
        day = found.get("data-day")
        if tag == "rect" and day and metric and value is not None:
            self.bars.setdefault(day, {})[metric] = int(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    return reader


def test_the_page_shows_every_number_of_every_day_in_charts_and_table() -> None:
    rows = week_rows()
    page = read_page(render_report(rows, MADE_AT, "Europe/Berlin"))
    assert list(page.table) == [row.day for row in rows]
    for row in rows:
        expected = {chart.key: chart.value(row) for chart in CHARTS}
        assert page.table[row.day] == expected
        assert page.bars[row.day] == expected
        assert page.held_s[row.day] == row.call_held_s
    friday = page.table["2026-11-20"]
    assert (friday["calls_held"], page.held_s["2026-11-20"]) == (2, 33 * 60)


def test_the_page_needs_no_network_and_no_scripts() -> None:
    html = render_report(week_rows(), MADE_AT, "Europe/Berlin")
    page = read_page(html)
    assert "script" not in page.tags
    assert page.references == []
    assert "url(" not in html and "@import" not in html
    assert "@media print" in html
    assert html.count("<svg") == len(CHARTS)


def test_the_page_says_the_week_and_its_trend_in_words() -> None:
    text = " ".join(read_page(render_report(week_rows(), MADE_AT, "Europe/Berlin")).text)
    assert "Mon 16 Nov to Sun 22 Nov 2026" in text
    assert "times in Europe/Berlin" in text
    assert "Your longest spells got shorter: 2 hours a day on average" in text
    assert "28 hours 55 min" in text  # the week's time sat, in human_duration words


@pytest.mark.parametrize(
    ("longest_minutes", "sentence"),
    [
        ([120, 100, 0, 60, 50], "got shorter: 1 hour 50 min a day on average in the earlier"),
        ([40, 45, 70, 80], "got longer: 42 min a day on average in the earlier days, 1 hour 15"),
        ([60, 62, 58, 61], "held steady at about 1 hour a day"),
        ([0, 75, 0], "One day at the desk so far (longest spell 1 hour 15 min)"),
        ([0, 0], "No sitting recorded in these days yet."),
    ],
    ids=["shorter", "longer", "steady", "one-day", "no-sitting"],
)
def test_the_trend_sentence(longest_minutes: list[int], sentence: str) -> None:
    days = [
        DayStats(
            day=(FIRST_DAY + timedelta(days=n)).isoformat(),
            sitting_s=m * 120,
            longest_spell_s=m * 60,
        )
        for n, m in enumerate(longest_minutes)
    ]
    assert sentence in trend_sentence(days)


# ------------------------------------------------------------------ the CLI


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reminder", *args],
        env=env if env is not None else headless_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def berlin_config(isolated_dirs: dict[str, Path]) -> None:
    folder = isolated_dirs["config"] / "sitting-reminder"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text('[schedule]\ntimezone = "Europe/Berlin"\n')


def days_to_today() -> int:
    """How many days `stats --days` needs to reach back to the scripted Monday from today."""
    today = datetime.now(timezone.utc).astimezone(ZONE).date()
    return (today - FIRST_DAY).days + 1


def test_stats_html_writes_the_page_with_the_numbers_of_stats_json(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    berlin_config(isolated_dirs)
    week_rows()
    days = str(days_to_today())
    target = tmp_path / "out" / "week.html"
    written = cli("stats", "--days", days, "--html", str(target))
    assert written.returncode == 0, written.stderr
    assert f"to {target}" in written.stdout
    document = json.loads(cli("stats", "--days", days, "--json").stdout)
    page = read_page(target.read_text(encoding="utf-8"))
    assert list(page.table) == [day["date"] for day in document["days"]]
    assert document["days"][0]["date"] == FIRST_DAY.isoformat()  # no rows before the first event
    for day in document["days"]:
        assert page.table[day["date"]] == {chart.key: day[chart.key] for chart in CHARTS}
        assert page.held_s[day["date"]] == day["call_held_s"]
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_stats_prints_a_table_with_its_legend(isolated_dirs: dict[str, Path]) -> None:
    berlin_config(isolated_dirs)
    week_rows()
    done = cli("stats", "--days", str(days_to_today()))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:4] == ["date", "sat", "longest", "prompts"]
    monday = next(line for line in lines if line.startswith("2026-11-16"))
    assert "7 hours 30 min" in monday and "2 hours 10 min" in monday
    assert "moved unasked: spells that ended in a break before any prompt" in done.stdout


def test_stats_output_choices_are_exclusive(isolated_dirs: dict[str, Path]) -> None:
    done = cli("stats", "--json", "--open")
    assert done.returncode == 2
    assert "not allowed with argument" in done.stderr
    assert "Traceback" not in done.stderr


def fake_browser(tmp_path: Path, exit_code: int) -> tuple[dict[str, str], Path]:
    """A real program in $BROWSER that notes the address it was asked to open."""
    log = tmp_path / "browser.log"
    script = tmp_path / "browser"
    script.write_text(f'#!/bin/sh\necho "$1" >> {log}\nexit {exit_code}\n')
    script.chmod(0o755)
    env = headless_env()
    env["BROWSER"] = str(script)
    return env, log


def test_stats_open_writes_to_the_cache_folder_and_opens_it(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    week_rows()
    env, log = fake_browser(tmp_path, exit_code=0)
    done = cli("stats", "--open", env=env)
    assert done.returncode == 0, done.stderr
    report = isolated_dirs["cache"] / "sitting-reminder" / "weekly-report.html"
    assert str(report) in done.stdout
    assert log.read_text().split() == [report.as_uri()]
    assert "<svg" in report.read_text(encoding="utf-8")


def test_stats_open_without_a_browser_names_the_file_and_exits_1(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    env, _ = fake_browser(tmp_path, exit_code=1)
    done = cli("stats", "--open", env=env)
    report = isolated_dirs["cache"] / "sitting-reminder" / "weekly-report.html"
    assert done.returncode == 1
    assert "No web browser could be started" in done.stderr
    assert str(report) in done.stderr
    assert report.exists()
    assert "Traceback" not in done.stderr


def test_stats_of_a_locked_history_fails_fast_with_the_reason(
    isolated_dirs: dict[str, Path],
) -> None:
    week_rows()
    other = sqlite3.connect(paths.history_file(), isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        done = cli("stats")
        took = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert done.returncode == 1
    assert "cannot read the history" in done.stderr and "locked" in done.stderr
    assert "Traceback" not in done.stderr
    assert took < 10  # start-up included; the lock itself is waited for half a second


def test_stats_counts_the_running_services_spell_in_progress(
    isolated_dirs: dict[str, Path],
) -> None:
    """A real service (headless, work hours all day) sits; `stats` asks it for the spell."""
    write_fast_config(isolated_dirs["config"], sitting_limit="1h")
    service = ServiceProcess(headless_env())
    service.start()
    try:
        service.wait_for_status("a spell to start", lambda s: s["sitting_for_s"] >= 3, timeout=20)
        [today] = json.loads(service.cli("stats", "--json").stdout)["days"]
        status = service.status()
    finally:
        assert service.stop() == 0
    assert today["in_progress_s"] >= 3
    assert today["sitting_s"] == today["longest_spell_s"] == today["in_progress_s"]
    assert today["in_progress_s"] <= status["sitting_for_s"] + 1
    assert today["breaks_on_own"] == today["breaks_after_prompt"] == 0


def test_importing_the_report_package_loads_nothing_heavy() -> None:
    """The tray imports reminder.report at start-up: the idle service must not pay for it."""
    probe = (
        "import sys, reminder.report\n"
        "heavy = ['sqlite3', 'webbrowser', 'reminder.store.history', 'reminder.report._shell',"
        " 'reminder.report.page', 'reminder.control.client']\n"
        "print([name for name in heavy if name in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, check=True
    )
    assert done.stdout.strip() == "[]"
