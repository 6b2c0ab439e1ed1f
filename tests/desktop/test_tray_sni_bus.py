"""The StatusNotifierItem tray on a real session bus, seen from a host's side.

Real: `dbus-daemon`, Debian's `status-notifier-watcher`, and the SniTray itself.
The host's side is this test's own dbus-fast connection, reading the item as a tray
host does (GetAll, GetLayout, Event) and recording every signal, so that the
protocol (types, revisions, which signal when) is asserted exactly; the real host
(gtk-sni-tray on Xvfb) is in test_tray_sni_host.py. The engine is the recording
fake from reminder.testing.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from conftest import require_desktop_tools
from dbus_fast import Variant
from dbus_fast.aio import MessageBus
from dbus_fast.errors import DBusError
from private_bus import eventually
from sni_helpers import (
    HostView,
    RecordedActions,
    Watcher,
    quiet_bus,
    registered_items,
    sni_tray,
)

from reminder._dbus import call
from reminder.core.model import Snooze, SpellState, Status, TakeBreak
from reminder.testing import RecordingEngine, sample_status
from reminder.tray.choose import choose_tray
from reminder.tray.pixmaps import SNI_SIZES, sni_pixmaps
from reminder.tray.sni import ITEM_PATH, MENU_PATH, item_bus_name

pytestmark = pytest.mark.desktop

SITTING = sample_status(spell_started_at=sample_status().now - timedelta(minutes=20))
ITEM_NAME = item_bus_name(os.getpid())


@pytest.fixture
def bus_address(tmp_path: Path) -> Iterator[str]:
    require_desktop_tools("dbus-daemon", "status-notifier-watcher")
    with quiet_bus(tmp_path / "bus") as address:
        yield address


def later(minutes: int, **changes: Any) -> Status:
    """SITTING `minutes` later, with `changes`: what the engine publishes on a tick."""
    return replace(
        SITTING,
        now=SITTING.now + timedelta(minutes=minutes),
        sitting_for=SITTING.sitting_for + timedelta(minutes=minutes),
        **changes,
    )


def test_the_item_registers_with_the_watcher_and_speaks_the_specified_types(
    bus_address: str, tmp_path: Path
) -> None:
    async def scenario() -> tuple[list[str], dict[str, Variant], str, str]:
        bus = await MessageBus(bus_address=bus_address).connect()
        watcher = Watcher(bus_address, tmp_path / "watcher.log")
        await watcher.start(bus)
        try:
            async with sni_tray(bus_address, RecordingEngine(SITTING), RecordedActions().actions):
                items = await registered_items(bus)
                host = await HostView.connect(bus_address, ITEM_NAME)
                props = await host.properties()
                host.close()
                introspect = "org.freedesktop.DBus.Introspectable"
                xml = await call(bus, ITEM_NAME, ITEM_PATH, introspect, "Introspect")
                menu_xml = await call(bus, ITEM_NAME, MENU_PATH, introspect, "Introspect")
                return items, props, xml[0], menu_xml[0]
        finally:
            watcher.kill()
            bus.disconnect()

    items, props, xml, menu_xml = asyncio.run(scenario())

    assert items == [ITEM_NAME]
    signatures = {name: value.signature for name, value in props.items()}
    values = {name: value.value for name, value in props.items()}
    assert signatures["IconPixmap"] == signatures["AttentionIconPixmap"] == "a(iiay)"
    assert signatures["ToolTip"] == "(sa(iiay)ss)"
    assert signatures["WindowId"] == "i"
    assert (signatures["Menu"], values["Menu"]) == ("o", MENU_PATH)
    assert values["ItemIsMenu"] is True
    assert values["Id"] == "sitting-reminder"
    assert values["Title"] == "Sitting Reminder"
    assert values["Category"] == "ApplicationStatus"
    assert values["Status"] == "Active"
    assert values["IconName"] == ""
    assert [(w, h) for w, h, _ in values["IconPixmap"]] == [(s, s) for s in SNI_SIZES]
    assert [p for _, _, p in values["IconPixmap"]] == [p for *_, p in sni_pixmaps(SITTING.state)]
    assert [p for _, _, p in values["AttentionIconPixmap"]] == [
        p for *_, p in sni_pixmaps(SpellState.DUE)
    ]
    assert list(values["ToolTip"]) == [
        "",
        [],
        "Sitting Reminder",
        "Sitting since 09:40\nNext prompt at 10:30",
    ]
    for document, interface in (
        (xml, "org.kde.StatusNotifierItem"),
        (menu_xml, "com.canonical.dbusmenu"),
    ):
        names = [node.get("name") for node in ElementTree.fromstring(document).iter("interface")]
        assert interface in names


def test_signals_go_out_only_when_what_they_describe_changes(bus_address: str) -> None:
    """Ticks that change nothing shown send nothing; a due prompt sends each signal once."""

    async def scenario() -> tuple[list[str], list[str], dict[str, Any], int, int]:
        engine = RecordingEngine(SITTING)
        async with sni_tray(bus_address, engine, RecordedActions().actions):
            host = await HostView.connect(bus_address, ITEM_NAME)
            first_revision, _ = await host.layout()
            for minutes in (1, 2, 7):
                engine.publish(later(minutes))
            await host.settle()
            quiet = host.members()

            engine.publish(
                later(30, state=SpellState.DUE, next_prompt_at=SITTING.now + timedelta(minutes=40))
            )
            engine.publish(
                later(31, state=SpellState.DUE, next_prompt_at=SITTING.now + timedelta(minutes=40))
            )
            await host.settle()
            props = {name: value.value for name, value in (await host.properties()).items()}
            revision, _ = await host.layout()
            signals = [f"{s.member}{s.body}" for s in host.signals]
            host.close()
            return quiet, signals, props, first_revision, revision

    quiet, signals, props, first_revision, revision = asyncio.run(scenario())

    assert quiet == []
    assert sorted(signals) == sorted(
        [
            "NewIcon[]",
            "NewStatus['NeedsAttention']",
            "NewToolTip[]",
            f"LayoutUpdated[{first_revision + 1}, 0]",
        ]
    )
    assert revision == first_revision + 1
    assert props["Status"] == "NeedsAttention"
    assert [p for _, _, p in props["IconPixmap"]] == [p for *_, p in sni_pixmaps(SpellState.DUE)]
    assert props["ToolTip"][3].startswith("Time to move: sitting since 09:40")


def test_a_click_in_the_menu_submits_that_lines_command(bus_address: str) -> None:
    async def scenario() -> tuple[RecordingEngine, RecordedActions, list[Any], str, bool]:
        engine = RecordingEngine(later(0, refusals={"pause": "Already paused"}))
        recorded = RecordedActions()
        async with sni_tray(bus_address, engine, recorded.actions):
            host = await HostView.connect(bus_address, ITEM_NAME)
            _, root = await host.layout()
            await host.click(root.find("Snooze").find("10 min").id)
            await host.click(root.find("Sitting since").id)  # an info line: nothing
            await host.click(root.find("Pause until tomorrow").id)  # refused: greyed, nothing
            unknown = await host.menu(
                "EventGroup",
                "a(isvu)",
                [
                    [
                        [root.find("I moved").id, "clicked", Variant("i", 0), 0],
                        [9999, "clicked", Variant("i", 0), 0],
                    ]
                ],
            )
            await host.click(root.find("Quit").id)
            try:
                await host.click(9999)
                error = ""
            except DBusError as refused:
                error = refused.type
            need_update = (await host.menu("AboutToShow", "i", [0]))[0]
            await host.settle(0.1)
            host.close()
            return engine, recorded, unknown, error, need_update

    engine, recorded, unknown, error, need_update = asyncio.run(scenario())

    assert engine.commands == [Snooze(timedelta(minutes=10)), TakeBreak()]
    assert recorded.run == ["quit"]
    assert unknown == [[9999]]
    assert error == "org.freedesktop.DBus.Error.InvalidArgs"
    assert need_update is False


def test_hosts_are_answered_from_the_last_snapshot_shown_not_from_the_engine(
    bus_address: str,
) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        engine = RecordingEngine(SITTING)
        async with sni_tray(bus_address, engine, RecordedActions().actions):
            host = await HostView.connect(bus_address, ITEM_NAME)
            engine.current = later(
                5, state=SpellState.PAUSED, paused_until=SITTING.now + timedelta(hours=3)
            )
            _, before = await host.layout()
            engine.publish(engine.current)
            _, after = await host.layout()
            host.close()
            return before.labels(), after.labels()

    before, after = asyncio.run(scenario())

    assert before[0] == "Sitting since 09:40"
    assert after[0] == "Paused until 13:00"


def test_snapshots_published_from_another_thread_reach_the_host(bus_address: str) -> None:
    async def scenario() -> list[str]:
        engine = RecordingEngine(SITTING)
        async with sni_tray(bus_address, engine, RecordedActions().actions):
            host = await HostView.connect(bus_address, ITEM_NAME)
            thread = threading.Thread(
                target=engine.publish, args=(later(1, state=SpellState.ON_BREAK),)
            )
            thread.start()
            thread.join(5)
            await eventually(
                lambda: asyncio.sleep(0, host.members()), lambda m: "NewIcon" in m, "NewIcon"
            )
            host.close()
            return host.members()

    assert "NewIcon" in asyncio.run(scenario())


def test_the_item_registers_again_when_the_watcher_restarts(
    bus_address: str, tmp_path: Path
) -> None:
    async def scenario() -> tuple[int, list[str], int]:
        bus = await MessageBus(bus_address=bus_address).connect()
        watcher = Watcher(bus_address, tmp_path / "watcher.log")
        await watcher.start(bus)
        try:
            async with sni_tray(
                bus_address, RecordingEngine(SITTING), RecordedActions().actions
            ) as tray:
                first = tray.registrations
                await watcher.stop(bus)
                await watcher.start(bus)
                items = await eventually(lambda: registered_items(bus), bool, "the item, again")
                return first, items, tray.registrations
        finally:
            watcher.kill()
            bus.disconnect()

    first, items, registrations = asyncio.run(scenario())

    assert first == 1
    assert items == [ITEM_NAME]
    assert registrations == 2


def test_without_a_watcher_the_item_waits_and_registers_when_one_starts(
    bus_address: str, tmp_path: Path
) -> None:
    async def scenario() -> tuple[int, list[str], list[str]]:
        bus = await MessageBus(bus_address=bus_address).connect()
        watcher = Watcher(bus_address, tmp_path / "watcher.log")
        try:
            async with sni_tray(
                bus_address, RecordingEngine(SITTING), RecordedActions().actions
            ) as tray:
                before = tray.registrations
                await watcher.start(bus)
                items = await eventually(lambda: registered_items(bus), bool, "the item registered")
            gone = await eventually(
                lambda: registered_items(bus), lambda i: i == [], "the item withdrawn"
            )
            return before, items, gone
        finally:
            watcher.kill()
            bus.disconnect()

    before, items, gone = asyncio.run(scenario())

    assert before == 0
    assert items == [ITEM_NAME]
    assert gone == []  # closing the tray releases its name; the watcher drops the item


@pytest.mark.parametrize(
    ("platform", "environ", "xembed", "with_bus", "expected"),
    [
        ("linux", {"DISPLAY": ":1"}, True, "watcher", "sni"),
        ("linux", {"DISPLAY": ":1"}, True, "bus", "pystray"),
        ("linux", {"DISPLAY": ":1"}, False, "bus", "sni"),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, False, "bus", "sni"),
        ("linux", {"DISPLAY": ":1"}, False, None, "pystray"),
        ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, False, None, "none"),
        ("linux", {}, True, "watcher", "none"),
        ("linux", {"DISPLAY": ":1", "PYSTRAY_BACKEND": "gtk"}, False, "watcher", "pystray"),
        ("win32", {}, False, "watcher", "pystray"),
        ("darwin", {}, False, None, "pystray"),
    ],
    ids=[
        "watcher-wins-over-xembed",
        "xembed-only",
        "neither-waits-for-a-watcher",
        "wayland-waits-for-a-watcher",
        "x11-without-bus",
        "wayland-without-bus",
        "no-display",
        "pystray-backend-asked-for",
        "windows",
        "macos",
    ],
)
def test_choose_tray(
    bus_address: str,
    platform: str,
    environ: dict[str, str],
    xembed: bool,
    with_bus: str | None,
    expected: str,
) -> None:
    """The watcher is a bus name owned by this test (its owner is all the rule asks about);
    the XEmbed tray and the platform are given, as they cannot all exist on one machine."""

    async def scenario() -> str:
        bus = await MessageBus(bus_address=bus_address).connect()
        if with_bus == "watcher":
            await bus.request_name("org.kde.StatusNotifierWatcher")
        try:
            return await choose_tray(
                bus if with_bus else None,
                platform=platform,
                environ=environ,
                xembed_tray_running=lambda: xembed,
            )
        finally:
            bus.disconnect()

    assert asyncio.run(scenario()) == expected


def test_the_sni_path_loads_neither_pystray_nor_gtk(bus_address: str, tmp_path: Path) -> None:
    """A fresh process chooses the tray with a real watcher up, shows the SNI item and
    reports what it imported and mapped."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        from dbus_fast.aio import MessageBus
        from reminder.testing import RecordingEngine
        from reminder.tray.choose import choose_tray
        from reminder.tray.sni import SniTray
        from reminder.tray.actions import desktop_actions

        async def main():
            bus = await MessageBus(bus_address=sys.argv[1]).connect()
            chosen = await choose_tray(bus, environ={"DISPLAY": ":1"})
            engine = RecordingEngine()
            tray = SniTray(bus, engine, desktop_actions(engine, lambda section: "about:blank"))
            await tray.start()
            engine.publish(engine.current)
            print(chosen, tray.registrations)
            loaded = [m for m in sys.modules if m.split(".")[0] in ("pystray", "gi", "Xlib", "PIL")]
            print(loaded)
            maps = open("/proc/self/maps").read()
            print([lib for lib in ("libgtk", "libgdk", "libgobject", "libX11") if lib in maps])
            await tray.close()

        asyncio.run(main())
        """
    )

    async def with_watcher() -> subprocess.CompletedProcess[str]:
        bus = await MessageBus(bus_address=bus_address).connect()
        watcher = Watcher(bus_address, tmp_path / "watcher.log")
        await watcher.start(bus)
        try:
            return await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-c", script, bus_address],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        finally:
            watcher.kill()
            bus.disconnect()

    done = asyncio.run(with_watcher())

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["sni 1", "[]", "[]"]
