"""Runtime adjustments written into the user's file with tomlkit, comments kept."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import tomlkit
from tomlkit.exceptions import ParseError

from reminder.configuration.loader import Layer, read_layer
from reminder.errors import ConfigError


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder, fsync, rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def set_user_value(user_file: Path, dotted_key: str, value: str) -> None:
    """Set one key in the user file, keeping everything else the user wrote.

    A user file that does not parse is never touched: the ConfigError says why.
    """
    if user_file.exists():
        read_layer(Layer(user_file, "user"))  # refuse to edit a file that is already broken
        try:
            document = tomlkit.parse(user_file.read_text(encoding="utf-8"))
        except ParseError as error:  # pragma: no cover - read_layer already caught it
            raise ConfigError(str(user_file), f"TOML syntax error: {error}") from None
    else:
        document = tomlkit.document()
        document.add(
            tomlkit.comment("Sitting Reminder: your settings (see `sitting-reminder config show`).")
        )
    *tables, leaf = dotted_key.split(".")
    container: tomlkit.TOMLDocument | tomlkit.items.Table = document
    for name in tables:
        if name not in container:
            container[name] = tomlkit.table()
        container = container[name]
    container[leaf] = value
    atomic_write_text(user_file, tomlkit.dumps(document))
