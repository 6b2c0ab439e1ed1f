"""The configuration as an admin or user meets it on the command line.

Bad files are checked through real `python -m reminder` processes so that exit
codes and the absence of tracebacks are what a shell sees; the rest calls
`reminder.cli.main` in-process for speed.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from reminder.cli import main

APP = "sitting-reminder"


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def user_file(dirs: dict[str, Path]) -> Path:
    return dirs["config"] / APP / "config.toml"


def site_file(dirs: dict[str, Path]) -> Path:
    return dirs["site"] / APP / "config.toml"


LOCKED_40M = (
    '[reminders]\nsitting_limit = "40m"\n\n[managed]\nlocked = ["reminders.sitting_limit"]\n'
)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m reminder ARGS` with this test's XDG folders (set by the autouse fixture)."""
    return subprocess.run(
        [sys.executable, "-m", "reminder", *args],
        cwd=cwd,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# ------------------------------------------------------ ten kinds of bad file


@dataclass(frozen=True)
class BadFile:
    """A broken user file and what its error message must name."""

    content: str | bytes
    where: str  # the key, or "line N" when the parser gives a line
    expected: str  # a fragment of the expected form


BAD_FILES = {
    "syntax-error": BadFile(
        '[reminders]\nrepeat_every = "10m"\nsitting_limit = "50m\n', "line 3", "valid TOML"
    ),
    "typo-in-key": BadFile(
        '[reminders]\nsitting_limt = "50m"\n',
        "reminders.sitting_limt",
        'did you mean "reminders.sitting_limit"',
    ),
    "bare-number-duration": BadFile(
        "[reminders]\nsitting_limit = 50\n", "reminders.sitting_limit", '"45m"'
    ),
    "reversed-range": BadFile(
        '[schedule.work_hours]\nmonday = ["17:00-09:00"]\n',
        "schedule.work_hours.monday",
        "end comes after its start",
    ),
    "overlapping-ranges": BadFile(
        '[schedule.work_hours]\nmonday = ["09:00-12:00", "11:30-13:00"]\n',
        "schedule.work_hours.monday",
        "do not overlap",
    ),
    "unknown-weekday": BadFile(
        '[schedule.work_hours]\nfunday = ["09:00-17:00"]\n',
        "schedule.work_hours.funday",
        "monday, tuesday",
    ),
    "bad-date": BadFile(
        '[schedule]\ndays_off = ["2026-02-30"]\n', "schedule.days_off", "YYYY-MM-DD"
    ),
    "unknown-timezone": BadFile(
        '[schedule]\ntimezone = "Mars/Olympus"\n', "schedule.timezone", '"Europe/Berlin"'
    ),
    "wrong-type": BadFile(
        '[notifications]\nquiet_when_fullscreen = "yes"\n',
        "notifications.quiet_when_fullscreen",
        "true or false",
    ),
    "managed-in-user-file": BadFile(
        '[managed]\nlocked = ["reminders.sitting_limit"]\n', "managed.locked", "managed file"
    ),
    # Unreadable: as root `chmod 000` does not stop reading, so the unreadable
    # file is one Windows Notepad writes all the time: UTF-16 with a byte-order
    # mark, which is not UTF-8 text however TOML-like it looks.
    "unreadable-utf16": BadFile(
        '[reminders]\nsitting_limit = "45m"\n'.encode("utf-16"), "not UTF-8", "saved as UTF-8"
    ),
}


@pytest.mark.parametrize("command", [["config", "validate"], ["plan"]], ids=["validate", "plan"])
@pytest.mark.parametrize("bad", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_user_file_gives_exit_2_and_one_clear_paragraph(
    isolated_dirs: dict[str, Path], tmp_path: Path, bad: BadFile, command: list[str]
) -> None:
    path = write(user_file(isolated_dirs), bad.content)
    result = run_cli(*command, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    message = result.stderr.strip()
    assert "Traceback" not in result.stderr
    assert "\n\n" not in message  # one paragraph
    assert message.startswith(f"{APP}: error: {path}")
    assert bad.where in message
    assert bad.expected in message
    assert result.stdout == ""


def test_user_file_that_is_a_folder_is_named_not_crashed_on(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    folder = user_file(isolated_dirs)
    folder.mkdir(parents=True)
    result = run_cli("config", "validate", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(folder) in result.stderr
    assert "folder" in result.stderr


def test_validating_the_user_file_by_name_still_rejects_managed(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Naming your own file does not let a `[managed]` table in it pass."""
    mine = write(user_file(isolated_dirs), '[managed]\nlocked = ["schedule.*"]\n')
    assert main(["config", "validate", str(mine)]) == 2
    assert "managed.locked" in capsys.readouterr().err


def test_admin_can_validate_a_managed_draft_before_deploying_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = write(tmp_path / "draft.toml", LOCKED_40M)
    assert main(["config", "validate", str(draft)]) == 0
    assert f"ok: {draft} (managed)" in capsys.readouterr().out


# ---------------------------------------------------- validate: good files


def test_sub_minute_values_are_accepted_with_a_warning(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    mine = write(user_file(isolated_dirs), '[reminders]\nsitting_limit = "30s"\n')
    assert main(["config", "validate"]) == 0
    out, err = capsys.readouterr()
    assert "configuration is valid" in out
    assert f"warning: {mine}: 'reminders.sitting_limit' is 30s, under a minute" in err


def test_valid_files_validate_quietly(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """90s, 1h30m and a whole-day range are fine and earn no warning."""
    mine = write(
        user_file(isolated_dirs),
        '[reminders]\nsitting_limit = "1h30m"\nrepeat_every = "90s"\n'
        '[schedule.work_hours]\nsaturday = ["00:00-24:00"]\n',
    )
    assert main(["config", "validate"]) == 0
    out, err = capsys.readouterr()
    assert f"ok: {mine} (user)" in out
    assert err == ""


# ------------------------------------------------------- show and origins


def test_show_origin_names_the_managed_file_and_the_lock(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    managed = write(site_file(isolated_dirs), LOCKED_40M)
    mine = write(
        user_file(isolated_dirs), '[reminders]\nsitting_limit = "20m"\nrepeat_every = "5m"\n'
    )
    assert main(["config", "show", "--origin"]) == 0
    out, err = capsys.readouterr()
    lines = {line.split(" =")[0]: line for line in out.splitlines() if " = " in line}
    assert lines["sitting_limit"].startswith('sitting_limit = "40m"')
    assert str(managed) in lines["sitting_limit"]
    assert "locked" in lines["sitting_limit"]
    assert lines["repeat_every"].startswith('repeat_every = "5m"')
    assert str(mine) in lines["repeat_every"]
    assert "locked" not in lines["repeat_every"]
    assert "built-in defaults" in lines["snooze_options"]
    assert "reminders.sitting_limit" in err and str(managed) in err  # the ignored 20m


def test_show_json_origin_says_value_origin_and_lock(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    managed = write(site_file(isolated_dirs), LOCKED_40M)
    mine = write(
        user_file(isolated_dirs), '[reminders]\nsitting_limit = "20m"\nrepeat_every = "5m"\n'
    )
    assert main(["config", "show", "--json", "--origin"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reminders.sitting_limit"] == {
        "value": "40m",
        "origin": str(managed),
        "locked_by": str(managed),
    }
    assert data["reminders.repeat_every"] == {"value": "5m", "origin": str(mine), "locked_by": None}
    assert data["schedule.work_hours.monday"]["origin"] == "built-in defaults"


def test_show_json_without_origin_is_plain_values(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reminders.sitting_limit"] == "50m"
    assert data["schedule.work_hours.tuesday"] == ["09:00-12:30", "13:30-17:30"]


# ----------------------------------------------------------------- interval


def test_interval_refused_when_locked_names_the_managed_file(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    managed = write(site_file(isolated_dirs), LOCKED_40M)
    before = '# my settings\n[reminders]\nsitting_limit = "20m"\n'
    mine = write(user_file(isolated_dirs), before)
    assert main(["interval", "30m"]) == 2
    err = capsys.readouterr().err
    assert "reminders.sitting_limit" in err
    assert str(managed) in err
    assert mine.read_text(encoding="utf-8") == before  # untouched


def test_interval_without_service_edits_user_file_keeping_comments(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """No service runs (no control socket): the value goes to the user file for the next start."""
    assert not any(isolated_dirs["runtime"].iterdir())
    mine = write(
        user_file(isolated_dirs),
        "# chosen with my physio\n[reminders]\n"
        'sitting_limit = "20m"  # short on purpose\nrepeat_every = "5m"\n',
    )
    assert main(["interval", "30m"]) == 0
    assert str(mine) in capsys.readouterr().out
    text = mine.read_text(encoding="utf-8")
    assert "# chosen with my physio" in text
    assert 'sitting_limit = "30m"  # short on purpose' in text
    assert 'repeat_every = "5m"' in text
    assert main(["config", "show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["reminders.sitting_limit"] == "30m"


def test_interval_creates_the_user_file_when_there_is_none(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["interval", "1h30m"]) == 0
    capsys.readouterr()
    assert main(["config", "show", "--json", "--origin"]) == 0
    entry = json.loads(capsys.readouterr().out)["reminders.sitting_limit"]
    assert entry["value"] == "1h30m"
    assert entry["origin"] == str(user_file(isolated_dirs))


def test_interval_creates_a_new_file_named_with_config(
    isolated_dirs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--config` names the user file; `interval` may start it, as it does the default one."""
    mine = tmp_path / "desk" / "reminder.toml"
    assert main(["interval", "40m", "--config", str(mine)]) == 0
    assert str(mine) in capsys.readouterr().out
    assert main(["config", "show", "--json", "--origin", "--config", str(mine)]) == 0
    entry = json.loads(capsys.readouterr().out)["reminders.sitting_limit"]
    assert entry == {"value": "40m", "origin": str(mine), "locked_by": None}


def test_other_commands_refuse_a_missing_config_file(
    isolated_dirs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.toml"
    assert main(["config", "show", "--config", str(missing)]) == 2
    assert f"{missing}: the file does not exist" in capsys.readouterr().err
    assert not missing.exists()


def test_interval_with_a_stale_socket_still_writes_the_file(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A socket file left by a crashed service counts as no service, not as an error."""
    stale = isolated_dirs["runtime"] / f"{APP}.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(stale))  # bound, never listening, then closed: refuses connections
    assert stale.exists()
    assert main(["interval", "25m"]) == 0
    assert "no service running" in capsys.readouterr().out
    assert 'sitting_limit = "25m"' in user_file(isolated_dirs).read_text(encoding="utf-8")


def test_interval_with_a_bad_duration_is_a_usage_error(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["interval", "30"]) == 2
    assert '"45m"' in capsys.readouterr().err
    assert not user_file(isolated_dirs).exists()


# -------------------------------------------------------------------- paths


def test_config_paths_lists_every_file_the_service_uses(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    write(user_file(isolated_dirs), '[reminders]\nsitting_limit = "45m"\n')
    assert main(["config", "paths"]) == 0
    rows: dict[str, str] = {}
    for line in capsys.readouterr().out.splitlines():
        label, path = line.split()[:2]
        rows.setdefault(label, path)
    assert rows["user"] == str(user_file(isolated_dirs))
    assert Path(rows["state"]).is_relative_to(isolated_dirs["state"])
    assert Path(rows["history"]).is_relative_to(isolated_dirs["state"])
    assert rows["log"].endswith(".log")
    assert rows["control"] == str(isolated_dirs["runtime"] / f"{APP}.sock")
    assert rows["managed"] == str(site_file(isolated_dirs))
    assert rows["defaults"].endswith("default.toml")


# --------------------------------------------------------------------- plan


def test_plan_for_a_day_with_a_lunch_break(
    isolated_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """2026-12-01 is a Tuesday; the spell restarts after lunch, so 13:50 follows 11:50."""
    write(
        user_file(isolated_dirs),
        '[schedule]\ntimezone = "Europe/Berlin"\n'
        '[schedule.work_hours]\ntuesday = ["09:00-12:00", "13:00-17:00"]\n'
        '[reminders]\nsitting_limit = "50m"\n',
    )
    assert main(["plan", "--date", "2026-12-01", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["date"] == "2026-12-01"
    assert plan["timezone"] == "Europe/Berlin"
    assert plan["work_hours"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    prompts = plan["prompts"]
    assert prompts[0] == "09:50"
    assert not [p for p in prompts if "12:00" <= p < "13:00"]
    assert prompts[prompts.index("11:50") + 1] == "13:50"
    assert all("09:00" <= p < "12:00" or "13:00" <= p < "17:00" for p in prompts)


@pytest.mark.parametrize(
    "argv",
    [
        ["--config", "{trial}", "config", "show", "--json"],
        ["config", "--config", "{trial}", "show", "--json"],
        ["config", "show", "--json", "--config", "{trial}"],
    ],
    ids=["before-command", "before-action", "after-action"],
)
def test_config_option_is_honoured_wherever_it_is_written(
    isolated_dirs: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    """`--config PATH` replaces the user file whether it comes before or after the command."""
    write(user_file(isolated_dirs), '[reminders]\nsitting_limit = "20m"\n')
    trial = write(tmp_path / "trial.toml", '[reminders]\nsitting_limit = "15m"\n')
    assert main([arg.format(trial=trial) for arg in argv]) == 0
    assert json.loads(capsys.readouterr().out)["reminders.sitting_limit"] == "15m"
