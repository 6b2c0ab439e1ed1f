"""The desktop's Do Not Disturb on Linux: dunst, KDE Plasma and GNOME.

Sources (kind "dnd", both push):

- `NotificationServerDnd`: whichever program owns `org.freedesktop.Notifications`,
  asked in its own dialect on /org/freedesktop/Notifications:
  dunst's `paused` property of `org.dunstproject.cmd0` (what `dunstctl
  set-paused` changes), or KDE Plasma's `Inhibited` property of
  `org.freedesktop.Notifications`; both announce changes with PropertiesChanged.
  One source serves both because only one server can own the name, and it
  follows that name: dunst is often started by bus activation at the first
  notification, so a server absent at start means "off, read when it comes";
  a server replaced by another is asked again in the newcomer's dialect. Its
  `name` says which server it reads ("dunst do-not-disturb", "kde do-not-disturb").
  A server with neither property (xfce4-notifyd, mako, GNOME Shell) makes the
  source unavailable at start, or off if it arrives later.
- `GnomeBannersDnd`: GNOME's Do Not Disturb switch is the GSettings key
  `org.gnome.desktop.notifications show-banners` (false = Do Not Disturb).
  GSettings has no D-Bus read call and its library (GIO through PyGObject) is
  not loaded into the idle service, so the key is read with the `gsettings`
  program, at start and whenever dconf's writer announces a change under
  /org/gnome/desktop/notifications/ (`ca.desrt.dconf.Writer.Notify`); nothing
  is polled. The xdg-desktop-portal Settings interface was considered: GNOME's
  portal exports only a fixed list of schemas, and this one is not among them.

Threading rule: all methods run on the engine's asyncio loop (see `_bus_flag`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Mapping, Sequence
from typing import Literal

from dbus_fast import Message
from dbus_fast.aio import MessageBus
from dbus_fast.errors import DBusError

from reminder import _dbus
from reminder.calls._bus_flag import READ_ERRORS, BusFlag, ReadError
from reminder.calls.base import CallKind, SourceUnavailable

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
DUNST_INTERFACE = "org.dunstproject.cmd0"
DUNST_PROPERTY = "paused"
KDE_PROPERTY = "Inhibited"

Dialect = Literal["dunst", "kde", "none"]
DIALECTS: dict[Dialect, tuple[str, str]] = {
    "dunst": (DUNST_INTERFACE, DUNST_PROPERTY),
    "kde": (NOTIFICATIONS, KDE_PROPERTY),
}
"""Each server's Do Not Disturb: (interface, property) on /org/freedesktop/Notifications."""
NAMES: dict[Dialect | None, str] = {
    "dunst": "dunst do-not-disturb",
    "kde": "kde do-not-disturb",
    "none": "do-not-disturb (the notification server has none)",
    None: "do-not-disturb (no notification server yet)",
}

BANNERS_SCHEMA = "org.gnome.desktop.notifications"
BANNERS_KEY = "show-banners"
BANNERS_DCONF_PATH = "/org/gnome/desktop/notifications/show-banners"
DCONF_WRITER = "ca.desrt.dconf.Writer"
GSETTINGS_TIMEOUT_S = 2.0


