"""The built-in defaults travel inside the wheel, documented, and work from a fresh install.

Nothing is faked: the project is copied, built into a wheel, installed with
its declared dependencies into a brand-new virtualenv, and run from a folder
outside the source tree, so a file missing from the wheel (or a dependency
missing from pyproject.toml) fails here rather than on a user's machine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from wheel_build import fresh_venv, run

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Install:
    """A fresh virtualenv with the wheel installed."""

    venv: Path
    python: Path
    elsewhere: Path  # a working folder with no source code in it


def outside_env() -> dict[str, str]:
    """This test's environment (isolated XDG dirs) without anything pointing at the source."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, project_wheel: Path) -> Iterator[Install]:
    work = tmp_path_factory.mktemp("wheel-defaults")
    python = fresh_venv(work, project_wheel, with_dependencies=True)
    venv = python.parent.parent
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    yield Install(venv, python, elsewhere)


def in_venv(install: Install, *args: str) -> subprocess.CompletedProcess[str]:
    return run([str(install.python), *args], cwd=install.elsewhere, env=outside_env())


def test_fresh_install_shows_the_built_in_defaults(installed: Install) -> None:
    shown = in_venv(installed, "-m", "reminder", "config", "show", "--json", "--origin")
    data = json.loads(shown.stdout)
    assert data["reminders.sitting_limit"]["value"] == "50m"
    assert data["schedule.work_hours.monday"]["value"] == ["09:00-12:30", "13:30-17:30"]
    assert {entry["origin"] for entry in data.values()} == {"built-in defaults"}
    assert shown.stderr == ""


def test_fresh_install_has_the_sitting_reminder_command(installed: Install) -> None:
    version = run(
        [str(installed.venv / "bin" / "sitting-reminder"), "--version"],
        cwd=installed.elsewhere,
        env=outside_env(),
    )
    assert version.stdout.startswith("sitting-reminder ")


def test_packaged_defaults_document_every_key(installed: Install) -> None:
    """Every key in the shipped default.toml has a comment explaining it."""
    located = in_venv(
        installed,
        "-c",
        "import json; from reminder import paths; from reminder.configuration.keys import KEYS;"
        "print(json.dumps([str(paths.bundled_file('default.toml')), list(KEYS)]))",
    )
    where, keys = json.loads(located.stdout)
    packaged = Path(where)
    assert packaged.is_relative_to(installed.venv)  # the wheel's copy, not the source tree's
    assert not packaged.is_symlink()
    text = packaged.read_text(encoding="utf-8")  # it parses: config show above read it

    documented: dict[str, bool] = {}
    table = ""
    previous = ""
    table_comment: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        header = re.fullmatch(r"\[([\w.]+)\]", line)
        if header:
            table = header.group(1)
        elif line.startswith("#") and previous.startswith("["):
            table_comment[table] = line
        elif line.startswith("#") and table in table_comment and previous.startswith("#"):
            table_comment[table] += " " + line
        match = re.match(r"^(\w+)\s*=", line)
        if match:
            documented[f"{table}.{match.group(1)}"] = previous.startswith("#")
        previous = line or previous

    assert sorted(documented) == sorted(keys), "default.toml and the known keys differ"
    weekday_note = table_comment.get("schedule.work_hours", "")
    for key in keys:
        if key.startswith("schedule.work_hours."):
            assert "weekday" in weekday_note, f"{key}: the work_hours table explains no weekdays"
        else:
            assert documented[key], f"{key} has no comment above it in the packaged default.toml"
    assert re.search(r"^#.*locked = \[", text, re.MULTILINE), "[managed] locked is not explained"
