"""Layered configuration: which file wins, what locks do, and which values are accepted.

These tests call `load_configuration` in-process; the command-line view of the
same rules (exit codes, messages, `config show`) is in test_config_cli.py.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from reminder.configuration import load_configuration
from reminder.configuration.loader import DEFAULT_ORIGIN
from reminder.configuration.model import TimeRange
from reminder.errors import ConfigError

APP = "sitting-reminder"


def write(path: Path, text: str) -> Path:
    """Write a TOML file, creating its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def user_file(dirs: dict[str, Path]) -> Path:
    return dirs["config"] / APP / "config.toml"


def site_file(dirs: dict[str, Path]) -> Path:
    return dirs["site"] / APP / "config.toml"


def limit(text: str) -> str:
    return f'[reminders]\nsitting_limit = "{text}"\n'


# ------------------------------------------------------------------ layering


def test_defaults_alone_give_the_documented_values() -> None:
    """With no files at all, the service runs on the built-in defaults."""
    loaded = load_configuration()
    assert loaded.config.reminders.sitting_limit == timedelta(minutes=50)
    assert loaded.config.reminders.repeat_every == timedelta(minutes=10)
    assert loaded.config.schedule.work_hours[0] == (TimeRange(540, 750), TimeRange(810, 1050))
    assert loaded.config.schedule.work_hours[5] == ()
    assert set(loaded.origins.values()) == {DEFAULT_ORIGIN}
    assert loaded.warnings == ()


def test_managed_file_in_site_dir_overrides_defaults(isolated_dirs: dict[str, Path]) -> None:
    managed = write(site_file(isolated_dirs), limit("40m"))
    loaded = load_configuration()
    assert loaded.config.reminders.sitting_limit == timedelta(minutes=40)
    assert loaded.origins["reminders.sitting_limit"] == str(managed)


def test_drop_ins_apply_after_config_toml_in_name_order(isolated_dirs: dict[str, Path]) -> None:
    """config.toml, then config.d/*.toml sorted by name: the last one read wins."""
    write(site_file(isolated_dirs), limit("40m") + 'repeat_every = "7m"\n')
    drop_ins = isolated_dirs["site"] / APP / "config.d"
    write(drop_ins / "20-late.toml", limit("30m"))
    write(drop_ins / "10-early.toml", limit("35m") + 'repeat_every = "8m"\n')
    loaded = load_configuration()
    assert loaded.config.reminders.sitting_limit == timedelta(minutes=30)
    assert loaded.origins["reminders.sitting_limit"] == str(drop_ins / "20-late.toml")
    assert loaded.config.reminders.repeat_every == timedelta(minutes=8)


