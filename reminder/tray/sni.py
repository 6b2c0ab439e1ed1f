"""The tray as a StatusNotifierItem with a dbusmenu menu, over the engine's dbus-fast bus.

No toolkit: the item (`org.kde.StatusNotifierItem` at /StatusNotifierItem) and its menu
(`com.canonical.dbusmenu` at /MenuBar) are answered straight from D-Bus messages, and
the desktop's tray host (Plasma, GNOME's AppIndicator extension, XFCE, waybar ...)
draws the icon and builds the menu itself. The item registers with the
`org.kde.StatusNotifierWatcher` and again each time a watcher (re)appears on the bus;
with no watcher it waits for one at no cost.

Threading rule: everything runs on the asyncio loop that owns the bus. `show` is the
engine's status listener and must be called on that loop (a call from another thread
is handed to it). Hosts may ask for properties and the layout at any time: they are
answered from the last snapshot shown, never from live engine state. A signal
(NewIcon, NewToolTip, NewStatus, LayoutUpdated) goes out only when what it describes
changed. Menu clicks go to `reminder.tray.actions.perform`, which never blocks.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dbus_fast import Message, MessageFlag, MessageType, NameFlag, RequestNameReply, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.errors import DBusError

from reminder import APP_NAME
from reminder._dbus import CALL_TIMEOUT_S, add_match, call
from reminder.core.model import SpellState, Status
from reminder.service.api import EngineHandle
from reminder.tray.actions import TrayActions, perform
from reminder.tray.dbusmenu import LAYOUT_SIGNATURE, PROTOCOL_VERSION, DbusMenu
from reminder.tray.menu import APP_TITLE, Entry, menu_entries, tooltip_lines
from reminder.tray.pixmaps import Pixmap, sni_pixmaps

log = logging.getLogger(__name__)

ITEM_INTERFACE = "org.kde.StatusNotifierItem"
ITEM_PATH = "/StatusNotifierItem"
MENU_INTERFACE = "com.canonical.dbusmenu"
MENU_PATH = "/MenuBar"
WATCHER_NAME = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
PROPERTIES = "org.freedesktop.DBus.Properties"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
BUS_NAME = "org.freedesktop.DBus"
BUS_PATH = "/org/freedesktop/DBus"
WATCHER_OWNER_RULE = (
    f"type='signal',sender='{BUS_NAME}',path='{BUS_PATH}',interface='{BUS_NAME}',"
    f"member='NameOwnerChanged',arg0='{WATCHER_NAME}'"
)
UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod"
PIXMAPS_SIGNATURE = "a(iiay)"
WATCHER_RETRY_DELAYS_S = (0.05, 0.2, 0.5, 1.0, 2.0)
TOOLTIP_SIGNATURE = "(sa(iiay)ss)"


def item_bus_name(pid: int) -> str:
    """The name the item owns, in the form the StatusNotifierItem specification asks for."""
    return f"org.kde.StatusNotifierItem-{pid}-1"


def sni_status(status: Status) -> str:
    """The item's Status: "NeedsAttention" while a prompt is due, else "Active"."""
    return "NeedsAttention" if status.state is SpellState.DUE else "Active"


async def watcher_present(bus: MessageBus) -> bool:
    """True when some program owns org.kde.StatusNotifierWatcher on `bus`."""
    try:
        reply = await call(bus, BUS_NAME, BUS_PATH, BUS_NAME, "NameHasOwner", "s", [WATCHER_NAME])
    except (DBusError, TimeoutError) as error:
        log.debug("could not ask for a StatusNotifierWatcher: %s", error)
        return False
    return bool(reply[0])


@dataclass(frozen=True)
class Shown:
    """What the host was last told (or will read): compared to decide which signals to send."""

    state: SpellState
    status: str
    tooltip: tuple[str, ...]


