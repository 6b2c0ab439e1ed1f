"""The settings window's form, its Save and its process checks, without Tk.

The form is built from real configuration files read by the real loader; Save writes
real files with the real writer and talks to a real service (`python -m reminder run`
without a display). The window itself is tested on Xvfb in
tests/desktop/test_settings_window.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from service_proc import ServiceProcess, headless_env, write_fast_config

from reminder.configuration.keys import KEYS, TABLE, Key, Kind
from reminder.configuration.loader import load_configuration
from reminder.errors import ConfigError
from reminder.settings import _instance
from reminder.settings._entry import command_line_instead
from reminder.settings._save import read_autostart, save
from reminder.settings.form import (
    ADVANCED,
    PAGES,
    SET_BY_ORGANISATION,
    Control,
    build_form,
    check,
    describe_change,
    echo,
    from_toml,
    review,
    to_toml,
    zone_names,
)

APP = "sitting-reminder"
MINE = """\
# my own settings, tuned with my physio
[schedule]
timezone = "UTC"
days_off = [2026-12-24, "2026-12-31"]

[reminders]
sitting_limit = "1h"  # an hour is plenty
snooze_options = ["10m", "30m"]
"""
LOCKING = """\
[reminders]
repeat_every = "8m"

[managed]
locked = ["reminders.repeat_every", "notifications.quiet_*"]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def files(isolated_dirs: dict[str, Path]) -> tuple[Path, Path]:
    """The user's own file and a managed file that locks some keys."""
    return (
        write(isolated_dirs["config"] / APP / "config.toml", MINE),
        write(isolated_dirs["site"] / APP / "config.toml", LOCKING),
    )


# ------------------------------------------------------------ the form


def test_every_key_of_the_table_is_a_field_on_a_page(files: tuple[Path, Path]) -> None:
    form = build_form(load_configuration(), zone_names(["Europe/Berlin", "UTC"]))
    assert sorted(field.name for field in form.fields) == sorted(KEYS)  # each once
    for page in form.pages:  # in the table's order on each page
        names = [field.name for field in page.fields]
        assert names == [key.name for key in TABLE if key.name in names]
    assert [page.title for page in form.pages] == list(PAGES)
    assert {field.name for field in form.fields if field.page == "Advanced"} == set(ADVANCED)
    assert form.field("reminders.sitting_limit").page == "Reminders"
    assert form.field("schedule.work_hours.monday").page == "Work hours"
    assert form.field("notifications.quiet_during_calls").control is Control.CHECK
    assert form.field("stretches.only").control is Control.TAGS
    assert form.field("notifications.backend").options == KEYS["notifications.backend"].choices
    zone = form.field("schedule.timezone")
    assert zone.control is Control.ZONE and zone.options == ("local", "Europe/Berlin", "UTC")


def test_a_new_key_appears_without_new_code(files: tuple[Path, Path]) -> None:
    """A key added to the table (here one of a table the form has never heard of) gets a
    field by its kind, on "Advanced"."""
    new = Key("sounds.chime", Kind.BOOL, False, "Chime", "Play a chime with each prompt.")
    loaded = load_configuration()
    loaded.raw["sounds.chime"] = True
    form = build_form(loaded, table=(*TABLE, new))
    field = form.field("sounds.chime")
    assert (field.page, field.control, field.initial) == ("Advanced", Control.CHECK, True)
    assert field.help == "Play a chime with each prompt."


def test_fields_are_prefilled_with_the_values_in_effect(files: tuple[Path, Path]) -> None:
    mine, _ = files
    form = build_form(load_configuration())
    limit = form.field("reminders.sitting_limit")
    assert (limit.initial, limit.origin, limit.locked_by) == ("1h", str(mine), None)
    assert form.field("reminders.snooze_options").initial == "10m, 30m"
    assert form.field("schedule.days_off").initial == "2026-12-24, 2026-12-31"  # a TOML date too
    assert form.field("schedule.work_hours.monday").initial == "09:00-12:30, 13:30-17:30"
    assert form.field("schedule.work_hours.sunday").initial == ""
    assert form.field("stretches.only").initial == ()
    assert form.field("notifications.quiet_when_dnd").initial is True


