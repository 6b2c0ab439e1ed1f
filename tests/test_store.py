"""state.json survives crashes and garbage; the log file is set up once, where the docs say.

Real files in the test's XDG folders. The only stand-in is a failing
`os.replace`, which plays a crash between writing the temp file and renaming it.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from reminder import paths
from reminder.atomic import write_json_atomically
from reminder.logsetup import setup_logging
from reminder.store.state_file import load_state

SNOOZED = {"version": 1, "snoozed_until": "2026-11-25T14:20:00+00:00", "spell_start": None}


def test_written_state_reads_back_identical() -> None:
    path = paths.state_file()
    write_json_atomically(path, SNOOZED)
    assert load_state(path) == SNOOZED


def test_the_state_file_is_user_only_and_leaves_no_temp_files() -> None:
    path = paths.state_file()
    write_json_atomically(path, SNOOZED)
    write_json_atomically(path, {**SNOOZED, "snoozed_until": None})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.json"]


def test_a_missing_state_file_means_a_fresh_start_without_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert load_state(paths.state_file()) is None
    assert caplog.records == []


def test_a_crash_before_the_rename_keeps_the_old_state(monkeypatch: pytest.MonkeyPatch) -> None:
    path = paths.state_file()
    write_json_atomically(path, SNOOZED)

    def crash(src: object, dst: object) -> None:
        raise OSError(5, "simulated crash between write and rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        write_json_atomically(path, {"version": 1, "paused_until": "2026-11-26T09:00:00+00:00"})
    monkeypatch.undo()
    assert load_state(path) == SNOOZED
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.json"]


def test_unserialisable_state_is_refused_and_the_old_file_kept() -> None:
    path = paths.state_file()
    write_json_atomically(path, SNOOZED)
    with pytest.raises(TypeError):
        write_json_atomically(path, {"when": object()})
    assert load_state(path) == SNOOZED


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (b'{"snoozed_until": "2026-11-25T14:2', "not valid JSON"),
        (b"\x00\x01garbage\xff", "not UTF-8"),
        (b'["a", "list"]', "holds a JSON list"),
        (b"", "not valid JSON"),
    ],
    ids=["truncated", "binary", "not-an-object", "empty"],
)
def test_a_bad_state_file_is_moved_aside_with_a_warning(
    content: bytes, complaint: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = paths.state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING):
        assert load_state(path) is None
    moved = [p for p in path.parent.iterdir() if p.name.startswith("state.json.corrupt-")]
    assert len(moved) == 1
    assert moved[0].read_bytes() == content
    assert not path.exists()
    assert complaint in caplog.text
    assert str(moved[0]) in caplog.text
    # and the next save starts a good file again
    write_json_atomically(path, SNOOZED)
    assert load_state(path) == SNOOZED


def test_an_unreadable_state_path_is_moved_aside() -> None:
    path = paths.state_file()
    (path / "oops").mkdir(parents=True)  # a folder where the file should be
    assert load_state(path) is None
    assert not path.exists()
    assert any(p.name.startswith("state.json.corrupt-") for p in path.parent.iterdir())


def test_two_bad_files_in_the_same_second_are_both_kept() -> None:
    path = paths.state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    for garbage in (b"first", b"second"):
        path.write_bytes(garbage)
        assert load_state(path) is None
    kept = sorted(p.read_bytes() for p in path.parent.glob("state.json.corrupt-*"))
    assert kept == [b"first", b"second"]


def test_state_written_is_plain_readable_json() -> None:
    path = paths.state_file()
    write_json_atomically(path, SNOOZED)
    assert json.loads(path.read_text(encoding="utf-8")) == SNOOZED


# ------------------------------------------------------------------ the log


@pytest.fixture
def clean_root_logger() -> Iterator[logging.Logger]:
    """Leave the root logger as it was (setup_logging configures it globally)."""
    root = logging.getLogger()
    before_handlers = list(root.handlers)
    before_level = root.level
    yield root
    for handler in list(root.handlers):
        if handler not in before_handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(before_level)


def test_the_log_goes_to_the_documented_file(
    clean_root_logger: logging.Logger, isolated_dirs: dict[str, Path]
) -> None:
    log_path = setup_logging(0, console=False)
    logging.getLogger("reminder.test").info("prompt shown")
    logging.getLogger("reminder.test").debug("detail only with -v")
    for handler in clean_root_logger.handlers:
        handler.flush()
    assert log_path == paths.log_file()
    assert log_path.name == "sitting-reminder.log"
    text = log_path.read_text(encoding="utf-8")
    assert "prompt shown" in text
    assert "detail only with -v" not in text


def test_verbose_logs_debug_and_calling_twice_adds_no_second_handler(
    clean_root_logger: logging.Logger,
) -> None:
    before = len(clean_root_logger.handlers)
    setup_logging(0)
    log_path = setup_logging(1)
    assert len(clean_root_logger.handlers) == before + 2  # one file, one console
    logging.getLogger("reminder.test").debug("now visible")
    for handler in clean_root_logger.handlers:
        handler.flush()
    assert log_path.read_text(encoding="utf-8").count("now visible") == 1


def test_the_console_shows_warnings_but_not_info_by_default(
    clean_root_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging(0)
    logging.getLogger("reminder.test").info("quiet detail")
    logging.getLogger("reminder.test").warning("state.json was corrupt")
    err = capsys.readouterr().err
    assert "state.json was corrupt" in err
    assert "quiet detail" not in err


def test_the_log_file_rotates_at_one_mebibyte_keeping_three(
    clean_root_logger: logging.Logger,
) -> None:
    log_path = setup_logging(0, console=False)
    line = "x" * 1000
    for _ in range(5 * 1100):  # about 5.5 MiB
        logging.getLogger("reminder.test").info(line)
    kept = sorted(p.name for p in log_path.parent.iterdir())
    assert kept == [
        "sitting-reminder.log",
        "sitting-reminder.log.1",
        "sitting-reminder.log.2",
        "sitting-reminder.log.3",
    ]
    assert all(p.stat().st_size <= 1024 * 1024 for p in log_path.parent.iterdir())
