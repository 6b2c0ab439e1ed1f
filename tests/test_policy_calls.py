"""Calls, Do Not Disturb, full-screen holds and refusals, on literal Berlin days.

The policy is driven by `drive`, the engine's own driving function: each step
observes at the instant the previous step asked to be woken (or at an event the
test names), exactly as the engine does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import TypeVar

import pytest
from policy_config import BERLIN, MIN, SEC, make_config

from reminder.configuration.model import Config
from reminder.core.model import Command, Pause, Resume, Snooze, TakeBreak
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
ActionT = TypeVar("ActionT")


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

    def of(self, kind: type[ActionT]) -> list[tuple[str, ActionT]]:
        return [(hhmm(at), action) for at, action in self.log if isinstance(action, kind)]


def set_back(run: Run, real: World, at: datetime, by: timedelta) -> None:
    """The wall clock is set back by `by` at real time `at`: one look right then (the
    engine sees the jump), and from there on `run` sees the world by the new clock."""
    jumped = drive(run.config, run.state, replace(real(at), clock_gap=-by), at - by, run.polling)
    run.state = jumped.state
    run.log += [(at - by, action) for action in jumped.actions]
    run.world = lambda wall: real(wall + by)


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
    assert [(at, held.reason) for at, held in run.of(PromptHeld)] == [("09:50", "call")]
    [(at, prompt)] = [item for item in run.prompts() if item[0] <= "10:30"]
    assert at == "10:26"
    assert prompt.after_call == 55 * MIN
    assert prompt.sitting_for == 86 * MIN  # the spell kept counting through the call
    # 55 minutes without input was not a break (leaving for good after it is, at 10:36)
    assert [at for at, _ in run.of(SpellEnded)] == ["10:36"]
    assert [(at, held) for at, held in run.of(HoldEnded)] == [
        ("10:25", HoldEnded("call", 35 * MIN))  # the history counts it as a call held
    ]
    assert run.state.held_since is None  # status --json shows no held_since once nothing is


def test_a_snooze_right_after_a_call_brings_a_plain_prompt_when_it_ends() -> None:
    """The call ends at 10:25 with the prompt due; the user snoozes for 20 s at 10:25:05:
    the prompt comes when the snooze ends, not at the call's grace, and is no longer
    worded for the call."""
    run = Run(make_config(), call_between("09:30", "10:25"))
    run.until(berlin("09:00"), berlin("10:25:05"), events=(berlin("09:30"), berlin("10:25")))
    step = apply_command(run.config, run.state, Snooze(20 * SEC), berlin("10:25:05"))
    run.state = step.state
    run.until(berlin("10:25:05"), berlin("10:30"))
    assert [(at, due.after_call) for at, due in run.prompts()] == [("10:25:25", None)]


def test_a_call_across_a_clock_set_back_is_held_and_released_by_real_time() -> None:
    """As above, but at 10:00 the wall clock is set back by 30 min (the call goes on until
    10:25 real time, 09:55 by the new clock): the hold lasts its real 35 min, the prompt
    comes a minute after the call, worded for its real 55 min, and leaving for good after
    it is a break from the call's end."""
    back = 30 * MIN
    real = call_between("09:30", "10:25", idle_from="09:30")

    run = Run(make_config(), real)
    run.until(berlin("09:00"), berlin("09:59:59"), events=(berlin("09:30"),))
    set_back(run, real, berlin("10:00"), back)
    run.until(berlin("09:30:01"), berlin("10:10"), events=(berlin("09:55"),))
    assert [(at, held) for at, held in run.of(HoldEnded)] == [
        ("09:55", HoldEnded("call", 35 * MIN))
    ]
    [(at, prompt)] = run.prompts()
    # sitting counts from 09:00 by the new clock: before that, work had not begun
    assert (at, prompt.after_call, prompt.sitting_for) == ("09:56", 55 * MIN, 56 * MIN)
    assert [(at, hhmm(end.ended)) for at, end in run.of(SpellEnded)] == [("10:06", "09:55")]


def test_leaving_after_a_call_is_a_break_by_real_time_across_a_clock_set_back() -> None:
    """No key touched since 09:30; the call ends at 10:00 and the person leaves; at 10:02
    the clock is set back by 30 min: the break is seen 5 real minutes after the call, at
    09:35 by the new clock, and began when the call ended (09:30 by the new clock)."""
    real = call_between("09:30", "10:00", idle_from="09:30")
    run = Run(make_config(), real, Polling(idle=True))
    run.until(berlin("09:00"), berlin("10:01:59"), events=(berlin("09:30"), berlin("10:00")))
    set_back(run, real, berlin("10:02"), 30 * MIN)
    run.until(berlin("09:32:01"), berlin("09:50"))
    assert [(at, end.reason, hhmm(end.ended)) for at, end in run.of(SpellEnded)] == [
        ("09:35", "idle", "09:30")
    ]