def test_earlier_xdg_config_dirs_win(
    isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """$XDG_CONFIG_DIRS lists folders most important first, as the XDG spec says."""
    first, second = tmp_path / "first", tmp_path / "second"
    write(first / APP / "config.toml", limit("25m"))
    write(second / APP / "config.toml", limit("45m") + 'repeat_every = "4m"\n')
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{first}:{second}")
    loaded = load_configuration()
    assert loaded.config.reminders.sitting_limit == timedelta(minutes=25)
    assert loaded.config.reminders.repeat_every == timedelta(minutes=4)  # only `second` sets it


def test_managed_env_file_wins_over_site_dirs(
    isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(site_file(isolated_dirs), limit("40m"))
    share = write(tmp_path / "share" / "office.toml", limit("35m"))
    monkeypatch.setenv("SITTING_REMINDER_MANAGED_CONFIG", str(share))
    loaded = load_configuration()
    assert loaded.config.reminders.sitting_limit == timedelta(minutes=35)
    assert loaded.origins["reminders.sitting_limit"] == str(share)


def test_managed_env_folder_reads_config_toml_then_drop_ins(
    isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write(site_file(isolated_dirs), limit("40m") + 'repeat_every = "9m"\n')
    share = tmp_path / "share"
    write(share / "config.toml", limit("35m") + 'repeat_every = "6m"\n')
    write(share / "config.d" / "50-floor.toml", limit("33m"))
    monkeypatch.setenv("SITTING_REMINDER_MANAGED_CONFIG", str(share))
    loaded = load_configuration()
    assert loaded.config.reminders.sitting_limit == timedelta(minutes=33)
    assert loaded.config.reminders.repeat_every == timedelta(minutes=6)


def test_managed_env_folder_of_plain_toml_files_is_not_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A share holding only `*.toml` files (no config.toml) still applies, in name order."""
    share = tmp_path / "share"
    write(share / "b-locks.toml", limit("30m") + '[managed]\nlocked = ["reminders.*"]\n')
    write(share / "a-base.toml", limit("45m"))
    monkeypatch.setenv("SITTING_REMINDER_MANAGED_CONFIG", str(share))
    loaded = load_configuration()
    assert loaded.config.reminders.sitting_limit == timedelta(minutes=30)
    assert loaded.locked_by("reminders.sitting_limit") == str(share / "b-locks.toml")


def test_missing_managed_env_file_is_an_error_not_silence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """IT pointing at a file that is not there must hear about it."""
    missing = tmp_path / "nowhere.toml"
    monkeypatch.setenv("SITTING_REMINDER_MANAGED_CONFIG", str(missing))
    with pytest.raises(ConfigError) as caught:
        load_configuration()
    assert str(missing) in str(caught.value)
    assert "does not exist" in str(caught.value)


def test_user_file_wins_over_managed_for_unlocked_keys(isolated_dirs: dict[str, Path]) -> None:
    write(site_file(isolated_dirs), limit("40m"))
    mine = write(user_file(isolated_dirs), limit("20m"))
    loaded = load_configuration()
    assert loaded.config.reminders.sitting_limit == timedelta(minutes=20)
    assert loaded.origins["reminders.sitting_limit"] == str(mine)
    assert loaded.warnings == ()


def test_config_option_replaces_the_user_file(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    """`--config PATH` is read instead of the user file, not on top of it."""
    write(user_file(isolated_dirs), limit("20m") + 'repeat_every = "3m"\n')
    other = write(tmp_path / "trial.toml", limit("15m"))
    loaded = load_configuration(other)
    assert loaded.config.reminders.sitting_limit == timedelta(minutes=15)
    assert loaded.config.reminders.repeat_every == timedelta(minutes=10)  # default, not 3m
    assert str(user_file(isolated_dirs)) not in loaded.origins.values()


# --------------------------------------------------------------------- locks


def test_locked_key_keeps_managed_value_and_warns(isolated_dirs: dict[str, Path]) -> None:
    managed = write(
        site_file(isolated_dirs),
        limit("40m") + '\n[managed]\nlocked = ["reminders.sitting_limit"]\n',
    )
    write(user_file(isolated_dirs), limit("20m") + 'repeat_every = "5m"\n')
    loaded = load_configuration()
    assert loaded.config.reminders.sitting_limit == timedelta(minutes=40)
    assert loaded.config.reminders.repeat_every == timedelta(minutes=5)  # not locked
    assert loaded.locked_by("reminders.sitting_limit") == str(managed)
    assert loaded.locked_by("reminders.repeat_every") is None
    [warning] = loaded.warnings
    assert "reminders.sitting_limit" in warning
    assert str(managed) in warning


def test_glob_lock_covers_every_schedule_key(isolated_dirs: dict[str, Path]) -> None:
    managed = write(
        site_file(isolated_dirs),
        '[schedule]\ntimezone = "Europe/Berlin"\n[managed]\nlocked = ["schedule.*"]\n',
    )
    write(
        user_file(isolated_dirs),
        '[schedule]\ntimezone = "Asia/Tokyo"\ndays_off = ["2026-12-24"]\n'
        '[schedule.work_hours]\nsaturday = ["10:00-12:00"]\n'
        '[reminders]\nsitting_limit = "30m"\n',
    )
    loaded = load_configuration()
    schedule = loaded.config.schedule
    assert schedule.timezone == "Europe/Berlin"
    assert schedule.days_off == frozenset()
    assert schedule.work_hours[5] == ()
    assert loaded.config.reminders.sitting_limit == timedelta(minutes=30)
    schedule_keys = [key for key in loaded.raw if key.startswith("schedule.")]
    assert len(schedule_keys) == 9
    assert all(loaded.locked_by(key) == str(managed) for key in schedule_keys)
    assert len(loaded.warnings) == 3  # timezone, days_off, saturday


def test_lock_matching_no_setting_is_reported(isolated_dirs: dict[str, Path]) -> None:
    """A misspelt lock would silently lock nothing; it is an error with a suggestion."""
    managed = write(site_file(isolated_dirs), '[managed]\nlocked = ["reminders.siting_limit"]\n')
    with pytest.raises(ConfigError) as caught:
        load_configuration()
    message = str(caught.value)
    assert str(managed) in message
    assert "managed.locked" in message
    assert '"reminders.sitting_limit"' in message


def test_managed_table_in_user_file_is_an_error(isolated_dirs: dict[str, Path]) -> None:
    mine = write(user_file(isolated_dirs), '[managed]\nlocked = ["reminders.sitting_limit"]\n')
    with pytest.raises(ConfigError) as caught:
        load_configuration()
    assert caught.value.path == str(mine)
    assert caught.value.key == "managed.locked"
    assert caught.value.line == 2


# -------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("45m", timedelta(minutes=45)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2h", timedelta(hours=2)),
    ],
    ids=["seconds", "minutes", "hours-and-minutes", "hours"],
)
def test_durations_with_units_are_accepted(
    isolated_dirs: dict[str, Path], text: str, expected: timedelta
) -> None:
    write(user_file(isolated_dirs), limit(text))
    assert load_configuration().config.reminders.sitting_limit == expected


@pytest.mark.parametrize(
    "text",
    ["50", "", "0m", "ten minutes", "1.5h"],
    ids=["no-unit", "empty", "zero", "words", "dot"],
)
def test_durations_without_a_usable_form_are_rejected(
    isolated_dirs: dict[str, Path], text: str
) -> None:
    write(user_file(isolated_dirs), limit(text))
    with pytest.raises(ConfigError) as caught:
        load_configuration()
    assert caught.value.key == "reminders.sitting_limit"
    assert caught.value.expected is not None


def test_whole_day_range_and_several_ranges_are_accepted(isolated_dirs: dict[str, Path]) -> None:
    write(
        user_file(isolated_dirs),
        '[schedule.work_hours]\nsunday = ["00:00-24:00"]\n'
        'monday = ["13:00-17:00", "08:00-12:00", "12:00-13:00"]\n',
    )
    hours = load_configuration().config.schedule.work_hours
    assert hours[6] == (TimeRange(0, 1440),)
    assert [str(r) for r in hours[0]] == ["08:00-12:00", "12:00-13:00", "13:00-17:00"]


def test_days_off_accept_strings_and_toml_dates(isolated_dirs: dict[str, Path]) -> None:
    write(user_file(isolated_dirs), '[schedule]\ndays_off = ["2026-12-24", 2026-12-31]\n')
    days = load_configuration().config.schedule.days_off
    assert sorted(day.isoformat() for day in days) == ["2026-12-24", "2026-12-31"]


def test_configuration_object_is_frozen() -> None:
    """Nothing can change the effective configuration behind the service's back."""
    config = load_configuration().config
    with pytest.raises(AttributeError):
        config.reminders.sitting_limit = timedelta(minutes=1)  # type: ignore[misc]


def test_empty_table_where_a_value_belongs_is_not_silently_ignored(
    isolated_dirs: dict[str, Path],
) -> None:
    write(user_file(isolated_dirs), "[reminders]\nsitting_limit = {}\n")
    with pytest.raises(ConfigError) as caught:
        load_configuration()
    assert caught.value.key == "reminders.sitting_limit"
    assert caught.value.found == "a table"


def test_empty_tables_are_fine(isolated_dirs: dict[str, Path]) -> None:
    """Headers left behind after deleting their keys do not break the file."""
    write(user_file(isolated_dirs), "[reminders]\n[schedule.work_hours]\n")
    assert load_configuration().config.reminders.sitting_limit == timedelta(minutes=50)
