"""Notifications on a real desktop: dunst on a private session bus under Xvfb.

Nothing is faked: the prompt goes through desktop-notifier and D-Bus to dunst, is read
back with dbus-monitor, and dunst itself invokes the "Done" action (`dunstctl context`,
with a dmenu program that picks "Done" the way a user would pick it from the list).
The stretch is a real one from the built-in catalog, with its shipped picture.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import docs_screenshots, require_desktop_tools
from desktop_helpers import NotifyMonitor, Window, crop, dmenu_picker, popup_windows
from desktop_session import DesktopSession
from PIL import Image

from reminder.core.model import PromptAction
from reminder.notify import DesktopNotifierBackend, Notifier, PromptMessage, build_notifier
from reminder.stretches import Stretch, load_catalog

pytestmark = pytest.mark.desktop

# dunst's built-in default draws images at most 32 px; Debian's /etc/xdg/dunst/dunstrc
# (what a user of Debian's dunst gets) says 128, which shows the picture as it is meant.
DEBIAN_ICON_SIZE = "max_icon_size = 128"

CATALOG = {stretch.id: stretch for stretch in load_catalog()}
FIGURE_FOUR = CATALOG["seated-figure-four"]


def prompt(repeat: int = 0, stretch: Stretch = FIGURE_FOUR) -> PromptMessage:
    return PromptMessage(
        stretch=stretch,
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


def test_the_prompt_reaches_dunst_with_the_stretch_its_picture_and_three_buttons(
    bus_desktop: DesktopSession, artifacts: Path
) -> None:
    """Also the README's picture of a prompt (docs/notification.png with UPDATE_DOCS=1)."""
    bus_desktop.start_dunst(DEBIAN_ICON_SIZE)
    with NotifyMonitor(bus_desktop) as monitor:
        asyncio.run(show_once(DesktopNotifierBackend(), prompt()))
        call = monitor.wait_for_call("Seated figure-four")

    assert '"Time to move: 50 min sitting"' in call
    assert "Seated figure-four (1 min, for the piriformis and gluteus maximus)" in call
    assert "Caution: After a hip replacement" in call
    for button in ('"Done"', '"Snooze 10 min"', '"Guide"'):
        assert button in call, f"button {button} missing from the Notify call:\n{call}"
    # The picture travels as the freedesktop image-path hint: the shipped PNG.
    picture = FIGURE_FOUR.raster_picture
    assert picture is not None and picture.suffix == ".png"
    assert re.search(
        rf'string "image-path"\s+variant\s+string "{re.escape(picture.as_uri())}"', call
    ), call
    assert call.count("file://") == 1  # the picture; the text shows no address
    bubble = wait_for_bubble(bus_desktop)
    shot = bus_desktop.screenshot(artifacts / "notification-dunst.png")
    cropped = crop(
        shot,
        artifacts / "notification-crop.png",
        (bubble.x - 10, bubble.y - 10, bubble.width + 20, bubble.height + 20),
    )
    shutil.copyfile(cropped, docs_screenshots() / "notification.png")
    # dunst drew the picture: the figure's green and the arrow's blue are in the bubble.
    with Image.open(cropped) as image:
        counted = image.convert("RGB").getcolors(1_000_000) or []
        colours = {colour for _, colour in counted if isinstance(colour, tuple)}
    assert any(near(colour, (0x2D, 0x6A, 0x4F)) for colour in colours), "no figure in the bubble"
    assert any(near(colour, (0x1F, 0x6F, 0xEB)) for colour in colours), "no arrow in the bubble"


def near(colour: tuple[int, ...], target: tuple[int, int, int], by: int = 12) -> bool:
    return all(abs(a - b) <= by for a, b in zip(colour, target, strict=True))


def test_a_repeat_prompt_replaces_the_one_on_screen(bus_desktop: DesktopSession) -> None:
    """After two prompts, dunst shows one notification: the second, with the new stretch."""
    bus_desktop.start_dunst()
    walk = CATALOG["short-walk"]

    async def two_prompts() -> None:
        notifier = DesktopNotifierBackend()
        try:
            await notifier.show(prompt(), lambda action: None)
            await notifier.show(prompt(repeat=1, stretch=walk), lambda action: None)
        finally:
            await notifier.close()

    with NotifyMonitor(bus_desktop) as monitor:
        asyncio.run(two_prompts())
        monitor.wait_for_call("A short walk")
    assert len(monitor.calls()) == 2

    def count(kind: str) -> str:
        return bus_desktop.run("dunstctl", "count", kind).strip()

    bus_desktop.wait_until(lambda: count("history") == "1", 5, "dunst to close the first prompt")
    assert (count("displayed"), count("waiting")) == ("1", "0")  # dunst shows up to five
    history = bus_desktop.run("dunstctl", "history")
    assert "Seated figure-four" in history and "A short walk" not in history


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
    assert "#Done " in menu and "#Snooze 10 min " in menu and "#Guide " in menu


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
        assert "Seated figure-four" in capsys.readouterr().out

    bus_desktop.start_dunst()
    with NotifyMonitor(bus_desktop) as monitor:
        asyncio.run(show_once(chain, prompt(repeat=1)))
        call = monitor.wait_for_call("Seated figure-four")

    assert chain.last_used == "desktop-notifier"
    assert "Still sitting, 50 min now" in call
