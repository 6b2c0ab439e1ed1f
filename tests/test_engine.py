"""The engine with a fake clock: prompts, buttons, snooze, reload, restore, suspend.

The clock is the only fake for the engine itself (ManualClock); the history is
the real SQLite store and the state file the real atomic JSON store, in tmp.
"""

from __future__ import annotations

import asyncio
import io
import json
import random
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from reminder.activity.base import ActivitySample, ActivitySource
from reminder.configuration.loader import load_configuration
from reminder.core.model import PromptAction, Snooze, SpellState
from reminder.service.clock import ManualClock
from reminder.service.engine import Adapters, Engine
from reminder.service.run import JsonStateStore, catalog_for
from reminder.store.history import History
from reminder.testing import RecordingNotifier

START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)  # a Tuesday
USER_TOML = """
[schedule]
timezone = "UTC"
[schedule.work_hours]
tuesday = ["09:00-12:00", "13:00-17:00"]
[reminders]
sitting_limit = "{limit}"
repeat_every = "10m"
[activity]
break_after_idle = "5m"
check_every = "15s"
"""


class ScriptedActivity:
    """An activity source whose next sample the test sets."""

    name = "scripted"

    def __init__(self) -> None:
        self.next = ActivitySample(idle_for=timedelta(0))

    async def start(self) -> None:
        return None

    async def sample(self) -> ActivitySample:
        return self.next

    async def close(self) -> None:
        return None


class Harness:
    def __init__(self, tmp_path: Path, limit: str = "50m") -> None:
        self.user_file = tmp_path / "user.toml"
        self.user_file.write_text(USER_TOML.format(limit=limit))
        self.clock = ManualClock(START)
        self.notifier = RecordingNotifier()
        self.activity = ScriptedActivity()
        self.console = io.StringIO()
        self.history = History(tmp_path / "history.sqlite3")
        self.state_path = tmp_path / "state.json"
        self.opened: list[str] = []
        self.engine = self.make_engine()

    def make_engine(self) -> Engine:
        activity = self.activity

        async def factory() -> ActivitySource:
            return activity

        adapters = Adapters(
            clock=self.clock,
            notifier=self.notifier,
            activity_factory=factory,
            catalog_loader=catalog_for,
            guide_uri=lambda anchor, url: "file:///guide.html",
            history=self.history,
            state_store=JsonStateStore(self.state_path),
            rng=random.Random(7),
            console=self.console,
            open_url=self.opened.append,
        )
        return Engine(load_configuration(self.user_file), adapters, user_file=self.user_file)

    async def advance(self, total: timedelta, step: timedelta = timedelta(seconds=15)) -> None:
        moved = timedelta(0)
        while moved < total:
            self.clock.advance(step)
            moved += step
            await self.engine.step()


def run(test: Callable[[Harness], Coroutine[Any, Any, None]], tmp_path: Path, **kw: str) -> None:
    async def main() -> None:
        harness = Harness(tmp_path, **kw)
        await harness.engine.start(schedule=False)
        try:
            await test(harness)
        finally:
            await harness.engine.stop()

    asyncio.run(main())


