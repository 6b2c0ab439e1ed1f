"""Property-based tests of the sitting-spell policy over generated days.

Hypothesis generates a configuration (limits, work hours per weekday, maybe a
day off, in Europe/Berlin with the 2026 daylight-saving weekends drawn often)
and a day or two of life at the desk: stretches of typing, reading pauses,
walks away, a locked screen, full-screen presentations, the laptop suspended
overnight, and the user's own break / snooze / pause / resume. The real policy
is driven the way the service drives it (a sample every `check_every` with
jitter, plus a wake-up at `next_change`); idle times are computed from the
generated input timeline, so they are consistent with it. Time itself is the
only stand-in: instants come from the generated timeline, not a clock.

The invariants are checked against an independent reference of work hours
(written here from the configuration, not taken from `reminder.core.schedule`).
Runs are derandomized so CI sees the same examples every time.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from policy_config import BERLIN, MIN, SEC, make_config

from reminder.configuration.model import (
    WEEKDAYS,
    Config,
)
from reminder.core.model import Command, Pause, Resume, Snooze, SpellState, TakeBreak
from reminder.core.plan import plan_day
from reminder.core.policy import (
    Observation,
    Paused,
    PolicyState,
    PromptDue,
    apply_command,
    next_change,
    refusal,
    spell_state,
    tick,
)

UTC = timezone.utc
AWAKE_BUDGET = timedelta(hours=12)  # keeps a run near 1000 ticks on a small machine
PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Hours = Mapping[str, Sequence[str]]


# ------------------------------------------------ reference work hours (independent)


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime

    def __contains__(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


def wall(day: date, minutes: int) -> datetime:
    """Berlin wall time `minutes` after midnight of `day` (1440 is the next midnight), in UTC."""
    if minutes == 24 * 60:
        day, minutes = day + timedelta(days=1), 0
    return datetime.combine(day, time(minutes // 60, minutes % 60), BERLIN).astimezone(UTC)


def minutes_of(text: str) -> tuple[int, int]:
    start, end = text.split("-")
    (h1, m1), (h2, m2) = (map(int, part.split(":")) for part in (start, end))
    return h1 * 60 + m1, h2 * 60 + m2


def range_starts(hours: Hours, days_off: frozenset[date], day: date) -> list[datetime]:
    if day in days_off:
        return []
    return [wall(day, minutes_of(text)[0]) for text in hours.get(WEEKDAYS[day.weekday()], [])]


def reference_spans(hours: Hours, days_off: frozenset[date], first: date, last: date) -> list[Span]:
    """Work spans from `first` to `last`, joined only where one day's 24:00 meets the next 00:00."""
    spans: list[Span] = []
    day = first
    while day <= last:
        if day not in days_off:
            for text in hours.get(WEEKDAYS[day.weekday()], []):
                start_min, end_min = minutes_of(text)
                start, end = wall(day, start_min), wall(day, end_min)
                if end <= start:
                    continue
                midnight = start.astimezone(BERLIN).time() == time(0)
                if spans and spans[-1].end == start and midnight:
                    spans[-1] = Span(spans[-1].start, end)
                else:
                    spans.append(Span(start, end))
        day += timedelta(days=1)
    return spans


def span_holding(spans: Sequence[Span], instant: datetime) -> Span | None:
    return next((span for span in spans if instant in span), None)


# ---------------------------------------------------------------- strategies


@st.composite
def day_hours(draw: st.DrawFn) -> list[str]:
    """No work, the whole day, an office day with maybe a lunch break, or random ranges."""
    kind = draw(st.sampled_from(["office", "office", "whole", "random", "office", "none"]))
    if kind == "none":
        return []
    if kind == "whole":
        return ["00:00-24:00"]
    if kind == "office":  # half-hour marks: start 06:00-10:00, end 15:00-20:00
        start, end = draw(st.integers(12, 20)), draw(st.integers(30, 40))
        lunch = draw(st.none() | st.integers(start + 1, end - 2))
        marks = [start, end] if lunch is None else [start, lunch, lunch + 1, end]
    else:  # up to three ranges, each after a gap of zero or more half hours (may touch)
        marks, at = [], 0
        for gap, length in draw(st.lists(st.tuples(st.integers(0, 16), st.integers(1, 16)))):
            if at + gap + length > 48 or len(marks) == 6:
                break
            marks += [at + gap, at + gap + length]
            at += gap + length
        if not marks:
            return []
    return [f"{hhmm(marks[i] * 30)}-{hhmm(marks[i + 1] * 30)}" for i in range(0, len(marks), 2)]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


