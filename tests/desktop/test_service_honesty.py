"""The real service on a real desktop when things around it fail: it says so, it does not die.

Each test reproduces an item of the honesty issue that failed on the main of 2026-11-29:
SIGTERM with no notification server exited 1 (ServiceUnknown); SIGHUP killed it without
the final save and left its socket; a broken managed file at login went to stderr only;
Ctrl-C during a hung Notify printed a CancelledError; the session bus going away
killed it. Real parts throughout: Xvfb, dbus-daemon, dunst, dbus-monitor; the hung
notification server is a real D-Bus service (dbus-fast) that never answers Notify.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from desktop_helpers import NotifyMonitor
from desktop_session import DesktopSession
from service_proc import ServiceProcess, write_fast_config

pytestmark = pytest.mark.desktop

DESKTOP_NOTIFIER = '[notifications]\nbackend = "desktop-notifier"\n'


def start(desktop: DesktopSession, *args: str) -> ServiceProcess:
    return ServiceProcess(desktop.env, "--no-tray", *args).start()


def no_traceback(service: ServiceProcess) -> None:
    text = "\n".join(service.lines)
    assert "Traceback" not in text, text
    assert "CancelledError" not in text and "ServiceUnknown" not in text, text


def test_sigterm_with_no_notification_server_stops_cleanly(
    desktop: DesktopSession, isolated_dirs: dict[str, Path]
) -> None:
    write_fast_config(isolated_dirs["config"], sitting_limit="2s", extra=DESKTOP_NOTIFIER)
    service = start(desktop)
    service.wait_for_line("running", timeout=20)
    service.wait_for_line("Time to move", timeout=20)  # no server: the console showed it
    assert service.stop(signal.SIGTERM) == 0
    no_traceback(service)
    assert any("sitting-reminder stopped." in line for line in service.lines)


def test_sighup_stops_cleanly_saving_state_and_removing_the_socket(
    desktop: DesktopSession, isolated_dirs: dict[str, Path]
) -> None:
    write_fast_config(isolated_dirs["config"], sitting_limit="10m")
    service = start(desktop)
    service.wait_for_line("running", timeout=20)
    assert service.cli("snooze", "20m").returncode == 0
    socket = Path(desktop.env["XDG_RUNTIME_DIR"]) / "sitting-reminder.sock"
    assert socket.exists()
    assert service.stop(signal.SIGHUP) == 0
    assert not socket.exists()
    state = json.loads((isolated_dirs["state"] / "sitting-reminder" / "state.json").read_text())
    assert state["snoozed_until"] is not None
    no_traceback(service)


def test_a_broken_managed_file_at_login_is_logged_and_shown_once(
    desktop: DesktopSession, isolated_dirs: dict[str, Path]
) -> None:
    managed = isolated_dirs["site"] / "sitting-reminder" / "config.toml"
    managed.parent.mkdir(parents=True)
    managed.write_text('[reminders]\nsitting_limit = "0s"\n')
    desktop.start_dunst()
    with NotifyMonitor(desktop) as notify:
        service = start(desktop)
        assert service.proc is not None
        assert service.proc.wait(20) == 2
        service.stop()
        shown = notify.wait_for_call("could not start", timeout=10)
    assert str(managed) in shown
    log = (isolated_dirs["state"] / "sitting-reminder" / "log" / "sitting-reminder.log").read_text()
    assert "not starting" in log and str(managed) in log
    assert "reminders.sitting_limit" in "\n".join(service.lines)  # stderr says it too
    no_traceback(service)


HUNG_SERVER = textwrap.dedent(
    """
    import asyncio, os, sys
    from dbus_fast.aio import MessageBus
    from dbus_fast.service import ServiceInterface, method

    class Hung(ServiceInterface):
        def __init__(self):
            super().__init__("org.freedesktop.Notifications")

        @method()
        def GetCapabilities(self) -> "as":
            return ["actions", "body"]

        @method()
        def GetServerInformation(self) -> "ssss":
            return ["hung", "test", "1", "1.2"]

        @method()
        async def Notify(self, app: "s", replaces: "u", icon: "s", summary: "s", body: "s",
                         actions: "as", hints: "a{sv}", timeout: "i") -> "u":
            print("notify received", flush=True)
            await asyncio.Event().wait()  # never answers
            return 0

        @method()
        def CloseNotification(self, id: "u"):
            return None

    async def main():
        bus = await MessageBus(bus_address=os.environ["DBUS_SESSION_BUS_ADDRESS"]).connect()
        bus.export("/org/freedesktop/Notifications", Hung())
        await bus.request_name("org.freedesktop.Notifications")
        print("ready", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


def test_ctrl_c_during_a_hung_notify_stops_with_one_line(
    desktop: DesktopSession, isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    script = tmp_path / "hung_server.py"
    script.write_text(HUNG_SERVER)
    server = subprocess.Popen(
        [sys.executable, str(script)], env=desktop.env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        write_fast_config(isolated_dirs["config"], sitting_limit="2s", extra=DESKTOP_NOTIFIER)
        service = start(desktop)
        service.wait_for_line("running", timeout=20)
        assert server.stdout.readline().strip() == "notify received"
        assert service.status()["due"] is True  # the engine answers while Notify hangs
        assert service.stop(signal.SIGINT) == 0
        no_traceback(service)
    finally:
        server.kill()
        server.wait(5)
        if server.stdout is not None:
            server.stdout.close()


def test_the_session_bus_going_away_does_not_stop_the_service(
    desktop: DesktopSession, isolated_dirs: dict[str, Path]
) -> None:
    write_fast_config(isolated_dirs["config"], sitting_limit="10m")
    service = start(desktop)
    service.wait_for_line("running", timeout=20)
    desktop._stop("dbus")  # the session bus ends (a crashed dbus-daemon, a session torn down)
    time.sleep(2)
    assert service.proc is not None and service.proc.poll() is None
    assert service.status()["state"] in ("sitting", "on_break")
    assert service.stop(signal.SIGTERM) == 0
    no_traceback(service)


def test_the_session_bus_going_away_under_the_gtk_tray_is_survived(
    desktop: DesktopSession, isolated_dirs: dict[str, Path]
) -> None:
    """pystray's GTK tray (an XEmbed-only desktop: trayer, no StatusNotifierWatcher)."""
    write_fast_config(isolated_dirs["config"], sitting_limit="10m")
    desktop.start_trayer()
    service = ServiceProcess(desktop.env, "-v").start()
    service.wait_for_line("running in the tray", timeout=30)  # printed once the icon is up
    desktop._stop("dbus")
    time.sleep(3)
    assert service.proc is not None and service.proc.poll() is None, "\n".join(service.drain())
    assert service.status()["state"] in ("sitting", "on_break")
    assert service.stop(signal.SIGTERM) == 0
    no_traceback(service)
