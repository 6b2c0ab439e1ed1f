"""Recording fakes for tests: an engine handle and a notifier that remember what they got.

Like httpx's MockTransport, they live in the package so that every adapter's tests
(and the tests of programs built on this one) use the same, checked fakes.
"""

from __future__ import annotations

import concurrent.futures
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from reminder.core.model import Command, DayStats, PromptAction, SpellState, Status
from reminder.notify.base import ActionHandler, NotifierError, PromptMessage
from reminder.service.api import CommandResult, StatusListener


def sample_status(**changes: Any) -> Status:
    """A plausible snapshot (sitting 20 minutes of a 50-minute limit) with `changes` applied."""
    now = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
    base = Status(
        state=SpellState.SITTING,
        now=now,
        sitting_for=timedelta(minutes=20),
        next_prompt_at=now + timedelta(minutes=30),
        snoozed_until=None,
        paused_until=None,
        sitting_limit=timedelta(minutes=50),
        activity_detection="x11",
        snooze_options=(timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=1)),
        today=DayStats(day="2026-11-25", breaks_taken=2, longest_spell_s=47 * 60),
    )
    return replace(base, **changes)


class RecordingEngine:
    """An `EngineHandle` that records commands instead of running an engine.

    `submit` appends the command to `commands` and resolves at once with a
    `CommandResult` holding `current` (set it, or call `publish`, to change what
    `status()` and listeners see). Safe to call from any thread, like the real one.
    """

    def __init__(self, status: Status | None = None) -> None:
        self.current = status if status is not None else sample_status()
        self.commands: list[Command] = []
        self.stop_requested = threading.Event()
        self._listeners: list[StatusListener] = []
        self._lock = threading.Lock()
        self._submitted = threading.Condition(self._lock)

    def submit(self, command: Command) -> concurrent.futures.Future[CommandResult]:
        with self._lock:
            self.commands.append(command)
            self._submitted.notify_all()
        future: concurrent.futures.Future[CommandResult] = concurrent.futures.Future()
        future.set_result(CommandResult(message=f"recorded {command!r}", status=self.current))
        return future

    def status(self) -> Status:
        return self.current

    def add_listener(self, listener: StatusListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def request_stop(self) -> None:
        self.stop_requested.set()

    # ---------------------------------------------------------- test helpers

    def publish(self, status: Status) -> None:
        """Make `status` current and hand it to every listener, as the engine would."""
        self.current = status
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(status)

    def wait_for_command(self, timeout: float = 5.0) -> Command:
        """The first recorded command, waiting up to `timeout` seconds for one."""
        with self._submitted:
            if not self._submitted.wait_for(lambda: bool(self.commands), timeout):
                raise AssertionError(f"no command was submitted within {timeout}s")
            return self.commands[0]


class RecordingNotifier:
    """A `Notifier` that records prompts; set `fail_with` to make `show` raise it.

    `actions` keeps each prompt's `on_action`, so a test can press a button:
    `notifier.press(PromptAction.DONE)`.
    """

    def __init__(self, name: str = "recording", *, fail_with: Exception | None = None) -> None:
        self.name = name
        self.fail_with = fail_with
        self.shown: list[PromptMessage] = []
        self.attempts = 0
        self.actions: list[ActionHandler] = []
        self.closed = False

    async def show(self, prompt: PromptMessage, on_action: ActionHandler) -> None:
        self.attempts += 1
        if self.fail_with is not None:
            raise self.fail_with
        self.shown.append(prompt)
        self.actions.append(on_action)

    async def close(self) -> None:
        self.closed = True

    def press(self, action: PromptAction) -> None:
        """Press a button on the latest prompt."""
        if not self.actions:
            raise NotifierError("no prompt was shown")
        self.actions[-1](action)
