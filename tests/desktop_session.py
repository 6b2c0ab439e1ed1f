"""A real desktop for tests: Xvfb, a private session bus, dunst, trayer, a window manager.

Every process is started here and stopped on exit; nothing of the machine's own
session is touched. Tests use `DesktopSession.env` to start the service inside it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

_BUS_CONFIG_WITHOUT_ACTIVATION = """<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

REQUIRED_TOOLS = ("Xvfb", "dbus-daemon", "dunst", "trayer", "xdotool", "import", "xprop")
SNI_TOOLS = ("status-notifier-watcher", "gtk-sni-tray-standalone")
SNI_WATCHER = "org.kde.StatusNotifierWatcher"
SNI_PANEL_CLASS = "gtk-sni-tray-standalone"


def missing_tools(tools: Sequence[str] = REQUIRED_TOOLS) -> list[str]:
    """The desktop programs this machine lacks (install: `make desktop-deps`)."""
    return [tool for tool in tools if shutil.which(tool) is None]


class DesktopSession:
    """Xvfb plus a session bus, with dunst, trayer and openbox on demand."""

    def __init__(
        self, workdir: Path, *, width: int = 1024, height: int = 768, bus_activation: bool = True
    ) -> None:
        """`bus_activation=False`: the session bus starts no service on demand, so a
        stopped dunst stays stopped (the machine's dunst.service would restart it)."""
        self.workdir = workdir
        self.bus_activation = bus_activation
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.size = (width, height)
        self.env: dict[str, str] = {}
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    # ------------------------------------------------------------ lifecycle

    def start(self) -> DesktopSession:
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                f"{self.size[0]}x{self.size[1]}x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=self._log("xvfb"),
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            display = pipe.readline().strip()
        if not display:
            xvfb.kill()
            raise RuntimeError("Xvfb did not report a display")
        self._procs["xvfb"] = xvfb
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
        env["DISPLAY"] = f":{display}"
        runtime = self.workdir / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env["XDG_RUNTIME_DIR"] = str(runtime)
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        self.env = env
        bus_config = ["--session"]
        if not self.bus_activation:
            conf = self.workdir / "session-bus.conf"
            conf.write_text(_BUS_CONFIG_WITHOUT_ACTIVATION)
            bus_config = [f"--config-file={conf}"]
        bus = subprocess.Popen(
            ["dbus-daemon", *bus_config, "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=self._log("dbus"),
            env=env,
        )
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        self._procs["dbus"] = bus
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        return self

    def stop(self) -> None:
        for name in reversed(list(self._procs)):
            self._stop(name)

    def __enter__(self) -> DesktopSession:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --------------------------------------------------------- the programs

    def start_dunst(self, extra_global: str = "") -> None:
        """A real notification server on the session bus.

        `extra_global`: more lines for dunstrc's [global] section (e.g. a `dmenu` program).
        """
        config = self.workdir / "dunstrc"
        config.write_text(
            "[global]\n"
            '    geometry = "400x5-10+10"\n'
            "    width = 400\n"
            "    origin = top-right\n"
            "    offset = 10x40\n"
            "    font = DejaVu Sans 10\n"
            "    word_wrap = yes\n"
            "    max_icon_size = 128\n"
            "    show_indicators = no\n"
            + "".join(f"    {line.strip()}\n" for line in extra_global.splitlines() if line.strip())
            + "[urgency_normal]\n"
            '    background = "#fdf6e3"\n'
            '    foreground = "#202020"\n'
            '    frame_color = "#2d6a4f"\n'
            "    timeout = 0\n"
        )
        self._spawn("dunst", ["dunst", "-config", str(config)])
        self.wait_for_bus_name("org.freedesktop.Notifications")

    def stop_dunst(self) -> None:
        self._stop("dunst")

    def start_trayer(self) -> None:
        """A real system tray (XEmbed) at the bottom right of the screen."""
        self._spawn(
            "trayer",
            [
                "trayer",
                "--edge",
                "bottom",
                "--align",
                "right",
                "--widthtype",
                "request",
                "--height",
                "32",
                "--transparent",
                "false",
                "--tint",
                "0x333333",
                "--SetDockType",
                "true",
            ],
        )
        self.wait_until(lambda: self.window_ids("trayer") != [], 10, "trayer to map its window")

    def start_sni_watcher(self) -> None:
        """A real org.kde.StatusNotifierWatcher (Debian's haskell-status-notifier-item-utils)."""
        self._spawn("sni-watcher", ["status-notifier-watcher"])
        self.wait_for_bus_name(SNI_WATCHER)

    def stop_sni_watcher(self) -> None:
        self._stop("sni-watcher")
        self.wait_until(lambda: SNI_WATCHER not in self.bus_names(), 10, "the watcher to leave")

    def start_sni_panel(self) -> None:
        """A real StatusNotifierItem host: gtk-sni-tray's panel along the top of the screen.

        It draws the items' icons and builds their menus from dbusmenu (libdbusmenu-gtk3).
        """
        self._spawn("sni-panel", ["gtk-sni-tray-standalone", "--top", "--color", "#333333"])
        self.wait_until(
            lambda: self.window_ids(SNI_PANEL_CLASS) != [], 15, "gtk-sni-tray to map its panel"
        )

    def stop_sni_panel(self) -> None:
        self._stop("sni-panel")

    def start_sni_host(self) -> None:
        """Watcher first, then the panel (the panel registers with the watcher as its host)."""
        self.start_sni_watcher()
        self.start_sni_panel()

    def start_window_manager(self) -> None:
        """openbox, for full-screen windows and focus."""
        self._spawn("openbox", ["openbox"])
        time.sleep(0.5)

    @contextmanager
    def slides_window(self) -> Iterator[SlidesWindow]:
        """A focused window under openbox that tests put in and out of full screen,
        as a slide show would; closed on exit."""
        self.start_window_manager()
        slides = subprocess.Popen(
            ["xmessage", "-center", "Quarterly slides"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self.wait_until(lambda: self.window_ids("Xmessage"), 10, "the xmessage window")
            window = SlidesWindow(self, self.window_ids("Xmessage")[0])
            self.xdotool("windowactivate", "--sync", window.id)
            yield window
        finally:
            slides.terminate()
            slides.wait(5)

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            argv, env=self.env, stdout=self._log(name), stderr=subprocess.STDOUT
        )
        self._procs[name] = proc
        return proc

    def _stop(self, name: str) -> None:
        proc = self._procs.pop(name, None)
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(3)
        if proc.stdout is not None:  # the bus's address pipe: close it, or pytest sees a leak
            proc.stdout.close()

    def _log(self, name: str) -> int:
        return os.open(self.workdir / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)

    # ------------------------------------------------------------- helpers

    def run(self, *argv: str, check: bool = True, timeout: float = 10) -> str:
        """Run a program inside the session and return its stdout."""
        done = subprocess.run(
            argv, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{argv} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def xdotool(self, *args: str) -> str:
        return self.run("xdotool", *args)

    def window_ids(self, name_or_class: str) -> list[str]:
        out = self.run("xdotool", "search", "--class", name_or_class, check=False)
        return out.split()

    def screenshot(self, path: Path) -> Path:
        """Save the whole screen as PNG (`import -window root`)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.run("import", "-window", "root", str(path))
        return path

    def bus_names(self) -> list[str]:
        out = self.run(
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
            check=False,
        )
        return [line.split('"')[1] for line in out.splitlines() if '"' in line]

    def wait_for_bus_name(self, name: str, timeout: float = 10) -> None:
        self.wait_until(lambda: name in self.bus_names(), timeout, f"{name} on the session bus")

    @staticmethod
    def wait_until(predicate: object, timeout: float, what: str) -> None:
        """Poll `predicate` until it is true or fail naming `what`."""
        assert callable(predicate)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class SlidesWindow:
    """The window of `DesktopSession.slides_window`, switched with wmctrl, read with xprop."""

    def __init__(self, desktop: DesktopSession, window_id: str) -> None:
        self.desktop = desktop
        self.id = window_id

    def set_fullscreen(self, on: bool) -> None:
        action = "add" if on else "remove"
        self.desktop.run("wmctrl", "-i", "-r", self.id, "-b", f"{action},fullscreen")

    def is_fullscreen(self) -> bool:
        state = self.desktop.run("xprop", "-id", self.id, "_NET_WM_STATE", check=False)
        return "_NET_WM_STATE_FULLSCREEN" in state
