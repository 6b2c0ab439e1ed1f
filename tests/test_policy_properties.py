"""Property-based tests of the sitting-spell policy over generated days.

Hypothesis generates a configuration (limits, work hours per weekday, maybe a
day off, in Europe/Berlin with the 2026 daylight-saving weekends drawn often)
and a day or two of life at the desk: stretches of typing, reading pauses,
walks away, a locked screen, full-screen presentations, the laptop suspended
overnight, and the user's own break / snooze / pause / resume. The real policy
is driven the way the service drives it, by `policy.drive`, the engine's own
driving function: at each wake-up it asks for (a little late, now and then very
late, as on a busy machine), at each change the desktop announces (or, for a
desktop that only answers when asked, never: `Polling`), at each command, and on
waking from a suspend. Idle times are computed from the generated input
timeline, so they are consistent with it. Time itself is the only stand-in:
instants come from the generated timeline, not a clock.

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
    Polling,
    PromptDue,
    SpellEnded,
    apply_command,
    drive,
    next_moment,
    next_prompt_at,
    refusal,
    spell_state,
    tick,
)

UTC = timezone.utc
AWAKE_BUDGET = timedelta(hours=12)  # keeps a run near 1000 ticks on a small machine
LATE = 2 * SEC  # a wake-up comes up to this late (an event loop with other work) ...
STALLED = 10 * MIN  # ... and now and then up to this late (a machine under heavy load)
STALL_CHANCE = 0.03
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
    polled: bool  # True: idle time and full-screen windows are known only by asking
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
        polled=draw(st.booleans()),
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

    def announcements(self, break_after_idle: timedelta) -> list[datetime]:
        """When a desktop that announces changes (X11, GNOME) tells the service something:
        idle reaching `break_after_idle`, the first input after that, a lock or a
        full-screen window coming or going."""
        moments: list[datetime] = []
        previous: datetime | None = None  # the last input so far
        for start, end, every in self.inputs:
            first_gap_end = start
            if previous is not None and first_gap_end - previous >= break_after_idle:
                moments += [previous + break_after_idle, first_gap_end]
            if every >= break_after_idle:  # reading between inputs long enough to be away
                steps = (end - start) // every
                for step in range(steps):
                    at = start + step * every
                    moments += [at + break_after_idle, at + every]
            previous = start + ((end - start) // every) * every
        for start, end in self.locked + self.fullscreen:
            moments += [start, end]
        return sorted(moment for moment in moments if not self.sleeping(moment))


@dataclass(frozen=True)
class Forecast:
    """What the policy said after a tick: when the next prompt comes, when to wake."""

    at: datetime
    next_prompt: datetime | None
    wake_at: datetime | None


@dataclass
class Run:
    """What happened when the real policy lived through a scenario."""

    config: Config
    samples: list[tuple[datetime, Observation]] = field(default_factory=list)
    prompts: list[datetime] = field(default_factory=list)
    commands: list[tuple[datetime, Command, datetime | None]] = field(default_factory=list)
    idle_break_states: list[tuple[datetime, PolicyState]] = field(default_factory=list)
    ended: list[tuple[datetime, SpellEnded]] = field(default_factory=list)
    forecasts: list[Forecast] = field(default_factory=list)  # one per tick, in order
    stalls: list[tuple[datetime, datetime]] = field(default_factory=list)  # asked, came


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
    """Drive the policy like the engine: `drive` at each wake-up it asks for (late by up to
    LATE, now and then by up to STALLED), at each announced change, after a suspend; the
    user's commands in between, each followed by the wake-up `next_moment` asks for."""
    config = config_of(scenario)
    line = Timeline.lay_out(scenario)
    jitter = random.Random(scenario.jitter_seed)
    run = Run(config)
    total = line.end - scenario.start
    commands = list(
        (scenario.start + total * per_mille / 1000 + 137 * timedelta(microseconds=1), kind, value)
        for per_mille, (kind, value) in scenario.commands
    )  # the microseconds keep commands off the instants the timeline changes
    commands.sort(key=lambda command: command[0])
    commands = [command for command in commands if not line.sleeping(command[0])]
    pending = list(reversed(commands))
    polled = scenario.polled or not scenario.activity_seen
    polling = Polling(idle=True, fullscreen=True) if polled else Polling()
    announced = [] if polled else line.announcements(config.activity.break_after_idle)
    announced.reverse()
    sleeps = list(reversed(line.asleep))
    state = PolicyState()
    last_obs = Observation()

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

    def timer(wake_at: datetime | None) -> datetime | None:
        """When the engine's timer for `wake_at` really fires."""
        if wake_at is None:
            return None
        fires = wake_at + jitter.uniform(0, LATE.total_seconds()) * SEC
        if jitter.random() < STALL_CHANCE:
            fires = wake_at + jitter.uniform(0, STALLED.total_seconds()) * SEC
            run.stalls.append((wake_at, fires))
        return fires

    def do_tick(at: datetime, obs: Observation) -> datetime | None:
        nonlocal state, last_obs
        result = drive(config, state, obs, at, polling)
        state, last_obs = result.state, obs
        run.samples.append((at, obs))
        run.forecasts.append(Forecast(at, next_prompt_at(config, state, at), result.wake_at))
        for action in result.actions:
            if isinstance(action, PromptDue):
                run.prompts.append(at)
            elif isinstance(action, SpellEnded):
                run.ended.append((at, action))
        idle = obs.idle_for
        if idle is not None and idle >= config.activity.break_after_idle:
            run.idle_break_states.append((at, state))
        return timer(result.wake_at)

    fires: datetime | None = scenario.start  # the first look comes at the start
    now = scenario.start - SEC
    while True:
        while announced and announced[-1] <= now:
            announced.pop()
        candidates = [fires, announced[-1] if announced else None]
        candidates.append(pending[-1][0] if pending else None)
        soonest = min((moment for moment in candidates if moment is not None), default=None)
        if sleeps and (soonest is None or sleeps[-1][0] <= soonest):
            # asleep: nothing runs; on waking the wall clock has run on, the monotonic not
            went_to_sleep, woke, flagged = sleeps.pop()
            if woke >= line.end:
                break
            fires = do_tick(woke, observe(woke, (woke - went_to_sleep, flagged)))
            now = woke
            continue
        if soonest is None or soonest >= line.end:
            break
        if pending and soonest == pending[-1][0]:
            _, kind, value = pending.pop()
            command = to_command(kind, value, soonest)
            refused = refusal(config, state, command, soonest) is not None
            step = apply_command(config, state, command, soonest)
            state = step.state
            until = next((a.until for a in step.actions if isinstance(a, Paused)), None)
            run.ended += [(soonest, a) for a in step.actions if isinstance(a, SpellEnded)]
            if not refused:  # a refused command changes nothing: the reference ignores it
                run.commands.append((soonest, command, until))
            fires = timer(next_moment(config, state, last_obs, soonest, polling))
        else:
            fires = do_tick(soonest, observe(soonest, None))
        now = soonest
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