WEEK_HOURS = st.fixed_dictionaries({day: day_hours() for day in WEEKDAYS})
DST_DAYS = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 24), date(2026, 10, 25)]
START_DAYS = st.one_of(st.sampled_from(DST_DAYS), st.dates(date(2026, 1, 1), date(2026, 12, 31)))


@dataclass(frozen=True)
class Segment:
    """A stretch of the timeline: `work` has input throughout; the others have none."""

    kind: str  # work | away | locked | asleep
    length: timedelta
    fullscreen: bool = False
    slept_flag: bool = True  # asleep only: does the activity source report the suspend?
    typing_every: timedelta = SEC  # work only: input comes at this rhythm (reading in between)


WORK = st.builds(
    Segment,
    st.just("work"),
    st.one_of(st.integers(10, 900), st.integers(1800, 4 * 3600)).map(lambda s: s * SEC),
    st.sampled_from([False] * 5 + [True]),
    typing_every=st.one_of(st.integers(1, 50), st.integers(1, 240)).map(lambda s: s * SEC),
)
AWAY = st.builds(
    Segment,
    st.just("away"),
    st.one_of(st.integers(5, 300), st.integers(5, 90 * 60)).map(lambda s: s * SEC),
    st.sampled_from([False] * 5 + [True]),
)
LOCKED = st.builds(Segment, st.just("locked"), st.integers(60, 2 * 3600).map(lambda s: s * SEC))
ASLEEP = st.builds(
    Segment,
    st.just("asleep"),
    st.one_of(st.integers(20, 600), st.integers(600, 14 * 3600)).map(lambda s: s * SEC),
    st.just(False),
    st.booleans(),
)
# typing and reading pauses are common; walks, locks and suspends are rarer
SEGMENT = st.one_of(WORK, WORK, WORK, AWAY, AWAY, LOCKED, ASLEEP)

COMMAND = st.one_of(
    st.just(("break", None)),
    st.tuples(st.just("snooze"), st.one_of(st.none(), st.integers(60, 3600))),
    st.tuples(
        st.just("pause"),
        st.one_of(st.integers(60, 3 * 3600), st.sampled_from(["tomorrow", "next_work_day"])),
    ),
    st.just(("resume", None)),
)


