"""Every kind of setting, written right and wrong, and the words a person then reads.

Values go through `reminder.configuration.keys.validate`, the one validation
function the loader, the CLI, the tray and the settings window share, for real
keys of the table; a few go through the loader from a real file, to show the
message as it reaches the user. Nothing is faked.
"""

from __future__ import annotations

import time as time_module
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from reminder.configuration import values
from reminder.configuration.keys import Key, Kind, validate
from reminder.configuration.loader import load_configuration
from reminder.configuration.model import TimeRange
from reminder.configuration.values import Invalid, local_zone
from reminder.durations import (
    DurationTooLong,
    format_duration,
    human_duration,
    parse_duration,
)
from reminder.errors import ConfigError

SEC = timedelta(seconds=1)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
FORM = 'a duration with units such as "90s", "45m" or "1h30m"'
RANGES = 'a list of "HH:MM-HH:MM" ranges such as ["09:00-12:30", "13:30-17:30"]'
DATES = 'a list of ISO dates such as ["2026-12-25"]'
ZONES = '"local" or an IANA time zone name such as "Europe/Berlin"'


def refusal(key: str, value: Any) -> str:
    """The message `validate` refuses `value` for `key` with."""
    with pytest.raises(Invalid) as caught:
        validate(key, value)
    return str(caught.value)


# ------------------------------------------------------------------ durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50m", 50 * MIN),
        ("90s", 90 * SEC),
        ("1h30m", 90 * MIN),
        ("1h0m5s", HOUR + 5 * SEC),
        (" 1H 30M ", 90 * MIN),
        ("1s", SEC),
        ("12h", 12 * HOUR),
    ],
    ids=["minutes", "seconds", "hours-minutes", "all-three", "spaces-capitals", "least", "most"],
)
def test_a_duration_with_units_is_read_as_written(text: str, expected: timedelta) -> None:
    assert validate("reminders.sitting_limit", text) == expected


@pytest.mark.parametrize(
    ("value", "found"),
    [
        (50, "a bare number 50"),
        (1.5, "a bare number 1.5"),
        (True, "a boolean true"),
        ("", 'the string ""'),
        ("soon", 'the string "soon"'),
        ("m", 'the string "m"'),
        ("5 minutes", 'the string "5 minutes"'),
        (["50m"], "a list ['50m']"),
        ({}, "a table"),
        (time(9, 0), "time datetime.time(9, 0)"),
        (date(2026, 12, 25), "the date 2026-12-25"),
        (datetime(2026, 12, 25, 9, 0), "the date and time 2026-12-25T09:00:00"),
    ],
    ids=[
        "bare-number",
        "bare-float",
        "boolean",
        "empty",
        "words",
        "unit-without-number",
        "spelled-unit",
        "list",
        "table",
        "toml-time",
        "toml-date",
        "toml-date-time",
    ],
)
def test_a_duration_in_another_form_is_refused_naming_the_form_and_what_was_found(
    value: Any, found: str
) -> None:
    assert refusal("reminders.sitting_limit", value) == f"expected {FORM}, found {found}"


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        (
            "reminders.sitting_limit",
            "0s",
            'expected a duration of at least 1s, found the string "0s"',
        ),
        (
            "reminders.sitting_limit",
            "0m",
            'expected a duration of at least 1s, found the string "0m"',
        ),
        (
            "notifications.max_hold",
            "59s",
            'expected a duration of at least 1m, found the string "59s"',
        ),
        (
            "reminders.sitting_limit",
            "12h0m1s",
            'expected a duration of at most 12h (12 hours), found the string "12h0m1s"',
        ),
        (
            "activity.check_every",
            "11m",
            'expected a duration of at most 10m (10 min), found the string "11m"',
        ),
        (
            "notifications.after_call",
            "1h30m",
            'expected a duration of at most 1h (1 hour), found the string "1h30m"',
        ),
        (
            "activity.break_after_idle",
            "99999999999999h",
            'expected a duration of at most 8h (8 hours), found the string "99999999999999h"',
        ),
    ],
    ids=["zero", "zero-minutes", "under-a-minimum", "past-12h", "past-10m", "past-1h", "absurd"],
)
def test_a_duration_out_of_its_range_is_refused_naming_the_bound(
    key: str, text: str, message: str
) -> None:
    assert refusal(key, text) == message


