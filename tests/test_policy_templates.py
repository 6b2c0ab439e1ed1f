"""The shipped policy templates are well formed, complete, and match what the readers read.

The ADMX/ADML checks follow the structure Microsoft documents for administrative
templates (policyDefinitions and policyDefinitionResources, their children in
schema order, policies of class Machine/User/Both with a key and elements, every
$(string.X) and $(presentation.X) reference resolved, one presentation control
per element of the matching type). No Group Policy editor exists here; what it
writes is checked by the round trips in test_policy_windows.py.
"""

from __future__ import annotations

import plistlib
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import pytest

from reminder.configuration.keys import KEYS, TABLE, Kind
from reminder.configuration.policy_windows import POLICY_KEY, RECOMMENDED
from reminder.durations import DURATION_FORM

ROOT = Path(__file__).resolve().parents[1]
NS = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"
ADMX_PATH = ROOT / "policy" / "windows" / "sitting-reminder.admx"
ADML_PATH = ROOT / "policy" / "windows" / "en-US" / "sitting-reminder.adml"
PROFILE_PATH = ROOT / "policy" / "macos" / "sitting-reminder.mobileconfig"
DOMAIN_PLIST_PATH = ROOT / "policy" / "macos" / "org.sitting-reminder.plist"
REFERENCE = re.compile(r"^\$\((string|presentation)\.([A-Za-z0-9_]+)\)$")

# The presentation control each ADMX element is shown with.
CONTROL_FOR = {
    "text": "textBox",
    "enum": "dropdownList",
    "list": "listBox",
    "boolean": "checkBox",
    "decimal": "decimalTextBox",
    "multiText": "multiTextBox",
}


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix(NS)


@pytest.fixture(scope="module")
def admx() -> ET.Element:
    return ET.parse(ADMX_PATH).getroot()  # raises for XML that is not well formed


@pytest.fixture(scope="module")
def adml() -> ET.Element:
    return ET.parse(ADML_PATH).getroot()


@pytest.fixture(scope="module")
def strings(adml: ET.Element) -> dict[str, str]:
    table = adml.find(f"{NS}resources/{NS}stringTable")
    assert table is not None
    ids = [string.get("id", "") for string in table]
    assert len(ids) == len(set(ids)), "string ids must be unique"
    return {string.get("id", ""): string.text or "" for string in table}


@pytest.fixture(scope="module")
def presentations(adml: ET.Element) -> dict[str, ET.Element]:
    table = adml.find(f"{NS}resources/{NS}presentationTable")
    assert table is not None
    found = {presentation.get("id", ""): presentation for presentation in table}
    assert len(found) == len(table), "presentation ids must be unique"
    return found


def resolve(reference: str | None, kind: str, table: Mapping[str, object]) -> str:
    assert reference is not None, f"a $({kind}.X) reference is missing"
    match = REFERENCE.match(reference)
    assert match and match.group(1) == kind, f"not a $({kind}.X) reference: {reference}"
    assert match.group(2) in table, f"{reference} is not in the ADML"
    return match.group(2)


# ------------------------------------------------------------------- ADMX


def test_the_admx_has_the_documented_skeleton(admx: ET.Element) -> None:
    assert admx.tag == f"{NS}policyDefinitions"
    assert admx.get("revision") and admx.get("schemaVersion") == "1.0"
    order = ["policyNamespaces", "supersededAdm", "resources", "supportedOn", "categories"]
    order.append("policies")
    children = [tag(child) for child in admx]
    assert children == sorted(children, key=order.index), "children out of schema order"
    targets = admx.findall(f"{NS}policyNamespaces/{NS}target")
    assert len(targets) == 1 and targets[0].get("prefix") and targets[0].get("namespace")
    resources = admx.find(f"{NS}resources")
    assert resources is not None and resources.get("minRequiredRevision")


