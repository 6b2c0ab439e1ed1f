"""The engine: one asyncio loop that owns all state and drives the pure policy.

Threading rule: everything below runs on the engine's loop. Other threads (the
tray, notification callbacks) reach it only through the thread-safe
`EngineHandle` methods, which post to the loop and get immutable snapshots back.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import random
import sys
import webbrowser
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TextIO

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from reminder.activity.base import ActivitySource, PlainTimer
from reminder.configuration.loader import LoadedConfig, discover_layers, load_configuration
from reminder.configuration.model import Config
from reminder.core import policy
from reminder.core.model import (
    Command,
    DayStats,
    Pause,
    PromptAction,
    Resume,
    SetInterval,
    Snooze,
    Status,
    TakeBreak,
)
from reminder.core.schedule import local_day, local_instant
from reminder.durations import format_duration, parse_duration
from reminder.errors import ConfigError, ReminderError, UsageError
from reminder.notify.base import Notifier, PromptMessage
from reminder.service.api import CommandResult, StatusListener
from reminder.service.clock import Clock
from reminder.service.persist import state_from_json, state_to_json
from reminder.stretches import Stretch, StretchRotation

log = logging.getLogger(__name__)
LIMIT_KEY = "reminders.sitting_limit"
# Save the state when only the tick time moved at most this often.
TICK_SAVE_EVERY = timedelta(minutes=5)


class HistoryStore(Protocol):
    """Where prompts and breaks are recorded (SQLite in the real service)."""

    def record(
        self,
        kind: str,
        at: datetime,
        local_day: date,
        spell_s: int | None = None,
        detail: str | None = None,
    ) -> None: ...

    def day_stats(self, day: date) -> DayStats: ...

    def close(self) -> None: ...


class StateStore(Protocol):
    """Where the policy state survives restarts (state.json in the real service)."""

    def load(self) -> dict[str, Any] | None: ...

    def save(self, data: dict[str, Any]) -> None: ...


class ControlEndpoint(Protocol):
    async def start(
        self, endpoint: str, handler: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
    ) -> None: ...

    async def close(self) -> None: ...


@dataclass
class Adapters:
    """The engine's swappable parts."""

    clock: Clock
    notifier: Notifier
    activity_factory: Callable[[], Awaitable[ActivitySource]]
    catalog_loader: Callable[[str], tuple[Stretch, ...]]
    guide_uri: Callable[[str | None, str], str]
    history: HistoryStore | None = None
    state_store: StateStore | None = None
    control: ControlEndpoint | None = None
    control_endpoint: str | None = None
    rng: random.Random | None = None
    console: TextIO | None = None  # echo prompts here too (no tray / no desktop)
    open_url: Callable[[str], object] = webbrowser.open