def test_the_bounds_of_a_range_are_included() -> None:
    assert validate("notifications.max_hold", "1m") == MIN
    assert validate("notifications.max_hold", "24h") == 24 * HOUR
    assert validate("activity.check_every", "10m") == 10 * MIN


def test_snooze_options_are_a_list_of_durations_each_checked() -> None:
    key = "reminders.snooze_options"
    assert validate(key, ["10m", "30m", "1h"]) == (10 * MIN, 30 * MIN, HOUR)
    assert validate(key, ["5m"]) == (5 * MIN,)
    each = f"expected a non-empty list of durations, each {FORM}"
    assert refusal(key, []) == f"{each}, found an empty list"
    assert refusal(key, "10m") == f'{each}, found the string "10m"'
    assert (
        refusal(key, ["10m", "0s"]) == 'expected a duration of at least 1s, found the string "0s"'
    )
    assert refusal(key, ["10m", 5]) == f"expected {FORM}, found a bare number 5"


def test_a_long_value_is_cut_in_the_message() -> None:
    long = "x" * 100
    assert refusal("reminders.sitting_limit", long) == (
        f'expected {FORM}, found the string "{"x" * 60}… (100 characters)"'
    )
    sixty = "y" * 60
    assert (
        refusal("reminders.sitting_limit", sixty) == f'expected {FORM}, found the string "{sixty}"'
    )


def test_the_message_of_a_bad_file_names_file_line_key_form_and_value(
    isolated_dirs: dict[str, Path],
) -> None:
    user = isolated_dirs["config"] / "sitting-reminder" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[reminders]\n\nsitting_limit = "0s"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_configuration()
    assert str(caught.value) == (
        f"{user}, line 3: key 'reminders.sitting_limit': invalid value."
        ' Expected a duration of at least 1s, found the string "0s".'
    )
    assert (caught.value.expected, caught.value.found) == (
        "a duration of at least 1s",
        'the string "0s"',
    )


# ------------------------------------------------- the duration forms themselves


def test_parse_duration_names_the_form_and_cuts_long_text() -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration("soon")
    assert str(caught.value) == f"expected {FORM}, found 'soon'"
    with pytest.raises(ValueError) as caught:
        parse_duration("z" * 41)
    assert str(caught.value) == f"expected {FORM}, found '{'z' * 40}…'"
    with pytest.raises(ValueError) as caught:
        parse_duration("z" * 40)
    assert str(caught.value) == f"expected {FORM}, found '{'z' * 40}'"


def test_a_duration_longer_than_any_clock_holds_is_too_long_not_a_crash() -> None:
    with pytest.raises(DurationTooLong) as caught:
        parse_duration("99999999999999h")
    assert str(caught.value) == f"expected {FORM}, found '99999999999999h', which is far too long"
    for forty_one in ("9" * 45 + "s", "9" * 40 + "h"):
        with pytest.raises(DurationTooLong) as caught:
            parse_duration(forty_one)
        assert str(caught.value) == f"expected {FORM}, found '{'9' * 40}…', which is far too long"
    with pytest.raises(DurationTooLong) as caught:
        parse_duration("9" * 39 + "h")
    assert str(caught.value) == f"expected {FORM}, found '{'9' * 39}h', which is far too long"


@pytest.mark.parametrize(
    ("value", "typed", "read"),
    [
        (timedelta(0), "0s", "0 s"),
        (40 * SEC, "40s", "40 s"),
        (59 * SEC, "59s", "59 s"),
        (MIN, "1m", "1 min"),
        (90 * SEC, "1m30s", "1 min"),
        (45 * MIN, "45m", "45 min"),
        (HOUR, "1h", "1 hour"),
        (HOUR + 5 * SEC, "1h5s", "1 hour"),
        (90 * MIN, "1h30m", "1 hour 30 min"),
        (2 * HOUR, "2h", "2 hours"),
        (150 * MIN, "2h30m", "2 hours 30 min"),
        (-MIN, "0s", "0 s"),
    ],
    ids=[
        "zero",
        "seconds",
        "just-under-a-minute",
        "a-minute",
        "minute-and-seconds",
        "minutes",
        "an-hour",
        "hour-and-seconds",
        "hour-and-minutes",
        "hours",
        "hours-and-minutes",
        "negative",
    ],
)
def test_durations_are_written_to_be_typed_back_and_to_be_read(
    value: timedelta, typed: str, read: str
) -> None:
    assert format_duration(value) == typed
    assert human_duration(value) == read
    if value > timedelta(0):
        assert parse_duration(typed) == value


