"""`autostart enable|disable|status` on each platform.

Linux is real: desktop files in the test's XDG folders, read back with GLib's
own desktop-entry parser where PyGObject is installed. macOS writes a real
plist under a temporary HOME (plistlib works everywhere). Windows uses a
dict-backed stand-in for the HKCU Run key, because winreg exists only on Windows.
"""

from __future__ import annotations

import plistlib
import subprocess
from pathlib import Path

import pytest

from reminder.autostart import (
    DESKTOP_MARKER,
    LAUNCH_AGENT_LABEL,
    RUN_VALUE_NAME,
    autostart,
    default_command,
    desktop_exec,
)
from reminder.errors import RuntimeFailure, UsageError

COMMAND = ["/opt/sitting-reminder/bin/sitting-reminder", "run"]


@pytest.fixture
def user_entry(isolated_dirs: dict[str, Path]) -> Path:
    return isolated_dirs["config"] / "autostart" / "sitting-reminder.desktop"


@pytest.fixture
def system_entry(isolated_dirs: dict[str, Path]) -> Path:
    """Where IT's roll-out puts the entry ($XDG_CONFIG_DIRS/autostart; /etc/xdg by default)."""
    return isolated_dirs["site"] / "autostart" / "sitting-reminder.desktop"


def entry_values(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


# ------------------------------------------------------------------ Linux


def test_enable_writes_an_xdg_autostart_entry(user_entry: Path) -> None:
    message = autostart("enable", platform="linux", command=COMMAND)
    values = entry_values(user_entry)
    assert values["Exec"] == "/opt/sitting-reminder/bin/sitting-reminder run"
    assert values["Type"] == "Application"
    assert values["X-GNOME-Autostart-enabled"] == "true"
    assert DESKTOP_MARKER in user_entry.read_text(encoding="utf-8").splitlines()
    assert str(user_entry) in message
    assert autostart("status", platform="linux") == f"enabled: {user_entry}"


def test_disable_removes_our_entry(user_entry: Path) -> None:
    autostart("enable", platform="linux", command=COMMAND)
    message = autostart("disable", platform="linux")
    assert not user_entry.exists()
    assert message == f"autostart disabled: removed {user_entry}"
    assert autostart("status", platform="linux") == f"disabled (no {user_entry})"
    assert autostart("disable", platform="linux").startswith("autostart already disabled")


def test_enabling_twice_keeps_one_entry_with_the_new_command(user_entry: Path) -> None:
    autostart("enable", platform="linux", command=COMMAND)
    autostart("enable", platform="linux", command=["/usr/bin/sitting-reminder", "run"])
    assert entry_values(user_entry)["Exec"] == "/usr/bin/sitting-reminder run"
    assert [p.name for p in user_entry.parent.iterdir()] == ["sitting-reminder.desktop"]


def test_a_foreign_entry_with_our_name_is_never_removed_or_overwritten(user_entry: Path) -> None:
    user_entry.parent.mkdir(parents=True)
    foreign = "[Desktop Entry]\nType=Application\nName=My own\nExec=/home/me/start.sh\n"
    user_entry.write_text(foreign, encoding="utf-8")
    with pytest.raises(RuntimeFailure, match="not written by sitting-reminder"):
        autostart("disable", platform="linux")
    with pytest.raises(RuntimeFailure, match="left it alone"):
        autostart("enable", platform="linux", command=COMMAND)
    assert user_entry.read_text(encoding="utf-8") == foreign
    status = autostart("status", platform="linux")
    assert status == f"enabled by {user_entry} (not written by sitting-reminder)"


def test_disable_hides_an_entry_it_rolled_out_for_all_users(
    user_entry: Path, system_entry: Path
) -> None:
    system_entry.parent.mkdir(parents=True)
    system_entry.write_text("[Desktop Entry]\nType=Application\nExec=sitting-reminder run\n")
    assert autostart("status", platform="linux") == f"enabled for all users by {system_entry}"

    message = autostart("disable", platform="linux", command=COMMAND)
    assert entry_values(user_entry)["Hidden"] == "true"
    assert "hides the system-wide" in message
    assert autostart("status", platform="linux").startswith(f"disabled: {user_entry} hides")
    assert system_entry.exists()

    autostart("enable", platform="linux", command=COMMAND)
    assert "Hidden" not in entry_values(user_entry)
    assert autostart("status", platform="linux") == f"enabled: {user_entry}"


@pytest.mark.parametrize(
    "folder",
    ["My Apps", 'o"brien $HOME \\x`'],
    ids=["space", "quote-dollar-backslash-backtick"],
)
def test_glib_reads_back_the_same_command(user_entry: Path, tmp_path: Path, folder: str) -> None:
    """The desktop session's own parser (GLib) must see exactly our argv."""
    gi = pytest.importorskip("gi", reason="PyGObject not installed (pip install '.[tray]')")
    gi.require_version("Gio", "2.0")
    from gi.repository import Gio, GLib

    program = tmp_path / folder / "sitting-reminder"  # GLib insists the program exists
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    argv = [str(program), "run"]
    autostart("enable", platform="linux", command=argv)
    info = Gio.DesktopAppInfo.new_from_filename(str(user_entry))
    ok, parsed = GLib.shell_parse_argv(info.get_commandline())
    assert ok
    assert parsed == argv


def test_the_default_command_is_the_running_script_by_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "venv" / "bin" / "sitting-reminder"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["venv/bin/sitting-reminder", "autostart", "enable"])
    assert default_command() == [str(script), "run"]


