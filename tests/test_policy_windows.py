r"""Group Policy: the ADMX template round trip, the registry reader, origins and errors.

No Windows exists on the test machines, so the registry is the in-memory
stand-in of tests/fake_winreg.py (winreg's functions, injected through
`Platform`), and the Group Policy editor is played by `GroupPolicyEditor`, which
writes what the shipped ADMX file says the editor writes. Everything above the
registry (the loader, the key table, the CLI) is the real code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from channel_samples import SAMPLES, check_samples
from fake_winreg import REG_DWORD, REG_MULTI_SZ, REG_SZ, FakeWinReg, GroupPolicyEditor

from reminder.cli import main
from reminder.configuration.cache import ManagedCache
from reminder.configuration.keys import KEYS, TABLE, Key, Kind
from reminder.configuration.loader import LoadedConfig, Platform, load_configuration
from reminder.configuration.policy_windows import change_stamp
from reminder.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
ADMX = (ROOT / "policy" / "windows" / "sitting-reminder.admx").read_text(encoding="utf-8")
POLICIES = r"Software\Policies\SittingReminder"


@pytest.fixture
def registry() -> FakeWinReg:
    return FakeWinReg()


@pytest.fixture
def editor(registry: FakeWinReg) -> GroupPolicyEditor:
    return GroupPolicyEditor(ADMX, registry)


@pytest.fixture
def platform(registry: FakeWinReg, tmp_path: Path) -> Platform:
    return Platform(registry=registry, cache=ManagedCache(tmp_path / "cache"))


def set_policy(
    editor: GroupPolicyEditor, key: Key, value: Any, hive: str, *, recommended: bool = False
) -> None:
    """What an administrator does in the editor to give `key` the TOML value `value`."""
    name = key.policy_name + ("_Recommended" if recommended else "")
    if key.kind is Kind.BOOL:
        if value:
            editor.enable(name, hive)
        else:
            editor.disable(name, hive)
    else:
        editor.enable(name, hive, {key.policy_name: value})


def load(platform: Platform) -> LoadedConfig:
    return load_configuration(platform=platform)


# ------------------------------------------------------------- round trip


def test_every_mandatory_policy_is_read_back_and_locked(
    editor: GroupPolicyEditor, platform: Platform
) -> None:
    check_samples()
    for key in TABLE:
        set_policy(editor, KEYS[key.name], SAMPLES[key.name], "HKLM")
    loaded = load(platform)
    assert loaded.raw == SAMPLES
    for key in TABLE:
        origin = rf"Group Policy (HKLM\{POLICIES}\{key.policy_name})"
        assert loaded.origins[key.name] == origin
        assert loaded.locked_by(key.name) == origin


def test_every_recommended_policy_is_read_back_and_locks_nothing(
    editor: GroupPolicyEditor, platform: Platform
) -> None:
    for key in TABLE:
        set_policy(editor, key, SAMPLES[key.name], "HKCU", recommended=True)
    loaded = load(platform)
    assert loaded.raw == SAMPLES
    assert loaded.locked == {}
    origin = rf"Group Policy, recommended (HKCU\{POLICIES}\Recommended\SittingLimit)"
    assert loaded.origins["reminders.sitting_limit"] == origin


def test_enabled_switch_is_on_and_disabled_list_is_a_day_without_work(
    editor: GroupPolicyEditor, platform: Platform
) -> None:
    editor.disable("QuietWhenDnd", "HKLM")
    editor.enable("QuietWhenDnd", "HKLM")  # changed their mind: 1 replaces 0
    editor.disable("WorkHoursMonday", "HKLM")
    loaded = load(platform)
    assert loaded.config.notifications.quiet_when_dnd is True
    assert loaded.raw["schedule.work_hours.monday"] == []
    assert loaded.config.schedule.work_hours[0] == ()


def test_a_shorter_list_replaces_a_longer_one(
    editor: GroupPolicyEditor, platform: Platform
) -> None:
    editor.enable("SnoozeOptions", "HKLM", {"SnoozeOptions": ["5m", "10m", "15m"]})
    editor.enable("SnoozeOptions", "HKLM", {"SnoozeOptions": ["20m"]})
    assert load(platform).raw["reminders.snooze_options"] == ["20m"]


def test_list_entries_are_read_in_number_order_not_name_order(
    registry: FakeWinReg, platform: Platform
) -> None:
    """ "10" sorts before "2" as text; the list's order is the numbers' order."""
    days = [f"2026-12-{day:02d}" for day in range(1, 12)]
    for number in (10, 2, 1, 11, 3, 4, 5, 6, 7, 8, 9):
        registry.set_value("HKLM", rf"{POLICIES}\DaysOff", str(number), REG_SZ, days[number - 1])
    assert load(platform).raw["schedule.days_off"] == days


# ----------------------------------------------------- how it is read


def test_names_match_without_regard_to_case(registry: FakeWinReg, platform: Platform) -> None:
    registry.set_value("HKLM", POLICIES.upper(), "sittinglimit", REG_SZ, "33m")
    registry.set_value("HKLM", rf"{POLICIES}\workhoursfriday", "1", REG_SZ, "08:00-12:00")
    loaded = load(platform)
    assert loaded.raw["reminders.sitting_limit"] == "33m"
    assert loaded.raw["schedule.work_hours.friday"] == ["08:00-12:00"]


def test_the_64_bit_view_is_read_and_every_key_is_closed(
    editor: GroupPolicyEditor, registry: FakeWinReg, platform: Platform
) -> None:
    """A 32-bit Python on 64-bit Windows must not read Wow6432Node, where no policy is."""
    editor.enable("SittingLimit", "HKLM", {"SittingLimit": "40m"})
    editor.enable("WorkHoursMonday", "HKCU", {"WorkHoursMonday": ["09:00-10:00"]})
    load(platform)
    assert registry.access_used
    assert all(access & registry.KEY_WOW64_64KEY for access in registry.access_used)
    assert registry.open_handles == 0


def test_no_registry_means_no_policy_layers_on_linux() -> None:
    """Off Windows nothing is read, and winreg is never imported (it does not exist here);
    nor are the channels' readers, which the service would carry for nothing."""
    assert Platform.current().registry is None
    code = (
        "import sys\n"
        "from reminder.configuration.loader import load_configuration\n"
        "load_configuration()\n"
        "loaded = [m for m in ('winreg', 'plistlib', 'reminder.configuration.policy_windows',\n"
        "          'reminder.configuration.policy_macos') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------- mistakes


@pytest.mark.parametrize(
    ("name", "value_type", "data", "expected", "found"),
    [
        ("SittingLimit", REG_DWORD, 50, "a REG_SZ string", "a REG_DWORD 50"),
        ("SittingLimit", REG_SZ, "50", 'a duration with units such as "90s"', 'the string "50"'),
        ("QuietDuringCalls", REG_SZ, "true", "a REG_DWORD 1 (on) or 0 (off)", 'a REG_SZ "true"'),
        ("QuietDuringCalls", REG_DWORD, 2, "a REG_DWORD 1 (on) or 0 (off)", "a REG_DWORD 2"),
        ("SnoozeOptions", REG_MULTI_SZ, ["10m"], "a subkey SnoozeOptions", "a REG_MULTI_SZ"),
        ("NotificationBackend", REG_SZ, "popup", '"auto", "desktop-notifier"', '"popup"'),
    ],
    ids=["dword-duration", "bare-number", "string-bool", "dword-2", "multi-sz", "unknown-choice"],
)
def test_a_wrong_value_names_its_registry_path_and_the_form(
    registry: FakeWinReg,
    platform: Platform,
    name: str,
    value_type: int,
    data: object,
    expected: str,
    found: str,
) -> None:
    registry.set_value("HKLM", POLICIES, name, value_type, data)
    with pytest.raises(ConfigError) as caught:
        load(platform)
    message = str(caught.value)
    assert rf"Group Policy (HKLM\{POLICIES}\{name})" in message
    assert expected in message
    assert found in message


def test_a_list_entry_that_is_not_numbered_is_refused(
    registry: FakeWinReg, platform: Platform
) -> None:
    registry.set_value("HKCU", rf"{POLICIES}\Recommended\DaysOff", "christmas", REG_SZ, "12-25")
    with pytest.raises(ConfigError) as caught:
        load(platform)
    assert rf"HKCU\{POLICIES}\Recommended\DaysOff" in str(caught.value)
    assert 'entries named "1", "2"' in str(caught.value)


def test_a_bad_range_in_a_list_names_the_list(registry: FakeWinReg, platform: Platform) -> None:
    registry.set_value("HKLM", rf"{POLICIES}\WorkHoursMonday", "1", REG_SZ, "17:00-09:00")
    with pytest.raises(ConfigError) as caught:
        load(platform)
    assert rf"Group Policy (HKLM\{POLICIES}\WorkHoursMonday)" in str(caught.value)
    assert "reversed range" in str(caught.value)


def test_an_unknown_value_name_is_a_warning_not_a_stop(
    registry: FakeWinReg, platform: Platform
) -> None:
    """A newer template than this version knows must not stop reminders across a fleet."""
    registry.set_value("HKLM", POLICIES, "SitingLimit", REG_SZ, "30m")
    registry.set_value("HKLM", POLICIES, "SittingLimit", REG_SZ, "40m")
    loaded = load(platform)
    assert loaded.raw["reminders.sitting_limit"] == "40m"
    assert any(
        "no setting is called SitingLimit" in warning and 'did you mean "SittingLimit"' in warning
        for warning in loaded.warnings
    )


# --------------------------------------------------------------- the CLI


@pytest.fixture
def on_windows(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Platform:
    """The CLI's loader sees the stand-in registry as this machine's."""
    monkeypatch.setattr(Platform, "current", classmethod(lambda cls: platform))
    return platform


def test_config_show_origin_names_the_policy_and_the_lock(
    editor: GroupPolicyEditor, on_windows: Platform, capsys: pytest.CaptureFixture[str]
) -> None:
    editor.enable("SittingLimit", "HKLM", {"SittingLimit": "45m"})
    editor.enable("RepeatEvery_Recommended", "HKCU", {"RepeatEvery": "8m"})
    assert main(["config", "show", "--origin"]) == 0
    lines = {line.split(" =")[0]: line for line in capsys.readouterr().out.splitlines()}
    limit_origin = rf"Group Policy (HKLM\{POLICIES}\SittingLimit)"
    assert lines["sitting_limit"].startswith('sitting_limit = "45m"')
    assert lines["sitting_limit"].endswith(f"# {limit_origin} (locked)")
    repeat_origin = rf"Group Policy, recommended (HKCU\{POLICIES}\Recommended\RepeatEvery)"
    assert lines["repeat_every"].endswith(f"# {repeat_origin}")

    assert main(["config", "show", "--origin", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reminders.sitting_limit"] == {
        "value": "45m",
        "origin": limit_origin,
        "locked_by": limit_origin,
    }


def test_interval_is_refused_naming_the_policy(
    editor: GroupPolicyEditor, on_windows: Platform, capsys: pytest.CaptureFixture[str]
) -> None:
    editor.enable("SittingLimit", "HKLM", {"SittingLimit": "45m"})
    assert main(["interval", "30m"]) == 2
    assert rf"Group Policy (HKLM\{POLICIES}\SittingLimit)" in capsys.readouterr().err


def test_config_validate_and_paths_list_the_policy_keys(
    editor: GroupPolicyEditor, on_windows: Platform, capsys: pytest.CaptureFixture[str]
) -> None:
    editor.enable("SittingLimit", "HKLM", {"SittingLimit": "45m"})
    editor.enable("SittingLimit_Recommended", "HKCU", {"SittingLimit": "55m"})
    assert main(["config", "validate"]) == 0
    out = capsys.readouterr().out
    assert rf"ok: Group Policy (HKLM\{POLICIES}) (mandatory)" in out
    assert rf"ok: Group Policy, recommended (HKCU\{POLICIES}\Recommended) (recommended)" in out
    assert main(["config", "paths"]) == 0
    out = capsys.readouterr().out
    assert any(
        line.startswith("policy") and rf"HKLM\{POLICIES}" in line and "(in use)" in line
        for line in out.splitlines()
    )


def test_a_wrong_policy_stops_config_show_with_exit_2(
    registry: FakeWinReg, on_windows: Platform, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.set_value("HKLM", POLICIES, "CheckEvery", REG_SZ, "soon")
    assert main(["config", "show"]) == 2
    err = capsys.readouterr().err
    assert rf"Group Policy (HKLM\{POLICIES}\CheckEvery)" in err
    assert "activity.check_every" in err
    assert "Traceback" not in err


def test_the_change_stamp_moves_when_any_policy_changes(
    editor: GroupPolicyEditor, registry: FakeWinReg
) -> None:
    """What a watcher polls to see a policy change (a list's entries live in a subkey,
    whose write time is not its parent's)."""
    assert change_stamp(None) == ()
    assert change_stamp(registry) == ()
    editor.enable("WorkHoursMonday", "HKLM", {"WorkHoursMonday": ["09:00-12:00"]})
    first = change_stamp(registry)
    assert change_stamp(registry) == first  # reading changes nothing
    editor.enable("WorkHoursMonday", "HKLM", {"WorkHoursMonday": ["09:00-13:00"]})
    second = change_stamp(registry)
    assert second != first
    editor.enable("SittingLimit_Recommended", "HKCU", {"SittingLimit": "40m"})
    assert change_stamp(registry) != second
    assert registry.open_handles == 0
