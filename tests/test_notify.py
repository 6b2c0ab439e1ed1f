"""The notifier chain: a failing backend hands the prompt on, and is tried again next time.

The backends here are the package's recording fakes (reminder.testing), except the
console notifier, which is the real one writing to the captured stdout.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import timedelta

import pytest

from reminder.core.model import PromptAction
from reminder.notify import (
    ConsoleNotifier,
    FallbackNotifier,
    NotifierError,
    PromptMessage,
    build_notifier,
)
from reminder.stretches import Stretch
from reminder.testing import RecordingNotifier

FIGURE_FOUR = Stretch(
    id="seated-figure-four",
    name="Seated figure-four",
    targets=("piriformis", "gluteus maximus"),
    duration=timedelta(seconds=60),
    steps=("Rest your right ankle on your left knee.", "Lean forward gently; swap sides."),
    caution="After a hip replacement, ask your surgeon first.",
)


def prompt(
    repeat: int = 0, *, sitting_for: timedelta = timedelta(minutes=52), **extra: timedelta
) -> PromptMessage:
    return PromptMessage(
        stretch=FIGURE_FOUR,
        sitting_for=sitting_for,
        repeat=repeat,
        guide_location="file:///guide/index.html",
        snooze=timedelta(minutes=10),
        **extra,
    )


def ignore(action: PromptAction) -> None:
    return None


def test_failing_first_backend_hands_the_prompt_to_the_next_and_is_retried_next_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    desktop = RecordingNotifier("desktop", fail_with=NotifierError("server gone"))
    console = RecordingNotifier("console")
    chain = FallbackNotifier([desktop, console])

    asyncio.run(chain.show(prompt(), ignore))

    assert console.shown == [prompt()]
    assert chain.last_used == "console"
    assert "desktop could not show the prompt: server gone; trying console" in caplog.text

    desktop.fail_with = None  # the notification server is back
    asyncio.run(chain.show(prompt(repeat=1), ignore))

    assert desktop.shown == [prompt(repeat=1)]
    assert console.shown == [prompt()]  # the second prompt did not fall back
    assert chain.last_used == "desktop"


def test_every_backend_failing_is_logged_and_does_not_raise(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = RecordingNotifier("desktop", fail_with=RuntimeError("bug in a backend"))
    also_broken = RecordingNotifier("plyer", fail_with=NotifierError("no backend"))
    chain = FallbackNotifier([broken, also_broken])

    with caplog.at_level(logging.WARNING):
        asyncio.run(chain.show(prompt(), ignore))

    assert (broken.attempts, also_broken.attempts) == (1, 1)
    assert chain.last_used is None
    assert "no notifier could show the prompt" in caplog.text
    assert FIGURE_FOUR.name in caplog.text


def test_a_backend_that_hangs_is_abandoned_and_the_prompt_falls_back() -> None:
    class Hanging(RecordingNotifier):
        async def show(self, prompt: PromptMessage, on_action: object) -> None:
            await asyncio.sleep(3600)

    console = RecordingNotifier("console")
    chain = FallbackNotifier([Hanging("desktop"), console], timeout=0.05)

    asyncio.run(chain.show(prompt(), ignore))

    assert console.shown == [prompt()]


def test_button_presses_reach_the_action_handler() -> None:
    desktop = RecordingNotifier("desktop")
    pressed: list[PromptAction] = []

    asyncio.run(FallbackNotifier([desktop]).show(prompt(), pressed.append))
    desktop.press(PromptAction.DONE)

    assert pressed == [PromptAction.DONE]


def test_console_notifier_prints_one_line_naming_the_stretch(
    capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(ConsoleNotifier().show(prompt(), ignore))

    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "Time to move: 52 min sitting" in out
    assert "Seated figure-four (1 min, for the piriformis and gluteus maximus)" in out
    assert "Caution: After a hip replacement, ask your surgeon first." in out
    assert out.rstrip().endswith("Guide: sitting-reminder guide")  # no buttons: the command
    assert "file://" not in out


# ------------------------------------------------------------------ what a prompt says


@pytest.mark.parametrize(
    ("message", "title"),
    [
        (prompt(), "Time to move: 52 min sitting"),
        (prompt(sitting_for=timedelta(minutes=50, seconds=40)), "Time to move: 50 min sitting"),
        (
            prompt(1, sitting_for=timedelta(minutes=70)),
            "Still sitting, 1 hour 10 min now: time to get up",
        ),
        (prompt(sitting_for=timedelta(seconds=45)), "Time to move: 45 s sitting"),
        (
            prompt(2, after_call=timedelta(minutes=55)),
            "You sat through a 55 min call: stand up for a minute",
        ),
        (
            prompt(after_call=timedelta(hours=1, minutes=30)),
            "You sat through a 1 hour 30 min call: stand up for a minute",
        ),
    ],
    ids=["first", "seconds-dropped", "repeat", "under-a-minute", "after-call", "after-long-call"],
)
def test_the_title_says_how_long_in_the_words_used_everywhere(
    message: PromptMessage, title: str
) -> None:
    assert message.title == title


def test_the_body_names_duration_targets_steps_and_caution_but_no_address() -> None:
    body = prompt().body(buttons=True)
    assert body.startswith("Seated figure-four (1 min, for the piriformis and gluteus maximus): ")
    assert "Rest your right ankle on your left knee. Lean forward gently; swap sides." in body
    assert body.endswith("Caution: After a hip replacement, ask your surgeon first.")
    assert "file://" not in body and "sitting-reminder guide" not in body  # the Guide button


def test_without_buttons_the_body_names_the_guide_command_instead_of_the_address() -> None:
    body = prompt().body(buttons=False)
    assert body.endswith("\nWhy, and when to see someone: sitting-reminder guide")
    assert "file://" not in body


def test_the_snooze_button_reads_like_every_other_duration() -> None:
    assert prompt().snooze_label == "Snooze 10 min"


def test_a_stretch_without_caution_has_no_caution_line() -> None:
    plain = PromptMessage(
        stretch=Stretch("walk", "A short walk", ("calves",), timedelta(minutes=2), ("Up.", "Go.")),
        sitting_for=timedelta(minutes=50),
        repeat=0,
        guide_location="https://intranet.example.com/guide",
        snooze=timedelta(minutes=30),
    )
    assert "Caution" not in plain.body(buttons=True) + plain.console_line()
    assert plain.stretch_heading == "A short walk (2 min, for the calves)"
    assert plain.snooze_label == "Snooze 30 min"
    assert "intranet" not in plain.console_line()


@pytest.mark.parametrize(
    ("backend", "has_display", "chain"),
    [
        ("auto", True, "desktop-notifier > plyer > console"),
        ("auto", False, "console"),
        ("plyer", True, "plyer > console"),
        ("desktop-notifier", True, "desktop-notifier > console"),
        ("console", True, "console"),
    ],
)
def test_build_notifier_chains_the_configured_backend_before_the_console(
    backend: str, has_display: bool, chain: str
) -> None:
    assert build_notifier(backend, has_display=has_display).name == chain


def test_build_notifier_rejects_an_unknown_backend_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="auto, desktop-notifier, plyer, console"):
        build_notifier("growl", has_display=True)


def test_plyer_without_any_way_to_notify_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A Linux machine without dbus-python and notify-send (both are made unavailable here)."""
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setitem(sys.modules, "dbus", None)
    monkeypatch.setattr("shutil.which", lambda name: None)
    chain = build_notifier("plyer", has_display=True)

    asyncio.run(chain.show(prompt(), ignore))

    assert "install dbus-python or notify-send (libnotify-bin)" in caplog.text
    assert chain.last_used == "console"
