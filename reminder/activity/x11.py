"""X11 idle time and full-screen windows, announced by the X server instead of polled.

How changes are announced (`watch`):

- Idle, through the SYNC extension's IDLETIME system counter (milliseconds
  since the last input, libXext via ctypes). Two alarms stay armed, both with
  delta 0 so that they fire again at every transition, never in between:
  "away", a positive transition at the threshold (the counter climbing to
  `break_after_idle`), and "back", a negative transition at threshold - 1 ms
  (the counter falling from at least the threshold, which only input can do).
  So a person at the keyboard causes no event at all, however much they type;
  going away causes one, coming back one. A new threshold moves both alarms;
  when the idle time is already past the new one, that is announced at once
  (the server only reports transitions).
- Full screen, through property events: PropertyChangeMask on the root window
  (`_NET_ACTIVE_WINDOW`) and on the active window (`_NET_WM_STATE`). The source
  keeps the active window's full-screen state and announces when it changes;
  sample() then reads it from memory.
- Without libXext, the SYNC extension or its IDLETIME counter, idle time is
  read from the MIT-SCREEN-SAVER extension (libXss) on each sample and
  `watch` says idle is not pushed; why is logged.

`queries` counts the round trips to the X server (requests that wait for a
reply) and `wakeups` the times the connection woke the engine's loop, so tests
can check that nobody at the keyboard costs nothing.

Xlib's default error handler ends the process on any protocol error, and a
window can vanish between reading `_NET_ACTIVE_WINDOW` and reading its state.
So process-wide handlers are installed once: errors on our own displays are
swallowed (the read then counts as "not full screen"), errors on any other
display (GTK's, say) go to the handler that was there before. Likewise a lost
connection to the X server, fatal to Xlib by default: where libX11 has
`XSetIOErrorExitHandler` (1.7+) our display only marks the source broken: the
listener is told once, sample() raises OSError from then on and `watch`
promises nothing. (If GTK runs in the same process it installs its own
handler, which exits; its display is then gone too.)

Threading rule: every Xlib call for the display runs on the source's own
daemon thread ("x11"), one at a time and in order, so a slow or hung X server
never blocks the engine's loop (a call waited for longer than `X_TIMEOUT_S`
raises OSError there). The loop thread only watches the connection's file
descriptor (`loop.add_reader`) and hands the reading to that thread, where
XPending/XNextEvent never wait. Public methods and `on_change` run on the
engine's asyncio loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import logging
import os
import queue
import threading
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from reminder.activity.base import NOTHING_PUSHED, ActivitySample, ChangeListener, Pushes

log = logging.getLogger(__name__)

LIBX11 = "libX11.so.6"
LIBXEXT = "libXext.so.6"
LIBXSS = "libXss.so.1"

X_TIMEOUT_S = 3.0
"""How long the loop waits for one job on the X thread before the display counts as hung."""

T = TypeVar("T")

_Display = ctypes.c_void_p
_Window = ctypes.c_ulong
_Atom = ctypes.c_ulong
_XID = ctypes.c_ulong
_XA_ATOM = 4
_XA_WINDOW = 33
_SUCCESS = 0
_PROPERTY_NOTIFY = 28
_PROPERTY_CHANGE_MASK = 1 << 22
_NO_EVENT_MASK = 0

# SYNC extension constants (X11/extensions/syncconst.h).
_XSYNC_ALARM_NOTIFY = 1
_XSYNC_CA_COUNTER = 1 << 0
_XSYNC_CA_VALUE_TYPE = 1 << 1
_XSYNC_CA_VALUE = 1 << 2
_XSYNC_CA_TEST_TYPE = 1 << 3
_XSYNC_CA_DELTA = 1 << 4
_XSYNC_CA_EVENTS = 1 << 5
_XSYNC_ALL = (
    _XSYNC_CA_COUNTER
    | _XSYNC_CA_VALUE_TYPE
    | _XSYNC_CA_VALUE
    | _XSYNC_CA_TEST_TYPE
    | _XSYNC_CA_DELTA
    | _XSYNC_CA_EVENTS
)
_XSYNC_ABSOLUTE = 0
_XSYNC_POSITIVE_TRANSITION = 0
_XSYNC_NEGATIVE_TRANSITION = 1
IDLETIME = b"IDLETIME"


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


class _XSyncValue(ctypes.Structure):
    _fields_ = (("hi", ctypes.c_int), ("lo", ctypes.c_uint))

    @classmethod
    def of(cls, value: int) -> _XSyncValue:
        return cls(value >> 32, value & 0xFFFFFFFF)

    def as_int(self) -> int:
        return (int(self.hi) << 32) | int(self.lo)


class _XSyncSystemCounter(ctypes.Structure):
    _fields_ = (("name", ctypes.c_char_p), ("counter", _XID), ("resolution", _XSyncValue))


class _XSyncTrigger(ctypes.Structure):
    _fields_ = (
        ("counter", _XID),
        ("value_type", ctypes.c_int),
        ("wait_value", _XSyncValue),
        ("test_type", ctypes.c_int),
    )


class _XSyncAlarmAttributes(ctypes.Structure):
    _fields_ = (
        ("trigger", _XSyncTrigger),
        ("delta", _XSyncValue),
        ("events", ctypes.c_int),
        ("state", ctypes.c_int),
    )


class _XPropertyEvent(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", _Display),
        ("window", _Window),
        ("atom", _Atom),
        ("time", ctypes.c_ulong),
        ("state", ctypes.c_int),
    )


class _XSyncAlarmNotifyEvent(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", _Display),
        ("alarm", _XID),
        ("counter_value", _XSyncValue),
        ("alarm_value", _XSyncValue),
        ("time", ctypes.c_ulong),
        ("state", ctypes.c_int),
    )


class _XEvent(ctypes.Union):
    _fields_ = (
        ("type", ctypes.c_int),
        ("xproperty", _XPropertyEvent),
        ("xalarm", _XSyncAlarmNotifyEvent),
        ("pad", ctypes.c_long * 24),  # Xlib's XEvent is 24 longs
    )


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, _Display, ctypes.POINTER(_XErrorEvent))
_IO_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, _Display)
_IO_EXIT_HANDLER = ctypes.CFUNCTYPE(None, _Display, ctypes.c_void_p)


def _fn(function: Any, restype: Any, *argtypes: Any) -> Any:
    function.restype = restype
    function.argtypes = argtypes
    return function


class _Xlib:
    """The libX11 functions used, with their C signatures declared."""

    def __init__(self) -> None:
        x11 = ctypes.CDLL(LIBX11)
        self.XOpenDisplay = _fn(x11.XOpenDisplay, _Display, ctypes.c_char_p)
        self.XCloseDisplay = _fn(x11.XCloseDisplay, ctypes.c_int, _Display)
        self.XDefaultRootWindow = _fn(x11.XDefaultRootWindow, _Window, _Display)
        self.XConnectionNumber = _fn(x11.XConnectionNumber, ctypes.c_int, _Display)
        self.XInternAtom = _fn(x11.XInternAtom, _Atom, _Display, ctypes.c_char_p, ctypes.c_int)
        self.XFree = _fn(x11.XFree, ctypes.c_int, ctypes.c_void_p)
        self.XFlush = _fn(x11.XFlush, ctypes.c_int, _Display)
        self.XPending = _fn(x11.XPending, ctypes.c_int, _Display)
        self.XNextEvent = _fn(x11.XNextEvent, ctypes.c_int, _Display, ctypes.POINTER(_XEvent))
        self.XSelectInput = _fn(x11.XSelectInput, ctypes.c_int, _Display, _Window, ctypes.c_long)
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


class _XSync:
    """The SYNC extension's client functions in libXext."""

    def __init__(self, library: str) -> None:
        xext = ctypes.CDLL(library)
        int_p = ctypes.POINTER(ctypes.c_int)
        self.XSyncQueryExtension = _fn(
            xext.XSyncQueryExtension, ctypes.c_int, _Display, int_p, int_p
        )
        self.XSyncInitialize = _fn(xext.XSyncInitialize, ctypes.c_int, _Display, int_p, int_p)
        self.XSyncListSystemCounters = _fn(
            xext.XSyncListSystemCounters, ctypes.POINTER(_XSyncSystemCounter), _Display, int_p
        )
        self.XSyncFreeSystemCounterList = _fn(
            xext.XSyncFreeSystemCounterList, None, ctypes.POINTER(_XSyncSystemCounter)
        )
        self.XSyncQueryCounter = _fn(
            xext.XSyncQueryCounter, ctypes.c_int, _Display, _XID, ctypes.POINTER(_XSyncValue)
        )
        attributes_p = ctypes.POINTER(_XSyncAlarmAttributes)
        self.XSyncCreateAlarm = _fn(
            xext.XSyncCreateAlarm, _XID, _Display, ctypes.c_ulong, attributes_p
        )
        self.XSyncChangeAlarm = _fn(
            xext.XSyncChangeAlarm, ctypes.c_int, _Display, _XID, ctypes.c_ulong, attributes_p
        )
        self.XSyncDestroyAlarm = _fn(xext.XSyncDestroyAlarm, ctypes.c_int, _Display, _XID)