@dataclass(frozen=True)
class Reference:
    """Work hours, snoozes and pauses as the configuration and the commands say them."""

    spans: list[Span]
    snoozes: list[Span]
    pauses: list[Span]


def reference_of(scenario: Scenario, run: Run) -> Reference:
    days_off = run.config.schedule.days_off
    first = scenario.start.astimezone(BERLIN).date() - timedelta(days=1)
    last = (run.samples[-1][0] if run.samples else scenario.start).astimezone(BERLIN).date()
    spans = reference_spans(scenario.hours, days_off, first, last + timedelta(days=1))
    snoozes, pauses = quiet_intervals(run)
    return Reference(spans, snoozes, pauses)


def present(config: Config, obs: Observation) -> bool:
    """Whether an observation shows someone at the desk now (no lock, not away for long)."""
    idle = obs.idle_for
    return not obs.screen_locked and (idle is None or idle < config.activity.break_after_idle)


def woke_from_a_break(config: Config, obs: Observation) -> bool:
    """Whether an observation comes after a suspend that counts as a break."""
    return obs.slept or obs.clock_gap > config.activity.break_after_idle


def sitting(config: Config, obs: Observation) -> bool:
    """Whether an observation shows someone who has sat on since the one before."""
    return present(config, obs) and not woke_from_a_break(config, obs)


