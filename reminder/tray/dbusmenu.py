"""The menu model as `com.canonical.dbusmenu` items: ids, properties, the recursive layout.

Pure data, no bus: `DbusMenu.update(entries)` turns the tray's entries into dbusmenu
items and says whether anything a host shows changed (then the layout revision goes
up and the SNI tray emits LayoutUpdated). Item ids stay with a line's identity
across revisions ("I moved" keeps its id while the status line above it changes
text), so a click that races a layout change reaches the line the user saw, or,
if that line is gone, none at all. Property names and types follow libdbusmenu's
dbus-menu.xml (protocol version 3); only values that differ from the defaults are
sent, as that file asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dbus_fast import Variant

from reminder.tray.menu import Entry

ROOT_ID = 0
LAYOUT_SIGNATURE = "(ia{sv}av)"
PROTOCOL_VERSION = 3

Properties = dict[str, Variant]
LayoutNode = list[object]
"""[id, properties, [Variant("(ia{sv}av)", child node), ...]], as GetLayout returns it."""


def escape_label(text: str) -> str:
    """A dbusmenu label showing `text` as is: a single "_" would mark an access key."""
    return text.replace("_", "__")


def item_properties(entry: Entry) -> Properties:
    """The dbusmenu properties of one line (defaults left out)."""
    if entry.separator:
        return {"type": Variant("s", "separator")}
    props: Properties = {"label": Variant("s", escape_label(entry.text))}
    if not entry.enabled:
        props["enabled"] = Variant("b", False)
    if entry.radio or entry.checked is not None:
        props["toggle-type"] = Variant("s", "radio" if entry.radio else "checkmark")
        props["toggle-state"] = Variant("i", 1 if entry.checked else 0)
    if entry.submenu:
        props["children-display"] = Variant("s", "submenu")
    return props


@dataclass(frozen=True)
class MenuItem:
    """One dbusmenu item: its id, what it shows, the entry it stands for, its children."""

    id: int
    properties: Properties
    entry: Entry | None  # None for the root
    children: tuple[int, ...]


class DbusMenu:
    """The menu as a dbusmenu server publishes it, one revision per change.

    Not thread-safe: the SNI tray uses it on the engine's loop only.
    """

    def __init__(self) -> None:
        self.revision = 0
        self._entries: tuple[Entry, ...] | None = None
        self._ids: dict[str, int] = {}  # identity path -> id, kept for the process's life
        self._items: dict[int, MenuItem] = {
            ROOT_ID: MenuItem(ROOT_ID, {"children-display": Variant("s", "submenu")}, None, ())
        }

    def update(self, entries: Sequence[Entry]) -> bool:
        """Show `entries`; True when the menu changed (the revision is then one higher)."""
        entries = tuple(entries)
        if entries == self._entries:
            return False
        self._entries = entries
        items: dict[int, MenuItem] = {}
        root_children = self._add_items(entries, "", items)
        items[ROOT_ID] = MenuItem(ROOT_ID, self._items[ROOT_ID].properties, None, root_children)
        self._items = items
        self.revision += 1
        return True

    def _add_items(
        self, entries: Iterable[Entry], parent_path: str, items: dict[int, MenuItem]
    ) -> tuple[int, ...]:
        ids = []
        seen: dict[str, int] = {}
        for entry in entries:
            identity = entry.identity
            seen[identity] = seen.get(identity, 0) + 1
            path = f"{parent_path}/{identity}#{seen[identity]}"
            item_id = self._ids.setdefault(path, len(self._ids) + 1)
            children = self._add_items(entry.submenu, path, items)
            items[item_id] = MenuItem(item_id, item_properties(entry), entry, children)
            ids.append(item_id)
        return tuple(ids)

    # ----------------------------------------------------------- queries

    def entry(self, item_id: int) -> Entry | None:
        """The line item `item_id` stands for now (None: not in this revision, or the root)."""
        item = self._items.get(item_id)
        return None if item is None else item.entry

    def has_item(self, item_id: int) -> bool:
        return item_id in self._items

    def layout(self, parent_id: int, depth: int, names: Sequence[str]) -> LayoutNode:
        """GetLayout's answer below `parent_id`; depth -1 is all levels. KeyError: no such id."""
        item = self._items[parent_id]
        children: list[Variant] = []
        if depth != 0:
            children = [
                Variant(LAYOUT_SIGNATURE, self.layout(child, depth - 1 if depth > 0 else -1, names))
                for child in item.children
            ]
        return [item.id, _only(item.properties, names), children]

    def group_properties(self, ids: Sequence[int], names: Sequence[str]) -> list[list[object]]:
        """GetGroupProperties: [id, properties] for each known id (all items for no ids)."""
        chosen = ids or sorted(self._items)
        return [
            [item_id, _only(self._items[item_id].properties, names)]
            for item_id in chosen
            if item_id in self._items
        ]

    def property(self, item_id: int, name: str) -> Variant | None:
        """One property of one item (None when unset: the protocol default applies)."""
        return self._items[item_id].properties.get(name)


def _only(properties: Properties, names: Sequence[str]) -> Properties:
    if not names:
        return dict(properties)
    return {name: value for name, value in properties.items() if name in names}
