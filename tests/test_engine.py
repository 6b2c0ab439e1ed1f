"""The event-driven engine with a fake clock: it sleeps until the next moment that matters.

Fakes: the clock (ManualClock) and the one wake-up timer bound to it (ManualTimer),
and a function-backed activity source standing in for the desktop. The history is
the real SQLite store, the state file the real atomic JSON store, configuration
edits are seen by the real inotify watcher, all in tmp.
"""

from __future__ import annotations

import asyncio
import io
import json
import random
import time
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from reminder.activity.base import ActivitySample, ActivitySource, Pushes
from reminder.calls.base import CallState
from reminder.configuration.loader import load_configuration
from reminder.core.model import Pause, PromptAction, Snooze, SpellState, TakeBreak
from reminder.service.clock import ManualClock
from reminder.service.engine import Adapters, CallWatch, Engine, HistoryStore
from reminder.service.run import JsonStateStore, catalog_for
from reminder.store.history import History
from reminder.testing import FunctionActivity, ManualTimer, RecordingNotifier

START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)  # a Tuesday
MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)
EVENTS = Pushes(idle=True, fullscreen=True, lock=True)
USER_TOML = """
[schedule]
timezone = "{zone}"
[schedule.work_hours]
tuesday = ["09:00-12:00", "13:00-17:00"]
[reminders]
sitting_limit = "{limit}"
repeat_every = "10m"
[activity]
break_after_idle = "5m"
check_every = "15s"
"""


