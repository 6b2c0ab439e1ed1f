"""Reading a TOML file the user or IT wrote, with errors that name file and line."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from reminder.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def read_toml_file(
    path: Path, *, example: str, missing: str = "the file does not exist"
) -> tuple[dict[str, Any], str]:
    """Parse `path` (bytes, UTF-8) and return the data and the text.

    Every failure is a ConfigError naming the file; a syntax error carries the
    parser's line and shows `example` as the expected form.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(path), missing) from None
    except IsADirectoryError:
        raise ConfigError(str(path), "this is a folder, expected a TOML file") from None
    except OSError as error:
        raise ConfigError(str(path), f"the file cannot be read ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(
            str(path),
            "the file is not UTF-8 text",
            expected="a TOML file saved as UTF-8",
            found="bytes that are not UTF-8 (UTF-16 or Latin-1, say)",
        ) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = getattr(error, "lineno", None)
        if line is None:
            match = re.search(r"line (\d+)", message)
            line = int(match.group(1)) if match else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise ConfigError(
            str(path),
            f"TOML syntax error: {reason}",
            line=line,
            expected=f"valid TOML such as {example}",
        ) from None
