"""The sitting-spell policy on literal days in Europe/Berlin.

The real policy (`reminder.core.policy`) is driven by `drive`, the engine's own
driving function, the way the service drives it for a desktop that must be
asked for idle time and full-screen windows (`Polling(idle=True,
fullscreen=True)`): at each wake-up `drive` asks for, plus a look every
`check_every` standing in for the changes a desktop may announce at any time.
The only stand-in is time itself: each test says which instants pass and what
the activity source saw, so the clock is a list of literal datetimes rather
than a real clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import pytest
from policy_config import BERLIN, MIN, SEC, make_config

from reminder.configuration.loader import Layer, load_layers
from reminder.configuration.model import (
    WEEKDAYS,
    Config,
)
from reminder.core.model import Command, Pause, Resume, Snooze, SpellState, TakeBreak
from reminder.core.plan import plan_day
from reminder.core.policy import (
    Action,
    Observation,
    Paused,
    PolicyState,
    Polling,
    PromptDue,
    PromptHeld,
    Snoozed,
    SpellEnded,
    apply_command,
    drive,
    next_moment,
    next_prompt_at,
    refusal,
    resolve_pause_until,
    sitting_for,
    spell_state,
)
from reminder.core.schedule import work_span_at
from reminder.notify.base import PromptMessage
from reminder.paths import bundled_file
from reminder.stretches import load_catalog

UTC = timezone.utc
PRESENT = Observation(idle_for=timedelta(0))
ASKED = Polling(idle=True, fullscreen=True)  # KDE, Windows, macOS: idle time is asked for


def berlin(day: str, clock: str) -> datetime:
    """A literal Berlin wall-clock time ("2026-12-01", "09:50[:30]"), fold 0."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BERLIN)


def local(instants: Sequence[datetime]) -> list[str]:
    """Instants as Berlin "HH:MM[:SS]" strings, the way a user reads them."""
    out = []
    for instant in instants:
        wall = instant.astimezone(BERLIN)
        out.append(f"{wall:%H:%M:%S}" if wall.second else f"{wall:%H:%M}")
    return out


ObservationAt = Callable[[datetime], Observation]


def last_input(at: datetime) -> ObservationAt:
    """The user stopped touching keyboard and mouse at `at` (present before)."""
    return lambda now: Observation(idle_for=max(timedelta(0), now - at))


@dataclass
class Desk:
    """The real policy, driven by `drive` the way the service's engine drives it."""

    config: Config
    state: PolicyState = field(default_factory=PolicyState)
    now: datetime | None = None
    wake_at: datetime | None = None  # what the last `drive` (or command) asked for
    last_obs: Observation = PRESENT
    prompts: list[datetime] = field(default_factory=list)
    dues: list[PromptDue] = field(default_factory=list)
    ended: list[SpellEnded] = field(default_factory=list)
    actions: list[tuple[datetime, Action]] = field(default_factory=list)

    def _record(self, at: datetime, actions: Sequence[Action]) -> None:
        for action in actions:
            self.actions.append((at, action))
            if isinstance(action, PromptDue):
                self.prompts.append(at)
                self.dues.append(action)
            elif isinstance(action, SpellEnded):
                self.ended.append(action)

    def tick(self, at: datetime, obs: Observation = PRESENT) -> tuple[Action, ...]:
        """Observe at `at` and drive the policy once."""
        at = at.astimezone(UTC)  # the shell's clock speaks UTC
        result = drive(self.config, self.state, obs, at, ASKED)
        self.state, self.now, self.wake_at, self.last_obs = result.state, at, result.wake_at, obs
        self._record(at, result.actions)
        return result.actions

    def command(self, command: Command, at: datetime) -> tuple[Action, ...]:
        """A user command at `at`, then the wake-up the engine plans after one."""
        at = at.astimezone(UTC)
        step = apply_command(self.config, self.state, command, at)
        self.state = step.state
        self.wake_at = next_moment(self.config, self.state, self.last_obs, at, ASKED)
        self._record(at, step.actions)
        return step.actions

    def run(self, until: datetime, obs: ObservationAt | Observation = PRESENT) -> None:
        """Look every `check_every` after the last tick up to `until`, and at each wake-up
        `drive` asked for; `desk.tick` at a later instant plays a wake-up that came late."""
        assert self.now is not None, "tick once first"
        until = until.astimezone(UTC)
        observe = obs if callable(obs) else (lambda _now: obs)
        now = self.now
        while True:
            upcoming = now + self.config.activity.check_every
            if self.wake_at is not None:
                upcoming = min(upcoming, self.wake_at)
            if upcoming > until:
                return
            self.tick(upcoming, observe(upcoming))
            now = upcoming

    def sit(
        self, start: datetime, until: datetime, obs: ObservationAt | Observation = PRESENT
    ) -> None:
        """Tick at `start`, then run to `until`."""
        observe = obs if callable(obs) else (lambda _now: obs)
        self.tick(start, observe(start.astimezone(UTC)))
        self.run(until, obs)