class Desk:
    """What the activity source sees: the last input, a lock, full screen."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.last_input = clock.now()
        self.typing = True
        self.locked = False

    def sample(self) -> ActivitySample:
        now = self.clock.now()
        if self.typing:
            self.last_input = now
        return ActivitySample(idle_for=now - self.last_input, screen_locked=self.locked)


class Calls:
    """A call source double: `on` is the microphone; `announce` as pulseaudio would."""

    names = ("microphone (test double)",)
    needs_asking = False

    def __init__(self) -> None:
        self.on = False
        self._listener: Callable[[], None] | None = None

    async def start(self, on_change: Callable[[], None]) -> None:
        self._listener = on_change

    async def state(self) -> CallState:
        return CallState(in_call=self.on)

    def set(self, on: bool) -> None:
        self.on = on
        assert self._listener is not None
        self._listener()

    async def close(self) -> None:
        return None


class Harness:
    def __init__(
        self,
        tmp_path: Path,
        limit: str = "50m",
        zone: str = "UTC",
        pushes: Pushes = EVENTS,
        history: Callable[[], HistoryStore] | None = None,
    ) -> None:
        self.tmp = tmp_path
        self.user_file = tmp_path / "user.toml"
        self.user_file.write_text(USER_TOML.format(limit=limit, zone=zone))
        self.clock = ManualClock(START)
        self.timer = ManualTimer()
        self.notifier = RecordingNotifier()
        self.desk = Desk(self.clock)
        self.activity = FunctionActivity(self.desk.sample, pushes=pushes)
        self.calls = Calls()
        self.console = io.StringIO()
        self.history_factory = history or (lambda: History(tmp_path / "history.sqlite3"))
        self.state_path = tmp_path / "state.json"
        self.opened: list[str] = []
        self.engine = self.make_engine()

    def make_engine(self) -> Engine:
        activity, calls = self.activity, self.calls

        async def factory() -> ActivitySource:
            return activity

        async def calls_factory() -> CallWatch:
            return calls

        def open_url(address: str) -> bool:
            self.opened.append(address)
            return True

        adapters = Adapters(
            clock=self.clock,
            notifier=self.notifier,
            activity_factory=factory,
            catalog_loader=catalog_for,
            guide_uri=lambda anchor, url: "file:///guide.html",
            history_factory=self.history_factory,
            state_store=JsonStateStore(self.state_path),
            calls_factory=calls_factory,
            timer=self.timer,
            rng=random.Random(7),
            console=self.console,
            open_url=open_url,
        )
        return Engine(load_configuration(self.user_file), adapters, user_file=self.user_file)

    async def advance(self, by: timedelta) -> int:
        """Let `by` pass, running each wake-up the engine planned; returns how many ran."""
        fired = await self.timer.advance(self.clock, by)
        await self.settle()
        return fired

    async def settle(self) -> None:
        """Let the writer thread and the tasks it wakes finish (history, today's numbers)."""
        await self.engine.writer.run("settle", lambda: None)
        for _ in range(5):
            await asyncio.sleep(0)

    async def away(self) -> None:
        """Stop touching keyboard and mouse (the source announces nothing yet)."""
        self.desk.typing = False
        self.desk.last_input = self.clock.now()

    async def back(self) -> None:
        """Touch the mouse: a pushing source announces it at once."""
        self.desk.typing = True
        self.activity.announce()
        await self.settle()


def run(test: Callable[[Harness], Coroutine[Any, Any, None]], tmp_path: Path, **kw: Any) -> None:
    async def main() -> None:
        harness = Harness(tmp_path, **kw)
        await harness.engine.start()
        await harness.settle()
        try:
            await test(harness)
        finally:
            await harness.engine.stop()

    asyncio.run(main())


# ------------------------------------------------------------ wake-ups


def test_it_sleeps_until_the_prompt_and_prompts_exactly_at_the_limit(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        assert h.engine.next_wake_at == START + 50 * MIN
        assert await h.advance(49 * MIN + 59 * SEC) == 0  # not a single wake-up before it
        assert h.notifier.shown == []
        await h.advance(SEC)
        [prompt] = h.notifier.shown
        assert prompt.sitting_for == 50 * MIN
        assert prompt.stretch.name in h.console.getvalue()
        status = h.engine.status()
        assert status.state is SpellState.DUE
        assert status.today is not None and status.today.prompts == 1
        assert h.engine.next_wake_at == START + 60 * MIN  # the repeat

    run(body, tmp_path)


def test_with_announcing_sources_an_hour_of_sitting_costs_three_observations(
    tmp_path: Path,
) -> None:
    """Start, the prompt, the repeat: nothing is polled in between."""

    async def body(h: Harness) -> None:
        await h.advance(61 * MIN)
        assert h.activity.queries == 3
        assert len(h.notifier.shown) == 2

    run(body, tmp_path)


def test_a_source_that_must_be_asked_is_asked_when_the_answer_can_change(
    tmp_path: Path,
) -> None:
    """Query-only idle (KDE, Windows, macOS): asked at the idle threshold, not every 15 s."""

    async def body(h: Harness) -> None:
        await h.advance(10 * MIN)
        await h.away()  # at 09:10
        queries = h.activity.queries
        await h.advance(5 * MIN)  # the next ask is at 09:15, exactly break_after_idle later
        assert h.activity.queries - queries <= 2
        assert h.engine.status().state is SpellState.ON_BREAK
        today = h.engine.status().today
        assert today is not None
        assert today.natural_breaks == 1

    run(body, tmp_path, pushes=Pushes())


def test_idle_announced_ends_the_spell_and_returning_input_starts_one(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(20 * MIN)
        await h.away()
        await h.advance(5 * MIN)
        h.activity.announce()  # the X alarm at the threshold
        await h.settle()
        assert h.engine.status().state is SpellState.ON_BREAK
        await h.advance(10 * MIN)
        await h.back()
        status = h.engine.status()
        assert status.state is SpellState.SITTING
        assert status.spell_started_at == START + 35 * MIN
        assert h.engine.next_wake_at == START + 85 * MIN

    run(body, tmp_path)


def test_suspend_is_a_break_and_brings_no_burst(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(45 * MIN)
        h.clock.jump(timedelta(hours=1))  # wall clock on, monotonic still: a suspend, announced
        await h.settle()
        assert h.notifier.shown == []
        assert h.engine.status().sitting_for < MIN
        await h.advance(MIN)
        assert h.notifier.shown == []

    run(body, tmp_path)


@pytest.mark.parametrize(
    ("back", "next_wake"),
    [(90 * SEC, START + 50 * MIN), (timedelta(hours=1), START)],
    ids=["90s", "1h"],
)
def test_setting_the_clock_back_neither_stalls_nor_bursts(
    tmp_path: Path, back: timedelta, next_wake: datetime
) -> None:
    """The honesty issue: back 90 s stalled `status` at "sitting for 11s" for 90 s; back 1 h,
    for an hour. Now the jump is seen at once and the next wake-up is planned on the new
    clock: the prompt at 09:50 as the clock now reads it (for 1 h back: work starts first)."""

    async def body(h: Harness) -> None:
        await h.advance(10 * MIN)
        h.clock.jump(-back)
        await h.settle()
        assert h.engine.status().now == START + 10 * MIN - back  # observed at once
        assert h.engine.next_wake_at == next_wake
        await h.advance(START + 50 * MIN - h.clock.now() - SEC)
        assert h.notifier.shown == []
        await h.advance(SEC)
        assert len(h.notifier.shown) == 1

    run(body, tmp_path)


# ------------------------------------------------------------ buttons and commands


def test_done_button_ends_the_spell_and_counts_as_a_break(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(50 * MIN)
        h.notifier.press(PromptAction.DONE)
        await asyncio.sleep(0.05)  # the button posts a command to the loop
        await h.settle()
        status = h.engine.status()
        assert status.sitting_for == timedelta(0)
        assert status.today is not None and status.today.breaks_taken == 1
        await h.advance(49 * MIN)
        assert len(h.notifier.shown) == 1  # the fresh spell is not due yet

    run(body, tmp_path)


def test_guide_button_opens_the_guide(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(50 * MIN)
        h.notifier.press(PromptAction.GUIDE)
        for _ in range(50):
            await asyncio.sleep(0.01)
            if h.opened:
                break
        assert h.opened == ["file:///guide.html"]

    run(body, tmp_path)


def test_snooze_holds_prompts_until_it_ends_and_wakes_then(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(50 * MIN)
        result = await h.engine.handle_command(Snooze(20 * MIN))
        assert result.status.state is SpellState.SNOOZED
        assert result.message == "snoozed until 10:10"
        assert h.engine.next_wake_at == START + 70 * MIN
        await h.advance(19 * MIN + 59 * SEC)
        assert len(h.notifier.shown) == 1
        await h.advance(SEC)
        assert len(h.notifier.shown) == 2

    run(body, tmp_path)


def test_snooze_and_break_while_paused_are_refused_and_not_counted(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.engine.handle_command(Pause("next_work_day"))
        for command in (Snooze(), TakeBreak()):
            result = await h.engine.handle_command(command)
            assert result.exit_code == 2
            assert result.error is not None
            assert result.error in (
                "paused until Wed 09:00: nothing to snooze; `sitting-reminder resume` first",
                "paused until Wed 09:00: no sitting spell to end; `sitting-reminder resume` first",
            )
        await h.settle()
        today = h.engine.status().today
        assert today is not None
        assert today.snoozes == 0
        assert set(h.engine.status().refusals) == {"snooze", "break"}

    run(body, tmp_path)


def test_snooze_outside_work_hours_is_refused_saying_when_tracking_resumes(
    tmp_path: Path,
) -> None:
    async def body(h: Harness) -> None:
        await h.advance(3 * 60 * MIN + 30 * MIN)  # 12:30, lunch
        answer = await h.engine.handle_request({"cmd": "snooze"})
        assert answer["ok"] is False and answer["exit_code"] == 2
        assert answer["error"] == (
            "outside work hours, nothing is tracked: nothing to snooze; tracking resumes 13:00"
        )
        status = await h.engine.handle_request({"cmd": "status"})
        assert "outside work hours; tracking resumes 13:00" in status["message"]

    run(body, tmp_path)


def test_times_are_shown_in_the_configured_zone_and_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """timezone = Asia/Tokyo on a Berlin computer: `pause --until 10:00` is 10:00 Tokyo
    (at 18:00 Tokyo time, after work, so tomorrow's: past the 09:00 start it pauses)."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()

    async def body(h: Harness) -> None:
        answer = await h.engine.handle_request({"cmd": "pause", "arg": "10:00"})
        assert answer["ok"], answer
        assert answer["message"] == "paused until Wed 10:00 Asia/Tokyo"  # 02:00 in Berlin
        assert answer["status"]["paused_until"] == "2026-12-02T01:00:00+00:00"
        refused = await h.engine.handle_request({"cmd": "snooze"})
        assert refused["error"].startswith("paused until Wed 10:00 Asia/Tokyo: ")

    try:
        run(body, tmp_path, zone="Asia/Tokyo")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_control_requests_with_wrong_types_are_usage_errors(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        for request in ({"cmd": "snooze", "arg": 5}, {"cmd": "snooze", "arg": "0s"}):
            answer = await h.engine.handle_request(request)
            assert answer["ok"] is False and answer["exit_code"] == 2, answer
        answer = await h.engine.handle_request({"cmd": "dance"})
        assert answer["ok"] is False and answer["exit_code"] == 2
        assert answer["error"].startswith("unknown request 'dance'")

    run(body, tmp_path)


def test_interval_refused_when_locked(tmp_path: Path, isolated_dirs: dict[str, Path]) -> None:
    managed = isolated_dirs["site"] / "sitting-reminder" / "config.toml"
    managed.parent.mkdir(parents=True)
    managed.write_text('[reminders]\nsitting_limit = "40m"\n[managed]\nlocked = ["reminders.*"]\n')

    async def body(h: Harness) -> None:
        before = h.user_file.read_bytes()
        answer = await h.engine.handle_request({"cmd": "interval", "arg": "30m"})
        assert answer["ok"] is False and answer["exit_code"] == 2
        assert str(managed) in answer["error"]
        assert h.engine.status().sitting_limit == 40 * MIN
        assert h.user_file.read_bytes() == before

    run(body, tmp_path)


def test_interval_writes_the_user_file_and_applies_at_once(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        answer = await h.engine.handle_request({"cmd": "interval", "arg": "35m"})
        assert answer["ok"] is True, answer
        assert answer["message"] == "sitting limit set to 35 min"
        assert answer["status"]["sitting_limit_s"] == 35 * 60
        assert 'sitting_limit = "35m"' in h.user_file.read_text()
        assert "[schedule.work_hours]" in h.user_file.read_text()
        await h.settle()
        assert h.engine.next_wake_at == START + 35 * MIN

    run(body, tmp_path)


# ------------------------------------------------------------ calls


def test_a_call_holds_the_prompt_and_the_spell_goes_on_without_typing(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.advance(30 * MIN)
        h.calls.set(True)
        await h.settle()
        await h.away()
        await h.advance(30 * MIN)  # past the limit, 30 minutes without input
        assert h.notifier.shown == []
        status = h.engine.status()
        assert status.held_for == "call" and status.state is SpellState.DUE
        assert "In a call: your reminder waits" in status.one_line()
        assert status.to_json()["held_for"] == "call"
        h.calls.set(False)
        await h.settle()
        assert h.engine.next_wake_at == START + 61 * MIN
        await h.advance(MIN)
        [prompt] = h.notifier.shown
        assert prompt.after_call == 30 * MIN

    run(body, tmp_path)


# ------------------------------------------------------------ configuration and state


def test_good_edit_applies_within_a_second_and_bad_edit_keeps_last_good(tmp_path: Path) -> None:
    async def wait_for(check: Callable[[], bool]) -> None:
        for _ in range(200):
            if check():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the edit was not seen within 2 s")

    async def body(h: Harness) -> None:
        h.user_file.write_text(USER_TOML.format(limit="20m", zone="UTC"))
        await wait_for(lambda: h.engine.status().sitting_limit == 20 * MIN)
        assert h.engine.next_wake_at == START + 20 * MIN
        h.user_file.write_text(USER_TOML.format(limit="20m", zone="UTC") + "\nsitting_limt = 3\n")
        await wait_for(lambda: h.engine.status().config_warning is not None)
        status = h.engine.status()
        assert status.sitting_limit == 20 * MIN
        assert status.config_warning is not None and "sitting_limt" in status.config_warning
        assert "warning: configuration not applied" in status.one_line()
        h.user_file.write_text(USER_TOML.format(limit="30m", zone="UTC"))
        await wait_for(lambda: h.engine.status().sitting_limit == 30 * MIN)
        assert h.engine.status().config_warning is None

    run(body, tmp_path)


def test_snooze_survives_a_restart(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        await h.engine.handle_command(Snooze(30 * MIN))
        await h.settle()
        saved = json.loads(h.state_path.read_text())
        assert saved["snoozed_until"].startswith("2026-12-01T09:30")
        second = h.make_engine()  # the first never stopped cleanly: like a SIGKILL
        h.clock.advance(5 * MIN)
        h.timer = second.timer  # type: ignore[assignment]
        await second.start()
        try:
            assert second.status().state is SpellState.SNOOZED
            assert second.status().snoozed_until == START + 30 * MIN
        finally:
            await second.stop()

    run(body, tmp_path)


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_a_state_file_with_an_absurd_date_is_moved_aside(tmp_path: Path, year: str) -> None:
    """The honesty issue: year 1 or 9999 in spell_start crashed every start (OverflowError)."""
    state = tmp_path / "state.json"
    state.write_text(
        json.dumps({"version": 1, "spell_start": f"{year}-12-31T23:59:00+00:00"}), encoding="utf-8"
    )

    async def body(h: Harness) -> None:
        assert h.engine.status().state is SpellState.SITTING
        assert list(tmp_path.glob("state.json.corrupt-*"))
        await h.advance(50 * MIN)
        assert len(h.notifier.shown) == 1

    run(body, tmp_path)


def test_history_that_cannot_open_does_not_stop_prompts(tmp_path: Path) -> None:
    def broken() -> HistoryStore:
        raise OSError(30, "Read-only file system")

    async def body(h: Harness) -> None:
        await h.advance(50 * MIN)
        assert len(h.notifier.shown) == 1
        assert h.engine.status().today is None

    run(body, tmp_path, history=broken)


def test_a_hung_notifier_does_not_hold_the_engine(tmp_path: Path) -> None:
    async def body(h: Harness) -> None:
        release = asyncio.Event()

        async def hang(prompt: Any, on_action: Any) -> None:
            await release.wait()

        h.notifier.show = hang  # type: ignore[method-assign]
        await h.advance(50 * MIN)
        answer = await asyncio.wait_for(h.engine.handle_request({"cmd": "status"}), 1.0)
        assert answer["status"]["due"] is True
        release.set()

    run(body, tmp_path)