@dataclass(frozen=True)
class Scenario:
    hours: dict[str, list[str]]
    sitting_limit: timedelta
    repeat_every: timedelta
    break_after_idle: timedelta
    check_every: timedelta
    quiet_when_fullscreen: bool
    activity_seen: bool  # False: no activity source, idle_for is None
    start: datetime  # UTC
    idle_at_start: timedelta
    segments: tuple[Segment, ...]
    commands: tuple[tuple[int, tuple[str, Any]], ...]  # (per-mille of the timeline, command)
    day_off: date | None
    jitter_seed: int


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    first_day = draw(START_DAYS)
    # half the runs begin in the morning, when most work hours start
    start = wall(first_day, draw(st.integers(7 * 60, 11 * 60) | st.integers(0, 24 * 60 - 1)))
    sitting_limit = draw(st.integers(60, 20 * 60) | st.integers(60, 90 * 60)) * SEC
    segments: list[Segment] = []
    if draw(st.sampled_from([True, True, False])):  # most runs open with a long sit
        typing = draw(st.integers(1, 50)) * SEC
        segments.append(
            Segment("work", sitting_limit * draw(st.integers(1, 4)), False, True, typing)
        )
    awake = sum((segment.length for segment in segments), timedelta(0))
    for segment in draw(st.lists(SEGMENT, min_size=3, max_size=30)):
        if awake >= AWAKE_BUDGET:
            break
        if segments and segments[-1].kind == "locked" and segment.kind != "work":
            segments.append(Segment("work", 10 * SEC))  # unlocking is input
        segments.append(segment)
        awake += segment.length if segment.kind != "asleep" else timedelta(0)
    day_off = draw(st.sampled_from([None, None, None, first_day + timedelta(days=1), first_day]))
    return Scenario(
        hours=draw(WEEK_HOURS),
        sitting_limit=sitting_limit,
        repeat_every=draw(st.integers(60, 30 * 60)) * SEC,
        break_after_idle=draw(st.integers(60, 15 * 60)) * SEC,
        check_every=draw(st.integers(15, 60)) * SEC,
        quiet_when_fullscreen=draw(st.booleans()),
        activity_seen=draw(st.sampled_from([True, True, False])),
        start=start,
        idle_at_start=draw(st.integers(0, 3 * 3600)) * SEC,
        segments=tuple(segments),
        commands=tuple(draw(st.lists(st.tuples(st.integers(0, 999), COMMAND), max_size=8))),
        day_off=day_off,
        jitter_seed=draw(st.integers(0, 2**32 - 1)),
    )


# ----------------------------------------------------------------- the run