def titles(dues: Sequence[PromptDue]) -> list[str]:
    """The notification titles a user would read for these prompts."""
    stretch = load_catalog()[0]
    return [
        PromptMessage(stretch, due.sitting_for, due.repeat, "guide", 10 * MIN).title for due in dues
    ]


def _every_ten(first: str, last: str) -> list[str]:
    """ "HH:MM" times ten minutes apart from `first` to `last`, both included."""
    start, end = (datetime.strptime(moment, "%H:%M") for moment in (first, last))
    out = []
    while start <= end:
        out.append(f"{start:%H:%M}")
        start += 10 * MIN
    return out


DAY = "2026-12-01"  # a Tuesday


# ----------------------------------------------------------- the first prompt


@pytest.mark.parametrize(
    ("limit", "start", "expected"),
    [
        (50 * MIN, "09:00", "09:50"),
        (45 * MIN, "09:00", "09:45"),
        (90 * SEC, "13:00", "13:01:30"),
        (25 * MIN, "10:07:20", "10:32:20"),
    ],
    ids=["50m-from-work-start", "45m", "90s-after-lunch", "25m-from-an-odd-second"],
)
def test_first_prompt_comes_exactly_at_the_sitting_limit(
    limit: timedelta, start: str, expected: str
) -> None:
    desk = Desk(make_config(sitting_limit=limit, repeat_every=30 * MIN))
    desk.sit(berlin(DAY, start), berlin(DAY, expected) + 10 * MIN)
    assert local(desk.prompts[:1]) == [expected]
    assert desk.dues[0] == PromptDue(sitting_for=limit, repeat=0)
    assert titles(desk.dues[:1])[0].startswith("Time to move:")


def test_no_prompt_one_second_before_the_limit() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:49:59"))
    assert desk.prompts == []
    assert spell_state(desk.config, desk.state, berlin(DAY, "09:49:59")) is SpellState.SITTING
    assert next_prompt_at(desk.config, desk.state, desk.now or berlin(DAY, "09:49:59")) == (
        berlin(DAY, "09:50")
    )


@pytest.mark.parametrize(
    ("repeat_every", "expected", "expected_titles"),
    [
        (
            10 * MIN,
            ["09:50", "10:00", "10:10", "10:20"],
            [
                "Time to move: 50 min sitting",
                "Still sitting, 1 hour now: time to get up",
                "Still sitting, 1 hour 10 min now: time to get up",
                "Still sitting, 1 hour 20 min now: time to get up",
            ],
        ),
        (
            7 * MIN,
            ["09:50", "09:57", "10:04", "10:11", "10:18"],
            [
                "Time to move: 50 min sitting",
                "Still sitting, 57 min now: time to get up",
                "Still sitting, 1 hour 4 min now: time to get up",
                "Still sitting, 1 hour 11 min now: time to get up",
                "Still sitting, 1 hour 18 min now: time to get up",
            ],
        ),
    ],
    ids=["every-10m", "every-7m"],
)
def test_prompts_repeat_while_sitting_with_wording_that_counts_up(
    repeat_every: timedelta, expected: list[str], expected_titles: list[str]
) -> None:
    desk = Desk(make_config(repeat_every=repeat_every))
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "10:24"))
    assert local(desk.prompts) == expected
    assert [due.repeat for due in desk.dues] == list(range(len(expected)))
    assert titles(desk.dues) == expected_titles


# -------------------------------------------------------------------- snooze


@pytest.mark.parametrize(
    ("snooze_at", "snooze", "expected"),
    [
        ("09:51", Snooze(30 * MIN), ["09:50", "10:21", "10:31"]),
        ("09:51", Snooze(), ["09:50", "10:01", "10:11", "10:21", "10:31"]),
        ("09:30", Snooze(30 * MIN), ["10:00", "10:10", "10:20", "10:30"]),
    ],
    ids=["30m-after-the-prompt", "default-option-10m", "before-the-first-prompt"],
)
def test_snooze_holds_prompts_and_one_comes_right_when_it_ends(
    snooze_at: str, snooze: Snooze, expected: list[str]
) -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, snooze_at))
    desk.command(snooze, berlin(DAY, snooze_at))
    assert spell_state(desk.config, desk.state, berlin(DAY, snooze_at)) is SpellState.SNOOZED
    desk.run(berlin(DAY, "10:35"))
    assert local(desk.prompts) == expected
    # the spell kept counting through the snooze
    assert desk.ended == []
    assert desk.dues[-1].sitting_for == berlin(DAY, expected[-1]) - berlin(DAY, "09:00")


def test_snooze_ending_after_the_user_left_brings_no_prompt() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:51"))
    desk.command(Snooze(30 * MIN), berlin(DAY, "09:51"))
    desk.run(berlin(DAY, "10:40"), last_input(berlin(DAY, "10:00")))
    assert local(desk.prompts) == ["09:50"]
    assert [(end.reason, local([end.ended])) for end in desk.ended] == [("idle", ["10:00"])]


