"""Idle time from the desktop over the session bus: GNOME Mutter and freedesktop ScreenSaver.

These are the sources that still work on Wayland, where no X client can see the
user's input. Each keeps one session-bus connection and makes one call per sample.

- GNOME Mutter pushes: `watch` keeps one idle watch (`AddIdleWatch`, fired
  when the idle time reaches the threshold) and, once it has fired, one
  user-active watch (`AddUserActiveWatch`, fired once at the next input), and
  calls the listener on each `WatchFired`. A watch added just after the user
  came back would wait for their next input, so every user-active watch is
  followed by one `GetIdletime` that catches that. GNOME Shell restarting
  (the name changing owner) drops the watches; they are added again.
- freedesktop ScreenSaver (KDE) can only be asked: the specification has no
  idle signal, so `watch` returns nothing pushed and the engine asks.

Threading rule: all methods, and the handlers dbus-fast calls, run on the
engine's asyncio loop; the listener runs as a loop callback of its own
(`loop.call_soon`). Every call is bounded by `reminder._dbus.CALL_TIMEOUT_S`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Coroutine, Mapping
from datetime import timedelta
from typing import Any

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus
from dbus_fast.errors import DBusError

from reminder import _dbus
from reminder.activity.base import NOTHING_PUSHED, ActivitySample, ChangeListener, Pushes

log = logging.getLogger(__name__)

MUTTER_NAME = "org.gnome.Mutter.IdleMonitor"
MUTTER_PATH = "/org/gnome/Mutter/IdleMonitor/Core"
MUTTER_INTERFACE = "org.gnome.Mutter.IdleMonitor"
MUTTER_WATCH_MEMBERS = ("AddIdleWatch", "AddUserActiveWatch", "RemoveWatch", "WatchFired")

SCREENSAVER_NAME = "org.freedesktop.ScreenSaver"
SCREENSAVER_INTERFACE = "org.freedesktop.ScreenSaver"
SCREENSAVER_PATHS = ("/org/freedesktop/ScreenSaver", "/ScreenSaver")

CLOSE_TIMEOUT_S = 0.3
"""How long close() waits for each RemoveWatch (the engine gives close() a second)."""

BUS_NAME = "org.freedesktop.DBus"
BUS_PATH = "/org/freedesktop/DBus"


class _SessionBusSource:
    """A session-bus connection opened by start() and closed by close()."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = dict(os.environ if environ is None else environ)
        self._bus: MessageBus | None = None

    async def _connect(self) -> MessageBus:
        if self._bus is None:
            self._bus = await _dbus.connect(_dbus.session_bus_address(self._environ))
        return self._bus

    async def close(self) -> None:
        bus, self._bus = self._bus, None
        _dbus.disconnect(bus)