def test_categories_resolve_and_there_is_one_per_table(
    admx: ET.Element, strings: dict[str, str]
) -> None:
    categories = admx.findall(f"{NS}categories/{NS}category")
    names = [category.get("name", "") for category in categories]
    assert len(names) == len(set(names))
    for category in categories:
        resolve(category.get("displayName"), "string", strings)
        parent = category.find(f"{NS}parentCategory")
        if parent is not None:
            assert parent.get("ref") in names
    tables = {key.table for key in TABLE}
    # each table twice (mandatory, recommended) under the two top categories
    assert len(categories) == 2 * len(tables) + 2
    titles = {strings[c.get("name", "")] for c in categories}
    assert {"Schedule", "Work hours", "Reminders", "Notifications"} <= titles


def test_every_policy_is_well_formed(
    admx: ET.Element, strings: dict[str, str], presentations: dict[str, ET.Element]
) -> None:
    definitions = {d.get("name") for d in admx.iter(f"{NS}definition")}
    categories = {c.get("name") for c in admx.iter(f"{NS}category")}
    policies = admx.findall(f"{NS}policies/{NS}policy")
    names = [policy.get("name") for policy in policies]
    assert len(names) == len(set(names))
    order = ["parentCategory", "supportedOn", "enabledValue", "disabledValue"]
    order += ["enabledList", "disabledList", "elements"]
    for policy in policies:
        name = policy.get("name")
        assert policy.get("class") in ("Machine", "User", "Both"), name
        key = policy.get("key", "")
        assert key.startswith(POLICY_KEY) and not key.upper().startswith(("HKEY", "HKLM", "HKCU"))
        resolve(policy.get("displayName"), "string", strings)
        resolve(policy.get("explainText"), "string", strings)
        children = [tag(child) for child in policy]
        assert children == sorted(children, key=order.index), f"{name}: children out of order"
        parent = policy.find(f"{NS}parentCategory")
        assert parent is not None and parent.get("ref") in categories
        supported = policy.find(f"{NS}supportedOn")
        assert supported is not None and supported.get("ref") in definitions
        elements = policy.find(f"{NS}elements")
        if elements is None:  # an on/off policy: its own value, 1 or 0
            assert policy.get("valueName")
            for state, number in (("enabledValue", "1"), ("disabledValue", "0")):
                decimal = policy.find(f"{NS}{state}/{NS}decimal")
                assert decimal is not None and decimal.get("value") == number, name
            assert policy.get("presentation") is None
            continue
        shown = presentations[resolve(policy.get("presentation"), "presentation", presentations)]
        controls = {control.get("refId"): tag(control) for control in shown if control.get("refId")}
        ids = {element.get("id"): tag(element) for element in elements}
        assert controls == {i: CONTROL_FOR[t] for i, t in ids.items()}, name
        for item in policy.iter(f"{NS}item"):
            resolve(item.get("displayName"), "string", strings)
            value = item.find(f"{NS}value")
            assert value is not None and len(value) == 1


def test_every_key_has_a_mandatory_and_a_recommended_policy_writing_what_the_reader_reads(
    admx: ET.Element,
) -> None:
    """Each key's registry writes, read off the ADMX, are the layout policy_windows reads."""
    writes: dict[str, set[tuple[str, str, str]]] = {}
    for policy in admx.iter(f"{NS}policy"):
        key = policy.get("key", "")
        found = writes.setdefault(policy.get("name", ""), set())
        if policy.get("valueName"):
            found.add((key, policy.get("valueName", ""), "REG_DWORD"))
        for element in policy.iter():
            where = element.get("key", key)
            if tag(element) in ("text", "enum"):
                found.add((where, element.get("valueName", ""), "REG_SZ"))
            elif tag(element) == "list":
                assert element.get("valuePrefix") == "" and element.get("expandable") != "true"
                found.add((where, "1, 2, ...", "REG_SZ"))
    for setting in TABLE:
        for base, suffix in ((POLICY_KEY, ""), (rf"{POLICY_KEY}\{RECOMMENDED}", "_Recommended")):
            name = setting.policy_name
            if setting.holds_list:
                expected = {(rf"{base}\{name}", "1, 2, ...", "REG_SZ")}
            elif setting.kind is Kind.BOOL:
                expected = {(base, name, "REG_DWORD")}
            else:
                expected = {(base, name, "REG_SZ")}
            assert writes.pop(name + suffix) == expected, setting.name
    assert writes == {}, f"policies for no key: {sorted(writes)}"