class Engine:
    """Drives the policy from a scheduler and carries out its actions."""

    def __init__(
        self,
        loaded: LoadedConfig,
        adapters: Adapters,
        *,
        user_file: Path | None = None,
        config_loader: Callable[[Path | None], LoadedConfig] = load_configuration,
    ) -> None:
        self.loaded = loaded
        self.adapters = adapters
        self.user_file = user_file
        self._config_loader = config_loader
        self._state = policy.PolicyState()
        self._catalog = adapters.catalog_loader(loaded.config.stretches.file)
        self._rotation = StretchRotation(self._catalog, adapters.rng or random.Random())
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._stopping: asyncio.Event | None = None
        self._listeners: list[StatusListener] = []
        self._stopped_callbacks: list[Callable[[], None]] = []
        self._closed = False
        self._status: Status | None = None
        self._last_wall: datetime | None = None
        self._last_mono: float | None = None
        self._last_saved: policy.PolicyState | None = None
        self._config_signature: tuple[Any, ...] = self._signature()
        self._config_problem: str | None = None
        self._today_cache: DayStats | None = None
        self._ready = concurrent.futures.Future[None]()
        self.activity: ActivitySource = PlainTimer()

    # ------------------------------------------------------ thread-safe API

    def submit(self, command: Command) -> concurrent.futures.Future[CommandResult]:
        loop = self._require_loop()
        return asyncio.run_coroutine_threadsafe(self.handle_command(command), loop)

    def status(self) -> Status:
        if self._status is None:
            self._status = self._snapshot(self.adapters.clock.now())
        return self._status

    def add_listener(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def request_stop(self) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stopping.set)

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

    async def run(self) -> None:
        """Run until `request_stop`; the caller owns the loop."""
        try:
            await self.start()
        except BaseException as error:
            self._ready.set_exception(error)
            await self.stop()
            raise
        self._ready.set_result(None)
        assert self._stopping is not None
        try:
            await self._stopping.wait()
        finally:
            await self.stop()

    async def start(self, *, schedule: bool = True) -> None:
        """Start adapters and (with `schedule`) the sampling timer, then tick once.

        Tests start without the scheduler and call `step()` after moving a fake clock.
        """
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        await self._start(schedule)

    async def stop(self) -> None:
        """Stop the timer, save state, close adapters; then the on_stopped callbacks."""
        await self._shutdown()
        callbacks, self._stopped_callbacks = self._stopped_callbacks, []
        for callback in callbacks:
            callback()

    async def step(self) -> None:
        """Reload an edited configuration if any, sample activity and tick once."""
        await self._on_timer()

    async def _start(self, schedule: bool) -> None:
        adapters = self.adapters
        self._restore_state()
        try:
            self.activity = await adapters.activity_factory()
        except Exception as error:  # a broken source must not stop the service
            log.warning("activity detection failed to start (%s); using the plain timer", error)
        log.info("activity detection: %s", self.activity.name)
        if adapters.control is not None and adapters.control_endpoint is not None:
            await adapters.control.start(adapters.control_endpoint, self.handle_request)
        if not schedule:
            await self._sample_and_tick()
            return
        scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop())
        # coalesce=True: after a suspend the backlog of missed samples runs once, not
        # in a burst. misfire_grace_time=None: a late sample still runs (however late),
        # so a resume is noticed at once instead of being silently skipped, which is
        # what APScheduler's default of 1 s would do.
        scheduler.add_job(
            self._on_timer,
            "interval",
            seconds=self.loaded.config.activity.check_every.total_seconds(),
            id="sample",
            coalesce=True,
            misfire_grace_time=None,
            max_instances=1,
        )
        scheduler.start()
        self._scheduler = scheduler
        await self._sample_and_tick()

    async def _shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        self._save_state(force=True)
        for closer in (self.adapters.notifier.close, self.activity.close):
            try:
                await asyncio.wait_for(closer(), 1.0)
            except Exception as error:
                log.debug("closing %s failed: %s", closer, error)
        if self.adapters.control is not None:
            await self.adapters.control.close()
        if self.adapters.history is not None:
            self.adapters.history.close()

    # ---------------------------------------------------------------- ticks

    async def _on_timer(self) -> None:
        try:
            self._maybe_reload_config()
            await self._sample_and_tick()
        except Exception:  # a failing tick is logged and the next one tries again
            log.exception("tick failed")

    def _observe_clock(self) -> timedelta:
        clock = self.adapters.clock
        wall, mono = clock.now(), clock.monotonic()
        gap = timedelta(0)
        if self._last_wall is not None and self._last_mono is not None:
            gap = (wall - self._last_wall) - timedelta(seconds=mono - self._last_mono)
        elif self._state.last_tick_at is not None:  # first tick after a restart
            gap = wall - self._state.last_tick_at
        self._last_wall, self._last_mono = wall, mono
        return gap

    async def _sample_and_tick(self) -> None:
        try:
            sample = await asyncio.wait_for(self.activity.sample(), 5.0)
        except Exception as error:
            log.warning("activity sample failed (%s); counting you as present", error)
            sample = None
        gap = self._observe_clock()
        obs = policy.Observation(
            idle_for=sample.idle_for if sample else None,
            screen_locked=sample.screen_locked if sample else False,
            fullscreen=sample.fullscreen if sample else False,
            slept=sample.slept if sample else False,
            clock_gap=gap,
        )
        now = self.adapters.clock.now()
        step = policy.tick(self.loaded.config, self._state, obs, now)
        await self._apply(step, now)

    async def _apply(self, step: policy.Step, now: datetime) -> None:
        self._state = step.state
        for action in step.actions:
            await self._carry_out(action, now)
        self._save_state()
        self._schedule_next(now)
        self._publish(now)

    def _schedule_next(self, now: datetime) -> None:
        """A one-off wake-up at the next due moment, so prompts don't wait for a sample."""
        if self._scheduler is None:
            return
        upcoming = policy.next_change(self.loaded.config, self._state, now)
        if upcoming is None or upcoming - now > self.loaded.config.activity.check_every:
            if self._scheduler.get_job("due"):
                self._scheduler.remove_job("due")
            return
        self._scheduler.add_job(
            self._on_timer,
            "date",
            run_date=upcoming + timedelta(milliseconds=5),
            id="due",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )

    # -------------------------------------------------------------- actions

    async def _carry_out(self, action: policy.Action, now: datetime) -> None:
        day = local_day(self.loaded.config.schedule, now)
        history = self.adapters.history
        if isinstance(action, policy.PromptDue):
            await self._prompt(action)
            self._record("prompt", now, day, int(action.sitting_for.total_seconds()), None)
        elif isinstance(action, policy.SpellEnded):
            length = int(action.length.total_seconds())
            kind = "break_taken" if action.asked_by_user else "natural_break"
            if action.reason != "pause":
                self._record(kind, now, day, length, action.reason)
            self._record("spell", action.ended, day, length, action.reason)
            log.info("spell ended after %s (%s)", format_duration(action.length), action.reason)
        elif isinstance(action, policy.Snoozed):
            self._record("snooze", now, day, None, action.until.isoformat())
        elif isinstance(action, policy.Paused):
            self._record("pause", now, day, None, action.until.isoformat())
        elif isinstance(action, policy.PromptHeld):
            log.info("prompt held: a full-screen window is active")
        if history is not None:
            self._today_cache = None

    def _record(
        self, kind: str, at: datetime, day: date, spell_s: int | None, detail: str | None
    ) -> None:
        if self.adapters.history is None:
            return
        try:
            self.adapters.history.record(kind, at, day, spell_s, detail)
        except Exception as error:  # history must never stop a prompt
            log.warning("could not record %s in the history: %s", kind, error)

    async def _prompt(self, due: policy.PromptDue) -> None:
        config = self.loaded.config
        message = PromptMessage(
            stretch=self._rotation.next(),
            sitting_for=due.sitting_for,
            repeat=due.repeat,
            guide_location=self.adapters.guide_uri(None, config.guide.url),
            snooze=config.reminders.snooze_options[0],
        )
        log.info("prompt: %s", message.console_line())
        try:
            await self.adapters.notifier.show(message, self._on_notification_action)
        except Exception as error:  # the notifier chain should not raise; never crash on it
            log.warning("the prompt could not be shown (%s)", error)
        console = self.adapters.console
        shown_on_console = getattr(self.adapters.notifier, "last_used", None) == "console"
        if console is not None and not shown_on_console:
            print(message.console_line(), file=console, flush=True)

    def _on_notification_action(self, action: PromptAction) -> None:
        """Called from any thread by a notification button."""
        if action is PromptAction.DONE:
            self.submit(TakeBreak(source="notification"))
        elif action is PromptAction.SNOOZE:
            self.submit(Snooze())
        elif action is PromptAction.GUIDE:
            uri = self.adapters.guide_uri(None, self.loaded.config.guide.url)
            self._require_loop().call_soon_threadsafe(self.adapters.open_url, uri)

    # ------------------------------------------------------------- commands

    async def handle_command(self, command: Command) -> CommandResult:
        """Apply a user command; refusals come back as results, not exceptions."""
        now = self.adapters.clock.now()
        if isinstance(command, SetInterval):
            try:
                await self._set_interval(command.sitting_limit)
            except ReminderError as error:
                return CommandResult(
                    str(error), self.status(), error=str(error), exit_code=error.exit_code
                )
            limit = format_duration(self.loaded.config.reminders.sitting_limit)
            self._publish(now)
            return CommandResult(f"sitting limit set to {limit}", self.status())
        step = policy.apply_command(self.loaded.config, self._state, command, now)
        await self._apply(step, now)
        return CommandResult(self._describe(command), self.status())

    def _describe(self, command: Command) -> str:
        status = self.status()
        if isinstance(command, TakeBreak):
            return "Well done: a fresh sitting spell starts now"
        if isinstance(command, Snooze) and status.snoozed_until:
            return f"snoozed until {status.snoozed_until.astimezone():%H:%M:%S}"
        if isinstance(command, Pause) and status.paused_until:
            return f"paused until {status.paused_until.astimezone():%a %Y-%m-%d %H:%M}"
        if isinstance(command, Resume):
            return "resumed: " + status.one_line()
        return status.one_line()

    async def _set_interval(self, limit: timedelta) -> None:
        from reminder.configuration.writer import set_user_values

        target = self.user_file or _user_file_default()
        set_user_values(target, {LIMIT_KEY: format_duration(limit)}, locked=self.loaded.locked)
        self._maybe_reload_config(force=True)

    async def handle_request(self, request: dict[str, Any]) -> dict[str, Any]:
        """One control-endpoint request (JSON in, JSON out)."""
        try:
            command = _command_from_request(request, self.loaded.config, self.adapters.clock.now())
        except ReminderError as error:
            return {"ok": False, "error": str(error), "exit_code": error.exit_code}
        if command is None:
            status = self.status()
            return {"ok": True, "message": status.one_line(), "status": status.to_json()}
        result = await self.handle_command(command)
        if result.error is not None:
            return {"ok": False, "error": result.error, "exit_code": result.exit_code}
        return {"ok": True, "message": result.message, "status": result.status.to_json()}

    # ------------------------------------------------------- configuration

    def _signature(self) -> tuple[Any, ...]:
        signature: list[tuple[str, int | None, int | None]] = []
        for layer in discover_layers(self.user_file):
            try:
                stat = layer.path.stat()
                signature.append((str(layer.path), stat.st_mtime_ns, stat.st_size))
            except OSError:
                signature.append((str(layer.path), None, None))
        return tuple(signature)

    def _maybe_reload_config(self, *, force: bool = False) -> None:
        """Apply an edited configuration; keep the last good one on a bad edit."""
        signature = self._signature()
        if signature == self._config_signature and not force:
            return
        self._config_signature = signature
        try:
            loaded = self._config_loader(self.user_file)
            catalog = self.adapters.catalog_loader(loaded.config.stretches.file)
        except ConfigError as error:
            problem = f"configuration not applied, keeping the last good one: {error}"
            if problem != self._config_problem:
                log.warning("%s", problem)
            self._config_problem = problem
            self._publish(self.adapters.clock.now())
            return
        self._config_problem = None
        for warning in loaded.warnings:
            log.warning("%s", warning)
        old = self.loaded.config
        self.loaded = loaded
        if catalog != self._catalog:
            self._catalog = catalog
            self._rotation = StretchRotation(catalog, self.adapters.rng or random.Random())
        if (
            self._scheduler is not None
            and old.activity.check_every != loaded.config.activity.check_every
        ):
            self._scheduler.reschedule_job(
                "sample",
                trigger="interval",
                seconds=loaded.config.activity.check_every.total_seconds(),
            )
        log.info("configuration reloaded")

    # ------------------------------------------------------------- snapshots

    def _publish(self, now: datetime) -> None:
        self._status = self._snapshot(now)
        for listener in list(self._listeners):
            try:
                listener(self._status)
            except Exception:
                log.exception("status listener failed")

    def _today(self, now: datetime) -> DayStats | None:
        history = self.adapters.history
        if history is None:
            return None
        day = local_day(self.loaded.config.schedule, now)
        if self._today_cache is None or self._today_cache.day != day.isoformat():
            try:
                self._today_cache = history.day_stats(day)
            except Exception as error:
                log.warning("could not read today's history: %s", error)
                return None
        return self._today_cache

    def _snapshot(self, now: datetime) -> Status:
        config, state = self.loaded.config, self._state
        spell = policy.spell_state(config, state, now)
        return Status(
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
            today=self._today(now),
            config_warning=self._config_problem,
            pid=os.getpid(),
            extra={"notifier": self.adapters.notifier.name},
        )

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
        except (ValueError, TypeError) as error:
            log.warning("ignoring the saved state (%s); starting fresh", error)
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
                and self._state.last_tick_at - previous.last_tick_at < TICK_SAVE_EVERY
            )
            if same_but_tick and recent:
                return
        try:
            store.save(state_to_json(self._state))
            self._last_saved = self._state
        except OSError as error:
            log.warning("could not save the state: %s", error)


