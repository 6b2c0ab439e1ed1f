"""Reading a TOML file the user or IT wrote, with errors that name file and line.

Only regular files are read, and never with a blocking open: a FIFO, a device
or a socket put where a configuration file belongs would otherwise hang the
reader (and with it `validate` or the running service). Files over
`MAX_FILE_BYTES` are refused. A UTF-8 byte-order mark (Windows Notepad writes
one) is accepted.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from reminder.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MAX_FILE_BYTES = 1024 * 1024
"""A configuration or catalog file larger than this is refused (real ones are a few KiB)."""

UTF8_BOM = b"\xef\xbb\xbf"

UNREACHABLE_ERRNOS = frozenset(
    {
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EHOSTDOWN,
        errno.EHOSTUNREACH,
        errno.ENETDOWN,
        errno.ENETUNREACH,
        errno.ETIMEDOUT,
        errno.ESTALE,
        errno.ENOMEDIUM,
        errno.ENXIO,
        errno.EIO,
    }
)
"""errno values that mean "not there right now" (a share off the VPN), not "wrong"."""


class FileUnreachable(ConfigError):
    """The file is missing or its share cannot be reached (a cached copy may stand in)."""


def read_bytes_safely(path: Path, *, missing: str = "the file does not exist") -> bytes:
    """The bytes of a regular file, refusing anything that could block or is too large.

    Raises FileUnreachable when the file is missing or its folder unreachable,
    ConfigError for everything else (not a regular file, too large, no permission).
    """
    where = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise ConfigError(where, "this is a folder, expected a TOML file") from None
    except OSError as error:
        if error.errno in UNREACHABLE_ERRNOS:
            reason = missing if error.errno == errno.ENOENT else error.strerror or str(error)
            raise FileUnreachable(where, reason) from None
        raise ConfigError(where, f"the file cannot be read ({error.strerror or error})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError(where, "this is a folder, expected a TOML file")
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(
                where,
                "this is not a regular file",
                expected="a TOML file",
                found=_file_kind(info.st_mode),
            )
        if info.st_size > MAX_FILE_BYTES:
            raise ConfigError(
                where,
                "the file is too large",
                expected=f"a TOML file of at most {MAX_FILE_BYTES // 1024} KiB",
                found=f"{info.st_size} bytes",
            )
        chunks = []
        size = 0
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError as error:
                raise ConfigError(
                    where, f"the file cannot be read ({error.strerror or error})"
                ) from None
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_FILE_BYTES:  # it grew while being read
                raise ConfigError(
                    where,
                    "the file is too large",
                    expected=f"a TOML file of at most {MAX_FILE_BYTES // 1024} KiB",
                )
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((label for test, label in kinds if test(mode)), "a special file")


def decode_toml_text(path: Path, data: bytes) -> str:
    """`data` as text: UTF-8, with a leading byte-order mark dropped."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(
            str(path),
            "the file is not UTF-8 text",
            expected="a TOML file saved as UTF-8",
            found="bytes that are not UTF-8 (UTF-16 or Latin-1, say)",
        ) from None


def parse_toml_text(path: Path, text: str, *, example: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error is a ConfigError with the line and, for a key set
    twice, the key's name and where it was first set."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = getattr(error, "lineno", None)
        if line is None:
            match = re.search(r"line (\d+)", message)
            line = int(match.group(1)) if match else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        if reason.startswith("Cannot overwrite a value") and line is not None:
            duplicate = _duplicate_key(text, line)
            if duplicate is not None:
                key, first = duplicate
                raise ConfigError(
                    str(path),
                    "this key is set twice" + (f" (first on line {first})" if first else ""),
                    key=key,
                    line=line,
                    expected="each key once",
                ) from None
        if reason.startswith("Cannot declare") and line is not None:
            header = text.splitlines()[line - 1].strip() if line <= len(text.splitlines()) else ""
            raise ConfigError(
                str(path),
                f"the table {header or 'here'} appears twice",
                line=line,
                expected="each [table] once, with all its keys under it",
            ) from None
        raise ConfigError(
            str(path),
            f"TOML syntax error: {reason}",
            line=line,
            expected=f"valid TOML such as {example}",
        ) from None


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_ASSIGNMENT = re.compile(r'^\s*((?:"[^"]*"|[\w\-]+)(?:\s*\.\s*(?:"[^"]*"|[\w\-]+))*)\s*=')


def _dotted(text: str) -> list[str]:
    return [part.strip().strip('"') for part in text.split(".")]


def _duplicate_key(text: str, line: int) -> tuple[str, int | None] | None:
    """The dotted key assigned on `line` and the earlier line that set it (best effort)."""
    lines = text.splitlines()
    table: list[str] = []
    seen: dict[str, int] = {}
    for number, content in enumerate(lines[:line], start=1):
        header = _HEADER.match(content)
        if header and not content.strip().startswith("[["):
            table = _dotted(header.group(1))
            continue
        assignment = _ASSIGNMENT.match(content)
        if not assignment:
            continue
        dotted = ".".join(table + _dotted(assignment.group(1)))
        if number == line:
            return dotted, seen.get(dotted)
        seen.setdefault(dotted, number)
    return None


def read_toml_file(
    path: Path, *, example: str, missing: str = "the file does not exist"
) -> tuple[dict[str, Any], str]:
    """Parse `path` (bytes, UTF-8) and return the data and the text.

    Every failure is a ConfigError naming the file (FileUnreachable when it is
    missing or unreachable); a syntax error carries the parser's line and shows
    `example` as the expected form.
    """
    text = decode_toml_text(path, read_bytes_safely(path, missing=missing))
    return parse_toml_text(path, text, example=example), text
