"""X11 idle time (XScreenSaver extension) and full-screen detection, through ctypes.

One display connection is opened in start(); a sample costs three short round
trips to the X server (idle time, active window, its state), no subprocess.

Xlib's default error handler ends the process on any protocol error, and a
window can vanish between reading `_NET_ACTIVE_WINDOW` and reading its state.
So process-wide handlers are installed once: errors on our own displays are
swallowed (the read then counts as "not full screen"), errors on any other
display (GTK's, say) go to the handler that was there before. Likewise a lost
connection to the X server, fatal to Xlib by default: where libX11 has
`XSetIOErrorExitHandler` (1.7+) our display only marks the source broken, so
sample() raises OSError instead of the process exiting. (If GTK runs in the
same process it installs its own handler, which exits; its display is then
gone too.)

Threading rule: all methods run on the engine's asyncio loop thread; the
Display is never shared with another thread (the tray, if it uses X, has its own).
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from reminder.activity.base import NOTHING_PUSHED, ActivitySample, ChangeListener, Pushes

LIBX11 = "libX11.so.6"
LIBXSS = "libXss.so.1"

_Display = ctypes.c_void_p
_Window = ctypes.c_ulong
_Atom = ctypes.c_ulong
_XA_ATOM = 4
_XA_WINDOW = 33
_SUCCESS = 0


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = (
        ("window", _Window),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),
        ("event_mask", ctypes.c_ulong),
    )


class _XErrorEvent(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("display", _Display),
        ("resourceid", ctypes.c_ulong),
        ("serial", ctypes.c_ulong),
        ("error_code", ctypes.c_ubyte),
        ("request_code", ctypes.c_ubyte),
        ("minor_code", ctypes.c_ubyte),
    )


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, _Display, ctypes.POINTER(_XErrorEvent))
_IO_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, _Display)
_IO_EXIT_HANDLER = ctypes.CFUNCTYPE(None, _Display, ctypes.c_void_p)


class _Xlib:
    """The few libX11/libXss functions used, with their C signatures declared."""

    def __init__(self) -> None:
        x11 = ctypes.CDLL(LIBX11)
        xss = ctypes.CDLL(LIBXSS)
        self.XOpenDisplay = _fn(x11.XOpenDisplay, _Display, ctypes.c_char_p)
        self.XCloseDisplay = _fn(x11.XCloseDisplay, ctypes.c_int, _Display)
        self.XDefaultRootWindow = _fn(x11.XDefaultRootWindow, _Window, _Display)
        self.XInternAtom = _fn(x11.XInternAtom, _Atom, _Display, ctypes.c_char_p, ctypes.c_int)
        self.XFree = _fn(x11.XFree, ctypes.c_int, ctypes.c_void_p)
        self.XGetWindowProperty = _fn(
            x11.XGetWindowProperty,
            ctypes.c_int,
            _Display,
            _Window,
            _Atom,
            ctypes.c_long,
            ctypes.c_long,
            ctypes.c_int,
            _Atom,
            ctypes.POINTER(_Atom),
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)),
        )
        self.XSetErrorHandler = _fn(x11.XSetErrorHandler, ctypes.c_void_p, _ERROR_HANDLER)
        self.XSetIOErrorHandler = _fn(x11.XSetIOErrorHandler, ctypes.c_void_p, _IO_ERROR_HANDLER)
        exit_handler = getattr(x11, "XSetIOErrorExitHandler", None)
        self.XSetIOErrorExitHandler = (
            None
            if exit_handler is None
            else _fn(exit_handler, None, _Display, _IO_EXIT_HANDLER, ctypes.c_void_p)
        )
        self.XScreenSaverQueryExtension = _fn(
            xss.XScreenSaverQueryExtension,
            ctypes.c_int,
            _Display,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        )
        self.XScreenSaverAllocInfo = _fn(
            xss.XScreenSaverAllocInfo, ctypes.POINTER(_XScreenSaverInfo)
        )
        self.XScreenSaverQueryInfo = _fn(
            xss.XScreenSaverQueryInfo,
            ctypes.c_int,
            _Display,
            _Window,
            ctypes.POINTER(_XScreenSaverInfo),
        )


def _fn(function: Any, restype: Any, *argtypes: Any) -> Any:
    function.restype = restype
    function.argtypes = argtypes
    return function


class _ErrorTrap:
    """The process-wide Xlib error handlers: quiet for our displays, chained for the rest."""

    def __init__(self, xlib: _Xlib) -> None:
        self._lock = threading.Lock()
        self._ours: set[int] = set()
        # The ctypes callbacks are kept alive here for the life of the process.
        self._handler = _ERROR_HANDLER(self._on_error)
        previous = xlib.XSetErrorHandler(self._handler)
        self._previous = _ERROR_HANDLER(previous) if previous else None
        self._previous_io: Any = None
        self._io_handler: Any = None
        if xlib.XSetIOErrorExitHandler is not None:
            # Without a per-display exit handler, returning here would still exit.
            self._io_handler = _IO_ERROR_HANDLER(self._on_io_error)
            previous_io = xlib.XSetIOErrorHandler(self._io_handler)
            self._previous_io = _IO_ERROR_HANDLER(previous_io) if previous_io else None

    def add(self, display: int) -> None:
        with self._lock:
            self._ours.add(display)

    def remove(self, display: int) -> None:
        with self._lock:
            self._ours.discard(display)

    def _on_error(self, display: int | None, event: Any) -> int:
        with self._lock:
            ours = display in self._ours
        if ours or self._previous is None:
            return 0
        return int(self._previous(display, event))

    def _on_io_error(self, display: int | None) -> int:
        with self._lock:
            ours = display in self._ours
        if ours or self._previous_io is None:
            return 0  # then Xlib calls the display's exit handler: X11Source marks itself broken
        return int(self._previous_io(display))


_setup_lock = threading.Lock()
_shared: tuple[_Xlib, _ErrorTrap] | None = None


def _load() -> tuple[_Xlib, _ErrorTrap]:
    """Load the libraries and install the error trap, once per process."""
    global _shared
    with _setup_lock:
        if _shared is None:
            xlib = _Xlib()
            _shared = (xlib, _ErrorTrap(xlib))
        return _shared


class X11Source:
    """Idle time and full-screen state of an X11 display (not XWayland: see detect.py)."""

    name = "x11"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self._display_name = env.get("DISPLAY", "")
        self._xlib: _Xlib | None = None
        self._trap: _ErrorTrap | None = None
        self._display: int | None = None
        self._info: Any = None
        self._root = 0
        self._atoms: dict[str, int] = {}
        self._broken = False
        self._io_exit_handler = _IO_EXIT_HANDLER(self._on_connection_lost)

    async def start(self) -> None:
        """Open the display and check the XScreenSaver extension; raise OSError if unusable."""
        if self._display is not None:
            return
        if not self._display_name:
            raise OSError("DISPLAY is not set")
        xlib, trap = _load()
        display = xlib.XOpenDisplay(self._display_name.encode())
        if not display:
            raise OSError(f"cannot open X display {self._display_name}")
        trap.add(display)
        self._xlib, self._trap, self._display = xlib, trap, display
        if xlib.XSetIOErrorExitHandler is not None:
            xlib.XSetIOErrorExitHandler(display, self._io_exit_handler, None)
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not xlib.XScreenSaverQueryExtension(
            display, ctypes.byref(event_base), ctypes.byref(error_base)
        ):
            await self.close()
            raise OSError(f"X display {self._display_name} lacks the MIT-SCREEN-SAVER extension")
        self._info = xlib.XScreenSaverAllocInfo()
        self._root = xlib.XDefaultRootWindow(display)
        for atom in ("_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN"):
            self._atoms[atom] = xlib.XInternAtom(display, atom.encode(), 0)

    async def sample(self) -> ActivitySample:
        return ActivitySample(idle_for=self.idle_for(), fullscreen=self.fullscreen())

    def idle_for(self) -> timedelta:
        """Time since the last keyboard or mouse input the X server saw."""
        xlib, display = self._connected()
        if not xlib.XScreenSaverQueryInfo(display, self._root, self._info):
            raise OSError("XScreenSaverQueryInfo failed")
        return timedelta(milliseconds=int(self._info.contents.idle))

    def fullscreen(self) -> bool:
        """Whether the active window (per the window manager) is in full-screen state."""
        self._connected()
        active = self._property(self._root, "_NET_ACTIVE_WINDOW", _XA_WINDOW)
        if not active or not active[0]:
            return False
        state = self._property(active[0], "_NET_WM_STATE", _XA_ATOM)
        return self._atoms["_NET_WM_STATE_FULLSCREEN"] in state

    def _property(self, window: int, name: str, kind: int) -> list[int]:
        """A format-32 property as a list (empty when absent or the window is gone)."""
        xlib, display = self._connected()
        actual_type = _Atom()
        actual_format = ctypes.c_int()
        count = ctypes.c_ulong()
        after = ctypes.c_ulong()
        data = ctypes.POINTER(ctypes.c_ubyte)()
        status = xlib.XGetWindowProperty(
            display,
            window,
            self._atoms[name],
            0,
            64,
            0,
            kind,
            ctypes.byref(actual_type),
            ctypes.byref(actual_format),
            ctypes.byref(count),
            ctypes.byref(after),
            ctypes.byref(data),
        )
        try:
            if status != _SUCCESS or not data or actual_format.value != 32:
                return []
            # Xlib hands format-32 items back as C longs, whatever their width.
            items = ctypes.cast(data, ctypes.POINTER(ctypes.c_ulong))
            return [int(items[i]) for i in range(count.value)]
        finally:
            if data:
                xlib.XFree(data)

    def _connected(self) -> tuple[_Xlib, int]:
        if self._broken:
            raise OSError(f"lost the connection to X display {self._display_name}")
        if self._xlib is None or self._display is None:
            raise OSError("X11Source.sample() called before start()")
        return self._xlib, self._display

    def _on_connection_lost(self, display: int | None, user_data: int | None) -> None:
        self._broken = True

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        """This source can only be asked (see `reminder.activity.base`)."""
        return NOTHING_PUSHED

    async def close(self) -> None:
        xlib, trap, display = self._xlib, self._trap, self._display
        self._display = None
        if xlib is None or display is None:
            return
        if self._info:
            xlib.XFree(self._info)
            self._info = None
        if not self._broken:
            xlib.XCloseDisplay(display)
        if trap is not None:
            trap.remove(display)
