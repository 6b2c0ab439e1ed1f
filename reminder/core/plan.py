"""A day's plan for continuous sitting, computed by running the real policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from reminder.configuration.model import Config
from reminder.core.policy import Observation, PolicyState, PromptDue, drive
from reminder.core.schedule import local_instant, ranges_on


@dataclass(frozen=True)
class DayPlan:
    """Work hours and the prompts someone who never gets up would see."""

    day: date
    work_hours: tuple[tuple[str, str], ...]
    prompts: tuple[datetime, ...]  # UTC
    timezone: str

    def to_json(self, config: Config) -> dict[str, Any]:
        zone = config.schedule.zone
        return {
            "date": self.day.isoformat(),
            "timezone": self.timezone,
            "day_off": self.day in config.schedule.days_off,
            "work_hours": [list(pair) for pair in self.work_hours],
            "prompts": [f"{moment.astimezone(zone):%H:%M}" for moment in self.prompts],
        }

    def render(self, config: Config) -> str:
        data = self.to_json(config)
        lines = [f"{data['date']} ({self.day:%A}, {self.timezone})"]
        if data["day_off"]:
            lines.append("  day off: no reminders")
        elif not self.work_hours:
            lines.append("  no work hours")
        for start, end in self.work_hours:
            lines.append(f"  work {start}-{end}")
        prompts = data["prompts"]
        lines.append(
            f"  prompts if you never get up ({len(prompts)}): " + (", ".join(prompts) or "none")
        )
        return "\n".join(lines)


def plan_day(config: Config, day: date) -> DayPlan:
    """Run the policy over `day` with someone always at the keyboard."""
    schedule = config.schedule
    start = local_instant(schedule, day, 0)
    end = local_instant(schedule, day, 24 * 60)
    present = Observation(idle_for=timedelta(0))
    state = PolicyState()
    prompts: list[datetime] = []
    now = start
    while now < end:
        result = drive(config, state, present, now)
        state = result.state
        prompts.extend(now for action in result.actions if isinstance(action, PromptDue))
        if result.wake_at is None:
            break
        now = result.wake_at
    hours = tuple(tuple(str(work_range).split("-")) for work_range in ranges_on(schedule, day))
    return DayPlan(day, hours, tuple(prompts), schedule.timezone)  # type: ignore[arg-type]