class SniTray:
    """A StatusNotifierItem for one engine, on `bus` (see the module docstring for threads)."""

    def __init__(self, bus: MessageBus, handle: EngineHandle, actions: TrayActions) -> None:
        self._bus = bus
        self._handle = handle
        self._actions = actions
        self._menu = DbusMenu()
        self._shown: Shown | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._service = ""  # the name given to the watcher
        self._owns_name = False
        self._started = False
        self._closed = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.registrations = 0  # successful RegisterStatusNotifierItem calls (for the log, tests)
        self._methods = {ITEM_PATH: self._item_methods(), MENU_PATH: self._menu_methods()}

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Follow the engine, export the item and its menu, register with a watcher if one runs.

        `show` is added as the handle's status listener here (before the first snapshot is
        read, so none falls between): the shell does not add it again. Raises
        ConnectionError if the bus does not answer (the caller then runs trayless).
        """
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._handle.add_listener(self.show)
        self._render(self._handle.status())
        self._bus.add_message_handler(self._on_message)
        self._started = True
        name = item_bus_name(os.getpid())
        try:
            reply = await asyncio.wait_for(
                self._bus.request_name(name, NameFlag.DO_NOT_QUEUE), CALL_TIMEOUT_S
            )
            await add_match(self._bus, WATCHER_OWNER_RULE)
        except (DBusError, TimeoutError) as error:
            await self.close()
            raise ConnectionError(f"the session bus did not take the tray item: {error}") from error
        self._owns_name = reply in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER)
        # Without our name (it cannot be taken, but if it were) the watcher takes the
        # sender's unique name with the default path, which is where the item is.
        self._service = name if self._owns_name else str(self._bus.unique_name)
        if await watcher_present(self._bus):
            await self._register()
        else:
            log.info(
                "no StatusNotifierWatcher on the session bus yet; the icon appears when one starts"
            )

    def show(self, status: Status) -> None:
        """The status listener: remember `status` and signal only what changed for the host."""
        loop = self._loop
        if loop is not None and threading.get_ident() != self._loop_thread:
            loop.call_soon_threadsafe(self.show, status)
            return
        if self._closed:
            return
        before = self._shown
        menu_changed = self._render(status)
        if not self._started or before is None:
            return
        now = self._shown
        assert now is not None
        if now.state != before.state:
            self._emit(ITEM_PATH, ITEM_INTERFACE, "NewIcon")
        if now.status != before.status:
            self._emit(ITEM_PATH, ITEM_INTERFACE, "NewStatus", "s", [now.status])
        if now.tooltip != before.tooltip:
            self._emit(ITEM_PATH, ITEM_INTERFACE, "NewToolTip")
        if menu_changed:
            self._emit(MENU_PATH, MENU_INTERFACE, "LayoutUpdated", "ui", [self._menu.revision, 0])

    async def close(self) -> None:
        """Withdraw the item: the watcher drops it when our name goes. Never raises."""
        if self._closed:
            return
        self._closed = True
        if self._started:
            self._bus.remove_message_handler(self._on_message)
        for task in list(self._tasks):
            task.cancel()
        if not self._bus.connected:
            return
        cleanups = [("RemoveMatch", [WATCHER_OWNER_RULE])]
        if self._owns_name:
            cleanups.append(("ReleaseName", [self._service]))
        for member, body in cleanups:
            try:
                await call(self._bus, BUS_NAME, BUS_PATH, BUS_NAME, member, "s", body)
            except (DBusError, TimeoutError) as error:
                log.debug("%s at close failed: %s", member, error)

    # ---------------------------------------------------------- rendering

    def _render(self, status: Status) -> bool:
        """Remember what `status` shows; True when the menu changed."""
        self._shown = Shown(status.state, sni_status(status), tooltip_lines(status))
        return self._menu.update(menu_entries(status))

    def _emit(
        self,
        path: str,
        interface: str,
        member: str,
        signature: str = "",
        body: Sequence[object] = (),
    ) -> None:
        message = Message.new_signal(path, interface, member, signature, list(body))
        sent = self._bus.send(message)
        sent.add_done_callback(lambda done: _log_failure(done, f"the {member} signal"))

    # ------------------------------------------------------- registration

    async def _register(self, retry_delays: Sequence[float] = ()) -> None:
        """Register with the watcher; after a failure, try again after each of `retry_delays`."""
        for delay in (*retry_delays, None):
            try:
                await call(
                    self._bus,
                    WATCHER_NAME,
                    WATCHER_PATH,
                    WATCHER_NAME,
                    "RegisterStatusNotifierItem",
                    "s",
                    [self._service],
                )
            except (DBusError, TimeoutError) as error:
                reason = f"{error.type}: {error}" if isinstance(error, DBusError) else "no answer"
                if delay is None:
                    log.warning("the StatusNotifierWatcher did not take the tray icon (%s)", reason)
                    return
                log.debug("registering the tray icon failed (%s); again in %ss", reason, delay)
                await asyncio.sleep(delay)
                continue
            self.registrations += 1
            log.info("tray icon registered with the StatusNotifierWatcher as %s", self._service)
            return

    def _on_watcher_owner(self, new_owner: str) -> None:
        if not new_owner:
            log.info("the StatusNotifierWatcher left the session bus; waiting for it to return")
            return
        # A watcher may own its name a moment before it answers on its object.
        task = asyncio.ensure_future(self._register(WATCHER_RETRY_DELAYS_S))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda done: _log_failure(done, "registering the tray icon"))

    # ------------------------------------------------------------ messages

    def _on_message(self, message: Message) -> Message | bool | None:
        """dbus-fast's handler for every incoming message: ours are answered, others passed on."""
        if message.message_type is MessageType.SIGNAL:
            if (
                message.member == "NameOwnerChanged"
                and message.sender == BUS_NAME
                and message.signature == "sss"
                and message.body[0] == WATCHER_NAME
            ):
                self._on_watcher_owner(message.body[2])
            return None  # signals are everybody's
        if message.message_type is not MessageType.METHOD_CALL:
            return None
        if message.path == ITEM_PATH:
            reply = self._answer(message, ITEM_INTERFACE, self._item_properties)
        elif message.path == MENU_PATH:
            reply = self._answer(message, MENU_INTERFACE, self._menu_properties)
        else:
            return None
        if message.flags & MessageFlag.NO_REPLY_EXPECTED:
            return True
        return reply

    def _answer(
        self, message: Message, interface: str, properties: Callable[[], dict[str, Variant]]
    ) -> Message:
        member = message.member or ""
        if message.interface == PROPERTIES or (
            message.interface is None and member in ("Get", "GetAll")
        ):
            return _properties_reply(message, properties, interface)
        if message.interface == INTROSPECTABLE and member == "Introspect":
            xml = ITEM_XML if interface == ITEM_INTERFACE else MENU_XML
            return Message.new_method_return(message, "s", [xml])
        method = self._methods[str(message.path)].get(member)
        if method is None or message.interface not in (None, interface):
            return Message.new_error(message, UNKNOWN_METHOD, f"no method {member} on {interface}")
        if message.signature != method.in_signature:
            return Message.new_error(
                message,
                "org.freedesktop.DBus.Error.InvalidArgs",
                f"{member} takes ({method.in_signature}), got ({message.signature})",
            )
        try:
            body = method.run(list(message.body))
        except _BadArgument as error:
            return Message.new_error(message, "org.freedesktop.DBus.Error.InvalidArgs", str(error))
        return Message.new_method_return(message, method.out_signature, body)

    # --------------------------------------------------------------- item

    def _item_properties(self) -> dict[str, Variant]:
        shown = self._shown
        assert shown is not None
        no_pixmaps: list[list[object]] = []
        return {
            "Category": Variant("s", "ApplicationStatus"),
            "Id": Variant("s", APP_NAME),
            "Title": Variant("s", APP_TITLE),
            "Status": Variant("s", shown.status),
            "WindowId": Variant("i", 0),
            "IconThemePath": Variant("s", ""),
            "IconName": Variant("s", ""),
            "IconPixmap": Variant(PIXMAPS_SIGNATURE, _pixmaps(sni_pixmaps(shown.state))),
            "OverlayIconName": Variant("s", ""),
            "OverlayIconPixmap": Variant(PIXMAPS_SIGNATURE, no_pixmaps),
            "AttentionIconName": Variant("s", ""),
            "AttentionIconPixmap": Variant(
                PIXMAPS_SIGNATURE, _pixmaps(sni_pixmaps(SpellState.DUE))
            ),
            "AttentionMovieName": Variant("s", ""),
            "ToolTip": Variant(
                TOOLTIP_SIGNATURE, ["", no_pixmaps, APP_TITLE, "\n".join(shown.tooltip)]
            ),
            "ItemIsMenu": Variant("b", True),
            "Menu": Variant("o", MENU_PATH),
        }

    def _item_methods(self) -> dict[str, Method]:
        """The item's methods: with ItemIsMenu the menu is its only action, so they do nothing."""

        def ignored(what: str) -> Callable[[list[object]], list[object]]:
            def run(_: list[object]) -> list[object]:
                log.debug("tray: the host called %s; the menu is the item's only action", what)
                return []

            return run

        return {
            "ContextMenu": Method("ii", "", ignored("ContextMenu")),
            "Activate": Method("ii", "", ignored("Activate")),
            "SecondaryActivate": Method("ii", "", ignored("SecondaryActivate")),
            "Scroll": Method("is", "", ignored("Scroll")),
        }

    # --------------------------------------------------------------- menu

    def _menu_properties(self) -> dict[str, Variant]:
        return {
            "Version": Variant("u", PROTOCOL_VERSION),
            "TextDirection": Variant("s", "ltr"),
            "Status": Variant("s", "normal"),
            "IconThemePath": Variant("as", []),
        }

    def _menu_methods(self) -> dict[str, Method]:
        return {
            "GetLayout": Method("iias", "u" + LAYOUT_SIGNATURE, self._get_layout),
            "GetGroupProperties": Method("aias", "a(ia{sv})", self._get_group_properties),
            "GetProperty": Method("is", "v", self._get_property),
            "Event": Method("isvu", "", self._event),
            "EventGroup": Method("a(isvu)", "ai", self._event_group),
            "AboutToShow": Method("i", "b", self._about_to_show),
            "AboutToShowGroup": Method("ai", "aiai", self._about_to_show_group),
        }

    def _get_layout(self, args: list[object]) -> list[object]:
        parent, depth, names = _int(args[0]), _int(args[1]), _strings(args[2])
        if not self._menu.has_item(parent):
            raise _BadArgument(f"no menu item {parent}")
        return [self._menu.revision, self._menu.layout(parent, depth, names)]

    def _get_group_properties(self, args: list[object]) -> list[object]:
        return [self._menu.group_properties(_ints(args[0]), _strings(args[1]))]

    def _get_property(self, args: list[object]) -> list[object]:
        item_id, name = _int(args[0]), str(args[1])
        if not self._menu.has_item(item_id):
            raise _BadArgument(f"no menu item {item_id}")
        value = self._menu.property(item_id, name)
        if value is None:
            raise _BadArgument(f"menu item {item_id} has no property {name!r} set")
        return [value]

    def _event(self, args: list[object]) -> list[object]:
        item_id = _int(args[0])
        if not self._on_event(item_id, str(args[1])):
            raise _BadArgument(f"no menu item {item_id}")
        return []

    def _event_group(self, args: list[object]) -> list[object]:
        events = args[0]
        assert isinstance(events, list)
        return [[_int(e[0]) for e in events if not self._on_event(_int(e[0]), str(e[1]))]]

    def _about_to_show(self, args: list[object]) -> list[object]:
        return [False]  # the layout is always current: nothing to update before showing

    def _about_to_show_group(self, args: list[object]) -> list[object]:
        unknown = [item_id for item_id in _ints(args[0]) if not self._menu.has_item(item_id)]
        return [[], unknown]

    def _on_event(self, item_id: int, kind: str) -> bool:
        """A host reported `kind` on an item; False when the item is not in the menu."""
        if not self._menu.has_item(item_id):
            log.info("tray: %s on menu item %d, which the menu no longer has", kind, item_id)
            return False
        entry = self._menu.entry(item_id)
        if kind != "clicked" or entry is None:
            return True
        if not entry.enabled or entry.separator or entry.submenu:
            log.info("tray: %r cannot be chosen now", entry.text)
            return True
        loop = self._loop
        assert loop is not None
        loop.call_soon(self._choose, entry)  # answer the host first, then act
        return True

    def _choose(self, entry: Entry) -> None:
        perform(entry, self._handle, self._actions)


