"""Notifications on a real desktop: dunst on a private session bus under Xvfb.

Nothing is faked: the prompt goes through desktop-notifier and D-Bus to dunst, is read
back with dbus-monitor, and dunst itself invokes the "Done" action (`dunstctl context`,
with a dmenu program that picks "Done" the way a user would pick it from the list).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import require_desktop_tools
from desktop_helpers import NotifyMonitor, Window, crop, dmenu_picker, popup_windows
from desktop_session import DesktopSession

from reminder.core.model import PromptAction
from reminder.notify import DesktopNotifierBackend, Notifier, PromptMessage, build_notifier
from reminder.stretches import Stretch

pytestmark = pytest.mark.desktop

PIGEON = Stretch(
    id="seated-pigeon",
    name="Seated pigeon stretch",
    targets=("piriformis", "gluteus maximus"),
    duration=timedelta(seconds=60),
    steps=("Cross your right ankle over your left knee.", "Lean forward slowly; swap sides."),
)


def prompt(repeat: int = 0) -> PromptMessage:
    return PromptMessage(
        stretch=PIGEON,
        sitting_for=timedelta(minutes=50),
        repeat=repeat,
        guide_location="file:///usr/share/doc/sitting-reminder/guide.html",
        snooze=timedelta(minutes=10),
    )


async def show_once_more(notifier: Notifier, message: PromptMessage) -> None:
    """Show one prompt and keep the notifier open for the next one."""
    await notifier.show(message, lambda action: None)


async def show_once(notifier: Notifier, message: PromptMessage) -> None:
    """Show one prompt, then close the notifier (its bus connection) as the service does."""
    try:
        await notifier.show(message, lambda action: None)
    finally:
        await notifier.close()


def wait_for_bubble(desktop: DesktopSession) -> Window:
    """dunst's notification window, once it is drawn on screen."""
    found: list[Window] = []

    def drawn() -> bool:
        found[:] = popup_windows(desktop, "Dunst")
        return bool(found)

    desktop.wait_until(drawn, 10, "dunst to draw the notification")
    return found[0]


@pytest.fixture
def bus_desktop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopSession]:
    """A desktop whose bus starts no services itself (a stopped dunst stays stopped).

    This process joins it, so desktop-notifier talks to this bus and this dunst.
    """
    require_desktop_tools()
    require_desktop_tools("dunstctl", "dbus-monitor")
    with DesktopSession(tmp_path / "desktop", bus_activation=False) as session:
        for name in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
            monkeypatch.setenv(name, session.env[name])
        yield session


def test_the_prompt_reaches_dunst_with_the_stretch_and_three_buttons(
    bus_desktop: DesktopSession, artifacts: Path
) -> None:
    bus_desktop.start_dunst()
    with NotifyMonitor(bus_desktop) as monitor:
        asyncio.run(show_once(DesktopNotifierBackend(), prompt()))
        call = monitor.wait_for_call("Seated pigeon stretch")

    assert '"Time to move: 50m sitting"' in call
    for button in ('"Done"', '"Snooze 10m"', '"Guide"'):
        assert button in call, f"button {button} missing from the Notify call:\n{call}"
    bubble = wait_for_bubble(bus_desktop)
    shot = bus_desktop.screenshot(artifacts / "notification-dunst.png")
    crop(
        shot,
        artifacts / "notification-crop.png",
        (bubble.x - 10, bubble.y - 10, bubble.width + 20, bubble.height + 20),
    )


def test_choosing_done_in_dunst_calls_the_done_action(bus_desktop: DesktopSession) -> None:
    bus_desktop.start_dunst(dmenu_picker(bus_desktop, "Done"))
    pressed: list[PromptAction] = []

    async def show_then_choose_done() -> None:
        got_one = asyncio.Event()

        def on_action(action: PromptAction) -> None:
            pressed.append(action)
            got_one.set()

        notifier = DesktopNotifierBackend()
        await notifier.show(prompt(), on_action)
        try:
            chooser = await asyncio.create_subprocess_exec(
                "dunstctl", "context", env=bus_desktop.env
            )
            await chooser.wait()
            await asyncio.wait_for(got_one.wait(), 10)
        finally:
            await notifier.close()

    asyncio.run(show_then_choose_done())

    assert pressed == [PromptAction.DONE]
    menu = (bus_desktop.workdir / "context-menu.txt").read_text()
    assert "#Done " in menu and "#Snooze 10m " in menu and "#Guide " in menu


def test_with_dunst_stopped_the_prompt_falls_back_and_dunst_gets_the_next_one(
    bus_desktop: DesktopSession,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    chain = build_notifier("auto", has_display=True)
    bus_desktop.start_dunst()
    bus_desktop.stop_dunst()

    with caplog.at_level(logging.WARNING, logger="reminder.notify"):
        asyncio.run(show_once_more(chain, prompt()))

    assert "notifier desktop-notifier could not show the prompt" in caplog.text
    assert chain.last_used in ("plyer", "console")
    if chain.last_used == "console":
        assert "Seated pigeon stretch" in capsys.readouterr().out

    bus_desktop.start_dunst()
    with NotifyMonitor(bus_desktop) as monitor:
        asyncio.run(show_once(chain, prompt(repeat=1)))
        call = monitor.wait_for_call("Seated pigeon stretch")

    assert chain.last_used == "desktop-notifier"
    assert "Still sitting, 50m now" in call
