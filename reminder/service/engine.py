"""The engine: one asyncio loop that owns all state and drives the pure policy.

It sleeps until the next moment that can matter and no longer: the policy's
next change (a prompt due, a snooze or pause ending, work starting or ending),
an announcement from an activity or call source (idle threshold crossed, input
back, screen locked, a call starting or ending), a configuration file changing,
the wall clock jumping, a command. Each wake-up observes the desktop once, calls
`policy.drive` (the one driving function) and carries out its actions; slow
work happens elsewhere: prompts are shown in tasks of their own (`Prompter`),
every disk write, history query and configuration read on the writer thread or
an executor.

The concerns live in their own modules: driving and lifecycle here; carrying
out actions in `actions`; control requests and their wording in `requests`;
configuration watching in `config_watch`; persistence in `writer`; time in
`clock` (also the one suspend and clock-jump detector, with the gap between
wall and monotonic progress measured here on every wake-up).

Threading rule: everything below runs on the engine's loop. Other threads (the
pystray tray, notification callbacks) reach it only through the thread-safe
`EngineHandle` methods (`submit`, `status`, `add_listener`, `request_stop`),
which post to the loop and hand back immutable `Status` snapshots.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import random
import webbrowser
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, Protocol, TextIO

from reminder import paths
from reminder.activity.base import (
    NOTHING_PUSHED,
    ActivitySample,
    ActivitySource,
    PlainTimer,
    Pushes,
)
from reminder.calls.base import NO_CALL, CallState
from reminder.configuration.loader import LoadedConfig, discover_layers, load_configuration
from reminder.configuration.model import Config
from reminder.configuration.values import local_zone
from reminder.core import policy
from reminder.core.model import (
    Command,
    DayStats,
    Pause,
    PromptAction,
    RefusableCommand,
    Resume,
    SetInterval,
    Snooze,
    SpellState,
    Status,
    TakeBreak,
)
from reminder.core.schedule import local_day, next_work_start
from reminder.errors import ConfigError, ReminderError
from reminder.notify.base import Notifier
from reminder.service.actions import HistoryRow, Prompter, history_rows, log_action
from reminder.service.api import CommandResult, StatusListener
from reminder.service.clock import Clock
from reminder.service.config_watch import ConfigWatcher
from reminder.service.persist import state_from_json, state_to_json
from reminder.service.requests import (
    command_from_request,
    confirmation,
    refusable,
    refusal_text,
)
from reminder.service.writer import Writer
from reminder.stretches import Stretch

log = logging.getLogger(__name__)
LIMIT_KEY = "reminders.sitting_limit"
SAVE_TICK_EVERY = timedelta(minutes=5)  # save when only the observation time moved
SAMPLE_TIMEOUT_S = 2.0
CONFIG_READ_TIMEOUT_S = 5.0
WAKE_SLACK = timedelta(milliseconds=5)  # wake a hair after a due moment, never before it
REFUSABLE: tuple[RefusableCommand, ...] = ("snooze", "break", "pause", "resume")


class HistoryStore(Protocol):
    """Where prompts and breaks are recorded (SQLite in the real service).

    Threading rule: called on the writer thread only.
    """

    def record(
        self,
        kind: str,
        at: datetime,
        local_day: date,
        spell_s: int | None = None,
        detail: str | None = None,
        prompts: int | None = None,
    ) -> None: ...

    def day_stats(
        self,
        day: date,
        *,
        current_spell: tuple[datetime, datetime] | None = None,
        zone: tzinfo | None = None,
    ) -> DayStats: ...

    def close(self) -> None: ...


class StateStore(Protocol):
    """Where the policy state survives restarts (state.json in the real service).

    Threading rule: `load` and `discard` at start-up, `save` on the writer thread.
    """

    def load(self) -> dict[str, Any] | None: ...

    def save(self, data: dict[str, Any]) -> None: ...

    def discard(self, problem: str) -> None:
        """Move an implausible saved state out of the way (never delete it)."""


class ControlEndpoint(Protocol):
    async def start(
        self, endpoint: str, handler: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
    ) -> None: ...

    async def close(self) -> None: ...


class CallWatch(Protocol):
    """The call and Do Not Disturb sources together (reminder.calls.detect.CallDetectors)."""

    @property
    def names(self) -> Sequence[str]: ...

    @property
    def needs_asking(self) -> bool: ...

    async def start(self, on_change: Callable[[], None]) -> None: ...

    async def state(self) -> CallState: ...

    async def close(self) -> None: ...


class WakeTimer(Protocol):
    """The one pending wake-up of the engine (APScheduler in the service)."""

    def start(self, wake: Callable[[], Awaitable[None]]) -> None: ...

    def wake_at(self, moment: datetime | None) -> None:
        """Replace the pending wake-up (None: no wake-up until something announces one)."""

    def shutdown(self) -> None: ...


class SchedulerTimer:
    """The engine's wake-up as an APScheduler date job on the engine loop.

    One job, replaced at each plan: `coalesce` (a backlog after a suspend runs once)
    and `misfire_grace_time=None` (a late wake-up still runs, however late: the
    default of 1 s would silently skip the one after a resume).
    """

    def __init__(self) -> None:
        self._scheduler: Any = None
        self._wake: Callable[[], Awaitable[None]] | None = None

    def start(self, wake: Callable[[], Awaitable[None]]) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self._wake = wake
        self._scheduler = AsyncIOScheduler(
            event_loop=asyncio.get_running_loop(), timezone=timezone.utc
        )
        self._scheduler.start()

    def wake_at(self, moment: datetime | None) -> None:
        scheduler = self._scheduler
        if scheduler is None or not scheduler.running:
            return
        if moment is None:
            if scheduler.get_job("wake") is not None:
                scheduler.remove_job("wake")
            return
        scheduler.add_job(
            self._wake,
            "date",
            run_date=moment + WAKE_SLACK,
            id="wake",
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=None,
            max_instances=1,
        )

    def shutdown(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)


CatalogLoader = Callable[[Config], tuple[Stretch, ...]]


@dataclass
class Adapters:
    """The engine's swappable parts (reminder/testing.py has a double for each)."""

    clock: Clock
    notifier: Notifier
    activity_factory: Callable[[], Awaitable[ActivitySource]]
    catalog_loader: CatalogLoader
    guide_uri: Callable[[str | None, str], str]
    history_factory: Callable[[], HistoryStore] | None = None
    state_store: StateStore | None = None
    control: ControlEndpoint | None = None
    control_endpoint: str | None = None
    calls_factory: Callable[[], Awaitable[CallWatch]] | None = None
    timer: WakeTimer | None = None  # None: APScheduler
    rng: random.Random | None = None
    console: TextIO | None = None  # echo prompts here too (no tray / no desktop)
    open_url: Callable[[str], bool] = webbrowser.open
    watch_config: bool = True
    config_loader: Callable[[Path | None], LoadedConfig] = load_configuration