def test_locked_fields_say_who_set_them_and_are_never_saved(files: tuple[Path, Path]) -> None:
    _, managed = files
    form = build_form(load_configuration())
    repeat = form.field("reminders.repeat_every")
    assert repeat.locked_by == str(managed)
    assert repeat.lock_note == f"{SET_BY_ORGANISATION}: {managed}"
    dnd = form.field("notifications.quiet_when_dnd")  # locked by a glob, value from defaults
    assert dnd.lock_note == f"{SET_BY_ORGANISATION}: built-in defaults (locked by {managed})"
    assert form.field("reminders.sitting_limit").lock_note is None
    changed = review(form, {"reminders.repeat_every": "20m", "notifications.quiet_when_dnd": False})
    assert changed.changes == {} and changed.can_save


def test_weekdays_share_one_note_instead_of_seven_descriptions(files: tuple[Path, Path]) -> None:
    form = build_form(load_configuration())
    page = next(page for page in form.pages if page.title == "Work hours")
    week = next(section for section in page.sections if section.table == "schedule.work_hours")
    assert len(week.fields) == 7 and all(field.help == "" for field in week.fields)
    assert "Separate ranges with commas" in week.note and "HH:MM-HH:MM" in week.note
    assert "Separate them with commas" in form.field("schedule.days_off").help


# ------------------------------------------------------------ checks


BAD_VALUES = [
    ("reminders.sitting_limit", "abc"),
    ("reminders.sitting_limit", "45"),
    ("reminders.sitting_limit", "13h"),
    ("reminders.snooze_options", ""),
    ("reminders.snooze_options", "10m, soon"),
    ("schedule.work_hours.monday", "9-5"),
    ("schedule.work_hours.monday", "12:00-09:00"),
    ("schedule.work_hours.monday", "09:00-12:00, 11:00-13:00"),
    ("schedule.days_off", "2026-02-30"),
    ("schedule.timezone", "Mars/Olympus"),
    ("notifications.after_call", "2h"),
]


@pytest.mark.parametrize(("key", "typed"), BAD_VALUES, ids=[f"{k}={v}" for k, v in BAD_VALUES])
def test_a_wrong_entry_gets_the_message_the_loader_gives(
    key: str, typed: str, isolated_dirs: dict[str, Path]
) -> None:
    """The message next to the field is the one `config validate` gives for the same value
    in a file (expected ..., found ...)."""
    checked = check(KEYS[key], typed)
    assert not checked.ok and checked.problem is not None
    table, _, leaf = key.rpartition(".")
    toml_value = to_toml(KEYS[key], typed)
    literal = "[" + ", ".join(f'"{item}"' for item in toml_value) + "]"
    file_value = literal if isinstance(toml_value, list) else f'"{toml_value}"'
    bad = write(
        isolated_dirs["config"] / APP / "config.toml", f"[{table}]\n{leaf} = {file_value}\n"
    )
    with pytest.raises(ConfigError) as raised:
        load_configuration()
    error = raised.value
    assert str(bad) in str(error)
    assert checked.problem == f"Expected {error.expected}, found {error.found}."


def test_values_are_written_in_one_spelling_and_retyping_is_no_change(
    files: tuple[Path, Path],
) -> None:
    form = build_form(load_configuration())
    same = {
        "reminders.sitting_limit": "60m",  # was "1h"
        "reminders.snooze_options": " 10m ,30m ",
        "schedule.days_off": "2026-12-31, 2026-12-24",
        "schedule.work_hours.monday": "13:30-17:30,09:00-12:30",
    }
    assert review(form, same).changes == {}
    changed = review(
        form,
        {
            "reminders.sitting_limit": "1h 30m",
            "schedule.work_hours.monday": "13:00-16:00; 08:00-12:00",
            "schedule.work_hours.saturday": "10:00-12:00",
            "schedule.work_hours.friday": "",
            "stretches.only": ("discreet", "seated"),
            "schedule.timezone": "Europe/Berlin",
            "notifications.backend": "console",
        },
    )
    assert changed.changes == {
        "reminders.sitting_limit": "1h30m",
        "schedule.work_hours.monday": ["08:00-12:00", "13:00-16:00"],
        "schedule.work_hours.saturday": ["10:00-12:00"],
        "schedule.work_hours.friday": [],
        "stretches.only": ["seated", "discreet"],
        "schedule.timezone": "Europe/Berlin",
        "notifications.backend": "console",
    }


def test_save_is_refused_while_any_field_is_wrong(files: tuple[Path, Path]) -> None:
    form = build_form(load_configuration())
    result = review(form, {"reminders.sitting_limit": "45m", "schedule.timezone": "Nowhere"})
    assert not result.can_save
    assert list(result.problems) == ["schedule.timezone"]


