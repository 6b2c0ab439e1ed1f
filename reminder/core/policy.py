"""The sitting-spell policy: a pure function of (config, state, observation, now).

Nothing here reads a clock, sleeps, starts threads or does I/O. The shell
samples activity, calls `tick` (or `apply_command`) with the current instant,
and carries out the returned actions: show a prompt, record history, save state.

Time is handled as timezone-aware UTC instants; only work hours are local.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Literal

from reminder.configuration.model import Config
from reminder.core.model import (
    Command,
    Pause,
    Resume,
    SetInterval,
    Snooze,
    SpellState,
    TakeBreak,
)
from reminder.core.schedule import (
    local_day,
    local_instant,
    next_boundary,
    next_work_start,
    work_span_at,
)

UTC = timezone.utc
# A wall clock that runs behind the monotonic clock by more than this jumped back.
BACKWARD_JUMP_TOLERANCE = timedelta(seconds=2)

BreakReason = Literal["user", "idle", "locked", "suspend", "work_hours_end", "pause"]
USER_REASONS: frozenset[str] = frozenset({"user"})


@dataclass(frozen=True)
class Observation:
    """What the shell saw at this instant.

    `idle_for` is None where activity cannot be seen (the plain timer).
    `clock_gap` is wall-clock progress minus monotonic progress since the
    previous tick: large and positive after a suspend or a jump forward,
    negative after the wall clock was set back.
    """

    idle_for: timedelta | None = None
    screen_locked: bool = False
    fullscreen: bool = False
    slept: bool = False
    clock_gap: timedelta = timedelta(0)


@dataclass(frozen=True)
class PolicyState:
    """Everything the policy remembers between ticks (saved in state.json)."""

    spell_start: datetime | None = None
    prompts_in_spell: int = 0
    last_prompt_at: datetime | None = None
    snoozed_until: datetime | None = None
    paused_until: datetime | None = None
    away_since: datetime | None = None  # when the current break was first seen
    last_tick_at: datetime | None = None
    held: bool = False  # a due prompt waits for a full-screen window to close


# ------------------------------------------------------------------ actions


@dataclass(frozen=True)
class PromptDue:
    """Show a prompt now: the spell has lasted `sitting_for`; `repeat` 0 is the first."""

    sitting_for: timedelta
    repeat: int


@dataclass(frozen=True)
class SpellEnded:
    """A sitting spell ended; `reason` says how (the user asked, or a natural break)."""

    started: datetime
    ended: datetime
    reason: BreakReason

    @property
    def length(self) -> timedelta:
        return max(timedelta(0), self.ended - self.started)

    @property
    def asked_by_user(self) -> bool:
        return self.reason in USER_REASONS


@dataclass(frozen=True)
class Snoozed:
    until: datetime


@dataclass(frozen=True)
class Paused:
    until: datetime


@dataclass(frozen=True)
class Resumed:
    pass


@dataclass(frozen=True)
class PromptHeld:
    """A prompt is due but waits: a full-screen window is active."""


Action = PromptDue | SpellEnded | Snoozed | Paused | Resumed | PromptHeld


@dataclass(frozen=True)
class Step:
    state: PolicyState
    actions: tuple[Action, ...] = ()


# -------------------------------------------------------------------- helpers


def _end_spell(
    state: PolicyState, at: datetime, reason: BreakReason, actions: list[Action]
) -> PolicyState:
    if state.spell_start is None:
        return state
    actions.append(SpellEnded(state.spell_start, max(at, state.spell_start), reason))
    return replace(state, spell_start=None, prompts_in_spell=0, held=False)


def _shift(instant: datetime | None, by: timedelta) -> datetime | None:
    return None if instant is None else instant + by


def _handle_clock(
    config: Config, state: PolicyState, obs: Observation, now: datetime, actions: list[Action]
) -> PolicyState:
    """Suspend and wall-clock jumps: a long gap is a break; a jump back shifts the spell."""
    if state.last_tick_at is None:
        return state
    gap = obs.clock_gap
    if now < state.last_tick_at and gap > -BACKWARD_JUMP_TOLERANCE:
        gap = now - state.last_tick_at  # the shell saw no gap, but time went backwards
    if gap < -BACKWARD_JUMP_TOLERANCE:
        spell_start = _shift(state.spell_start, gap)
        span = work_span_at(config.schedule, now)
        if spell_start is not None and span is not None and spell_start < span.start:
            spell_start = span.start  # by the corrected clock, work began later: no work_hours_end
        return replace(
            state,
            spell_start=spell_start,
            last_prompt_at=_shift(state.last_prompt_at, gap),
            away_since=_shift(state.away_since, gap),
            snoozed_until=_shift(state.snoozed_until, gap),  # a snooze is a length of real time
        )
    if obs.slept or gap > config.activity.break_after_idle:
        reason: BreakReason = "suspend"
        state = _end_spell(state, state.last_tick_at, reason, actions)
        return replace(state, away_since=state.away_since or state.last_tick_at)
    return state


def _present(config: Config, obs: Observation) -> bool:
    if obs.screen_locked:
        return False
    return obs.idle_for is None or obs.idle_for < config.activity.break_after_idle


def _prompt_ready_at(config: Config, state: PolicyState) -> datetime | None:
    """When the next prompt of the current spell becomes due, ignoring snooze."""
    if state.spell_start is None:
        return None
    due = state.spell_start + config.reminders.sitting_limit
    if state.prompts_in_spell:
        assert state.last_prompt_at is not None
        due = max(due, state.last_prompt_at + config.reminders.repeat_every)
    elif state.last_prompt_at is not None:  # never two prompts closer than repeat_every
        due = max(due, state.last_prompt_at + config.reminders.repeat_every)
    return due


# ----------------------------------------------------------------------- tick


def tick(config: Config, state: PolicyState, obs: Observation, now: datetime) -> Step:
    """Advance the policy to `now` given what was observed."""
    actions: list[Action] = []
    state = _handle_clock(config, state, obs, now, actions)
    state = replace(state, last_tick_at=now)

    if state.paused_until is not None and now >= state.paused_until:
        # away_since: no sitting from before the pause ended counts (input seconds before it)
        state = replace(state, paused_until=None, away_since=state.paused_until)
    if state.snoozed_until is not None and now >= state.snoozed_until:
        state = replace(state, snoozed_until=None)
    if state.paused_until is not None:
        return Step(state, tuple(actions))

    span = work_span_at(config.schedule, now)
    if state.spell_start is not None:
        spell_span = work_span_at(config.schedule, state.spell_start)
        # `now in spell_span`, not equal starts: a merged span is cut at 14 days each way
        if span is None or spell_span is None or now not in spell_span:
            end = spell_span.end if spell_span is not None else now
            state = _end_spell(state, min(end, now), "work_hours_end", actions)
    if span is None:
        return Step(replace(state, away_since=None, held=False), tuple(actions))

    if not _present(config, obs):
        if state.spell_start is not None:
            reason: BreakReason = "locked" if obs.screen_locked else "idle"
            last_input = now - (obs.idle_for or timedelta(0))
            state = _end_spell(state, last_input if reason == "idle" else now, reason, actions)
        if state.away_since is None:
            state = replace(state, away_since=now)
        return Step(state, tuple(actions))

    if state.spell_start is None:
        start = max(span.start, now - (obs.idle_for or timedelta(0)))
        if state.away_since is not None:
            start = max(start, state.away_since)
        state = replace(state, spell_start=min(start, now), prompts_in_spell=0, away_since=None)

    ready_at = _prompt_ready_at(config, state)
    snoozed = state.snoozed_until is not None
    if ready_at is not None and now >= ready_at and not snoozed:
        if obs.fullscreen and config.notifications.quiet_when_fullscreen:
            if not state.held:
                actions.append(PromptHeld())
            state = replace(state, held=True)
        else:
            assert state.spell_start is not None
            actions.append(PromptDue(now - state.spell_start, state.prompts_in_spell))
            state = replace(
                state,
                last_prompt_at=now,
                prompts_in_spell=state.prompts_in_spell + 1,
                held=False,
            )
    return Step(state, tuple(actions))


# ------------------------------------------------------------------- commands


def resolve_pause_until(config: Config, until: datetime | str, now: datetime) -> datetime:
    """Turn "tomorrow" / "next_work_day" into an instant."""
    if isinstance(until, datetime):
        return until
    schedule = config.schedule
    tomorrow = local_instant(schedule, local_day(schedule, now), 24 * 60)
    if until == "tomorrow":
        return tomorrow
    start = next_work_start(schedule, now, after_day=True)
    return start if start is not None else tomorrow


def apply_command(config: Config, state: PolicyState, command: Command, now: datetime) -> Step:
    """Apply a user command (tray, CLI, notification button)."""
    actions: list[Action] = []
    if isinstance(command, TakeBreak):
        state = _end_spell(state, now, "user", actions)
        state = replace(state, snoozed_until=None, away_since=None)
        if state.paused_until is None and work_span_at(config.schedule, now) is not None:
            state = replace(state, spell_start=now, prompts_in_spell=0)
    elif isinstance(command, Snooze):
        duration = command.duration or config.reminders.snooze_options[0]
        state = replace(state, snoozed_until=now + duration, held=False)
        actions.append(Snoozed(now + duration))
    elif isinstance(command, Pause):
        until = resolve_pause_until(config, command.until, now)
        state = _end_spell(state, now, "pause", actions)
        state = replace(state, paused_until=until, snoozed_until=None, away_since=None)
        actions.append(Paused(until))
    elif isinstance(command, Resume):
        was_paused = state.paused_until is not None
        state = replace(state, paused_until=None, snoozed_until=None)
        if was_paused and work_span_at(config.schedule, now) is not None:
            state = replace(state, spell_start=now, prompts_in_spell=0, away_since=None)
        actions.append(Resumed())
    elif isinstance(command, SetInterval):
        pass  # the shell writes the user file; the new limit arrives with the new Config
    return Step(state, tuple(actions))


# ------------------------------------------------------------------ questions


def next_prompt_at(config: Config, state: PolicyState, now: datetime) -> datetime | None:
    """When the next prompt will come if the user keeps sitting, or None."""
    if state.paused_until is not None and now < state.paused_until:
        return None
    span = work_span_at(config.schedule, now)
    ready_at = _prompt_ready_at(config, state)
    if span is None or ready_at is None:
        return None
    if state.snoozed_until is not None:
        ready_at = max(ready_at, state.snoozed_until)
    ready_at = max(ready_at, now) if state.held or ready_at < now else ready_at
    return ready_at if ready_at < span.end else None


def next_change(config: Config, state: PolicyState, now: datetime) -> datetime | None:
    """The earliest instant after `now` at which `tick` may act with no new observation."""
    candidates = [
        next_prompt_at(config, state, now),
        state.snoozed_until,
        state.paused_until,
        next_boundary(config.schedule, now),
    ]
    future = [moment for moment in candidates if moment is not None and moment > now]
    return min(future, default=None)


def spell_state(config: Config, state: PolicyState, now: datetime) -> SpellState:
    """The state name the tray and `status` show."""
    if state.paused_until is not None and now < state.paused_until:
        return SpellState.PAUSED
    if work_span_at(config.schedule, now) is None:
        return SpellState.OFF_HOURS
    if state.snoozed_until is not None and now < state.snoozed_until:
        return SpellState.SNOOZED
    if state.spell_start is None:
        return SpellState.ON_BREAK
    if now - state.spell_start >= config.reminders.sitting_limit:
        return SpellState.DUE
    return SpellState.SITTING


def sitting_for(state: PolicyState, now: datetime) -> timedelta:
    if state.spell_start is None:
        return timedelta(0)
    return max(timedelta(0), now - state.spell_start)