def test_a_coarse_duration_drops_seconds_once_it_reaches_a_minute() -> None:
    assert format_duration(90 * SEC, coarse=True) == "1m"
    assert format_duration(HOUR + 5 * SEC, coarse=True) == "1h"
    assert format_duration(59 * SEC, coarse=True) == "59s"


# ---------------------------------------------------------------- work hours


def test_work_hours_are_read_in_order_whatever_order_they_are_written() -> None:
    key = "schedule.work_hours.monday"
    assert validate(key, ["13:00-17:00", " 08:00-12:00 ", "12:00-13:00"]) == (
        TimeRange(8 * 60, 12 * 60),
        TimeRange(12 * 60, 13 * 60),
        TimeRange(13 * 60, 17 * 60),
    )
    assert validate(key, ["00:00-24:00"]) == (TimeRange(0, 24 * 60),)
    assert validate(key, ["23:59-24:00"]) == (TimeRange(23 * 60 + 59, 24 * 60),)
    assert validate(key, ["09:59-10:59"]) == (TimeRange(9 * 60 + 59, 10 * 60 + 59),)
    assert validate(key, []) == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("09:00-17:00", f'expected {RANGES}, found the string "09:00-17:00"'),
        ([9], f"expected {RANGES}, found a bare number 9"),
        (["9:00-17:00"], f'expected {RANGES}, found the string "9:00-17:00"'),
        (["09:00 - 17:00"], f'expected {RANGES}, found the string "09:00 - 17:00"'),
        (["24:00-24:00"], 'expected times from 00:00 to 24:00, found the string "24:00-24:00"'),
        (["09:60-10:00"], 'expected times from 00:00 to 24:00, found the string "09:60-10:00"'),
        (["09:00-10:60"], 'expected times from 00:00 to 24:00, found the string "09:00-10:60"'),
        (["09:00-25:00"], 'expected times from 00:00 to 24:00, found the string "09:00-25:00"'),
        (["23:00-24:30"], 'expected times from 00:00 to 24:00, found the string "23:00-24:30"'),
        (
            ["10:00-10:00"],
            'expected a range that lasts some time, found the empty range "10:00-10:00"',
        ),
        (
            ["12:00-09:00"],
            "expected a range whose end comes after its start,"
            ' found the reversed range "12:00-09:00"',
        ),
        (
            ["11:00-13:00", "09:00-12:00"],
            'expected ranges that do not overlap, found "09:00-12:00" overlapping "11:00-13:00"',
        ),
        (
            ["09:00-12:00", "09:30-10:00"],
            'expected ranges that do not overlap, found "09:00-12:00" overlapping "09:30-10:00"',
        ),
    ],
    ids=[
        "not-a-list",
        "a-number",
        "one-digit-hour",
        "spaces-inside",
        "starts-at-24",
        "minute-60-start",
        "minute-60-end",
        "hour-25",
        "past-24",
        "empty",
        "reversed",
        "overlapping",
        "inside-another",
    ],
)
def test_work_hours_that_cannot_be_meant_are_refused_saying_why(value: Any, message: str) -> None:
    assert refusal("schedule.work_hours.tuesday", value) == message


# ----------------------------------------------------------------- days off


