"""A managed share that cannot be reached: the last good copy keeps reminders and locks.

The share is a folder in a temporary directory; "off the VPN" is that folder
moved away (as an unmounted share looks: its path is missing, or its mount point
is empty). The loader tests pass a clock so that a copy can be days old; the
service tests run the real `sitting-reminder run --no-tray` and the real CLI.
One stand-in: a site folder on a host that is down (EHOSTDOWN) cannot be made
here, so that one test makes os.stat and os.open answer as such a folder does.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from service_proc import DAYS, WHOLE_DAY, ServiceProcess, headless_env

from reminder import paths
from reminder.configuration.cache import ManagedCache
from reminder.configuration.loader import Platform, load_configuration
from reminder.errors import ConfigError

LIMIT = "reminders.sitting_limit"
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


def managed_text(limit: str, *, fast: bool = False) -> str:
    text = f'[reminders]\nsitting_limit = "{limit}"\n'
    if fast:  # all day, sampled every second: the service reloads within a second or two
        hours = "\n".join(f"{day} = {WHOLE_DAY}" for day in DAYS)
        text += '[activity]\ncheck_every = "1s"\n[schedule]\ntimezone = "UTC"\n'
        text += f"[schedule.work_hours]\n{hours}\n"
    return text + '[managed]\nlocked = ["reminders.sitting_limit"]\n'


@pytest.fixture
def share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "mnt" / "it" / "sitting-reminder"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(managed_text("42m"))
    monkeypatch.setenv(paths.MANAGED_ENV, str(folder))
    return folder


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def platform(clock: Clock) -> Platform:
    return Platform(cache=ManagedCache(paths.managed_cache_dir()), clock=clock)


def off_the_vpn(share: Path) -> Path:
    """The share's path is gone (an unmounted share); returns where it went."""
    away = share.with_name("offline")
    share.rename(away)
    return away


# ----------------------------------------------------------------- loader


def test_a_good_read_is_kept_privately(share: Path, platform: Platform) -> None:
    load_configuration(platform=platform)
    (copy,) = paths.managed_cache_dir().iterdir()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    saved = json.loads(copy.read_text())
    assert saved["source"] == str(share)
    assert saved["files"] == [{"path": str(share / "config.toml"), "text": managed_text("42m")}]


def test_off_the_vpn_the_copy_applies_with_its_lock_and_says_how_old(
    share: Path, platform: Platform, clock: Clock
) -> None:
    load_configuration(platform=platform)
    off_the_vpn(share)
    clock.now = T0 + timedelta(days=3, hours=2)
    loaded = load_configuration(platform=platform)
    assert loaded.raw[LIMIT] == "42m"
    origin = f"cached copy of {share / 'config.toml'} (read 3 days ago)"
    assert loaded.origins[LIMIT] == origin
    assert loaded.locked_by(LIMIT) == origin
    note = f"managed configuration from cache, 3 days old: {share} unreachable"
    assert len(loaded.notes) == 1 and loaded.notes[0].startswith(note)
    assert loaded.notes[0] in loaded.warnings  # logged by whoever logs warnings


def test_a_share_that_comes_back_is_used_again(
    share: Path, platform: Platform, clock: Clock
) -> None:
    load_configuration(platform=platform)
    away = off_the_vpn(share)
    assert load_configuration(platform=platform).notes
    away.rename(share)
    (share / "config.toml").write_text(managed_text("38m"))
    clock.now += timedelta(hours=2)
    loaded = load_configuration(platform=platform)
    assert loaded.raw[LIMIT] == "38m"
    assert loaded.origins[LIMIT] == str(share / "config.toml")
    assert loaded.notes == ()
    off_the_vpn(share)
    assert load_configuration(platform=platform).raw[LIMIT] == "38m"  # the newer copy


def test_every_file_of_the_share_is_restored_in_order(share: Path, platform: Platform) -> None:
    (share / "config.d").mkdir()
    (share / "config.d" / "50-floor.toml").write_text('[reminders]\nsitting_limit = "39m"\n')
    assert load_configuration(platform=platform).raw[LIMIT] == "39m"
    off_the_vpn(share)
    loaded = load_configuration(platform=platform)
    assert loaded.raw[LIMIT] == "39m"  # the drop-in still wins over config.toml
    assert loaded.origins[LIMIT].startswith(
        f"cached copy of {share / 'config.d' / '50-floor.toml'}"
    )
    assert len(loaded.notes) == 1  # one note for the share, not one per file


