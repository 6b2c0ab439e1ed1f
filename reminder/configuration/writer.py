"""Changes written into the user's file with tomlkit, comments and order kept.

Everything the CLI (`interval`), the tray and the settings window write goes
through `set_user_values`: each value is checked by `keys.validate` (the loader's
own check), locked keys are refused, and the whole new file is checked again
before it replaces the old one atomically. A refusal leaves the file
byte-for-byte as it was; so does a user file that is already broken.

Threading rule: blocking file I/O; the running service calls it from its writer
thread, never on the engine loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reminder.atomic import write_text_atomically
from reminder.configuration.keys import KEYS, validate
from reminder.configuration.loader import Layer, check_table, read_layer
from reminder.configuration.values import Invalid
from reminder.errors import ConfigError, ConfigErrors, LockedKeyError, RuntimeFailure, UsageError
from reminder.tomlfile import parse_toml_text

NEW_FILE_COMMENT = "Sitting Reminder: your settings (see `sitting-reminder config show`)."


def check_user_value(key: str, value: Any) -> Any:
    """`keys.validate` for a value a person typed: UsageError (exit 2) naming key and form."""
    if key not in KEYS:
        raise UsageError(f"there is no setting '{key}'")
    try:
        return validate(key, value)
    except Invalid as error:
        raise UsageError(
            f"'{key}' cannot be set to that: expected {error.expected}, found {error.found}"
        ) from None


def set_user_values(
    user_file: Path, changes: Mapping[str, Any], *, locked: Mapping[str, str] | None = None
) -> str:
    """Set keys (dotted, TOML values) in the user file, keeping everything else it holds.

    Raises UsageError for a value the loader would refuse, LockedKeyError for a key
    in `locked` (key -> the managed file or policy that locked it), ConfigError when
    the existing file is broken, RuntimeFailure when the disk refuses the write; in
    every case the file is left as it was. Returns the new text.
    """
    import tomlkit  # costs 3 MiB: only loaded when something is written

    for key, value in changes.items():
        if locked and key in locked:
            raise LockedKeyError(key, locked[key])
        check_user_value(key, value)
    if user_file.exists():
        current = read_layer(Layer(user_file, "user"))
        if current.problems:  # refuse to edit a file that is already broken
            problems = list(current.problems)
            raise problems[0] if len(problems) == 1 else ConfigErrors(problems)
        document = tomlkit.parse(user_file.read_text(encoding="utf-8-sig"))
    else:
        document = tomlkit.document()
        document.add(tomlkit.comment(NEW_FILE_COMMENT))
    for key, value in changes.items():
        *tables, leaf = key.split(".")
        container: Any = document
        for name in tables:
            if name not in container:
                container[name] = tomlkit.table()
            container = container[name]
        container[leaf] = value
    text = tomlkit.dumps(document)
    data = parse_toml_text(user_file, text, example='key = "value"')
    after = check_table(Layer(user_file, "user"), data, text)
    if after.problems:  # pragma: no cover - every value was checked above
        raise ConfigError(str(user_file), f"the edit would break the file: {after.problems[0]}")
    try:
        write_text_atomically(user_file, text)
    except OSError as error:  # disk full, read-only: the old file is untouched
        raise RuntimeFailure(
            f"could not write {user_file}: {error.strerror or error}; it is unchanged"
        ) from None
    return text


def set_user_value(user_file: Path, dotted_key: str, value: Any) -> str:
    """`set_user_values` for one key."""
    return set_user_values(user_file, {dotted_key: value})