class _XScreenSaver:
    """The MIT-SCREEN-SAVER extension's client functions in libXss (the idle fallback)."""

    def __init__(self, library: str) -> None:
        xss = ctypes.CDLL(library)
        int_p = ctypes.POINTER(ctypes.c_int)
        self.XScreenSaverQueryExtension = _fn(
            xss.XScreenSaverQueryExtension, ctypes.c_int, _Display, int_p, int_p
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
_extensions: dict[str, _XSync | _XScreenSaver] = {}


def _load() -> tuple[_Xlib, _ErrorTrap]:
    """Load libX11 and install the error trap, once per process."""
    global _shared
    with _setup_lock:
        if _shared is None:
            xlib = _Xlib()
            _shared = (xlib, _ErrorTrap(xlib))
        return _shared


def _load_xsync(library: str) -> _XSync:
    """libXext's SYNC functions, loaded once per process; OSError when the library is missing."""
    with _setup_lock:
        loaded = _extensions.get(library)
        if not isinstance(loaded, _XSync):
            loaded = _extensions[library] = _XSync(library)
        return loaded


def _load_screensaver(library: str) -> _XScreenSaver:
    """libXss's functions, loaded once per process; OSError when the library is missing."""
    with _setup_lock:
        loaded = _extensions.get(library)
        if not isinstance(loaded, _XScreenSaver):
            loaded = _extensions[library] = _XScreenSaver(library)
        return loaded


class _XThread:
    """One daemon thread that runs every job for one display, one at a time, in order.

    A daemon, so that an X server that never answers cannot keep the process
    from exiting.
    """

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = job()
            except BaseException as exc:  # handed to whoever awaits the job
                future.set_exception(exc)
            else:
                future.set_result(result)

        self._jobs.put(run)
        return future

    def stop(self) -> None:
        """Let the thread end after the jobs already queued."""
        self._jobs.put(None)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            job()


class X11Source:
    """Idle time and full-screen state of an X11 display (not XWayland: see detect.py).

    `xsync_library` and `screensaver_library` name the shared libraries to
    load; a name that cannot be loaded is how tests take one away.
    """

    name = "x11"

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        xsync_library: str = LIBXEXT,
        screensaver_library: str = LIBXSS,
    ) -> None:
        env = os.environ if environ is None else environ
        self._display_name = env.get("DISPLAY", "")
        self._xsync_library = xsync_library
        self._screensaver_library = screensaver_library
        self.queries = 0
        """Round trips to the X server so far (requests that wait for a reply)."""
        self.wakeups = 0
        """Times the X connection woke the engine's loop (events to read)."""
        # Loop side.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: _XThread | None = None
        self._listener: ChangeListener | None = None
        self._reading = False
        self._lost_announced = False
        self._pushes = NOTHING_PUSHED
        # X side: written only on the X thread (and read by the loop after a job).
        self._xlib: _Xlib | None = None
        self._trap: _ErrorTrap | None = None
        self._xsync: _XSync | None = None
        self._screensaver: _XScreenSaver | None = None
        self._display: int | None = None
        self._fd = -1
        self._info: Any = None
        self._root = 0
        self._atoms: dict[str, int] = {}
        self._sync_event_base = 0
        self._idle_counter = 0
        self._away_alarm = 0
        self._back_alarm = 0
        self._watching_windows = False
        self._active_window = 0
        self._fullscreen = False
        self._broken = False
        self._io_exit_handler = _IO_EXIT_HANDLER(self._on_connection_lost)

    # ------------------------------------------------------------ loop side

    async def start(self) -> None:
        """Open the display and find a way to read idle time; raise OSError if there is none."""
        if self._thread is not None:
            return
        if not self._display_name:
            raise OSError("DISPLAY is not set")
        self._loop = asyncio.get_running_loop()
        self._thread = _XThread("x11")
        try:
            await self._run(self._open)
        except BaseException:
            await self.close()
            raise
        self._pushes = Pushes(idle=self._xsync is not None, fullscreen=True)

    async def sample(self) -> ActivitySample:
        return await self._run(self._sample)

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        """Arm the alarms at `idle_threshold` and follow the active window (see the module doc).

        The arming happens on the X thread before any later sample() is answered.
        """
        self._listener = on_change
        if self._thread is None or self._broken:
            return NOTHING_PUSHED
        threshold_ms = max(1, round(idle_threshold.total_seconds() * 1000))
        future = self._thread.submit(lambda: self._watch(threshold_ms))
        future.add_done_callback(self._log_failure)
        self._read_events()
        return self._pushes

    async def close(self) -> None:
        """Stop reading, close the display on its thread, end the thread; never raises."""
        thread, self._thread = self._thread, None
        self._listener = None
        self._stop_reading()
        if thread is None:
            return
        try:
            await asyncio.wait_for(asyncio.wrap_future(thread.submit(self._close_display)), 1.0)
        except Exception:  # a hung or lost server: the daemon thread is left behind
            log.debug("closing X display %s failed", self._display_name, exc_info=True)
        thread.stop()

    async def _run(self, job: Callable[[], T]) -> T:
        """Run `job` on the X thread; OSError when it does not finish within X_TIMEOUT_S."""
        if self._thread is None:
            raise OSError("X11Source used before start() or after close()")
        future = asyncio.wrap_future(self._thread.submit(job))
        try:
            result = await asyncio.wait_for(future, X_TIMEOUT_S)
        except asyncio.TimeoutError as exc:
            raise OSError(
                f"X display {self._display_name} did not answer within {X_TIMEOUT_S:g} s"
            ) from exc
        finally:
            self._after_job()
        return result

    def _read_events(self) -> None:
        """Wake the loop when the X connection has something to read."""
        if self._reading or self._loop is None or self._fd < 0 or self._broken:
            return
        self._loop.add_reader(self._fd, self._on_readable)
        self._reading = True

    def _stop_reading(self) -> None:
        if self._reading and self._loop is not None:
            self._loop.remove_reader(self._fd)
        self._reading = False

    def _on_readable(self) -> None:
        # Until the X thread has read, the descriptor stays readable: stop watching it
        # meanwhile, or the loop would spin.
        self.wakeups += 1
        self._stop_reading()
        if self._thread is None:
            return
        future = asyncio.wrap_future(self._thread.submit(self._drain), loop=self._loop)
        future.add_done_callback(self._after_drain)

    def _after_drain(self, future: asyncio.Future[None]) -> None:
        self._log_failure(future)
        self._after_job()
        if self._thread is not None:
            self._read_events()

    def _after_job(self) -> None:
        """After each job, on the loop: a lost connection stops the reading and is told once."""
        if self._broken:
            self._stop_reading()
            if not self._lost_announced and self._loop is not None:
                self._lost_announced = True
                self._loop.call_soon(self._announce)  # never from inside sample()

    def _announce(self) -> None:
        listener = self._listener
        if listener is not None:
            listener()

    def _log_failure(self, future: asyncio.Future[None] | concurrent.futures.Future[None]) -> None:
        if not future.cancelled() and future.exception() is not None:
            log.warning("X11 activity watch failed: %r", future.exception())

    # -------------------------------------------------------------- X side

    def _changed(self) -> None:
        """Tell the loop something announced changed (called on the X thread)."""
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._announce)
        except RuntimeError:  # the loop closed under us: nobody is listening any more
            log.debug("X11 change after the loop closed")

    def _open(self) -> None:
        xlib, trap = _load()
        display = xlib.XOpenDisplay(self._display_name.encode())
        if not display:
            raise OSError(f"cannot open X display {self._display_name}")
        trap.add(display)
        self._xlib, self._trap, self._display = xlib, trap, display
        if xlib.XSetIOErrorExitHandler is not None:
            xlib.XSetIOErrorExitHandler(display, self._io_exit_handler, None)
        self._root = xlib.XDefaultRootWindow(display)
        self._fd = xlib.XConnectionNumber(display)
        for atom in ("_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN"):
            self._atoms[atom] = self._round_trip(xlib.XInternAtom, display, atom.encode(), 0)
        why_not = self._open_xsync(display)
        if why_not:
            log.info("X11 idle time will be asked, not announced: %s", why_not)
            self._open_screensaver(display, why_not)

    def _open_xsync(self, display: int) -> str:
        """Find the IDLETIME counter; the reason it cannot be used, or "" when it can."""
        try:
            xsync = _load_xsync(self._xsync_library)
        except OSError as exc:
            return f"{self._xsync_library} cannot be loaded ({exc})"
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not self._round_trip(
            xsync.XSyncQueryExtension, display, ctypes.byref(event_base), ctypes.byref(error_base)
        ):
            return f"X display {self._display_name} lacks the SYNC extension"
        major, minor = ctypes.c_int(), ctypes.c_int()
        if not self._round_trip(
            xsync.XSyncInitialize, display, ctypes.byref(major), ctypes.byref(minor)
        ):
            return f"the SYNC extension of X display {self._display_name} cannot be initialised"
        count = ctypes.c_int()
        counters = self._round_trip(xsync.XSyncListSystemCounters, display, ctypes.byref(count))
        idle_counter = 0
        if counters:
            try:
                for i in range(count.value):
                    if counters[i].name == IDLETIME:
                        idle_counter = int(counters[i].counter)
            finally:
                xsync.XSyncFreeSystemCounterList(counters)
        if not idle_counter:
            return f"X display {self._display_name} has no IDLETIME counter"
        self._xsync, self._sync_event_base, self._idle_counter = (
            xsync,
            event_base.value,
            idle_counter,
        )
        return ""

    def _open_screensaver(self, display: int, xsync_missing: str) -> None:
        try:
            screensaver = _load_screensaver(self._screensaver_library)
        except OSError as exc:
            raise OSError(
                f"no way to read X11 idle time: {xsync_missing}, and "
                f"{self._screensaver_library} cannot be loaded ({exc})"
            ) from exc
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not self._round_trip(
            screensaver.XScreenSaverQueryExtension,
            display,
            ctypes.byref(event_base),
            ctypes.byref(error_base),
        ):
            raise OSError(
                f"no way to read X11 idle time: {xsync_missing}, and the display "
                "lacks the MIT-SCREEN-SAVER extension"
            )
        self._screensaver = screensaver
        self._info = screensaver.XScreenSaverAllocInfo()

    def _sample(self) -> ActivitySample:
        self._drain()  # events already queued first, so the cached state is current
        idle = self._idle_ms()
        fullscreen = self._fullscreen if self._watching_windows else self._read_fullscreen()
        self._drain()
        return ActivitySample(idle_for=timedelta(milliseconds=idle), fullscreen=fullscreen)

    def _idle_ms(self) -> int:
        """Milliseconds since the last keyboard or mouse input the X server saw."""
        _, display = self._connected()
        if self._xsync is not None:
            value = _XSyncValue()
            if not self._round_trip(
                self._xsync.XSyncQueryCounter, display, self._idle_counter, ctypes.byref(value)
            ):
                raise OSError("XSyncQueryCounter(IDLETIME) failed")
            self._connected()  # a connection lost during the call leaves `value` unset
            return value.as_int()
        assert self._screensaver is not None
        if not self._round_trip(
            self._screensaver.XScreenSaverQueryInfo, display, self._root, self._info
        ):
            raise OSError("XScreenSaverQueryInfo failed")
        return int(self._info.contents.idle)

    def _read_fullscreen(self) -> bool:
        """Whether the active window (per the window manager) is in full-screen state."""
        active = self._property(self._root, "_NET_ACTIVE_WINDOW", _XA_WINDOW)
        return bool(active) and self._is_fullscreen(active[0])

    def _is_fullscreen(self, window: int) -> bool:
        if not window:
            return False
        state = self._property(window, "_NET_WM_STATE", _XA_ATOM)
        return self._atoms["_NET_WM_STATE_FULLSCREEN"] in state

    def _watch(self, threshold_ms: int) -> None:
        xlib, display = self._connected()
        if not self._watching_windows:
            xlib.XSelectInput(display, self._root, _PROPERTY_CHANGE_MASK)
            self._watching_windows = True
            self._follow_active_window(announce=False)
        if self._xsync is not None:
            self._arm_alarms(threshold_ms)
        xlib.XFlush(display)
        self._drain()

    def _arm_alarms(self, threshold_ms: int) -> None:
        """Set both alarms to `threshold_ms`; announce when the idle time is already past it."""
        _, display = self._connected()
        xsync = self._xsync
        assert xsync is not None
        for test_type, value in (
            (_XSYNC_POSITIVE_TRANSITION, threshold_ms),
            (_XSYNC_NEGATIVE_TRANSITION, threshold_ms - 1),
        ):
            attributes = _XSyncAlarmAttributes(
                trigger=_XSyncTrigger(
                    counter=self._idle_counter,
                    value_type=_XSYNC_ABSOLUTE,
                    wait_value=_XSyncValue.of(value),
                    test_type=test_type,
                ),
                delta=_XSyncValue.of(0),
                events=1,
            )
            alarm = (
                self._away_alarm if test_type == _XSYNC_POSITIVE_TRANSITION else self._back_alarm
            )
            if alarm:
                xsync.XSyncChangeAlarm(display, alarm, _XSYNC_CA_VALUE, ctypes.byref(attributes))
            else:
                alarm = xsync.XSyncCreateAlarm(display, _XSYNC_ALL, ctypes.byref(attributes))
                if test_type == _XSYNC_POSITIVE_TRANSITION:
                    self._away_alarm = alarm
                else:
                    self._back_alarm = alarm
        if self._idle_ms() >= threshold_ms:
            # Already away: the server reports transitions only, so say it here.
            self._changed()

    def _drain(self) -> None:
        """Handle every event Xlib has or can read without waiting."""
        if self._xlib is None or self._display is None:
            return
        xlib, display = self._xlib, self._display
        event = _XEvent()
        while not self._broken and xlib.XPending(display) > 0:
            xlib.XNextEvent(display, ctypes.byref(event))
            self._handle(event)

    def _handle(self, event: _XEvent) -> None:
        if self._xsync is not None and event.type == self._sync_event_base + _XSYNC_ALARM_NOTIFY:
            if event.xalarm.alarm in (self._away_alarm, self._back_alarm):
                self._changed()
        elif event.type == _PROPERTY_NOTIFY:
            changed = event.xproperty
            if changed.window == self._root and changed.atom == self._atoms["_NET_ACTIVE_WINDOW"]:
                self._follow_active_window(announce=True)
            elif (
                changed.window == self._active_window
                and changed.atom == self._atoms["_NET_WM_STATE"]
            ):
                self._update_fullscreen(announce=True)

    def _follow_active_window(self, *, announce: bool) -> None:
        """Listen to the property changes of the window that is now active, and only that one."""
        xlib, display = self._connected()
        found = self._property(self._root, "_NET_ACTIVE_WINDOW", _XA_WINDOW)
        active = found[0] if found else 0
        if active != self._active_window:
            # Select before reading its state, so a change in between still comes as an event.
            # A window already gone gives BadWindow, which the trap swallows.
            if self._active_window:
                xlib.XSelectInput(display, self._active_window, _NO_EVENT_MASK)
            if active:
                xlib.XSelectInput(display, active, _PROPERTY_CHANGE_MASK)
            self._active_window = active
        self._update_fullscreen(announce=announce)

    def _update_fullscreen(self, *, announce: bool) -> None:
        fullscreen = self._is_fullscreen(self._active_window)
        if fullscreen != self._fullscreen:
            self._fullscreen = fullscreen
            if announce:
                self._changed()

    def _property(self, window: int, name: str, kind: int) -> list[int]:
        """A format-32 property as a list (empty when absent or the window is gone)."""
        xlib, display = self._connected()
        actual_type = _Atom()
        actual_format = ctypes.c_int()
        count = ctypes.c_ulong()
        after = ctypes.c_ulong()
        data = ctypes.POINTER(ctypes.c_ubyte)()
        status = self._round_trip(
            xlib.XGetWindowProperty,
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

    def _round_trip(self, function: Callable[..., T], *args: object) -> T:
        self.queries += 1
        return function(*args)

    def _connected(self) -> tuple[_Xlib, int]:
        if self._broken:
            raise OSError(f"lost the connection to X display {self._display_name}")
        if self._xlib is None or self._display is None:
            raise OSError("X11Source used before start()")
        return self._xlib, self._display

    def _on_connection_lost(self, display: int | None, user_data: int | None) -> None:
        self._broken = True

    def _close_display(self) -> None:
        xlib, trap, display, xsync = self._xlib, self._trap, self._display, self._xsync
        self._display = None
        if xlib is None or display is None:
            return
        if not self._broken:
            if xsync is not None:
                for alarm in (self._away_alarm, self._back_alarm):
                    if alarm:
                        xsync.XSyncDestroyAlarm(display, alarm)
            xlib.XCloseDisplay(display)
        if self._info:
            xlib.XFree(self._info)
            self._info = None
        if trap is not None:
            trap.remove(display)