def _overlaps(spans: Sequence[Span], start: datetime, end: datetime) -> bool:
    """Whether any span meets [start, end]."""
    return any(span.start <= end and span.end > start for span in spans)


# ---------------------------------------------------------------- properties


@PROPERTY_SETTINGS
@given(scenario=scenarios())
def test_prompts_keep_every_promise_on_generated_days(scenario: Scenario) -> None:
    """No prompt outside work hours, on a day off, while snoozed or paused; none closer
    than repeat_every; none before sitting_limit of unbroken sitting; idle for
    break_after_idle always ends the spell; and each spell ends where its cause began
    (the end of work hours, the last input, the lock, the suspend, the command), even
    when the service looked late."""
    run = live(scenario)
    event(f"prompts: {'none' if not run.prompts else 'a few' if len(run.prompts) < 5 else 'many'}")
    event(f"activity source: {'yes' if scenario.activity_seen else 'none'}")
    event(f"commands: {'yes' if run.commands else 'none'}")
    event(f"desktop: {'asked' if scenario.polled else 'announces'}")
    config = run.config
    limit = config.reminders.sitting_limit
    days_off = config.schedule.days_off
    reference = reference_of(scenario, run)
    spans, snoozes, pauses = reference.spans, reference.snoozes, reference.pauses

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

    # each spell ends where its cause began, even when the service looked late
    seen = dict(run.samples)
    went_to_sleep = {woke: went for went, woke, _ in Timeline.lay_out(scenario).asleep}
    for at, ended in run.ended:
        where = f"{ended.reason} spell {ended.started:%a %H:%M:%S}-{ended.ended:%H:%M:%S} at {at}"
        assert ended.started <= ended.ended <= at, where
        if ended.reason == "work_hours_end":
            span = span_holding(spans, ended.started)
            assert span is not None and ended.ended == span.end, f"{where}: not at the span end"
        elif ended.reason == "idle":
            idle = seen[at].idle_for
            assert idle is not None and ended.ended == max(ended.started, at - idle), where
        elif ended.reason == "suspend":
            assert ended.ended == max(ended.started, went_to_sleep[at]), where
        else:  # locked (when seen), or the user's break or pause (when asked)
            assert ended.ended == at, where
    for (_, one), (_, after_it) in pairwise(run.ended):
        assert after_it.started >= one.ended, (one, after_it)


