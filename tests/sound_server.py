"""A real PulseAudio server for the call tests, and `parecord` standing in for a call app.

The server is Debian's `pulseaudio`, run in the test's own folder with no
default configuration: a null source named `mic` (the microphone), a null sink
named `speakers` (whose `speakers.monitor` source is what a screen recorder
would capture) and the native protocol on a socket in that folder, with
anonymous access so no cookie is needed (or, with `anonymous=False`, Debian's
default: the server's own user, known by the socket's credentials, or the
cookie). It runs as root here (the test machine's user), which PulseAudio
allows with a warning.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from conftest import require_desktop_tools

SOUND_TOOLS = ("pulseaudio", "parecord", "pactl")


class SoundServer:
    """One `pulseaudio` process; `env` points clients (and the source under test) at it."""

    def __init__(self, folder: Path, *, anonymous: bool = True) -> None:
        self.folder = folder
        self.anonymous = anonymous
        self.socket = folder / "native"
        self.env = {
            **os.environ,
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_RUNTIME_PATH": str(folder),
            "PULSE_STATE_PATH": str(folder / "state"),
            "HOME": str(folder),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SoundServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "pulseaudio.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    "pulseaudio",
                    "-n",
                    "--daemonize=no",
                    "--exit-idle-time=-1",
                    "--use-pid-file=no",
                    "--log-target=stderr",
                    "-L",
                    f"module-native-protocol-unix auth-anonymous={int(self.anonymous)} "
                    f"socket={self.socket}",
                    "-L",
                    "module-null-source source_name=mic",
                    "-L",
                    "module-null-sink sink_name=speakers",
                ],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pulseaudio exited: see {self.folder / 'pulseaudio.log'}")
            if self.socket.exists() and self.pactl("info", check=False).returncode == 0:
                return self
            time.sleep(0.05)
        raise AssertionError("timed out after 10s waiting for pulseaudio to answer")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10, check=check
        )

    def capture_streams(self) -> list[str]:
        """`pactl list short source-outputs`: one line per recording stream."""
        return [line for line in self.pactl("list", "short", "source-outputs").stdout.splitlines()]

    @contextmanager
    def recording(self, device: str, *extra: str) -> Iterator[subprocess.Popen[bytes]]:
        """`parecord --device=DEVICE /dev/null` until the block ends: the "call"."""
        proc = self.start_recording(device, *extra)
        try:
            yield proc
        finally:
            stop_recording(proc)

    def start_recording(self, device: str, *extra: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            ["parecord", f"--device={device}", *extra, "/dev/null"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_for_streams(self, count: int, timeout: float = 5) -> None:
        """Until the server lists exactly `count` capture streams."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.capture_streams()) == count:
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {count} capture streams")


def stop_recording(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def sound_server(
    folder: Path, tools: Sequence[str] = SOUND_TOOLS, *, anonymous: bool = True
) -> Iterator[SoundServer]:
    """A started SoundServer, stopped on exit (fails in CI, skips elsewhere, if missing)."""
    require_desktop_tools(*tools)
    server = SoundServer(folder, anonymous=anonymous)
    try:
        yield server.start()
    finally:
        server.stop()