def test_the_status_names_the_end_of_the_snooze_as_the_next_prompt() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:51"))
    snoozed = desk.command(Snooze(30 * MIN), berlin(DAY, "09:51"))
    assert snoozed == (Snoozed(berlin(DAY, "10:21")),)  # recorded: `stats` counts snoozes
    assert next_prompt_at(desk.config, desk.state, berlin(DAY, "09:55")) == berlin(DAY, "10:21")


def test_i_moved_ends_a_snooze_and_the_next_prompt_is_a_full_limit_later() -> None:
    """Snoozed for an hour at 09:51, the user gets up anyway and says so at 09:55:07:
    the snooze is over, a fresh spell starts, and its prompt comes at 10:45:07."""
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:51"))
    desk.command(Snooze(60 * MIN), berlin(DAY, "09:51"))
    desk.run(berlin(DAY, "09:55:07"))
    desk.command(TakeBreak(), berlin(DAY, "09:55:07"))
    assert spell_state(desk.config, desk.state, berlin(DAY, "09:56")) is SpellState.SITTING
    assert next_prompt_at(desk.config, desk.state, berlin(DAY, "09:56")) == (
        berlin(DAY, "10:45:07")
    )
    desk.run(berlin(DAY, "10:55"))
    assert local(desk.prompts) == ["09:50", "10:45:07"]


# --------------------------------------------------------------------- pause


def test_pause_stops_everything_until_its_end_then_a_fresh_spell_starts() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:40"))
    actions = desk.command(Pause(berlin(DAY, "11:00")), berlin(DAY, "09:40"))
    assert Paused(berlin(DAY, "11:00")) in actions
    assert [(end.reason, local([end.started, end.ended])) for end in desk.ended] == [
        ("pause", ["09:00", "09:40"])
    ]
    desk.run(berlin(DAY, "10:59:59"))
    assert desk.prompts == []
    assert spell_state(desk.config, desk.state, berlin(DAY, "10:30")) is SpellState.PAUSED
    assert next_prompt_at(desk.config, desk.state, berlin(DAY, "10:30")) is None
    desk.run(berlin(DAY, "12:00"))
    assert local(desk.prompts) == ["11:50"]


def test_a_pause_counts_no_sitting_from_before_its_end() -> None:
    """Input seconds before a pause ends must not be counted as sitting during the pause."""
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:40"))
    desk.command(Pause(berlin(DAY, "11:00")), berlin(DAY, "09:40"))
    # the user came back and touched the mouse at 10:58; the pause ends at 11:00
    desk.run(berlin(DAY, "11:00"), last_input(berlin(DAY, "10:58")))
    desk.run(berlin(DAY, "12:00"), PRESENT)
    assert local(desk.prompts) == ["11:50"]


@pytest.mark.parametrize(
    ("now", "days_off", "target", "expected"),
    [
        (berlin("2026-12-01", "10:00"), (), "tomorrow", berlin("2026-12-02", "00:00")),
        (berlin("2026-12-01", "10:00"), (), "next_work_day", berlin("2026-12-02", "09:00")),
        (berlin("2026-12-04", "16:00"), (), "next_work_day", berlin("2026-12-07", "09:00")),
        (
            berlin("2026-12-04", "16:00"),
            (date(2026, 12, 7),),
            "next_work_day",
            berlin("2026-12-08", "09:00"),
        ),
        (berlin("2026-12-05", "11:00"), (), "next_work_day", berlin("2026-12-07", "09:00")),
        (berlin("2026-12-01", "07:00"), (), "next_work_day", berlin("2026-12-02", "09:00")),
        (berlin("2026-03-28", "22:00"), (), "tomorrow", berlin("2026-03-29", "00:00")),
        (berlin("2026-03-29", "10:00"), (), "tomorrow", berlin("2026-03-30", "00:00")),
        (berlin("2026-10-25", "10:00"), (), "tomorrow", berlin("2026-10-26", "00:00")),
    ],
    ids=[
        "tomorrow-is-midnight",
        "next-work-day-tuesday-to-wednesday",
        "friday-to-monday",
        "friday-to-tuesday-over-a-monday-off",
        "saturday-to-monday",
        "before-work-still-the-next-day",
        "tomorrow-into-spring-forward",
        "tomorrow-out-of-the-23h-day",
        "tomorrow-out-of-the-25h-day",
    ],
)
def test_pause_targets_resolve_to_the_right_instant(
    now: datetime, days_off: tuple[date, ...], target: str, expected: datetime
) -> None:
    config = make_config(days_off=days_off)
    assert resolve_pause_until(config, target, now.astimezone(UTC)) == expected
    desk = Desk(config)
    actions = desk.command(Pause(target), now)  # type: ignore[arg-type]
    if refusal(config, PolicyState(), Pause(target), now) is None:  # type: ignore[arg-type]
        assert actions == (Paused(expected.astimezone(UTC)),)
        assert desk.state.paused_until == expected
    else:  # outside work hours, a pause that ends when work resumes anyway stops nothing
        assert actions == () and desk.state.paused_until is None


