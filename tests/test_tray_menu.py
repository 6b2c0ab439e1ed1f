"""The tray menu model, built from a Status: texts, greyed-out commands, locks, and the
pystray rendering of it with the commands a click posts.

The model is pure, so these tests are plain functions of a snapshot. The pystray menus
are real pystray Menu objects (its display-free "dummy" backend), activated the way
pystray does on a click; the engine is the recording fake from reminder.testing.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reminder.core.model import (
    DayStats,
    Pause,
    Resume,
    SetInterval,
    Snooze,
    SpellState,
    Status,
    TakeBreak,
)
from reminder.testing import RecordingEngine, sample_status
from reminder.tray.actions import TrayActions, perform
from reminder.tray.backend import NO_DESKTOP_HINT, load_pystray, select_backend, tray_available
from reminder.tray.dbusmenu import DbusMenu
from reminder.tray.icons import drawn_pixmaps, icon_image
from reminder.tray.menu import Entry, menu_entries, status_line, to_pystray, tooltip, tooltip_lines
from reminder.tray.pixmaps import SNI_SIZES, sni_pixmaps

pystray = load_pystray("dummy")

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)  # a Wednesday; sample_status's "now"
LOCKED_BY = "/etc/xdg/sitting-reminder/config.toml"


def sitting(**changes: Any) -> Status:
    """Sitting since 09:40 UTC (20 minutes), as the engine reports it."""
    return sample_status(**{"spell_started_at": NOW - timedelta(minutes=20), **changes})


def labels(entries: tuple[Entry, ...]) -> list[str]:
    return [entry.text for entry in entries if not entry.separator]


def line(entries: tuple[Entry, ...], text: str) -> Entry:
    for entry in entries:
        if entry.text.startswith(text):
            return entry
    raise AssertionError(f"no menu line {text!r} in {labels(entries)}")


def after(entries: tuple[Entry, ...], text: str) -> Entry:
    """The line right below the one starting with `text`."""
    index = entries.index(line(entries, text))
    return entries[index + 1]


class RecordedActions:
    """TrayActions that remember which were run."""

    def __init__(self) -> None:
        self.run: list[str] = []

    def actions(self) -> TrayActions:
        return TrayActions(
            open_guide=lambda: self.run.append("guide"),
            open_professional=lambda: self.run.append("professional"),
            open_weekly_report=lambda: self.run.append("weekly_report"),
            open_settings=lambda: self.run.append("settings"),
            quit=lambda: self.run.append("quit"),
        )


# ------------------------------------------------------------------- texts


def test_the_menu_reads_top_to_bottom_as_a_user_expects() -> None:
    entries = menu_entries(sitting())

    assert labels(entries) == [
        "Sitting since 09:40",
        "Next prompt at 10:30",
        "I moved",
        "Snooze",
        "Pause until tomorrow",
        "Interval: 50 min",
        "Today: 2 breaks, longest spell 47 min",
        "This week",
        "Glute knot guide",
        "When to see a professional",
        "Settings…",
        "Quit",
    ]
    informative = ("Sitting since", "Next prompt", "Today:")
    assert [e.text for e in entries if not e.enabled and not e.separator] == [
        line(entries, text).text for text in informative
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"state": SpellState.DUE}, "Time to move: sitting since 09:40"),
        (
            {"state": SpellState.SNOOZED, "snoozed_until": NOW + timedelta(minutes=20)},
            "Snoozed until 10:20 (sitting since 09:40)",
        ),
        (
            {
                "state": SpellState.PAUSED,
                "paused_until": datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc),
            },
            "Paused until Thu 09:00",
        ),
        (
            {
                "state": SpellState.OFF_HOURS,
                "tracking_resumes_at": datetime(2026, 11, 26, 8, 30, tzinfo=timezone.utc),
            },
            "Outside work hours; tracking resumes Thu 08:30",
        ),
        ({"state": SpellState.ON_BREAK, "spell_started_at": None}, "On a break"),
    ],
    ids=["due", "snoozed", "paused", "off-hours", "on-break"],
)
def test_the_first_line_names_the_state_and_its_moment(
    changes: dict[str, Any], expected: str
) -> None:
    assert menu_entries(sitting(**changes))[0].text == expected
    assert status_line(sitting(**changes)) == expected


def test_times_are_shown_in_the_configured_zone_with_its_label() -> None:
    tokyo = sitting(zone=ZoneInfo("Asia/Tokyo"), zone_label="(Asia/Tokyo)")

    assert status_line(tokyo) == "Sitting since 18:40 (Asia/Tokyo)"
    assert "Next prompt at 19:30 (Asia/Tokyo)" in tooltip_lines(tokyo)


def test_an_engine_without_the_spell_start_still_gets_a_moment() -> None:
    """Older snapshots carry only the length: the start is now minus that length."""
    assert status_line(sample_status()) == "Sitting since 09:40"


@given(elapsed=st.integers(min_value=0, max_value=29 * 60))
def test_nothing_shown_changes_while_time_passes_in_one_state(elapsed: int) -> None:
    """The menu and the tooltip are the same at 10:00 and at any later second before
    the next prompt: a tray resends nothing until the state changes."""
    later = replace(
        sitting(),
        now=NOW + timedelta(seconds=elapsed),
        sitting_for=timedelta(minutes=20, seconds=elapsed),
    )

    assert menu_entries(later) == menu_entries(sitting())
    assert tooltip(later) == tooltip(sitting())


def test_tooltip_says_since_when_and_the_next_prompt() -> None:
    assert tooltip(sitting()) == "Sitting Reminder: Sitting since 09:40\nNext prompt at 10:30"
    paused = sitting(state=SpellState.PAUSED, paused_until=NOW + timedelta(hours=2))
    assert tooltip_lines(paused) == ("Paused until 12:00",)


def test_a_held_prompt_says_why_it_waits() -> None:
    in_call = sitting(state=SpellState.DUE, held_for="call", held_since=NOW)
    entries = menu_entries(in_call)

    held = line(entries, "In a call")
    assert held.text.startswith("In a call: your reminder waits")
    assert not held.enabled
    assert held.text in tooltip_lines(in_call)
    assert not any(e.text.startswith("In a call") for e in menu_entries(sitting()))


def test_a_configuration_problem_is_shown_in_menu_and_tooltip() -> None:
    broken = sitting(config_warning="config.toml line 3: expected a duration")
    assert not line(menu_entries(broken), "Configuration problem").enabled
    assert "Configuration problem: see the log" in tooltip(broken)


def test_today_line_counts_prompted_and_natural_breaks() -> None:
    today = DayStats(day="2026-11-25", breaks_taken=1, natural_breaks=0, longest_spell_s=3900)
    entries = menu_entries(sitting(today=today))
    assert line(entries, "Today:").text == "Today: 1 break, longest spell 1 hour 5 min"


# --------------------------------------------------- refusals and locks


def test_a_command_that_would_change_nothing_is_greyed_out_with_the_reason_below() -> None:
    reason = "Nothing to snooze: tracking is paused until Thu 09:00; resume first"
    paused = sitting(
        state=SpellState.PAUSED,
        paused_until=datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc),
        refusals={"snooze": reason, "break": reason},
    )
    entries = menu_entries(paused)

    for text in ("I moved", "Snooze"):
        assert not line(entries, text).enabled, text
    assert after(entries, "I moved").text == reason  # shown once, under the first it explains
    assert not after(entries, "I moved").enabled
    assert after(entries, "Snooze").text == "Resume"
    assert line(entries, "Resume").enabled


def test_each_different_reason_is_shown_under_its_own_item() -> None:
    refusals = {"break": "No sitting spell to end: you are on a break", "pause": "Already paused"}
    entries = menu_entries(sitting(state=SpellState.ON_BREAK, refusals=refusals))

    assert after(entries, "I moved").text == refusals["break"]
    assert after(entries, "Pause until tomorrow").text == refusals["pause"]
    assert line(entries, "Snooze").enabled


@pytest.mark.parametrize(
    "lock",
    [{"locked": {"reminders.sitting_limit": LOCKED_BY}}, {"interval_locked_by": LOCKED_BY}],
    ids=["locked-map", "older-engine-field"],
)
def test_a_locked_interval_is_disabled_and_says_who_set_it(lock: dict[str, Any]) -> None:
    entries = menu_entries(sitting(**lock))
    interval = line(entries, "Interval:")

    assert interval.text == "Interval: 50 min, set by your organisation"
    assert not interval.enabled
    assert not any(choice.enabled for choice in interval.submenu)
    assert line(menu_entries(sitting(locked={"schedule.timezone": LOCKED_BY})), "Interval:").enabled


def test_interval_choices_are_radio_items_checking_the_current_value() -> None:
    entries = menu_entries(sitting(sitting_limit=timedelta(minutes=40)))
    interval = line(entries, "Interval: 40 min").submenu

    assert [e.text for e in interval] == [
        "30 min",
        "40 min",
        "45 min",
        "50 min",
        "1 hour",
        "1 hour 30 min",
    ]
    assert [e.text for e in interval if e.checked] == ["40 min"]
    assert all(e.radio for e in interval)


# --------------------------------------------------- what a click does


def build_pystray_menu(status: Status) -> tuple[Any, RecordingEngine, RecordedActions]:
    engine = RecordingEngine(status)
    recorded = RecordedActions()
    actions = recorded.actions()
    menu = to_pystray(menu_entries(status), pystray, lambda e: perform(e, engine, actions))
    return menu, engine, recorded


def item(menu: Any, text: str) -> Any:
    for entry in menu.items:
        if entry.text.startswith(text):
            return entry
    raise AssertionError(f"no menu item {text!r} in {[e.text for e in menu.items]}")


def click(menu_item: Any) -> None:
    """What pystray does when the user clicks an item."""
    menu_item(None)


def test_pystray_items_submit_their_commands() -> None:
    menu, engine, _ = build_pystray_menu(sitting())
    click(item(menu, "I moved"))
    click(item(item(menu, "Snooze").submenu, "30 min"))
    click(item(menu, "Pause until tomorrow"))
    click(item(item(menu, "Interval").submenu, "1 hour 30 min"))

    paused_menu, paused_engine, _ = build_pystray_menu(sitting(state=SpellState.PAUSED))
    assert "Pause until tomorrow" not in [entry.text for entry in paused_menu.items]
    click(item(paused_menu, "Resume"))

    assert engine.commands == [
        TakeBreak(),
        Snooze(timedelta(minutes=30)),
        Pause("tomorrow"),
        SetInterval(timedelta(minutes=90)),
    ]
    assert paused_engine.commands == [Resume()]


def test_pystray_shows_disabled_and_checked_items_as_the_model_says() -> None:
    menu, _, _ = build_pystray_menu(sitting(refusals={"break": "No spell to end"}))
    assert not item(menu, "I moved").enabled
    assert not item(menu, "No spell to end").enabled
    interval = item(menu, "Interval").submenu
    assert [e.text for e in interval.items if e.checked] == ["50 min"]
    assert [e.text for e in item(menu, "Snooze").submenu.items] == ["10 min", "30 min", "1 hour"]


def test_items_that_open_something_run_the_shells_actions_not_commands() -> None:
    menu, engine, recorded = build_pystray_menu(sitting())
    for text in (
        "This week",
        "Glute knot guide",
        "When to see a professional",
        "Settings…",
        "Quit",
    ):
        click(item(menu, text))

    assert recorded.run == ["weekly_report", "guide", "professional", "settings", "quit"]
    assert engine.commands == []


def test_a_failing_action_is_logged_and_the_tray_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise OSError("no browser")

    actions = replace(RecordedActions().actions(), open_guide=broken)
    perform(Entry("Glute knot guide", open="guide"), RecordingEngine(), actions)
    assert "Glute knot guide failed" in caplog.text


# ------------------------------------------------------- icons, backend


def test_each_state_has_its_own_icon_shape_not_just_a_colour() -> None:
    """With colour thrown away (white glyphs vs everything else), every state still differs."""
    shapes = {
        state: icon_image(state, 32).convert("L").point(lambda v: 255 if v > 200 else 0).tobytes()
        for state in SpellState
    }
    assert len(set(shapes.values())) == len(SpellState)


def test_without_a_display_there_is_no_tray_and_the_hint_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "PYSTRAY_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")

    assert tray_available() == (False, NO_DESKTOP_HINT)


def test_without_pygobject_the_hint_says_how_to_get_the_menu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PyGObject is made unimportable here, as on a machine without python3-gi."""
    monkeypatch.delenv("PYSTRAY_BACKEND", raising=False)
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr("sys.platform", "linux")
    for module in ("gi", "gi.repository"):
        monkeypatch.setitem(sys.modules, module, None)

    available, hint = tray_available()

    assert not available
    assert "python3-gi" in hint and "README" in hint


