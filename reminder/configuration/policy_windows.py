r"""Group Policy on Windows: where the policies live in the registry, and reading them.

The layout, which the ADMX template (policy/windows/, generated from the key table
by reminder/configuration/admx.py) writes and this module reads:

    HKLM or HKCU\Software\Policies\SittingReminder               mandatory: a value locks its key
    HKLM or HKCU\Software\Policies\SittingReminder\Recommended   a default the user may override

    durations, time zone, text, choices   REG_SZ value <PolicyName>            "50m", "auto"
    on/off settings                       REG_DWORD value <PolicyName>         1 or 0
    lists (work hours, days off, ...)     subkey <PolicyName> holding REG_SZ values named
                                          "1", "2", ... in order; an empty subkey is []

<PolicyName> is `Key.policy_name` ("SittingLimit"). Names are matched without
regard to case, as Windows does. Precedence: HKLM over HKCU, mandatory over
recommended (as Chrome does); the loader places these layers (DESIGN.md).

Values of the wrong registry type or form are problems naming the full registry
path of the value; a value name no key has is a warning (a newer template than
this version knows), never a stop.

`winreg` is imported only when the registry is read on Windows; everything else
passes a stand-in with the same functions (`WinReg`), which is how the tests read
"the registry" on machines with no Windows.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast

from reminder.configuration.channel import PolicyValues, unknown_name
from reminder.configuration.keys import BY_POLICY_NAME, Key, Kind
from reminder.configuration.values import shown
from reminder.durations import DURATION_FORM
from reminder.errors import ConfigError

POLICY_KEY = r"Software\Policies\SittingReminder"
RECOMMENDED = "Recommended"
HIVE_NAMES = {"HKCU": "HKEY_CURRENT_USER", "HKLM": "HKEY_LOCAL_MACHINE"}
PolicyKind = Literal["mandatory", "recommended"]


class RegistryKey(Protocol):
    """An open registry key (winreg's PyHKEY): closed when its `with` block ends."""

    def __enter__(self) -> RegistryKey: ...

    def __exit__(self, *exc_info: object) -> object: ...


class WinReg(Protocol):
    """The part of the `winreg` module this reader uses (the real module satisfies it;
    the names are winreg's own)."""

    HKEY_CURRENT_USER: int
    HKEY_LOCAL_MACHINE: int
    KEY_READ: int
    KEY_WOW64_64KEY: int
    REG_SZ: int
    REG_EXPAND_SZ: int
    REG_BINARY: int
    REG_DWORD: int
    REG_MULTI_SZ: int
    REG_QWORD: int

    def OpenKey(
        self, key: int, sub_key: str, reserved: int = 0, access: int = ...
    ) -> RegistryKey: ...

    def EnumValue(self, key: RegistryKey, index: int, /) -> tuple[str, Any, int]: ...

    def EnumKey(self, key: RegistryKey, index: int, /) -> str: ...

    def QueryInfoKey(self, key: RegistryKey, /) -> tuple[int, int, int]: ...


def system_registry() -> WinReg | None:
    """The real registry on Windows; None elsewhere (nothing to read)."""
    if sys.platform != "win32":
        return None
    return cast(WinReg, importlib.import_module("winreg"))


@dataclass(frozen=True)
class PolicyKey:
    """One of the four places policies are read from."""

    hive: Literal["HKCU", "HKLM"]
    kind: PolicyKind

    @property
    def path(self) -> str:
        """The key below its hive."""
        return POLICY_KEY if self.kind == "mandatory" else rf"{POLICY_KEY}\{RECOMMENDED}"

    @property
    def full_path(self) -> str:
        return rf"{self.hive}\{self.path}"

    @property
    def channel(self) -> str:
        return "Group Policy" if self.kind == "mandatory" else "Group Policy, recommended"

    def describe(self, value_name: str | None = None) -> str:
        """How an origin names this key or one value in it:
        "Group Policy (HKLM\\Software\\Policies\\SittingReminder\\SittingLimit)"."""
        where = self.full_path if value_name is None else rf"{self.full_path}\{value_name}"
        return f"{self.channel} ({where})"


POLICY_KEYS: tuple[PolicyKey, ...] = (
    PolicyKey("HKCU", "recommended"),
    PolicyKey("HKLM", "recommended"),
    PolicyKey("HKCU", "mandatory"),
    PolicyKey("HKLM", "mandatory"),
)
"""Lowest precedence first: within a kind the later layer wins, so HKLM beats HKCU."""


def policy_key_from_path(full_path: str) -> PolicyKey:
    """The PolicyKey whose `full_path` is `full_path` (a Layer stores that text)."""
    for key in POLICY_KEYS:
        if key.full_path.lower() == full_path.lower():
            return key
    raise ValueError(f"not a Sitting Reminder policy key: {full_path}")


def _open(registry: WinReg, policy: PolicyKey, below: str = "") -> RegistryKey:
    hive = getattr(registry, HIVE_NAMES[policy.hive])
    path = policy.path + (rf"\{below}" if below else "")
    # The 64-bit view: a 32-bit Python on 64-bit Windows would otherwise read Wow6432Node.
    return registry.OpenKey(hive, path, 0, registry.KEY_READ | registry.KEY_WOW64_64KEY)


def present_policy_keys(registry: WinReg | None) -> list[PolicyKey]:
    """The policy keys that exist, lowest precedence first."""
    if registry is None:
        return []
    found = []
    for policy in POLICY_KEYS:
        try:
            with _open(registry, policy):
                found.append(policy)
        except OSError:  # FileNotFoundError: not configured; anything else shows on read
            continue
    return found


def change_stamp(registry: WinReg | None) -> tuple[tuple[str, int], ...]:
    """When each policy key and its subkeys were last written: changes when a policy does.

    For a watcher that polls (the engine compares it as it compares file times).
    Windows updates a key's time when its values change, not its parent's, so
    every subkey (a list, Recommended) is stamped too.
    """
    if registry is None:
        return ()
    stamps: list[tuple[str, int]] = []
    for policy in POLICY_KEYS:
        try:
            with _open(registry, policy) as opened:
                stamps.append((policy.full_path, registry.QueryInfoKey(opened)[2]))
                subkeys = list(_subkeys(registry, opened))
            for subkey in subkeys:
                with _open(registry, policy, subkey) as child:
                    stamps.append(
                        (rf"{policy.full_path}\{subkey}", registry.QueryInfoKey(child)[2])
                    )
        except OSError:
            continue
    return tuple(stamps)


def _values(registry: WinReg, key: RegistryKey) -> Iterator[tuple[str, Any, int]]:
    index = 0
    while True:
        try:
            yield registry.EnumValue(key, index)
        except OSError:  # ERROR_NO_MORE_ITEMS
            return
        index += 1


def _subkeys(registry: WinReg, key: RegistryKey) -> Iterator[str]:
    index = 0
    while True:
        try:
            yield registry.EnumKey(key, index)
        except OSError:
            return
        index += 1


def type_name(registry: WinReg, value_type: int) -> str:
    names = {
        registry.REG_SZ: "REG_SZ",
        registry.REG_EXPAND_SZ: "REG_EXPAND_SZ",
        registry.REG_BINARY: "REG_BINARY",
        registry.REG_DWORD: "REG_DWORD",
        registry.REG_MULTI_SZ: "REG_MULTI_SZ",
        registry.REG_QWORD: "REG_QWORD",
    }
    return names.get(value_type, f"registry type {value_type}")


def _found(registry: WinReg, data: Any, value_type: int) -> str:
    text = repr(data) if not isinstance(data, str) else f'"{shown(data)}"'
    return f"a {type_name(registry, value_type)} {shown(text)}"


def expected_form(key: Key) -> str:
    """What the registry must hold for `key`, for error messages and explain texts."""
    if key.kind is Kind.BOOL:
        return "a REG_DWORD 1 (on) or 0 (off)"
    if key.holds_list:
        return rf'a subkey {key.policy_name} holding REG_SZ values named "1", "2", ...'
    if key.kind is Kind.DURATION:
        return f"a REG_SZ string, {DURATION_FORM}"
    if key.kind is Kind.CHOICE:
        return "a REG_SZ string, one of " + ", ".join(f'"{c}"' for c in key.choices)
    return "a REG_SZ string"


def read_policy_key(registry: WinReg, policy: PolicyKey) -> PolicyValues:
    """Every setting one policy key holds; never raises (problems are collected)."""
    result = PolicyValues()
    try:
        with _open(registry, policy) as opened:
            values = list(_values(registry, opened))
            subkeys = list(_subkeys(registry, opened))
    except FileNotFoundError:  # removed since discovery (a Group Policy refresh): nothing set
        return result
    except OSError as error:
        result.problems.append(
            ConfigError(policy.describe(), f"the policy key cannot be read ({error})")
        )
        return result
    for name, data, value_type in values:
        key = BY_POLICY_NAME.get(name.lower())
        where = policy.describe(name)
        if key is None:
            if name:  # the unnamed (default) value of a key is no setting
                result.warnings.append(unknown_name(where, name))
            continue
        if key.holds_list:
            result.problems.append(_wrong_type(registry, where, key, data, value_type))
            continue
        converted = _scalar(registry, where, key, data, value_type)
        if isinstance(converted, ConfigError):
            result.problems.append(converted)
            continue
        result.data[key.name] = converted
        result.origins[key.name] = where
    for subkey in subkeys:
        if policy.kind == "mandatory" and subkey.lower() == RECOMMENDED.lower():
            continue
        key = BY_POLICY_NAME.get(subkey.lower())
        where = policy.describe(subkey)
        if key is None or not key.holds_list:
            result.warnings.append(unknown_name(where, subkey, "subkey"))
            continue
        items = _list(registry, policy, subkey, key)
        if isinstance(items, ConfigError):
            result.problems.append(items)
            continue
        result.data[key.name] = items
        result.origins[key.name] = where
    return result


def _scalar(
    registry: WinReg, where: str, key: Key, data: Any, value_type: int
) -> str | bool | ConfigError:
    if key.kind is Kind.BOOL:
        if value_type == registry.REG_DWORD and data in (0, 1):
            return bool(data)
        return _wrong_type(registry, where, key, data, value_type)
    if value_type == registry.REG_SZ and isinstance(data, str):
        return data
    return _wrong_type(registry, where, key, data, value_type)


def _list(registry: WinReg, policy: PolicyKey, subkey: str, key: Key) -> list[str] | ConfigError:
    where = policy.describe(subkey)
    try:
        with _open(registry, policy, subkey) as opened:
            entries = list(_values(registry, opened))
    except OSError as error:
        return ConfigError(where, f"the list cannot be read ({error})", key=key.name)
    numbered: list[tuple[int, str]] = []
    for name, data, value_type in entries:
        if not (name.isascii() and name.isdigit()):
            return ConfigError(
                where,
                "a list entry with a name that is not a number",
                key=key.name,
                expected='entries named "1", "2", ... (what the policy template writes)',
                found=f'an entry named "{shown(name)}"',
            )
        if value_type != registry.REG_SZ or not isinstance(data, str):
            return ConfigError(
                rf"{where}\{name}",
                "wrong registry type in a list",
                key=key.name,
                expected="a REG_SZ string",
                found=_found(registry, data, value_type),
            )
        numbered.append((int(name), data))
    return [text for _, text in sorted(numbered)]


def _wrong_type(registry: WinReg, where: str, key: Key, data: Any, value_type: int) -> ConfigError:
    return ConfigError(
        where,
        "wrong registry value",
        key=key.name,
        expected=expected_form(key),
        found=_found(registry, data, value_type),
    )


__all__ = [
    "POLICY_KEY",
    "POLICY_KEYS",
    "RECOMMENDED",
    "PolicyKey",
    "RegistryKey",
    "WinReg",
    "change_stamp",
    "expected_form",
    "policy_key_from_path",
    "present_policy_keys",
    "read_policy_key",
    "system_registry",
]
