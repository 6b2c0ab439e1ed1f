"""The bench's desktops: what a user's session has running, so programs behave as at a desk.

`BenchDesktop` is the tests' `DesktopSession` (Xvfb, a private session bus that starts
nothing on demand, dunst) plus what the bench needs on top:

- a private system bus (`DBUS_SYSTEM_BUS_ADDRESS`): every desk has one, and Safe Eyes
  stops at start-up without it (it watches logind for suspend), as Workrave complains;
- a sound server (Debian's PulseAudio, `PULSE_SERVER`): every desk has one, and the
  service's call detection connects to it by default;
- the tray host: `sni` is Debian's status-notifier-watcher and gtk-sni-tray's panel
  (a real StatusNotifierItem host) plus trayer, as a desktop with both kinds of tray
  has (Workrave 1.10 has only an XEmbed icon); `xembed` is trayer alone, where the
  service falls back to pystray's GTK icon;
- one short GTK 3 program before anything is measured: the first GTK program on a
  display probes the GL visuals (loading LLVM, about 10 MiB) and leaves the answer on
  the root window for every later one (see bench/findings.md), as on a desktop that
  has run one before.

`Registrations` watches the watcher's StatusNotifierItemRegistered signal with
dbus-monitor: the moment an item's icon is registered, for the launch figures.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Literal

from common import DesktopSession
from desktop_session import _BUS_CONFIG_WITHOUT_ACTIVATION, SNI_WATCHER

TrayHost = Literal["sni", "xembed"]
SOUND_TOOLS = ("pulseaudio", "pactl")
SNI_HOST_TOOLS = ("status-notifier-watcher", "gtk-sni-tray-standalone")
PEER_ENV = {"NO_AT_BRIDGE": "1"}  # no accessibility bus here, for every program alike
GTK_PRIMER = (
    "import gi; gi.require_version('Gtk', '3.0'); from gi.repository import Gtk; Gtk.init_check()"
)


class SoundServer:
    """One `pulseaudio` in `folder`: a null microphone and speakers, anonymous access."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.socket = folder / "native"
        self.client_env = {"PULSE_SERVER": f"unix:{self.socket}"}
        self.env = {
            **env,
            **self.client_env,
            "PULSE_RUNTIME_PATH": str(folder),
            "PULSE_STATE_PATH": str(folder / "state"),
            "HOME": str(folder),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
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
                    f"module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
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
            done = subprocess.run(
                ["pactl", "info"], env=self.env, capture_output=True, timeout=10, check=False
            )
            if self.socket.exists() and done.returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("pulseaudio did not answer within 10 s")

    def stop(self) -> None:
        stop_child(self.proc)
        self.proc = None


class BenchDesktop:
    """A desktop session with a system bus, a sound server, dunst and a tray host."""

    def __init__(self, workdir: Path, tray_host: TrayHost) -> None:
        self.workdir = workdir
        self.tray_host = tray_host
        self.session = DesktopSession(workdir / "session", bus_activation=False)
        self.sound = SoundServer(workdir / "pulse", {})
        self._system_bus: subprocess.Popen[bytes] | None = None
        self.env: dict[str, str] = {}

    def start(self) -> BenchDesktop:
        problem: Exception | None = None
        for attempt in range(3):  # Xvfb's -displayfd can race with another Xvfb starting
            try:
                self._start()
                return self
            except (AssertionError, RuntimeError) as error:
                problem = error
                self.stop()
                self.session = DesktopSession(
                    self.workdir / f"session-{attempt + 1}", bus_activation=False
                )
                time.sleep(1)
        raise RuntimeError(f"could not start the {self.tray_host} desktop: {problem}")

    def _start(self) -> None:
        session = self.session
        session.start()
        address = self._start_system_bus()
        self.sound = SoundServer(self.workdir / "pulse", session.env)
        self.sound.start()
        session.env.update(
            {"DBUS_SYSTEM_BUS_ADDRESS": address, **self.sound.client_env, **PEER_ENV}
        )
        self.env = session.env
        session.start_dunst()
        subprocess.run(  # the one-time GL visual probe, so no measured program pays it
            [sys.executable, "-c", GTK_PRIMER], env=self.env, timeout=60, check=True
        )
        if self.tray_host == "sni":
            session.start_sni_host()
        session.start_trayer()

    def _start_system_bus(self) -> str:
        config = self.workdir / "system-bus.conf"
        self.workdir.mkdir(parents=True, exist_ok=True)
        config.write_text(_BUS_CONFIG_WITHOUT_ACTIVATION)
        with (self.workdir / "system-bus.log").open("ab") as log:
            self._system_bus = subprocess.Popen(
                ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
                stdout=subprocess.PIPE,
                stderr=log,
            )
        assert self._system_bus.stdout is not None
        address = self._system_bus.stdout.readline().decode().strip()
        if not address:
            raise RuntimeError("the system bus printed no address")
        return address

    def stop(self) -> None:
        self.session.stop()
        self.sound.stop()
        bus, self._system_bus = self._system_bus, None
        stop_child(bus)
        if bus is not None and bus.stdout is not None:
            bus.stdout.close()

    def mouse_to(self, x: int, y: int) -> None:
        """Input on this display: resets its idle time, as a user would."""
        self.session.xdotool("mousemove", str(x), str(y))

    def idle_s(self) -> float | None:
        """How long nobody has touched this display (X's idle time, via xprintidle), if known."""
        try:
            done = subprocess.run(
                ["xprintidle"], env=self.env, capture_output=True, text=True, timeout=10
            )
        except OSError:  # xprintidle is not installed
            return None
        return int(done.stdout.strip()) / 1000 if done.stdout.strip().isdigit() else None


def stop_child(proc: subprocess.Popen[bytes] | None, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL after `timeout`; for processes this bench started."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


_SIGNAL_TIME = re.compile(r"^signal time=(\d+\.\d+) .*member=StatusNotifierItemRegistered")


class Registrations:
    """The watcher's StatusNotifierItemRegistered signals, each with dbus-monitor's time=."""

    RULE = f"type='signal',interface='{SNI_WATCHER}',member='StatusNotifierItemRegistered'"

    def __init__(self, desktop: BenchDesktop) -> None:
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._env = desktop.env
        self._pids: dict[str, int | None] = {}
        self._proc = subprocess.Popen(
            ["dbus-monitor", "--session", self.RULE],
            env=desktop.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        desktop.session.wait_until(
            lambda: self._text() != "", 10, "dbus-monitor to start listening"
        )

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            with self._lock:
                self._lines.append(line)

    def _text(self) -> str:
        with self._lock:
            return "".join(self._lines)

    def registered(self) -> list[tuple[float, str]]:
        """(wall-clock time, item name) of every registration seen so far."""
        found = []
        chunks = self._text().split("\nsignal ")
        for chunk in chunks:
            chunk = chunk if chunk.startswith("signal ") else "signal " + chunk
            match = _SIGNAL_TIME.match(chunk)
            names = re.findall(r'string "([^"]*)"', chunk)
            if match and names:
                found.append((float(match[1]), names[0]))
        return found

    def wait_for(self, pid: int, timeout: float) -> float:
        """The wall-clock time the item of process `pid` was registered.

        An item is named `org.kde.StatusNotifierItem-PID-N` (the service) or by its
        connection's unique name (`:1.12`, libayatana-appindicator); a unique name is
        resolved to its process with GetConnectionUnixProcessID.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for moment, name in self.registered():
                if name.startswith(f"org.kde.StatusNotifierItem-{pid}-"):
                    return moment
                if name.startswith(":") and self._pid_of(name.split("/", 1)[0]) == pid:
                    return moment
            time.sleep(0.01)
        raise TimeoutError(f"process {pid} registered no StatusNotifierItem within {timeout} s")

    def _pid_of(self, unique_name: str) -> int | None:
        if unique_name not in self._pids:
            done = subprocess.run(
                [
                    "dbus-send",
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.GetConnectionUnixProcessID",
                    f"string:{unique_name}",
                ],
                env=self._env,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            found = re.search(r"uint32 (\d+)", done.stdout)
            self._pids[unique_name] = int(found[1]) if found else None
        return self._pids[unique_name]

    def close(self) -> None:
        self._proc.terminate()
        self._proc.wait(5)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._reader.join(5)


def tools_missing() -> list[str]:
    """The programs a bench desktop needs that this machine lacks."""
    from shutil import which

    needed = (*SOUND_TOOLS, *SNI_HOST_TOOLS, "dbus-monitor", "dbus-send", "Xvfb", "trayer")
    return [tool for tool in needed if which(tool) is None]
