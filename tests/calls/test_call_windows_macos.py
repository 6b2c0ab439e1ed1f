"""Windows and macOS call sources with their OS functions injected.

The registry (winreg), SHQueryUserNotificationState and CoreAudio cannot exist
on this Linux machine, so every test hands the sources plain Python functions
standing in for them, backed by a dictionary laid out as the real
ConsentStore is; what is tested is our reading of those answers.
"""

from __future__ import annotations

import asyncio

import pytest
from changes import Changes

from reminder.activity.windows import (
    QUNS_ACCEPTS_NOTIFICATIONS,
    QUNS_APP,
    QUNS_BUSY,
    QUNS_NOT_PRESENT,
    QUNS_PRESENTATION_MODE,
    QUNS_QUIET_TIME,
    QUNS_RUNNING_D3D_FULL_SCREEN,
)
from reminder.calls.base import CallSource, SourceUnavailable
from reminder.calls.macos import (
    K_AUDIO_DEVICE_PROPERTY_IS_RUNNING_SOMEWHERE,
    CoreAudioMicrophone,
    MacAudioApi,
)
from reminder.calls.windows import (
    CONSENT_STORE,
    ConsentStoreDevice,
    WindowsCallApi,
    WindowsQuietState,
)

STORE = CONSENT_STORE
MIC = f"{STORE}\\microphone"
CAM = f"{STORE}\\webcam"
TEAMS = "MSTeams_8wekyb3d8bbwe"
ZOOM = "C:#Program Files#Zoom#bin#Zoom.exe"


def registry(
    values: dict[str, dict[str, int]], *, state: int = QUNS_ACCEPTS_NOTIFICATIONS
) -> WindowsCallApi:
    """Stand-ins for winreg over `values`: key path -> its QWORD values (no Windows here)."""
    keys = set(values) | {STORE}
    for path in list(keys):  # every parent of a listed key exists too
        while "\\" in path:
            path = path.rsplit("\\", 1)[0]
            keys.add(path)

    def subkeys(path: str) -> list[str]:
        if path not in keys:
            raise FileNotFoundError(path)
        prefix = path + "\\"
        return sorted({key[len(prefix) :].split("\\")[0] for key in keys if key.startswith(prefix)})

    def qword(path: str, name: str) -> int | None:
        return values.get(path, {}).get(name)

    return WindowsCallApi(subkeys=subkeys, qword=qword, notification_state=lambda: state)


def ask(source: CallSource) -> bool:
    async def scenario() -> bool:
        await source.start(Changes())
        try:
            return await source.active()
        finally:
            await source.close()

    return asyncio.run(scenario())


def test_a_store_app_using_the_microphone_now_is_a_call() -> None:
    """(The registry is faked.) Teams started at some time and has not stopped: in use."""
    api = registry({f"{MIC}\\{TEAMS}": {"LastUsedTimeStart": 133_500, "LastUsedTimeStop": 0}})
    assert ask(ConsentStoreDevice("microphone", api))


def test_a_desktop_program_using_the_camera_now_is_a_call() -> None:
    """(The registry is faked.) Zoom.exe under NonPackaged, started, not stopped: in use."""
    api = registry(
        {f"{CAM}\\NonPackaged\\{ZOOM}": {"LastUsedTimeStart": 133_500, "LastUsedTimeStop": 0}}
    )
    assert ask(ConsentStoreDevice("webcam", api))
    assert not ask(ConsentStoreDevice("microphone", api)), "the camera is not the microphone"


@pytest.mark.parametrize(
    ("values", "in_use"),
    [
        ({}, False),
        ({f"{MIC}\\{TEAMS}": {"LastUsedTimeStart": 10, "LastUsedTimeStop": 20}}, False),
        ({f"{MIC}\\{TEAMS}": {"LastUsedTimeStart": 0, "LastUsedTimeStop": 0}}, False),
        ({f"{MIC}\\{TEAMS}": {"Value": 1}}, False),
        (
            {
                f"{MIC}\\{TEAMS}": {"LastUsedTimeStart": 10, "LastUsedTimeStop": 20},
                f"{MIC}\\NonPackaged\\{ZOOM}": {"LastUsedTimeStart": 30, "LastUsedTimeStop": 0},
            },
            True,
        ),
        ({f"{MIC}\\NonPackaged": {"LastUsedTimeStart": 30, "LastUsedTimeStop": 0}}, False),
    ],
    ids=[
        "no-app-ever-asked",
        "used-and-stopped",
        "allowed-never-used",
        "no-usage-values",
        "one-of-several-running",
        "nonpackaged-folder-is-no-app",
    ],
)
def test_consent_store_readings(values: dict[str, dict[str, int]], in_use: bool) -> None:
    """(The registry is faked.)"""
    assert ask(ConsentStoreDevice("microphone", registry(values))) is in_use


