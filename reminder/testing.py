"""Test doubles for every seam of the engine, shipped in the package like httpx's MockTransport.

- `RecordingEngine`: an EngineHandle that records commands (for tray tests).
- `RecordingNotifier`: a Notifier that records prompts and can press their buttons.
- `FunctionActivity`: an ActivitySource backed by a function of time, announcing what it
  is told to announce (`announce()` is what a real source's event would do).
- `ManualTimer`: the engine's wake-up timer, fired by hand when a ManualClock reaches it.
- `MemoryStateStore`: state.json in memory.
- `ManualClock` (reminder.service.clock): frozen time that moves when told, jumps announced.

Each is the same shape as the real part; tests of programs built on this one can use them.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from reminder.activity.base import NOTHING_PUSHED, ActivitySample, ChangeListener, Pushes
from reminder.core.model import Command, DayStats, PromptAction, SpellState, Status
from reminder.notify.base import ActionHandler, NotifierError, PromptMessage
from reminder.service.api import CommandResult, StatusListener
from reminder.service.clock import ManualClock


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
        self.announced: list[tuple[str, str]] = []
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

    def announce(self, title: str, body: str) -> None:
        with self._lock:
            self.announced.append((title, body))

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
        self.told: list[tuple[str, str]] = []
        self.closed = False

    async def show(self, prompt: PromptMessage, on_action: ActionHandler) -> None:
        self.attempts += 1
        if self.fail_with is not None:
            raise self.fail_with
        self.shown.append(prompt)
        self.actions.append(on_action)

    async def tell(self, title: str, body: str) -> None:
        self.told.append((title, body))

    async def close(self) -> None:
        self.closed = True

    def press(self, action: PromptAction) -> None:
        """Press a button on the latest prompt."""
        if not self.actions:
            raise NotifierError("no prompt was shown")
        self.actions[-1](action)


class FunctionActivity:
    """An ActivitySource whose samples come from `observe(now)`; `pushes` says what it
    announces, and `announce()` calls the engine back as a real source's event would.

    `queries` counts samples taken, so a test can assert that nothing was polled.
    """

    name = "function"

    def __init__(
        self,
        observe: Callable[[], ActivitySample] | None = None,
        *,
        pushes: Pushes = NOTHING_PUSHED,
    ) -> None:
        self.observe = observe or (lambda: ActivitySample(idle_for=timedelta(0)))
        self.pushes = pushes
        self.queries = 0
        self.threshold: timedelta | None = None
        self._on_change: ChangeListener | None = None

    async def start(self) -> None:
        return None

    async def sample(self) -> ActivitySample:
        self.queries += 1
        return self.observe()

    def watch(self, on_change: ChangeListener, idle_threshold: timedelta) -> Pushes:
        self._on_change, self.threshold = on_change, idle_threshold
        return self.pushes

    def announce(self) -> None:
        """Something changed: tell the engine (as an X alarm or a D-Bus signal would)."""
        if self._on_change is None:
            raise AssertionError("the engine never asked this source to watch")
        self._on_change()

    async def close(self) -> None:
        return None


class ManualTimer:
    """The engine's one wake-up, kept here until `fire_due` runs it (see `advance`)."""

    def __init__(self) -> None:
        self.next_at: datetime | None = None
        self.planned: list[datetime | None] = []
        self._wake: Callable[[], Awaitable[None]] | None = None

    def start(self, wake: Callable[[], Awaitable[None]]) -> None:
        self._wake = wake

    def wake_at(self, moment: datetime | None) -> None:
        self.next_at = moment
        self.planned.append(moment)

    def shutdown(self) -> None:
        self.next_at = None

    async def fire_due(self, now: datetime) -> bool:
        """Run the wake-up if it is due at `now`; True when it ran."""
        if self._wake is None or self.next_at is None or now < self.next_at:
            return False
        self.next_at = None
        await self._wake()
        return True

    async def advance(self, clock: ManualClock, by: timedelta) -> int:
        """Move `clock` by `by`, stopping at each planned wake-up to run it; returns the count."""
        end = clock.now() + by
        fired = 0
        while self.next_at is not None and self.next_at <= end:
            if self.next_at > clock.now():
                clock.advance(self.next_at - clock.now())
            fired += await self.fire_due(clock.now())
        if end > clock.now():
            clock.advance(end - clock.now())
        return fired


class MemoryStateStore:
    """state.json in memory; `discarded` records what a real store would move aside."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data = data
        self.saves = 0
        self.discarded: list[str] = []

    def load(self) -> dict[str, Any] | None:
        return self.data

    def save(self, data: dict[str, Any]) -> None:
        self.data = dict(data)
        self.saves += 1

    def discard(self, problem: str) -> None:
        self.discarded.append(problem)
        self.data = None