def test_pystray_backend_from_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYSTRAY_BACKEND", "xorg")
    assert select_backend() == ("xorg", "")


# ------------------------------------------- the SNI rendering: dbusmenu


def unwrap(node: list[Any]) -> tuple[int, dict[str, Any], list[Any]]:
    """A GetLayout node as plain values: (id, {property: value}, [child nodes])."""
    item_id, props, children = node
    return item_id, {k: v.value for k, v in props.items()}, [child.value for child in children]


def shown_labels(menu: DbusMenu, parent: int = 0) -> list[str]:
    _, _, children = unwrap(menu.layout(parent, 1, []))
    return [unwrap(child)[1].get("label", "-") for child in children]


def test_dbusmenu_layout_carries_labels_types_toggles_and_submenus() -> None:
    menu = DbusMenu()
    assert menu.update(menu_entries(sitting(refusals={"break": "No spell to end"})))

    root_id, root_props, children = unwrap(menu.layout(0, -1, []))
    assert (root_id, root_props) == (0, {"children-display": "submenu"})
    by_label = {unwrap(child)[1].get("label"): unwrap(child) for child in children}
    assert by_label["Sitting since 09:40"][1] == {"label": "Sitting since 09:40", "enabled": False}
    assert by_label["I moved"][1] == {"label": "I moved", "enabled": False}
    assert by_label["Glute knot guide"][1] == {"label": "Glute knot guide"}
    assert sum(1 for child in children if unwrap(child)[1] == {"type": "separator"}) == 4

    snooze_id, snooze_props, snooze_children = by_label["Snooze"]
    assert snooze_props == {"label": "Snooze", "children-display": "submenu"}
    assert [unwrap(c)[1]["label"] for c in snooze_children] == ["10 min", "30 min", "1 hour"]
    interval = {unwrap(c)[1]["label"]: unwrap(c)[1] for c in by_label["Interval: 50 min"][2]}
    assert interval["50 min"] == {"label": "50 min", "toggle-type": "radio", "toggle-state": 1}
    assert interval["30 min"]["toggle-state"] == 0
    assert menu.entry(snooze_id) == line(menu_entries(sitting()), "Snooze")


