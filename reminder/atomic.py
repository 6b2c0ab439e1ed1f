"""The one way files are written: all or nothing, durable, never half a file.

A temp file in the same folder, fsync, rename over the old file, fsync the
folder. A crash at any point leaves either the old file or the new one. On any
failure the old file is untouched, the temp file removed and the error raised
(OSError: disk full, read-only folder).

Threading rule: plain blocking I/O. The service calls these from its writer
thread, never from the engine's event loop.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def write_bytes_atomically(path: Path, data: bytes, *, mode: int | None = 0o600) -> None:
    """Replace `path` with `data`; `mode` None keeps the old file's mode (0644 for a new one)."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
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


def write_text_atomically(path: Path, text: str, *, mode: int | None = None) -> None:
    """Replace `path` with UTF-8 `text` (mode kept by default: it is someone's own file)."""
    write_bytes_atomically(path, text.encode("utf-8"), mode=mode)


def write_json_atomically(path: Path, data: Mapping[str, Any]) -> None:
    """Replace `path` with `data` as JSON (mode 0600); TypeError for data that is not JSON."""
    text = json.dumps(dict(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_bytes_atomically(path, text.encode("utf-8"), mode=0o600)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open folders this way)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
