r"""An in-memory Windows registry with winreg's functions, and a Group Policy editor over it.

A stand-in, because no Windows exists on the test machines: `FakeWinReg` behaves
as `winreg` does where the reader relies on it (hive handles, case-insensitive
key and value names, FileNotFoundError for a missing key, OSError past the last
value or subkey, handles closed by `with`), and it fails loudly on what the real
module would refuse (a closed handle, a relative key under no hive).

`GroupPolicyEditor` plays the Group Policy editor for an ADMX file: it reads the
policy's XML and writes what Windows writes when an administrator sets that
policy to Enabled (with the values typed or picked) or Disabled. It knows the
ADMX elements, not our key table, so a template that writes other names or types
than the reader reads fails the round trip.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from reminder.configuration.policy_windows import RegistryKey

HKEY_CURRENT_USER = 0x80000001
HKEY_LOCAL_MACHINE = 0x80000002
KEY_READ = 0x20019
KEY_WOW64_64KEY = 0x0100
REG_SZ = 1
REG_EXPAND_SZ = 2
REG_BINARY = 3
REG_DWORD = 4
REG_MULTI_SZ = 7
REG_QWORD = 11

HIVES = {"HKCU": HKEY_CURRENT_USER, "HKLM": HKEY_LOCAL_MACHINE}
ADMX_NS = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"


@dataclass
class _Node:
    name: str
    values: dict[str, tuple[str, Any, int]] = field(default_factory=dict)  # lower -> entry
    subkeys: dict[str, _Node] = field(default_factory=dict)  # lower -> node
    written: int = 0  # last write time; Windows counts 100 ns since 1601, a counter here


class _Handle:
    def __init__(self, registry: FakeWinReg, node: _Node) -> None:
        self._registry = registry
        self.node: _Node | None = node
        registry.open_handles += 1

    def __enter__(self) -> _Handle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self.node is not None:
            self.node = None
            self._registry.open_handles -= 1

    def live(self) -> _Node:
        if self.node is None:
            raise OSError(6, "The handle is invalid")
        return self.node


def _open(key: RegistryKey) -> _Node:
    """The node behind a handle this registry gave out (winreg refuses any other object)."""
    if not isinstance(key, _Handle):
        raise TypeError(f"The object is not a PyHKEY object: {key!r}")
    return key.live()


class FakeWinReg:
    """The functions and constants of `winreg` the reader uses, over an in-memory tree."""

    HKEY_CURRENT_USER = HKEY_CURRENT_USER
    HKEY_LOCAL_MACHINE = HKEY_LOCAL_MACHINE
    KEY_READ = KEY_READ
    KEY_WOW64_64KEY = KEY_WOW64_64KEY
    REG_SZ = REG_SZ
    REG_EXPAND_SZ = REG_EXPAND_SZ
    REG_BINARY = REG_BINARY
    REG_DWORD = REG_DWORD
    REG_MULTI_SZ = REG_MULTI_SZ
    REG_QWORD = REG_QWORD

    def __init__(self) -> None:
        self._hives = {hive: _Node(name) for name, hive in HIVES.items()}
        self.open_handles = 0
        self.access_used: list[int] = []
        self._clock = 0

    # -------------------------------------------------------- winreg's API

    def OpenKey(self, key: int, sub_key: str, reserved: int = 0, access: int = KEY_READ) -> _Handle:
        if key not in self._hives:
            raise OSError(6, "The handle is invalid")
        self.access_used.append(access)
        node = self._hives[key]
        for part in [p for p in sub_key.split("\\") if p]:
            child = node.subkeys.get(part.lower())
            if child is None:
                raise FileNotFoundError(2, "The system cannot find the file specified")
            node = child
        return _Handle(self, node)

    def EnumValue(self, key: RegistryKey, index: int, /) -> tuple[str, Any, int]:
        entries = list(_open(key).values.values())
        if index >= len(entries):
            raise OSError(259, "No more data is available")
        return entries[index]

    def EnumKey(self, key: RegistryKey, index: int, /) -> str:
        names = [node.name for node in _open(key).subkeys.values()]
        if index >= len(names):
            raise OSError(259, "No more data is available")
        return names[index]

    def QueryInfoKey(self, key: RegistryKey, /) -> tuple[int, int, int]:
        node = _open(key)
        return len(node.subkeys), len(node.values), node.written

    # ------------------------------------------------- what an admin writes

    def _node(self, hive: str, path: str, *, create: bool) -> _Node | None:
        node = self._hives[HIVES[hive]]
        for part in [p for p in path.split("\\") if p]:
            child = node.subkeys.get(part.lower())
            if child is None:
                if not create:
                    return None
                child = node.subkeys[part.lower()] = _Node(part)
                self._touch(node)  # a new subkey is a write to its parent
            node = child
        return node

    def _touch(self, node: _Node) -> None:
        self._clock += 1
        node.written = self._clock

    def create_key(self, hive: str, path: str) -> None:
        self._node(hive, path, create=True)

    def set_value(self, hive: str, path: str, name: str, value_type: int, data: Any) -> None:
        node = self._node(hive, path, create=True)
        assert node is not None
        node.values[name.lower()] = (name, data, value_type)
        self._touch(node)

    def delete_value(self, hive: str, path: str, name: str) -> None:
        node = self._node(hive, path, create=False)
        if node is not None and node.values.pop(name.lower(), None) is not None:
            self._touch(node)

    def delete_values(self, hive: str, path: str) -> None:
        """What Group Policy's "**delvals." does: empty the key, creating it."""
        node = self._node(hive, path, create=True)
        assert node is not None
        node.values.clear()
        self._touch(node)


