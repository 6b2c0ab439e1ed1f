"""Run the real service as a subprocess and talk to it with the real CLI."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

WHOLE_DAY = '["00:00-24:00"]'
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def write_fast_config(
    config_home: Path, *, sitting_limit: str = "5s", repeat_every: str = "5s", extra: str = ""
) -> Path:
    """A user file that prompts within seconds, all day every day (for trying it out)."""
    folder = config_home / "sitting-reminder"
    folder.mkdir(parents=True, exist_ok=True)
    hours = "\n".join(f"{day} = {WHOLE_DAY}" for day in DAYS)
    path = folder / "config.toml"
    path.write_text(
        f'[schedule]\ntimezone = "UTC"\n[schedule.work_hours]\n{hours}\n'
        f'[reminders]\nsitting_limit = "{sitting_limit}"\nrepeat_every = "{repeat_every}"\n'
        f'snooze_options = ["20s", "10m"]\n'
        f'[activity]\ncheck_every = "1s"\nbreak_after_idle = "4s"\n{extra}'
    )
    return path


class ServiceProcess:
    """`python -m reminder run ...` with its output collected line by line."""

    started: ClassVar[list[ServiceProcess]] = []

    def __init__(self, env: Mapping[str, str], *args: str) -> None:
        self.env = dict(env)
        self.env["PYTHONUNBUFFERED"] = "1"
        self.args = args
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> ServiceProcess:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "reminder", "run", *self.args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ServiceProcess.started.append(self)
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()
        return self

    def _close_pipe(self) -> None:
        assert self.proc is not None
        self._pump_thread.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))

    def wait_for_line(self, pattern: str, timeout: float) -> str:
        """The first new output line matching `pattern`, or fail with all output so far."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"no line matching {pattern!r} within {timeout}s; output:\n"
                    + "\n".join(self.lines)
                )
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            self.lines.append(line)
            if re.search(pattern, line):
                return line

    def drain(self) -> list[str]:
        while True:
            try:
                self.lines.append(self._queue.get_nowait())
            except queue.Empty:
                return self.lines

    def cli(self, *args: str, timeout: float = 15) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reminder", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def status(self) -> dict[str, Any]:
        """`status --json` of this service; fails the test if it does not answer."""
        done = self.cli("status", "--json", timeout=30)
        assert done.returncode == 0, f"status failed ({done.returncode}): {done.stderr}"
        data: dict[str, Any] = json.loads(done.stdout)
        return data

    def wait_for_status(
        self, what: str, check: Callable[[dict[str, Any]], bool], timeout: float
    ) -> dict[str, Any]:
        """Poll `status --json` (once a second: each poll starts Python) until `check` holds.

        Until the engine has opened its control socket, `status` fails; that is retried too.
        """
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            done = self.cli("status", "--json", timeout=30)
            if done.returncode == 0:
                data: dict[str, Any] = json.loads(done.stdout)
                if check(data):
                    return data
                last = data
            else:
                last = f"status failed ({done.returncode}): {done.stderr.strip()}"
            time.sleep(1.0)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}; last status: {last}")

    def stop(self, signum: int = signal.SIGINT, timeout: float = 10) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self._close_pipe()
        self.drain()
        return code

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)
        self._close_pipe()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


def headless_env() -> dict[str, str]:
    """The current environment without any display (a server or an SSH session)."""
    env = dict(os.environ)
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
        env.pop(var, None)
    return env
