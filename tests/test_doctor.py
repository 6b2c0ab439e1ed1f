"""`sitting-reminder doctor` on a desk without a display: what it reports, and its exit code.

The real CLI (`main`) runs in-process against the temporary XDG folders of conftest:
real managed files and shares (a share "off the VPN" is its folder moved away), a real
read-only tmpfs, a real service subprocess (`python -m reminder run --no-tray`), and a
real Unix socket that accepts and never answers. Stand-ins only where the OS part
cannot exist here: the Windows registry (tests/fake_winreg.py, through `Platform`),
macOS's managed preferences folder (a temporary folder in its place), and the clock
that dates a cached copy three days back. The desktop half (a session bus, dunst, an
SNI host, Xvfb) is tests/desktop/test_doctor_desktop.py.
"""

from __future__ import annotations

import json
import os
import plistlib
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fake_winreg import REG_SZ, FakeWinReg
from service_proc import ServiceProcess, headless_env, write_fast_config

from reminder import __version__, paths
from reminder.cli import main
from reminder.configuration.cache import ManagedCache
from reminder.configuration.loader import Platform, load_configuration
from reminder.doctor import doctor_report
from reminder.doctor._probes import SERVICE_TIMEOUT_S
from reminder.doctor._report import report_json
from reminder.store.history import History

SECTIONS = (
    "configuration",
    "locks",
    "tray",
    "notifications",
    "activity",
    "calls",
    "autostart",
    "files",
    "service",
)
LIMIT = "reminders.sitting_limit"


@pytest.fixture(autouse=True)
def no_desktop(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal with no desktop session (an SSH login, say)."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "PYSTRAY_BACKEND"):
        monkeypatch.delenv(name, raising=False)


def doctor_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["doctor", "--json", *args])
    out, err = capsys.readouterr()
    assert err == "", err  # nothing on stderr: no warning, no traceback
    report: dict[str, Any] = json.loads(out)
    return code, report


