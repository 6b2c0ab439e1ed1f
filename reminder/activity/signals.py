"""Screen lock and suspend, watched around whichever idle source is in use.

`SignalWatchers` wraps an idle source and is itself an ActivitySource. It adds:

- screen lock: `ActiveChanged(bool)` of org.freedesktop.ScreenSaver and
  org.gnome.ScreenSaver on the session bus, and logind's `LockedHint` of this
  session (PropertiesChanged on the system bus);
- suspend: logind's `PrepareForSleep` on the system bus. (A suspend without
  logind, and wall-clock jumps, are the engine's to see, on its Clock seam.)

All of these are signals, so they are pushed: `watch` passes the listener to
the inner source and also calls it on every lock, unlock, suspend and resume.
Its `Pushes.lock` is True only when a lock watcher is really connected: a
screensaver service answered `GetActive`, or logind's LockedHint of this
session is watched (or the inner source pushes locks itself).

Both buses are best effort: no bus, no logind, no screensaver service means
that watcher is skipped quietly (logged at debug level).

A lock or a suspend seen between two samples is reported by the next sample
even when it has already ended, so a short lock between samples still counts.

Threading rule: all methods, and the signal handlers dbus-fast calls, run on
the engine's asyncio loop thread; the flags need no lock. The listener is
called as a callback of its own on that loop (`loop.call_soon`), never from
inside dbus-fast's handler.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from reminder import _dbus
from reminder.activity.base import ActivitySample, ActivitySource, ChangeListener, Pushes

log = logging.getLogger(__name__)

SCREENSAVERS = (
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
)
LOGIND = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"
LOGIND_SESSION = "org.freedesktop.login1.Session"
PROPERTIES = "org.freedesktop.DBus.Properties"


class SignalWatchers:
    """An ActivitySource: `inner`'s idle time and full-screen state, plus lock and suspend.

    `name` is the inner source's name. sample() never raises: when the inner
    source fails (its service restarted, say) the sample says "idle unknown"
    and a warning is logged once until it recovers.
    """

    def __init__(
        self,
        inner: ActivitySource,
        *,
        environ: Mapping[str, str] | None = None,
        watch_dbus: bool = True,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self._environ = dict(os.environ if environ is None else environ)
        self._watch_dbus = watch_dbus
        self._listener: ChangeListener | None = None
        self._session_bus: MessageBus | None = None
        self._system_bus: MessageBus | None = None
        self._logind_owner: str | None = None
        self._session_path: str | None = None
        self._locked: dict[str, bool] = {}  # who says the screen is locked: interface or logind
        self._lock_seen = False  # a lock began since the previous sample
        self._sleep_seen = False  # PrepareForSleep(true) since the previous sample
        self._lock_watched: set[str] = set()  # the lock watchers that are connected
        self._inner_failing = False
        self._started = False

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the inner source (its errors propagate), then the watchers (best effort)."""
        await self.inner.start()
        await self.start_watching()

    async def start_watching(self) -> None:
        """Start only the watchers, for an inner source that is already started."""
        if self._started:
            return
        self._started = True
        if not self._watch_dbus:
            return
        await self._watch_session_bus()
        await self._watch_system_bus()

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        """Announce locks, unlocks, suspends and resumes, and what the inner source announces."""
        self._listener = on_change
        inner = self.inner.watch(on_change, idle_threshold)
        return Pushes(
            idle=inner.idle,
            fullscreen=inner.fullscreen,
            lock=inner.lock or bool(self._lock_watched),
        )

    def _announce(self) -> None:
        listener = self._listener
        if listener is not None:
            asyncio.get_running_loop().call_soon(listener)

    async def close(self) -> None:
        self._listener = None
        self._lock_watched.clear()
        for bus in (self._session_bus, self._system_bus):
            _dbus.disconnect(bus)
        self._session_bus = self._system_bus = None
        self._started = False
        try:
            await self.inner.close()
        except Exception:  # close never raises by contract; a broken source is no reason
            log.debug("closing %s failed", self.inner.name, exc_info=True)

    # -------------------------------------------------------------- sample

    async def sample(self) -> ActivitySample:
        try:
            seen = await self.inner.sample()
        except Exception as exc:
            if not self._inner_failing:
                log.warning("activity source %s failed, idle time unknown: %s", self.name, exc)
            self._inner_failing = True
            seen = ActivitySample()
        else:
            if self._inner_failing:
                log.info("activity source %s works again", self.name)
            self._inner_failing = False
        locked = seen.screen_locked or self._lock_seen or any(self._locked.values())
        slept = seen.slept or self._sleep_seen
        self._lock_seen = self._sleep_seen = False
        return ActivitySample(
            idle_for=seen.idle_for, screen_locked=locked, fullscreen=seen.fullscreen, slept=slept
        )

    # ---------------------------------------------------------- session bus

    async def _watch_session_bus(self) -> None:
        try:
            bus = await _dbus.connect(_dbus.session_bus_address(self._environ))
        except ConnectionError as exc:
            log.debug("no session bus, screen-saver lock not watched: %s", exc)
            return
        self._session_bus = bus
        bus.add_message_handler(self._on_session_message)
        for interface, path in SCREENSAVERS:
            rule = f"type='signal',interface='{interface}',member='ActiveChanged'"
            try:
                await _dbus.add_match(bus, rule)
            except Exception as exc:
                log.debug("cannot watch %s: %s", interface, exc)
                continue
            try:
                body = await _dbus.call(bus, interface, path, interface, "GetActive")
            except Exception as exc:  # not running here: only its signals are watched
                log.debug("%s.GetActive: %s", interface, exc)
                continue
            self._lock_watched.add(interface)
            self._set_locked(interface, bool(body[0]))

    def _on_session_message(self, message: Message) -> None:
        if (
            message.message_type == MessageType.SIGNAL
            and message.member == "ActiveChanged"
            and message.interface in {interface for interface, _ in SCREENSAVERS}
            and message.signature == "b"
        ):
            self._set_locked(str(message.interface), bool(message.body[0]))

    def _set_locked(self, who: str, locked: bool) -> None:
        was = self._locked.get(who, False)
        self._locked[who] = locked
        if locked == was:
            return
        log.debug("screen %s (%s)", "locked" if locked else "unlocked", who)
        if locked:
            self._lock_seen = True
        self._announce()

    # ----------------------------------------------------------- system bus

    async def _watch_system_bus(self) -> None:
        try:
            bus = await _dbus.connect(_dbus.system_bus_address(self._environ))
        except ConnectionError as exc:
            log.debug("no system bus, logind lock and suspend not watched: %s", exc)
            return
        self._system_bus = bus
        try:
            owner = await _dbus.call(
                bus,
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "GetNameOwner",
                "s",
                [LOGIND],
            )
            self._logind_owner = str(owner[0])
            bus.add_message_handler(self._on_system_message)
            await _dbus.add_match(
                bus,
                f"type='signal',sender='{LOGIND}',path='{LOGIND_PATH}',"
                f"interface='{LOGIND_MANAGER}',member='PrepareForSleep'",
            )
        except Exception as exc:
            log.debug("logind not available, suspend and its lock not watched: %s", exc)
            return
        try:
            path = await self._session_object(bus)
            await _dbus.add_match(
                bus,
                f"type='signal',sender='{LOGIND}',path='{path}',interface='{PROPERTIES}',"
                f"member='PropertiesChanged',arg0='{LOGIND_SESSION}'",
            )
            self._session_path = path
            hint = await _dbus.call(
                bus, LOGIND, path, PROPERTIES, "Get", "ss", [LOGIND_SESSION, "LockedHint"]
            )
            self._lock_watched.add("logind")
            self._set_locked("logind", bool(_unwrap(hint[0])))
        except Exception as exc:
            log.debug("logind session lock not watched: %s", exc)

    async def _session_object(self, bus: MessageBus) -> str:
        """The object path of this login session: by XDG_SESSION_ID, else "auto", else our PID."""
        attempts: list[tuple[str, str, list[Any]]] = []
        session_id = self._environ.get("XDG_SESSION_ID", "")
        if session_id:
            attempts.append(("GetSession", "s", [session_id]))
        attempts.append(("GetSession", "s", ["auto"]))
        attempts.append(("GetSessionByPID", "u", [os.getpid()]))
        last: Exception = LookupError("no login session")
        for member, signature, body in attempts:
            try:
                reply = await _dbus.call(
                    bus, LOGIND, LOGIND_PATH, LOGIND_MANAGER, member, signature, body
                )
            except Exception as exc:
                last = exc
                continue
            return str(reply[0])
        raise last

    def _on_system_message(self, message: Message) -> None:
        if message.message_type != MessageType.SIGNAL or message.sender != self._logind_owner:
            return
        if (
            message.member == "PrepareForSleep"
            and message.interface == LOGIND_MANAGER
            and message.signature == "b"
        ):
            # Announced both ways: going to sleep ends the spell, waking up is a
            # moment to look at the clock again.
            if message.body[0]:
                log.debug("suspending")
                self._sleep_seen = True
            else:
                log.debug("resumed")
            self._announce()
        elif (
            message.member == "PropertiesChanged"
            and message.path == self._session_path
            and message.signature == "sa{sv}as"
            and message.body[0] == LOGIND_SESSION
        ):
            changed: dict[str, Any] = message.body[1]
            if "LockedHint" in changed:
                self._set_locked("logind", bool(_unwrap(changed["LockedHint"])))


def _unwrap(value: Any) -> Any:
    """A property value without its Variant wrapper."""
    return value.value if isinstance(value, Variant) else value
