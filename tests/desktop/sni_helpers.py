"""Helpers for the StatusNotifierItem tests: a private bus, the real watcher, a host's view.

The bus is a real `dbus-daemon`; the watcher is Debian's `status-notifier-watcher`
(haskell-status-notifier-item-utils); `HostView` reads the item the way a tray host
does (GetAll, GetLayout, Event) over its own dbus-fast connection and records every
signal the item sends, so tests can assert on the protocol itself.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from desktop_session import _BUS_CONFIG_WITHOUT_ACTIVATION, SNI_WATCHER
from private_bus import eventually, private_bus

from reminder._dbus import call
from reminder.service.api import EngineHandle
from reminder.tray.actions import TrayActions
from reminder.tray.sni import ITEM_INTERFACE, ITEM_PATH, MENU_INTERFACE, MENU_PATH, SniTray

WATCHER_PATH = "/StatusNotifierWatcher"


@contextmanager
def quiet_bus(workdir: Path) -> Iterator[str]:
    """A fresh session `dbus-daemon` that starts nothing on demand; yields its address."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "bus.conf"
    config.write_text(_BUS_CONFIG_WITHOUT_ACTIVATION)
    with private_bus(workdir / "dbus.log", config) as address:
        yield address


class Watcher:
    """Debian's status-notifier-watcher on a bus; start, stop and start it again."""

    def __init__(self, address: str, log: Path) -> None:
        self.address = address
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self, bus: MessageBus) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                ["status-notifier-watcher"],
                env={"DBUS_SESSION_BUS_ADDRESS": self.address, "PATH": "/usr/bin:/bin"},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        await eventually(lambda: has_owner(bus, SNI_WATCHER), bool, "the watcher's name")

    async def stop(self, bus: MessageBus) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        self.proc = None
        await eventually(lambda: has_owner(bus, SNI_WATCHER), lambda owned: not owned, "no watcher")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


async def has_owner(bus: MessageBus, name: str) -> bool:
    body = await call(
        bus,
        "org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus",
        "NameHasOwner",
        "s",
        [name],
    )
    return bool(body[0])


async def registered_items(bus: MessageBus) -> list[str]:
    """What the watcher lists in RegisteredStatusNotifierItems."""
    body = await call(
        bus,
        SNI_WATCHER,
        WATCHER_PATH,
        "org.freedesktop.DBus.Properties",
        "Get",
        "ss",
        [SNI_WATCHER, "RegisteredStatusNotifierItems"],
    )
    items: list[str] = body[0].value
    return items


@dataclass
class Signal:
    member: str
    body: list[Any]


@dataclass
class HostView:
    """A tray host's side of the conversation with one item."""

    bus: MessageBus
    service: str
    signals: list[Signal] = field(default_factory=list)

    @classmethod
    async def connect(cls, address: str, service: str) -> HostView:
        bus = await MessageBus(bus_address=address).connect()
        view = cls(bus, service)
        bus.add_message_handler(view._record)
        for interface in (ITEM_INTERFACE, MENU_INTERFACE):
            await call(
                bus,
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "AddMatch",
                "s",
                [f"type='signal',interface='{interface}'"],
            )
        return view

    def _record(self, message: Message) -> None:
        if message.message_type is MessageType.SIGNAL and message.interface in (
            ITEM_INTERFACE,
            MENU_INTERFACE,
        ):
            self.signals.append(Signal(str(message.member), list(message.body)))

    def members(self) -> list[str]:
        return [signal.member for signal in self.signals]

    async def item(
        self, member: str, signature: str = "", body: list[Any] | None = None
    ) -> list[Any]:
        return await call(
            self.bus, self.service, ITEM_PATH, ITEM_INTERFACE, member, signature, body or []
        )

    async def properties(self) -> dict[str, Variant]:
        body = await call(
            self.bus,
            self.service,
            ITEM_PATH,
            "org.freedesktop.DBus.Properties",
            "GetAll",
            "s",
            [ITEM_INTERFACE],
        )
        props: dict[str, Variant] = body[0]
        return props

    async def menu(
        self, member: str, signature: str = "", body: list[Any] | None = None
    ) -> list[Any]:
        return await call(
            self.bus, self.service, MENU_PATH, MENU_INTERFACE, member, signature, body or []
        )

    async def layout(self) -> tuple[int, MenuNode]:
        revision, root = await self.menu("GetLayout", "iias", [0, -1, []])
        return revision, MenuNode.parse(root)

    async def click(self, item_id: int) -> list[Any]:
        return await self.menu("Event", "isvu", [item_id, "clicked", Variant("i", 0), 0])

    async def settle(self, seconds: float = 0.3) -> None:
        """Give the item time to send anything it would send (round trip plus a margin)."""
        await self.properties()
        await asyncio.sleep(seconds)

    def close(self) -> None:
        self.bus.disconnect()


@dataclass
class MenuNode:
    """One item of a GetLayout answer, with plain values."""

    id: int
    props: dict[str, Any]
    children: list[MenuNode]

    @classmethod
    def parse(cls, node: list[Any]) -> MenuNode:
        item_id, props, children = node
        return cls(
            item_id,
            {name: value.value for name, value in props.items()},
            [cls.parse(child.value) for child in children],
        )

    @property
    def label(self) -> str:
        return str(self.props.get("label", "-" if self.props.get("type") == "separator" else ""))

    def find(self, label: str) -> MenuNode:
        for child in self.children:
            if child.label.startswith(label):
                return child
        raise AssertionError(f"no menu item {label!r} in {[c.label for c in self.children]}")

    def labels(self) -> list[str]:
        return [child.label for child in self.children if child.label != "-"]


class RecordedActions:
    """TrayActions that remember which ran."""

    def __init__(self) -> None:
        self.run: list[str] = []
        self.actions = TrayActions(
            open_guide=lambda: self.run.append("guide"),
            open_professional=lambda: self.run.append("professional"),
            open_weekly_report=lambda: self.run.append("weekly_report"),
            open_settings=lambda: self.run.append("settings"),
            quit=lambda: self.run.append("quit"),
        )


@asynccontextmanager
async def sni_tray(
    address: str, engine: EngineHandle, actions: TrayActions
) -> AsyncIterator[SniTray]:
    """An SniTray started on its own connection to `address`; closed and disconnected after."""
    bus = await MessageBus(bus_address=address).connect()
    tray = SniTray(bus, engine, actions)
    await tray.start()
    try:
        yield tray
    finally:
        await tray.close()
        bus.disconnect()
