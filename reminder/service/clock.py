"""The clock seam: wall time (aware UTC), monotonic progress, and word of clock jumps.

The engine sleeps until wall-clock moments (a prompt at 09:50). When the wall
clock is set back by an hour, a timer armed for 09:50 would fire an hour late;
set forward, or after a suspend, the engine must look at once. So the clock
also tells the engine when the wall clock jumped: on Linux through a timerfd
with TFD_TIMER_CANCEL_ON_SET, which the kernel cancels whenever the realtime
clock is set (by hand, by NTP stepping it, or on resume from suspend). The gap
between wall and monotonic progress (`Engine` measures it on every wake-up) is
the one suspend and jump detector; this only makes sure a wake-up happens.

Threading rule: `watch_jumps` registers a reader on the running asyncio loop;
its callback runs on that loop.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Protocol

log = logging.getLogger(__name__)

JumpListener = Callable[[], None]


class Clock(Protocol):
    def now(self) -> datetime:
        """Wall-clock time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds that never jump (and, on Linux, stand still during suspend)."""
        ...

    def watch_jumps(self, listener: JumpListener) -> bool:
        """Call `listener` on the loop whenever the wall clock jumps; False if it cannot."""
        ...

    def close(self) -> None:
        """Stop watching (never raises)."""
        ...


# --------------------------------------------------------------- timerfd (Linux)

_CLOCK_REALTIME = 0
_TFD_CLOEXEC = 0o2000000
_TFD_NONBLOCK = 0o4000
_TFD_TIMER_ABSTIME = 1
_TFD_TIMER_CANCEL_ON_SET = 2


class _Timespec(ctypes.Structure):
    _fields_ = (("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long))


class _Itimerspec(ctypes.Structure):
    _fields_ = (("it_interval", _Timespec), ("it_value", _Timespec))


class _ClockSetWatch:
    """A timerfd armed far in the future that the kernel cancels when the clock is set."""

    def __init__(self) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self._create = libc.timerfd_create
        self._create.argtypes = (ctypes.c_int, ctypes.c_int)
        self._create.restype = ctypes.c_int
        self._settime = libc.timerfd_settime
        self._settime.argtypes = (
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(_Itimerspec),
            ctypes.POINTER(_Itimerspec),
        )
        self._settime.restype = ctypes.c_int
        fd = self._create(_CLOCK_REALTIME, _TFD_CLOEXEC | _TFD_NONBLOCK)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "timerfd_create failed")
        self.fd = fd
        self.arm()

    def arm(self) -> None:
        spec = _Itimerspec()
        spec.it_value.tv_sec = int(time.time()) + 10 * 365 * 86400  # never fires by itself
        flags = _TFD_TIMER_ABSTIME | _TFD_TIMER_CANCEL_ON_SET
        if self._settime(self.fd, flags, ctypes.byref(spec), None) != 0:
            raise OSError(ctypes.get_errno(), "timerfd_settime failed")

    def drain(self) -> bool:
        """True when the clock was set (the read says ECANCELED); re-arms the timer."""
        try:
            os.read(self.fd, 8)
        except BlockingIOError:
            return False
        except OSError as error:
            if error.errno != 125:  # ECANCELED: the realtime clock was set
                raise
            self.arm()
            return True
        self.arm()  # it fired (ten years on): arm again
        return False

    def close(self) -> None:
        os.close(self.fd)


class SystemClock:
    """The real clocks; clock jumps are seen through a timerfd on Linux."""

    def __init__(self) -> None:
        self._watch: _ClockSetWatch | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()

    def watch_jumps(self, listener: JumpListener) -> bool:
        if not sys.platform.startswith("linux"):
            return False
        try:
            watch = _ClockSetWatch()
        except (OSError, AttributeError) as error:
            log.info("clock changes not watched (%s); they are noticed on the next wake-up", error)
            return False
        loop = asyncio.get_running_loop()

        def readable() -> None:
            try:
                jumped = watch.drain()
            except OSError as error:
                log.warning("clock-change watch failed (%s); no longer watched", error)
                loop.remove_reader(watch.fd)
                return
            if jumped:
                log.info("the wall clock was set (or the machine woke from suspend)")
                listener()

        loop.add_reader(watch.fd, readable)
        self._watch, self._loop = watch, loop
        return True

    def close(self) -> None:
        watch, loop = self._watch, self._loop
        self._watch = self._loop = None
        if watch is None:
            return
        if loop is not None and not loop.is_closed():
            loop.remove_reader(watch.fd)
        watch.close()


class ManualClock:
    """A test clock: frozen until moved; `advance` moves both clocks, `jump` only the wall
    (as a clock change or a suspend does) and tells the jump listeners, as the kernel would."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._wall = start
        self._mono = 1000.0
        self._listeners: list[JumpListener] = []

    def now(self) -> datetime:
        return self._wall

    def monotonic(self) -> float:
        return self._mono

    def advance(self, by: timedelta) -> None:
        if by < timedelta(0):
            raise ValueError("time does not run backwards; use jump() for a clock change")
        self._wall += by
        self._mono += by.total_seconds()

    def jump(self, by: timedelta, *, announce: bool = True) -> None:
        """Move only the wall clock; with `announce`, call the jump listeners."""
        self._wall += by
        if announce:
            for listener in list(self._listeners):
                listener()

    def watch_jumps(self, listener: JumpListener) -> bool:
        self._listeners.append(listener)
        return True

    def close(self) -> None:
        self._listeners.clear()
