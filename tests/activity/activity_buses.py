"""Private D-Bus daemons and fake desktop services for the activity tests.

The daemons are real `dbus-daemon` processes; the services are small dbus-fast
exports of the same interfaces GNOME, KDE and logind offer, with values the
test sets (test doubles: GNOME Shell, KDE and logind cannot run here).
"""

from __future__ import annotations

import asyncio

from dbus_fast import DBusError, PropertyAccess
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusObjectPath, DBusStr, DBusUInt32, DBusUInt64
from dbus_fast.service import (
    ServiceInterface,
    dbus_method,
    dbus_property,
    dbus_signal,
)
from private_bus import eventually


async def serve(address: str, name: str, exports: dict[str, object]) -> MessageBus:
    """Connect to `address`, export each interface at its path and own `name`."""
    bus = await MessageBus(bus_address=address).connect()
    for path, interface in exports.items():
        bus.export(path, interface)  # type: ignore[arg-type]
    await bus.request_name(name)
    return bus


class Changes:
    """The listener a test gives to `watch`: counts the calls and when each came.

    Threading rule: called on the test's asyncio loop, like the engine's listener.
    """

    def __init__(self) -> None:
        self.times: list[float] = []

    def __call__(self) -> None:
        self.times.append(asyncio.get_running_loop().time())

    @property
    def count(self) -> int:
        return len(self.times)

    async def reach(self, count: int, what: str, limit: float = 5) -> float:
        """Wait until `count` calls have come; the loop time of the last one."""

        async def seen() -> int:
            return self.count

        await eventually(seen, lambda n: n >= count, what, limit)
        return self.times[count - 1]


async def settle(seconds: float = 0.3) -> None:
    """Give signals in flight time to arrive (used before asserting that none came)."""
    await asyncio.sleep(seconds)


# ---------------------------------------------------------------- fake services


class FakeMutterIdletimeOnly(ServiceInterface):
    """org.gnome.Mutter.IdleMonitor with GetIdletime only (GNOME Shell before 3.10)."""

    def __init__(self) -> None:
        super().__init__("org.gnome.Mutter.IdleMonitor")
        self.idle_ms = 0
        self.idletime_calls = 0

    @dbus_method()
    def GetIdletime(self) -> DBusUInt64:
        self.idletime_calls += 1
        return self.idle_ms


class FakeMutterIdleMonitor(FakeMutterIdletimeOnly):
    """org.gnome.Mutter.IdleMonitor with its watches, as GNOME Shell exports it.

    GNOME Shell cannot run here, so this test double follows Mutter's watch
    semantics (meta-idle-monitor): an idle watch fires `WatchFired(id)` each time
    the idle time reaches its interval; a user-active watch fires once, at the
    next input, and is then gone; ids are never reused. The test moves time
    (`away_for`) and sends input (`user_input`). One difference: Mutter sends
    WatchFired to the watch's owner only, this double broadcasts it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.idle_watches: dict[int, int] = {}  # id -> interval in ms
        self.active_watches: set[int] = set()
        self.removed: list[int] = []
        self._next_id = 1

    @dbus_method()
    def AddIdleWatch(self, interval: DBusUInt64) -> DBusUInt32:
        watch = self._new_id()
        self.idle_watches[watch] = interval
        return watch

    @dbus_method()
    def AddUserActiveWatch(self) -> DBusUInt32:
        watch = self._new_id()
        self.active_watches.add(watch)
        return watch

    @dbus_method()
    def RemoveWatch(self, watch: DBusUInt32):  # type: ignore[no-untyped-def]  # no reply body
        self.removed.append(watch)
        self.idle_watches.pop(watch, None)
        self.active_watches.discard(watch)

    @dbus_signal()
    def WatchFired(self, watch: int) -> DBusUInt32:
        return watch

    def away_for(self, idle_ms: int) -> None:
        """No input: the idle time grows to `idle_ms`, firing the watches it reaches."""
        before, self.idle_ms = self.idle_ms, idle_ms
        for watch, interval in list(self.idle_watches.items()):
            if before < interval <= idle_ms:
                self.WatchFired(watch)

    def user_input(self) -> None:
        """A key press: idle time back to zero, every user-active watch fires once."""
        self.idle_ms = 0
        fired, self.active_watches = self.active_watches, set()
        for watch in sorted(fired):
            self.WatchFired(watch)

    def _new_id(self) -> int:
        watch, self._next_id = self._next_id, self._next_id + 1
        return watch


class FakeScreenSaver(ServiceInterface):
    """org.freedesktop.ScreenSaver (or org.gnome.ScreenSaver), as KDE exports it."""

    def __init__(self, interface: str = "org.freedesktop.ScreenSaver") -> None:
        super().__init__(interface)
        self.idle = 0
        self.active = False
        self.idle_error: str | None = None

    @dbus_method()
    def GetSessionIdleTime(self) -> DBusUInt32:
        if self.idle_error:
            raise DBusError(self.idle_error, "not supported here")
        return self.idle

    @dbus_method()
    def GetActive(self) -> DBusBool:
        return self.active

    @dbus_signal()
    def ActiveChanged(self, active: bool) -> DBusBool:
        self.active = active
        return active


class FakeLogindManager(ServiceInterface):
    """The parts of org.freedesktop.login1.Manager the watchers use."""

    def __init__(self, session_path: str) -> None:
        super().__init__("org.freedesktop.login1.Manager")
        self.session_path = session_path

    @dbus_method()
    def GetSession(self, session_id: DBusStr) -> DBusObjectPath:
        return self.session_path

    @dbus_method()
    def GetSessionByPID(self, pid: DBusUInt32) -> DBusObjectPath:
        return self.session_path

    @dbus_signal()
    def PrepareForSleep(self, start: bool) -> DBusBool:
        return start


class FakeLogindSession(ServiceInterface):
    """org.freedesktop.login1.Session with its LockedHint property."""

    def __init__(self) -> None:
        super().__init__("org.freedesktop.login1.Session")
        self.locked = False

    @dbus_property(access=PropertyAccess.READ)
    def LockedHint(self) -> DBusBool:
        return self.locked

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self.emit_properties_changed({"LockedHint": locked})
