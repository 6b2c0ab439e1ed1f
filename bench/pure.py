"""The pure core's figures: policy throughput through `policy.drive`, and loading a managed folder.

No desktop: these run in this process, on the package's own functions.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from common import fresh_dirs
from figures import Figure, Results

UTC_ZONE = timezone.utc


def isolated_config_env(base: Path) -> dict[str, str]:
    """Point this process's configuration lookup at empty folders under `base`."""
    saved = dict(os.environ)
    dirs = fresh_dirs(base)
    os.environ.update(dirs)
    os.environ.pop("SITTING_REMINDER_MANAGED_CONFIG", None)
    return saved


@contextmanager
def config_dirs(base: Path) -> Iterator[dict[str, str]]:
    saved = isolated_config_env(base)
    try:
        yield {key: os.environ[key] for key in ("XDG_CONFIG_HOME", "XDG_CONFIG_DIRS")}
    finally:
        os.environ.clear()
        os.environ.update(saved)


def scripted_day(rng: random.Random, day: date, zone: Any) -> list[tuple[datetime, bool]]:
    """A plausible office day as (instant, at the keyboard?) changes, in UTC.

    Arrives 08:45-09:15, sits 15-80 min at a time, steps away 1-15 min (short ones
    are not breaks), lunch 12:30-13:30, leaves 17:15-17:45.
    """

    def at(hour: int, minute: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)

    changes = []
    now = at(8, 45) + timedelta(minutes=rng.uniform(0, 30))
    lunch, lunch_end = at(12, 30), at(13, 30)
    leave = at(17, 15) + timedelta(minutes=rng.uniform(0, 30))
    while now < leave:
        changes.append((now, True))
        now += timedelta(minutes=rng.uniform(15, 80))
        if lunch <= now < lunch_end or (now >= lunch_end and changes[-1][0] < lunch):
            changes.append((max(now, lunch) if now < lunch_end else lunch, False))
            now = lunch_end + timedelta(minutes=rng.uniform(0, 10))
            continue
        changes.append((min(now, leave), False))
        now += timedelta(minutes=rng.uniform(1, 15))
    return [(moment.astimezone(UTC_ZONE), present) for moment, present in changes]


def simulate_year(config: Any, year: int, seed: int, days: int = 366) -> tuple[int, int, int]:
    """Drive the pure policy through the first `days` days of `year` as the engine does.

    The one driving function, `policy.drive` (tick, then the next moment), runs at
    each moment the engine would wake: when the activity changes, when an absence
    reaches `break_after_idle` (the X11 source's idle alarm announces both), and at
    the `wake_at` the previous drive returned. A snooze answers a third of the
    prompts through `policy.apply_command`, after which the next moment is asked
    again (`policy.next_moment`), as the engine does after a command.
    Returns (work days simulated, prompts shown, drives).
    """
    from reminder.core import policy
    from reminder.core.model import Snooze
    from reminder.core.schedule import ranges_on

    rng = random.Random(seed)
    schedule = config.schedule
    idle_limit = config.activity.break_after_idle
    state = policy.PolicyState()
    prompts = work_days = drives = 0
    day = date(year, 1, 1)
    while day.year == year and (day - date(year, 1, 1)).days < days:
        changes = scripted_day(rng, day, schedule.zone) if ranges_on(schedule, day) else []
        work_days += bool(changes)
        start = datetime(day.year, day.month, day.day, tzinfo=schedule.zone).astimezone(UTC_ZONE)
        end = start + timedelta(days=1)
        announced = sorted(
            {moment for moment, _ in changes}
            | {moment + idle_limit for moment, present in changes if not present}
        )
        present, away_since = False, start - timedelta(hours=12)
        index = 0
        now = start
        while now < end:
            while index < len(changes) and changes[index][0] <= now:
                present = changes[index][1]
                if not present:
                    away_since = changes[index][0]
                index += 1
            obs = policy.Observation(idle_for=timedelta(seconds=1) if present else now - away_since)
            result = policy.drive(config, state, obs, now)
            drives += 1
            state, wake_at = result.state, result.wake_at
            for action in result.actions:
                if isinstance(action, policy.PromptDue):
                    prompts += 1
                    if rng.random() < 1 / 3:
                        state = policy.apply_command(config, state, Snooze(), now).state
                        wake_at = policy.next_moment(
                            config, state, obs, now, policy.EVERYTHING_ANNOUNCED
                        )
            upcoming = [moment for moment in announced if moment > now][:1]
            candidates = [moment for moment in (*upcoming, wake_at) if moment is not None]
            now = min(candidates, default=end)
        day += timedelta(days=1)
    return work_days, prompts, drives