def test_dbusmenu_layout_honours_depth_and_property_names() -> None:
    menu = DbusMenu()
    menu.update(menu_entries(sitting()))

    assert unwrap(menu.layout(0, 0, []))[2] == []
    one_level = unwrap(menu.layout(0, 1, ["label"]))[2]
    assert all(unwrap(child)[2] == [] for child in one_level)
    assert all(set(unwrap(child)[1]) <= {"label"} for child in one_level)


def ids_by_text(menu: DbusMenu) -> dict[str, int]:
    """Each line's text and its item id, over the whole menu."""
    found = {}
    for item_id in range(1, 100):
        entry = menu.entry(item_id)
        if entry is not None:
            found[entry.text] = item_id
    return found


def test_dbusmenu_revision_moves_only_when_the_menu_changes_and_ids_stay_with_their_line() -> None:
    menu = DbusMenu()
    menu.update(menu_entries(sitting()))
    revision = menu.revision
    ids = ids_by_text(menu)

    assert not menu.update(menu_entries(sitting()))
    assert menu.revision == revision

    due = sitting(state=SpellState.DUE, held_for="call")  # a line more, near the top
    assert menu.update(menu_entries(due))
    assert menu.revision == revision + 1
    new_ids = ids_by_text(menu)
    for text in ("I moved", "Snooze", "10 min", "Quit"):
        assert new_ids[text] == ids[text], text
    assert new_ids["Time to move: sitting since 09:40"] == ids["Sitting since 09:40"]