def test_pause_until_tomorrow_means_no_prompt_for_the_rest_of_the_day() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:10"))
    desk.command(Pause("tomorrow"), berlin(DAY, "09:10"))
    desk.run(berlin("2026-12-02", "09:55"))
    assert local(desk.prompts) == ["09:50"]
    assert desk.prompts[0].astimezone(BERLIN).date() == date(2026, 12, 2)


def test_a_pause_ends_a_snooze() -> None:
    """Snoozed for an hour at 09:51, paused 09:52-10:00: after the pause a fresh spell runs
    and its prompt comes at 10:50, not held back by the snooze set before the pause."""
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:51"))
    desk.command(Snooze(60 * MIN), berlin(DAY, "09:51"))
    desk.command(Pause(berlin(DAY, "10:00")), berlin(DAY, "09:51"))
    desk.run(berlin(DAY, "11:00"))
    assert local(desk.prompts) == ["09:50", "10:50", "11:00"]


def test_pausing_until_the_next_work_day_with_none_ahead_pauses_until_tomorrow() -> None:
    desk = Desk(make_config({}))
    actions = desk.command(Pause("next_work_day"), berlin(DAY, "10:00"))
    assert actions == (Paused(berlin("2026-12-02", "00:00").astimezone(UTC)),)


# -------------------------------------------------------------------- resume


def test_resume_ends_a_pause_and_starts_a_fresh_spell() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:30"))
    desk.command(Pause("tomorrow"), berlin(DAY, "09:30"))
    desk.run(berlin(DAY, "10:00"))
    desk.command(Resume(), berlin(DAY, "10:00"))
    assert spell_state(desk.config, desk.state, berlin(DAY, "10:00")) is SpellState.SITTING
    desk.run(berlin(DAY, "11:05"))
    assert local(desk.prompts) == ["10:50", "11:00"]
    assert desk.dues[0].repeat == 0


def test_resume_ends_a_snooze_and_prompts_keep_their_rhythm() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:51"))
    desk.command(Snooze(60 * MIN), berlin(DAY, "09:51"))
    desk.run(berlin(DAY, "09:55"))
    desk.command(Resume(), berlin(DAY, "09:55"))
    desk.run(berlin(DAY, "10:15"))
    assert local(desk.prompts) == ["09:50", "10:00", "10:10"]


# ----------------------------------------------------------------- breaks


@pytest.mark.parametrize(
    ("break_at", "expected"),
    [("09:30", ["10:20", "10:30", "10:40"]), ("09:52", ["09:50", "10:42"])],
    ids=["before-the-first-prompt", "after-a-prompt"],
)
def test_take_break_starts_a_fresh_spell(break_at: str, expected: list[str]) -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, break_at))
    desk.command(TakeBreak(), berlin(DAY, break_at))
    desk.run(berlin(DAY, "10:45"))
    assert local(desk.prompts) == expected
    fresh = [
        due for at, due in zip(desk.prompts, desk.dues, strict=True) if at > berlin(DAY, break_at)
    ]
    assert fresh[0].repeat == 0
    assert [(end.reason, local([end.started, end.ended])) for end in desk.ended] == [
        ("user", ["09:00", break_at])
    ]
    assert desk.ended[0].asked_by_user


@pytest.mark.parametrize(
    ("back_at", "expected_prompts", "expected_breaks"),
    [
        ("09:34:45", ["09:50"], []),
        ("09:40", ["10:30"], [("idle", "09:00", "09:30")]),
    ],
    ids=["away-4m45s-is-no-break", "away-10m-is-a-break"],
)
def test_idle_for_break_after_idle_ends_the_spell_at_the_last_input(
    back_at: str, expected_prompts: list[str], expected_breaks: list[tuple[str, str, str]]
) -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:30"))
    desk.run(berlin(DAY, back_at) - SEC, last_input(berlin(DAY, "09:30")))
    if expected_breaks:
        assert desk.state.spell_start is None
        assert desk.now is not None
        assert spell_state(desk.config, desk.state, desk.now) is SpellState.ON_BREAK
    desk.tick(berlin(DAY, back_at))
    desk.run(berlin(DAY, "10:35"))
    assert local(desk.prompts[:1]) == expected_prompts
    assert [
        (end.reason, *local([end.started, end.ended]), end.asked_by_user) for end in desk.ended
    ] == [(*row, False) for row in expected_breaks]