def test_an_empty_mount_point_counts_as_unreachable(share: Path, platform: Platform) -> None:
    """An unmounted share often leaves its mount point behind, empty."""
    load_configuration(platform=platform)
    (share / "config.toml").unlink()
    loaded = load_configuration(platform=platform)
    assert loaded.raw[LIMIT] == "42m"
    assert "holds no *.toml files" in loaded.notes[0]


def test_a_share_that_can_be_read_and_is_wrong_stops_and_keeps_the_copy(
    share: Path, platform: Platform
) -> None:
    load_configuration(platform=platform)
    (share / "config.toml").write_text('[reminders]\nsitting_limit = "soon"\n')
    with pytest.raises(ConfigError) as caught:
        load_configuration(platform=platform)
    assert str(share / "config.toml") in str(caught.value)
    assert "cache" not in str(caught.value)
    off_the_vpn(share)  # the copy is still the last good one
    assert load_configuration(platform=platform).raw[LIMIT] == "42m"


def test_never_read_and_unreachable_is_an_error_that_says_there_is_no_copy(
    share: Path, platform: Platform
) -> None:
    off_the_vpn(share)
    with pytest.raises(ConfigError) as caught:
        load_configuration(platform=platform)
    message = str(caught.value)
    assert str(share) in message and "does not exist" in message
    assert "no earlier copy is cached on this computer" in message


def test_a_single_share_file_is_kept_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: Platform
) -> None:
    office = tmp_path / "share" / "office.toml"
    office.parent.mkdir()
    office.write_text(managed_text("44m"))
    monkeypatch.setenv(paths.MANAGED_ENV, str(office))
    load_configuration(platform=platform)
    office.unlink()
    loaded = load_configuration(platform=platform)
    assert loaded.raw[LIMIT] == "44m"
    assert loaded.origins[LIMIT].startswith(f"cached copy of {office} (read ")


def test_a_cache_that_cannot_be_written_costs_only_the_fallback(
    share: Path, tmp_path: Path, clock: Clock
) -> None:
    (share / "config.d").mkdir()
    (share / "config.d" / "50-floor.toml").write_text('[reminders]\nrepeat_every = "6m"\n')
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    loaded = load_configuration(
        platform=Platform(cache=ManagedCache(blocked / "managed"), clock=clock)
    )
    assert loaded.raw[LIMIT] == "42m" and loaded.raw["reminders.repeat_every"] == "6m"
    assert [layer.path for layer in loaded.layers if layer.kind == "managed"] == [
        share / "config.toml",
        share / "config.d" / "50-floor.toml",
    ]
    assert any(
        "cannot keep a copy" in warning and "its settings will be missing" in warning
        for warning in loaded.warnings
    )


def test_a_copy_todays_version_refuses_names_the_copy(share: Path, platform: Platform) -> None:
    """A copy saved by another version, with a key this one does not know."""
    load_configuration(platform=platform)
    (copy,) = paths.managed_cache_dir().iterdir()
    saved = json.loads(copy.read_text())
    saved["files"][0]["text"] = '[reminders]\nsitting_limt = "5m"\n'
    copy.write_text(json.dumps(saved))
    off_the_vpn(share)
    with pytest.raises(ConfigError) as caught:
        load_configuration(platform=platform)
    assert f"cached copy of {share / 'config.toml'}" in str(caught.value)
    assert "sitting_limt" in str(caught.value)


def test_a_site_folder_no_longer_there_drops_its_copy(
    isolated_dirs: dict[str, Path], platform: Platform
) -> None:
    site = isolated_dirs["site"] / "sitting-reminder"
    site.mkdir()
    (site / "config.toml").write_text(managed_text("41m"))
    load_configuration(platform=platform)
    assert len(list(paths.managed_cache_dir().iterdir())) == 1
    (site / "config.toml").unlink()  # IT withdrew it: a local folder is not a share
    loaded = load_configuration(platform=platform)
    assert loaded.raw[LIMIT] == "50m" and loaded.notes == ()
    assert list(paths.managed_cache_dir().iterdir()) == []