Input = str | list[str]


class GroupPolicyEditor:
    """Sets policies of one ADMX file the way the Group Policy editor writes them."""

    def __init__(self, admx: str, registry: FakeWinReg) -> None:
        self.root = ET.fromstring(admx)
        self.registry = registry
        self.policies = {
            policy.get("name", ""): policy for policy in self.root.iter(f"{ADMX_NS}policy")
        }

    def _hive(self, policy: ET.Element, hive: str) -> str:
        allowed = {"Machine": ("HKLM",), "User": ("HKCU",), "Both": ("HKLM", "HKCU")}
        assert hive in allowed[policy.get("class", "")], f"{policy.get('name')} is not for {hive}"
        return hive

    def enable(self, name: str, hive: str, inputs: dict[str, Input] | None = None) -> None:
        """Enabled, with `inputs` by element id: the text typed, the item's value picked
        (a drop-down shows display names; the value behind the chosen one is given), or
        the list's entries."""
        inputs = inputs or {}
        policy = self.policies[name]
        hive = self._hive(policy, hive)
        key = policy.get("key", "")
        value_name = policy.get("valueName")
        enabled = policy.find(f"{ADMX_NS}enabledValue")
        if value_name is not None and enabled is not None:
            self._write_value(hive, key, value_name, enabled)
        elements = policy.find(f"{ADMX_NS}elements")
        for element in [] if elements is None else list(elements):
            tag = element.tag.removeprefix(ADMX_NS)
            element_id = element.get("id", "")
            where = element.get("key", key)
            given = inputs.get(element_id)
            if tag == "text":
                if given is None or given == "":
                    assert element.get("required") != "true", f"{element_id} is required"
                    self.registry.delete_value(hive, where, element.get("valueName", ""))
                    continue
                assert isinstance(given, str)
                kind = REG_EXPAND_SZ if element.get("expandable") == "true" else REG_SZ
                self.registry.set_value(hive, where, element.get("valueName", ""), kind, given)
            elif tag == "enum":
                assert isinstance(given, str), f"pick an item of {element_id}"
                items = element.findall(f"{ADMX_NS}item")
                item = next(
                    (i for i in items if self._item_value(i) == given), None
                )  # what the drop-down offers
                assert item is not None, f"{given!r} is not an item of {element_id}"
                value = item.find(f"{ADMX_NS}value")
                assert value is not None
                self._write_value(hive, where, element.get("valueName", ""), value)
            elif tag == "list":
                assert isinstance(given, list), f"give the entries of {element_id}"
                if element.get("additive") != "true":
                    self.registry.delete_values(hive, where)
                prefix = element.get("valuePrefix")
                for number, entry in enumerate(given, start=1):
                    entry_name = entry if prefix is None else f"{prefix}{number}"
                    kind = REG_EXPAND_SZ if element.get("expandable") == "true" else REG_SZ
                    self.registry.set_value(hive, where, entry_name, kind, entry)
            else:
                raise AssertionError(f"the editor stand-in does not know <{tag}>")

    def disable(self, name: str, hive: str) -> None:
        """Disabled: the disabledValue where there is one; lists emptied; texts removed."""
        policy = self.policies[name]
        hive = self._hive(policy, hive)
        key = policy.get("key", "")
        value_name = policy.get("valueName")
        disabled = policy.find(f"{ADMX_NS}disabledValue")
        if value_name is not None and disabled is not None:
            self._write_value(hive, key, value_name, disabled)
        elements = policy.find(f"{ADMX_NS}elements")
        for element in [] if elements is None else list(elements):
            where = element.get("key", key)
            if element.tag == f"{ADMX_NS}list":
                self.registry.delete_values(hive, where)
            else:
                self.registry.delete_value(hive, where, element.get("valueName", ""))

    def _item_value(self, item: ET.Element) -> str | None:
        value = item.find(f"{ADMX_NS}value")
        if value is None or len(value) != 1:
            return None
        inner = value[0]
        if inner.tag == f"{ADMX_NS}string":
            return inner.text or ""
        return inner.get("value")

    def _write_value(self, hive: str, key: str, name: str, value: ET.Element) -> None:
        assert len(value) == 1, "a value holds one of <decimal>, <string>, <delete>"
        inner = value[0]
        tag = inner.tag.removeprefix(ADMX_NS)
        if tag == "decimal":
            self.registry.set_value(hive, key, name, REG_DWORD, int(inner.get("value", "")))
        elif tag == "string":
            self.registry.set_value(hive, key, name, REG_SZ, inner.text or "")
        elif tag == "delete":
            self.registry.delete_value(hive, key, name)
        else:
            raise AssertionError(f"the editor stand-in does not know <{tag}>")
