"""History of prompts and breaks in SQLite (`history.sqlite3`), and the `stats` numbers.

One row per event. The schema version lives in `PRAGMA user_version`;
`MIGRATIONS[n]` takes a database from version n to n + 1, so a later release
appends a step and old files upgrade on open. A file that is not a usable
database is moved aside with a warning and a fresh one is created: losing
history must never stop the service.

Threading rule: used from the engine thread only (the connection is opened
with check_same_thread=False so the engine may be a worker thread that did
not create it, but never from two threads at once). The CLI's `stats` opens
its own History; SQLite's locking (5 s busy timeout) covers the overlap.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType

from reminder.core.model import DayStats
from reminder.durations import format_duration
from reminder.errors import RuntimeFailure
from reminder.store.state_file import move_aside

log = logging.getLogger(__name__)

KINDS = ("prompt", "snooze", "pause", "break_taken", "natural_break", "spell", "held")
"""Event kinds.

prompt         a prompt to move was shown
snooze         the user snoozed (tray, CLI, notification button)
pause          the user paused tracking
break_taken    the user said "I moved" (tray, CLI `break`, notification Done)
natural_break  a break the service noticed: idle, lock, suspend, end of work hours
spell          a sitting spell ended; `spell_s` holds its length
"""

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: the first schema.
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at_utc TEXT NOT NULL,        -- ISO 8601, UTC
        local_day TEXT NOT NULL,     -- YYYY-MM-DD in the user's time zone
        kind TEXT NOT NULL,
        spell_s INTEGER,
        detail TEXT
    );
    CREATE INDEX events_by_day ON events (local_day, kind);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_BUSY_TIMEOUT_S = 5.0


class History:
    """The event log behind `stats` and the tray's "today" line."""

    def __init__(self, path: Path, *, migrations: Sequence[str] = MIGRATIONS) -> None:
        """Open (creating or migrating) the database at `path`.

        Raises RuntimeFailure when the file cannot be opened at all (locked
        beyond the busy timeout, no permission); a corrupt file is replaced.
        """
        self.path = path
        self._migrations = tuple(migrations)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = self._open()
        except sqlite3.OperationalError as error:
            raise RuntimeFailure(f"cannot open the history {path}: {error}") from None
        except sqlite3.DatabaseError as error:
            move_aside(path, f"is not a usable database ({error})")
            for leftover in ("-journal", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.unlink(f"{path}{leftover}")
            self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(check)
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        if os.name == "posix":
            os.chmod(self.path, 0o600)  # a record of the user's day is nobody else's business
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        latest = len(self._migrations)
        version = _user_version(conn)
        if version > latest:
            log.warning(
                "%s was written by a newer release (schema %d, this one knows %d); using it as is",
                self.path,
                version,
                latest,
            )
            return
        while version < latest:
            # The write lock first, then the version again: the service and a
            # `stats` opening a new file at the same moment migrate it once.
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = _user_version(conn)
                if version < latest:
                    for statement in _statements(self._migrations[version]):
                        conn.execute(statement)
                    version += 1
                    # user_version sits in the file header, so it commits with the step.
                    conn.execute(f"PRAGMA user_version = {version}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            log.info("history %s is at schema %d", self.path, version)

    @property
    def schema_version(self) -> int:
        return _user_version(self._conn)

    def record(
        self,
        kind: str,
        at: datetime,
        local_day: date,
        spell_s: int | None = None,
        detail: str | None = None,
        prompts: int | None = None,
    ) -> None:
        """Append one event. A database failure is logged, not raised (history is not vital).

        `prompts` (how many prompts a spell had) is not stored yet.

        Raises ValueError for an unknown kind or a naive `at` (a caller bug).
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got: {kind!r}")
        if at.tzinfo is None:
            raise ValueError(f"at must be timezone-aware, got: {at.isoformat()}")
        at_utc = at.astimezone(timezone.utc).isoformat(timespec="seconds")
        try:
            self._conn.execute(
                "INSERT INTO events (at_utc, local_day, kind, spell_s, detail)"
                " VALUES (?, ?, ?, ?, ?)",
                (at_utc, local_day.isoformat(), kind, spell_s, detail),
            )
        except sqlite3.Error as error:
            log.warning("could not record a %s event in %s: %s", kind, self.path, error)

    def day_stats(self, day: date) -> DayStats:
        """One day's numbers (zeros for a day without events)."""
        return self._collect(day, day)[0]

    def stats(self, days: int, today: date) -> list[DayStats]:
        """The last `days` days up to `today`, oldest first, one row per day (zeros if empty)."""
        if days < 1:
            raise ValueError(f"days must be at least 1, got: {days}")
        return self._collect(today - timedelta(days=days - 1), today)

    def _collect(self, first: date, last: date) -> list[DayStats]:
        try:
            rows = self._conn.execute(
                "SELECT local_day, kind, COUNT(*), COALESCE(MAX(spell_s), 0),"
                " COALESCE(SUM(spell_s), 0)"
                " FROM events WHERE local_day BETWEEN ? AND ? GROUP BY local_day, kind",
                (first.isoformat(), last.isoformat()),
            ).fetchall()
        except sqlite3.Error as error:
            raise RuntimeFailure(f"cannot read the history {self.path}: {error}") from None
        counts: dict[str, dict[str, tuple[int, int, int]]] = {}
        for local_day, kind, count, longest, total in rows:
            counts.setdefault(local_day, {})[kind] = (count, longest, total)
        result = []
        for offset in range((last - first).days + 1):
            day = (first + timedelta(days=offset)).isoformat()
            kinds = counts.get(day, {})
            _, longest, total = kinds.get("spell", (0, 0, 0))
            result.append(
                DayStats(
                    day=day,
                    prompts=kinds.get("prompt", (0, 0, 0))[0],
                    snoozes=kinds.get("snooze", (0, 0, 0))[0],
                    breaks_taken=kinds.get("break_taken", (0, 0, 0))[0],
                    natural_breaks=kinds.get("natural_break", (0, 0, 0))[0],
                    longest_spell_s=longest,
                    sitting_s=total,
                )
            )
        return result

    def close(self) -> None:
        """Close the database (idempotent)."""
        self._conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _user_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (execute() runs one at a time)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending)
            pending = ""
    if pending.strip():
        statements.append(pending)  # incomplete: let SQLite report the error
    return statements


_COLUMNS = (
    "date",
    "prompts",
    "snoozes",
    "breaks taken",
    "natural breaks",
    "longest spell",
    "sitting total",
)


def format_stats_table(rows: list[DayStats]) -> str:
    """`stats` for people: one aligned line per day under a header (no trailing newline)."""
    table = [list(_COLUMNS)]
    for row in rows:
        table.append(
            [
                row.day,
                str(row.prompts),
                str(row.snoozes),
                str(row.breaks_taken),
                str(row.natural_breaks),
                format_duration(timedelta(seconds=row.longest_spell_s), coarse=True),
                format_duration(timedelta(seconds=row.sitting_s), coarse=True),
            ]
        )
    widths = [max(len(line[col]) for line in table) for col in range(len(_COLUMNS))]
    lines = []
    for line in table:
        cells = [line[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