def test_dbusmenu_labels_show_underscores_instead_of_access_keys() -> None:
    menu = DbusMenu()
    menu.update(menu_entries(sitting(refusals={"break": "see snooze_options"})))
    assert "see snooze__options" in shown_labels(menu)


def test_sni_pixmaps_are_argb32_in_network_byte_order_at_every_size() -> None:
    pixmaps = sni_pixmaps(SpellState.SITTING)

    assert [(w, h) for w, h, _ in pixmaps] == [(size, size) for size in SNI_SIZES]
    width, _, pixels = pixmaps[-1]
    assert len(pixels) == width * width * 4
    x, y = width - 4, width - 4  # inside the tile's lower right corner, away from the chair
    offset = (y * width + x) * 4
    red, green, blue, alpha = icon_image(SpellState.SITTING, width).tobytes()[offset : offset + 4]
    assert tuple(pixels[offset : offset + 4]) == (alpha, red, green, blue)
    assert alpha == 0xFF and green > red and green > blue  # the green tile (#2d6a4f)
    assert pixels[0] == 0  # the rounded corner is transparent
    assert sni_pixmaps(SpellState.SITTING) is pixmaps  # cached


def test_the_shipped_sni_pixmaps_are_what_the_icons_draw_now() -> None:
    """config/icons/ is made by `python -m reminder.tray.icons`; stale files fail here."""
    for state in SpellState:
        assert sni_pixmaps(state) == drawn_pixmaps(state), (
            f"run python -m reminder.tray.icons ({state})"
        )
