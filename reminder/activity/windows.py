"""Windows: idle time from GetLastInputInfo, lock and full screen from the shell.

- Idle: `GetTickCount() - LASTINPUTINFO.dwTime`, both 32-bit millisecond
  counters that wrap every 49.7 days; the difference is taken modulo 2**32,
  so a last input before the wrap and a tick count after it still give the
  right idle time. The tick count includes time spent asleep, so a suspend
  shows up as idle time too.
- Lock: session-change notifications need a window and a message loop, which
  the engine thread has not got. Instead each sample tries `OpenInputDesktop`:
  while the lock screen (the secure Winlogon desktop) takes input, a user
  process cannot open it. `SHQueryUserNotificationState` returning
  QUNS_NOT_PRESENT (screen saver running, machine locked, or another user's
  session in front) counts as locked too. Briefly, a UAC prompt looks the same;
  that can only end a spell early, never cause a prompt.
- Full screen: `SHQueryUserNotificationState` says QUNS_BUSY,
  QUNS_RUNNING_D3D_FULL_SCREEN or QUNS_PRESENTATION_MODE.

Query-only: nothing here is announced (`watch` returns NOTHING_PUSHED); the
engine asks when the answer could first change.

The OS functions are injected (`WindowsApi`), so this module imports and the
source can be built and tested on any platform; `WindowsApi.load()` builds the
real ones and fails with OSError anywhere but Windows.

Threading rule: all methods run on the engine's asyncio loop thread.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from reminder.activity.base import NOTHING_PUSHED, ActivitySample, ChangeListener, Pushes

TICK_WRAP = 2**32

QUNS_NOT_PRESENT = 1
QUNS_BUSY = 2
QUNS_RUNNING_D3D_FULL_SCREEN = 3
QUNS_PRESENTATION_MODE = 4
QUNS_ACCEPTS_NOTIFICATIONS = 5
QUNS_QUIET_TIME = 6
QUNS_APP = 7
FULLSCREEN_STATES = frozenset({QUNS_BUSY, QUNS_RUNNING_D3D_FULL_SCREEN, QUNS_PRESENTATION_MODE})


@dataclass(frozen=True)
class WindowsApi:
    """The Windows calls the source makes, as plain callables."""

    last_input_tick: Callable[[], int]
    """`GetLastInputInfo` → `dwTime`: the tick count at the last input."""
    tick_count: Callable[[], int]
    """`GetTickCount()`: milliseconds since boot, modulo 2**32."""
    input_desktop_open: Callable[[], bool]
    """Whether `OpenInputDesktop` succeeds (False on the lock screen)."""
    notification_state: Callable[[], int]
    """`SHQueryUserNotificationState`: a QUNS_* value; raises OSError when the call fails."""

    @classmethod
    def load(cls) -> WindowsApi:
        """The real functions through ctypes; OSError on other platforms."""
        if sys.platform != "win32":
            raise OSError("the Windows activity source needs Windows")
        return _load_windows_api()


def idle_milliseconds(last_input_tick: int, tick_count: int) -> int:
    """Milliseconds between two 32-bit tick counts, right across the 2**32 wrap.

    The source reads the last input before the tick count, so the input should
    never be later; if it is anyway (a "negative" difference, above 2**31),
    idle time is 0 rather than 49 days.
    """
    elapsed = (tick_count - last_input_tick) % TICK_WRAP
    return 0 if elapsed >= TICK_WRAP // 2 else elapsed


class WindowsSource:
    """Idle time, lock and full-screen state on Windows."""

    name = "windows"

    def __init__(self, api: WindowsApi | None = None) -> None:
        self._api = api

    async def start(self) -> None:
        if self._api is None:
            self._api = WindowsApi.load()
        self._api.tick_count()
        self._api.last_input_tick()

    async def sample(self) -> ActivitySample:
        api = self._ready()
        last_input = api.last_input_tick()  # first: see idle_milliseconds
        idle = timedelta(milliseconds=idle_milliseconds(last_input, api.tick_count()))
        try:
            state: int | None = api.notification_state()
        except OSError:
            state = None
        locked = state == QUNS_NOT_PRESENT or not api.input_desktop_open()
        return ActivitySample(
            idle_for=idle, screen_locked=locked, fullscreen=state in FULLSCREEN_STATES
        )

    def _ready(self) -> WindowsApi:
        if self._api is None:
            raise OSError("WindowsSource.sample() called before start()")
        return self._api

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        """This source can only be asked (see `reminder.activity.base`)."""
        return NOTHING_PUSHED

    async def close(self) -> None:
        return None


def _load_windows_api() -> WindowsApi:  # pragma: no cover - runs on Windows only
    """Bind user32/kernel32/shell32 through ctypes."""
    from ctypes import wintypes

    windll: ctypes.LibraryLoader[ctypes.CDLL] = getattr(ctypes, "windll")  # noqa: B009
    user32, kernel32, shell32 = windll.user32, windll.kernel32, windll.shell32

    class LASTINPUTINFO(ctypes.Structure):
        _fields_ = (("cbSize", wintypes.UINT), ("dwTime", wintypes.DWORD))

    user32.GetLastInputInfo.argtypes = (ctypes.POINTER(LASTINPUTINFO),)
    user32.GetLastInputInfo.restype = wintypes.BOOL
    kernel32.GetTickCount.argtypes = ()
    kernel32.GetTickCount.restype = wintypes.DWORD
    user32.OpenInputDesktop.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
    user32.OpenInputDesktop.restype = wintypes.HANDLE
    user32.CloseDesktop.argtypes = (wintypes.HANDLE,)
    user32.CloseDesktop.restype = wintypes.BOOL
    shell32.SHQueryUserNotificationState.argtypes = (ctypes.POINTER(ctypes.c_int),)
    shell32.SHQueryUserNotificationState.restype = ctypes.c_long
    desktop_switchdesktop = 0x0100

    def last_input_tick() -> int:
        info = LASTINPUTINFO(cbSize=ctypes.sizeof(LASTINPUTINFO))
        if not user32.GetLastInputInfo(ctypes.byref(info)):
            raise OSError("GetLastInputInfo failed")
        return int(info.dwTime)

    def tick_count() -> int:
        return int(kernel32.GetTickCount())

    def input_desktop_open() -> bool:
        desktop = user32.OpenInputDesktop(0, False, desktop_switchdesktop)
        if not desktop:
            return False
        user32.CloseDesktop(desktop)
        return True

    def notification_state() -> int:
        state = ctypes.c_int()
        result = shell32.SHQueryUserNotificationState(ctypes.byref(state))
        if result != 0:
            raise OSError(f"SHQueryUserNotificationState failed: HRESULT {result:#x}")
        return int(state.value)

    return WindowsApi(last_input_tick, tick_count, input_desktop_open, notification_state)