def bench_policy(results: Results, workdir: Path) -> None:
    print("policy throughput (pure core)", flush=True)
    from reminder.configuration.loader import load_configuration
    from reminder.core.plan import plan_day

    with config_dirs(workdir / "policy") as dirs:
        user = Path(dirs["XDG_CONFIG_HOME"]) / "sitting-reminder" / "config.toml"
        user.parent.mkdir(parents=True, exist_ok=True)
        user.write_text('[schedule]\ntimezone = "Europe/Berlin"\n')  # default hours, a DST zone
        config = load_configuration().config
    year = 2026

    started = time.perf_counter()
    work_days, prompts, drives = simulate_year(config, year, seed=1)
    elapsed = time.perf_counter() - started
    results.add(
        Figure(
            "policy: a year of scripted work days through `policy.drive`",
            f"{elapsed:.2f} s for {work_days} work days ({work_days / elapsed:,.0f} work days/s;"
            f" {prompts} prompts; {drives} drives = {drives / 365:.0f} wake-ups a day)",
            "≤ 2 s",
            elapsed <= 2.0,
            "bench/pure.py `simulate_year`: reminder.core.policy.drive at each moment the"
            " engine would wake (activity changes, idle alarms, the returned wake_at), a"
            " snooze through apply_command for a third of the prompts; 2026, default work"
            " hours, Europe/Berlin, seeded scripted activity",
        )
    )

    started = time.perf_counter()
    planned = [plan_day(config, date(year, 1, 1) + timedelta(days=n)) for n in range(365)]
    elapsed = time.perf_counter() - started
    results.add(
        Figure(
            "policy: `plan` for every day of a year (never getting up)",
            f"{elapsed:.2f} s for 365 days ({365 / elapsed:,.0f} days/s;"
            f" {sum(len(p.prompts) for p in planned)} prompts)",
            "",
            None,
            "reminder.core.plan.plan_day(config, day) for each day of 2026 (it drives the"
            " policy with `policy.drive` too)",
        )
    )


# ==================================================================== configuration


def write_managed_folder(site: Path, files: int) -> list[Path]:
    """A managed config.toml plus `files` drop-ins of the kinds IT teams write."""
    folder = site / "sitting-reminder"
    drop_ins = folder / "config.d"
    drop_ins.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(
        '# Company defaults\n[schedule]\ntimezone = "Europe/Berlin"\n'
        '[reminders]\nsitting_limit = "45m"\n'
    )
    days = ("monday", "tuesday", "wednesday", "thursday", "friday")
    written = []
    for n in range(files):
        kind = n % 5
        if kind == 0:
            body = (
                f'[schedule.work_hours]\n{days[n % 5]} = ["08:{n % 60:02d}-12:00", "13:00-17:00"]\n'
            )
        elif kind == 1:
            body = f'[schedule]\ndays_off = ["2026-12-{(n % 28) + 1:02d}", "2026-12-31"]\n'
        elif kind == 2:
            body = f'[reminders]\nrepeat_every = "{5 + n % 20}m"\nsnooze_options = ["10m", "1h"]\n'
        elif kind == 3:
            body = f'[activity]\nbreak_after_idle = "{3 + n % 5}m"\ncheck_every = "15s"\n'
        else:
            body = '[managed]\nlocked = ["reminders.sitting_limit", "schedule.*"]\n'
        path = drop_ins / f"{n:02d}-site-policy.toml"
        path.write_text(f"# drop-in {n} from the deployment tool\n{body}")
        written.append(path)
    return written


def bench_configuration(results: Results, workdir: Path) -> None:
    print("configuration (50 config.d files)", flush=True)
    from reminder.configuration.loader import load_configuration

    with config_dirs(workdir / "config") as dirs:
        write_managed_folder(Path(dirs["XDG_CONFIG_DIRS"]), 50)
        started = time.perf_counter()
        loaded = load_configuration()
        first = time.perf_counter() - started
        timings = []
        for _ in range(30):
            started = time.perf_counter()
            load_configuration()
            timings.append(time.perf_counter() - started)
        median = statistics.median(timings)
        layers = len(loaded.layers)
        env = dict(os.environ)
        started = time.perf_counter()
        validate = subprocess.run(
            [sys.executable, "-m", "reminder", "config", "validate"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        validate_s = time.perf_counter() - started
    results.add(
        Figure(
            "configuration: load + validate 50 config.d files",
            f"{median * 1000:.1f} ms median of 30 (first call {first * 1000:.1f} ms;"
            f" {layers} layers, {len(loaded.locked)} keys locked)",
            "≤ 200 ms",
            max(median, first) <= 0.2,
            "reminder.configuration.loader.load_configuration() with XDG_CONFIG_DIRS at a tmp"
            " site dir holding sitting-reminder/config.toml + config.d/00..49-site-policy.toml",
        )
    )
    results.add(
        Figure(
            "configuration: `sitting-reminder config validate` on that folder",
            f"{validate_s * 1000:.0f} ms wall, exit {validate.returncode}"
            " (a new Python process: interpreter start-up and imports included)",
            "",
            None,
            "`python -m reminder config validate` with the same XDG_CONFIG_DIRS",
        )
    )
