"""History of prompts, spells and breaks in SQLite (`history.sqlite3`), and the `stats` numbers.

One row per event. The schema version lives in `PRAGMA user_version`;
`MIGRATIONS[n]` takes a database from version n to n + 1, so a later release
appends a step and old files upgrade on open. A file that is not a usable
database is moved aside with a warning and a fresh one is created.

History trouble never stops the service. When the database cannot be opened or
written (another process holds it locked, the folder is read-only, the disk is
full), `History` logs one warning naming the file and the reason, keeps new
events in memory (at most `MAX_PENDING`), counts them in its numbers, and tries
the database again on a later `record` no more than once every `retry_every_s`
(a minute). Every database call waits at most the busy timeout (half a second)
for a lock. Only caller bugs (an unknown kind, a naive datetime) raise.

The numbers (`DayStats`) are computed by one pure function, `summarize_days`,
for `stats`, the weekly report and the tray's "today" line alike.

Threading rule: the service calls it from its one writer thread, off the event
loop; a lock makes each call atomic should another thread call too. The CLI's
`stats` opens its own History; SQLite's file locks cover the overlap.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

from reminder.core.model import DayStats
from reminder.durations import human_duration
from reminder.errors import RuntimeFailure
from reminder.store.state_file import move_aside

log = logging.getLogger(__name__)
UTC = timezone.utc

KINDS = (
    "prompt",
    "snooze",
    "pause",
    "break_taken",
    "natural_break",
    "spell",
    "held",
)
"""Event kinds, and what the engine records with each.

prompt         a prompt to move was shown (spell_s: how long the spell had lasted)
snooze         the user snoozed (tray, CLI, notification button); detail: until when
pause          the user paused tracking; detail: until when
break_taken    the user said "I moved" (tray, CLI `break`, notification Done)
natural_break  the service noticed a break; detail: idle, locked or suspend
spell          a sitting spell ended: spell_s its length, `at` the moment it ended,
               detail how (SPELL_ENDINGS), prompts how many prompts it had
held           a prompt was held back, recorded when the hold ends: detail call, dnd or
               fullscreen, spell_s how long it was held. Nothing else about a call is stored.

Only `spell`, `prompt`, `snooze` and `held` rows feed the numbers; `break_taken` and
`natural_break` are a log for people reading the file.
"""

BREAK_ENDINGS = frozenset({"user", "idle", "locked", "suspend"})
"""Ways a spell ends that are a break."""
SPELL_ENDINGS = BREAK_ENDINGS | {"work_hours_end", "pause"}
"""Every `detail` of a `spell` event; the end of work hours and a pause are not breaks."""
HOLD_REASONS = frozenset({"call", "dnd", "fullscreen"})
"""Every `detail` of a `held` event."""

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
    # 1 -> 2: how many prompts a spell had (NULL on older rows: counted from the prompt rows).
    """
    ALTER TABLE events ADD COLUMN prompts INTEGER;
    CREATE INDEX events_by_time ON events (kind, at_utc);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

BUSY_TIMEOUT_S = 0.5
"""The longest any call waits for another process's lock on the file."""
RETRY_EVERY_S = 60.0
"""After a failure, the database is tried again no sooner than this."""
MAX_PENDING = 5000
"""Events kept in memory while the database is unavailable (the oldest go first)."""


@dataclass(frozen=True)
class Event:
    """One history row. `at` is aware UTC; `local_day` the user's date when it happened."""

    kind: str
    at: datetime
    local_day: date
    spell_s: int | None = None
    detail: str | None = None
    prompts: int | None = None


CurrentSpell = tuple[datetime, datetime]
"""The spell in progress as the running service reports it: (start, now), aware."""


