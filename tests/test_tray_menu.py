"""The tray menu built from a Status: labels, radio items, locks, and the commands chosen.

The menus are real pystray Menu objects (its display-free "dummy" backend); their
items are activated the way pystray does on a click. The engine is the recording
fake from reminder.testing, so the test sees exactly which commands the tray posts.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from desktop_session import DesktopSession

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
from reminder.tray import TrayApp, select_backend, tray_available
from reminder.tray.backend import NO_DESKTOP_HINT, load_pystray
from reminder.tray.icons import icon_image
from reminder.tray.menu import menu_entries, to_pystray, tooltip

pystray = load_pystray("dummy")


def build(status: Status, tmp_path: Path) -> tuple[Any, RecordingEngine, list[str | None]]:
    """The pystray menu a TrayApp shows for `status`, its recording engine, and opened guides."""
    engine = RecordingEngine(status)
    guides: list[str | None] = []
    app = TrayApp(engine, guides.append, tmp_path / "config.toml")  # type: ignore[arg-type]
    menu = to_pystray(app._entries(status), pystray, app._choose)
    return menu, engine, guides


def item(menu: Any, text: str) -> Any:
    for entry in menu.items:
        if entry.text == text or entry.text.startswith(text):
            return entry
    raise AssertionError(f"no menu item {text!r} in {[e.text for e in menu.items]}")


def click(menu_item: Any) -> None:
    """What pystray does when the user clicks an item."""
    menu_item(None)


def test_the_menu_reads_top_to_bottom_as_a_user_expects(tmp_path: Path) -> None:
    menu, _, _ = build(sample_status(), tmp_path)

    labels = [entry.text for entry in menu.items if entry is not pystray.Menu.SEPARATOR]
    assert labels == [
        "Sitting for 20 min",
        "I moved",
        "Snooze",
        "Pause until tomorrow",
        "Interval: 50 min",
        "Today: 2 breaks, longest spell 47 min",
        "Glute knot guide",
        "When to see a professional",
        "Open settings folder",
        "Quit",
    ]
    assert not item(menu, "Sitting for").enabled
    assert not item(menu, "Today:").enabled


def test_snooze_items_submit_snooze_with_their_duration(tmp_path: Path) -> None:
    menu, engine, _ = build(sample_status(), tmp_path)
    snooze = item(menu, "Snooze").submenu

    assert [entry.text for entry in snooze.items] == ["10 min", "30 min", "1 hour"]
    click(item(snooze, "30 min"))

    assert engine.commands == [Snooze(timedelta(minutes=30))]


def test_i_moved_pause_and_resume_submit_their_commands(tmp_path: Path) -> None:
    menu, engine, _ = build(sample_status(), tmp_path)
    click(item(menu, "I moved"))
    click(item(menu, "Pause until tomorrow"))

    paused_menu, paused_engine, _ = build(sample_status(state=SpellState.PAUSED), tmp_path)
    assert "Pause until tomorrow" not in [entry.text for entry in paused_menu.items]
    click(item(paused_menu, "Resume"))

    assert engine.commands == [TakeBreak(), Pause("tomorrow")]
    assert paused_engine.commands == [Resume()]


def test_interval_radio_items_check_the_current_value_and_add_an_unusual_one(
    tmp_path: Path,
) -> None:
    menu, engine, _ = build(sample_status(sitting_limit=timedelta(minutes=40)), tmp_path)
    interval = item(menu, "Interval: 40 min").submenu

    texts = [entry.text for entry in interval.items]
    assert texts == ["30 min", "40 min", "45 min", "50 min", "1 hour", "1 hour 30 min"]
    assert [entry.text for entry in interval.items if entry.checked] == ["40 min"]
    assert all(entry.radio for entry in interval.items)

    click(item(interval, "1 hour 30 min"))
    assert engine.commands == [SetInterval(timedelta(minutes=90))]


def test_a_locked_interval_is_disabled_and_says_who_set_it(tmp_path: Path) -> None:
    locked = sample_status(interval_locked_by="/etc/xdg/sitting-reminder/config.toml")
    menu, _, _ = build(locked, tmp_path)
    interval = item(menu, "Interval: 50 min (set by your organisation)").submenu

    assert interval.items[0].text == "Set by your organisation"
    assert not any(entry.enabled for entry in interval.items)
    assert [entry.text for entry in interval.items if entry.checked] == ["50 min"]


def test_guide_items_open_the_guide_and_its_professional_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda uri: opened.append(uri) or True)
    engine = RecordingEngine()
    app = TrayApp(engine, lambda section: f"file:///guide#{section or 'top'}", tmp_path / "c.toml")
    menu = to_pystray(menu_entries(engine.status()), pystray, app._choose)

    click(item(menu, "Glute knot guide"))
    click(item(menu, "When to see a professional"))
    click(item(menu, "Quit"))

    DesktopSession.wait_until(lambda: len(opened) == 2, 5, "the browser to be asked twice")
    assert sorted(opened) == ["file:///guide#professional", "file:///guide#top"]
    assert engine.commands == []  # opening things is not a command
    assert engine.stop_requested.is_set()


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        ({"state": SpellState.DUE, "sitting_for": timedelta(minutes=55)}, "Time to move"),
        ({"state": SpellState.ON_BREAK}, "On a break"),
        ({"state": SpellState.OFF_HOURS}, "Outside work hours"),
        ({"sitting_for": timedelta(seconds=20)}, "Sitting for under a minute"),
    ],
    ids=["due", "on-break", "off-hours", "fresh-spell"],
)
def test_status_line_names_the_state(changes: dict[str, Any], line: str, tmp_path: Path) -> None:
    menu, _, _ = build(sample_status(**changes), tmp_path)
    assert menu.items[0].text.startswith(line)


def test_tooltip_says_sitting_time_and_next_prompt() -> None:
    text = tooltip(sample_status())
    assert "Sitting for 20 min" in text
    assert "Next prompt at" in text


def test_today_line_counts_prompted_and_natural_breaks(tmp_path: Path) -> None:
    today = DayStats(day="2026-11-25", breaks_taken=1, natural_breaks=0, longest_spell_s=3900)
    menu, _, _ = build(sample_status(today=today), tmp_path)
    assert item(menu, "Today:").text == "Today: 1 break, longest spell 1 hour 5 min"


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