def test_explain_texts_carry_description_form_and_default(strings: dict[str, str]) -> None:
    for key in TABLE:
        for suffix in ("", "_Recommended"):
            text = strings[f"{key.policy_name}{suffix}_Explain"]
            assert text.startswith(key.description), key.name
            assert "Default: " in text and "Registry: HKLM or HKCU\\" in text
            if key.kind is Kind.DURATION:
                assert DURATION_FORM in text
        assert "locked" in strings[f"{key.policy_name}_Explain"]
        assert "may change" in strings[f"{key.policy_name}_Recommended_Explain"]
    assert strings["SittingLimit"] == KEYS["reminders.sitting_limit"].label


def test_drop_downs_and_text_boxes_offer_the_defaults(presentations: dict[str, ET.Element]) -> None:
    for key in TABLE:
        if key.kind is Kind.CHOICE:
            dropdown = presentations[key.policy_name].find(f"{NS}dropdownList")
            assert dropdown is not None
            assert key.choices[int(dropdown.get("defaultItem", "-1"))] == key.default
        elif key.kind in (Kind.DURATION, Kind.TIMEZONE):
            default = presentations[key.policy_name].find(f"{NS}textBox/{NS}defaultValue")
            assert default is not None and default.text == key.default


def test_the_adml_has_the_documented_skeleton(adml: ET.Element) -> None:
    assert adml.tag == f"{NS}policyDefinitionResources"
    assert adml.get("revision") and adml.get("schemaVersion") == "1.0"
    assert [tag(child) for child in adml] == ["displayName", "description", "resources"]


# --------------------------------------------------------------- policy names


def test_policy_names_are_unique_plain_and_never_a_subkey_we_use() -> None:
    names = [key.policy_name for key in TABLE]
    assert len({name.lower() for name in names}) == len(names)
    assert all(re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) for name in names)
    assert RECOMMENDED.lower() not in {name.lower() for name in names}
    assert KEYS["reminders.sitting_limit"].policy_name == "SittingLimit"
    assert KEYS["schedule.work_hours.monday"].policy_name == "WorkHoursMonday"


# ------------------------------------------------------------------- macOS


def test_the_profile_is_a_configuration_profile_forcing_every_key() -> None:
    profile = plistlib.loads(PROFILE_PATH.read_bytes())
    assert profile["PayloadType"] == "Configuration"
    assert profile["PayloadVersion"] == 1
    assert profile["PayloadScope"] == "System"
    uuid.UUID(profile["PayloadUUID"])
    (payload,) = profile["PayloadContent"]
    assert payload["PayloadType"] == "com.apple.ManagedClient.preferences"
    uuid.UUID(payload["PayloadUUID"])
    assert payload["PayloadUUID"] != profile["PayloadUUID"]
    assert payload["PayloadIdentifier"] != profile["PayloadIdentifier"]
    (forced,) = payload["PayloadContent"]["org.sitting-reminder"]["Forced"]
    assert forced["mcx_preference_settings"] == {key.policy_name: key.default for key in TABLE}


def test_the_profile_marks_what_to_fill_in() -> None:
    text = PROFILE_PATH.read_text(encoding="utf-8")
    comments = re.findall(r"<!--(.*?)-->", text, re.DOTALL)
    assert any("fill in" in c and "organisation" in c for c in comments)
    assert any("fill in" in c and "UUID" in c for c in comments)
    for key in TABLE:  # each key's description above it
        assert any(c.strip().startswith(f"{key.name}: {key.description}") for c in comments)


def test_the_domain_plist_holds_every_key_with_its_default() -> None:
    data = plistlib.loads(DOMAIN_PLIST_PATH.read_bytes())
    assert data == {key.policy_name: key.default for key in TABLE}
