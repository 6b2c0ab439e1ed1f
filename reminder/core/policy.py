"""The sitting-spell policy: a pure function of (config, state, observation, now).

Nothing here reads a clock, sleeps, starts threads or does I/O. The shell
observes the desktop, calls `drive` (or `apply_command`) with the current
instant, carries out the returned actions (show a prompt, record history, save
state) and sleeps until the `wake_at` it was given. `drive` is the one driving
function: the engine, `plan`, the benchmarks and the tests all use it.

Time is handled as timezone-aware UTC instants; only work hours are local.

Holds: while a call (microphone, camera, idle inhibitor) or Do Not Disturb is
on, or a full-screen window is active, a due prompt waits (`held_for`). During a
call, idleness is not a break (a person listening is still sitting); a locked
screen or a suspend still is. After a call or Do Not Disturb ends, the prompt
comes `after_call` later (a short mute or a dropped stream does not bring one at
once); after a full-screen window closes, at once. A signal on for longer than
`max_hold` is taken for a stuck one and ignored until it goes off.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Literal

from reminder.configuration.model import Config
from reminder.core.model import (
    Command,
    HeldFor,
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
# A query-only source is asked no sooner than this after the previous answer.
MIN_QUERY_STEP = timedelta(milliseconds=200)

BreakReason = Literal["user", "idle", "locked", "suspend", "work_hours_end", "pause"]
USER_REASONS: frozenset[str] = frozenset({"user"})
NATURAL_BREAKS: frozenset[str] = frozenset({"idle", "locked", "suspend"})
HOLD_ORDER: tuple[HeldFor, ...] = ("call", "dnd", "fullscreen")


@dataclass(frozen=True)
class Observation:
    """What the shell saw at this instant.

    `idle_for` is None where activity cannot be seen (the plain timer).
    `clock_gap` is wall-clock progress minus monotonic progress since the
    previous observation: large and positive after a suspend or a jump forward,
    negative after the wall clock was set back. `in_call` and `dnd` come from
    the call sources.
    """

    idle_for: timedelta | None = None
    screen_locked: bool = False
    fullscreen: bool = False
    slept: bool = False
    clock_gap: timedelta = timedelta(0)
    in_call: bool = False
    dnd: bool = False


@dataclass(frozen=True)
class PolicyState:
    """Everything the policy remembers between observations (saved in state.json)."""

    spell_start: datetime | None = None
    prompts_in_spell: int = 0
    last_prompt_at: datetime | None = None
    snoozed_until: datetime | None = None
    paused_until: datetime | None = None
    away_since: datetime | None = None  # when the current break was first seen
    last_tick_at: datetime | None = None
    held_for: HeldFor | None = None  # a due prompt waits for this
    held_since: datetime | None = None
    call_since: datetime | None = None  # the call signal is on since (None: off)
    dnd_since: datetime | None = None
    fullscreen_since: datetime | None = None
    stuck: str = ""  # signals taken for stuck (on past max_hold), comma-separated
    heard_until: datetime | None = None  # the last instant a call was on: idle before is not away
    release_at: datetime | None = None  # a prompt held for a call or DND comes at this instant
    release_call_s: int | None = None  # ... after a call this long (its wording says so)


# ------------------------------------------------------------------ actions


@dataclass(frozen=True)
class PromptDue:
    """Show a prompt now: the spell has lasted `sitting_for`; `repeat` 0 is the first.

    `after_call` is the length of the call that just ended, when the prompt waited for it.
    """

    sitting_for: timedelta
    repeat: int
    after_call: timedelta | None = None


@dataclass(frozen=True)
class SpellEnded:
    """A sitting spell ended; `reason` says how; `prompts` how many prompts it had."""

    started: datetime
    ended: datetime
    reason: BreakReason
    prompts: int = 0

    @property
    def length(self) -> timedelta:
        return max(timedelta(0), self.ended - self.started)

    @property
    def asked_by_user(self) -> bool:
        return self.reason in USER_REASONS

    @property
    def is_break(self) -> bool:
        """A break the person took (not the end of the work day, not a pause)."""
        return self.reason in USER_REASONS or self.reason in NATURAL_BREAKS


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
    """A prompt is due but waits for a call, Do Not Disturb or a full-screen window."""

    reason: HeldFor = "fullscreen"


@dataclass(frozen=True)
class HoldEnded:
    """A held prompt's wait is over: it was held for `length` (nothing more is recorded)."""

    reason: HeldFor
    length: timedelta


@dataclass(frozen=True)
class SignalStuck:
    """A call, DND or full-screen signal has been on since `since`, past `max_hold`."""

    kind: HeldFor
    since: datetime