def test_what_a_value_means_is_said_in_words() -> None:
    now = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)

    def meaning(key: str, typed: str | tuple[str, ...]) -> str:
        checked = check(KEYS[key], typed)
        assert checked.ok, checked.problem
        return echo(KEYS[key], checked.parsed, now)

    assert meaning("reminders.sitting_limit", "1h30m") == "1 hour 30 min"
    assert meaning("reminders.snooze_options", "10m, 1h") == "10 min, 1 hour"
    assert meaning("schedule.work_hours.monday", "09:00-12:30, 13:30-17:30") == (
        "7 hours 30 min of work"
    )
    assert meaning("schedule.work_hours.sunday", "") == "no work"
    assert meaning("schedule.days_off", "2026-12-24, 2026-12-25") == "2 days"
    assert meaning("schedule.timezone", "Asia/Tokyo") == "21:00 there now"
    assert meaning("stretches.only", ()) == "all kinds"
    assert describe_change(KEYS["reminders.sitting_limit"], "45m") == "Sitting limit: 45 min"
    monday = KEYS["schedule.work_hours.monday"]
    assert describe_change(monday, []) == "Work hours on Monday: no work"


def test_lists_round_trip_between_toml_and_a_line_of_text() -> None:
    days = KEYS["schedule.days_off"]
    assert from_toml(days, [date(2026, 12, 24), "2026-12-31"]) == "2026-12-24, 2026-12-31"
    assert to_toml(days, "2026-12-24, , 2026-12-31,") == ["2026-12-24", "2026-12-31"]
    assert to_toml(days, "") == []
    tags = KEYS["stretches.only"]
    assert from_toml(tags, ["standing", "seated"]) == ("seated", "standing")
    assert zone_names(["Europe/Berlin", "posixrules", "UTC", "EST5EDT", "Factory"]) == (
        "Europe/Berlin",
        "UTC",
    )


# ------------------------------------------------------------ Save


def test_save_writes_only_what_changed_keeping_comments(files: tuple[Path, Path]) -> None:
    mine, _ = files
    form = build_form(load_configuration())
    changes = review(form, {"reminders.sitting_limit": "45m"}).changes
    saved = save(changes)
    text = mine.read_text(encoding="utf-8")
    assert text == MINE.replace('sitting_limit = "1h"', 'sitting_limit = "45m"')
    assert saved.written == ("reminders.sitting_limit",)
    assert not saved.failed and saved.attention  # no service: said, not hidden
    assert saved.lines[-1] == "No service is running: the new settings are used at the next start."
    assert f"Saved to {mine}: Sitting limit: 45 min." in saved.lines


def test_save_refuses_a_key_locked_since_the_window_opened(files: tuple[Path, Path]) -> None:
    """IT locks the sitting limit while the window is open: Save writes nothing at all."""
    mine, managed = files
    form = build_form(load_configuration())
    changes = review(form, {"reminders.sitting_limit": "45m", "reminders.snooze_options": "5m"})
    write(managed, LOCKING.replace('"reminders.repeat_every"', '"reminders.*"'))
    saved = save(changes.changes)
    assert saved.failed and saved.written == ()
    assert "locked by your organisation" in saved.text and str(managed) in saved.text
    assert mine.read_text(encoding="utf-8") == MINE


def test_save_refuses_to_edit_a_file_broken_meanwhile(files: tuple[Path, Path]) -> None:
    mine, _ = files
    form = build_form(load_configuration())
    changes = review(form, {"reminders.sitting_limit": "45m"}).changes
    broken = MINE + "repeat_every = 10\n"
    write(mine, broken)
    saved = save(changes)
    assert saved.failed and saved.text.startswith("Nothing was saved:")
    assert "repeat_every" in saved.text and "line" in saved.text
    assert mine.read_text(encoding="utf-8") == broken


