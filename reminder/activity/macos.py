"""macOS: idle time from IOHIDSystem's `HIDIdleTime`, lock from the window server session.

- Idle: the `HIDIdleTime` registry property of the IOHIDSystem service, in
  nanoseconds (a CFNumber; a CFData of 8 bytes on old systems), read through
  IOKit and CoreFoundation with ctypes. The service is looked up once at start.
- Lock: `CGSessionCopyCurrentDictionary()["CGSSessionScreenIsLocked"]`.
- Full screen is not detected on macOS; the sample always says False.
- Suspend: the monotonic clock stops while a Mac sleeps, so the engine's Clock
  seam sees it.
- Query-only: nothing here is announced (`watch` returns NOTHING_PUSHED); the
  engine asks when the answer could first change.

The OS functions are injected (`MacApi`), so this module imports and the source
can be built and tested on any platform; `MacApi.load()` builds the real ones
and fails with OSError anywhere but macOS.

Threading rule: all methods run on the engine's asyncio loop thread.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from reminder.activity.base import NOTHING_PUSHED, ActivitySample, ChangeListener, Pushes


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class MacApi:
    """The macOS calls the source makes, as plain callables."""

    hid_idle_ns: Callable[[], int]
    """HIDIdleTime of IOHIDSystem: nanoseconds since the last input."""
    screen_locked: Callable[[], bool]
    """Whether the login session's screen is locked."""
    release: Callable[[], None] = _nothing
    """Give back what load() acquired (the IOHIDSystem service handle)."""

    @classmethod
    def load(cls) -> MacApi:
        """The real functions through ctypes; OSError on other platforms."""
        if sys.platform != "darwin":
            raise OSError("the macOS activity source needs macOS")
        return _load_mac_api()


def idle_from_nanoseconds(nanoseconds: int) -> timedelta:
    """HIDIdleTime (nanoseconds) as a timedelta, to the microsecond."""
    return timedelta(microseconds=max(0, nanoseconds) // 1000)


class MacSource:
    """Idle time and lock state on macOS."""

    name = "macos"

    def __init__(self, api: MacApi | None = None) -> None:
        self._api = api

    async def start(self) -> None:
        if self._api is None:
            self._api = MacApi.load()
        self._api.hid_idle_ns()

    async def sample(self) -> ActivitySample:
        if self._api is None:
            raise OSError("MacSource.sample() called before start()")
        try:
            locked = self._api.screen_locked()
        except OSError:
            locked = False
        return ActivitySample(
            idle_for=idle_from_nanoseconds(self._api.hid_idle_ns()), screen_locked=locked
        )

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        """This source can only be asked (see `reminder.activity.base`)."""
        return NOTHING_PUSHED

    async def close(self) -> None:
        api, self._api = self._api, None
        if api is not None:
            try:
                api.release()
            except OSError:  # close never raises by contract
                return


def _load_mac_api() -> MacApi:  # pragma: no cover - runs on macOS only
    """Bind IOKit, CoreFoundation and CoreGraphics through ctypes."""
    frameworks = "/System/Library/Frameworks"
    iokit = ctypes.CDLL(f"{frameworks}/IOKit.framework/IOKit")
    cf = ctypes.CDLL(f"{frameworks}/CoreFoundation.framework/CoreFoundation")
    cg = ctypes.CDLL(f"{frameworks}/CoreGraphics.framework/CoreGraphics")
    void_p, u32 = ctypes.c_void_p, ctypes.c_uint32

    iokit.IOServiceMatching.argtypes = (ctypes.c_char_p,)
    iokit.IOServiceMatching.restype = void_p
    iokit.IOServiceGetMatchingService.argtypes = (u32, void_p)
    iokit.IOServiceGetMatchingService.restype = u32
    iokit.IORegistryEntryCreateCFProperty.argtypes = (u32, void_p, void_p, u32)
    iokit.IORegistryEntryCreateCFProperty.restype = void_p
    iokit.IOObjectRelease.argtypes = (u32,)
    iokit.IOObjectRelease.restype = ctypes.c_int
    cf.CFStringCreateWithCString.argtypes = (void_p, ctypes.c_char_p, u32)
    cf.CFStringCreateWithCString.restype = void_p
    cf.CFGetTypeID.argtypes = (void_p,)
    cf.CFGetTypeID.restype = ctypes.c_ulong
    for getter in ("CFNumberGetTypeID", "CFDataGetTypeID", "CFBooleanGetTypeID"):
        getattr(cf, getter).argtypes = ()
        getattr(cf, getter).restype = ctypes.c_ulong
    cf.CFNumberGetValue.argtypes = (void_p, ctypes.c_int, void_p)
    cf.CFNumberGetValue.restype = ctypes.c_ubyte
    cf.CFDataGetLength.argtypes = (void_p,)
    cf.CFDataGetLength.restype = ctypes.c_long
    cf.CFDataGetBytePtr.argtypes = (void_p,)
    cf.CFDataGetBytePtr.restype = void_p
    cf.CFDictionaryGetValue.argtypes = (void_p, void_p)
    cf.CFDictionaryGetValue.restype = void_p
    cf.CFBooleanGetValue.argtypes = (void_p,)
    cf.CFBooleanGetValue.restype = ctypes.c_ubyte
    cf.CFRelease.argtypes = (void_p,)
    cf.CFRelease.restype = None
    cg.CGSessionCopyCurrentDictionary.argtypes = ()
    cg.CGSessionCopyCurrentDictionary.restype = void_p

    utf8 = 0x08000100  # kCFStringEncodingUTF8
    sint64 = 4  # kCFNumberSInt64Type
    idle_key = cf.CFStringCreateWithCString(None, b"HIDIdleTime", utf8)
    lock_key = cf.CFStringCreateWithCString(None, b"CGSSessionScreenIsLocked", utf8)
    # IOServiceGetMatchingService consumes the matching dictionary.
    service = iokit.IOServiceGetMatchingService(0, iokit.IOServiceMatching(b"IOHIDSystem"))
    if not service:
        raise OSError("IOHIDSystem service not found")

    def hid_idle_ns() -> int:
        value = iokit.IORegistryEntryCreateCFProperty(service, idle_key, None, 0)
        if not value:
            raise OSError("HIDIdleTime not readable")
        try:
            kind = cf.CFGetTypeID(value)
            if kind == cf.CFNumberGetTypeID():
                number = ctypes.c_int64()
                if not cf.CFNumberGetValue(value, sint64, ctypes.byref(number)):
                    raise OSError("HIDIdleTime is not a 64-bit number")
                return int(number.value)
            if kind == cf.CFDataGetTypeID() and cf.CFDataGetLength(value) >= 8:
                return int(ctypes.c_int64.from_address(cf.CFDataGetBytePtr(value)).value)
            raise OSError("HIDIdleTime has an unknown type")
        finally:
            cf.CFRelease(value)

    def screen_locked() -> bool:
        session = cg.CGSessionCopyCurrentDictionary()
        if not session:
            return False
        try:
            value = cf.CFDictionaryGetValue(session, lock_key)
            if not value or cf.CFGetTypeID(value) != cf.CFBooleanGetTypeID():
                return False
            return bool(cf.CFBooleanGetValue(value))
        finally:
            cf.CFRelease(session)

    def release() -> None:
        iokit.IOObjectRelease(service)

    return MacApi(hid_idle_ns, screen_locked, release)