# ------------------------------------------------------------------ helpers


@dataclass(frozen=True)
class Method:
    """One D-Bus method of ours: its signatures and what it does with the arguments."""

    in_signature: str
    out_signature: str
    run: Callable[[list[object]], list[object]]


class _BadArgument(Exception):
    """An argument the protocol allows but this menu cannot take (an unknown id)."""


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _ints(value: object) -> list[int]:
    assert isinstance(value, list)
    return [_int(item) for item in value]


def _strings(value: object) -> list[str]:
    assert isinstance(value, list)
    return [str(item) for item in value]


def _pixmaps(pixmaps: Sequence[Pixmap]) -> list[list[object]]:
    return [[width, height, data] for width, height, data in pixmaps]


def _properties_reply(
    message: Message, properties: Callable[[], dict[str, Variant]], interface: str
) -> Message:
    member, args = message.member, list(message.body)
    if member == "GetAll" and message.signature == "s":
        if args[0] not in (interface, ""):
            return Message.new_error(
                message, "org.freedesktop.DBus.Error.UnknownInterface", f"no interface {args[0]}"
            )
        return Message.new_method_return(message, "a{sv}", [properties()])
    if member == "Get" and message.signature == "ss":
        values = properties()
        if args[0] not in (interface, "") or args[1] not in values:
            return Message.new_error(
                message,
                "org.freedesktop.DBus.Error.UnknownProperty",
                f"no property {args[1]} on {args[0]}",
            )
        return Message.new_method_return(message, "v", [values[str(args[1])]])
    if member == "Set":
        return Message.new_error(
            message, "org.freedesktop.DBus.Error.PropertyReadOnly", "every property is read-only"
        )
    return Message.new_error(
        message, "org.freedesktop.DBus.Error.UnknownMethod", f"no method {member} on {PROPERTIES}"
    )