def test_days_off_are_dates_written_as_text_or_as_toml_dates() -> None:
    assert validate("schedule.days_off", ["2026-12-24", date(2026, 12, 31)]) == frozenset(
        {date(2026, 12, 24), date(2026, 12, 31)}
    )
    assert validate("schedule.days_off", []) == frozenset()
    assert validate("schedule.days_off", [date(2026, 12, 31), "2026-12-24"]) == frozenset(
        {date(2026, 12, 24), date(2026, 12, 31)}
    )
    with pytest.raises(Invalid):  # what follows a TOML date is checked too
        validate("schedule.days_off", [date(2026, 12, 31), "someday"])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-12-25", f'expected {DATES}, found the string "2026-12-25"'),
        (["2026-1-5"], f'expected {DATES}, found the string "2026-1-5"'),
        (["20261225"], f'expected {DATES}, found the string "20261225"'),
        ([20261225], f"expected {DATES}, found a bare number 20261225"),
        (
            ["2026-13-01"],
            'expected a real calendar date (YYYY-MM-DD), found the string "2026-13-01"',
        ),
        (
            ["2026-02-30"],
            'expected a real calendar date (YYYY-MM-DD), found the string "2026-02-30"',
        ),
        (
            [datetime(2026, 12, 25, 9, 0)],
            f"expected {DATES} (a date without a time),"
            " found the date and time 2026-12-25T09:00:00",
        ),
    ],
    ids=["not-a-list", "short-month", "compact", "a-number", "month-13", "feb-30", "date-and-time"],
)
def test_days_off_that_name_no_day_are_refused(value: Any, message: str) -> None:
    assert refusal("schedule.days_off", value) == message


# ---------------------------------------------------------------- time zones


def test_a_time_zone_is_an_iana_name_or_local() -> None:
    name, zone = validate("schedule.timezone", "Asia/Tokyo")
    assert (name, zone) == ("Asia/Tokyo", ZoneInfo("Asia/Tokyo"))
    name, zone = validate("schedule.timezone", "local")
    assert name == "local" and str(zone) == str(local_zone())


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", f'expected {ZONES}, found the string ""'),
        ("  ", f'expected {ZONES}, found the string "  "'),
        (1, f"expected {ZONES}, found a bare number 1"),
        ("Mars/Olympus", f'expected {ZONES}, found the unknown time zone "Mars/Olympus"'),
        ("../../etc/passwd", f'expected {ZONES}, found the unknown time zone "../../etc/passwd"'),
        ("Local", f'expected {ZONES}, found the unknown time zone "Local"'),
    ],
    ids=["empty", "blank", "a-number", "unknown", "a-path", "capital-local"],
)
def test_a_time_zone_that_does_not_exist_is_refused(value: Any, message: str) -> None:
    assert refusal("schedule.timezone", value) == message


@pytest.mark.parametrize(
    ("tz", "name"),
    [
        ("Asia/Tokyo", "Asia/Tokyo"),
        (":Asia/Tokyo", "Asia/Tokyo"),
        ("/usr/share/zoneinfo/Asia/Tokyo", "/usr/share/zoneinfo/Asia/Tokyo"),
        (":/usr/share/zoneinfo/Asia/Tokyo", "/usr/share/zoneinfo/Asia/Tokyo"),
    ],
    ids=["name", "glibc-colon", "file", "colon-file"],
)
def test_the_local_zone_follows_tz_as_glibc_reads_it(
    monkeypatch: pytest.MonkeyPatch, tz: str, name: str
) -> None:
    monkeypatch.setenv("TZ", tz)
    zone = local_zone()
    assert str(zone) == name
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=zone)
    assert summer.utcoffset() == 9 * HOUR


@pytest.mark.parametrize("tz", ["", "Nowhere/Atall", "/no/such/file", ":"])
def test_without_a_usable_tz_the_local_zone_is_the_one_etc_localtime_names(
    monkeypatch: pytest.MonkeyPatch, tz: str
) -> None:
    """This machine's /etc/localtime links into the zoneinfo folder: the zone takes the
    name of the file it links to, as `status` and the tray show it."""
    monkeypatch.setenv("TZ", tz)
    localtime = Path("/etc/localtime")
    target = str(localtime.resolve())
    assert "/zoneinfo/" in target, "this check needs /etc/localtime to link to a zone file"
    zone = local_zone()
    assert str(zone) == target.split("/zoneinfo/", 1)[1]