def test_a_return_counts_from_the_input_that_ended_the_break_not_from_the_next_look() -> None:
    """Back from a walk at 09:40:05: a key pressed, then a page read until 09:41. The
    service, which asks every 15 s while you are away, learns at 09:40:15 that the last
    input was 10 s ago: the new spell began at 09:40:05, and its prompt comes at 10:30:05."""
    back = berlin(DAY, "09:40:05")

    def world(now: datetime) -> Observation:
        if now < back:
            return Observation(idle_for=now - berlin(DAY, "09:30"))
        if now < berlin(DAY, "09:41"):
            return Observation(idle_for=now - back)
        return PRESENT

    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:30"))
    desk.run(berlin(DAY, "10:35"), world)
    assert [(end.reason, local([end.started, end.ended])) for end in desk.ended] == [
        ("idle", ["09:00", "09:30"])
    ]
    assert local(desk.prompts) == ["10:30:05"]
    assert desk.dues[0].sitting_for == 50 * MIN


def test_each_ended_spell_says_how_many_prompts_it_had() -> None:
    """`stats` tells breaks after a prompt from breaks taken on one's own by this count."""
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "10:05"))
    desk.run(berlin(DAY, "10:20"), last_input(berlin(DAY, "10:05")))
    assert desk.now is not None
    assert sitting_for(desk.state, desk.now) == timedelta(0)  # `status`: nobody is sitting
    desk.tick(berlin(DAY, "10:30"))
    desk.run(berlin(DAY, "10:40"))
    desk.command(TakeBreak(), berlin(DAY, "10:40"))
    assert [(end.reason, end.prompts) for end in desk.ended] == [("idle", 2), ("user", 0)]


def test_idle_break_is_seen_on_the_sample_that_reaches_break_after_idle() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:30"))
    desk.run(berlin(DAY, "09:34:45"), last_input(berlin(DAY, "09:30")))
    assert desk.state.spell_start is not None
    desk.tick(berlin(DAY, "09:35"), Observation(idle_for=5 * MIN))
    assert desk.state.spell_start is None
    assert desk.ended[-1].ended == berlin(DAY, "09:30")


def test_screen_lock_ends_the_spell() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:30"))
    desk.run(berlin(DAY, "09:30:59"), Observation(idle_for=5 * SEC, screen_locked=True))
    assert [(end.reason, local([end.started, end.ended])) for end in desk.ended] == [
        ("locked", ["09:00", "09:30:15"])
    ]
    assert spell_state(desk.config, desk.state, berlin(DAY, "09:31")) is SpellState.ON_BREAK
    desk.run(berlin(DAY, "10:25"))
    assert local(desk.prompts) == ["10:21"]


# ------------------------------------------------------- suspend and clocks


@pytest.mark.parametrize(
    "wake",
    [
        Observation(idle_for=timedelta(0), slept=True, clock_gap=80 * MIN),
        Observation(idle_for=timedelta(0), slept=True),
        Observation(idle_for=timedelta(0), clock_gap=80 * MIN),
        Observation(idle_for=None, clock_gap=80 * MIN),
    ],
    ids=["slept-and-gap", "slept-flag-only", "clock-gap-only", "gap-with-no-activity-source"],
)
def test_suspend_ends_the_spell_and_brings_no_burst_of_prompts(wake: Observation) -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:40"))
    # the lid closes at 09:40 and opens at 11:00; missed prompts are not made up for
    actions = desk.tick(berlin(DAY, "11:00"), wake)
    assert not [action for action in actions if isinstance(action, PromptDue)]
    assert [(end.reason, local([end.started, end.ended])) for end in desk.ended] == [
        ("suspend", ["09:00", "09:40"])
    ]
    desk.run(berlin(DAY, "12:00"), Observation(idle_for=wake.idle_for))
    assert local(desk.prompts) == ["11:50"]


def test_a_short_gap_is_no_break() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:40"))
    desk.tick(berlin(DAY, "09:42"), Observation(idle_for=timedelta(0), clock_gap=2 * MIN))
    desk.run(berlin(DAY, "09:55"))
    assert desk.ended == []
    assert local(desk.prompts) == ["09:50"]


@dataclass(frozen=True)
class Jump:
    """Sitting from `start`, the wall clock is set back by `back` at wall time `at`."""

    start: str
    at: str
    back: timedelta
    shell_reports_gap: bool = True