class Engine:
    """Drives the policy from announcements and one timer, and carries out its actions."""

    def __init__(self, loaded: LoadedConfig, adapters: Adapters, *, user_file: Path | None = None):
        self.loaded = loaded
        self.adapters = adapters
        self.user_file = user_file
        self.clock = adapters.clock
        self.writer = Writer()
        self.timer: WakeTimer = adapters.timer or SchedulerTimer()
        self.prompter = Prompter(
            adapters.notifier,
            adapters.catalog_loader(loaded.config),
            rng=adapters.rng or random.Random(),
            guide_uri=adapters.guide_uri,
            on_button=self._on_button,
            console=adapters.console,
        )
        self.activity: ActivitySource = PlainTimer()
        self.calls: CallWatch | None = None
        self.history: HistoryStore | None = None
        self._state = policy.PolicyState()
        self._last_saved: policy.PolicyState | None = None
        self._last_obs = policy.Observation()
        self._polling = policy.Polling()
        self._pushes: Pushes = NOTHING_PUSHED
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._poke_pending = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._listeners: list[StatusListener] = []
        self._stopped_callbacks: list[Callable[[], None]] = []
        self._closed = False
        self._status: Status | None = None
        self._last_wall: datetime | None = None
        self._last_mono: float | None = None
        self._config_problem: str | None = None
        self._today: DayStats | None = None
        self._failing: set[str] = set()
        self._watcher: ConfigWatcher | None = None
        self.next_wake_at: datetime | None = None
        self.wakes = 0  # observations made (the benchmarks and tests count them)
        self._ready = concurrent.futures.Future[None]()

    # ------------------------------------------------------ thread-safe API

    def submit(self, command: Command) -> concurrent.futures.Future[CommandResult]:
        loop = self._require_loop()
        return asyncio.run_coroutine_threadsafe(self.handle_command(command), loop)

    def status(self) -> Status:
        if self._status is None:
            self._status = self._snapshot(self.clock.now())
        return self._status

    def add_listener(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def request_stop(self) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stopping.set)

    def announce(self, title: str, body: str) -> None:
        """Thread-safe: show a plain message through the notifier chain (and the log)."""
        log.warning("%s: %s", title, body)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        notifier = self.prompter.notifier
        loop.call_soon_threadsafe(lambda: self._spawn(notifier.tell(title, body), "show a message"))

    def on_stopped(self, callback: Callable[[], None]) -> None:
        """Call `callback` (on the engine thread) once the engine has stopped."""
        self._stopped_callbacks.append(callback)

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until the engine runs (or raise what stopped it from starting)."""
        self._ready.result(timeout)

    def _require_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("the engine is not running")
        return self._loop

    # ------------------------------------------------------------ lifecycle

    async def run(self, on_ready: Callable[[], None] | None = None) -> None:
        """Run until `request_stop`; the caller owns the loop. `on_ready` is called once
        the engine answers on its control endpoint."""
        try:
            await self.start()
        except BaseException as error:
            self._ready.set_exception(error)
            await self.stop()
            raise
        self._ready.set_result(None)
        if on_ready is not None:
            on_ready()
        assert self._stopping is not None
        try:
            await self._stopping.wait()
        finally:
            await self.stop()

    async def start(self) -> None:
        """Open the history, restore state, start the sources, the watchers and the timer,
        then observe once."""
        adapters = self.adapters
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._restore_state()
        if adapters.history_factory is not None:
            try:
                self.history = await self.writer.run("open the history", adapters.history_factory)
            except Exception as error:  # history is not vital: prompts go on without it
                log.warning("running without a history: %s", error)
        try:
            self.activity = await adapters.activity_factory()
        except Exception as error:  # a broken source must not stop the service
            log.warning("activity detection failed to start (%s); using the plain timer", error)
        log.info("activity detection: %s", self.activity.name)
        self._watch_activity()
        if adapters.calls_factory is not None:
            try:
                self.calls = await adapters.calls_factory()
                await self.calls.start(lambda: self._poke("call"))
            except Exception as error:
                log.warning("call detection failed to start (%s); prompts do not wait", error)
                self.calls = None
        self._update_polling()
        self.clock.watch_jumps(lambda: self._poke("clock"))
        if adapters.watch_config:
            self._watcher = ConfigWatcher(lambda: self._spawn(self._reload(), "reload"))
            kind = self._watcher.start(self._config_paths())
            log.info("configuration watched by %s", kind)
        self.timer.start(self._on_timer)
        await self.wake("start")  # before the endpoint opens: no status before the first look
        self._refresh_today()
        if adapters.control is not None and adapters.control_endpoint is not None:
            await adapters.control.start(adapters.control_endpoint, self.handle_request)

    async def stop(self) -> None:
        """Stop the timer and watchers, save the state, close every adapter; then the
        on_stopped callbacks. Never raises: each failure is logged."""
        if self._closed:
            return
        self._closed = True
        self.timer.shutdown()
        if self._watcher is not None:
            self._watcher.close()
        self.clock.close()
        for task in set(self._tasks):
            task.cancel()
        if self._state.held_for is not None:  # the hold so far, so the history is whole
            now = self.clock.now()
            held = policy.HoldEnded(self._state.held_for, now - (self._state.held_since or now))
            self._record(history_rows(held, now, local_day(self.loaded.config.schedule, now)))
        self._save_state(force=True)
        await self.prompter.close()
        for name, closer in (
            ("activity detection", self.activity.close),
            ("call detection", self.calls.close if self.calls else None),
            ("control endpoint", self.adapters.control.close if self.adapters.control else None),
        ):
            if closer is None:
                continue
            try:
                await asyncio.wait_for(closer(), 2.0)
            except Exception as error:
                log.debug("closing %s failed: %r", name, error)
        if self.history is not None:
            self.writer.submit("close the history", self.history.close)
        self.writer.close()
        callbacks, self._stopped_callbacks = self._stopped_callbacks, []
        for callback in callbacks:
            callback()

    # -------------------------------------------------------------- driving

    async def wake(self, reason: str = "asked") -> None:
        """Observe the desktop now, drive the policy once, carry out and plan the next wake."""
        async with self._lock:
            obs = await self._observe()
            now = self.clock.now()
            result = policy.drive(self.loaded.config, self._state, obs, now, self._polling)
            self._last_obs = obs
            self.wakes += 1
            log.debug("wake (%s): next at %s", reason, result.wake_at)
            self._settle(result.state, result.actions, now)
            self._plan(result.wake_at)

    async def _on_timer(self) -> None:
        try:
            await self.wake("timer")
        except Exception:  # one failed wake is logged; the next one tries again
            self._wake_failed("timer")

    def _poke(self, reason: str) -> None:
        """An announcement (activity, call, clock jump): wake once, soon, on the loop."""
        if self._poke_pending or self._closed:
            return
        self._poke_pending = True

        async def poked() -> None:
            self._poke_pending = False
            await self.wake(reason)

        self._spawn(poked(), reason)

    def _spawn(self, work: Coroutine[Any, Any, None], what: str) -> None:
        """Run `work` as a task of the engine; a failure is logged and a wake-up planned."""
        loop = self._loop
        if loop is None or loop.is_closed() or self._closed:
            work.close()  # the engine is gone: nothing to do any more
            return
        task = loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._task_done(done, what))

    def _task_done(self, task: asyncio.Task[Any], what: str) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("%s failed", what, exc_info=error)
            self._wake_failed(what)

    def _wake_failed(self, what: str) -> None:
        if what == "timer":
            log.exception("the scheduled wake-up failed")
        if not self._closed:
            self._plan(self.clock.now() + self.loaded.config.activity.check_every)

    def _plan(self, moment: datetime | None) -> None:
        self.next_wake_at = moment
        self.timer.wake_at(moment)

    async def _observe(self) -> policy.Observation:
        sample: ActivitySample | None = None
        try:
            sample = await asyncio.wait_for(self.activity.sample(), SAMPLE_TIMEOUT_S)
            self._recovered("activity sample")
        except Exception as error:
            self._failed("activity sample", f"{error!r}; counting you as present")
        call_state = NO_CALL
        if self.calls is not None:
            try:
                call_state = await asyncio.wait_for(self.calls.state(), SAMPLE_TIMEOUT_S)
                self._recovered("call detection")
            except Exception as error:
                self._failed("call detection", f"{error!r}; counting no call")
        return policy.Observation(
            idle_for=sample.idle_for if sample else None,
            screen_locked=sample.screen_locked if sample else False,
            fullscreen=sample.fullscreen if sample else False,
            slept=sample.slept if sample else False,
            clock_gap=self._clock_gap(),
            in_call=call_state.in_call,
            dnd=call_state.dnd,
        )

    def _clock_gap(self) -> timedelta:
        """Wall-clock progress minus monotonic progress since the last observation: the one
        suspend and clock-jump detector (the monotonic clock stands still in a suspend)."""
        wall, mono = self.clock.now(), self.clock.monotonic()
        gap = timedelta(0)
        if self._last_wall is not None and self._last_mono is not None:
            gap = (wall - self._last_wall) - timedelta(seconds=mono - self._last_mono)
        elif self._state.last_tick_at is not None:  # first observation after a restart
            gap = wall - self._state.last_tick_at
        self._last_wall, self._last_mono = wall, mono
        return gap

    def _failed(self, what: str, detail: str) -> None:
        if what not in self._failing:
            self._failing.add(what)
            log.warning("%s failed: %s", what, detail)

    def _recovered(self, what: str) -> None:
        if what in self._failing:
            self._failing.discard(what)
            log.info("%s works again", what)

    def _watch_activity(self) -> None:
        threshold = self.loaded.config.activity.break_after_idle
        try:
            self._pushes = self.activity.watch(lambda: self._poke("activity"), threshold)
        except Exception as error:
            log.warning("activity source %s cannot announce changes: %r", self.activity.name, error)
            self._pushes = NOTHING_PUSHED
        self._update_polling()

    def _update_polling(self) -> None:
        self._polling = policy.Polling(
            idle=not self._pushes.idle,
            fullscreen=not self._pushes.fullscreen,
            calls=bool(self.calls and self.calls.needs_asking),
        )

    # -------------------------------------------------------------- actions

    def _settle(
        self, state: policy.PolicyState, actions: tuple[policy.Action, ...], now: datetime
    ) -> None:
        """Adopt `state`, carry out `actions`, save, and publish the new snapshot."""
        self._state = state
        config = self.loaded.config
        day = local_day(config.schedule, now)
        rows: list[HistoryRow] = []
        for action in actions:
            log_action(action)
            rows += history_rows(action, now, day)
            if isinstance(action, policy.PromptDue):
                self.prompter.show(action, config)
        if rows:
            self._record(rows)
        self._save_state()
        self._publish(now)
        self._refresh_today()

    def _record(self, rows: list[HistoryRow]) -> None:
        history = self.history
        if history is None:
            return

        def write() -> None:
            for row in rows:
                history.record(
                    row.kind, row.at, row.local_day, row.spell_s, row.detail, row.prompts
                )

        self.writer.submit("record the history", write)

    def _refresh_today(self) -> None:
        """Re-read today's numbers on the writer thread; publish when they arrive."""
        history, loop = self.history, self._loop
        if history is None or loop is None:
            return
        now = self.clock.now()
        schedule = self.loaded.config.schedule
        spell = None if self._state.spell_start is None else (self._state.spell_start, now)
        future = self.writer.submit(
            "read today's history",
            history.day_stats,
            local_day(schedule, now),
            current_spell=spell,
            zone=schedule.zone,
        )

        def arrived(done: concurrent.futures.Future[DayStats]) -> None:
            if done.cancelled() or done.exception() is not None:
                return
            stats = done.result()
            loop.call_soon_threadsafe(self._today_arrived, stats)

        future.add_done_callback(arrived)

    def _today_arrived(self, stats: DayStats) -> None:
        if stats != self._today and not self._closed:
            self._today = stats
            self._publish(self.clock.now())

    def _on_button(self, action: PromptAction) -> None:
        """A notification button, called from any thread."""
        if action is PromptAction.DONE:
            self._submit_logged(TakeBreak(source="notification"), "Done")
        elif action is PromptAction.SNOOZE:
            self._submit_logged(Snooze(), "Snooze")
        elif action is PromptAction.GUIDE:
            uri = self.adapters.guide_uri(None, self.status().guide_url)  # the snapshot's
            self._require_loop().call_soon_threadsafe(
                lambda: self._spawn(self._open(uri, "the guide"), "open the guide")
            )

    def _submit_logged(self, command: Command, button: str) -> None:
        future = self.submit(command)

        def done(result: concurrent.futures.Future[CommandResult]) -> None:
            try:
                answer = result.result()
            except Exception:
                log.exception("the %s button failed", button)
                return
            if answer.error:
                log.warning("the %s button did nothing: %s", button, answer.error)

        future.add_done_callback(done)

    async def _open(self, address: str, what: str) -> None:
        """Open an address in the browser off the loop; say where it is when that fails."""
        try:
            opened = await asyncio.to_thread(self.adapters.open_url, address)
        except Exception as error:  # webbrowser raises for broken BROWSER settings
            log.warning("the browser failed for %s: %s", what, error)
            opened = False
        if not opened:
            self.announce(f"No web browser could open {what}", f"Open it yourself: {address}")

    # ------------------------------------------------------------- commands

    async def handle_command(self, command: Command) -> CommandResult:
        """Apply a user command; refusals come back as results, not exceptions."""
        async with self._lock:
            now = self.clock.now()
            name = refusable(command)
            refused = policy.refusal(self.loaded.config, self._state, command, now)
            if refused is not None and name is not None:
                text = refusal_text(name, refused, self._snapshot(now))
                return CommandResult(text, self.status(), error=text, exit_code=2)
            if isinstance(command, SetInterval):
                return await self._set_interval(command.sitting_limit)
            step = policy.apply_command(self.loaded.config, self._state, command, now)
            self._settle(step.state, step.actions, now)
            config = self.loaded.config
            self._plan(policy.next_moment(config, self._state, self._last_obs, now, self._polling))
            return CommandResult(confirmation(command, self.status()), self.status())

    async def _set_interval(self, limit: timedelta) -> CommandResult:
        from reminder.configuration.writer import set_user_values
        from reminder.durations import format_duration

        target = self.user_file or paths.user_config_file()
        try:
            await self.writer.run(
                "write the sitting limit",
                set_user_values,
                target,
                {LIMIT_KEY: format_duration(limit)},
                locked=self.loaded.locked,
            )
        except ReminderError as error:
            return CommandResult(
                str(error), self.status(), error=str(error), exit_code=error.exit_code
            )
        except OSError as error:
            text = f"could not write {target}: {error.strerror or error}"
            return CommandResult(text, self.status(), error=text, exit_code=1)
        await self._apply_reload()
        return CommandResult(confirmation(SetInterval(limit), self.status()), self.status())

    async def handle_request(self, request: dict[str, Any]) -> dict[str, Any]:
        """One control-endpoint request (JSON in, JSON out)."""
        try:
            if request.get("cmd") == "reload":
                await self._reload()
                status = self.status()
                return {
                    "ok": True,
                    "message": "configuration read again",
                    "status": status.to_json(),
                }
            command = command_from_request(request, self.loaded.config, self.clock.now())
        except ReminderError as error:
            return {"ok": False, "error": str(error), "exit_code": error.exit_code}
        if command is None:
            status = self._snapshot(self.clock.now())
            return {"ok": True, "message": status.one_line(), "status": status.to_json()}
        result = await self.handle_command(command)
        if result.error is not None:
            return {"ok": False, "error": result.error, "exit_code": result.exit_code}
        return {"ok": True, "message": result.message, "status": result.status.to_json()}

    # ------------------------------------------------------- configuration

    def _config_paths(self) -> list[Path]:
        """Every file in effect and every place one could appear (for the watcher)."""
        watched = [layer.path for layer in discover_layers(self.user_file)]
        watched.append((self.user_file or paths.user_config_file()).parent)
        for folder in paths.site_config_dirs():
            watched += [folder, folder / paths.DROP_IN_DIR_NAME]
        override = paths.managed_override()
        if override is not None:
            watched.append(override)
        catalog = self.loaded.config.stretches.file
        if catalog:
            watched.append(Path(catalog).expanduser())
        return watched

    async def _reload(self) -> None:
        async with self._lock:
            await self._apply_reload()

    async def _apply_reload(self) -> None:
        """Read the configuration again (off the loop); keep the last good one on a bad edit."""
        loader = self.adapters.config_loader
        try:
            loaded = await asyncio.wait_for(
                asyncio.to_thread(loader, self.user_file), CONFIG_READ_TIMEOUT_S
            )
            catalog = await asyncio.to_thread(self.adapters.catalog_loader, loaded.config)
        except ConfigError as error:
            self._config_trouble(f"configuration not applied, keeping the last good one: {error}")
            return
        except asyncio.TimeoutError:
            self._config_trouble(
                f"the configuration files did not answer within {CONFIG_READ_TIMEOUT_S:g}s "
                "(a network share?); keeping the last good one"
            )
            return
        had_problem, self._config_problem = self._config_problem, None
        same = (loaded.raw, loaded.locked, loaded.notes) == (
            self.loaded.raw,
            self.loaded.locked,
            self.loaded.notes,
        )
        if same and catalog == self.prompter.catalog and not had_problem:
            return  # an edit that changes nothing (a save without changes, a touch)
        for warning in loaded.warnings:
            log.warning("%s", warning)
        old = self.loaded.config
        self.loaded = loaded
        self.prompter.use_catalog(catalog)
        if self._watcher is not None:
            self._watcher.update(self._config_paths())
        if old.activity.break_after_idle != loaded.config.activity.break_after_idle:
            self._watch_activity()
        log.info("configuration read again")
        now = self.clock.now()
        config = loaded.config
        self._plan(policy.next_moment(config, self._state, self._last_obs, now, self._polling))
        self._publish(now)
        self._poke("configuration")  # observe with the new configuration (a prompt may be due)

    def _config_trouble(self, problem: str) -> None:
        if problem != self._config_problem:
            log.warning("%s", problem)
        self._config_problem = problem
        self._publish(self.clock.now())

    # ------------------------------------------------------------- snapshots

    def _publish(self, now: datetime) -> None:
        self._status = self._snapshot(now)
        for listener in list(self._listeners):
            try:
                listener(self._status)
            except Exception:
                log.exception("status listener failed")

    def _zone_label(self, config: Config, now: datetime) -> str:
        """ "Asia/Tokyo" when the configured zone is not the computer's, else ""."""
        schedule = config.schedule
        if schedule.timezone == "local":
            return ""
        system = now.astimezone(local_zone()).utcoffset()
        same = now.astimezone(schedule.zone).utcoffset() == system
        return "" if same else schedule.timezone

    def _snapshot(self, now: datetime) -> Status:
        config, state = self.loaded.config, self._state
        spell = policy.spell_state(config, state, now)
        resumes = None
        if spell is SpellState.PAUSED:
            resumes = state.paused_until
        elif spell is SpellState.OFF_HOURS:
            resumes = next_work_start(config.schedule, now)
        status = Status(
            state=spell,
            now=now,
            sitting_for=policy.sitting_for(state, now),
            next_prompt_at=policy.next_prompt_at(config, state, now),
            snoozed_until=state.snoozed_until
            if state.snoozed_until and now < state.snoozed_until
            else None,
            paused_until=state.paused_until
            if state.paused_until and now < state.paused_until
            else None,
            sitting_limit=config.reminders.sitting_limit,
            activity_detection=self.activity.name,
            snooze_options=config.reminders.snooze_options,
            interval_locked_by=self.loaded.locked_by(LIMIT_KEY),
            today=self._today,
            config_warning=self._config_problem,
            pid=os.getpid(),
            extra={"notifier": self.prompter.notifier.name},
            zone=config.schedule.zone,
            zone_label=self._zone_label(config, now),
            spell_started_at=state.spell_start,
            tracking_resumes_at=resumes,
            held_for=state.held_for,
            held_since=state.held_since,
            call_detection=tuple(self.calls.names) if self.calls else (),
            locked=dict(self.loaded.locked),
            notes=self.loaded.notes,
            guide_url=config.guide.url,
            day_off=local_day(config.schedule, now) in config.schedule.days_off,
        )
        refusals: dict[RefusableCommand, str] = {}
        commands: dict[RefusableCommand, Command] = {
            "snooze": Snooze(),
            "break": TakeBreak(),
            "pause": Pause("next_work_day"),
            "resume": Resume(),
        }
        for name, command in commands.items():
            refused = policy.refusal(config, state, command, now)
            if refused is not None:
                refusals[name] = refusal_text(name, refused, status)
        return replace(status, refusals=refusals)

    # ----------------------------------------------------------------- state

    def _restore_state(self) -> None:
        store = self.adapters.state_store
        if store is None:
            return
        data = store.load()
        if data is None:
            return
        try:
            self._state = state_from_json(data)
        except (ValueError, TypeError, OverflowError) as error:
            store.discard(f"does not hold a state this service wrote ({error})")
            self._state = policy.PolicyState()
        self._last_saved = self._state

    def _save_state(self, *, force: bool = False) -> None:
        store = self.adapters.state_store
        if store is None:
            return
        previous = self._last_saved
        if not force and previous is not None:
            same_but_tick = replace(previous, last_tick_at=self._state.last_tick_at) == self._state
            recent = (
                previous.last_tick_at is not None
                and self._state.last_tick_at is not None
                and self._state.last_tick_at - previous.last_tick_at < SAVE_TICK_EVERY
            )
            if same_but_tick and recent:
                return
        self._last_saved = self._state
        self.writer.submit("save the state", store.save, state_to_json(self._state))