def _log_failure(done: asyncio.Future[None], what: str) -> None:
    if done.cancelled():
        return
    error = done.exception()
    if error is not None:
        log.warning("tray: %s failed: %s", what, error)


def _introspection(interface: str, members: str) -> str:
    """Introspection XML for one of our objects; `members` lists one per line:
    `property NAME TYPE`, `method NAME in:TYPE... out:TYPE...`, `signal NAME TYPE...`."""
    lines = [
        "<node>",
        '  <interface name="org.freedesktop.DBus.Properties">',
        '    <method name="Get"><arg type="s" direction="in"/><arg type="s" direction="in"/>'
        '<arg type="v" direction="out"/></method>',
        '    <method name="GetAll"><arg type="s" direction="in"/>'
        '<arg type="a{sv}" direction="out"/></method>',
        "  </interface>",
        '  <interface name="org.freedesktop.DBus.Introspectable">',
        '    <method name="Introspect"><arg type="s" direction="out"/></method>',
        "  </interface>",
        f'  <interface name="{interface}">',
    ]
    for member in members.strip().splitlines():
        kind, name, *types = member.split()
        if kind == "property":
            lines.append(f'    <property name="{name}" type="{types[0]}" access="read"/>')
            continue
        args = []
        for declared in types:
            direction, _, signature = declared.rpartition(":")
            direction_attr = f' direction="{direction}"' if direction else ""
            args.append(f'<arg type="{signature}"{direction_attr}/>')
        lines.append(f'    <{kind} name="{name}">{"".join(args)}</{kind}>')
    lines += ["  </interface>", "</node>", ""]
    return "\n".join(lines)