def test_the_grace_after_a_call_is_real_time_across_a_clock_set_back() -> None:
    """The call ends at 10:25 with the prompt due (it comes a minute later); at 10:25:30
    the clock is set back by 30 min: the prompt comes at 09:56 by the new clock."""
    real = call_between("09:30", "10:25")
    run = Run(make_config(), real)
    run.until(berlin("09:00"), berlin("10:25:29"), events=(berlin("09:30"), berlin("10:25")))
    set_back(run, real, berlin("10:25:30"), 30 * MIN)
    run.until(berlin("09:55:31"), berlin("10:00"))
    assert [at for at, _ in run.prompts()] == ["09:56"]


@pytest.mark.parametrize("signal", ["call", "dnd", "fullscreen"])
def test_the_hold_limit_counts_real_time_across_a_clock_set_back(signal: str) -> None:
    """A signal on from 09:30 that never goes off (max_hold 1 h); at 10:00 the clock is set
    back by 30 min: it is taken for stuck an hour after it came on, 10:00 by the new clock."""
    back = 30 * MIN

    def real(now: datetime) -> Observation:
        on = now >= berlin("09:30")
        return Observation(
            idle_for=timedelta(0),
            in_call=on and signal == "call",
            dnd=on and signal == "dnd",
            fullscreen=on and signal == "fullscreen",
        )

    run = Run(make_config(max_hold=60 * MIN), real)
    run.until(berlin("09:00"), berlin("09:59:59"), events=(berlin("09:30"),))
    set_back(run, real, berlin("10:00"), back)
    run.until(berlin("09:30:01"), berlin("10:20"))
    assert [(at, hhmm(stuck.since)) for at, stuck in run.of(SignalStuck)] == [("10:00", "09:00")]


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


def test_a_full_screen_window_that_must_be_asked_about_is_asked_while_it_holds() -> None:
    """Where full-screen windows are not announced, a held prompt is asked about every
    check_every: it comes within 15 s of the window closing (10:07), not hours later."""

    def world(now: datetime) -> Observation:
        return Observation(idle_for=timedelta(0), fullscreen=now < berlin("10:07"))

    run = Run(make_config(), world, Polling(fullscreen=True))
    run.until(berlin("09:00"), berlin("10:10"))
    [(at, _), *_] = run.prompts()
    assert "10:07" <= at <= "10:07:15"


def test_outside_work_hours_the_service_asks_nothing_until_work_starts() -> None:
    config = make_config()
    evening = berlin("19:00")
    result = drive(
        config,
        PolicyState(),
        Observation(idle_for=timedelta(0)),
        evening,
        Polling(idle=True, fullscreen=True, calls=True),
    )
    assert result.wake_at == berlin("09:00", "2026-12-02")


def test_only_the_first_prompt_after_a_call_is_worded_for_it() -> None:
    def typing_on_a_call(now: datetime) -> Observation:
        return Observation(idle_for=timedelta(0), in_call=berlin("09:30") <= now < berlin("10:25"))

    run = Run(make_config(), typing_on_a_call)
    run.until(berlin("09:00"), berlin("10:40"), events=(berlin("09:30"), berlin("10:25")))
    assert [(at, due.after_call) for at, due in run.prompts()] == [
        ("10:26", 55 * MIN),
        ("10:36", None),
    ]


def test_a_spell_that_ends_in_the_grace_after_a_call_leaves_no_call_wording_behind() -> None:
    """The call ends at 10:25 with the prompt due; the screen is locked at 10:25:10, before
    the prompt came; back at 10:40: the next spell's prompt (11:30) is a plain one."""
    call = call_between("09:30", "10:25")

    def world(now: datetime) -> Observation:
        locked = berlin("10:25:10") <= now < berlin("10:40")
        idle = timedelta(0) if now >= berlin("10:40") else call(now).idle_for
        return replace(call(now), screen_locked=locked, idle_for=idle)

    run = Run(make_config(), world)
    events = (berlin("09:30"), berlin("10:25"), berlin("10:25:10"), berlin("10:40"))
    run.until(berlin("09:00"), berlin("11:35"), events=events)
    assert [(at, due.after_call) for at, due in run.prompts()] == [("11:30", None)]


def test_a_stuck_call_signal_expires_after_max_hold_with_a_warning() -> None:
    def world(now: datetime) -> Observation:
        return Observation(idle_for=timedelta(0), in_call=True)

    run = Run(make_config(max_hold=60 * MIN), world)
    run.until(berlin("09:00"), berlin("10:20"))
    assert [at for at, _ in run.of(SignalStuck)] == ["10:00"]
    assert [at for at, _ in run.prompts()][:2] == ["10:00", "10:10"]