@pytest.mark.parametrize(
    ("jump", "expected_minutes"),
    [
        (Jump("10:00", "10:40", 30 * MIN), [50, 60]),
        (Jump("10:00", "10:40", 30 * MIN, shell_reports_gap=False), [50, 60]),
        (Jump("10:00", "10:55", 30 * MIN), [50, 60, 70]),
        (Jump("10:00", "10:20", 3 * MIN), [50, 60, 70]),
        (Jump("09:00", "09:40", 30 * MIN), [80, 90]),
    ],
    ids=[
        "back-30m-before-the-prompt",
        "back-30m-shell-saw-no-gap",
        "back-30m-between-repeats",
        "back-3m",
        "back-to-before-work-began",
    ],
)
def test_wall_clock_set_back_neither_prompts_early_nor_suppresses_prompts(
    jump: Jump, expected_minutes: list[int]
) -> None:
    """Prompts follow minutes really spent sitting, whatever the wall clock says.

    Only when the corrected clock puts part of the spell before work began does
    that part stop counting (outside work hours nothing is tracked); the spell
    goes on, it is not ended and restarted.
    """
    desk = Desk(make_config())
    start = berlin(DAY, jump.start)
    desk.command(TakeBreak(), start)
    desk.sit(start, berlin(DAY, jump.at))
    # physical time is the old wall clock; from now on the wall clock runs `back` behind it
    physical = berlin(DAY, jump.at) + desk.config.activity.check_every
    gap = -jump.back if jump.shell_reports_gap else timedelta(0)
    before = len(desk.prompts)
    desk.tick(physical - jump.back, Observation(idle_for=timedelta(0), clock_gap=gap))
    desk.run(start + (expected_minutes[-1] + 5) * MIN - jump.back)
    sat = [(prompt - start) / MIN for prompt in desk.prompts[:before]]
    sat += [(prompt + jump.back - start) / MIN for prompt in desk.prompts[before:]]
    step = desk.config.activity.check_every / MIN
    assert len(sat) == len(expected_minutes), sat
    for seen, expected in zip(sat, expected_minutes, strict=True):
        assert expected <= seen <= expected + step, sat
    assert [end.reason for end in desk.ended] == []


def test_a_snooze_is_not_stretched_by_a_clock_set_back() -> None:
    desk = Desk(make_config())
    desk.command(TakeBreak(), berlin(DAY, "10:00"))
    desk.sit(berlin(DAY, "10:00"), berlin(DAY, "10:50"))
    desk.command(Snooze(10 * MIN), berlin(DAY, "10:50"))
    desk.run(berlin(DAY, "10:55"))
    # at 10:55:15 the clock is set back by 30 minutes: the snooze has 5 real minutes left
    desk.tick(berlin(DAY, "10:25:15"), Observation(idle_for=timedelta(0), clock_gap=-30 * MIN))
    desk.run(berlin(DAY, "10:40"))
    assert local(desk.prompts) == ["10:50", "10:30", "10:40"]


def test_a_long_snooze_keeps_its_real_length_when_the_clock_is_set_back() -> None:
    """Snoozed for 30 min at 10:50; at 10:55:15 the clock is set back by 30 min: the snooze
    still has 25 real minutes left, so its prompt comes at 10:50 by the new clock."""
    desk = Desk(make_config())
    desk.command(TakeBreak(), berlin(DAY, "10:00"))
    desk.sit(berlin(DAY, "10:00"), berlin(DAY, "10:50"))
    desk.command(Snooze(30 * MIN), berlin(DAY, "10:50"))
    desk.run(berlin(DAY, "10:55"))
    desk.tick(berlin(DAY, "10:25:15"), Observation(idle_for=timedelta(0), clock_gap=-30 * MIN))
    assert next_prompt_at(desk.config, desk.state, berlin(DAY, "10:25:15")) == berlin(DAY, "10:50")
    desk.run(berlin(DAY, "10:55"))
    assert local(desk.prompts) == ["10:50", "10:50"]


def test_a_break_seen_before_a_clock_set_back_does_not_delay_the_next_spell() -> None:
    """Away from 09:30 (a break from 09:35); at 09:40 the clock is set back by 30 min; back
    at the desk at 09:50 real time (09:20 by the new clock): the spell starts then, and its
    prompt comes 50 minutes later, at 10:10 by the new clock."""
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:30"))
    desk.run(berlin(DAY, "09:39:59"), last_input(berlin(DAY, "09:30")))
    desk.tick(berlin(DAY, "09:10"), Observation(idle_for=10 * MIN, clock_gap=-30 * MIN))
    desk.run(berlin(DAY, "09:19:59"), last_input(berlin(DAY, "09:00")))
    desk.tick(berlin(DAY, "09:20"))
    desk.run(berlin(DAY, "10:15"))
    assert local(desk.prompts) == ["10:10"]


# ----------------------------------------------------------------- fullscreen


def test_fullscreen_holds_a_due_prompt_and_exactly_one_comes_after_it() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "09:45"))
    desk.run(berlin(DAY, "10:16:59"), Observation(idle_for=timedelta(0), fullscreen=True))
    assert desk.prompts == []
    held = [at for at, action in desk.actions if isinstance(action, PromptHeld)]
    assert local(held) == ["09:50"]
    desk.run(berlin(DAY, "10:35"))
    assert local(desk.prompts) == ["10:17", "10:27"]
    assert [due.repeat for due in desk.dues] == [0, 1]
    assert desk.dues[0].sitting_for == 77 * MIN


def test_fullscreen_does_not_hold_prompts_when_not_configured_to() -> None:
    desk = Desk(make_config(quiet_when_fullscreen=False))
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "10:05"), Observation(idle_for=SEC, fullscreen=True))
    assert local(desk.prompts) == ["09:50", "10:00"]


# ----------------------------------------------------------------- work hours