class History:
    """The event log behind `stats`, the weekly report and the tray's "today" line."""

    def __init__(
        self,
        path: Path,
        *,
        migrations: Sequence[str] = MIGRATIONS,
        busy_timeout_s: float = BUSY_TIMEOUT_S,
        retry_every_s: float = RETRY_EVERY_S,
        monotonic: Callable[[], float] = time.monotonic,
        read_only: bool = False,
    ) -> None:
        """Open (creating or migrating) the database at `path`; never raises for database trouble.

        A locked, unwritable or full database leaves the History "unavailable"
        (`available` is False, `problem` says why, one warning is logged); a
        corrupt file is moved aside and replaced. `monotonic` is the clock for
        the retry interval (a fake one in tests). `read_only` (for `stats` and
        the report) opens nothing until a read, never creates, migrates or
        moves the file, and refuses `record`.
        """
        self.path = path
        self._migrations = tuple(migrations)
        self._busy_timeout_s = busy_timeout_s
        self._retry_every_s = retry_every_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pending: deque[Event] = deque()
        self._lost = 0
        self._problem: str | None = None
        self._next_attempt = 0.0
        self._read_only = read_only
        self._closed = False
        if not read_only:
            self._connect()

    # ------------------------------------------------------------ opening

    @property
    def available(self) -> bool:
        """True while events go straight to the database."""
        return self._problem is None

    @property
    def problem(self) -> str | None:
        """Why the history is unavailable ("cannot write to it: database is locked"), or None."""
        return self._problem

    @property
    def pending(self) -> int:
        """Events recorded but not yet in the database."""
        return len(self._pending)

    def _connect(self) -> None:
        try:
            self._conn = self._open_or_replace()
        except (sqlite3.Error, OSError) as error:
            self._conn = None
            self._unavailable(f"cannot open it: {_reason(error)}")

    def _open_or_replace(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._open()
        except sqlite3.OperationalError:
            raise  # locked, read-only, full: the file may be fine, never move it
        except sqlite3.DatabaseError as error:
            if move_aside(self.path, f"is not a usable database ({error})") is None:
                raise
            for leftover in ("-journal", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.unlink(f"{self.path}{leftover}")
            return self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout_s,
            isolation_level=None,
            check_same_thread=False,
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
            try:  # a record of the user's day is nobody else's business
                os.chmod(self.path, 0o600)
            except OSError as error:  # a read-only file system: reading still works
                log.debug("cannot chmod %s: %s", self.path, error)
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
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            log.info("history %s is at schema %d", self.path, version)

    def _unavailable(self, reason: str) -> None:
        """Note a failure: warn once per distinct reason, and wait before the next try."""
        if reason != self._problem:
            log.warning(
                "history %s is unavailable (%s); events are kept in memory and written "
                "when it works again (tried at most once every %s)",
                self.path,
                reason,
                human_duration(timedelta(seconds=self._retry_every_s)),
            )
        else:
            log.debug("history %s is still unavailable (%s)", self.path, reason)
        self._problem = reason
        self._next_attempt = self._monotonic() + self._retry_every_s

    @property
    def schema_version(self) -> int:
        """The file's schema version (raises RuntimeFailure when it cannot be read)."""
        with self._lock, self._reader() as conn:
            return 0 if conn is None else _user_version(conn)

    # ------------------------------------------------------------ writing

    def record(
        self,
        kind: str,
        at: datetime,
        local_day: date,
        spell_s: int | None = None,
        detail: str | None = None,
        prompts: int | None = None,
    ) -> None:
        """Append one event. Never raises for database trouble (it is kept in memory instead).

        Raises ValueError for a caller bug: an unknown kind, a naive `at`, a
        `spell` without its length or with an unknown ending, a `held` with
        anything but its reason and length, `prompts` on anything but a `spell`.
        """
        if self._read_only or self._closed:
            state = "opened read-only" if self._read_only else "closed"
            raise ValueError(f"this History of {self.path} is {state}: nothing can be recorded")
        event = _checked_event(kind, at, local_day, spell_s, detail, prompts)
        with self._lock:
            if len(self._pending) >= MAX_PENDING:
                self._pending.popleft()
                self._lost += 1
                if self._lost == 1:
                    log.warning("history %s: memory buffer full, oldest events dropped", self.path)
            self._pending.append(event)
            self._flush(force=False)

    def _flush(self, *, force: bool) -> None:
        """Write the pending events in one transaction, if the retry interval allows."""
        if not self._pending:
            return
        if self._problem is not None and not force and self._monotonic() < self._next_attempt:
            return
        if self._conn is None:
            self._connect()
            if self._conn is None:
                return
        conn = self._conn
        rows = [
            (
                event.at.isoformat(timespec="seconds"),
                event.local_day.isoformat(),
                event.kind,
                event.spell_s,
                event.detail,
                event.prompts,
            )
            for event in self._pending
        ]
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO events (at_utc, local_day, kind, spell_s, detail, prompts)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            # Reopen on the next try: that re-checks the file (it may have been replaced).
            with contextlib.suppress(sqlite3.Error):
                conn.close()
            self._conn = None
            self._unavailable(f"cannot write to it: {_reason(error)}")
            return
        self._pending.clear()
        if self._problem is not None:
            log.warning(
                "history %s works again; wrote the %d events kept in memory", self.path, len(rows)
            )
            self._problem = None

    # ------------------------------------------------------------ reading

    def day_stats(
        self,
        day: date,
        *,
        current_spell: CurrentSpell | None = None,
        zone: tzinfo | None = None,
    ) -> DayStats:
        """One day's numbers (zeros for a day without events).

        `current_spell` is the spell in progress, (start, now); `zone` the
        user's time zone (schedule.zone; None: the system's), used to split
        spells at local midnight. Raises RuntimeFailure when the file exists
        but cannot be read (locked beyond the busy timeout).
        """
        events, _ = self._events_since(day, zone)
        return summarize_days(events, [day], zone, current_spell)[0]

    def stats(
        self,
        days: int,
        today: date,
        *,
        current_spell: CurrentSpell | None = None,
        zone: tzinfo | None = None,
    ) -> list[DayStats]:
        """The last `days` days up to `today`, oldest first, one row per day.

        No rows for days before the first recorded event (or the start of the
        spell in progress): a fresh install has one row, today. Days between
        are listed with zeros. Arguments and errors as for `day_stats`.
        """
        if days < 1:
            raise ValueError(f"days must be at least 1, got: {days}")
        first = today - timedelta(days=days - 1)
        events, first_recorded = self._events_since(first, zone)
        if current_spell is not None:
            spell_day = _local_date(current_spell[0], zone)
            first_recorded = spell_day if first_recorded is None else min(first_recorded, spell_day)
        start = today if first_recorded is None else min(today, max(first, first_recorded))
        shown = [start + timedelta(days=n) for n in range((today - start).days + 1)]
        return summarize_days(events, shown, zone, current_spell)

    def _events_since(self, first: date, zone: tzinfo | None) -> tuple[list[Event], date | None]:
        """Stored and pending events that can touch `first` or later, and the first event's day."""
        with self._lock:
            pending = list(self._pending)
            with self._reader() as conn:
                stored: list[Event] = []
                first_day: date | None = None
                if conn is not None:
                    try:
                        stored, first_day = _read_events(conn, first, zone)
                    except sqlite3.Error as error:
                        raise RuntimeFailure(
                            f"cannot read the history {self.path}: {_reason(error)}"
                        ) from None
        pending_days = [event.local_day for event in pending]
        if pending_days:
            first_day = min([*pending_days, *([first_day] if first_day else [])])
        return stored + pending, first_day

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection | None]:
        """The open connection, else a read-only one; None when there is no file yet."""
        if self._conn is not None:
            yield self._conn
            return
        if not self.path.exists():
            yield None
            return
        uri = f"file:{quote(os.fspath(self.path))}?mode=ro"
        try:
            conn = sqlite3.connect(
                uri, uri=True, timeout=self._busy_timeout_s, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise RuntimeFailure(f"cannot read the history {self.path}: {_reason(error)}") from None
        try:
            yield conn
        finally:
            conn.close()

    # ------------------------------------------------------------ closing

    def close(self) -> None:
        """Write what is still in memory (one last try), then close (idempotent)."""
        with self._lock:
            self._closed = True
            self._flush(force=True)
            if self._pending:
                log.warning(
                    "history %s: %d events could not be written and are lost (%s)",
                    self.path,
                    len(self._pending),
                    self._problem,
                )
                self._pending.clear()
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# ------------------------------------------------------------------ helpers


def _checked_event(
    kind: str,
    at: datetime,
    local_day: date,
    spell_s: int | None,
    detail: str | None,
    prompts: int | None,
) -> Event:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got: {kind!r}")
    if at.tzinfo is None:
        raise ValueError(f"at must be timezone-aware, got: {at.isoformat()}")
    if spell_s is not None and spell_s < 0:
        raise ValueError(f"spell_s must be 0 or more, got: {spell_s}")
    if kind in ("spell", "held") and spell_s is None:
        raise ValueError(f"a {kind} event needs spell_s (its length in seconds)")
    if kind == "spell" and detail not in SPELL_ENDINGS:
        raise ValueError(
            f"a spell's detail must be one of {', '.join(sorted(SPELL_ENDINGS))}, got: {detail!r}"
        )
    if kind == "held" and detail not in HOLD_REASONS:
        raise ValueError(
            f"a held event's detail must be one of {', '.join(sorted(HOLD_REASONS))},"
            f" got: {detail!r}"
        )
    if prompts is not None and (kind != "spell" or prompts < 0):
        raise ValueError(f"prompts is a spell's count of prompts (0 or more), got: {prompts}")
    return Event(kind, at.astimezone(UTC), local_day, spell_s, detail, prompts)


def _read_events(
    conn: sqlite3.Connection, first: date, zone: tzinfo | None
) -> tuple[list[Event], date | None]:
    """Rows of days from `first` on, plus the prompts inside spells that began before it."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
    if not columns:  # an empty file (created, then the disk was full): nothing recorded
        return [], None
    prompts = "prompts" if "prompts" in columns else "NULL"  # a schema-1 file opened read-only
    select = f"SELECT kind, at_utc, local_day, spell_s, detail, {prompts} FROM events"
    since_first = conn.execute(f"{select} WHERE local_day >= ?", (first.isoformat(),))
    events = [_event(row) for row in since_first]
    # A spell whose prompt count is not stored is matched with the prompt rows inside it;
    # those may lie before `first` when the spell crossed midnight.
    boundary = _midnight(first, zone)
    starts = [
        event.at - timedelta(seconds=event.spell_s or 0)
        for event in events
        if event.kind == "spell" and event.prompts is None
    ]
    if starts and min(starts) < boundary:
        events += [
            _event(row)
            for row in conn.execute(
                f"{select} WHERE kind = 'prompt' AND local_day < ? AND at_utc >= ?",
                (first.isoformat(), min(starts).isoformat(timespec="seconds")),
            )
        ]
    first_day = conn.execute("SELECT MIN(local_day) FROM events").fetchone()[0]
    return events, None if first_day is None else date.fromisoformat(first_day)


def _event(row: tuple[str, str, str, int | None, str | None, int | None]) -> Event:
    kind, at_utc, local_day, spell_s, detail, prompts = row
    at = datetime.fromisoformat(at_utc)
    return Event(
        kind,
        at if at.tzinfo else at.replace(tzinfo=UTC),
        date.fromisoformat(local_day),
        spell_s,
        detail,
        prompts,
    )


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


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


# ------------------------------------------------------------ the numbers


def _local_date(instant: datetime, zone: tzinfo | None) -> date:
    """The calendar date of `instant` in `zone` (None: the system's zone, DST rules included)."""
    return instant.astimezone(zone).date()


def _midnight(day: date, zone: tzinfo | None) -> datetime:
    """The instant (UTC) `day` begins in `zone`."""
    wall = datetime(day.year, day.month, day.day)
    local = wall.replace(tzinfo=zone) if zone is not None else wall.astimezone()
    return local.astimezone(UTC)


def split_by_local_day(
    start: datetime, end: datetime, zone: tzinfo | None
) -> list[tuple[date, int]]:
    """The seconds of [start, end) that fall on each local day, in order (empty if end <= start)."""
    parts: list[tuple[date, int]] = []
    cursor = start.astimezone(UTC)
    end = end.astimezone(UTC)
    while cursor < end:
        day = _local_date(cursor, zone)
        boundary = _midnight(day + timedelta(days=1), zone)
        if boundary <= cursor:  # a zone whose midnight does not exist that day
            boundary = cursor + timedelta(hours=1)
        stop = min(boundary, end)
        seconds = round((stop - cursor).total_seconds())
        if seconds:
            parts.append((day, seconds))
        cursor = stop
    return parts


@dataclass
class _Tally:
    day: date
    sitting_s: int = 0
    longest_spell_s: int = 0
    in_progress_s: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def sat(self, seconds: int) -> None:
        self.sitting_s += seconds
        self.longest_spell_s = max(self.longest_spell_s, seconds)

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount

    def result(self) -> DayStats:
        return DayStats(
            day=self.day.isoformat(),
            sitting_s=self.sitting_s,
            longest_spell_s=self.longest_spell_s,
            in_progress_s=self.in_progress_s,
            **self.counts,
        )


def summarize_days(
    events: Iterable[Event],
    days: Sequence[date],
    zone: tzinfo | None,
    current_spell: CurrentSpell | None = None,
) -> list[DayStats]:
    """The `DayStats` of each of `days` (in that order) from `events`: the one rule for all numbers.

    Time sat and the longest spell come from each spell's part on that local
    day (`zone`); counts go to the event's own `local_day`. A spell's ending
    decides what it was (BREAK_ENDINGS are breaks; the end of work hours and a
    pause are not). A spell recorded without its prompt count is matched with
    the prompt events inside it. `current_spell` (start, now) adds to the time.
    """
    tallies = {day: _Tally(day) for day in days}
    events = list(events)
    prompt_times = sorted(event.at for event in events if event.kind == "prompt")
    for event in events:
        tally = tallies.get(event.local_day)
        if event.kind == "spell":
            length = event.spell_s or 0
            start = event.at - timedelta(seconds=length)
            for day, seconds in split_by_local_day(start, event.at, zone):
                if day in tallies:
                    tallies[day].sat(seconds)
            if tally is not None:
                _count_ending(tally, event, start, prompt_times)
        elif tally is None:
            continue
        elif event.kind == "prompt":
            tally.add("prompts")
        elif event.kind == "snooze":
            tally.add("snoozes")
        elif event.kind == "held" and event.detail == "call":
            tally.add("calls_held")
            tally.add("call_held_s", event.spell_s or 0)
    if current_spell is not None:
        start, now = current_spell
        for day, seconds in split_by_local_day(start, now, zone):
            if day in tallies:
                tallies[day].sat(seconds)
                tallies[day].in_progress_s += seconds
    return [tallies[day].result() for day in days]


def _count_ending(
    tally: _Tally, spell: Event, start: datetime, prompt_times: Sequence[datetime]
) -> None:
    ending = spell.detail
    if ending == "work_hours_end":
        tally.add("ended_with_work_day")
    elif ending == "pause":
        tally.add("ended_by_pause")
    elif ending in BREAK_ENDINGS:
        prompts = spell.prompts
        if prompts is None:  # rows from before schema 2: the prompts shown inside the spell
            prompts = bisect.bisect_right(prompt_times, spell.at) - bisect.bisect_right(
                prompt_times, start
            )
        tally.add("breaks_after_prompt" if prompts else "breaks_on_own")
        tally.add("breaks_taken" if ending == "user" else "natural_breaks")


# --------------------------------------------------------------- for people

_COLUMNS = (
    ("date", "the day, in your time zone"),
    ("sat", "time sat in sitting spells (the spell still going on included)"),
    ("longest", "the longest spell of the day"),
    ("prompts", "prompts to move that were shown"),
    ("moved when asked", "spells that ended in a break after at least one prompt"),
    ("moved unasked", "spells that ended in a break before any prompt"),
    ("snoozes", "prompts snoozed"),
    ("calls held", "prompts held back during a call, and how long they waited"),
)
LEGEND = "\n".join(
    [
        *(f"  {name}: {meaning}" for name, meaning in _COLUMNS[1:]),
        '  A break is "I moved", time away (idle), a locked screen or a suspend;'
        " the end of work hours and a pause end a spell but are not breaks.",
    ]
)
"""What each column of the `stats` table means, printed under it."""


def format_stats_table(rows: Sequence[DayStats], *, legend: bool = True) -> str:
    """`stats` for people: one aligned line per day under a header, then the legend."""
    table = [[name for name, _ in _COLUMNS]]
    for row in rows:
        held = str(row.calls_held)
        if row.calls_held:
            held += f" ({human_duration(timedelta(seconds=row.call_held_s))})"
        table.append(
            [
                row.day,
                human_duration(timedelta(seconds=row.sitting_s)),
                human_duration(timedelta(seconds=row.longest_spell_s)),
                str(row.prompts),
                str(row.breaks_after_prompt),
                str(row.breaks_on_own),
                str(row.snoozes),
                held,
            ]
        )
    widths = [max(len(line[col]) for line in table) for col in range(len(_COLUMNS))]
    lines = []
    for line in table:
        cells = [line[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    in_progress = [row for row in rows if row.in_progress_s]
    if legend:
        lines += ["", "Columns:", LEGEND]
    if in_progress:
        spell = human_duration(timedelta(seconds=sum(row.in_progress_s for row in in_progress)))
        lines.append(f"  The spell still going on ({spell} so far) is counted in sat and longest.")
    return "\n".join(lines)