Action = PromptDue | SpellEnded | Snoozed | Paused | Resumed | PromptHeld | HoldEnded | SignalStuck


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
    ended = max(at, state.spell_start)
    actions.append(SpellEnded(state.spell_start, ended, reason, state.prompts_in_spell))
    state = _end_hold(state, at, actions)
    return replace(
        state, spell_start=None, prompts_in_spell=0, release_at=None, release_call_s=None
    )


def _end_hold(state: PolicyState, at: datetime, actions: list[Action]) -> PolicyState:
    if state.held_for is None:
        return state
    length = max(timedelta(0), at - (state.held_since or at))
    actions.append(HoldEnded(state.held_for, length))
    return replace(state, held_for=None, held_since=None)


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
            held_since=_shift(state.held_since, gap),
            call_since=_shift(state.call_since, gap),
            dnd_since=_shift(state.dnd_since, gap),
            fullscreen_since=_shift(state.fullscreen_since, gap),
            heard_until=_shift(state.heard_until, gap),
            release_at=_shift(state.release_at, gap),
        )
    if obs.slept or gap > config.activity.break_after_idle:
        # The machine slept from about `now - gap` (the last observation may be much older:
        # an event-driven engine sleeps until the next moment that matters).
        # Without a gap (only a "slept" signal) the last observation is the best guess.
        went_to_sleep = now - gap if gap > BACKWARD_JUMP_TOLERANCE else state.last_tick_at
        went_to_sleep = max(state.last_tick_at, went_to_sleep)
        state = _end_spell(state, went_to_sleep, "suspend", actions)
        return replace(state, away_since=state.away_since or went_to_sleep)
    return state


def _effective_idle(state: PolicyState, obs: Observation, now: datetime) -> timedelta | None:
    """Idle time, counted no further back than the end of the last call."""
    if obs.idle_for is None:
        return None
    if state.heard_until is None:
        return obs.idle_for
    return max(timedelta(0), min(obs.idle_for, now - state.heard_until))


def _present(config: Config, state: PolicyState, obs: Observation, now: datetime) -> bool:
    if obs.screen_locked:
        return False
    if state.call_since is not None and "call" not in _stuck(state):
        return True  # on a call: listening without typing is still sitting
    idle = _effective_idle(state, obs, now)
    return idle is None or idle < config.activity.break_after_idle


def _prompt_ready_at(config: Config, state: PolicyState) -> datetime | None:
    """When the next prompt of the current spell becomes due, ignoring snooze and holds."""
    if state.spell_start is None:
        return None
    due = state.spell_start + config.reminders.sitting_limit
    if state.last_prompt_at is not None:  # never two prompts closer than repeat_every
        due = max(due, state.last_prompt_at + config.reminders.repeat_every)
    return due


def _stuck(state: PolicyState) -> set[str]:
    return set(filter(None, state.stuck.split(",")))


def _signals(config: Config, obs: Observation) -> dict[HeldFor, bool]:
    """Which holding signals are on, as the configuration asks them to be heeded."""
    quiet = config.notifications
    return {
        "call": obs.in_call and quiet.quiet_during_calls,
        "dnd": obs.dnd and quiet.quiet_when_dnd,
        "fullscreen": obs.fullscreen and quiet.quiet_when_fullscreen,
    }


_SINCE_FIELD: dict[HeldFor, str] = {
    "call": "call_since",
    "dnd": "dnd_since",
    "fullscreen": "fullscreen_since",
}


def _since(state: PolicyState, kind: HeldFor) -> datetime | None:
    value: datetime | None = getattr(state, _SINCE_FIELD[kind])
    return value


def _track_signals(
    config: Config, state: PolicyState, obs: Observation, now: datetime, actions: list[Action]
) -> tuple[PolicyState, dict[HeldFor, datetime]]:
    """Note when each signal went on; take one on past max_hold for stuck (warned once).

    Also returns the signals that went off now, with when each had gone on.
    """
    on = _signals(config, obs)
    stuck = _stuck(state)
    changes: dict[str, object] = {}
    ended: dict[HeldFor, datetime] = {}
    for kind in HOLD_ORDER:
        since = _since(state, kind)
        if not on[kind]:
            if since is not None:
                ended[kind] = since
                if kind == "call" and kind not in stuck:
                    changes["heard_until"] = now  # it was on until it was seen off

            changes[_SINCE_FIELD[kind]] = None
            stuck.discard(kind)
            continue
        since = since or now
        changes[_SINCE_FIELD[kind]] = since
        if kind not in stuck and now - since >= config.notifications.max_hold:
            stuck.add(kind)
            actions.append(SignalStuck(kind, since))
    if on["call"] and "call" not in stuck:
        changes["heard_until"] = now
    changes["stuck"] = ",".join(kind for kind in HOLD_ORDER if kind in stuck)
    return replace(state, **changes), ended  # type: ignore[arg-type]


