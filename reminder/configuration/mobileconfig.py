"""The macOS configuration profile: policy/macos/sitting-reminder.mobileconfig.

Generated from the key table (`python -m reminder.configuration.generate`), so a
new key cannot be missing from the profile. One com.apple.ManagedClient.preferences
payload forces the domain `org.sitting-reminder` (what policy_macos reads from
/Library/Managed Preferences/); it lists every key with its default and, in a
comment above it, its description and accepted form. Also generated: the bare
domain plist (policy/macos/org.sitting-reminder.plist) for MDMs that take one
("Application & Custom Settings" in Jamf Pro).

Forced values are locked for the user, so an administrator deletes the keys
the organisation does not want to decide. The comments mark what to fill in
(organisation, identifiers, UUIDs); the UUIDs shipped are valid and fixed, so the
template installs as it is for a trial.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any
from xml.sax.saxutils import escape

from reminder.configuration.channel import value_form
from reminder.configuration.keys import TABLE, Key, Kind
from reminder.configuration.policy_macos import DOMAIN, expected_form

PROFILE_IDENTIFIER = f"{DOMAIN}.profile"
PAYLOAD_IDENTIFIER = f"{DOMAIN}.profile.preferences"
PROFILE_UUID = str(uuid.uuid5(uuid.NAMESPACE_DNS, PROFILE_IDENTIFIER)).upper()
PAYLOAD_UUID = str(uuid.uuid5(uuid.NAMESPACE_DNS, PAYLOAD_IDENTIFIER)).upper()

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
    '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
)
_GENERATED = (
    "GENERATED from reminder/configuration/keys.py by "
    "`python -m reminder.configuration.generate`; edit the key table, not this file."
)


class _Comment(str):
    """A line of the template that is an XML comment, not a value."""


def _comment(text: str) -> _Comment:
    return _Comment(text.replace("--", "- -"))  # "--" may not appear inside an XML comment


def settings() -> dict[str, Any]:
    """Every key of the domain with its default, as the plist holds it."""
    return {key.policy_name: key.default for key in TABLE}


def _key_comment(key: Key) -> _Comment:
    form = expected_form(key)
    if key.kind is not Kind.BOOL:
        form += f", {value_form(key)}"
    return _comment(f"{key.name}: {key.description} Form: {form}.")


def _lines(value: Any, depth: int) -> Iterator[str]:
    pad = "  " * depth
    if isinstance(value, bool):
        yield f"{pad}<{'true' if value else 'false'}/>"
    elif isinstance(value, int):
        yield f"{pad}<integer>{value}</integer>"
    elif isinstance(value, str):
        yield f"{pad}<string>{escape(value)}</string>"
    elif isinstance(value, list):
        if not value:
            yield f"{pad}<array/>"
            return
        yield f"{pad}<array>"
        for item in value:
            yield from _lines(item, depth + 1)
        yield f"{pad}</array>"
    elif isinstance(value, dict):
        yield f"{pad}<dict>"
        yield from _entries(value, depth + 1)
        yield f"{pad}</dict>"
    else:
        raise TypeError(f"no plist form for {value!r}")


def _entries(entries: Mapping[str, Any], depth: int) -> Iterator[str]:
    pad = "  " * depth
    for name, value in entries.items():
        if isinstance(value, _Comment):
            yield f"{pad}<!-- {value} -->"
            continue
        yield f"{pad}<key>{escape(name)}</key>"
        yield from _lines(value, depth)


def _commented_settings() -> dict[str, Any]:
    entries: dict[str, Any] = {}
    for key in TABLE:
        entries[f"#{key.policy_name}"] = _key_comment(key)
        entries[key.policy_name] = key.default
    return entries


def _document(root: Mapping[str, Any], notes: list[str]) -> str:
    lines = [_HEAD.rstrip("\n"), f"<!-- {_comment(_GENERATED)} -->"]
    lines += [f"<!-- {_comment(note)} -->" for note in notes]
    lines.append('<plist version="1.0">')
    lines.append("<dict>")
    lines += list(_entries(root, 1))
    lines.append("</dict>")
    lines.append("</plist>")
    return "\n".join(lines) + "\n"


def render_mobileconfig() -> str:
    """The configuration profile: one payload forcing every key of the domain."""
    payload = {
        "PayloadContent": {
            DOMAIN: {"Forced": [{"mcx_preference_settings": _commented_settings()}]},
        },
        "PayloadDisplayName": "Sitting Reminder settings",
        "#identifier": _comment("fill in: your own reverse-DNS identifier"),
        "PayloadIdentifier": PAYLOAD_IDENTIFIER,
        "PayloadType": "com.apple.ManagedClient.preferences",
        "#uuid": _comment("fill in: a new UUID for your organisation (the output of uuidgen)"),
        "PayloadUUID": PAYLOAD_UUID,
        "PayloadVersion": 1,
    }
    profile = {
        "PayloadContent": [payload],
        "PayloadDescription": (
            "Settings of Sitting Reminder chosen by your organisation. Forced settings "
            "cannot be changed by the user."
        ),
        "PayloadDisplayName": "Sitting Reminder",
        "#identifier": _comment("fill in: your own reverse-DNS identifier"),
        "PayloadIdentifier": PROFILE_IDENTIFIER,
        "#organisation": _comment("fill in: your organisation's name"),
        "PayloadOrganization": "Your organisation",
        "PayloadScope": "System",
        "PayloadType": "Configuration",
        "#uuid": _comment("fill in: a new UUID for your organisation (the output of uuidgen)"),
        "PayloadUUID": PROFILE_UUID,
        "PayloadVersion": 1,
    }
    notes = [
        f"A configuration profile forcing the preference domain {DOMAIN}. Every key is "
        "listed with its default: delete the keys your organisation does not want to "
        "decide, since a forced key is locked for the user. Fill in the places marked "
        "'fill in', then sign and deploy it with your MDM (Jamf Pro, Intune, ...).",
    ]
    return _document(profile, notes)


def render_domain_plist() -> str:
    """The bare domain plist (every key with its default) for MDMs that take one."""
    notes = [
        f"The settings of the preference domain {DOMAIN}, for an MDM that takes a plist "
        "(Jamf Pro: Application & Custom Settings, preference domain "
        f"{DOMAIN}). Delete the keys your organisation does not want to decide.",
    ]
    return _document(_commented_settings(), notes)


__all__ = ["render_domain_plist", "render_mobileconfig", "settings"]
