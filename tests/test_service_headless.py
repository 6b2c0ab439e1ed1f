"""The real service in a subprocess with no display: console prompts and CLI control."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from service_proc import ServiceProcess, headless_env, write_fast_config

PROMPT = r"Time to move: \d+ s sitting\. Try: "


@pytest.fixture
def service(isolated_dirs: dict[str, Path]) -> ServiceProcess:
    write_fast_config(isolated_dirs["config"])
    return ServiceProcess(headless_env())


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_prompts_on_the_console_and_stops_cleanly(service: ServiceProcess, signum: int) -> None:
    service.start()
    line = service.wait_for_line(PROMPT, timeout=15)
    assert "Guide: " in line
    assert service.stop(signum) == 0
    assert "Traceback" not in "\n".join(service.lines)
    assert service.lines[-1] == "sitting-reminder stopped."


def test_snooze_status_resume(service: ServiceProcess) -> None:
    service.start()
    service.wait_for_line(PROMPT, timeout=15)
    answer = service.cli("snooze", "20s")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.startswith("snoozed until")
    status = json.loads(service.cli("status", "--json").stdout)
    assert status["state"] == "snoozed"
    assert status["snoozed_until"] is not None
    count = len([line for line in service.drain() if ". Try:" in line])
    assert service.cli("resume").returncode == 0
    assert json.loads(service.cli("status", "--json").stdout)["state"] == "sitting"
    service.wait_for_line(r"(sitting|time to get up)\. Try: ", timeout=15)
    assert len([line for line in service.lines if "Try:" in line]) > count
    assert service.stop() == 0


def test_a_second_run_reports_the_first_and_exits_0(service: ServiceProcess) -> None:
    service.start()
    service.wait_for_line("running", timeout=15)
    second = service.cli("run", "--no-tray")
    assert second.returncode == 0
    assert f"already running (pid {service.pid})" in second.stdout
    assert service.stop() == 0


def test_snooze_survives_sigkill(service: ServiceProcess, isolated_dirs: dict[str, Path]) -> None:
    service.start()
    service.wait_for_line("running", timeout=15)
    service.cli("snooze", "10m")
    until = json.loads(service.cli("status", "--json").stdout)["snoozed_until"]
    service.kill()
    again = ServiceProcess(service.env).start()
    again.wait_for_line("running", timeout=15)
    status = json.loads(again.cli("status", "--json").stdout)
    assert status["state"] == "snoozed"
    assert status["snoozed_until"] == until
    assert again.stop() == 0


def test_garbage_state_file_is_moved_aside(
    service: ServiceProcess, isolated_dirs: dict[str, Path]
) -> None:
    state = isolated_dirs["state"] / "sitting-reminder" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text("{not json at all")
    service.start()
    service.wait_for_line(PROMPT, timeout=15)
    assert service.stop() == 0
    assert any("state" in line.lower() and "corrupt" in line.lower() for line in service.lines)
    assert list(state.parent.glob("state.json.corrupt-*"))
    assert json.loads(state.read_text())["version"] == 1


def test_an_edited_configuration_applies_and_a_bad_edit_keeps_the_last_good(
    service: ServiceProcess, isolated_dirs: dict[str, Path]
) -> None:
    """Edit the user file while the service runs, as a user in an editor would."""
    user_file = isolated_dirs["config"] / "sitting-reminder" / "config.toml"
    service.start()
    service.wait_for_line("running", timeout=15)

    assert service.status()["sitting_limit_s"] == 5
    good = user_file.read_text()
    user_file.write_text(good.replace('sitting_limit = "5s"', 'sitting_limt = "20m"'))
    warning = service.wait_for_line("configuration not applied, keeping the last good", 15)
    assert str(user_file) in warning and "sitting_limt" in warning
    after_bad = service.status()
    assert after_bad["sitting_limit_s"] == 5
    assert "sitting_limt" in after_bad["config_warning"]

    user_file.write_text(good.replace('sitting_limit = "5s"', 'sitting_limit = "20m"'))
    after_good = service.wait_for_status(
        "the good edit to apply", lambda s: s["sitting_limit_s"] == 1200, timeout=15
    )
    assert after_good["sitting_limit_s"] == 1200
    assert after_good["config_warning"] is None
    assert service.stop() == 0
    assert "Traceback" not in "\n".join(service.lines)


def test_control_commands_without_a_service_exit_3(isolated_dirs: dict[str, Path]) -> None:
    probe = ServiceProcess(headless_env())
    for args in (["status"], ["snooze"], ["resume"], ["break"], ["pause"]):
        done = probe.cli(*args)
        assert done.returncode == 3, args
        assert "sitting-reminder run" in done.stderr
        assert "Traceback" not in done.stderr


def test_stats_show_the_session(service: ServiceProcess) -> None:
    service.start()
    service.wait_for_line(PROMPT, timeout=15)
    assert service.cli("break").returncode == 0
    service.cli("snooze", "20s")
    assert service.stop() == 0
    stats = json.loads(service.cli("stats", "--json", "--days", "1").stdout)
    today = stats["days"][-1]
    assert today["prompts"] >= 1
    assert today["breaks_taken"] == 1
    assert today["snoozes"] == 1
