"""Idle time from the desktop over the session bus: GNOME Mutter and freedesktop ScreenSaver.

These are the sources that still work on Wayland, where no X client can see the
user's input. Each keeps one session-bus connection and makes one call per sample.

Threading rule: all methods run on the engine's asyncio loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from datetime import timedelta

from dbus_fast.aio import MessageBus
from dbus_fast.errors import DBusError

from reminder import _dbus
from reminder.activity.base import NOTHING_PUSHED, ActivitySample, ChangeListener, Pushes

log = logging.getLogger(__name__)

MUTTER_NAME = "org.gnome.Mutter.IdleMonitor"
MUTTER_PATH = "/org/gnome/Mutter/IdleMonitor/Core"
MUTTER_INTERFACE = "org.gnome.Mutter.IdleMonitor"

SCREENSAVER_NAME = "org.freedesktop.ScreenSaver"
SCREENSAVER_INTERFACE = "org.freedesktop.ScreenSaver"
SCREENSAVER_PATHS = ("/org/freedesktop/ScreenSaver", "/ScreenSaver")


class _SessionBusSource:
    """A session-bus connection opened by start() and closed by close()."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = dict(os.environ if environ is None else environ)
        self._bus: MessageBus | None = None

    async def _connect(self) -> MessageBus:
        if self._bus is None:
            self._bus = await _dbus.connect(_dbus.session_bus_address(self._environ))
        return self._bus

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        """This source can only be asked (see `reminder.activity.base`)."""
        return NOTHING_PUSHED

    async def close(self) -> None:
        bus, self._bus = self._bus, None
        _dbus.disconnect(bus)


class GnomeMutterSource(_SessionBusSource):
    """GNOME's own idle monitor (`GetIdletime`, milliseconds); right on GNOME Wayland."""

    name = "gnome-mutter"

    async def start(self) -> None:
        bus = await self._connect()
        try:
            await self._idle_ms(bus)
        except BaseException:
            await self.close()
            raise

    async def sample(self) -> ActivitySample:
        bus = await self._connect()
        return ActivitySample(idle_for=timedelta(milliseconds=await self._idle_ms(bus)))

    @staticmethod
    async def _idle_ms(bus: MessageBus) -> int:
        body = await _dbus.call(bus, MUTTER_NAME, MUTTER_PATH, MUTTER_INTERFACE, "GetIdletime")
        return int(body[0])


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

    @staticmethod
    async def _idle_units(bus: MessageBus, path: str) -> int:
        body = await _dbus.call(
            bus, SCREENSAVER_NAME, path, SCREENSAVER_INTERFACE, "GetSessionIdleTime"
        )
        return int(body[0])