@PROPERTY_SETTINGS
@given(scenario=scenarios())
def test_prompts_come_on_time_and_when_the_status_said(scenario: Scenario) -> None:
    """A prompt does come: sitting_limit after someone sat down (from the input the desktop
    reported, not from when the service asked), after their "I moved" or after they
    resumed, as long as they keep sitting; and the next prompt the status shows is inside
    work hours, after any snooze, and comes then if they keep sitting."""
    run = live(scenario)
    event(f"desktop: {'asked' if scenario.polled else 'announces'}")
    config = run.config
    limit, repeat = config.reminders.sitting_limit, config.reminders.repeat_every
    reference = reference_of(scenario, run)
    line = Timeline.lay_out(scenario)
    quiet_fullscreen = config.notifications.quiet_when_fullscreen
    commanded = sorted(at for at, _, _ in run.commands)
    prompted = set(run.prompts)
    seen = dict(run.samples)
    asleep = [Span(start, end) for start, end, _ in line.asleep]
    stalls = [Span(asked, came) for asked, came in run.stalls]

    # where a new spell starts: a return after a break (or into work hours), "I moved", resume
    starts: list[tuple[datetime, datetime, str]] = []  # (when seen or asked, sat from, how)
    went_to_sleep = {woke: went for went, woke, _ in line.asleep}
    previous: tuple[datetime, Observation] | None = None
    for at, obs in run.samples:
        span = span_holding(reference.spans, at)
        idle = obs.idle_for
        if span is not None and idle is not None and present(config, obs):
            sat_from = max(span.start, at - idle)
            if previous is None:
                back = True
            elif woke_from_a_break(config, obs):  # a suspend ended the spell; no sleep counts
                back = True
                if present(config, previous[1]):
                    sat_from = max(sat_from, went_to_sleep[at])
            else:
                back = not present(config, previous[1])
                back = back or span_holding(reference.spans, previous[0]) != span
            since = previous[0] if previous is not None else at
            if back and not _any_in(commanded, since - SEC, at):
                starts.append((at, sat_from, "back at the desk"))
        previous = (at, obs)
    for at, command, _ in run.commands:
        resumed = isinstance(command, Resume) and any(p.end == at for p in reference.pauses)
        if isinstance(command, TakeBreak) or resumed:
            starts.append(
                (at, at, "after 'I moved'" if isinstance(command, TakeBreak) else "resumed")
            )

    checked = 0
    for noticed, sat_from, how in starts:
        span = span_holding(reference.spans, noticed)
        if span is None:
            continue  # resumed outside work hours: no spell to start
        earlier = [prompt for prompt in run.prompts if prompt < noticed]
        due = max(sat_from + limit, earlier[-1] + repeat) if earlier else sat_from + limit
        window_end = due + LATE
        if (
            window_end >= min(span.end, line.end)
            or _any_in(commanded, noticed, window_end)
            or _overlaps(reference.snoozes + reference.pauses, noticed, window_end)
            or _overlaps(asleep + stalls, noticed, window_end)
            or (
                quiet_fullscreen
                and _overlaps([Span(*f) for f in line.fullscreen], sat_from, window_end)
            )
            or not all(
                sitting(config, obs) for at, obs in run.samples if noticed < at <= window_end
            )
        ):
            continue  # something other than sitting on happened before the prompt was due
        checked += 1
        later = [prompt for prompt in run.prompts if prompt > noticed]
        where = f"sat from {sat_from} ({how}, noticed {noticed}), due {due}"
        assert later, f"{where}: no prompt came"
        assert due <= later[0] <= window_end, f"{where}: the prompt came at {later[0]}"
    event(f"on-time starts checked: {'none' if not checked else 'some'}")

    for before, after in pairwise(run.forecasts):
        forecast = before.next_prompt
        if forecast is None:
            continue
        where = f"at {before.at} the next prompt was said to come at {forecast}"
        span = span_holding(reference.spans, before.at)
        assert span is not None and forecast in span, f"{where}: outside these work hours"
        assert forecast >= before.at, where
        snoozed = [snooze for snooze in reference.snoozes if snooze.start <= before.at]
        assert not any(forecast in snooze for snooze in snoozed), f"{where}: while snoozed"
        if forecast > before.at:
            assert before.wake_at is not None and before.wake_at <= forecast, f"{where}: no wake"
        if _any_in(commanded, before.at, after.at):
            continue  # a command changed the plan
        if after.at in prompted:
            assert after.at >= forecast, f"{where}: it came early, at {after.at}"
            continue
        obs = seen[after.at]
        held = quiet_fullscreen and obs.fullscreen
        if after.at >= forecast and after.at in span and sitting(config, obs) and not held:
            raise AssertionError(f"{where}: at {after.at}, still sitting, none came")


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