ITEM_XML = _introspection(
    ITEM_INTERFACE,
    """
    property Category s
    property Id s
    property Title s
    property Status s
    property WindowId i
    property IconThemePath s
    property IconName s
    property IconPixmap a(iiay)
    property OverlayIconName s
    property OverlayIconPixmap a(iiay)
    property AttentionIconName s
    property AttentionIconPixmap a(iiay)
    property AttentionMovieName s
    property ToolTip (sa(iiay)ss)
    property ItemIsMenu b
    property Menu o
    method ContextMenu in:i in:i
    method Activate in:i in:i
    method SecondaryActivate in:i in:i
    method Scroll in:i in:s
    signal NewTitle
    signal NewIcon
    signal NewAttentionIcon
    signal NewOverlayIcon
    signal NewToolTip
    signal NewStatus s
    """,
)

MENU_XML = _introspection(
    MENU_INTERFACE,
    """
    property Version u
    property TextDirection s
    property Status s
    property IconThemePath as
    method GetLayout in:i in:i in:as out:u out:(ia{sv}av)
    method GetGroupProperties in:ai in:as out:a(ia{sv})
    method GetProperty in:i in:s out:v
    method Event in:i in:s in:v in:u
    method EventGroup in:a(isvu) out:ai
    method AboutToShow in:i out:b
    method AboutToShowGroup in:ai out:ai out:ai
    signal ItemsPropertiesUpdated a(ia{sv}) a(ias)
    signal LayoutUpdated u i
    signal ItemActivationRequested i u
    """,
)