def test_an_etc_localtime_copied_rather_than_linked_gives_the_zone_named_localtime(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Some systems copy the zone file to /etc/localtime instead of linking it: the rules
    are read, and the zone is named "localtime". (The lookup of /etc/localtime is pointed
    at a copy in a temporary folder: this machine's own file is a link.)"""
    copy = tmp_path / "localtime"
    copy.write_bytes(Path("/usr/share/zoneinfo/Asia/Tokyo").read_bytes())
    monkeypatch.setattr(values, "Path", pointing_etc_localtime_at(copy))
    monkeypatch.delenv("TZ", raising=False)
    zone = local_zone()
    assert str(zone) == "localtime"
    assert datetime(2026, 7, 1, 12, 0, tzinfo=zone).utcoffset() == 9 * HOUR


def test_without_any_zone_file_the_local_zone_is_the_offset_the_c_library_uses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """As on Windows, where there is no /etc/localtime (faked: the lookup is pointed at a
    missing file), and TZ holds a POSIX rule that names no zone file."""
    monkeypatch.setattr(values, "Path", pointing_etc_localtime_at(tmp_path / "missing"))
    monkeypatch.setenv("TZ", "JST-9")
    time_module.tzset()
    try:
        zone = local_zone()
    finally:
        monkeypatch.undo()
        time_module.tzset()
    assert datetime(2026, 7, 1, 12, 0, tzinfo=zone).utcoffset() == 9 * HOUR


def pointing_etc_localtime_at(stand_in: Path) -> Callable[..., Path]:
    """What stands in for values.Path: `stand_in` where /etc/localtime is asked for."""

    def path(*parts: str) -> Path:
        return stand_in if parts == ("/etc/localtime",) else Path(*parts)

    return path


# ------------------------------------------------------- choices, tags, flags


def test_the_notification_backend_is_one_of_the_named_choices() -> None:
    assert validate("notifications.backend", "console") == "console"
    choices = '"auto", "desktop-notifier", "plyer", "console"'
    assert refusal("notifications.backend", "gnome") == (
        f'expected one of {choices}, found the string "gnome"'
    )
    assert (
        refusal("notifications.backend", 1) == f"expected one of {choices}, found a bare number 1"
    )


def test_stretch_tags_are_known_tags_each_once() -> None:
    key = "stretches.only"
    assert validate(key, []) == ()
    assert validate(key, ["standing", "seated"]) == ("standing", "seated")
    tags = 'a list of "seated", "standing", "discreet" (or [] for all)'
    assert refusal(key, "seated") == f'expected {tags}, found the string "seated"'
    assert refusal(key, ["seated", "yoga"]) == f'expected {tags}, found the string "yoga"'
    assert refusal(key, [1]) == f"expected {tags}, found a bare number 1"
    assert refusal(key, ["seated", "seated"]) == (
        f"expected {tags}, each once, found a list ['seated', 'seated']"
    )


def test_a_switch_is_true_or_false_and_text_is_a_string() -> None:
    assert validate("notifications.quiet_during_calls", False) is False
    assert validate("notifications.quiet_during_calls", True) is True
    assert refusal("notifications.quiet_during_calls", "true") == (
        'expected true or false, found the string "true"'
    )
    assert refusal("notifications.quiet_during_calls", 1) == (
        "expected true or false, found a bare number 1"
    )
    assert validate("guide.url", "https://intranet.example/glutes") == (
        "https://intranet.example/glutes"
    )
    assert refusal("guide.url", 5) == "expected a string, found a bare number 5"
    assert refusal("stretches.file", False) == "expected a string, found a boolean false"


def test_a_key_that_does_not_exist_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        validate("reminders.sitting_limt", "50m")


def test_a_duration_key_defined_without_bounds_is_refused_when_defined() -> None:
    """For whoever adds a key to the table: a duration needs both bounds, said at once."""
    bounds: list[tuple[timedelta | None, timedelta | None]] = [
        (None, None),
        (SEC, None),
        (None, HOUR),
    ]
    for minimum, maximum in bounds:
        with pytest.raises(ValueError) as caught:
            Key("reminders.nap", Kind.DURATION, "5m", "Nap", "A nap.", minimum, maximum)
        assert str(caught.value) == "reminders.nap: a duration key needs a minimum and a maximum"
