"""Windows: microphone and camera from the privacy ConsentStore, quiet states from the shell.

- Microphone and camera (kind "call"): Windows records, for its privacy
  settings page and the "in use" tray icon, when each app last started and
  stopped using a capability, under
  `HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\CapabilityAccessManager\\ConsentStore\\<capability>`:
  one subkey per packaged (Store) app, and one per desktop program under its
  `NonPackaged` subkey, each with QWORD values `LastUsedTimeStart` and
  `LastUsedTimeStop`. An app is using the device now when it has started
  (`LastUsedTimeStart` != 0) and not stopped (`LastUsedTimeStop` == 0).
  Capabilities: `microphone` and `webcam`. Subkey names are application
  identities: they are walked, never kept or logged.
- Do Not Disturb (kind "dnd"): `SHQueryUserNotificationState` says
  QUNS_BUSY (a full-screen app, or presentation settings), QUNS_PRESENTATION_MODE,
  or QUNS_QUIET_TIME (Windows' quiet hours). Focus Assist (Windows 10/11) has
  no public API of its own; how far SHQueryUserNotificationState reflects it
  depends on the Windows version, and the private WNF state that does is not
  used.

None of these push (`pushes = False`): the engine asks when it wakes. The OS
functions are injected (`WindowsCallApi`), so the module imports and is tested
on any platform; `WindowsCallApi.load()` builds the real ones through `winreg`
and ctypes and fails with OSError anywhere but Windows.

Threading rule: all methods run on the engine's asyncio loop thread; each call
is a few registry reads.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from reminder.activity.base import ChangeListener
from reminder.activity.windows import (
    QUNS_BUSY,
    QUNS_PRESENTATION_MODE,
    QUNS_QUIET_TIME,
)
from reminder.calls.base import CallKind, SourceUnavailable

CONSENT_STORE = r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore"
NON_PACKAGED = "NonPackaged"
QUIET_STATES = frozenset({QUNS_BUSY, QUNS_PRESENTATION_MODE, QUNS_QUIET_TIME})

Capability = Literal["microphone", "webcam"]


@dataclass(frozen=True)
class WindowsCallApi:
    """The Windows calls the sources make, as plain callables."""

    subkeys: Callable[[str], list[str]]
    """The names of the subkeys of an HKCU key; OSError when the key does not exist."""
    qword: Callable[[str, str], int | None]
    """A QWORD value of an HKCU key, or None when the key or value is missing."""
    notification_state: Callable[[], int]
    """`SHQueryUserNotificationState`: a QUNS_* value; OSError when the call fails."""

    @classmethod
    def load(cls) -> WindowsCallApi:
        """The real functions through winreg and ctypes; OSError on other platforms."""
        if sys.platform != "win32":
            raise OSError("the Windows call sources need Windows")
        return _load_windows_call_api()


def capability_in_use(api: WindowsCallApi, capability: Capability) -> bool:
    """Whether any packaged or desktop app has started and not stopped using `capability`."""
    root = f"{CONSENT_STORE}\\{capability}"
    apps: list[str] = []
    for folder in (root, f"{root}\\{NON_PACKAGED}"):
        try:
            names = api.subkeys(folder)
        except OSError:  # no app ever asked: the key is absent
            continue
        apps.extend(f"{folder}\\{name}" for name in names if folder != root or name != NON_PACKAGED)
    for app in apps:
        started = api.qword(app, "LastUsedTimeStart")
        stopped = api.qword(app, "LastUsedTimeStop")
        if started and stopped == 0:
            return True
    return False


class ConsentStoreDevice:
    """A CallSource: the microphone or the camera in use by any app, per the ConsentStore."""

    kind: CallKind = "call"
    pushes = False

    def __init__(self, capability: Capability, api: WindowsCallApi | None = None) -> None:
        self.capability = capability
        self.name = "microphone (windows)" if capability == "microphone" else "camera (windows)"
        self._api = api

    async def start(self, on_change: ChangeListener) -> None:
        if self._api is None:
            try:
                self._api = WindowsCallApi.load()
            except OSError as exc:
                raise SourceUnavailable(str(exc)) from exc
        try:
            self._api.subkeys(CONSENT_STORE)
        except OSError as exc:
            raise SourceUnavailable(
                "this Windows has no CapabilityAccessManager ConsentStore (before Windows 10 1903)"
            ) from exc

    async def active(self) -> bool:
        if self._api is None:
            return False
        return capability_in_use(self._api, self.capability)

    async def close(self) -> None:
        return None


class WindowsQuietState:
    """A CallSource: the shell says notifications should wait (see the module docstring)."""

    name = "do-not-disturb (windows)"
    kind: CallKind = "dnd"
    pushes = False

    def __init__(self, api: WindowsCallApi | None = None) -> None:
        self._api = api

    async def start(self, on_change: ChangeListener) -> None:
        if self._api is None:
            try:
                self._api = WindowsCallApi.load()
            except OSError as exc:
                raise SourceUnavailable(str(exc)) from exc
        try:
            self._api.notification_state()
        except OSError as exc:
            raise SourceUnavailable(f"SHQueryUserNotificationState fails: {exc}") from exc

    async def active(self) -> bool:
        if self._api is None:
            return False
        try:
            return self._api.notification_state() in QUIET_STATES
        except OSError:
            return False

    async def close(self) -> None:
        return None


def _load_windows_call_api() -> WindowsCallApi:  # pragma: no cover - runs on Windows only
    """Bind winreg (HKCU) and shell32 through ctypes."""
    if sys.platform != "win32":  # also tells mypy, which checks on Linux, to skip the rest
        raise OSError("the Windows call sources need Windows")
    import winreg

    def subkeys(path: str) -> list[str]:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path) as key:
            count = winreg.QueryInfoKey(key)[0]
            return [winreg.EnumKey(key, index) for index in range(count)]

    def qword(path: str, name: str) -> int | None:
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, path) as key:
                value, kind = winreg.QueryValueEx(key, name)
        except OSError:
            return None
        return int(value) if kind == winreg.REG_QWORD else None

    windll: ctypes.LibraryLoader[ctypes.CDLL] = getattr(ctypes, "windll")  # noqa: B009
    shell32 = windll.shell32
    shell32.SHQueryUserNotificationState.argtypes = (ctypes.POINTER(ctypes.c_int),)
    shell32.SHQueryUserNotificationState.restype = ctypes.c_long

    def notification_state() -> int:
        state = ctypes.c_int()
        result = shell32.SHQueryUserNotificationState(ctypes.byref(state))
        if result != 0:
            raise OSError(f"SHQueryUserNotificationState failed: HRESULT {result:#x}")
        return int(state.value)

    return WindowsCallApi(subkeys, qword, notification_state)