def test_work_hours_bound_spells_and_prompts() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "07:00"), berlin(DAY, "19:00"))
    assert local(desk.prompts) == _every_ten("09:50", "11:50") + _every_ten("13:50", "16:50")
    assert [(end.reason, local([end.started, end.ended])) for end in desk.ended] == [
        ("work_hours_end", ["09:00", "12:00"]),
        ("work_hours_end", ["13:00", "17:00"]),
    ]
    assert [due.repeat for due in desk.dues][:2] == [0, 1]
    first_afternoon = local(desk.prompts).index("13:50")
    assert desk.dues[first_afternoon].repeat == 0
    assert spell_state(desk.config, desk.state, berlin(DAY, "12:30")) is SpellState.OFF_HOURS


def test_a_late_look_after_work_hours_end_still_ends_the_spell_at_their_end() -> None:
    """The service, busy, looks again only at 12:04: the spell ended at 12:00, not later."""
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "11:00"), berlin(DAY, "11:59:45"))
    desk.tick(berlin(DAY, "12:04"))
    assert [(end.reason, local([end.started, end.ended])) for end in desk.ended] == [
        ("work_hours_end", ["11:00", "12:00"])
    ]
    assert desk.state.spell_start is None


def test_the_status_shows_no_next_prompt_when_work_ends_before_it_is_due() -> None:
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "11:15"), berlin(DAY, "11:30"))
    # due at 12:05, but work ends at 12:00: no prompt will come in these work hours
    assert next_prompt_at(desk.config, desk.state, berlin(DAY, "11:30")) is None
    assert spell_state(desk.config, desk.state, berlin(DAY, "11:30")) is SpellState.SITTING
    on_the_stroke = Desk(make_config())  # due at 12:00 itself, when work ends: none either
    on_the_stroke.sit(berlin(DAY, "11:10"), berlin(DAY, "11:30"))
    assert next_prompt_at(on_the_stroke.config, on_the_stroke.state, berlin(DAY, "11:30")) is None


def test_a_spell_outside_new_work_hours_ends_when_they_are_read() -> None:
    """Work hours edited while a spell runs (the service reloads its configuration): the
    spell that began at 09:00, now outside work hours, ends at the next look."""
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "10:00"))
    desk.config = make_config({"tuesday": ["10:00-17:00"]})
    desk.tick(berlin(DAY, "10:00:15"))
    assert [(end.reason, local([end.ended])) for end in desk.ended] == [
        ("work_hours_end", ["10:00:15"])
    ]


def test_plan_matches_the_acceptance_example() -> None:
    """`plan --date 2026-12-01` with 09:00-12:00, 13:00-17:00 and a 50-minute limit."""
    plan = plan_day(make_config(), date(2026, 12, 1))
    prompts = plan.to_json(make_config())["prompts"]
    assert prompts[0] == "09:50"
    assert not [moment for moment in prompts if "12:00" <= moment < "13:00"]
    assert prompts[prompts.index("11:50") + 1] == "13:50"


@pytest.mark.parametrize(
    ("day", "days_off"),
    [("2026-12-24", (date(2026, 12, 24),)), ("2026-12-05", ())],
    ids=["holiday-in-days-off", "saturday-with-no-hours"],
)
def test_a_day_off_has_no_prompts(day: str, days_off: tuple[date, ...]) -> None:
    desk = Desk(make_config(days_off=days_off))
    desk.sit(berlin(day, "08:00"), berlin(day, "18:00"))
    assert desk.prompts == []
    assert desk.state.spell_start is None
    assert spell_state(desk.config, desk.state, berlin(day, "10:00")) is SpellState.OFF_HOURS
    assert plan_day(desk.config, date.fromisoformat(day)).prompts == ()


def test_a_whole_day_range_on_back_to_back_days_keeps_a_spell_across_midnight() -> None:
    every_day = {day: ["00:00-24:00"] for day in WEEKDAYS}
    desk = Desk(make_config(every_day))
    desk.sit(berlin("2026-12-01", "23:30"), berlin("2026-12-02", "00:45"))
    assert local(desk.prompts) == ["00:20", "00:30", "00:40"]
    assert desk.ended == []


def test_a_spell_ends_at_midnight_when_the_next_day_starts_later() -> None:
    desk = Desk(make_config({"tuesday": ["20:00-24:00"], "wednesday": ["00:10-01:00"]}))
    desk.sit(berlin("2026-12-01", "23:30"), berlin("2026-12-02", "01:10"))
    assert desk.prompts == []  # 30 + 50 minutes, but never 50 in one go
    assert [(end.reason, local([end.started, end.ended])) for end in desk.ended] == [
        ("work_hours_end", ["23:30", "00:00"]),
        ("work_hours_end", ["00:10", "01:00"]),
    ]


