"""The tray: one menu model (`menu.py`) shown by a StatusNotifierItem or by pystray.

`choose.choose_tray(bus)` says which tray a desktop gets. `sni.SniTray` runs on the
engine's asyncio loop over its dbus-fast bus (Linux desktops with a
StatusNotifierWatcher; no toolkit in the process); `app.TrayApp` is pystray on the main
thread (Windows, macOS, XEmbed-only trays), imported only when chosen. Both take the
shell's `actions.TrayActions` for the items that are not engine commands.
"""
