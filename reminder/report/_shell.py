"""Gather the numbers for `stats` and the report, write the page, open it (the imperative shell).

Threading rule: blocking work (a control request to the service, SQLite, a file
write, starting a browser); call it from the CLI or a tray thread, never from the
engine's event loop.
"""

from __future__ import annotations

import contextlib
import logging
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path

import platformdirs

from reminder import APP_NAME, paths
from reminder.atomic import write_bytes_atomically
from reminder.core.model import DayStats
from reminder.errors import ConfigError, NoServiceError, RuntimeFailure
from reminder.report.page import render_report
from reminder.store.history import CurrentSpell, History

log = logging.getLogger(__name__)
UTC = timezone.utc
REPORT_FILE_NAME = "weekly-report.html"
STATUS_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Numbers:
    """What `stats` and the report show: the days, when and in which zone, and any caveats."""

    days: list[DayStats]
    generated_at: datetime  # aware, in the user's zone
    zone_name: str
    warnings: tuple[str, ...] = ()


def weekly_report_path() -> Path:
    """Where `open_weekly_report` writes the page: the user's cache folder."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / REPORT_FILE_NAME


def current_spell_from_service() -> tuple[CurrentSpell | None, str | None]:
    """The spell in progress as the running service reports it, and a warning if it could not.

    No service running: (None, None). A service that does not answer: (None, why).
    """
    from reminder.control.client import send_request

    try:
        answer = send_request({"cmd": "status"}, timeout=STATUS_TIMEOUT_S)
    except NoServiceError:
        return None, None
    except RuntimeFailure as error:
        return None, f"the running service did not answer ({error}); its spell is not counted"
    received = datetime.now(UTC)
    status = answer.get("status")
    if not answer.get("ok") or not isinstance(status, dict):
        return None, "the running service gave no status; the spell in progress is not counted"
    sitting_for = status.get("sitting_for_s")
    if not isinstance(sitting_for, int) or sitting_for <= 0:
        return None, None
    now = received
    if isinstance(status.get("now"), str):
        with contextlib.suppress(ValueError):  # an older service: the time it answered
            now = datetime.fromisoformat(status["now"]).astimezone(UTC)
    return (now - timedelta(seconds=sitting_for), now), None


def _zone(config_path: Path | None) -> tuple[tzinfo, str, str | None]:
    """The user's zone and its name; with a broken configuration, the computer's, and why."""
    from reminder.configuration.loader import load_configuration
    from reminder.configuration.values import local_zone

    try:
        schedule = load_configuration(config_path).config.schedule
    except ConfigError as error:
        why = f"{error} Times are in the computer's time zone."
        return local_zone(), "the computer's time zone", why
    if schedule.timezone == "local":
        return schedule.zone, "the computer's time zone", None
    return schedule.zone, schedule.timezone, None


def collect_numbers(days: int, config_path: Path | None = None) -> Numbers:
    """The last `days` days from the history, with the running service's spell in progress.

    Raises RuntimeFailure when the history file exists but cannot be read.
    """
    zone, zone_name, config_warning = _zone(config_path)
    current, service_warning = current_spell_from_service()
    now = current[1] if current else datetime.now(UTC)
    today = now.astimezone(zone).date()
    warnings = [text for text in (config_warning, service_warning) if text]
    with History(paths.history_file(), read_only=True) as history:
        rows = history.stats(days, today, current_spell=current, zone=zone)
    return Numbers(rows, now.astimezone(zone), zone_name, tuple(warnings))


def write_report(
    path: Path,
    days: int = 7,
    config_path: Path | None = None,
    *,
    warn: Callable[[str], None] = log.warning,
) -> Numbers:
    """Write the report page for the last `days` days to `path`, atomically (mode 0600).

    Each caveat (the service did not answer, a broken configuration) goes to
    `warn`. Raises RuntimeFailure when the history cannot be read or the file
    cannot be written.
    """
    numbers = collect_numbers(days, config_path)
    for warning in numbers.warnings:
        warn(warning)
    html = render_report(numbers.days, numbers.generated_at, numbers.zone_name)
    try:
        write_bytes_atomically(path, html.encode("utf-8"), mode=0o600)
    except OSError as error:
        raise RuntimeFailure(f"cannot write the report {path}: {error.strerror or error}") from None
    return numbers


def open_weekly_report(
    days: int = 7,
    config_path: Path | None = None,
    *,
    warn: Callable[[str], None] = log.warning,
) -> Path:
    """Write the report to the user's cache folder and open it in the default browser.

    Returns the file. Raises RuntimeFailure when it cannot be written, or when no
    browser could be started: the message then names the file to open by hand
    (it has been written), as `weekly_report_path()` does.
    """
    path = weekly_report_path()
    write_report(path, days, config_path, warn=warn)
    if not webbrowser.open(path.resolve().as_uri()):
        raise RuntimeFailure(
            f"No web browser could be started. The report is written; open it yourself: {path}"
        )
    return path