def test_save_makes_the_running_service_apply_it_at_once(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    """A real service (no display): after Save its `status` has the new sitting limit."""
    write_fast_config(isolated_dirs["config"], sitting_limit="50m")
    service = ServiceProcess(headless_env(), "--no-tray").start()
    try:
        service.wait_for_status("the service", lambda status: True, timeout=30)
        form = build_form(load_configuration())
        saved = save(review(form, {"reminders.sitting_limit": "35m"}).changes)
        assert saved.lines[-1] == "The running service applied it." and not saved.attention
        assert service.status()["sitting_limit_s"] == 35 * 60  # at once, no waiting
    finally:
        service.stop()


def test_start_at_login_is_read_and_switched(isolated_dirs: dict[str, Path]) -> None:
    assert read_autostart().enabled is False
    saved = save({}, autostart_to=True)
    assert not saved.failed and saved.lines[0].startswith("Autostart enabled")
    assert read_autostart().enabled is True
    entry = isolated_dirs["config"] / "autostart" / "sitting-reminder.desktop"
    assert entry.is_file()
    save({}, autostart_to=False)
    assert read_autostart().enabled is False and not entry.exists()


def test_nothing_to_save_writes_nothing(files: tuple[Path, Path]) -> None:
    mine, _ = files
    before = mine.stat().st_mtime_ns
    assert save({}).lines == ("Nothing changed.",)
    assert mine.stat().st_mtime_ns == before


# ------------------------------------------------------------ the process


def _settings(env: dict[str, str], *pre: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *pre, "-m", "reminder", "settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_display_it_says_how_to_use_the_command_line(
    isolated_dirs: dict[str, Path],
) -> None:
    done = _settings(headless_env())
    assert done.returncode == 2
    assert "no settings window: there is no display (DISPLAY is not set)" in done.stderr
    assert "sitting-reminder interval 45m" in done.stderr
    assert "sitting-reminder config show --origin" in done.stderr
    assert str(isolated_dirs["config"] / APP / "config.toml") in done.stderr
    assert "Traceback" not in done.stderr


def test_without_tkinter_it_says_what_to_install(isolated_dirs: dict[str, Path]) -> None:
    """(A Python without tkinter is stood in for by blocking its import: the Debian package
    python3-tk cannot be removed from under the test run.)"""
    env = dict(os.environ, DISPLAY=":9999")  # a display is claimed; Tk is what is missing
    code = (
        "import sys; sys.modules['tkinter'] = None\n"
        "from reminder.cli import main\nraise SystemExit(main(['settings']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "the settings window needs Tk: install Tk for Python: sudo apt install python3-tk" in (
        done.stderr
    )
    assert command_line_instead(isolated_dirs["config"] / APP / "config.toml") in done.stderr


def test_a_display_that_cannot_be_opened_is_said_too(isolated_dirs: dict[str, Path]) -> None:
    done = _settings(dict(headless_env(), DISPLAY=":9999"))
    assert done.returncode == 2
    assert "no settings window: cannot open the display" in done.stderr
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------ one window at a time


def test_a_second_window_asks_the_first_to_come_forward(tmp_path: Path) -> None:
    places = _instance.Places.default(tmp_path / "run")
    first = _instance.claim(places)
    assert first is not None
    try:
        assert _instance.claim(places) is None  # the lock is taken
        assert _instance.ask_to_raise(places)
        deadline = datetime.now() + timedelta(seconds=5)
        heard: list[str] = []
        while not heard and datetime.now() < deadline:
            heard = first.pending()
        assert heard == [_instance.RAISE]
    finally:
        first.release()
    again = _instance.claim(places)  # released: the next window may open
    assert again is not None
    again.release()


def test_a_window_that_crashed_leaves_nothing_in_the_way(tmp_path: Path) -> None:
    """The lock dies with its process; a socket file left behind is replaced."""
    places = _instance.Places.default(tmp_path / "run")
    code = (
        "import os, sys\nfrom pathlib import Path\nfrom reminder.settings import _instance\n"
        f"c = _instance.claim(_instance.Places.default(Path({str(tmp_path / 'run')!r})))\n"
        "assert c is not None\nos._exit(0)\n"  # no clean-up at all
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert Path(places.address).exists()  # the crashed window's socket file
    claimed = _instance.claim(places)
    assert claimed is not None
    claimed.release()


def test_a_runtime_folder_too_deep_for_a_socket_still_has_one_window(tmp_path: Path) -> None:
    deep = tmp_path / ("a-very-long-folder-name-" * 4) / "runtime"
    places = _instance.Places.default(deep)
    assert places.abstract and "sitting-reminder-settings" in places.address
    assert _instance.Places.default(tmp_path / "other").address != places.address
    first = _instance.claim(places)
    assert first is not None
    try:
        assert _instance.claim(places) is None
        assert _instance.ask_to_raise(places)
    finally:
        first.release()