def test_touching_ranges_on_one_day_are_two_ranges() -> None:
    """Only 24:00 meeting the next day's 00:00 joins ranges; "09:00-12:00", "12:00-13:00"
    are two ranges, and the end of a range ends a spell (DESIGN.md, Behaviour)."""
    desk = Desk(make_config({"tuesday": ["09:00-12:00", "12:00-13:00"]}))
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "13:30"))
    assert local(desk.prompts) == [*_every_ten("09:50", "11:50"), "12:50"]
    assert [(end.reason, local([end.ended])) for end in desk.ended] == [
        ("work_hours_end", ["12:00"]),
        ("work_hours_end", ["13:00"]),
    ]


def test_back_to_back_days_merge_only_at_midnight() -> None:
    desk = Desk(make_config({"monday": ["20:00-24:00"], "tuesday": ["00:00-01:00"]}))
    desk.sit(berlin("2026-11-30", "23:30"), berlin("2026-12-01", "00:45"))
    assert local(desk.prompts) == ["00:20", "00:30", "00:40"]
    assert desk.ended == []


# ---------------------------------------------------------- no activity source


def test_without_activity_detection_the_spell_is_time_at_work_since_the_last_break() -> None:
    blind = Observation(idle_for=None)
    desk = Desk(make_config())
    desk.sit(berlin(DAY, "09:00"), berlin(DAY, "10:05"), blind)
    desk.command(TakeBreak(), berlin(DAY, "10:05"))
    desk.run(berlin(DAY, "12:30"), blind)
    assert local(desk.prompts) == [
        "09:50",
        "10:00",
        "10:55",
        "11:05",
        "11:15",
        "11:25",
        "11:35",
        "11:45",
        "11:55",
    ]
    assert [end.reason for end in desk.ended] == ["user", "work_hours_end"]


# -------------------------------------------------------------- daylight saving

SPRING, AUTUMN = "2026-03-29", "2026-10-25"


@pytest.mark.parametrize(
    ("day", "hours", "span_hours"),
    [
        (SPRING, "00:00-06:00", 5),
        (AUTUMN, "00:00-06:00", 7),
        (SPRING, "01:00-05:00", 3),
        (AUTUMN, "01:00-05:00", 5),
    ],
    ids=["spring-forward-00-06", "fall-back-00-06", "spring-forward-01-05", "fall-back-01-05"],
)
def test_daylight_saving_sundays_shorten_or_lengthen_the_span(
    day: str, hours: str, span_hours: int
) -> None:
    config = make_config({"sunday": [hours]})
    span = work_span_at(config.schedule, berlin(day, "01:30"))
    assert span is not None
    assert span.end - span.start == timedelta(hours=span_hours)


@pytest.mark.parametrize(
    ("day", "start", "expected_local"),
    [
        (SPRING, "01:30", "03:20"),
        (SPRING, "01:55", "03:45"),
        (AUTUMN, "02:30", "02:20"),
        (AUTUMN, "01:40", "02:30"),
    ],
    ids=["spring-forward-1h30", "spring-forward-1h55", "fall-back-2h30-summer", "fall-back-1h40"],
)
def test_prompts_follow_real_elapsed_time_across_the_change(
    day: str, start: str, expected_local: str
) -> None:
    desk = Desk(make_config({"sunday": ["00:00-06:00"]}))
    desk.sit(berlin(day, start), berlin(day, start) + timedelta(hours=2))
    assert local(desk.prompts[:1]) == [expected_local]
    assert desk.prompts[0] - berlin(day, start).astimezone(UTC) == 50 * MIN
    gaps = {later - earlier for earlier, later in pairwise(desk.prompts)}
    assert gaps == {10 * MIN}


@pytest.mark.parametrize(
    ("day", "hours", "expected"),
    [
        (SPRING, "00:00-06:00", _every_ten("00:50", "01:50") + _every_ten("03:00", "05:50")),
        (
            AUTUMN,
            "00:00-06:00",
            _every_ten("00:50", "02:50") + _every_ten("02:00", "05:50"),
        ),
        (SPRING, "01:00-05:00", ["01:50", *_every_ten("03:00", "04:50")]),
        (AUTUMN, "01:00-05:00", _every_ten("01:50", "02:50") + _every_ten("02:00", "04:50")),
    ],
    ids=["spring-forward-00-06", "fall-back-00-06", "spring-forward-01-05", "fall-back-01-05"],
)
def test_plan_for_the_daylight_saving_sundays(
    tmp_path: Path, day: str, hours: str, expected: list[str]
) -> None:
    """The plan uses a configuration read from a real TOML file by the real loader."""
    user = tmp_path / "config.toml"
    user.write_text(
        f'[schedule]\ntimezone = "Europe/Berlin"\n[schedule.work_hours]\nsunday = ["{hours}"]\n'
        '[reminders]\nsitting_limit = "50m"\nrepeat_every = "10m"\n',
        encoding="utf-8",
    )
    config = load_layers(
        [Layer(bundled_file("default.toml"), "default"), Layer(user, "user")]
    ).config
    plan = plan_day(config, date.fromisoformat(day))
    assert plan.to_json(config)["prompts"] == expected
    gaps = {later - earlier for earlier, later in pairwise(plan.prompts)}
    assert gaps == {10 * MIN}
