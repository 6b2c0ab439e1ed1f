"""`state.json`: the transient state (snooze, pause, current spell) that survives a restart.

Written atomically by `reminder.atomic` (a crash leaves the old file or the new
one). A file that cannot be read back is moved aside (never deleted: someone may
want to look at it) and the service starts fresh.

The engine owns the dict's schema (it should carry its own "version" key);
this module only stores and loads a JSON object.

Threading rule: plain blocking I/O, called from the engine thread; two
writers of the same file must not run at once.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


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
