r"""The Group Policy template: policy/windows/sitting-reminder.admx and en-US/….adml.

Generated from the key table (`python -m reminder.configuration.generate`), so a
new key cannot be missing from Group Policy. Every key is there twice: once under
"Sitting Reminder" (mandatory: written to ...\SittingReminder, locked for the
user) and once under "Sitting Reminder: defaults users can change" (written to
...\SittingReminder\Recommended). One category per TOML table. The element per
kind is the one whose registry writes `policy_windows` reads:

    duration, time zone, text   <text>     REG_SZ value <PolicyName>
    choice                      <enum>     REG_SZ value <PolicyName> (a drop-down list)
    on/off                      the policy's enabledValue/disabledValue: REG_DWORD 1 / 0
    lists                       <list valuePrefix="">: subkey <PolicyName>, values "1", "2", ...

Each policy's explain text is the key's description, the accepted form, the
default and the registry value it writes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from reminder.configuration import channel
from reminder.configuration.keys import TABLE, Key, Kind
from reminder.configuration.policy_windows import POLICY_KEY, RECOMMENDED

NAMESPACE = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"
TARGET_NAMESPACE = "SittingReminder.Policies.SittingReminder"
REVISION = "1.0"
SUPPORTED = "SUPPORTED_SittingReminder"
ROOT_CATEGORY = "SittingReminder"
PRODUCT = "Sitting Reminder"
SUPPORTED_SINCE = "0.1.0"  # the first version that reads Group Policy

_GENERATED = (
    " GENERATED from reminder/configuration/keys.py by "
    "`python -m reminder.configuration.generate`; edit the key table, not this file. "
)


def _camel(text: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[._\-]", text) if part)


def category_name(table: str, *, recommended: bool) -> str:
    """The ADMX category of a TOML table: "Category_ScheduleWorkHours" (+ "_Recommended")."""
    return f"Category_{_camel(table)}" + ("_Recommended" if recommended else "")


def table_title(table: str) -> str:
    """ "schedule.work_hours" -> "Work hours": how a category is shown."""
    return table.rpartition(".")[2].replace("_", " ").capitalize()


def policy_name(key: Key, *, recommended: bool) -> str:
    return key.policy_name + ("_Recommended" if recommended else "")


def _tables() -> list[str]:
    seen: list[str] = []
    for key in TABLE:
        if key.table not in seen:
            seen.append(key.table)
    return seen


def _parent_table(table: str) -> str | None:
    parent = table.rpartition(".")[0]
    return parent or None


def _item_id(key: Key, choice: str) -> str:
    return f"{key.policy_name}_{re.sub(r'[^A-Za-z0-9]+', '_', choice)}"


# ------------------------------------------------------------------- texts


def value_form(key: Key) -> str:
    """What to type or pick, in Group Policy's words."""
    if key.kind is Kind.BOOL:
        return "Enabled turns it on, Disabled turns it off"
    form = channel.value_form(key)
    if key.kind in (Kind.WORK_HOURS, Kind.TAGS, Kind.DATES):
        form += " (Disabled is the same as an empty list)"
    elif key.kind is Kind.DURATIONS:
        form += " (Disabled would be an empty list, which is refused: use Not configured)"
    return form


def default_text(key: Key) -> str:
    """The default as an administrator would enter it."""
    value = key.default
    if key.kind is Kind.BOOL:
        return "on (Enabled)" if value else "off (Disabled)"
    if isinstance(value, list):
        return ", ".join(value) if value else "an empty list"
    return value if value else "empty"


def explain_text(key: Key, *, recommended: bool) -> str:
    """A policy's help text: what it does, the form, the default, where it is written."""
    where = rf"{POLICY_KEY}\{RECOMMENDED}" if recommended else POLICY_KEY
    if key.holds_list:
        registry = rf"{where}\{key.policy_name}, values 1, 2, ... (REG_SZ)"
    elif key.kind is Kind.BOOL:
        registry = rf"{where}, value {key.policy_name} (REG_DWORD 1 or 0)"
    else:
        registry = rf"{where}, value {key.policy_name} (REG_SZ)"
    if recommended:
        effect = (
            "Set here, this is a default that users may change in their own configuration "
            "file. A mandatory policy, or a lock in a managed configuration file, wins over it."
        )
    else:
        effect = (
            "Set here, the value is locked: users cannot change it, and the tray shows it as "
            "set by your organisation. A computer policy wins over a user policy."
        )
    not_configured = (
        "Not configured: the managed configuration files or the user's own file decide."
    )
    parts = [
        key.description,
        f"Value: {value_form(key)}.",
        f"Default: {default_text(key)}.",
        effect,
        not_configured,
        f"Registry: HKLM or HKCU\\{registry}.",
    ]
    return "\n\n".join(parts)


def field_label(key: Key) -> str:
    return f"{key.label}:"


# -------------------------------------------------------------------- ADMX


