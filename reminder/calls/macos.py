"""macOS: the microphone from CoreAudio; Do Not Disturb (Focus) cannot be read.

- Microphone (kind "call", asked, not pushed): every audio device with input
  streams is asked for `kAudioDevicePropertyDeviceIsRunningSomewhere`, true
  while any process records from it (the same fact behind the orange
  microphone dot). All input devices are asked, not only the default one: a
  call app may use a headset that is not the system default.
- Do Not Disturb / Focus: macOS has no public API that tells an app whether a
  Focus is on (the private state files and `com.apple.controlcenter` defaults
  change between releases), so it is reported unavailable (`FOCUS_CANNOT_TELL`).
- Camera: CoreMediaIO's `kCMIODevicePropertyDeviceIsRunningSomewhere` could
  tell; it is not read yet (`CAMERA_NOT_READ`).

The OS functions are injected (`MacAudioApi`), so the module imports and is
tested on any platform; `MacAudioApi.load()` builds the real ones through
ctypes and fails with OSError anywhere but macOS.

Threading rule: all methods run on the engine's asyncio loop thread; each ask
is a few CoreAudio property reads.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from dataclasses import dataclass

from reminder.activity.base import ChangeListener
from reminder.calls.base import CallKind, SourceUnavailable

FOCUS_CANNOT_TELL = "macOS offers no public way to ask whether a Focus (Do Not Disturb) is on"
CAMERA_NOT_READ = (
    "not read on macOS yet (CoreMediaIO's kCMIODevicePropertyDeviceIsRunningSomewhere could tell)"
)


def four_char_code(code: str) -> int:
    """A CoreAudio selector such as 'gone' as the 32-bit number the API takes."""
    return int.from_bytes(code.encode("ascii"), "big")


K_AUDIO_OBJECT_SYSTEM_OBJECT = 1
K_AUDIO_HARDWARE_PROPERTY_DEVICES = four_char_code("dev#")
K_AUDIO_DEVICE_PROPERTY_STREAMS = four_char_code("stm#")
K_AUDIO_DEVICE_PROPERTY_IS_RUNNING_SOMEWHERE = four_char_code("gone")
K_AUDIO_OBJECT_PROPERTY_SCOPE_GLOBAL = four_char_code("glob")
K_AUDIO_DEVICE_PROPERTY_SCOPE_INPUT = four_char_code("inpt")
K_AUDIO_OBJECT_PROPERTY_ELEMENT_MAIN = 0


@dataclass(frozen=True)
class MacAudioApi:
    """The CoreAudio calls the source makes, as plain callables."""

    input_devices: Callable[[], list[int]]
    """AudioObjectIDs of the devices that have input streams; OSError when CoreAudio fails."""
    running_somewhere: Callable[[int], bool]
    """`kAudioDevicePropertyDeviceIsRunningSomewhere` of one device; OSError on failure."""

    @classmethod
    def load(cls) -> MacAudioApi:
        """The real functions through ctypes; OSError on other platforms."""
        if sys.platform != "darwin":
            raise OSError("the macOS microphone source needs macOS")
        return _load_mac_audio_api()


class CoreAudioMicrophone:
    """A CallSource: any input device running for some process."""

    name = "microphone (coreaudio)"
    kind: CallKind = "call"
    pushes = False

    def __init__(self, api: MacAudioApi | None = None) -> None:
        self._api = api

    async def start(self, on_change: ChangeListener) -> None:
        try:
            if self._api is None:
                self._api = MacAudioApi.load()
            self._api.input_devices()
        except OSError as exc:
            raise SourceUnavailable(str(exc)) from exc

    async def active(self) -> bool:
        if self._api is None:
            return False
        try:
            devices = self._api.input_devices()
        except OSError:
            return False
        for device in devices:
            try:
                if self._api.running_somewhere(device):
                    return True
            except OSError:  # unplugged between the two calls
                continue
        return False

    async def close(self) -> None:
        return None


def _load_mac_audio_api() -> MacAudioApi:  # pragma: no cover - runs on macOS only
    """Bind CoreAudio's AudioObject property calls through ctypes."""
    audio = ctypes.CDLL("/System/Library/Frameworks/CoreAudio.framework/CoreAudio")
    u32 = ctypes.c_uint32

    class AudioObjectPropertyAddress(ctypes.Structure):
        _fields_ = (("mSelector", u32), ("mScope", u32), ("mElement", u32))

    address_p = ctypes.POINTER(AudioObjectPropertyAddress)
    audio.AudioObjectGetPropertyDataSize.argtypes = (
        u32,
        address_p,
        u32,
        ctypes.c_void_p,
        ctypes.POINTER(u32),
    )
    audio.AudioObjectGetPropertyDataSize.restype = ctypes.c_int32
    audio.AudioObjectGetPropertyData.argtypes = (
        u32,
        address_p,
        u32,
        ctypes.c_void_p,
        ctypes.POINTER(u32),
        ctypes.c_void_p,
    )
    audio.AudioObjectGetPropertyData.restype = ctypes.c_int32

    def data_size(object_id: int, address: AudioObjectPropertyAddress) -> int:
        size = u32(0)
        status = audio.AudioObjectGetPropertyDataSize(
            object_id, ctypes.byref(address), 0, None, ctypes.byref(size)
        )
        if status != 0:
            raise OSError(f"AudioObjectGetPropertyDataSize failed: OSStatus {status}")
        return int(size.value)

    def input_devices() -> list[int]:
        everything = AudioObjectPropertyAddress(
            K_AUDIO_HARDWARE_PROPERTY_DEVICES,
            K_AUDIO_OBJECT_PROPERTY_SCOPE_GLOBAL,
            K_AUDIO_OBJECT_PROPERTY_ELEMENT_MAIN,
        )
        size = data_size(K_AUDIO_OBJECT_SYSTEM_OBJECT, everything)
        count = size // ctypes.sizeof(u32)
        ids = (u32 * count)()
        got = u32(size)
        status = audio.AudioObjectGetPropertyData(
            K_AUDIO_OBJECT_SYSTEM_OBJECT, ctypes.byref(everything), 0, None, ctypes.byref(got), ids
        )
        if status != 0:
            raise OSError(f"kAudioHardwarePropertyDevices failed: OSStatus {status}")
        inputs = AudioObjectPropertyAddress(
            K_AUDIO_DEVICE_PROPERTY_STREAMS,
            K_AUDIO_DEVICE_PROPERTY_SCOPE_INPUT,
            K_AUDIO_OBJECT_PROPERTY_ELEMENT_MAIN,
        )
        found = []
        for device in ids[: got.value // ctypes.sizeof(u32)]:
            try:
                if data_size(int(device), inputs) > 0:
                    found.append(int(device))
            except OSError:
                continue
        return found

    def running_somewhere(device: int) -> bool:
        running = AudioObjectPropertyAddress(
            K_AUDIO_DEVICE_PROPERTY_IS_RUNNING_SOMEWHERE,
            K_AUDIO_OBJECT_PROPERTY_SCOPE_GLOBAL,
            K_AUDIO_OBJECT_PROPERTY_ELEMENT_MAIN,
        )
        value = u32(0)
        size = u32(ctypes.sizeof(u32))
        status = audio.AudioObjectGetPropertyData(
            device, ctypes.byref(running), 0, None, ctypes.byref(size), ctypes.byref(value)
        )
        if status != 0:
            raise OSError(f"kAudioDevicePropertyDeviceIsRunningSomewhere failed: OSStatus {status}")
        return bool(value.value)

    return MacAudioApi(input_devices, running_somewhere)