def _user_file_default() -> Path:
    from reminder.paths import user_config_file

    return user_config_file()


def _command_from_request(request: dict[str, Any], config: Config, now: datetime) -> Command | None:
    """Map a control request to a command (None for `status`)."""
    name = request.get("cmd")
    arg = request.get("arg")
    try:
        if name == "status":
            return None
        if name == "break":
            return TakeBreak()
        if name == "snooze":
            return Snooze(parse_duration(arg) if arg else None)
        if name == "resume":
            return Resume()
        if name == "pause":
            if arg in (None, "", "next_work_day"):
                return Pause("next_work_day")
            if arg == "tomorrow":
                return Pause("tomorrow")
            return Pause(next_local_time(config, str(arg), now))
        if name == "interval":
            return SetInterval(parse_duration(str(arg)))
    except ValueError as error:
        raise UsageError(str(error)) from None
    raise UsageError(f"unknown request {name!r}")


def default_console() -> TextIO:
    return sys.stdout


def next_local_time(config: Config, hhmm: str, now: datetime) -> datetime:
    """The next instant showing `hhmm` on the wall clock of the configured zone."""
    try:
        hours, minutes = (int(part) for part in hhmm.split(":"))
    except ValueError:
        raise ValueError(f'expected a time "HH:MM" or "tomorrow", found "{hhmm}"') from None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(f'expected a time "HH:MM" or "tomorrow", found "{hhmm}"')
    day = local_day(config.schedule, now)
    candidate = local_instant(config.schedule, day, hours * 60 + minutes)
    if candidate <= now:
        candidate = local_instant(config.schedule, day + timedelta(days=1), hours * 60 + minutes)
    return candidate