class GnomeMutterSource(_SessionBusSource):
    """GNOME's own idle monitor (milliseconds); right on GNOME Wayland, and it pushes.

    `queries` counts the `GetIdletime` calls made so far.
    """

    name = "gnome-mutter"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(environ)
        self.queries = 0
        self._watches = False  # the monitor has the watch methods (introspected at start)
        self._owner = ""  # unique bus name of the monitor, whose watches ours are
        self._listener: ChangeListener | None = None
        self._threshold_ms = 0
        self._idle_watch: int | None = None
        self._active_watch: int | None = None
        self._arming = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        bus = await self._connect()
        try:
            await self._idle_ms(bus)
            self._watches = await self._has_watches(bus)
            if self._watches:
                owner = await _dbus.call(
                    bus, BUS_NAME, BUS_PATH, BUS_NAME, "GetNameOwner", "s", [MUTTER_NAME]
                )
                self._owner = str(owner[0])
                bus.add_message_handler(self._on_message)
                await _dbus.add_match(
                    bus,
                    f"type='signal',sender='{MUTTER_NAME}',path='{MUTTER_PATH}',"
                    f"interface='{MUTTER_INTERFACE}',member='WatchFired'",
                )
                await _dbus.add_match(
                    bus,
                    f"type='signal',sender='{BUS_NAME}',interface='{BUS_NAME}',"
                    f"member='NameOwnerChanged',arg0='{MUTTER_NAME}'",
                )
        except BaseException:
            await self.close()
            raise

    async def sample(self) -> ActivitySample:
        bus = await self._connect()
        return ActivitySample(idle_for=timedelta(milliseconds=await self._idle_ms(bus)))

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        """Keep an idle watch at `idle_threshold` (replacing the previous one), and say so.

        The watches are added in the background; until they are, nothing is
        announced (a later sample() still answers).
        """
        self._listener = on_change
        if not self._watches or self._bus is None:
            return NOTHING_PUSHED
        threshold_ms = max(1, round(idle_threshold.total_seconds() * 1000))
        if threshold_ms != self._threshold_ms or self._idle_watch is None:
            self._threshold_ms = threshold_ms
            self._spawn(self._arm())
        return Pushes(idle=True)

    async def close(self) -> None:
        """Remove the watches (briefly: Mutter drops them anyway when we disconnect)."""
        self._listener = None
        for task in list(self._tasks):
            task.cancel()
        watches = [w for w in (self._idle_watch, self._active_watch) if w is not None]
        self._idle_watch = self._active_watch = None
        bus = self._bus
        try:
            if bus is not None and bus.connected:
                for watch in watches:
                    await self._remove_watch(bus, watch, timeout=CLOSE_TIMEOUT_S)
        finally:  # even when cancelled: the connection is closed
            bus, self._bus = self._bus, None
            _dbus.disconnect(bus)

    # ---------------------------------------------------------------- watches

    async def _arm(self) -> None:
        """(Re)place the idle watch at the threshold; catch an idle time already past it."""
        async with self._arming:
            bus = self._bus
            if bus is None:
                return
            old, self._idle_watch = self._idle_watch, None
            if old is not None:
                await self._remove_watch(bus, old)
            body = await _dbus.call(
                bus,
                MUTTER_NAME,
                MUTTER_PATH,
                MUTTER_INTERFACE,
                "AddIdleWatch",
                "t",
                [self._threshold_ms],
            )
            self._idle_watch = int(body[0])
            if self._active_watch is None and await self._idle_ms(bus) >= self._threshold_ms:
                # Away already: a watch added after its time may never fire, so say it here.
                self._announce()
                await self._wait_for_return(bus)

    async def _wait_for_return(self, bus: MessageBus) -> None:
        """Add the one-shot user-active watch, then catch input that came before it."""
        if self._active_watch is not None:
            return
        body = await _dbus.call(
            bus, MUTTER_NAME, MUTTER_PATH, MUTTER_INTERFACE, "AddUserActiveWatch"
        )
        self._active_watch = int(body[0])
        if await self._idle_ms(bus) < self._threshold_ms and self._active_watch is not None:
            watch, self._active_watch = self._active_watch, None
            await self._remove_watch(bus, watch)
            self._announce()

    async def _after_idle_watch(self) -> None:
        async with self._arming:
            if self._bus is not None:
                await self._wait_for_return(self._bus)

    def _on_message(self, message: Message) -> None:
        if message.message_type != MessageType.SIGNAL:
            return
        if (
            message.member == "WatchFired"
            and message.interface == MUTTER_INTERFACE
            and message.sender == self._owner
            and message.signature == "u"
        ):
            fired = int(message.body[0])
            if fired == self._idle_watch:
                self._announce()
                self._spawn(self._after_idle_watch())
            elif fired == self._active_watch:
                self._active_watch = None  # one-shot: Mutter has removed it
                self._announce()
        elif (
            message.member == "NameOwnerChanged"
            and message.interface == BUS_NAME
            and message.signature == "sss"
            and message.body[0] == MUTTER_NAME
        ):
            # GNOME Shell restarted or went away: its watches went with it.
            self._owner = str(message.body[2])
            self._idle_watch = self._active_watch = None
            self._announce()
            if self._owner and self._threshold_ms:
                log.info("%s has a new owner; adding the idle watch again", MUTTER_NAME)
                self._spawn(self._arm())

    def _announce(self) -> None:
        listener = self._listener
        if listener is not None:
            asyncio.get_running_loop().call_soon(listener)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("GNOME idle watch failed: %r", task.exception())

    # ------------------------------------------------------------------ calls

    async def _idle_ms(self, bus: MessageBus) -> int:
        self.queries += 1
        body = await _dbus.call(bus, MUTTER_NAME, MUTTER_PATH, MUTTER_INTERFACE, "GetIdletime")
        return int(body[0])

    @staticmethod
    async def _remove_watch(
        bus: MessageBus, watch: int, timeout: float = _dbus.CALL_TIMEOUT_S
    ) -> None:
        try:
            await _dbus.call(
                bus,
                MUTTER_NAME,
                MUTTER_PATH,
                MUTTER_INTERFACE,
                "RemoveWatch",
                "u",
                [watch],
                timeout=timeout,
            )
        except (DBusError, asyncio.TimeoutError) as exc:  # gone with its owner, say
            log.debug("RemoveWatch(%d): %r", watch, exc)

    @staticmethod
    async def _has_watches(bus: MessageBus) -> bool:
        """Whether the monitor offers idle and user-active watches (GNOME 3.10 and later do)."""
        try:
            body = await _dbus.call(
                bus, MUTTER_NAME, MUTTER_PATH, "org.freedesktop.DBus.Introspectable", "Introspect"
            )
        except (DBusError, asyncio.TimeoutError) as exc:
            log.info("GNOME idle time will be asked, not announced: no introspection (%r)", exc)
            return False
        xml = str(body[0])
        missing = [m for m in MUTTER_WATCH_MEMBERS if f'name="{m}"' not in xml]
        if missing:
            log.info(
                "GNOME idle time will be asked, not announced: the monitor lacks %s",
                ", ".join(missing),
            )
        return not missing


