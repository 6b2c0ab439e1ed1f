"""A full disk and a busy folder: one clear line, never a traceback, never a feedback loop.

The full disk is a real 192 KiB tmpfs filled up (root mounts it; tests run as root here
and in CI). The watcher tests use the real inotify of this kernel.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from test_history import fill_up, small_tmpfs

from reminder.service.config_watch import ConfigWatcher, folders_to_watch

__all__ = ["small_tmpfs"]  # the fixture, imported for pytest


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reminder", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_interval_on_a_full_disk_says_so_in_one_line(small_tmpfs: Path) -> None:
    config = small_tmpfs / "config"
    (config / "sitting-reminder").mkdir(parents=True)
    mine = config / "sitting-reminder" / "config.toml"
    mine.write_text('[reminders]\nsitting_limit = "40m"\n')
    fill_up(small_tmpfs)
    done = run_cli("interval", "30m", env={**os.environ, "XDG_CONFIG_HOME": str(config)})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"could not write {mine}: No space left on device; it is unchanged" in done.stderr
    assert mine.read_text() == '[reminders]\nsitting_limit = "40m"\n'


def test_a_full_log_disk_is_said_once_not_as_tracebacks(small_tmpfs: Path) -> None:
    state = small_tmpfs / "state"
    (state / "sitting-reminder" / "log").mkdir(parents=True)
    fill_up(small_tmpfs)
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    env.pop("DISPLAY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "reminder", "run", "-v"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out, _ = proc.communicate(timeout=4)
    except subprocess.TimeoutExpired:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "--- Logging error ---" not in out and "Traceback" not in out, out
    assert out.count("cannot write the log") == 1, out
    assert "No space left on device" in out


def test_the_watcher_ignores_other_files_in_an_ancestor_folder(tmp_path: Path) -> None:
    """A managed folder that does not exist yet is covered by watching its parent: a log
    written in that parent must not wake the engine (it did, in a loop, when the log was
    the service's own output)."""
    missing = tmp_path / "site" / "sitting-reminder"
    assert folders_to_watch([missing / "config.toml"]) == {tmp_path: {"site"}}

    async def scenario() -> list[str]:
        seen: list[str] = []
        watcher = ConfigWatcher(lambda: seen.append("changed"))
        assert watcher.start([missing / "config.toml", missing]) == "inotify"
        try:
            (tmp_path / "service.log").write_text("a line the service wrote\n")
            await asyncio.sleep(0.5)
            before = list(seen)
            missing.mkdir(parents=True)
            await asyncio.sleep(0.5)
            (missing / "config.toml").write_text('[reminders]\nsitting_limit = "20m"\n')
            await asyncio.sleep(0.5)
            return [*before, "|", *seen]
        finally:
            watcher.close()

    events = asyncio.run(scenario())
    before = events[: events.index("|")]
    after = events[events.index("|") + 1 :]
    assert before == []  # the log in the ancestor woke nobody
    assert after  # the new folder and the file in it did
