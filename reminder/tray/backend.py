"""Which pystray backend can show an icon with a menu here, and how to load it.

Used only where `reminder.tray.choose` picked pystray (Windows, macOS, XEmbed-only
desktops). pystray picks its backend when it is first imported (from $PYSTRAY_BACKEND
or a fixed order), and its xorg fallback has no menu; so the choice is made here first.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import logging
import os
import sys
from types import ModuleType

from reminder import APP_NAME

log = logging.getLogger(__name__)

PYGOBJECT_HINT = (
    "the tray menu needs PyGObject: install python3-gi and gir1.2-gtk-3.0 "
    "(or pip install 'sitting-reminder[tray]'); see README"
)
NO_DESKTOP_HINT = (
    "no desktop session (DISPLAY and WAYLAND_DISPLAY are unset): running without a tray icon"
)
NO_TRAY_HOST_HINT = (
    "no tray on this Wayland session (no StatusNotifier host, e.g. GNOME's AppIndicator "
    "extension): running without a tray icon"
)


def _name_program() -> None:
    """Give GTK's windows the class "sitting-reminder" (before GTK opens the display)."""
    try:
        from gi.repository import GLib
    except ImportError:
        return
    if GLib.get_prgname() != APP_NAME:
        GLib.set_prgname(APP_NAME)
    if GLib.get_application_name() in (None, APP_NAME):  # GLib warns when set twice
        GLib.set_application_name("Sitting Reminder")


def _gtk_ready() -> str | None:
    """None when GTK 3 can open the display, else the hint saying why not."""
    try:
        import gi

        gi.require_version("Gtk", "3.0")
        from gi.repository import Gtk
    except (ImportError, ValueError):
        return PYGOBJECT_HINT
    if not Gtk.init_check()[0]:
        return "GTK cannot open the display: running without a tray icon"
    return None


def select_backend() -> tuple[str | None, str]:
    """(pystray backend name, hint). The name is None when no tray with a menu can run.

    $PYSTRAY_BACKEND wins when set. Windows and macOS use pystray's own choice ("").
    Linux: "gtk", an XEmbed icon (a StatusNotifierWatcher gets the SNI tray instead,
    see `reminder.tray.choose`).
    """
    forced = os.environ.get("PYSTRAY_BACKEND", "").strip()
    if forced:
        return forced, ""
    if sys.platform in ("win32", "darwin"):
        return "", ""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None, NO_DESKTOP_HINT
    _name_program()
    problem = _gtk_ready()
    if problem is not None:
        return None, problem
    if not os.environ.get("DISPLAY"):
        return None, NO_TRAY_HOST_HINT
    return "gtk", ""


def xembed_tray_running() -> bool:
    """True when an X system tray (XEmbed, like trayer or a panel's tray) runs on screen 0.

    Only for a hint: GTK docks the icon whenever a tray appears, even later.
    libX11 through ctypes: GTK has it loaded already, so this costs no memory
    (python-xlib cost 2 MiB of objects for one question).
    """
    try:
        xlib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        xlib.XInternAtom.restype = ctypes.c_ulong
        xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        xlib.XGetSelectionOwner.restype = ctypes.c_ulong
        xlib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        screen = xlib.XOpenDisplay(None)
        if not screen:
            return False
        try:
            atom = xlib.XInternAtom(screen, b"_NET_SYSTEM_TRAY_S0", 0)
            return bool(xlib.XGetSelectionOwner(screen, atom))
        finally:
            xlib.XCloseDisplay(screen)
    except (OSError, AttributeError):  # no libX11
        log.debug("could not look for an X system tray", exc_info=True)
        return False


def tray_available() -> tuple[bool, str]:
    """Whether a tray icon with a menu can run here and, if not, a one-line hint for the user."""
    backend, hint = select_backend()
    return backend is not None, hint


def load_pystray(backend: str | None) -> ModuleType:
    """Import pystray with `backend` ("" or None: pystray's own choice).

    pystray binds its backend at first import; later calls return that module as is.
    """
    loaded: ModuleType | None = sys.modules.get("pystray")
    if loaded is not None:
        return loaded
    if sys.platform.startswith("linux"):
        _name_program()
    previous = os.environ.get("PYSTRAY_BACKEND")
    if backend:
        os.environ["PYSTRAY_BACKEND"] = backend
    try:
        module = importlib.import_module("pystray")
    finally:
        if previous is None:
            os.environ.pop("PYSTRAY_BACKEND", None)
        else:
            os.environ["PYSTRAY_BACKEND"] = previous
    return module