def _hold_reason(state: PolicyState) -> HeldFor | None:
    """The first signal that holds prompts now (stuck ones do not)."""
    stuck = _stuck(state)
    return next(
        (kind for kind in HOLD_ORDER if _since(state, kind) is not None and kind not in stuck),
        None,
    )


def _clear_signals(state: PolicyState) -> PolicyState:
    return replace(
        state,
        call_since=None,
        dnd_since=None,
        fullscreen_since=None,
        stuck="",
        heard_until=None,
        release_at=None,
        release_call_s=None,
    )


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
        return Step(_clear_signals(state), tuple(actions))

    span = work_span_at(config.schedule, now)
    if state.spell_start is not None:
        spell_span = work_span_at(config.schedule, state.spell_start)
        # `now in spell_span`, not equal starts: a merged span is cut at 14 days each way
        if span is None or spell_span is None or now not in spell_span:
            end = spell_span.end if spell_span is not None else now
            state = _end_spell(state, min(end, now), "work_hours_end", actions)
    if span is None:
        state = _end_hold(state, now, actions)
        return Step(_clear_signals(replace(state, away_since=None)), tuple(actions))

    state, ended = _track_signals(config, state, obs, now, actions)
    if not _present(config, state, obs, now):
        if state.spell_start is not None:
            reason: BreakReason = "locked" if obs.screen_locked else "idle"
            idle = _effective_idle(state, obs, now) or timedelta(0)
            state = _end_spell(state, now - idle if reason == "idle" else now, reason, actions)
        if state.away_since is None:
            state = replace(state, away_since=now)
        return Step(state, tuple(actions))

    if state.spell_start is None:
        idle = _effective_idle(state, obs, now) or timedelta(0)
        start = max(span.start, now - idle)
        if state.away_since is not None:
            start = max(start, state.away_since)
        state = replace(state, spell_start=min(start, now), prompts_in_spell=0, away_since=None)

    return Step(_maybe_prompt(config, state, now, ended, actions), tuple(actions))


def _maybe_prompt(
    config: Config,
    state: PolicyState,
    now: datetime,
    ended_signals: dict[HeldFor, datetime],
    actions: list[Action],
) -> PolicyState:
    """Prompt when due, unless snoozed or held; release a held prompt after its grace."""
    ready_at = _prompt_ready_at(config, state)
    reason = _hold_reason(state)
    if state.held_for is not None and reason != state.held_for:
        # The hold changed: the signal that held the prompt went off (or another took over).
        ended = state.held_for
        state = _end_hold(state, now, actions)
        if reason is None and ended in ("call", "dnd") and ended not in _stuck(state):
            call_started = ended_signals.get("call") if ended == "call" else None
            call_s = None if call_started is None else int((now - call_started).total_seconds())
            state = replace(
                state,
                release_at=now + config.notifications.after_call,
                release_call_s=call_s,
            )
    if ready_at is None or now < ready_at or state.snoozed_until is not None:
        return state
    if reason is not None:
        if state.held_for is None:
            actions.append(PromptHeld(reason))
            state = replace(state, held_for=reason, held_since=now, release_at=None)
        return state
    if state.release_at is not None and now < state.release_at:
        return state  # the grace after a call: the prompt comes at release_at
    assert state.spell_start is not None
    after_call = None if state.release_call_s is None else timedelta(seconds=state.release_call_s)
    actions.append(PromptDue(now - state.spell_start, state.prompts_in_spell, after_call))
    return replace(
        state,
        last_prompt_at=now,
        prompts_in_spell=state.prompts_in_spell + 1,
        release_at=None,
        release_call_s=None,
    )


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


RefusalReason = Literal["paused", "off_hours", "day_off", "nothing_to_resume"]


@dataclass(frozen=True)
class Refusal:
    """Why a command would change nothing now, and until when that holds."""

    reason: RefusalReason
    until: datetime | None = None


def refusal(config: Config, state: PolicyState, command: Command, now: datetime) -> Refusal | None:
    """None when `command` would change something now; else why it would not.

    A snooze or "I moved" while paused, outside work hours or on a day off would
    do nothing (nothing is tracked then); nor would a resume with nothing snoozed
    or paused, or, outside work hours, a pause that ends before work starts again.
    The shell refuses such commands (exit 2) with the reason.
    """
    paused = state.paused_until is not None and now < state.paused_until
    if isinstance(command, (Snooze, TakeBreak)):
        if paused:
            return Refusal("paused", state.paused_until)
        if work_span_at(config.schedule, now) is None:
            resumes = next_work_start(config.schedule, now)
            day_off = local_day(config.schedule, now) in config.schedule.days_off
            return Refusal("day_off" if day_off else "off_hours", resumes)
    if isinstance(command, Resume):
        snoozed = state.snoozed_until is not None and now < state.snoozed_until
        if not paused and not snoozed:
            return Refusal("nothing_to_resume")
    if isinstance(command, Pause) and not paused and work_span_at(config.schedule, now) is None:
        # Outside work hours a pause that ends before work starts again stops nothing.
        resumes = next_work_start(config.schedule, now)
        until = resolve_pause_until(config, command.until, now)
        if resumes is not None and until <= resumes:
            day_off = local_day(config.schedule, now) in config.schedule.days_off
            return Refusal("day_off" if day_off else "off_hours", resumes)
    return None