@dataclass
class Timeline:
    """Input, lock, full-screen and sleep intervals laid end to end."""

    inputs: list[tuple[datetime, datetime, timedelta]] = field(default_factory=list)
    locked: list[tuple[datetime, datetime]] = field(default_factory=list)
    fullscreen: list[tuple[datetime, datetime]] = field(default_factory=list)
    asleep: list[tuple[datetime, datetime, bool]] = field(default_factory=list)
    end: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))

    @classmethod
    def lay_out(cls, scenario: Scenario) -> Timeline:
        line = cls()
        at = scenario.start
        last_input = at - scenario.idle_at_start
        line.inputs.append((last_input, last_input, SEC))
        for segment in scenario.segments:
            until = at + segment.length
            if segment.kind == "work":
                line.inputs.append((at, until, segment.typing_every))
            elif segment.kind == "locked":
                line.locked.append((at, until))
            elif segment.kind == "asleep":
                line.asleep.append((at, until, segment.slept_flag))
            if segment.fullscreen:
                line.fullscreen.append((at, until))
            at = until
        line.end = at
        return line

    def idle_for(self, at: datetime) -> timedelta:
        """Time since the last input: inputs come at start, start + every, ... up to the end."""
        index = bisect.bisect_right([start for start, _, _ in self.inputs], at) - 1
        start, end, every = self.inputs[index]
        last = start + ((min(end, at) - start) // every) * every
        return at - last

    def within(self, intervals: Sequence[tuple[datetime, datetime]], at: datetime) -> bool:
        return any(start <= at < end for start, end in intervals)

    def sleeping(self, at: datetime) -> bool:
        return any(start <= at < end for start, end, _ in self.asleep)


@dataclass
class Run:
    """What happened when the real policy lived through a scenario."""

    config: Config
    samples: list[tuple[datetime, Observation]] = field(default_factory=list)
    prompts: list[datetime] = field(default_factory=list)
    commands: list[tuple[datetime, Command, datetime | None]] = field(default_factory=list)
    idle_break_states: list[tuple[datetime, PolicyState]] = field(default_factory=list)


def config_of(scenario: Scenario) -> Config:
    return make_config(
        scenario.hours,
        days_off=() if scenario.day_off is None else (scenario.day_off,),
        sitting_limit=scenario.sitting_limit,
        repeat_every=scenario.repeat_every,
        break_after_idle=scenario.break_after_idle,
        check_every=scenario.check_every,
        quiet_when_fullscreen=scenario.quiet_when_fullscreen,
    )


def to_command(kind: str, value: Any, at: datetime) -> Command:
    if kind == "break":
        return TakeBreak()
    if kind == "snooze":
        return Snooze(None if value is None else value * SEC)
    if kind == "pause":
        if value in ("tomorrow", "next_work_day"):
            return Pause("tomorrow" if value == "tomorrow" else "next_work_day")
        return Pause(at + value * SEC)
    return Resume()


def live(scenario: Scenario) -> Run:
    """Drive the policy like the engine: samples with jitter, wake-ups, commands in between."""
    config = config_of(scenario)
    line = Timeline.lay_out(scenario)
    jitter = random.Random(scenario.jitter_seed)
    run = Run(config)
    total = line.end - scenario.start
    commands = list(
        (scenario.start + total * per_mille / 1000 + 137 * timedelta(microseconds=1), kind, value)
        for per_mille, (kind, value) in scenario.commands
    )  # the microseconds keep commands off the sample grid
    commands.sort(key=lambda command: command[0])
    commands = [command for command in commands if not line.sleeping(command[0])]
    state = PolicyState()

    def observe(at: datetime, woke_from: tuple[timedelta, bool] | None) -> Observation:
        gap = timedelta(0) if woke_from is None else woke_from[0]
        slept = woke_from is not None and woke_from[1]
        if not scenario.activity_seen:
            return Observation(idle_for=None, slept=slept, clock_gap=gap)
        return Observation(
            idle_for=line.idle_for(at),
            screen_locked=line.within(line.locked, at),
            fullscreen=line.within(line.fullscreen, at),
            slept=slept,
            clock_gap=gap,
        )

    def do_tick(at: datetime, obs: Observation) -> None:
        nonlocal state
        step = tick(config, state, obs, at)
        state = step.state
        run.samples.append((at, obs))
        run.prompts.extend(at for action in step.actions if isinstance(action, PromptDue))
        idle = obs.idle_for
        if idle is not None and idle >= config.activity.break_after_idle:
            run.idle_break_states.append((at, state))

    # sample times: monotonic steps of check_every with jitter; none while asleep
    samples: list[tuple[datetime, tuple[timedelta, bool] | None]] = []
    at = scenario.start
    sleeps = iter(line.asleep)
    upcoming_sleep = next(sleeps, None)
    while at < line.end:
        woke: tuple[timedelta, bool] | None = None
        if upcoming_sleep is not None and at >= upcoming_sleep[0]:
            start, end, flagged = upcoming_sleep
            at = end
            woke = (end - start, flagged)  # wall time ran on, the monotonic clock did not
            upcoming_sleep = next(sleeps, None)
            if at >= line.end:
                break
        samples.append((at, woke))
        at += config.activity.check_every + jitter.uniform(-0.2, 2.0) * SEC

    now = scenario.start - SEC
    pending = list(reversed(commands))
    for sample_at, woke in samples:
        while True:
            # the engine's wake-up for a due moment before the next sample (not while asleep)
            wake = next_change(config, state, now) if run.samples else None
            next_command = pending[-1][0] if pending else None
            candidates = [moment for moment in (wake, next_command) if moment is not None]
            soonest = min(candidates, default=None)
            if soonest is None or soonest >= sample_at:
                break
            if soonest == next_command:
                _, kind, value = pending.pop()
                command = to_command(kind, value, soonest)
                refused = refusal(config, state, command, soonest) is not None
                step = apply_command(config, state, command, soonest)
                state = step.state
                until = next((a.until for a in step.actions if isinstance(a, Paused)), None)
                if not refused:  # a refused command changes nothing: the reference ignores it
                    run.commands.append((soonest, command, until))
            elif line.sleeping(soonest):
                break  # a due moment during a suspend waits for the wake-up sample
            else:
                do_tick(soonest, observe(soonest, None))
            now = soonest
        do_tick(sample_at, observe(sample_at, woke))
        now = sample_at
    return run


# ------------------------------------------------------------- reference state


def quiet_intervals(run: Run) -> tuple[list[Span], list[Span]]:
    """Snooze and pause intervals as the commands set them (a later command may cut one short)."""
    snoozes: list[Span] = []
    pauses: list[Span] = []
    snooze: Span | None = None
    pause: Span | None = None
    options = run.config.reminders.snooze_options
    for at, command, paused_until in run.commands:
        if snooze is not None and not isinstance(command, Snooze):
            snoozes.append(Span(snooze.start, min(snooze.end, at)))
            snooze = None
        if isinstance(command, Snooze):
            if snooze is not None:
                snoozes.append(Span(snooze.start, min(snooze.end, at)))
            snooze = Span(at, at + (command.duration or options[0]))
        if isinstance(command, (Pause, Resume)) and pause is not None:
            pauses.append(Span(pause.start, min(pause.end, at)))
            pause = None
        if isinstance(command, Pause):
            assert paused_until is not None
            pause = Span(at, paused_until)
    snoozes += [snooze] if snooze else []
    pauses += [pause] if pause else []
    return snoozes, pauses


def expected_pause_end(
    hours: Hours, days_off: frozenset[date], at: datetime, target: str
) -> datetime:
    """Where "tomorrow" and "next_work_day" should land, worked out from the configuration."""
    today = at.astimezone(BERLIN).date()
    tomorrow = wall(today + timedelta(days=1), 0)
    if target == "tomorrow":
        return tomorrow
    for offset in range(1, 15):
        starts = range_starts(hours, days_off, today + timedelta(days=offset))
        if starts:
            return starts[0]
    return tomorrow


# ---------------------------------------------------------------- properties


@PROPERTY_SETTINGS
@given(scenario=scenarios())
def test_prompts_keep_every_promise_on_generated_days(scenario: Scenario) -> None:
    """No prompt outside work hours, on a day off, while snoozed or paused; none closer
    than repeat_every; none before sitting_limit of unbroken sitting; idle for
    break_after_idle always ends the spell."""
    run = live(scenario)
    event(f"prompts: {'none' if not run.prompts else 'a few' if len(run.prompts) < 5 else 'many'}")
    event(f"activity source: {'yes' if scenario.activity_seen else 'none'}")
    event(f"commands: {'yes' if run.commands else 'none'}")
    config = run.config
    limit = config.reminders.sitting_limit
    days_off = config.schedule.days_off
    first = scenario.start.astimezone(BERLIN).date() - timedelta(days=1)
    last = (run.samples[-1][0] if run.samples else scenario.start).astimezone(BERLIN).date()
    spans = reference_spans(scenario.hours, days_off, first, last + timedelta(days=1))
    snoozes, pauses = quiet_intervals(run)

    # named pause targets land where the configuration says
    for at, command, until in run.commands:
        if isinstance(command, Pause) and isinstance(command.until, str):
            expected = expected_pause_end(scenario.hours, days_off, at, command.until)
            assert until == expected, (at, command)

    # breaks the policy must honour: idle or locked samples (or suspends with no activity source)
    breaks = sorted(
        at
        for at, obs in run.samples
        if (obs.idle_for is not None and obs.idle_for >= config.activity.break_after_idle)
        or obs.screen_locked
        or (
            obs.idle_for is None and (obs.slept or obs.clock_gap > config.activity.break_after_idle)
        )
    )
    restarts = sorted(at for at, command, _ in run.commands if isinstance(command, TakeBreak))

    for earlier, later in pairwise(run.prompts):
        assert later - earlier >= config.reminders.repeat_every, (earlier, later)

    for prompt in run.prompts:
        where = f"prompt at {prompt.astimezone(BERLIN):%a %Y-%m-%d %H:%M:%S %Z}"
        span = span_holding(spans, prompt)
        assert span is not None, f"{where}: outside work hours"
        assert prompt.astimezone(BERLIN).date() not in days_off, f"{where}: on a day off"
        assert not any(prompt in snooze for snooze in snoozes), f"{where}: while snoozed"
        assert not any(prompt in pause for pause in pauses), f"{where}: while paused"
        sat_from = prompt - limit
        assert span.start <= sat_from, f"{where}: the spell did not start inside the same span"
        assert not _any_in(breaks, sat_from, prompt), f"{where}: a break lies in the last limit"
        assert not _any_in(restarts, sat_from, prompt), f"{where}: a 'break' came in the limit"
        assert not any(pause.start <= prompt and pause.end > sat_from for pause in pauses), (
            f"{where}: a pause lies in the last limit"
        )

    for at, state in run.idle_break_states:
        assert state.spell_start is None, f"idle at {at} left a spell running"
        shown = spell_state(config, state, at)
        quiet = any(at in pause for pause in pauses) or any(at in snooze for snooze in snoozes)
        if span_holding(spans, at) is not None and not quiet:
            assert shown is SpellState.ON_BREAK, (at, shown)
        else:
            assert shown is not SpellState.SITTING and shown is not SpellState.DUE


def _any_in(instants: Sequence[datetime], after: datetime, up_to: datetime) -> bool:
    """Whether any instant lies in (after, up_to]."""
    index = bisect.bisect_right(instants, after)
    return index < len(instants) and instants[index] <= up_to


# ------------------------------------------------------------- plan vs brute force


@st.composite
def plan_cases(draw: st.DrawFn) -> tuple[Config, date]:
    day = draw(START_DAYS)
    hours = draw(WEEK_HOURS)
    config = make_config(
        hours,
        days_off=draw(st.sampled_from([(), (), (), (day,)])),
        sitting_limit=draw(st.integers(1, 90)) * MIN,
        repeat_every=draw(st.integers(1, 30)) * MIN,
        break_after_idle=draw(st.integers(1, 15)) * MIN,
    )
    return config, day


def closed_form_plan(config: Config, hours: Hours, day: date) -> list[datetime]:
    """Prompts for someone who never gets up: limit after each span starts, then every repeat."""
    day_start, day_end = wall(day, 0), wall(day, 24 * 60)
    spans = reference_spans(
        hours, config.schedule.days_off, day - timedelta(days=1), day + timedelta(days=1)
    )
    limit, repeat = config.reminders.sitting_limit, config.reminders.repeat_every
    prompts: list[datetime] = []
    for span in spans:
        start, end = max(span.start, day_start), min(span.end, day_end)
        if start >= end:
            continue
        due = start + limit
        if prompts:
            due = max(due, prompts[-1] + repeat)
        while due < end:
            prompts.append(due)
            due += repeat
    return prompts


def hours_of(config: Config) -> dict[str, list[str]]:
    return {
        day: [str(work_range) for work_range in ranges]
        for day, ranges in zip(WEEKDAYS, config.schedule.work_hours, strict=True)
    }


@PROPERTY_SETTINGS
@given(case=plan_cases())
def test_plan_matches_the_closed_form_for_continuous_sitting(case: tuple[Config, date]) -> None:
    config, day = case
    plan = plan_day(config, day)
    assert list(plan.prompts) == closed_form_plan(config, hours_of(config), day)


@settings(PROPERTY_SETTINGS, max_examples=40)
@given(case=plan_cases())
def test_plan_matches_a_brute_force_run_ticking_every_15s(case: tuple[Config, date]) -> None:
    """40 examples: each one ticks the policy 5,760 times (a day at 15 s)."""
    config, day = case
    plan = plan_day(config, day)
    present = Observation(idle_for=timedelta(0))
    state, now, end = PolicyState(), wall(day, 0), wall(day, 24 * 60)
    brute: list[datetime] = []
    while now < end:
        step = tick(config, state, present, now)
        state = step.state
        brute.extend(now for action in step.actions if isinstance(action, PromptDue))
        now += 15 * SEC
    assert len(brute) == len(plan.prompts), (plan.prompts, brute)
    for planned, ticked in zip(plan.prompts, brute, strict=True):
        assert timedelta(0) <= ticked - planned < 15 * SEC, (planned, ticked)
