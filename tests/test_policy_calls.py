"""Calls, Do Not Disturb, full-screen holds and refusals, on literal Berlin days.

The policy is driven by `drive`, the engine's own driving function: each step
observes at the instant the previous step asked to be woken (or at an event the
test names), exactly as the engine does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

import pytest
from policy_config import BERLIN, MIN, SEC, make_config

from reminder.configuration.model import Config
from reminder.core.model import Pause, Resume, Snooze, TakeBreak
from reminder.core.policy import (
    Action,
    HoldEnded,
    Observation,
    PolicyState,
    Polling,
    PromptDue,
    PromptHeld,
    SignalStuck,
    SpellEnded,
    apply_command,
    drive,
    next_prompt_at,
    refusal,
)

DAY = "2026-12-01"  # a Tuesday
HOUR = 60 * MIN


def berlin(clock: str, day: str = DAY) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BERLIN)


def hhmm(moment: datetime) -> str:
    wall = moment.astimezone(BERLIN)
    return f"{wall:%H:%M:%S}" if wall.second else f"{wall:%H:%M}"


World = Callable[[datetime], Observation]


@dataclass
class Run:
    """The policy driven by `drive` through a day the test describes as a function of time."""

    config: Config
    world: World
    polling: Polling = field(default_factory=Polling)
    state: PolicyState = field(default_factory=PolicyState)
    log: list[tuple[datetime, Action]] = field(default_factory=list)
    wakes: list[datetime] = field(default_factory=list)

    def until(self, start: datetime, end: datetime, events: tuple[datetime, ...] = ()) -> None:
        """Observe at `start`, at every wake-up asked for, and at each event, up to `end`."""
        pending = sorted(events)
        now: datetime | None = start
        while now is not None and now <= end:
            result = drive(self.config, self.state, self.world(now), now, self.polling)
            self.state = result.state
            self.log += [(now, action) for action in result.actions]
            self.wakes.append(now)
            upcoming = [moment for moment in (result.wake_at, *pending) if moment is not None]
            upcoming = [moment for moment in upcoming if moment > now]
            now = min(upcoming, default=None)
            pending = [moment for moment in pending if now is None or moment > now]

    def prompts(self) -> list[tuple[str, PromptDue]]:
        return [(hhmm(at), action) for at, action in self.log if isinstance(action, PromptDue)]

    def of(self, kind: type) -> list[tuple[str, Action]]:
        return [(hhmm(at), action) for at, action in self.log if isinstance(action, kind)]


def call_between(start: str, end: str, *, idle_from: str | None = None) -> World:
    """A call from `start` to `end`; keyboard untouched from `idle_from` (default: the call)."""
    call_start, call_end = berlin(start), berlin(end)
    idle_start = berlin(idle_from or start)

    def world(now: datetime) -> Observation:
        idle = max(timedelta(0), now - idle_start)
        return Observation(idle_for=idle, in_call=call_start <= now < call_end)

    return world


def test_a_call_holds_the_prompt_and_one_comes_after_call_worded_for_it() -> None:
    """Sat from 09:00, a call 09:30-10:25 with no typing at all: held at 09:50, and one
    prompt at 10:26 (after_call = 1 min) that says how long the call was."""
    run = Run(make_config(), call_between("09:30", "10:25", idle_from="09:30"))
    run.until(berlin("09:00"), berlin("10:40"), events=(berlin("09:30"), berlin("10:25")))
    assert [at for at, _ in run.of(PromptHeld)] == ["09:50"]
    [(at, prompt)] = [item for item in run.prompts() if item[0] <= "10:30"]
    assert at == "10:26"
    assert prompt.after_call == 55 * MIN
    assert prompt.sitting_for == 86 * MIN  # the spell kept counting through the call
    # 55 minutes without input was not a break (leaving for good after it is, at 10:36)
    assert [at for at, _ in run.of(SpellEnded)] == ["10:36"]
    assert [(at, held.length) for at, held in run.of(HoldEnded)] == [("10:25", 35 * MIN)]


def test_idle_after_a_call_counts_from_the_call_end_not_from_the_last_key() -> None:
    """Untouched keyboard since 09:30; the call ends 10:00; away is only 5 min after 10:00."""
    run = Run(make_config(), call_between("09:30", "10:00", idle_from="09:30"))
    run.until(berlin("09:00"), berlin("10:20"), events=(berlin("09:30"), berlin("10:00")))
    polling_run = Run(
        make_config(), call_between("09:30", "10:00", idle_from="09:30"), Polling(idle=True)
    )
    polling_run.until(berlin("09:00"), berlin("10:20"), events=(berlin("09:30"),))
    for each in (run, polling_run):
        ends = each.of(SpellEnded)
        assert ends, "the person left at the end of the call"
        _, ended = ends[0]
        assert isinstance(ended, SpellEnded) and ended.reason == "idle"
        assert hhmm(ended.ended) == "10:00"  # the break began when the call ended
    assert [at for at, _ in polling_run.of(SpellEnded)] == ["10:05"]  # asked when it could be


def test_a_locked_screen_during_a_call_is_still_a_break() -> None:
    def world(now: datetime) -> Observation:
        return Observation(
            idle_for=timedelta(0),
            in_call=now >= berlin("09:20"),
            screen_locked=now >= berlin("09:30"),
        )

    run = Run(make_config(), world)
    run.until(berlin("09:00"), berlin("09:35"), events=(berlin("09:20"), berlin("09:30")))
    assert [(at, end.reason) for at, end in run.of(SpellEnded)] == [("09:30", "locked")]


def test_a_call_blip_shorter_than_after_call_brings_no_prompt_in_between() -> None:
    """The microphone drops for 20 s at 10:00 (a mute): no prompt during the blip."""

    def world(now: datetime) -> Observation:
        in_call = berlin("09:40") <= now < berlin("10:30") and not (
            berlin("10:00") <= now < berlin("10:00:20")
        )
        return Observation(idle_for=timedelta(0), in_call=in_call)

    run = Run(make_config(), world)
    events = (berlin("09:40"), berlin("10:00"), berlin("10:00:20"), berlin("10:30"))
    run.until(berlin("09:00"), berlin("10:35"), events=events)
    assert [at for at, _ in run.prompts()] == ["10:31"]


def test_several_calls_in_a_row_bring_no_burst() -> None:
    """Three back-to-back calls after the limit: prompts at least repeat_every apart."""
    ends = ["10:00", "10:03", "10:06"]

    def world(now: datetime) -> Observation:
        spans = [("09:40", "10:00"), ("10:02", "10:03"), ("10:05", "10:06")]
        in_call = any(berlin(a) <= now < berlin(b) for a, b in spans)
        return Observation(idle_for=timedelta(0), in_call=in_call)

    run = Run(make_config(), world)
    events = tuple(berlin(t) for t in ("09:40", "10:00", "10:02", "10:03", "10:05", "10:06"))
    run.until(berlin("09:00"), berlin("10:20"), events=events)
    times = [at for at, _ in run.prompts()]
    assert times[0] == "10:01"
    assert all((berlin(b) - berlin(a)) >= 10 * MIN for a, b in pairwise(times)), times
    assert ends  # the calls really ended in the window


def test_do_not_disturb_holds_prompts_but_walking_away_is_still_a_break() -> None:
    def dnd_at_desk(now: datetime) -> Observation:
        return Observation(idle_for=timedelta(0), dnd=now < berlin("10:10"))

    run = Run(make_config(), dnd_at_desk)
    run.until(berlin("09:00"), berlin("10:20"), events=(berlin("10:10"),))
    assert [at for at, held in run.of(PromptHeld)] == ["09:50"]
    assert [at for at, _ in run.prompts()] == ["10:11"]

    def dnd_and_gone(now: datetime) -> Observation:
        return Observation(idle_for=max(timedelta(0), now - berlin("09:20")), dnd=True)

    away = Run(make_config(), dnd_and_gone, Polling(idle=True))
    away.until(berlin("09:00"), berlin("09:40"))
    assert [(at, end.reason) for at, end in away.of(SpellEnded)] == [("09:25", "idle")]


def test_a_full_screen_window_holds_until_it_closes_then_prompts_at_once() -> None:
    def world(now: datetime) -> Observation:
        return Observation(idle_for=timedelta(0), fullscreen=now < berlin("10:07"))

    run = Run(make_config(), world)
    run.until(berlin("09:00"), berlin("10:10"), events=(berlin("10:07"),))
    assert run.prompts()[0][0] == "10:07"
    assert run.prompts()[0][1].after_call is None


def test_a_stuck_call_signal_expires_after_max_hold_with_a_warning() -> None:
    def world(now: datetime) -> Observation:
        return Observation(idle_for=timedelta(0), in_call=True)

    run = Run(make_config(max_hold=60 * MIN), world)
    run.until(berlin("09:00"), berlin("10:20"))
    assert [at for at, _ in run.of(SignalStuck)] == ["10:00"]
    assert [at for at, _ in run.prompts()][:2] == ["10:00", "10:10"]


@pytest.mark.parametrize("quiet", [False, True], ids=["calls-not-heeded", "calls-heeded"])
def test_quiet_during_calls_off_prompts_during_the_call(quiet: bool) -> None:
    def typing_on_a_call(now: datetime) -> Observation:
        return Observation(idle_for=timedelta(0), in_call=now >= berlin("09:30"))

    run = Run(make_config(quiet_during_calls=quiet), typing_on_a_call)
    run.until(berlin("09:00"), berlin("10:00"), events=(berlin("09:30"),))
    assert bool(run.prompts()) is not quiet


def test_held_prompts_show_no_next_prompt_time() -> None:
    run = Run(make_config(), call_between("09:30", "11:00"))
    run.until(berlin("09:00"), berlin("10:00"), events=(berlin("09:30"),))
    assert run.state.held_for == "call"
    assert next_prompt_at(run.config, run.state, berlin("10:00")) is None


def test_a_camera_that_must_be_asked_is_asked_while_a_call_is_on_only() -> None:
    run = Run(make_config(), call_between("09:30", "09:32"), Polling(calls=True))
    run.until(berlin("09:00"), berlin("09:40"), events=(berlin("09:30"),))
    during = [w for w in run.wakes if berlin("09:30") <= w <= berlin("09:32:30")]
    assert len(during) > 4  # asked every check_every (15 s) while on
    assert not [w for w in run.wakes if berlin("09:33") <= w <= berlin("09:40")]


# ------------------------------------------------------------------ refusals


PAUSED = PolicyState(paused_until=berlin("09:00", "2026-12-02"))


@pytest.mark.parametrize(
    ("state", "at", "command", "reason", "until"),
    [
        (PAUSED, "10:00", Snooze(), "paused", berlin("09:00", "2026-12-02")),
        (PAUSED, "10:00", TakeBreak(), "paused", berlin("09:00", "2026-12-02")),
        (PolicyState(), "19:00", Snooze(), "off_hours", berlin("09:00", "2026-12-02")),
        (PolicyState(), "19:00", TakeBreak(), "off_hours", berlin("09:00", "2026-12-02")),
        (PolicyState(), "10:00", Resume(), "nothing_to_resume", None),
    ],
    ids=["snooze-paused", "break-paused", "snooze-evening", "break-evening", "resume-nothing"],
)
def test_commands_that_would_change_nothing_are_refused_with_the_reason(
    state: PolicyState, at: str, command: object, reason: str, until: datetime | None
) -> None:
    config = make_config()
    refused = refusal(config, state, command, berlin(at))  # type: ignore[arg-type]
    assert refused is not None and refused.reason == reason and refused.until == until
    step = apply_command(config, state, command, berlin(at))  # type: ignore[arg-type]
    assert step.state == state and step.actions == ()


def test_a_day_off_is_named_as_such() -> None:
    config = make_config(days_off=[berlin("09:00").date()])
    refused = refusal(config, PolicyState(), Snooze(), berlin("10:00"))
    assert refused is not None and refused.reason == "day_off"
    assert refused.until == berlin("09:00", "2026-12-02")


def test_useful_commands_are_not_refused() -> None:
    config = make_config()
    sitting = PolicyState(spell_start=berlin("09:00"), last_tick_at=berlin("09:30"))
    for command in (Snooze(), TakeBreak(), Pause()):
        assert refusal(config, sitting, command, berlin("09:30")) is None
    snoozed = PolicyState(snoozed_until=berlin("10:00"))
    assert refusal(config, snoozed, Resume(), berlin("09:30")) is None
    assert refusal(config, PAUSED, Resume(), berlin("10:00")) is None


def test_break_clears_a_snooze_and_starts_a_fresh_spell_now() -> None:
    config = make_config()
    state = PolicyState(spell_start=berlin("09:00"), snoozed_until=berlin("10:30"))
    step = apply_command(config, state, TakeBreak(), berlin("10:00"))
    assert step.state.snoozed_until is None
    assert step.state.spell_start == berlin("10:00")
    assert next_prompt_at(config, step.state, berlin("10:00")) == berlin("10:50")


def test_idle_threshold_is_the_next_moment_for_a_source_that_must_be_asked() -> None:
    """Present with 2 min idle: ask again exactly when 5 min idle could first be reached."""
    config = make_config()
    state = PolicyState(spell_start=berlin("09:00"), last_tick_at=berlin("09:10"))
    obs = Observation(idle_for=2 * MIN)
    result = drive(config, state, obs, berlin("09:10"), Polling(idle=True))
    assert result.wake_at == berlin("09:13")
    announced = drive(config, state, obs, berlin("09:10"), Polling())
    assert announced.wake_at == berlin("09:50")  # the prompt: nothing else needs asking
    away = drive(config, state, Observation(idle_for=6 * MIN), berlin("09:10"), Polling(idle=True))
    assert away.wake_at == berlin("09:10") + 15 * SEC  # away: notice the return


def test_a_pause_after_work_that_ends_before_work_resumes_is_refused() -> None:
    """At 19:00 nothing is tracked until 09:00 tomorrow: pausing until then stops nothing."""
    config = make_config()
    evening = berlin("19:00")
    for until in ("next_work_day", "tomorrow"):
        refused = refusal(config, PolicyState(), Pause(until), evening)  # type: ignore[arg-type]
        assert refused is not None and refused.reason == "off_hours"
        assert refused.until == berlin("09:00", "2026-12-02")
    longer = Pause(berlin("12:00", "2026-12-03"))
    assert refusal(config, PolicyState(), longer, evening) is None
    lunch = berlin("12:30")
    assert refusal(config, PolicyState(), Pause("next_work_day"), lunch) is None