class NotificationServerDnd(BusFlag):
    """Do Not Disturb of the running notification server, dunst's or KDE's."""

    kind: CallKind = "dnd"
    service = NOTIFICATIONS
    absent_is_off = True

    def __init__(self, bus: MessageBus) -> None:
        super().__init__(bus)
        self._dialect: Dialect | None = None
        self.name = NAMES[None]

    def match_rules(self) -> Sequence[str]:
        return [
            f"type='signal',sender='{NOTIFICATIONS}',path='{NOTIFICATIONS_PATH}',"
            f"interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'"
        ]

    async def probe(self) -> None:
        """The server at start must be one whose Do Not Disturb can be read."""
        await super().probe()
        if self._dialect == "none":
            raise SourceUnavailable(
                f"the notification server ({await self._server_name()}) offers no "
                "Do Not Disturb state to read (dunst's and KDE's can be read)"
            )

    async def read(self) -> bool:
        if self._dialect is None:
            self._dialect = await self._detect()
            self.name = NAMES[self._dialect]
        if self._dialect == "none":
            return False
        interface, prop = DIALECTS[self._dialect]
        return bool(await self.get_property(NOTIFICATIONS_PATH, interface, prop))

    async def _detect(self) -> Dialect:
        for dialect, (interface, prop) in DIALECTS.items():
            try:
                await self.get_property(NOTIFICATIONS_PATH, interface, prop)
            except DBusError:  # no such interface or property: another server
                continue
            return dialect
        return "none"

    async def _server_name(self) -> str:
        try:
            body = await _dbus.call(
                self._bus, NOTIFICATIONS, NOTIFICATIONS_PATH, NOTIFICATIONS, "GetServerInformation"
            )
        except READ_ERRORS:
            return "unknown"
        return str(body[0])

    def owner_changed(self) -> None:
        self._dialect = None
        self.name = NAMES[None]
        self.request_read()

    def is_change_signal(self, message: Message) -> bool:
        if message.member != "PropertiesChanged" or message.signature != "sa{sv}as":
            return False
        interface, changed, invalidated = message.body
        if self._dialect is None or self._dialect == "none":
            return False
        want_interface, prop = DIALECTS[self._dialect]
        return bool(interface == want_interface and (prop in changed or prop in invalidated))

    def signalled(self, message: Message) -> bool | None:
        changed = message.body[1]
        if self._dialect is None or self._dialect == "none":
            return None
        prop = DIALECTS[self._dialect][1]
        if prop in changed:
            value = changed[prop]
            return bool(getattr(value, "value", value))
        return None


class GnomeBannersDnd(BusFlag):
    """GNOME's Do Not Disturb: `show-banners` false (see the module docstring)."""

    name = "gnome do-not-disturb"
    kind: CallKind = "dnd"
    service = "ca.desrt.dconf"
    follow_owner = False

    def __init__(
        self, bus: MessageBus, environ: Mapping[str, str], *, gsettings: str | None = None
    ) -> None:
        """`environ`: the session's variables (the program reads the user's dconf database)."""
        super().__init__(bus)
        self._environ = dict(environ)
        found = gsettings or shutil.which("gsettings", path=self._environ.get("PATH", os.defpath))
        self._gsettings = found

    async def probe(self) -> None:
        if self._gsettings is None:
            raise SourceUnavailable("the gsettings program is not installed")
        await super().probe()

    def match_rules(self) -> Sequence[str]:
        return [f"type='signal',interface='{DCONF_WRITER}',member='Notify'"]

    def is_change_signal(self, message: Message) -> bool:
        if message.interface != DCONF_WRITER or message.member != "Notify":
            return False
        if message.signature != "sass":
            return False
        prefix, changes = str(message.body[0]), [str(change) for change in message.body[1]]
        # A change names the key itself, or a folder above it (a reset of a whole tree).
        return any(BANNERS_DCONF_PATH.startswith(prefix + change) for change in changes)

    async def read(self) -> bool:
        assert self._gsettings is not None, "probe() checks for the program first"
        process = await asyncio.create_subprocess_exec(
            self._gsettings,
            "get",
            BANNERS_SCHEMA,
            BANNERS_KEY,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._environ,
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(), GSETTINGS_TIMEOUT_S)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()
            raise
        answer = out.decode(errors="replace").strip()
        if process.returncode != 0 or answer not in ("true", "false"):
            detail = err.decode(errors="replace").strip() or answer or f"exit {process.returncode}"
            raise ReadError(f"gsettings get {BANNERS_SCHEMA} {BANNERS_KEY}: {detail}")
        return answer == "false"  # banners off is Do Not Disturb on
