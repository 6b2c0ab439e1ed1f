"""Bad input meets a clear refusal: every value the CLI writes passes the loader's own check,
every duration has a bound, and `config validate` reports every problem, never hangs.

Each test here failed on the main of 2026-11-29 (the honesty issue's reproductions).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reminder.cli import build_parser, main
from reminder.configuration import load_configuration
from reminder.configuration.keys import KEYS, Kind
from reminder.configuration.values import local_zone

APP = "sitting-reminder"


def user_file(dirs: dict[str, Path]) -> Path:
    return dirs["config"] / APP / "config.toml"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reminder", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )


# ------------------------------------------------ what the CLI writes


@pytest.mark.parametrize("value", ["0s", "0m", "99999999h", "1000000000000h", "13h"])
def test_interval_refuses_what_the_loader_would_refuse_and_leaves_the_file_alone(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str], value: str
) -> None:
    mine = write(user_file(isolated_dirs), '# my notes\n[reminders]\nsitting_limit = "40m"\n')
    before = mine.read_bytes()
    assert main(["interval", value]) == 2
    err = capsys.readouterr().err
    assert "reminders.sitting_limit" in err and "Traceback" not in err
    assert mine.read_bytes() == before
    assert load_configuration().config.reminders.sitting_limit.total_seconds() == 40 * 60


def test_interval_writes_a_value_the_next_start_accepts(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    mine = write(user_file(isolated_dirs), '# my notes\n[reminders]\nsitting_limit = "40m"\n')
    assert main(["interval", "1h30m"]) == 0
    assert "sitting limit set to 1 hour 30 min" in capsys.readouterr().out
    assert mine.read_text().startswith("# my notes\n")
    assert load_configuration().config.reminders.sitting_limit.total_seconds() == 90 * 60


@pytest.mark.parametrize("value", ["0s", "1000000000000h", "13h", "soon"])
def test_snooze_refuses_a_length_no_snooze_option_could_have(
    capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """Checked before any service is asked: today 0s silently became the default 10 min."""
    assert main(["snooze", value]) == 2
    err = capsys.readouterr().err
    assert "cannot snooze for that" in err and "Traceback" not in err


# ------------------------------------------------ every duration has a bound


@pytest.mark.parametrize(
    "key", [name for name, key in KEYS.items() if key.kind in (Kind.DURATION, Kind.DURATIONS)]
)
@pytest.mark.parametrize("value", ["99999999h", "1000000000000h"])
def test_every_duration_key_refuses_absurd_lengths_with_the_usual_message(
    isolated_dirs: dict[str, Path], key: str, value: str
) -> None:
    table, _, leaf = key.rpartition(".")
    literal = f'["{value}"]' if KEYS[key].kind is Kind.DURATIONS else f'"{value}"'
    mine = write(user_file(isolated_dirs), f"[{table}]\n{leaf} = {literal}\n")
    result = run_cli("config", "validate")
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert f"{mine}, line 2: key '{key}': invalid value." in result.stderr
    assert "at most" in result.stderr or "far too long" in result.stderr


def test_default_toml_states_each_duration_range() -> None:
    text = (Path(__file__).parents[1] / "config" / "default.toml").read_text()
    for key in KEYS.values():
        if key.kind in (Kind.DURATION, Kind.DURATIONS):
            assert key.maximum is not None
            assert f"to {key.maximum.total_seconds() // 3600:.0f}h" in key.description or (
                f"to {key.maximum.total_seconds() // 60:.0f}m" in key.description
            ), key.name
            assert key.description.split(". ")[-1].rstrip(".") in " ".join(text.split())


# ------------------------------------------------ validation gaps


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("[schedule]\ndays_off = [2026-12-25T10:00:00]\n", "schedule.days_off", "without a time"),
        ('[schedule]\ndays_off = ["20261225"]\n', "schedule.days_off", "ISO dates"),
        ('[schedule.work_hours]\nmonday = ["09:00-09:00"]\n', "monday", "empty range"),
        ('[stretches]\nonly = ["sitting"]\n', "stretches.only", '"seated"'),
    ],
    ids=["datetime-day-off", "compact-date", "empty-range", "unknown-tag"],
)
def test_values_that_would_be_silently_ignored_are_refused(
    isolated_dirs: dict[str, Path], text: str, key: str, expected: str
) -> None:
    write(user_file(isolated_dirs), text)
    result = run_cli("config", "validate")
    assert result.returncode == 2
    assert key in result.stderr and expected in result.stderr


def test_a_key_set_twice_is_named_with_the_line_of_its_first_setting(
    isolated_dirs: dict[str, Path],
) -> None:
    write(user_file(isolated_dirs), '[reminders]\nsitting_limit = "5m"\nsitting_limit = "6m"\n')
    result = run_cli("config", "validate")
    assert result.returncode == 2
    assert "key 'reminders.sitting_limit': this key is set twice (first on line 2)" in (
        result.stderr
    )


def test_a_byte_order_mark_from_notepad_is_accepted(isolated_dirs: dict[str, Path]) -> None:
    write(user_file(isolated_dirs), b'\xef\xbb\xbf[reminders]\nsitting_limit = "35m"\n')
    assert load_configuration().config.reminders.sitting_limit.total_seconds() == 35 * 60


def test_a_huge_value_is_not_echoed_whole(isolated_dirs: dict[str, Path]) -> None:
    write(user_file(isolated_dirs), '[reminders]\nsitting_limit = "' + "9" * 500_000 + 'x"\n')
    result = run_cli("config", "validate")
    assert result.returncode == 2
    assert len(result.stderr) < 1000
    assert "(500001 characters)" in result.stderr


def test_validate_checks_the_stretch_catalog_a_file_names(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    """`stretches.file = "/nonexistent.toml"` validated, then `run` exited 2."""
    draft = write(tmp_path / "draft.toml", '[stretches]\nfile = "/nonexistent.toml"\n')
    result = run_cli("config", "validate", str(draft))
    assert result.returncode == 2
    assert "/nonexistent.toml" in result.stderr


def test_a_fifo_is_refused_at_once_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    result = run_cli("config", "validate", str(fifo), timeout=10)
    assert result.returncode == 2
    assert "named pipe (FIFO)" in result.stderr


def test_validate_reports_every_problem_in_every_file_and_as_json(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "it"
    write(folder / "config.toml", '[reminders]\nsitting_limit = "0s"\nrepeat_every = "5"\n')
    write(folder / "config.d" / "50-office.toml", '[schedule]\ntimzone = "Europe/Berlin"\n')
    result = run_cli("config", "validate", str(folder))
    assert result.returncode == 2
    assert result.stderr.count(": error: ") == 3
    assert "3 problems in 2 file(s)" in result.stderr
    as_json = run_cli("config", "validate", "--json", str(folder))
    assert as_json.returncode == 2
    problems = json.loads(as_json.stdout)
    assert [(Path(p["file"]).name, p["line"], p["key"]) for p in problems] == [
        ("config.toml", 2, "reminders.sitting_limit"),
        ("config.toml", 3, "reminders.repeat_every"),
        ("50-office.toml", 2, "schedule.timzone"),
    ]
    assert all(set(p) == {"file", "line", "key", "expected", "found", "message"} for p in problems)


def test_validate_json_of_a_good_configuration_is_an_empty_list(
    isolated_dirs: dict[str, Path],
) -> None:
    result = run_cli("config", "validate", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == []


def test_tz_with_a_leading_colon_is_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", ":Asia/Tokyo")
    assert str(local_zone()) == "Asia/Tokyo"


# ------------------------------------------------ --help


def _subparsers(parser: object) -> dict[str, object]:
    import argparse

    assert isinstance(parser, argparse.ArgumentParser)
    for action in parser._actions:  # argparse has no public way to list subcommands
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_command_and_option_has_a_one_line_description() -> None:
    import argparse

    parser = build_parser()
    commands = _subparsers(parser)
    assert set(commands) >= {"run", "status", "snooze", "pause", "interval", "config", "plan"}
    pending: list[tuple[str, argparse.ArgumentParser]] = [
        (name, sub) for name, sub in commands.items() if isinstance(sub, argparse.ArgumentParser)
    ]
    while pending:
        name, sub = pending.pop()
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                pending += [(f"{name} {n}", p) for n, p in action.choices.items()]
                for choice in action._choices_actions:
                    assert choice.help, f"{name} {choice.dest} has no description"
                continue
            assert action.help, f"{name}: {action.option_strings or action.dest} has no help"


def test_help_lists_the_exit_codes_and_only_run_takes_verbose() -> None:
    result = run_cli("--help")
    assert "exit codes:" in result.stdout and "3  no running service" in result.stdout
    assert "--verbose" in run_cli("run", "--help").stdout
    status_help = run_cli("status", "--help").stdout
    assert "--verbose" not in status_help and "--config" not in status_help
    refused = run_cli("status", "-v")
    assert refused.returncode == 2 and "-v" in refused.stderr


def test_a_mistyped_command_suggests_the_nearest_one() -> None:
    result = run_cli("stauts")
    assert result.returncode == 2
    assert "unknown command 'stauts' (did you mean 'status'?)" in result.stderr
