r"""Which channel wins: DESIGN.md's precedence, one example each, highest first

    mandatory policy (HKLM over HKCU; macOS: the user's file over the machine's)
    locks in managed files
    user file
    recommended policy (HKLM over HKCU)
    managed files
    defaults

The registry is tests/fake_winreg.py's stand-in (no Windows here) and the managed
preferences folder a temporary one (no macOS here); files and loader are real.
"""

from __future__ import annotations

import plistlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_winreg import REG_SZ, FakeWinReg

from reminder.configuration.cache import ManagedCache
from reminder.configuration.loader import Platform, load_configuration

APP = "sitting-reminder"
POLICIES = r"Software\Policies\SittingReminder"
LIMIT = "reminders.sitting_limit"


@dataclass(frozen=True)
class Desk:
    """One computer's sources: which of them set the sitting limit, and to what."""

    site: str | None = None  # /etc/xdg/sitting-reminder/config.toml
    site_locks: bool = False  # ... with [managed] locked = ["reminders.sitting_limit"]
    user: str | None = None  # ~/.config/sitting-reminder/config.toml
    hklm: str | None = None  # HKLM\...\SittingReminder
    hkcu: str | None = None  # HKCU\...\SittingReminder
    hklm_rec: str | None = None
    hkcu_rec: str | None = None
    mac_machine: str | None = None  # /Library/Managed Preferences/org.sitting-reminder.plist
    mac_user: str | None = None  # /Library/Managed Preferences/alice/...


CASES = [
    ("mandatory-over-user", Desk(user="20m", hklm="45m"), "45m", True),
    ("mandatory-over-managed-lock", Desk(site="40m", site_locks=True, hkcu="35m"), "35m", True),
    ("hklm-over-hkcu", Desk(hklm="45m", hkcu="30m", user="20m"), "45m", True),
    ("user-over-recommended", Desk(user="20m", hklm_rec="45m"), "20m", False),
    ("recommended-alone", Desk(hkcu_rec="45m"), "45m", False),
    ("recommended-hklm-over-hkcu", Desk(hklm_rec="45m", hkcu_rec="30m"), "45m", False),
    ("recommended-over-site-file", Desk(site="40m", hkcu_rec="45m"), "45m", False),
    ("site-lock-over-recommended", Desk(site="40m", site_locks=True, hklm_rec="45m"), "40m", True),
    ("site-lock-over-user", Desk(site="40m", site_locks=True, user="20m"), "40m", True),
    ("user-over-site-file", Desk(site="40m", user="20m"), "20m", False),
    ("mandatory-over-recommended", Desk(hkcu="35m", hklm_rec="45m"), "35m", True),
    ("mac-user-over-mac-machine", Desk(mac_machine="40m", mac_user="35m", user="20m"), "35m", True),
    ("mac-machine-over-user", Desk(mac_machine="40m", user="20m"), "40m", True),
    ("defaults", Desk(), "50m", False),
]  # fmt: skip


def toml(limit: str, *, locks: bool = False) -> str:
    text = f'[reminders]\nsitting_limit = "{limit}"\n'
    return text + ('[managed]\nlocked = ["reminders.sitting_limit"]\n' if locks else "")


def set_up(desk: Desk, dirs: dict[str, Path], tmp_path: Path) -> Platform:
    registry = FakeWinReg()
    managed = tmp_path / "Managed Preferences"
    managed.mkdir()
    if desk.site is not None:
        site = dirs["site"] / APP / "config.toml"
        site.parent.mkdir(parents=True)
        site.write_text(toml(desk.site, locks=desk.site_locks))
    if desk.user is not None:
        user = dirs["config"] / APP / "config.toml"
        user.parent.mkdir(parents=True)
        user.write_text(toml(desk.user))
    for hive, path, value in (
        ("HKLM", POLICIES, desk.hklm),
        ("HKCU", POLICIES, desk.hkcu),
        ("HKLM", rf"{POLICIES}\Recommended", desk.hklm_rec),
        ("HKCU", rf"{POLICIES}\Recommended", desk.hkcu_rec),
    ):
        if value is not None:
            registry.set_value(hive, path, "SittingLimit", REG_SZ, value)
    for folder, value in ((managed, desk.mac_machine), (managed / "alice", desk.mac_user)):
        if value is not None:
            folder.mkdir(exist_ok=True)
            (folder / "org.sitting-reminder.plist").write_bytes(
                plistlib.dumps({"SittingLimit": value})
            )
    return Platform(
        registry=registry,
        managed_preferences=managed,
        user_name="alice",
        cache=ManagedCache(tmp_path / "cache"),
    )


@pytest.mark.parametrize(
    ("desk", "wins", "locked"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_precedence(
    desk: Desk, wins: str, locked: bool, isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    loaded = load_configuration(platform=set_up(desk, isolated_dirs, tmp_path))
    assert loaded.raw[LIMIT] == wins
    assert (loaded.locked_by(LIMIT) is not None) == locked


def test_a_user_value_under_a_mandatory_policy_is_ignored_with_a_warning_naming_it(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    loaded = load_configuration(
        platform=set_up(Desk(user="20m", hklm="45m"), isolated_dirs, tmp_path)
    )
    assert any(
        LIMIT in warning and rf"Group Policy (HKLM\{POLICIES}\SittingLimit)" in warning
        for warning in loaded.warnings
    )