class FreedesktopScreenSaverSource(_SessionBusSource):
    """`org.freedesktop.ScreenSaver.GetSessionIdleTime`, as KDE Plasma and others export it.

    The specification never fixed the unit. KDE, the main desktop that answers
    this call on Wayland, returns milliseconds, so the value is read as
    milliseconds; pass `unit=timedelta(seconds=1)` for an implementation known to
    count seconds. GNOME Shell answers with an error, and that source is skipped.
    Both object paths in use (`/org/freedesktop/ScreenSaver`, `/ScreenSaver`)
    are tried at start; the first that answers is kept.
    """

    name = "freedesktop-screensaver"

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        unit: timedelta = timedelta(milliseconds=1),
    ) -> None:
        super().__init__(environ)
        self._unit = unit
        self._path = SCREENSAVER_PATHS[0]

    async def start(self) -> None:
        bus = await self._connect()
        errors: list[str] = []
        for path in SCREENSAVER_PATHS:
            try:
                await self._idle_units(bus, path)
            except (DBusError, asyncio.TimeoutError) as exc:
                errors.append(f"{path}: {exc!r}")
                continue
            self._path = path
            return
        await self.close()
        raise ConnectionError(f"{SCREENSAVER_NAME} does not answer: {'; '.join(errors)}")

    async def sample(self) -> ActivitySample:
        bus = await self._connect()
        return ActivitySample(idle_for=self._unit * await self._idle_units(bus, self._path))

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        """This source can only be asked (see `reminder.activity.base`)."""
        return NOTHING_PUSHED

    @staticmethod
    async def _idle_units(bus: MessageBus, path: str) -> int:
        body = await _dbus.call(
            bus, SCREENSAVER_NAME, path, SCREENSAVER_INTERFACE, "GetSessionIdleTime"
        )
        return int(body[0])
