"""macOS managed preferences: the profile's round trip, the plist reader, origins and errors.

No macOS exists on the test machines, so "/Library/Managed Preferences" is a
temporary folder given to the loader through `Platform`; the plist files in it
are written with plistlib, as macOS writes them (XML or binary). The reader, the
loader and the CLI are the real code.
"""

from __future__ import annotations

import json
import plistlib
from pathlib import Path
from typing import Any

import pytest
from channel_samples import SAMPLES, check_samples

from reminder.cli import main
from reminder.configuration.cache import ManagedCache
from reminder.configuration.keys import TABLE
from reminder.configuration.loader import Platform, load_configuration
from reminder.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_FILE = "org.sitting-reminder.plist"


@pytest.fixture
def managed(tmp_path: Path) -> Path:
    folder = tmp_path / "Library" / "Managed Preferences"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def platform(managed: Path, tmp_path: Path) -> Platform:
    return Platform(
        managed_preferences=managed, user_name="alice", cache=ManagedCache(tmp_path / "cache")
    )


def forced(path: Path, values: dict[str, Any], *, binary: bool = False) -> Path:
    """A managed preferences file, as macOS writes it from an installed profile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = plistlib.FMT_BINARY if binary else plistlib.FMT_XML
    path.write_bytes(plistlib.dumps(values, fmt=kind))
    return path


def by_policy_name(values: dict[str, Any]) -> dict[str, Any]:
    names = {key.name: key.policy_name for key in TABLE}
    return {names[dotted]: value for dotted, value in values.items()}


def test_every_key_is_read_back_and_locked(managed: Path, platform: Platform) -> None:
    check_samples()
    machine = forced(managed / DOMAIN_FILE, by_policy_name(SAMPLES), binary=True)
    loaded = load_configuration(platform=platform)
    assert loaded.raw == SAMPLES
    for key in TABLE:
        origin = f"managed profile ({machine}: {key.policy_name})"
        assert loaded.origins[key.name] == origin
        assert loaded.locked_by(key.name) == origin


def test_the_users_file_wins_over_the_machines(managed: Path, platform: Platform) -> None:
    forced(managed / DOMAIN_FILE, {"SittingLimit": "40m", "RepeatEvery": "8m"})
    mine = forced(managed / "alice" / DOMAIN_FILE, {"SittingLimit": "35m"})
    forced(managed / "bob" / DOMAIN_FILE, {"SittingLimit": "5m"})  # someone else's
    loaded = load_configuration(platform=platform)
    assert loaded.raw["reminders.sitting_limit"] == "35m"
    assert loaded.origins["reminders.sitting_limit"] == f"managed profile ({mine}: SittingLimit)"
    assert loaded.raw["reminders.repeat_every"] == "8m"


def test_the_shipped_profile_installs_the_defaults(managed: Path, platform: Platform) -> None:
    """The .mobileconfig's forced settings, as macOS would write them, read back as the
    built-in defaults: the template is complete and every value in it is valid."""
    profile = plistlib.loads(
        (ROOT / "policy" / "macos" / "sitting-reminder.mobileconfig").read_bytes()
    )
    payload = profile["PayloadContent"][0]["PayloadContent"]["org.sitting-reminder"]
    forced(managed / DOMAIN_FILE, payload["Forced"][0]["mcx_preference_settings"])
    loaded = load_configuration(platform=platform)
    assert loaded.raw == {key.name: key.default for key in TABLE}
    assert sorted(loaded.locked) == sorted(key.name for key in TABLE)


def test_profile_bookkeeping_is_skipped_and_unknown_keys_warn(
    managed: Path, platform: Platform
) -> None:
    forced(
        managed / DOMAIN_FILE,
        {"PayloadUUID": "0F1E", "SittingLimit": "40m", "GuideURL": "x", "Colour": "red"},
    )
    loaded = load_configuration(platform=platform)
    assert loaded.raw["reminders.sitting_limit"] == "40m"
    assert loaded.raw["guide.url"] == "x"  # names match without regard to case
    warnings = "\n".join(loaded.warnings)
    assert "no setting is called Colour" in warnings
    assert "PayloadUUID" not in warnings


@pytest.mark.parametrize(
    ("values", "name", "expected", "found"),
    [
        ({"SittingLimit": 50}, "SittingLimit", "a string, a duration with units", "an integer 50"),
        ({"QuietWhenDnd": "no"}, "QuietWhenDnd", "a boolean, <true/> or <false/>", "a string"),
        ({"DaysOff": "2026-12-25"}, "DaysOff", "an array of strings", "a string"),
        ({"SittingLimit": "50"}, "SittingLimit", "a duration with units such as", '"50"'),
    ],
    ids=["integer-duration", "string-bool", "string-list", "bare-number-string"],
)
def test_a_wrong_value_names_the_file_and_key(
    managed: Path,
    platform: Platform,
    values: dict[str, Any],
    name: str,
    expected: str,
    found: str,
) -> None:
    path = forced(managed / DOMAIN_FILE, values)
    with pytest.raises(ConfigError) as caught:
        load_configuration(platform=platform)
    message = str(caught.value)
    assert f"managed profile ({path}: {name})" in message
    assert expected in message
    assert found in message


def test_a_file_that_is_no_plist_stops_with_its_path(managed: Path, platform: Platform) -> None:
    path = managed / DOMAIN_FILE
    path.write_text("sitting_limit = 40m\n")
    with pytest.raises(ConfigError) as caught:
        load_configuration(platform=platform)
    assert str(path) in str(caught.value)
    assert "not a property list" in str(caught.value)


def test_config_show_origin_names_the_profile(
    managed: Path, platform: Platform, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr(Platform, "current", classmethod(lambda cls: platform))
    path = forced(managed / DOMAIN_FILE, {"SittingLimit": "40m"})
    assert main(["config", "show", "--origin", "--json"]) == 0
    entry = json.loads(capsys.readouterr().out)["reminders.sitting_limit"]
    origin = f"managed profile ({path}: SittingLimit)"
    assert entry == {"value": "40m", "origin": origin, "locked_by": origin}
    assert main(["interval", "20m"]) == 2
    assert origin in capsys.readouterr().err
