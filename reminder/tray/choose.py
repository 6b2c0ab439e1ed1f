"""Which tray this desktop gets: the StatusNotifierItem, pystray, or none.

One rule, asked once at start-up (and nothing here imports pystray or GTK):

- Windows and macOS: pystray (its Win32 and AppKit backends).
- `PYSTRAY_BACKEND` set: pystray with that backend, as asked.
- Linux without a display: none (prompts go to the console).
- A program owns `org.kde.StatusNotifierWatcher` on the session bus (Plasma, GNOME with
  the AppIndicator extension, XFCE, Cinnamon, MATE, waybar): the SNI tray.
- No watcher but an XEmbed tray owns `_NET_SYSTEM_TRAY_S0` (trayer, old panels): pystray.
- Neither, with a session bus: the SNI tray, which waits for a watcher at no cost.
- Neither, and no session bus: pystray on X11 (GTK docks when a tray starts), else none.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Mapping
from typing import Literal

from dbus_fast.aio import MessageBus

TrayKind = Literal["sni", "pystray", "none"]


def _xembed_tray_running() -> bool:
    from reminder.tray.backend import xembed_tray_running

    return xembed_tray_running()


async def choose_tray(
    bus: MessageBus | None,
    *,
    platform: str | None = None,
    environ: Mapping[str, str] | None = None,
    xembed_tray_running: Callable[[], bool] = _xembed_tray_running,
) -> TrayKind:
    """The tray to run on this desktop (see the module docstring for the rule).

    `bus` is the service's session bus connection (None when there is none). Runs on the
    bus's loop; the X11 question goes to a worker thread. Never raises.
    """
    from reminder.tray.sni import watcher_present

    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    if platform in ("win32", "darwin"):
        return "pystray"
    if environ.get("PYSTRAY_BACKEND", "").strip():
        return "pystray"
    x11 = bool(environ.get("DISPLAY"))
    if not (x11 or environ.get("WAYLAND_DISPLAY")):
        return "none"
    if bus is not None and await watcher_present(bus):
        return "sni"
    if x11 and await asyncio.to_thread(xembed_tray_running):
        return "pystray"
    if bus is not None:
        return "sni"
    return "pystray" if x11 else "none"
