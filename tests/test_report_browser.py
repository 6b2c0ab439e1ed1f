"""The weekly report in a real headless Chromium that cannot reach any host.

The history is filled by the scripted week (tests/test_report_week.py) through `History.record`.
The page `stats --html` writes is loaded by Debian's `chromium`; the numbers read back out
of the rendered DOM must be those of `stats --json`. The scripted week's page (made at a
literal time) is screenshot for the README (docs/report.png with UPDATE_DOCS=1) and printed
to PDF, since the page must read well on paper too.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import docs_screenshots, require_desktop_tools
from PIL import Image
from service_proc import headless_env
from test_report import PageReader, days_to_today
from test_report_week import FIRST_DAY, LAST_DAY, ZONE, script_week

from reminder import paths
from reminder.report.page import CHARTS, render_report
from reminder.store.history import History

pytestmark = pytest.mark.browser

SCREEN = (1100, 1900)
SITTING_BAR = (0x1D, 0x5A, 0x8A)  # --c-sitting_s
OWN_BREAKS_BAR = (0x00, 0x66, 0x5A)  # --c-breaks_on_own


def chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with every host name unresolvable (a page needing the network shows)."""
    require_desktop_tools("chromium")
    done = subprocess.run(
        [
            shutil.which("chromium") or "/usr/bin/chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture
def week_page(tmp_path: Path) -> Path:
    """The scripted week's page, rendered for a literal "now" (Sunday evening)."""
    with History(paths.history_file()) as history:
        script_week(history)
        rows = history.stats(7, LAST_DAY, zone=ZONE)
    page = tmp_path / "week.html"
    made = datetime(2026, 11, 22, 18, 5, tzinfo=ZONE)
    page.write_text(render_report(rows, made, "Europe/Berlin"), encoding="utf-8")
    return page


def test_the_rendered_page_holds_the_numbers_of_stats_json(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    folder = isolated_dirs["config"] / "sitting-reminder"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text('[schedule]\ntimezone = "Europe/Berlin"\n')
    with History(paths.history_file()) as history:
        script_week(history)
    days = str(days_to_today())
    target = tmp_path / "report.html"

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "reminder", "stats", "--days", days, *args],
            env=headless_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout

    cli("--html", str(target))
    document = json.loads(cli("--json"))
    dom = chromium(tmp_path / "profile", "--dump-dom", target.as_uri()).stdout
    page = PageReader()
    page.feed(dom)
    assert page.references == []
    assert list(page.table) == [day["date"] for day in document["days"]]
    assert document["days"][0]["date"] == FIRST_DAY.isoformat()
    for day in document["days"]:
        numbers = {chart.key: day[chart.key] for chart in CHARTS}
        assert page.table[day["date"]] == numbers
        assert page.bars[day["date"]] == numbers
        assert page.held_s[day["date"]] == day["call_held_s"]


def test_screenshot_shows_the_charts(week_page: Path, tmp_path: Path, artifacts: Path) -> None:
    """Saved to tests/artifacts/report.png, and docs/report.png with UPDATE_DOCS=1."""
    shot = artifacts / "report.png"
    shot.unlink(missing_ok=True)
    chromium(
        tmp_path / "profile",
        f"--screenshot={shot}",
        f"--window-size={SCREEN[0]},{SCREEN[1]}",
        week_page.as_uri(),
    )
    with Image.open(shot) as image:
        assert image.size == SCREEN
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    counts = {colour: count for count, colour in colours if isinstance(colour, tuple)}
    assert counts.get((255, 255, 255), 0) > SCREEN[0] * SCREEN[1] // 2  # a white page
    # Five days of bars in the wide "time sat" chart, the "breaks on your own" bars too.
    assert counts.get(SITTING_BAR, 0) > 5 * 40 * 60
    assert counts.get(OWN_BREAKS_BAR, 0) > 2000
    assert sum(n for c, n in counts.items() if max(c) < 80) > 15_000  # dark text
    docs = docs_screenshots()
    docs.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, docs / "report.png")


def test_the_page_prints_its_charts_on_one_page_and_the_numbers_on_the_next(
    week_page: Path, tmp_path: Path, artifacts: Path
) -> None:
    """The print stylesheet: A4, charts whole; kept as tests/artifacts/report.pdf (and a PNG
    of each page where poppler's pdftoppm is installed, for people to look at)."""
    pdf = artifacts / "report.pdf"
    pdf.unlink(missing_ok=True)
    chromium(
        tmp_path / "profile", f"--print-to-pdf={pdf}", "--no-pdf-header-footer", week_page.as_uri()
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    assert pages == 2, pages
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "70", "-png", str(pdf), str(artifacts / "report-print")],
            check=True,
            timeout=60,
        )
