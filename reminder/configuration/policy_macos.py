"""macOS managed preferences: the domain `org.sitting-reminder` that a profile (MDM) sets.

A configuration profile (policy/macos/sitting-reminder.mobileconfig, generated
from the key table by reminder/configuration/mobileconfig.py) installed by Jamf,
Intune or any MDM makes macOS write the forced values of the domain to

    /Library/Managed Preferences/org.sitting-reminder.plist           every user of the Mac
    /Library/Managed Preferences/<user>/org.sitting-reminder.plist    one user (wins)

Each key is `Key.policy_name` ("SittingLimit"); a string for durations, text,
time zone and choices, a boolean for on/off settings, an array of strings for
lists. Every value there is forced, so both files are mandatory layers: their
values lock their keys. Keys starting with "Payload" are profile bookkeeping and
are skipped; any other unknown key is a warning, never a stop.

The folder and the user name are parameters (the tests point them at a
temporary folder: no macOS exists on the test machines); plistlib reads XML and
binary property lists alike.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from reminder.configuration.channel import PolicyValues, unknown_name
from reminder.configuration.keys import BY_POLICY_NAME, Key, Kind
from reminder.configuration.values import shown
from reminder.durations import DURATION_FORM
from reminder.errors import ConfigError
from reminder.tomlfile import FileUnreachable, read_bytes_safely

DOMAIN = "org.sitting-reminder"
MANAGED_PREFERENCES = Path("/Library/Managed Preferences")
FILE_NAME = f"{DOMAIN}.plist"


def current_user() -> str:
    """The short name of the user this process runs as (the per-user folder's name)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return os.environ.get("USER", "")


def managed_preference_files(folder: Path, user: str) -> list[Path]:
    """The files of the domain that exist, lowest precedence first (machine, then user)."""
    candidates = [folder / FILE_NAME]
    if user and "/" not in user and user not in (".", ".."):
        candidates.append(folder / user / FILE_NAME)
    return [path for path in candidates if _is_file(path)]


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a folder this user may not enter: no profile of theirs to read
        return False


def describe(path: Path, name: str | None = None) -> str:
    """How an origin names the file or one key in it:
    "managed profile (/Library/Managed Preferences/org.sitting-reminder.plist: SittingLimit)"."""
    return f"managed profile ({path}{'' if name is None else ': ' + name})"


def read_managed_preferences(path: Path) -> PolicyValues:
    """Every setting one managed preferences file holds; never raises."""
    import plistlib  # here, not at import: it brings the XML parser, only macOS needs it
    from xml.parsers.expat import ExpatError

    result = PolicyValues()
    try:
        data = plistlib.loads(read_bytes_safely(path))
    except FileUnreachable:  # the profile was removed since discovery: nothing is set
        return result
    except ConfigError as error:
        result.problems.append(error)
        return result
    except (plistlib.InvalidFileException, ExpatError, ValueError, TypeError) as error:
        result.problems.append(
            ConfigError(
                describe(path),
                "this is not a property list",
                expected="an XML or binary plist with a dictionary of settings",
                found=f"a file plistlib cannot read ({error})",
            )
        )
        return result
    if not isinstance(data, dict):
        result.problems.append(
            ConfigError(
                describe(path),
                "the property list holds no dictionary",
                expected="a dictionary of settings",
                found=_article(_plist_type(data)),
            )
        )
        return result
    for name, value in data.items():
        where = describe(path, str(name))
        key = BY_POLICY_NAME.get(str(name).lower())
        if key is None:
            if not str(name).startswith("Payload"):
                result.warnings.append(unknown_name(where, str(name), "key"))
            continue
        problem = _type_problem(where, key, value)
        if problem is not None:
            result.problems.append(problem)
            continue
        result.data[key.name] = list(value) if isinstance(value, list) else value
        result.origins[key.name] = where
    return result


def expected_form(key: Key) -> str:
    """What the plist must hold for `key`, for error messages and the profile's comments."""
    if key.kind is Kind.BOOL:
        return "a boolean, <true/> or <false/>"
    if key.holds_list:
        return "an array of strings"
    if key.kind is Kind.DURATION:
        return f"a string, {DURATION_FORM}"
    if key.kind is Kind.CHOICE:
        return "a string, one of " + ", ".join(f'"{c}"' for c in key.choices)
    return "a string"


def _type_problem(where: str, key: Key, value: Any) -> ConfigError | None:
    """A value of the wrong plist type (its form is then checked by the key table)."""
    if key.kind is Kind.BOOL:
        right = isinstance(value, bool)
    elif key.holds_list:
        right = isinstance(value, list) and all(isinstance(item, str) for item in value)
    else:
        right = isinstance(value, str)
    if right:
        return None
    return ConfigError(
        where,
        "wrong property list type",
        key=key.name,
        expected=expected_form(key),
        found=f"{_article(_plist_type(value))} {shown(repr(value))}",
    )


def _article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _plist_type(value: Any) -> str:
    kinds: list[tuple[type, str]] = [
        (bool, "boolean"),
        (int, "integer"),
        (float, "real"),
        (str, "string"),
        (bytes, "data"),
        (datetime, "date"),
        (list, "array"),
        (dict, "dictionary"),
    ]
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


__all__ = [
    "DOMAIN",
    "FILE_NAME",
    "MANAGED_PREFERENCES",
    "current_user",
    "describe",
    "expected_form",
    "managed_preference_files",
    "read_managed_preferences",
]
