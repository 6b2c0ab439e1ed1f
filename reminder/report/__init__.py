"""The weekly report: an offline HTML page of the last days' numbers, with charts.

    page.py     render_report(): DayStats -> the page (pure; inline SVG and CSS, no scripts)
    _shell.py   the numbers from the history and the running service; writing and opening

Importing this package loads nothing but these few functions: the shell (SQLite,
the configuration, the control client, webbrowser) loads on the first call, so the
tray can offer "This week" without it weighing on the idle service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reminder.report._shell import Numbers

log = logging.getLogger("reminder.report")


def open_weekly_report(
    days: int = 7,
    config_path: Path | None = None,
    *,
    warn: Callable[[str], None] = log.warning,
) -> Path:
    """Write the report for the last `days` days to the user's cache folder and open it.

    Returns the file. Caveats (the running service did not answer, a broken
    configuration) go to `warn`. Raises RuntimeFailure when the history cannot
    be read, the file cannot be written, or no browser could be started (the
    message then names the written file to open by hand). Blocking: never call
    it on the engine's event loop.
    """
    from reminder.report._shell import open_weekly_report as run

    return run(days, config_path, warn=warn)


def write_report(
    path: Path,
    days: int = 7,
    config_path: Path | None = None,
    *,
    warn: Callable[[str], None] = log.warning,
) -> Numbers:
    """Write the report for the last `days` days to `path` (atomically); the numbers shown."""
    from reminder.report._shell import write_report as run

    return run(path, days, config_path, warn=warn)


def weekly_report_path() -> Path:
    """Where `open_weekly_report` writes the page (the user's cache folder)."""
    from reminder.report._shell import weekly_report_path as run

    return run()


__all__ = ["open_weekly_report", "weekly_report_path", "write_report"]