def test_a_call_signal_taken_for_stuck_no_longer_keeps_someone_who_left_sitting() -> None:
    """A microphone left "in use" since 09:00 by someone who walked away then: once it is
    taken for stuck (max_hold 1 h, at 10:00), being away is a break again, counted from the
    last look (every 15 s while on a call) that still took the call for real."""

    def world(now: datetime) -> Observation:
        return Observation(idle_for=max(timedelta(0), now - berlin("09:00")), in_call=True)

    run = Run(make_config(max_hold=60 * MIN), world, Polling(idle=True))
    run.until(berlin("09:00"), berlin("10:20"))
    assert [at for at, _ in run.of(SignalStuck)] == ["10:00"]
    assert [(at, end.reason, hhmm(end.ended)) for at, end in run.of(SpellEnded)] == [
        ("10:04:45", "idle", "09:59:45")
    ]


def test_two_signals_stuck_at_once_are_both_taken_for_stuck_once() -> None:
    """A call and Do Not Disturb both on since 09:00 (max_hold 1 h): both are taken for
    stuck at 10:00, each warned about once, and the prompts come again."""

    def world(now: datetime) -> Observation:
        return Observation(idle_for=timedelta(0), in_call=True, dnd=True)

    run = Run(make_config(max_hold=60 * MIN), world)
    run.until(berlin("09:00"), berlin("10:25"))
    assert [(at, stuck.kind) for at, stuck in run.of(SignalStuck)] == [
        ("10:00", "call"),
        ("10:00", "dnd"),
    ]
    assert [at for at, _ in run.prompts()] == ["10:00", "10:10", "10:20"]


def test_a_signal_taken_for_stuck_is_trusted_again_once_it_has_gone_off() -> None:
    """Do Not Disturb on 09:00-10:30 (max_hold 1 h: stuck at 10:00), off, then on again at
    11:00: the prompt due then waits for it as it should."""

    def world(now: datetime) -> Observation:
        dnd = now < berlin("10:30") or now >= berlin("11:00")
        return Observation(idle_for=timedelta(0), dnd=dnd)

    run = Run(make_config(max_hold=60 * MIN), world)
    run.until(berlin("09:00"), berlin("11:05"), events=(berlin("10:30"), berlin("11:00")))
    assert [at for at, _ in run.of(PromptHeld)] == ["09:50", "11:00"]
    assert [at for at, _ in run.prompts()] == ["10:00", "10:10", "10:20", "10:30", "10:40", "10:50"]


def test_a_full_screen_window_in_the_grace_after_a_call_brings_the_prompt_when_it_closes() -> None:
    """The call ends at 10:25 (the prompt would come at 10:26); a presentation is opened at
    10:25:10 and closed at 10:25:30: the prompt comes at once when it closes."""
    call = call_between("09:30", "10:25")

    def world(now: datetime) -> Observation:
        full = berlin("10:25:10") <= now < berlin("10:25:30")
        return replace(call(now), fullscreen=full)

    run = Run(make_config(), world)
    events = (berlin("09:30"), berlin("10:25"), berlin("10:25:10"), berlin("10:25:30"))
    run.until(berlin("09:00"), berlin("10:30"), events=events)
    assert [at for at, _ in run.prompts()] == ["10:25:30"]


@pytest.mark.parametrize("signal", ["call", "dnd", "fullscreen"])
def test_outside_work_hours_a_signal_is_not_tracked_and_counts_afresh_after(
    signal: str,
) -> None:
    """On all day with max_hold 1 h: taken for stuck at 10:00, then, after the lunch break
    (12:00-13:00, when nothing is tracked), trusted again and taken for stuck at 14:00."""

    def world(now: datetime) -> Observation:
        return Observation(
            idle_for=timedelta(0),
            in_call=signal == "call",
            dnd=signal == "dnd",
            fullscreen=signal == "fullscreen",
        )

    run = Run(make_config(max_hold=60 * MIN), world)
    run.until(berlin("09:00"), berlin("15:00"))
    assert [(at, stuck.kind, hhmm(stuck.since)) for at, stuck in run.of(SignalStuck)] == [
        ("10:00", signal, "09:00"),
        ("14:00", signal, "13:00"),
    ]


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
    state: PolicyState, at: str, command: Command, reason: str, until: datetime | None
) -> None:
    config = make_config()
    refused = refusal(config, state, command, berlin(at))
    assert refused is not None and refused.reason == reason and refused.until == until
    step = apply_command(config, state, command, berlin(at))
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
        refused = refusal(config, PolicyState(), Pause(until), evening)
        assert refused is not None and refused.reason == "off_hours"
        assert refused.until == berlin("09:00", "2026-12-02")
    longer = Pause(berlin("12:00", "2026-12-03"))
    assert refusal(config, PolicyState(), longer, evening) is None
    lunch = berlin("12:30")
    assert refusal(config, PolicyState(), Pause("next_work_day"), lunch) is None
