"""`state.json`: the transient state (snooze, pause, current spell) that survives a restart.

Written atomically: a temp file in the same folder, fsync, rename over the old
file, fsync the folder. A crash at any point leaves either the old file or the
new one, never a mix. A file that cannot be read back is moved aside (never
deleted: someone may want to look at it) and the service starts fresh.

The engine owns the dict's schema (it should carry its own "version" key);
this module only stores and loads a JSON object.

Threading rule: plain blocking I/O, called from the engine thread; two
writers of the same file must not run at once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def write_json_atomically(path: Path, data: Mapping[str, Any]) -> None:
    """Replace `path` with `data` as JSON (mode 0600), all or nothing.

    Raises OSError (disk full, read-only folder) and TypeError (data that is
    not JSON-serialisable); the old file is then untouched.
    """
    text = json.dumps(dict(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_bytes_atomically(path, text.encode("utf-8"), mode=0o600)


def write_bytes_atomically(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace `path` with `data`: temp file in the same folder, fsync, rename, fsync folder.

    Creates the folder if needed. On any failure the old file is untouched
    and the temp file removed; the error is raised.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as temp:
            if os.name == "posix":
                os.fchmod(temp.fileno(), mode)  # mkstemp made it 0600
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open folders this way)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_state(path: Path) -> dict[str, Any] | None:
    """The stored object, or None when there is none or it is unusable.

    Missing file: None, silently. Unreadable, not JSON, or not a JSON object:
    the file is moved to `<name>.corrupt-<UTC timestamp>` with a warning and
    None is returned. Never raises for a bad file.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        move_aside(path, f"cannot be read ({error.strerror or error})")
        return None
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        move_aside(path, "is not UTF-8 text")
        return None
    except json.JSONDecodeError as error:
        move_aside(path, f"is not valid JSON ({error.msg}, line {error.lineno})")
        return None
    if not isinstance(value, dict):
        move_aside(path, f"holds a JSON {type(value).__name__}, not an object")
        return None
    return value


def move_aside(path: Path, problem: str) -> Path | None:
    """Rename a bad file out of the way; log where it went (or that it could not move)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    try:
        os.replace(path, target)
    except OSError as error:
        log.warning(
            "%s %s and could not be moved aside (%s); starting fresh without it",
            path,
            problem,
            error.strerror or error,
        )
        return None
    log.warning("%s %s; moved it to %s and starting fresh", path, problem, target)
    return target