def apply_command(config: Config, state: PolicyState, command: Command, now: datetime) -> Step:
    """Apply a user command (tray, CLI, notification button).

    Commands `refusal` refuses leave the state as it is (the shell says why).
    """
    if refusal(config, state, command, now) is not None:
        return Step(state)
    actions: list[Action] = []
    if isinstance(command, TakeBreak):
        state = _end_spell(state, now, "user", actions)
        state = replace(state, snoozed_until=None, away_since=None)
        if work_span_at(config.schedule, now) is not None:
            state = replace(state, spell_start=now, prompts_in_spell=0)
    elif isinstance(command, Snooze):
        duration = command.duration or config.reminders.snooze_options[0]
        state = _end_hold(state, now, actions)
        state = replace(state, snoozed_until=now + duration, release_at=None, release_call_s=None)
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
    """When the next prompt will come if the user keeps sitting, or None (also while held)."""
    if state.paused_until is not None and now < state.paused_until:
        return None
    span = work_span_at(config.schedule, now)
    ready_at = _prompt_ready_at(config, state)
    if span is None or ready_at is None or state.held_for is not None:
        return None
    if state.snoozed_until is not None:
        ready_at = max(ready_at, state.snoozed_until)
    if state.release_at is not None:
        ready_at = max(ready_at, state.release_at)
    ready_at = max(ready_at, now)
    return ready_at if ready_at < span.end else None


def next_change(config: Config, state: PolicyState, now: datetime) -> datetime | None:
    """The earliest instant after `now` at which `tick` may act with no new observation."""
    candidates = [
        next_prompt_at(config, state, now),
        state.snoozed_until,
        state.paused_until,
        state.release_at,
        next_boundary(config.schedule, now),
    ]
    for kind in HOLD_ORDER:  # a signal that stays on becomes "stuck" at max_hold
        since = _since(state, kind)
        if since is not None and kind not in _stuck(state):
            candidates.append(since + config.notifications.max_hold)
    future = [moment for moment in candidates if moment is not None and moment > now]
    return min(future, default=None)


@dataclass(frozen=True)
class Polling:
    """What the shell learns only by asking: its sources do not announce it.

    `idle`: idle time (KDE's GetSessionIdleTime, Windows, macOS); `fullscreen`:
    full-screen windows; `calls`: some call source (the camera scan) must be asked.
    """

    idle: bool = False
    fullscreen: bool = False
    calls: bool = False


def next_moment(
    config: Config, state: PolicyState, obs: Observation, now: datetime, polling: Polling
) -> datetime | None:
    """When the shell should next observe and drive: the policy's next change, and for
    what is only asked, the moment its answer could first change."""
    candidates = [next_change(config, state, now)]
    tracking = (state.paused_until is None or now >= state.paused_until) and (
        work_span_at(config.schedule, now) is not None
    )
    if tracking:
        ask_soon = now + config.activity.check_every
        idle = _effective_idle(state, obs, now)
        if polling.idle and idle is not None:
            if _present(config, state, obs, now) and state.call_since is None:
                threshold = now + (config.activity.break_after_idle - idle)
                candidates.append(max(threshold, now + MIN_QUERY_STEP))
            else:
                candidates.append(ask_soon)  # away (or on a call): notice the return
        if polling.fullscreen and state.held_for == "fullscreen":
            candidates.append(ask_soon)
        if polling.calls and (state.call_since is not None or state.held_for == "call"):
            candidates.append(ask_soon)
    future = [moment for moment in candidates if moment is not None and moment > now]
    return min(future, default=None)


@dataclass(frozen=True)
class Drive:
    """The outcome of one observation: the new state, what to do, when to look again."""

    state: PolicyState
    actions: tuple[Action, ...]
    wake_at: datetime | None


EVERYTHING_ANNOUNCED = Polling()


def drive(
    config: Config,
    state: PolicyState,
    obs: Observation,
    now: datetime,
    polling: Polling = EVERYTHING_ANNOUNCED,
) -> Drive:
    """Tick, then the next moment: the one driving function of engine, plan, bench and tests."""
    step = tick(config, state, obs, now)
    return Drive(step.state, step.actions, next_moment(config, step.state, obs, now, polling))


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
