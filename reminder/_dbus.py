"""Small helpers over dbus-fast's asyncio MessageBus shared by the D-Bus sources.

Threading rule: everything here runs on the engine's asyncio loop; a MessageBus
is bound to the loop that created it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from typing import Any

from dbus_fast import Message, MessageFlag, MessageType
from dbus_fast.aio import MessageBus
from dbus_fast.errors import DBusError

CALL_TIMEOUT_S = 2.0
"""How long one call may take before the service counts as not answering."""

DEFAULT_SYSTEM_BUS = "unix:path=/var/run/dbus/system_bus_socket"


def session_bus_address(environ: Mapping[str, str]) -> str:
    """The session bus of `environ`, not of this process (tests run private buses)."""
    address = environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return f"unix:path={os.path.join(runtime, 'bus')}"
    raise ConnectionError("no session bus: DBUS_SESSION_BUS_ADDRESS is not set")


def system_bus_address(environ: Mapping[str, str]) -> str:
    """The system bus (`DBUS_SYSTEM_BUS_ADDRESS` lets tests run a private one)."""
    return environ.get("DBUS_SYSTEM_BUS_ADDRESS", "") or DEFAULT_SYSTEM_BUS


async def connect(address: str, timeout: float = CALL_TIMEOUT_S) -> MessageBus:
    """Open a bus connection, failing with ConnectionError after `timeout`."""
    try:
        return await asyncio.wait_for(MessageBus(bus_address=address).connect(), timeout)
    except Exception as exc:  # OSError, TimeoutError, dbus-fast's AuthError/InvalidAddressError
        raise ConnectionError(f"cannot connect to D-Bus at {address}: {exc}") from exc


async def call(
    bus: MessageBus,
    destination: str,
    path: str,
    interface: str,
    member: str,
    signature: str = "",
    body: Sequence[Any] = (),
    timeout: float = CALL_TIMEOUT_S,
) -> list[Any]:
    """Call one method and return the reply body; DBusError or TimeoutError on failure.

    NO_AUTOSTART: asking whether a service is there must never launch one.
    """
    message = Message(
        destination=destination,
        path=path,
        interface=interface,
        member=member,
        signature=signature,
        body=list(body),
        flags=MessageFlag.NO_AUTOSTART,
    )
    reply = await asyncio.wait_for(bus.call(message), timeout)
    if reply.message_type == MessageType.ERROR:
        raise DBusError(reply.error_name or "unknown", str(reply.body[0] if reply.body else ""))
    return list(reply.body)


async def add_match(bus: MessageBus, rule: str) -> None:
    """Ask the bus daemon to route signals matching `rule` to this connection."""
    await call(
        bus,
        "org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus",
        "AddMatch",
        "s",
        [rule],
    )


def disconnect(bus: MessageBus | None) -> None:
    """Close a connection; never raises."""
    if bus is None:
        return
    try:
        bus.disconnect()
    except Exception:  # closing is best effort by contract
        return