def _policy(key: Key, *, recommended: bool) -> ET.Element:
    where = rf"{POLICY_KEY}\{RECOMMENDED}" if recommended else POLICY_KEY
    name = policy_name(key, recommended=recommended)
    attributes = {
        "name": name,
        "class": "Both",
        "displayName": f"$(string.{key.policy_name})",
        "explainText": f"$(string.{name}_Explain)",
    }
    if key.holds_list:
        attributes["key"] = rf"{where}\{key.policy_name}"
    else:
        attributes["key"] = where
    if key.kind is Kind.BOOL:
        attributes["valueName"] = key.policy_name
    else:
        attributes["presentation"] = f"$(presentation.{key.policy_name})"
    policy = ET.Element("policy", attributes)
    ET.SubElement(
        policy, "parentCategory", {"ref": category_name(key.table, recommended=recommended)}
    )
    ET.SubElement(policy, "supportedOn", {"ref": SUPPORTED})
    if key.kind is Kind.BOOL:
        ET.SubElement(ET.SubElement(policy, "enabledValue"), "decimal", {"value": "1"})
        ET.SubElement(ET.SubElement(policy, "disabledValue"), "decimal", {"value": "0"})
        return policy
    elements = ET.SubElement(policy, "elements")
    if key.holds_list:
        ET.SubElement(
            elements,
            "list",
            {"id": key.policy_name, "key": rf"{where}\{key.policy_name}", "valuePrefix": ""},
        )
    elif key.kind is Kind.CHOICE:
        choice = ET.SubElement(
            elements,
            "enum",
            {"id": key.policy_name, "valueName": key.policy_name, "required": "true"},
        )
        for option in key.choices:
            item = ET.SubElement(
                choice, "item", {"displayName": f"$(string.{_item_id(key, option)})"}
            )
            ET.SubElement(ET.SubElement(item, "value"), "string").text = option
    else:
        text = {"id": key.policy_name, "valueName": key.policy_name}
        if key.default != "":  # "" is a meaningful value (the built-in catalog or guide)
            text["required"] = "true"
        ET.SubElement(elements, "text", text)
    return policy


def render_admx() -> str:
    root = ET.Element(
        "policyDefinitions", {"xmlns": NAMESPACE, "revision": REVISION, "schemaVersion": "1.0"}
    )
    namespaces = ET.SubElement(root, "policyNamespaces")
    ET.SubElement(
        namespaces, "target", {"prefix": "sittingreminder", "namespace": TARGET_NAMESPACE}
    )
    ET.SubElement(root, "resources", {"minRequiredRevision": REVISION})
    supported = ET.SubElement(ET.SubElement(root, "supportedOn"), "definitions")
    ET.SubElement(
        supported, "definition", {"name": SUPPORTED, "displayName": f"$(string.{SUPPORTED})"}
    )
    categories = ET.SubElement(root, "categories")
    for recommended in (False, True):
        top = ROOT_CATEGORY + ("_Recommended" if recommended else "")
        ET.SubElement(categories, "category", {"name": top, "displayName": f"$(string.{top})"})
        for table in _tables():
            name = category_name(table, recommended=recommended)
            category = ET.SubElement(
                categories, "category", {"name": name, "displayName": f"$(string.{name})"}
            )
            parent = _parent_table(table)
            ref = top if parent is None else category_name(parent, recommended=recommended)
            ET.SubElement(category, "parentCategory", {"ref": ref})
    policies = ET.SubElement(root, "policies")
    for recommended in (False, True):
        for key in TABLE:
            policies.append(_policy(key, recommended=recommended))
    return _serialize(root)


# -------------------------------------------------------------------- ADML


def _strings() -> Iterable[tuple[str, str]]:
    yield ROOT_CATEGORY, PRODUCT
    yield f"{ROOT_CATEGORY}_Recommended", f"{PRODUCT}: defaults users can change"
    yield SUPPORTED, f"{PRODUCT} {SUPPORTED_SINCE} and later"
    for recommended in (False, True):
        for table in _tables():
            yield category_name(table, recommended=recommended), table_title(table)
    for key in TABLE:
        yield key.policy_name, key.label
        for recommended in (False, True):
            name = policy_name(key, recommended=recommended)
            yield f"{name}_Explain", explain_text(key, recommended=recommended)
        if key.kind is Kind.CHOICE:
            for option in key.choices:
                yield _item_id(key, option), option


def _presentation(key: Key) -> ET.Element | None:
    if key.kind is Kind.BOOL:
        return None
    presentation = ET.Element("presentation", {"id": key.policy_name})
    if key.holds_list:
        ET.SubElement(presentation, "listBox", {"refId": key.policy_name}).text = field_label(key)
    elif key.kind is Kind.CHOICE:
        ET.SubElement(
            presentation,
            "dropdownList",
            {
                "refId": key.policy_name,
                "noSort": "true",
                "defaultItem": str(key.choices.index(key.default)),
            },
        ).text = field_label(key)
    else:
        box = ET.SubElement(presentation, "textBox", {"refId": key.policy_name})
        ET.SubElement(box, "label").text = field_label(key)
        if key.default != "":
            ET.SubElement(box, "defaultValue").text = str(key.default)
    return presentation


def render_adml() -> str:
    root = ET.Element(
        "policyDefinitionResources",
        {"xmlns": NAMESPACE, "revision": REVISION, "schemaVersion": "1.0"},
    )
    ET.SubElement(root, "displayName").text = PRODUCT
    ET.SubElement(root, "description").text = (
        f"Group Policy settings of {PRODUCT}: the same keys as its configuration files. "
        "Policies under the first category are locked for users; those under the second are "
        "defaults users can change."
    )
    resources = ET.SubElement(root, "resources")
    strings = ET.SubElement(resources, "stringTable")
    for string_id, text in _strings():
        ET.SubElement(strings, "string", {"id": string_id}).text = text
    presentations = ET.SubElement(resources, "presentationTable")
    for key in TABLE:
        presentation = _presentation(key)
        if presentation is not None:
            presentations.append(presentation)
    return _serialize(root)


def _serialize(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<!--{_GENERATED}-->\n{body}\n'


__all__ = [
    "NAMESPACE",
    "category_name",
    "explain_text",
    "policy_name",
    "render_adml",
    "render_admx",
    "value_form",
]
