"""`sitting-reminder doctor` on real desktops: Xvfb, a private session bus, dunst, an SNI host.

Every part is real: Debian's `status-notifier-watcher` with gtk-sni-tray's panel as
its host, dunst answering GetServerInformation and GetCapabilities, trayer as an
XEmbed tray, the service itself (`python -m reminder run`), and `python -m reminder
doctor` run as a person runs it, from the session's terminal or over SSH (no
DISPLAY, no bus address). The one program written for a test is a notification
server that takes the bus name and never answers, which is what a hung server is.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import require_desktop_tools
from desktop_session import REQUIRED_TOOLS, SNI_TOOLS, DesktopSession
from service_proc import ServiceProcess

from reminder import __version__

pytestmark = pytest.mark.desktop

LIMIT = "reminders.sitting_limit"
NOTIFICATIONS = "org.freedesktop.Notifications"
MANAGED = '[reminders]\nsitting_limit = "45m"\n[managed]\nlocked = ["reminders.sitting_limit"]\n'

SILENT_SERVER = f"""
import asyncio
from dbus_fast import MessageType
from dbus_fast.aio import MessageBus

def swallow(message):
    return message.message_type == MessageType.METHOD_CALL or None  # handled, never answered

async def main():
    bus = await MessageBus().connect()
    bus.add_message_handler(swallow)
    await bus.request_name("{NOTIFICATIONS}")
    print("owned", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def doctor(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reminder", "doctor", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def doctor_json(env: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
    done = doctor(env, "--json")
    assert done.stderr == "", done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return done.returncode, report


def managed_file(env: Mapping[str, str], text: str) -> Path:
    path = Path(env["XDG_CONFIG_DIRS"]) / "sitting-reminder" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@contextmanager
def running_service(env: Mapping[str, str]) -> Iterator[ServiceProcess]:
    service = ServiceProcess(env, "-v").start()
    try:
        service.wait_for_line(r"tray icon registered with the StatusNotifierWatcher", 30)
        service.wait_for_status("the service to answer", lambda status: True, 30)
        yield service
    finally:
        assert service.stop() == 0, service.lines


def test_a_healthy_desk_then_a_broken_managed_file(desktop: DesktopSession) -> None:
    require_desktop_tools(*REQUIRED_TOOLS, *SNI_TOOLS)
    desktop.start_dunst()
    desktop.start_sni_host()
    env = desktop.env
    managed = managed_file(env, MANAGED)
    with running_service(env) as service:
        code, report = doctor_json(env)
        assert (code, report["summary"]) == (0, "all is well: no problems found")
        assert report["platform"]["session"]["display"] == env["DISPLAY"]
        assert report["platform"]["session"]["borrowed_from_service_pid"] is None

        tray = report["tray"]
        assert tray["would_use"] == "sni" and tray["xembed"] is False
        watcher = tray["watcher"]
        assert watcher["program"].startswith("status-notifier (pid ")  # comm: 15 characters
        assert (watcher["host_registered"], watcher["service_item_registered"]) == (True, True)

        notifications = report["notifications"]
        assert notifications["server"]["name"] == "dunst"
        assert notifications["server"]["program"].startswith("dunst (pid ")
        assert {"actions", "body-markup", "body"} <= set(notifications["capabilities"])
        assert (notifications["actions"], notifications["body_markup"]) == (True, True)
        assert notifications["chain"] == "desktop-notifier > plyer > console"

        assert report["activity"]["source"] == "x11"
        assert report["activity"]["pushes"]["idle"] is True
        assert report["activity"]["idle_for_s"] >= 0
        assert "dunst do-not-disturb" in [source["name"] for source in report["calls"]["sources"]]
        assert report["locks"] == {LIMIT: str(managed)}

        running = report["service"]
        assert (running["running"], running["pid"], running["version"]) == (
            True,
            service.pid,
            __version__,
        )
        assert running["activity_detection"] == "x11"
        assert "dunst do-not-disturb" in running["call_detection"]

        # Over SSH: no display and no bus address in the terminal; the service's session is used.
        remote_env = {
            k: v for k, v in env.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
        }
        code, remote = doctor_json(remote_env)
        assert code == 0, remote["problems"]
        session = remote["platform"]["session"]
        assert (session["borrowed_from_service_pid"], session["display"]) == (
            service.pid,
            env["DISPLAY"],
        )
        assert remote["tray"]["watcher"]["service_item_registered"] is True
        assert remote["notifications"]["server"]["name"] == "dunst"

        managed.write_text(MANAGED.replace('"45m"', "45"))
        service.wait_for_status("the bad edit", lambda status: bool(status["config_warning"]), 30)
        code, report = doctor_json(env)
        problems = [
            f"the managed configuration {managed} is invalid",
            "the running service keeps its last good configuration: a file is bad",
        ]
        assert (code, report["problems"]) == (1, problems)
        (source,) = [s for s in report["configuration"]["sources"] if s["kind"] == "managed"]
        assert source["state"] == "invalid" and f"{managed}, line 2" in source["problem"]

        text = doctor(env)
        assert text.returncode == 1 and text.stderr == ""
        assert text.stdout.splitlines()[-1] == f"summary: 2 problems: {'; '.join(problems)}"


def test_no_service_although_autostart_is_enabled_is_a_problem(desktop: DesktopSession) -> None:
    desktop.start_dunst()
    desktop.start_trayer()
    enabled = subprocess.run(
        [sys.executable, "-m", "reminder", "autostart", "enable"],
        env=desktop.env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert enabled.stdout.startswith("autostart enabled: ")
    code, report = doctor_json(desktop.env)
    assert report["autostart"]["enabled"] is True
    assert report["service"]["running"] is False
    assert (code, report["summary"]) == (
        1,
        "1 problem: the service is not running although autostart is enabled",
    )


def test_an_xembed_tray_and_no_notification_server(tmp_path: Path) -> None:
    """trayer only, on a bus that starts nothing on demand: no notification server at all."""
    require_desktop_tools()
    with DesktopSession(tmp_path / "desktop", bus_activation=False) as desktop:
        desktop.start_trayer()
        code, report = doctor_json(desktop.env)
    tray = report["tray"]
    assert (tray["watcher"], tray["xembed"], tray["would_use"]) == (None, True, "pystray")
    has_gi = importlib.util.find_spec("gi") is not None
    assert tray["pygobject"] is has_gi
    notifications = report["notifications"]
    assert (notifications["server"], notifications["activatable"]) == (None, False)
    expected = [
        f"no notification server for prompts (nothing owns {NOTIFICATIONS} on the session bus)"
    ]
    if not has_gi:
        expected.insert(0, "the XEmbed tray icon needs PyGObject (python3-gi), which is missing")
    assert (code, report["problems"]) == (1, expected)


def test_a_server_the_bus_would_start_is_no_problem(desktop: DesktopSession) -> None:
    """Debian's dunst ships a D-Bus service file: the first prompt would start it. doctor
    never starts it (NO_AUTOSTART) and says so."""
    code, report = doctor_json(desktop.env)
    notifications = report["notifications"]
    assert (notifications["server"], notifications["activatable"]) == (None, True)
    assert notifications["problems"] == []
    # No panel on this bare desktop: the icon has nowhere to go, which is the only problem.
    no_host = "no tray host: neither a StatusNotifierWatcher nor an XEmbed tray runs"
    assert (code, report["problems"]) == (1, [no_host])
    assert NOTIFICATIONS not in desktop.bus_names()  # nothing was started
    text = doctor(desktop.env).stdout
    assert "server: not running; the session bus starts one on the first prompt" in text


def test_a_notification_server_that_never_answers_costs_two_seconds(tmp_path: Path) -> None:
    require_desktop_tools()
    with DesktopSession(tmp_path / "desktop", bus_activation=False) as desktop:
        desktop.start_trayer()
        silent = subprocess.Popen(
            [sys.executable, "-c", SILENT_SERVER],
            env=desktop.env,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert silent.stdout is not None and silent.stdout.readline().strip() == "owned"
            started = time.monotonic()
            code, report = doctor_json(desktop.env)
            took = time.monotonic() - started
        finally:
            silent.kill()
            silent.wait(5)
            if silent.stdout is not None:
                silent.stdout.close()
    error = report["notifications"]["server_error"]
    assert error.endswith(f"owns {NOTIFICATIONS} but gave no answer in 2 s"), error
    assert code == 1
    assert report["problems"] == [f"the notification server does not answer ({error})"]
    assert took < 8, f"doctor took {took:.1f} s"