def test_no_consent_store_is_unavailable() -> None:
    """(The registry is faked.) Windows before 1903 has no ConsentStore."""

    def missing(path: str) -> list[str]:
        raise FileNotFoundError(path)

    api = WindowsCallApi(subkeys=missing, qword=lambda p, n: None, notification_state=lambda: 5)

    async def scenario() -> str:
        with pytest.raises(SourceUnavailable) as caught:
            await ConsentStoreDevice("microphone", api).start(Changes())
        return str(caught.value)

    assert "ConsentStore" in asyncio.run(scenario())


@pytest.mark.parametrize(
    ("state", "quiet"),
    [
        (QUNS_BUSY, True),
        (QUNS_PRESENTATION_MODE, True),
        (QUNS_QUIET_TIME, True),
        (QUNS_ACCEPTS_NOTIFICATIONS, False),
        (QUNS_RUNNING_D3D_FULL_SCREEN, False),
        (QUNS_NOT_PRESENT, False),
        (QUNS_APP, False),
    ],
    ids=["busy", "presentation", "quiet-time", "accepts", "d3d-game", "not-present", "app"],
)
def test_windows_quiet_states(state: int, quiet: bool) -> None:
    """(SHQueryUserNotificationState is faked.) Busy, presentation and quiet time hold prompts;
    a full-screen game is the activity source's full-screen rule, not Do Not Disturb."""
    source = WindowsQuietState(registry({}, state=state))
    assert source.kind == "dnd"
    assert ask(source) is quiet


def test_windows_sources_are_unavailable_off_windows() -> None:
    """Without injected functions, off Windows, start() says why rather than failing later."""

    async def scenario() -> list[str]:
        reasons = []
        for source in (ConsentStoreDevice("microphone"), WindowsQuietState()):
            with pytest.raises(SourceUnavailable) as caught:
                await source.start(Changes())
            reasons.append(str(caught.value))
        return reasons

    assert asyncio.run(scenario()) == ["the Windows call sources need Windows"] * 2


# ------------------------------------------------------------------ macOS


def coreaudio(
    inputs: list[int], running: set[int], broken: frozenset[int] = frozenset()
) -> MacAudioApi:
    """Stand-ins for CoreAudio's device list and IsRunningSomewhere (no macOS here)."""

    def running_somewhere(device: int) -> bool:
        if device in broken:
            raise OSError("device gone")
        return device in running

    return MacAudioApi(input_devices=lambda: list(inputs), running_somewhere=running_somewhere)


@pytest.mark.parametrize(
    ("inputs", "running", "broken", "in_use"),
    [
        ([], set(), frozenset(), False),
        ([41, 57], set(), frozenset(), False),
        ([41, 57], {57}, frozenset(), True),
        ([41, 57], {57}, frozenset({41}), True),
    ],
    ids=["no-input-devices", "none-running", "headset-running", "unplugged-one-skipped"],
)
def test_coreaudio_microphone(
    inputs: list[int], running: set[int], broken: frozenset[int], in_use: bool
) -> None:
    """(CoreAudio is faked.) Any input device running somewhere, default or not, is a call."""
    assert ask(CoreAudioMicrophone(coreaudio(inputs, running, broken))) is in_use


def test_coreaudio_selector_is_the_documented_four_char_code() -> None:
    assert K_AUDIO_DEVICE_PROPERTY_IS_RUNNING_SOMEWHERE == 0x676F6E65  # 'gone'


def test_coreaudio_off_macos_is_unavailable() -> None:
    async def scenario() -> str:
        with pytest.raises(SourceUnavailable) as caught:
            await CoreAudioMicrophone().start(Changes())
        return str(caught.value)

    assert asyncio.run(scenario()) == "the macOS microphone source needs macOS"