def test_prompt_at_the_limit_names_a_stretch_on_notifier_and_console(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(timedelta(minutes=49, seconds=45))
        assert h.notifier.shown == []
        await h.advance(timedelta(seconds=15))
        assert len(h.notifier.shown) == 1
        prompt = h.notifier.shown[0]
        assert prompt.sitting_for == timedelta(minutes=50)
        assert prompt.stretch.name in h.console.getvalue()
        assert h.engine.status().state is SpellState.DUE
        assert h.engine.status().today is not None
        assert h.engine.status().today.prompts == 1

    run(body, tmp_path)


def test_done_button_ends_the_spell_and_counts_as_a_break(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(timedelta(minutes=50))
        h.notifier.press(PromptAction.DONE)
        await asyncio.sleep(0.05)  # the button posts a command to the loop
        status = h.engine.status()
        assert status.sitting_for == timedelta(0)
        assert status.today is not None and status.today.breaks_taken == 1
        await h.advance(timedelta(minutes=49))
        assert len(h.notifier.shown) == 1  # the fresh spell is not due yet

    run(body, tmp_path)


def test_guide_button_opens_the_guide(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(timedelta(minutes=50))
        h.notifier.press(PromptAction.GUIDE)
        await asyncio.sleep(0.05)
        assert h.opened == ["file:///guide.html"]

    run(body, tmp_path)


def test_snooze_holds_prompts_until_it_ends(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(timedelta(minutes=50))
        result = await h.engine.handle_command(Snooze(timedelta(minutes=20)))
        assert result.status.state is SpellState.SNOOZED
        await h.advance(timedelta(minutes=19, seconds=45))
        assert len(h.notifier.shown) == 1
        await h.advance(timedelta(seconds=15))
        assert len(h.notifier.shown) == 2

    run(body, tmp_path)


def test_idle_for_break_after_idle_ends_the_spell_without_prompt(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(timedelta(minutes=40))
        h.activity.next = ActivitySample(idle_for=timedelta(minutes=5))
        await h.advance(timedelta(seconds=15))
        assert h.engine.status().state is SpellState.ON_BREAK
        h.activity.next = ActivitySample(idle_for=timedelta(seconds=1))
        await h.advance(timedelta(minutes=20))
        assert h.notifier.shown == []
        assert h.engine.status().today is not None
        assert h.engine.status().today.natural_breaks == 1

    run(body, tmp_path)


def test_suspend_is_a_break_and_brings_no_burst(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(timedelta(minutes=45))
        h.clock.jump(timedelta(hours=1))  # the wall clock moved, the monotonic one did not
        await h.advance(timedelta(seconds=15))
        assert h.notifier.shown == []
        assert h.engine.status().sitting_for < timedelta(minutes=1)

    run(body, tmp_path)


def test_good_edit_applies_bad_edit_keeps_last_good(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        h.user_file.write_text(USER_TOML.format(limit="20m"))
        await h.advance(timedelta(seconds=15))
        assert h.engine.status().sitting_limit == timedelta(minutes=20)
        h.user_file.write_text(USER_TOML.format(limit="20m") + "\nsitting_limt = 3\n")
        await h.advance(timedelta(seconds=15))
        status = h.engine.status()
        assert status.sitting_limit == timedelta(minutes=20)
        assert status.config_warning is not None and "sitting_limt" in status.config_warning
        h.user_file.write_text(USER_TOML.format(limit="30m"))
        await h.advance(timedelta(seconds=15))
        assert h.engine.status().sitting_limit == timedelta(minutes=30)
        assert h.engine.status().config_warning is None

    run(body, tmp_path)


def test_snooze_survives_a_restart(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.engine.handle_command(Snooze(timedelta(minutes=30)))
        saved = json.loads(h.state_path.read_text())
        assert saved["snoozed_until"].startswith("2026-12-01T09:30")
        second = h.make_engine()  # the first never stopped cleanly: like a SIGKILL
        h.clock.advance(timedelta(minutes=5))
        await second.start(schedule=False)
        try:
            assert second.status().state is SpellState.SNOOZED
            assert second.status().snoozed_until == START + timedelta(minutes=30)
        finally:
            await second.stop()

    run(body, tmp_path)


def test_interval_refused_when_locked(
    tmp_path: Path, isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    managed = isolated_dirs["site"] / "sitting-reminder" / "config.toml"
    managed.parent.mkdir(parents=True)
    managed.write_text('[reminders]\nsitting_limit = "40m"\n[managed]\nlocked = ["reminders.*"]\n')

    async def body(h: Harness) -> None:
        answer = await h.engine.handle_request({"cmd": "interval", "arg": "30m"})
        assert answer["ok"] is False and answer["exit_code"] == 2
        assert str(managed) in answer["error"]
        assert h.engine.status().sitting_limit == timedelta(minutes=40)

    run(body, tmp_path)


def test_interval_writes_the_user_file_and_applies(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        answer = await h.engine.handle_request({"cmd": "interval", "arg": "35m"})
        assert answer["ok"] is True, answer
        assert answer["status"]["sitting_limit_s"] == 35 * 60
        assert 'sitting_limit = "35m"' in h.user_file.read_text()
        assert "[schedule.work_hours]" in h.user_file.read_text()

    run(body, tmp_path)


def test_unknown_request_is_a_usage_error(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        answer = await h.engine.handle_request({"cmd": "dance"})
        assert answer == {"ok": False, "error": "unknown request 'dance'", "exit_code": 2}

    run(body, tmp_path)
