"""A yes/no state held by a D-Bus service, read once and again whenever it signals a change.

`BusFlag` is the shared body of the D-Bus call sources (idle inhibitors, Do Not
Disturb). A subclass names the service, its match rules, which signals mean
"read again" (or carry the new value) and how to read the value. The base class:

- follows the service's owner (`NameOwnerChanged`): when the service leaves the
  bus the flag is off; when it comes back it is read again;
- accepts signals only from the current owner;
- reads one at a time: a signal during a read asks for one more read after it,
  so the last answer always reflects the last signal;
- keeps the last value when a re-read fails (a service too busy to answer has
  not changed its mind), with one warning until it answers again.

It never reads anything but the flag: signals that carry application names
(KDE's InhibitionsChanged) are used only as "something changed".

Threading rule: everything runs on the engine's asyncio loop, which owns the
shared `MessageBus`; dbus-fast calls the message handler there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.errors import DBusError

from reminder import _dbus
from reminder.activity.base import ChangeListener
from reminder.calls.base import CallKind, SourceUnavailable

log = logging.getLogger(__name__)

DBUS_NAME = "org.freedesktop.DBus"
DBUS_PATH = "/org/freedesktop/DBus"
PROPERTIES = "org.freedesktop.DBus.Properties"


class ReadError(OSError):
    """A flag could not be read (a helper program failed, an answer made no sense)."""


READ_ERRORS = (DBusError, asyncio.TimeoutError, OSError)
"""What `BusFlag.read` may raise when the service cannot say (ReadError is an OSError)."""


class BusFlag:
    """A CallSource over one service on the shared session bus (see the module docstring)."""

    name: str
    kind: CallKind
    pushes = True
    service: str
    """The well-known bus name whose owner is followed."""
    follow_owner = True
    """False: signals are accepted from any sender and the service need not be running
    (dconf's writer, started on demand, announces changes made by anyone)."""
    absent_is_off = False
    """True: a service not on the bus at start means "off", not "unavailable"; it is read
    when it appears (a notification server started on demand by bus activation)."""

    def __init__(self, bus: MessageBus) -> None:
        self._bus = bus
        self._owner: str | None = None
        self._value = False
        self._on_change: ChangeListener | None = None
        self._rules: list[str] = []
        self._reader: asyncio.Task[None] | None = None
        self._read_again = False
        self._failing = False
        self._probing = False
        self._closed = False

    # ------------------------------------------------------------ for subclasses

    def match_rules(self) -> Sequence[str]:
        """Match rules for the service's change signals (NameOwnerChanged is added here)."""
        return ()

    async def read(self) -> bool:
        """Ask the service for the flag; ReadError when it cannot say."""
        raise NotImplementedError

    def signalled(self, message: Message) -> bool | None:
        """The value a change signal carries, or None when the flag must be read again.

        Only called for signals from the current owner that `is_change_signal` accepted.
        """
        return None

    def is_change_signal(self, message: Message) -> bool:
        """Whether a signal from the owner is one of this source's change signals."""
        return False

    async def probe(self) -> None:
        """Check, once the owner is known, that it offers the flag; raise SourceUnavailable."""
        self._probing = True
        try:
            while True:
                self._read_again = False
                self._value = await self.read()
                if not self._read_again:  # a signal during the read: its reply may be stale
                    break
        except READ_ERRORS as exc:
            raise SourceUnavailable(f"{self.service} does not answer: {_reason(exc)}") from exc
        finally:
            self._probing = False

    # ---------------------------------------------------------------- protocol

    async def start(self, on_change: ChangeListener) -> None:
        """Subscribe, find the owner and read the flag; SourceUnavailable when it is not there."""
        self._on_change = on_change
        self._bus.add_message_handler(self._on_message)
        try:
            rules = list(self.match_rules())
            if self.follow_owner:
                rules.insert(
                    0,
                    f"type='signal',sender='{DBUS_NAME}',interface='{DBUS_NAME}',"
                    f"member='NameOwnerChanged',arg0='{self.service}'",
                )
            for rule in rules:
                await _dbus.add_match(self._bus, rule)
                self._rules.append(rule)
            if self.follow_owner:
                self._owner = await self.current_owner()
                if self._owner is None and not self.absent_is_off:
                    raise SourceUnavailable(f"{self.service} is not on the session bus")
            if self._owner is not None or not self.follow_owner:
                await self.probe()
        except SourceUnavailable:
            await self.close()
            raise
        except (DBusError, asyncio.TimeoutError) as exc:
            await self.close()
            raise SourceUnavailable(f"the session bus does not answer: {_reason(exc)}") from exc

    async def active(self) -> bool:
        return self._value

    async def close(self) -> None:
        self._closed = True
        self._bus.remove_message_handler(self._on_message)
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
        rules, self._rules = self._rules, []
        if not self._bus.connected:
            return
        for rule in rules:
            try:
                await _dbus.call(
                    self._bus, DBUS_NAME, DBUS_PATH, DBUS_NAME, "RemoveMatch", "s", [rule]
                )
            except (DBusError, asyncio.TimeoutError, OSError):  # close never raises
                log.debug("RemoveMatch %s failed", rule, exc_info=True)

    # ---------------------------------------------------------------- helpers

    async def current_owner(self) -> str | None:
        """The unique name owning `service`, or None."""
        try:
            body = await _dbus.call(
                self._bus, DBUS_NAME, DBUS_PATH, DBUS_NAME, "GetNameOwner", "s", [self.service]
            )
        except DBusError as exc:
            if exc.type == "org.freedesktop.DBus.Error.NameHasNoOwner":
                return None
            raise
        return str(body[0])

    async def get_property(self, path: str, interface: str, prop: str) -> Any:
        """One property of the owner, unwrapped."""
        body = await _dbus.call(
            self._bus, self.service, path, PROPERTIES, "Get", "ss", [interface, prop]
        )
        return unwrap(body[0])

    def set_value(self, value: bool) -> None:
        """Record the flag and tell the engine when it changed."""
        if value == self._value or self._closed:
            return
        self._value = value
        log.debug("%s: %s", self.name, "on" if value else "off")
        if self._on_change is not None:
            self._on_change()

    def request_read(self) -> None:
        """Read the flag again soon (one read at a time; see the module docstring)."""
        if self._closed:
            return
        if self._reading():
            self._read_again = True
            return
        self._reader = asyncio.get_running_loop().create_task(self._read_until_settled())

    def _reading(self) -> bool:
        return self._probing or (self._reader is not None and not self._reader.done())

    async def _read_until_settled(self) -> None:
        while True:
            self._read_again = False
            try:
                value = await self.read()
            except READ_ERRORS as exc:
                if not self._failing:
                    log.warning("%s: cannot read the state, keeping the last: %s", self.name, exc)
                self._failing = True
            else:
                if self._failing:
                    log.info("%s answers again", self.name)
                self._failing = False
                self.set_value(value)
            if not self._read_again or self._closed:
                return

    def _on_message(self, message: Message) -> None:
        if message.message_type != MessageType.SIGNAL or self._closed:
            return
        if (
            message.sender == DBUS_NAME
            and message.member == "NameOwnerChanged"
            and message.signature == "sss"
            and message.body[0] == self.service
        ):
            new_owner = str(message.body[2]) or None
            self._owner = new_owner
            if new_owner is None:
                self.set_value(False)
            else:
                self.owner_changed()
            return
        if self.follow_owner and (self._owner is None or message.sender != self._owner):
            return
        if not self.is_change_signal(message):
            return
        value = self.signalled(message)
        # While a read is under way its reply may resume after this signal and carry the
        # older value; reading once more afterwards keeps the newest answer.
        if value is None or self._reading():
            self.request_read()
        else:
            self.set_value(value)

    def owner_changed(self) -> None:
        """A new process owns the service: read the flag from it."""
        self.request_read()


def unwrap(value: Any) -> Any:
    """A value without its Variant wrapper."""
    return value.value if isinstance(value, Variant) else value


def _reason(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "no reply in time"
    return str(exc) or type(exc).__name__
