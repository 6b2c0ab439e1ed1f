"""The camera scan against this machine's real /proc.

No video device can exist on a test machine, so a helper process holds open a
file the test names as the device pattern, exactly as a call app holds
/dev/video0; everything else (the /proc walk, the owner check, the fd links of
every process on the machine) is real.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from changes import Changes

from reminder.calls.base import SourceUnavailable
from reminder.calls.camera import VIDEO_DEVICE, ProcCamera, camera_held_open

NOBODY = 65534

HOLDER = """
import ctypes, os, sys, time
handle = open(sys.argv[1], "rb")
if len(sys.argv) > 2:  # become another user, still holding the file
    os.setgid(int(sys.argv[2])); os.setuid(int(sys.argv[2]))
    ctypes.CDLL(None).prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: /proc/<pid> owned by the new uid
print("holding", flush=True)
time.sleep(60)
"""


@contextmanager
def holding_open(path: Path, *, as_uid: int | None = None) -> Iterator[int]:
    """A process that has `path` open until the block ends; its pid."""
    argv = [sys.executable, "-c", HOLDER, str(path)]
    if as_uid is not None:
        argv.append(str(as_uid))
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "holding"
        yield proc.pid
    finally:
        proc.kill()
        proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture
def stand_in(tmp_path: Path) -> Path:
    device = tmp_path / "video0-stand-in"
    device.write_bytes(b"")
    return device


def pattern_for(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(str(path)))


def test_a_process_holding_the_device_open_is_a_call(stand_in: Path) -> None:
    """Off before, on while a process of ours holds the "camera" open, off once it exits."""

    async def scenario() -> list[bool]:
        camera = ProcCamera(device_pattern=pattern_for(stand_in))
        await camera.start(Changes())
        try:
            before = await camera.active()
            with holding_open(stand_in):
                during = await camera.active()
            after = await camera.active()
        finally:
            await camera.close()
        return [before, during, after]

    assert asyncio.run(scenario()) == [False, True, False]
    assert ProcCamera.pushes is False, "the engine must ask: nothing announces an open device"


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to run the holder as another user")
def test_other_users_processes_do_not_count(stand_in: Path) -> None:
    """A process of another user (here: nobody) holding the device is not this user's call."""
    with holding_open(stand_in, as_uid=NOBODY) as pid:
        assert os.stat(f"/proc/{pid}").st_uid == NOBODY
        assert not camera_held_open("/proc", pattern_for(stand_in), os.getuid())
        assert camera_held_open("/proc", pattern_for(stand_in), NOBODY), "the holder is seen"


def test_the_pattern_matches_whole_link_targets(stand_in: Path) -> None:
    """A file whose name merely starts like the device is not the device."""
    longer = stand_in.with_name(stand_in.name + "-backup")
    longer.write_bytes(b"")
    with holding_open(longer):
        assert not camera_held_open("/proc", pattern_for(stand_in), os.getuid())
    assert VIDEO_DEVICE.fullmatch("/dev/video0")
    assert VIDEO_DEVICE.fullmatch("/dev/video12")
    assert not VIDEO_DEVICE.fullmatch("/dev/video0-metadata")
    assert not VIDEO_DEVICE.fullmatch("/dev/vhost-net")


def test_a_scan_of_this_machine_is_cheap() -> None:
    """One scan of every process here stays well under a tenth of a second."""
    uid = os.getuid()
    camera_held_open("/proc", VIDEO_DEVICE, uid)
    started = time.perf_counter()
    for _ in range(5):
        camera_held_open("/proc", VIDEO_DEVICE, uid)
    assert (time.perf_counter() - started) / 5 < 0.1


def test_without_proc_the_camera_is_unavailable(tmp_path: Path) -> None:
    async def scenario(camera: ProcCamera) -> str:
        with pytest.raises(SourceUnavailable) as caught:
            await camera.start(Changes())
        return str(caught.value)

    assert "not mounted" in asyncio.run(scenario(ProcCamera(proc=str(tmp_path))))
    assert "Linux" in asyncio.run(scenario(ProcCamera(platform="win32")))
