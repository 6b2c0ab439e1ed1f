"""Private session buses and stand-ins for the desktop services GNOME Shell and KDE Plasma run.

GNOME Shell, gnome-session and KDE Plasma cannot run on the test machine, so
the services they export are small dbus-fast services with the same names,
paths, methods, properties and signals, run on a real private `dbus-daemon`.
A "call app" talks to them over its own connection, as a real one would.
dunst and dconf, which can run here, are never stood in for.
"""

from __future__ import annotations

from typing import Annotated

from dbus_fast import PropertyAccess
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import (
    DBusBool,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
    DBusUInt32,
)
from dbus_fast.service import (
    ServiceInterface,
    dbus_method,
    dbus_property,
    dbus_signal,
)

from reminder import _dbus

NoReply = Annotated[None, DBusSignature("")]
"""A method's return annotation when its D-Bus reply has no body."""


async def serve(address: str, name: str, path: str, interface: ServiceInterface) -> MessageBus:
    """Connect to `address`, export `interface` at `path` and own `name`."""
    bus = await MessageBus(bus_address=address).connect()
    bus.export(path, interface)
    await bus.request_name(name)
    return bus


async def connect(address: str) -> MessageBus:
    return await _dbus.connect(address)


# ------------------------------------------------------------------ GNOME


class FakeGnomeSessionManager(ServiceInterface):
    """org.gnome.SessionManager's inhibitor calls and signals, as gnome-session has them."""

    def __init__(self) -> None:
        super().__init__("org.gnome.SessionManager")
        self.inhibitors: dict[int, int] = {}  # cookie -> flags
        self._next = 1

    @dbus_method()
    def Inhibit(  # D-Bus names
        self, app_id: DBusStr, toplevel_xid: DBusUInt32, reason: DBusStr, flags: DBusUInt32
    ) -> DBusUInt32:
        cookie, self._next = self._next, self._next + 1
        self.inhibitors[cookie] = flags
        self.InhibitorAdded(f"/org/gnome/SessionManager/Inhibitor{cookie}")
        return cookie

    @dbus_method()
    def Uninhibit(self, cookie: DBusUInt32) -> NoReply:
        self.inhibitors.pop(cookie, None)
        self.InhibitorRemoved(f"/org/gnome/SessionManager/Inhibitor{cookie}")

    @dbus_method()
    def IsInhibited(self, flags: DBusUInt32) -> DBusBool:
        return any(held & flags for held in self.inhibitors.values())

    @dbus_signal()
    def InhibitorAdded(self, path: str) -> DBusObjectPath:
        return path

    @dbus_signal()
    def InhibitorRemoved(self, path: str) -> DBusObjectPath:
        return path


GNOME_LOGOUT, GNOME_SUSPEND, GNOME_IDLE = 1, 4, 8


# -------------------------------------------------------------------- KDE


class FakeKdePolicyAgent(ServiceInterface):
    """PowerDevil's org.kde.Solid.PowerManagement.PolicyAgent inhibitions."""

    def __init__(self) -> None:
        super().__init__("org.kde.Solid.PowerManagement.PolicyAgent")
        self.inhibitions: dict[int, tuple[int, str, str]] = {}
        self._next = 1

    @dbus_method()
    def AddInhibition(self, types: DBusUInt32, app_name: DBusStr, reason: DBusStr) -> DBusUInt32:
        cookie, self._next = self._next, self._next + 1
        self.inhibitions[cookie] = (types, app_name, reason)
        self.InhibitionsChanged([[app_name, reason]], [])
        return cookie

    @dbus_method()
    def ReleaseInhibition(self, cookie: DBusUInt32) -> NoReply:
        _, app_name, _ = self.inhibitions.pop(cookie)
        self.InhibitionsChanged([], [app_name])

    @dbus_method()
    def HasInhibition(self, types: DBusUInt32) -> DBusBool:
        return any(held & types for held, _, _ in self.inhibitions.values())

    @dbus_signal()
    def InhibitionsChanged(
        self, added: list[list[str]], removed: list[str]
    ) -> Annotated[list[list[list[str]] | list[str]], DBusSignature("a(ss)as")]:
        return [added, removed]


KDE_INTERRUPT_SESSION, KDE_CHANGE_SCREEN_SETTINGS = 1, 4


class PlainNotificationServer(ServiceInterface):
    """org.freedesktop.Notifications of a server with no Do Not Disturb (mako, xfce4-notifyd)."""

    def __init__(self, server_name: str = "mako") -> None:
        super().__init__("org.freedesktop.Notifications")
        self.server_name = server_name

    @dbus_method()
    def GetServerInformation(self) -> Annotated[list[str], DBusSignature("ssss")]:
        return [self.server_name, "test", "1.0", "1.2"]


class FakePlasmaNotifications(PlainNotificationServer):
    """KDE Plasma's notification server, with its Do Not Disturb `Inhibited` property."""

    def __init__(self) -> None:
        super().__init__("Plasma")
        self.inhibited = False

    @dbus_property(access=PropertyAccess.READ)
    def Inhibited(self) -> DBusBool:
        return self.inhibited

    def set_inhibited(self, inhibited: bool) -> None:
        self.inhibited = inhibited
        self.emit_properties_changed({"Inhibited": inhibited})
