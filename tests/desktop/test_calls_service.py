"""The real service never interrupts a call: a real PulseAudio server and `parecord` as the
call app, dunst's own pause as Do Not Disturb, Notify calls read off the session bus.

Everything is real: Xvfb with X11 idle detection, a session bus, dunst, pulseaudio with a
null source as the microphone. Nobody touches keyboard or mouse during the call, so the
X11 idle time grows past break_after_idle while the spell must keep counting.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from desktop_helpers import NotifyMonitor
from desktop_session import DesktopSession
from service_proc import ServiceProcess, write_fast_config
from sound_server import sound_server

pytestmark = pytest.mark.desktop

CALL_CONFIG = """
[notifications]
backend = "desktop-notifier"
after_call = "2s"
"""


def start(desktop: DesktopSession, extra_env: dict[str, str] | None = None) -> ServiceProcess:
    return ServiceProcess({**desktop.env, **(extra_env or {})}, "--no-tray").start()


def test_no_prompt_during_a_call_and_one_worded_for_it_after(
    desktop: DesktopSession, isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    write_fast_config(
        isolated_dirs["config"], sitting_limit="4s", repeat_every="1m", extra=CALL_CONFIG
    )
    desktop.start_dunst()
    with sound_server(tmp_path / "pulse") as pulse, NotifyMonitor(desktop) as notify:
        service = start(desktop, {k: v for k, v in pulse.env.items() if k.startswith("PULSE")})
        service.wait_for_line("running", timeout=20)
        desktop.xdotool("mousemove", "100", "100")  # someone sits down ...
        with pulse.recording("mic"):  # ... and joins a call, hands off the keyboard
            held = service.wait_for_status(
                "the prompt to be held for the call", lambda s: s["held_for"] == "call", 20
            )
            assert "microphone (pulseaudio)" in held["call_detection"]
            time.sleep(5)  # longer than break_after_idle (4 s) with no input at all
            during = service.status()
            assert during["state"] == "sitting" and during["due"] is True
            assert during["sitting_for_s"] > held["sitting_for_s"]  # still counting
            assert notify.calls() == []
            plain = service.cli("status")
            assert "In a call: your reminder waits" in plain.stdout
        shown = notify.wait_for_call("call", timeout=10)  # within after_call (2 s) and a bit
        assert "You sat through a" in shown
        time.sleep(3)
        assert len(notify.calls()) == 1  # exactly one prompt
        after = service.status()
        assert after["held_for"] is None and after["today"]["calls_held"] == 1
        assert service.stop() == 0


def test_dunst_paused_is_do_not_disturb(
    desktop: DesktopSession, isolated_dirs: dict[str, Path]
) -> None:
    write_fast_config(
        isolated_dirs["config"], sitting_limit="3s", repeat_every="1m", extra=CALL_CONFIG
    )
    desktop.start_dunst()
    desktop.run("dunstctl", "set-paused", "true")
    with NotifyMonitor(desktop) as notify:
        service = start(desktop)
        service.wait_for_line("running", timeout=20)
        desktop.xdotool("mousemove", "100", "100")
        held = service.wait_for_status("held for DND", lambda s: s["held_for"] == "dnd", 20)
        assert any("do-not-disturb" in name for name in held["call_detection"])
        time.sleep(2)
        assert notify.calls() == []
        desktop.xdotool("mousemove", "120", "120")
        desktop.run("dunstctl", "set-paused", "false")
        notify.wait_for_call("Time to move", timeout=10)
        time.sleep(2)
        assert len(notify.calls()) == 1
        assert service.stop() == 0