def sources(report: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [source for source in report["configuration"]["sources"] if source["kind"] == kind]


def managed_file(folder: Path, text: str) -> Path:
    path = folder / "sitting-reminder" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def every_file(*folders: Path) -> dict[Path, bytes]:
    return {
        path: path.read_bytes()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# ------------------------------------------------------------------ a plain desk


def test_a_plain_desk_is_well_and_doctor_changes_nothing(
    capsys: pytest.CaptureFixture[str], isolated_dirs: dict[str, Path]
) -> None:
    before = every_file(*isolated_dirs.values())
    code, report = doctor_json(capsys)
    assert every_file(*isolated_dirs.values()) == before
    assert [name for name in report if name in SECTIONS] == list(SECTIONS)

    assert (code, report["ok"], report["problems"]) == (0, True, [])
    assert report["summary"] == "all is well: no problems found"
    assert report["version"] == __version__
    assert report["platform"]["session"]["desktop"] is False
    assert [(s["state"], s["problem"]) for s in report["configuration"]["sources"]] == [
        ("read", None),  # the built-in defaults
        ("missing", None),  # no managed file in the site folder: not a problem
        ("missing", None),  # no user file: not a problem
    ]
    assert sources(report, "user")[0]["path"] == str(paths.user_config_file())
    assert report["configuration"]["catalog"]["stretches"] > 0
    assert report["locks"] == {}
    assert report["tray"]["would_use"] == "none"
    assert report["notifications"]["chain"] == "console"
    assert report["activity"]["source"] == "unavailable"
    assert report["service"]["running"] is False
    assert report["autostart"]["enabled"] is False
    for role in ("state", "history", "log", "cache"):
        assert report["files"][role]["writable"] is True, role
        assert report["files"][role]["exists"] is False, role


def test_the_text_report_has_a_section_per_part_and_ends_with_the_summary(
    capsys: pytest.CaptureFixture[str], isolated_dirs: dict[str, Path]
) -> None:
    managed_file(isolated_dirs["site"], 'reminders.sitting_limit = "45"\n')
    code = main(["doctor"])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    lines = out.splitlines()
    headings = [line for line in lines if line in SECTIONS]
    assert headings == list(SECTIONS)
    index = lines.index("configuration")
    assert lines[index + 1].startswith("  !!  the managed configuration ")
    assert lines[-1].startswith("summary: 1 problem: the managed configuration ")
    assert "Traceback" not in out


# ------------------------------------------------------------------ configuration


def test_an_invalid_managed_file_is_a_problem_naming_file_line_and_key(
    capsys: pytest.CaptureFixture[str], isolated_dirs: dict[str, Path]
) -> None:
    path = managed_file(isolated_dirs["site"], "[reminders]\nsitting_limit = 45\n")
    code, report = doctor_json(capsys)
    assert code == 1 and report["ok"] is False
    assert report["summary"] == f"1 problem: the managed configuration {path} is invalid"
    (source,) = sources(report, "managed")
    assert (source["path"], source["state"]) == (str(path), "invalid")
    assert f"{path}, line 2" in source["problem"] and LIMIT in source["problem"]
    assert report["configuration"]["problems"] == report["problems"]


def test_a_missing_user_file_is_no_problem_but_a_bad_one_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = paths.user_config_file()
    user.parent.mkdir(parents=True)
    user.write_text('[reminders]\nsitting_limit = "45m"\nsiting = 3\n')
    code, report = doctor_json(capsys)
    assert code == 1
    (source,) = sources(report, "user")
    assert source["state"] == "invalid" and "unknown key" in source["problem"]
    assert report["summary"] == f"1 problem: your configuration file {user} is invalid"


def test_locks_are_listed_with_what_locks_them_and_are_no_problem(
    capsys: pytest.CaptureFixture[str], isolated_dirs: dict[str, Path]
) -> None:
    path = managed_file(
        isolated_dirs["site"],
        '[reminders]\nsitting_limit = "40m"\n[managed]\nlocked = ["reminders.sitting_limit"]\n',
    )
    user = paths.user_config_file()
    user.parent.mkdir(parents=True)
    user.write_text('[reminders]\nsitting_limit = "90m"\n')
    code, report = doctor_json(capsys)
    assert (code, report["locks"]) == (0, {LIMIT: str(path)})
    assert report["configuration"]["warnings"] == [
        f"{user}: '{LIMIT}' is locked by your organisation in {path}; your value is ignored"
    ]


@pytest.fixture
def share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "mnt" / "it" / "sitting-reminder"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(
        '[reminders]\nsitting_limit = "42m"\n[managed]\nlocked = ["reminders.sitting_limit"]\n'
    )
    monkeypatch.setenv(paths.MANAGED_ENV, str(folder))
    return folder


def test_a_share_off_the_vpn_is_read_from_its_copy_and_says_how_old(
    capsys: pytest.CaptureFixture[str], share: Path
) -> None:
    """The copy was saved by a read three days ago (the one clock stand-in); doctor then
    runs on today's clock and must not refresh or drop the copy."""
    three_days_ago = datetime.now(timezone.utc) - timedelta(days=3, minutes=30)
    cache = ManagedCache(paths.managed_cache_dir())
    load_configuration(platform=Platform(cache=cache, clock=lambda: three_days_ago))
    share.rename(share.with_name("offline"))
    copies = every_file(paths.managed_cache_dir())

    code, report = doctor_json(capsys)
    assert every_file(paths.managed_cache_dir()) == copies
    assert code == 1
    assert report["summary"] == (
        f"1 problem: the managed configuration {share} is read from a cached copy (3 days old)"
    )
    (source,) = [s for s in sources(report, "managed") if s["managed_source"] == str(share)]
    assert source["state"] == "cached" and source["path"] == str(share / "config.toml")
    assert 3 * 86400 <= source["age_s"] < 3 * 86400 + 3600
    assert source["detail"].startswith(
        f"managed configuration from cache, 3 days old: {share} unreachable"
    )
    assert report["configuration"]["notes"] == [source["detail"]]
    assert report["locks"] == {LIMIT: f"cached copy of {share / 'config.toml'} (read 3 days ago)"}


def test_a_reachable_share_is_read_and_doctor_keeps_no_copy(
    capsys: pytest.CaptureFixture[str], share: Path
) -> None:
    code, report = doctor_json(capsys)
    assert code == 0
    (source,) = [s for s in sources(report, "managed") if s["managed_source"] == str(share)]
    assert source["state"] == "read"
    assert not paths.managed_cache_dir().exists()  # the service keeps copies, not doctor


def test_a_share_never_read_here_and_out_of_reach_is_a_problem(
    capsys: pytest.CaptureFixture[str], share: Path
) -> None:
    share.rename(share.with_name("offline"))
    code, report = doctor_json(capsys)
    assert code == 1
    (source,) = [s for s in sources(report, "managed") if s["managed_source"] == str(share)]
    assert source["state"] == "missing"
    assert "no earlier copy is cached on this computer" in source["problem"]
    assert report["summary"].startswith(
        f"1 problem: the managed configuration {share} cannot be read ("
    )


def test_group_policy_keys_each_with_their_state(tmp_path: Path) -> None:
    """No Windows here: the registry is tests/fake_winreg.py, given through `Platform`."""
    registry = FakeWinReg()
    policies = r"Software\Policies\SittingReminder"
    registry.set_value("HKLM", policies, "SittingLimit", REG_SZ, "45m")
    registry.set_value("HKCU", rf"{policies}\Recommended", "RepeatEvery", REG_SZ, "ten minutes")
    platform = Platform(registry=registry, cache=ManagedCache(tmp_path / "cache"))
    report: dict[str, Any] = report_json(doctor_report(platform=platform))
    keys = {
        source["path"]: source["state"]
        for source in report["configuration"]["sources"]
        if source["channel"] == "registry"
    }
    assert keys == {
        rf"HKCU\{policies}": "read",  # empty: the parent of the Recommended key set below it
        rf"HKLM\{policies}": "read",
        rf"HKCU\{policies}\Recommended": "invalid",
        rf"HKLM\{policies}\Recommended": "missing",
    }
    assert report["locks"] == {LIMIT: rf"Group Policy (HKLM\{policies}\SittingLimit)"}
    assert report["problems"] == [rf"the Group Policy key HKCU\{policies}\Recommended is invalid"]


def test_macos_managed_preferences_per_machine_and_per_user(tmp_path: Path) -> None:
    """No macOS here: a temporary folder stands in for /Library/Managed Preferences."""
    folder = tmp_path / "Managed Preferences"
    folder.mkdir()
    machine = folder / "org.sitting-reminder.plist"
    machine.write_bytes(plistlib.dumps({"SittingLimit": "40m"}))
    platform = Platform(managed_preferences=folder, user_name="alice")
    report: dict[str, Any] = report_json(doctor_report(platform=platform))
    profiles = [
        (source["path"], source["state"])
        for source in report["configuration"]["sources"]
        if source["channel"] == "managed-preferences"
    ]
    assert profiles == [
        (str(machine), "read"),
        (str(folder / "alice" / "org.sitting-reminder.plist"), "missing"),
    ]
    assert report["locks"] == {LIMIT: f"managed profile ({machine}: SittingLimit)"}
    assert report["ok"] is True


# ------------------------------------------------------------------ autostart


def write_system_entry(site: Path, *, hidden: bool) -> Path:
    entry = site / "autostart" / "sitting-reminder.desktop"
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(
        "[Desktop Entry]\nType=Application\nName=Sitting Reminder\n"
        f"Exec=/usr/bin/sitting-reminder run\nHidden={'true' if hidden else 'false'}\n"
    )
    return entry


def test_a_system_entry_switched_off_with_hidden_starts_nothing(
    capsys: pytest.CaptureFixture[str], isolated_dirs: dict[str, Path]
) -> None:
    entry = write_system_entry(isolated_dirs["site"], hidden=True)
    assert main(["autostart", "status"]) == 0
    assert capsys.readouterr().out.strip() == f"disabled for all users by {entry} (Hidden=true)"
    code, report = doctor_json(capsys)
    assert code == 0
    assert (report["autostart"]["enabled"], report["autostart"]["entry"]) == (False, str(entry))


def test_autostart_on_without_a_desktop_expects_no_service(
    capsys: pytest.CaptureFixture[str], isolated_dirs: dict[str, Path]
) -> None:
    entry = write_system_entry(isolated_dirs["site"], hidden=False)
    code, report = doctor_json(capsys)
    assert (code, report["autostart"]["enabled"]) == (0, True)
    assert report["autostart"]["message"] == f"enabled for all users by {entry}"
    assert report["service"]["running"] is False and report["service"]["problems"] == []
    main(["doctor"])
    assert "not running (no desktop session here)" in capsys.readouterr().out


def test_an_entry_that_cannot_be_read_fails_its_section_not_the_report(
    capsys: pytest.CaptureFixture[str], isolated_dirs: dict[str, Path]
) -> None:
    """A folder where the user's desktop entry should be: reading it fails for real."""
    blocked = isolated_dirs["config"] / "autostart" / "sitting-reminder.desktop"
    blocked.mkdir(parents=True)
    code, report = doctor_json(capsys)
    assert code == 1
    failure = report["autostart"]["failure"]
    assert failure.startswith("RuntimeFailure: cannot read ") and "Is a directory" in failure
    assert report["problems"] == [f"the autostart check failed: {failure}"]
    assert report["configuration"]["failure"] is None  # every other section still there


# ------------------------------------------------------------------ files


def test_a_state_folder_in_the_way_makes_every_file_unwritable(
    capsys: pytest.CaptureFixture[str], isolated_dirs: dict[str, Path]
) -> None:
    (isolated_dirs["state"] / "sitting-reminder").write_text("not a folder")
    code, report = doctor_json(capsys)
    assert code == 1
    for role in ("state", "history", "log"):
        assert report["files"][role]["writable"] is False
        assert "(not a folder)" in report["files"][role]["problem"]
    assert report["summary"].startswith("3 problems: the state file is not writable: ")
    assert "; the history is not writable: " in report["summary"]


MOUNT = "/usr/bin/mount"


@pytest.fixture
def read_only_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """XDG_STATE_HOME on a real tmpfs holding a history, then remounted read-only (root
    ignores permission bits, not a read-only file system)."""
    folder = tmp_path / "state-fs"
    folder.mkdir()
    done = subprocess.run(
        [MOUNT, "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    if done.returncode != 0:
        reason = f"cannot mount a tmpfs for this test: {done.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run it, but {reason}")
        pytest.skip(reason)
    try:
        monkeypatch.setenv("XDG_STATE_HOME", str(folder))
        History(paths.history_file()).close()
        subprocess.run([MOUNT, "-o", "remount,ro", str(folder)], check=True, timeout=10)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, timeout=10)


def test_a_read_only_state_folder_is_named_and_the_history_still_reads(
    capsys: pytest.CaptureFixture[str], read_only_state: Path
) -> None:
    code, report = doctor_json(capsys)
    assert code == 1
    history = report["files"]["history"]
    assert (history["exists"], history["writable"]) == (True, False)
    assert "Read-only file system" in history["problem"]
    assert "the history is not writable (" in report["summary"]
    assert report["summary"].startswith("3 problems: the state file is not writable (")
    assert report["files"]["cache"]["writable"] is True  # another folder, still fine


def test_a_corrupt_history_is_reported_and_left_where_it_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    history = paths.history_file()
    history.parent.mkdir(parents=True)
    history.write_bytes(b"this is no database\n" * 300)
    code, report = doctor_json(capsys)
    assert code == 1
    assert report["files"]["history"]["problem"] == "cannot be read (file is not a database)"
    assert report["summary"] == "1 problem: the history cannot be read (file is not a database)"
    assert history.read_bytes() == b"this is no database\n" * 300  # not moved aside


# ------------------------------------------------------------------ the service


def test_a_running_service_is_reported_and_a_bad_edit_while_it_runs_is_a_problem(
    capsys: pytest.CaptureFixture[str], isolated_dirs: dict[str, Path]
) -> None:
    user = write_fast_config(isolated_dirs["config"], sitting_limit="45m")
    service = ServiceProcess(headless_env(), "--no-tray").start()
    try:
        service.wait_for_status("the service to answer", lambda status: True, 30)
        code, report = doctor_json(capsys)
        assert code == 0, report["problems"]
        running = report["service"]
        assert (running["running"], running["pid"], running["version"]) == (
            True,
            service.pid,
            __version__,
        )
        assert running["state"] in {"sitting", "on_break"}
        assert running["activity_detection"] == "unavailable"  # no desktop: no problem
        assert running["notifier"] == "console"

        user.write_text(user.read_text().replace('sitting_limit = "45m"', "sitting_limit = 45"))
        service.wait_for_status("the bad edit", lambda status: bool(status["config_warning"]), 30)
        code, report = doctor_json(capsys)
        assert code == 1
        assert report["problems"] == [
            f"your configuration file {user} is invalid",
            "the running service keeps its last good configuration: a file is bad",
        ]
        assert str(user) in report["service"]["config_warning"]
    finally:
        assert service.stop() == 0, service.lines


def test_a_service_that_never_answers_costs_its_timeout_not_the_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A real socket at the control endpoint that takes the connection and says nothing."""
    endpoint = paths.control_endpoint()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(endpoint)
        listener.listen(1)
        started = time.monotonic()
        code, report = doctor_json(capsys)
        took = time.monotonic() - started
    assert SERVICE_TIMEOUT_S <= took < SERVICE_TIMEOUT_S + 3
    assert code == 1
    assert report["service"]["error"] == (
        f"the service at {endpoint} gave no answer in {SERVICE_TIMEOUT_S:g}s"
    )
    assert report["summary"] == (
        f"1 problem: the service cannot be asked (the service at {endpoint} gave no answer in "
        f"{SERVICE_TIMEOUT_S:g}s)"
    )
    assert report["configuration"]["sources"]  # the rest of the report is all there
