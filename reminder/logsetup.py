"""The service's log: `user_log_dir/sitting-reminder.log`, rotated, plus short lines on stderr.

File: INFO and up (DEBUG with -v), 1 MiB per file, three old files kept.
Console: WARNING and up (INFO with -v). APScheduler's per-job chatter is kept
at WARNING unless -vv.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from reminder import paths

MAX_LOG_BYTES = 1024 * 1024
BACKUP_COUNT = 3

_FILE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
_CONSOLE_FORMAT = "sitting-reminder: %(levelname)s: %(message)s"
_OURS = "_sitting_reminder_handler"  # marks handlers this module added


class _LogFile(RotatingFileHandler):
    """The rotated log file, which says once when it cannot be written (a full disk)
    instead of printing a traceback for every record, and says when it can again."""

    failing = False
    _failed_now = False

    def emit(self, record: logging.LogRecord) -> None:
        self._failed_now = False
        super().emit(record)
        if self.failing and not self._failed_now:
            self.failing = False
            print("sitting-reminder: the log can be written again", file=sys.stderr, flush=True)

    def handleError(self, record: logging.LogRecord) -> None:
        self._failed_now = True
        if self.failing:
            return
        self.failing = True
        error = sys.exc_info()[1]
        reason = getattr(error, "strerror", None) or error or "unknown error"
        print(
            f"sitting-reminder: cannot write the log {self.baseFilename} ({reason}); "
            "messages go to the console only until it can",
            file=sys.stderr,
            flush=True,
        )


def setup_logging(verbose: int, *, console: bool = True) -> Path:
    """Configure the root logger once (a second call replaces our handlers) and return the log path.

    If the log folder cannot be created the service still runs, logging to
    the console only, and says so.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
            handler.close()
    file_level = logging.DEBUG if verbose > 0 else logging.INFO
    console_level = logging.INFO if verbose > 0 else logging.WARNING
    root.setLevel(logging.DEBUG if verbose > 0 else logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)

    log_path = paths.log_file()
    file_problem: str | None = None
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = _LogFile(
            log_path, maxBytes=MAX_LOG_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as error:
        file_problem = f"cannot write the log {log_path}: {error.strerror or error}"
    else:
        file_handler.setLevel(file_level)
        file_handler.setFormatter(logging.Formatter(_FILE_FORMAT))
        _add(root, file_handler)

    if console or file_problem:
        console_handler = logging.StreamHandler(sys.stderr)
        console_handler.setLevel(console_level)
        console_handler.setFormatter(logging.Formatter(_CONSOLE_FORMAT))
        _add(root, console_handler)
    if file_problem:
        logging.getLogger(__name__).warning("%s; logging to the console only", file_problem)
    return log_path


def _add(root: logging.Logger, handler: logging.Handler) -> None:
    setattr(handler, _OURS, True)
    root.addHandler(handler)