def test_a_site_folder_on_a_host_that_is_down_uses_its_copy(
    isolated_dirs: dict[str, Path], platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stand-in: os.stat and os.open answer for the folder as for a share whose host is
    down (EHOSTDOWN), which this machine cannot produce for real."""
    site = isolated_dirs["site"] / "sitting-reminder"
    site.mkdir()
    (site / "config.toml").write_text(managed_text("41m"))
    load_configuration(platform=platform)

    def down(real: Callable[..., Any]) -> Callable[..., Any]:
        def call(path: Any, *args: Any, **kwargs: Any) -> Any:
            if str(path).startswith(str(site)):
                raise OSError(errno.EHOSTDOWN, os.strerror(errno.EHOSTDOWN), str(path))
            return real(path, *args, **kwargs)

        return call

    monkeypatch.setattr(os, "stat", down(os.stat))
    monkeypatch.setattr(os, "open", down(os.open))
    loaded = load_configuration(platform=platform)
    assert loaded.raw[LIMIT] == "41m"
    assert loaded.notes[0].startswith(f"managed configuration from cache, 0 s old: {site}")
    assert os.strerror(errno.EHOSTDOWN) in loaded.notes[0]


# ----------------------------------------------------------- the service


def write_user_file(config_home: Path) -> None:
    folder = config_home / "sitting-reminder"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text('[reminders]\nsitting_limit = "20m"\n')  # locked away


@pytest.fixture
def fast_share(share: Path, isolated_dirs: dict[str, Path]) -> Path:
    (share / "config.toml").write_text(managed_text("7m", fast=True))
    write_user_file(isolated_dirs["config"])
    return share


def run_once(env: dict[str, str]) -> dict[str, Any]:
    service = ServiceProcess(env).start()
    status = service.wait_for_status("the service", lambda s: "sitting_limit_s" in s, 30)
    assert service.stop() == 0
    return status


def test_the_service_runs_off_the_vpn_with_the_cached_values_and_lock(
    fast_share: Path, isolated_dirs: dict[str, Path]
) -> None:
    env = headless_env()
    probe = ServiceProcess(env)
    shown = probe.cli("config", "show", "--origin")
    assert shown.returncode == 0, shown.stderr
    assert f"# {fast_share / 'config.toml'} (locked)" in shown.stdout
    assert run_once(env)["sitting_limit_s"] == 7 * 60

    away = off_the_vpn(fast_share)
    shown = probe.cli("config", "show", "--origin")
    assert shown.returncode == 0, shown.stderr
    assert f"cached copy of {fast_share / 'config.toml'}" in shown.stdout
    assert "managed configuration from cache" in shown.stderr

    service = ServiceProcess(env).start()
    status = service.wait_for_status("the service", lambda s: "sitting_limit_s" in s, 30)
    assert status["sitting_limit_s"] == 7 * 60  # the user's 20m stays locked away
    assert "cached copy of" in (status["interval_locked_by"] or "")
    refused = service.cli("interval", "30m")
    assert refused.returncode == 2 and "cached copy of" in refused.stderr
    log = paths.log_file().read_text(encoding="utf-8")
    note = rf"WARNING .*managed configuration from cache, \d+ s old: {re.escape(str(fast_share))} "
    assert re.search(note + "unreachable", log), log

    away.rename(fast_share)  # back on the VPN, with a new value
    (fast_share / "config.toml").write_text(managed_text("8m", fast=True))
    status = service.wait_for_status(
        "the share's new value", lambda s: s["sitting_limit_s"] == 8 * 60, 30
    )
    assert status["interval_locked_by"] == str(fast_share / "config.toml")
    assert service.stop() == 0
    assert "Traceback" not in "\n".join(service.lines)


def test_status_says_the_configuration_comes_from_the_cache(fast_share: Path) -> None:
    env = headless_env()
    run_once(env)
    off_the_vpn(fast_share)
    service = ServiceProcess(env).start()
    try:
        status = service.wait_for_status("the service", lambda s: "config_notes" in s, 30)
        assert any("managed configuration from cache" in n for n in status["config_notes"])
        plain = service.cli("status")
        assert "note: managed configuration from cache" in plain.stdout
    finally:
        service.stop()


def test_a_share_that_is_wrong_stops_the_service_visibly(fast_share: Path) -> None:
    env = headless_env()
    run_once(env)
    (fast_share / "config.toml").write_text('[reminders]\nsitting_limit = "soon"\n')
    service = ServiceProcess(env).start()
    assert service.proc is not None
    assert service.proc.wait(30) == 2
    assert service.stop() == 2  # closes its output
    output = "\n".join(service.lines)
    assert str(fast_share / "config.toml") in output and "reminders.sitting_limit" in output
    assert "Traceback" not in output