def test_an_unknown_action_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="enable, disable or status"):
        autostart("toggle", platform="linux", command=COMMAND)  # type: ignore[arg-type]


# ------------------------------------------------------------------ macOS


@pytest.fixture
def mac_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "Users" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    return home


def test_macos_enable_writes_a_launch_agent(mac_home: Path) -> None:
    message = autostart("enable", platform="darwin", command=COMMAND)
    agent = mac_home / "Library" / "LaunchAgents" / "org.sitting-reminder.plist"
    with agent.open("rb") as handle:
        data = plistlib.load(handle)
    assert data["Label"] == LAUNCH_AGENT_LABEL
    assert data["ProgramArguments"] == COMMAND
    assert data["RunAtLoad"] is True
    assert str(agent) in message
    assert autostart("status", platform="darwin") == f"enabled: {agent}"

    assert autostart("disable", platform="darwin") == f"autostart disabled: removed {agent}"
    assert not agent.exists()
    assert autostart("status", platform="darwin") == f"disabled (no {agent})"


def test_macos_leaves_a_foreign_plist_alone(mac_home: Path) -> None:
    agent = mac_home / "Library" / "LaunchAgents" / "org.sitting-reminder.plist"
    agent.parent.mkdir(parents=True)
    foreign = plistlib.dumps({"Label": "com.example.other", "ProgramArguments": ["/bin/true"]})
    agent.write_bytes(foreign)
    with pytest.raises(RuntimeFailure, match="not written by sitting-reminder"):
        autostart("disable", platform="darwin")
    with pytest.raises(RuntimeFailure):
        autostart("enable", platform="darwin", command=COMMAND)
    assert agent.read_bytes() == foreign


# ---------------------------------------------------------------- Windows


class FakeRunKey:
    """Stands in for HKCU\\...\\Run: winreg exists only on Windows."""

    location = r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run"

    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values = dict(values or {})

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, command_line: str) -> None:
        self.values[name] = command_line

    def delete(self, name: str) -> None:
        del self.values[name]


def test_windows_enable_sets_the_run_value_with_a_quoted_path() -> None:
    key = FakeRunKey({"OneDrive": r'"C:\Program Files\OneDrive\OneDrive.exe" /background'})
    exe = r"C:\Program Files\Python311\Scripts\sitting-reminder.exe"
    message = autostart("enable", platform="win32", command=[exe, "run"], run_key=key)
    assert key.values[RUN_VALUE_NAME] == f'"{exe}" run'
    assert subprocess.list2cmdline([exe, "run"]) in message
    assert autostart("status", platform="win32", command=[exe], run_key=key).startswith("enabled")

    autostart("disable", platform="win32", command=[exe], run_key=key)
    assert RUN_VALUE_NAME not in key.values
    assert "OneDrive" in key.values  # other programs' values untouched
    status = autostart("status", platform="win32", command=[exe], run_key=key)
    assert status.startswith("disabled (no HKEY_CURRENT_USER")


def test_a_percent_sign_is_doubled_in_exec() -> None:
    """The Desktop Entry spec reserves % for field codes such as %f."""
    assert desktop_exec(["/srv/x/sitting-reminder", "--note=50%"]) == (
        "/srv/x/sitting-reminder --note=50%%"
    )
