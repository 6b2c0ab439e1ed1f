"""`make bench`: what the service costs and how fast it answers, written to docs/benchmarks.md.

Figures (each with the command behind it, a target, and met/missed):
  idle footprint   PSS of the process tree and context switches per minute over an idle
                   window, for the service with its tray, with --no-tray, for the bare
                   toolkit floor (bench/floor.py) and for Workrave where installed, all in
                   one Xvfb + dunst + trayer session;
  start-up         launch to the icon docked in trayer;
  prompt latency   the moment a prompt is due to its Notify call on the session bus;
  policy           simulated work days per second through the pure core;
  configuration    loading and validating a managed folder of 50 config.d files.
Where the cost goes is written next to them: the service's import profile, its PSS by
mapping and its context switches by thread, plus bench/findings.md.

    .venv/bin/python bench/run.py [--window 60] [--startup-runs 5] [--prompts 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from common import (
    DESKTOP_TOOLS,
    DOCS,
    ROOT,
    SERVICE_CLASS,
    TRAY_ENV,
    DesktopSession,
    NotifyMonitor,
    ServiceProcess,
    TrayWatch,
    fresh_dirs,
    missing_tools,
    notify_times,
    service_env,
    start_desktop,
    status,
    write_user_config,
)
from procstat import (
    IdleFigures,
    debian_version,
    idle_figures,
    machine,
    sample_tree,
    thread_switches,
    top_mappings,
)
from soak import SOAK_BEGIN, SOAK_END

SETTLE_S = 10.0  # after the icon docks, before the idle window starts
FLOOR_CLASS = "floor.py"
WORKRAVE_CLASS = "workrave"
FINDINGS = Path(__file__).with_name("findings.md")
UTC_ZONE = timezone.utc


@dataclass
class Figure:
    """One line of the results table."""

    name: str
    value: str
    target: str = ""
    met: bool | None = None  # None: no target for this figure
    how: str = ""  # the command or procedure behind it

    @property
    def verdict(self) -> str:
        return {None: "", True: "met", False: "**missed**"}[self.met]


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # "where the cost goes" sections (markdown)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        verdict = f"  [{figure.verdict.strip('*')}: {figure.target}]" if figure.target else ""
        print(f"  {figure.name}: {figure.value}{verdict}", flush=True)


# ====================================================================== pure core


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


def simulate_year(
    config: Any, year: int, seed: int, every: timedelta | None, days: int = 366
) -> tuple[int, int]:
    """Drive the pure policy through the first `days` days of `year` with scripted activity.

    `every=None`: event-driven, ticking only when the activity changes, when an
    absence reaches `break_after_idle`, and when the policy says something is due
    (`next_change`), the way the engine's due-timer does. `every=timedelta`: a tick
    at every sample, as the running service does. A snooze answers a third of the
    prompts. Returns (work days simulated, prompts shown).
    """
    from reminder.core import policy
    from reminder.core.model import Snooze
    from reminder.core.schedule import ranges_on

    rng = random.Random(seed)
    schedule = config.schedule
    idle_limit = config.activity.break_after_idle
    state = policy.PolicyState()
    prompts = work_days = 0
    day = date(year, 1, 1)
    while day.year == year and (day - date(year, 1, 1)).days < days:
        changes = scripted_day(rng, day, schedule.zone) if ranges_on(schedule, day) else []
        work_days += bool(changes)
        start = datetime(day.year, day.month, day.day, tzinfo=schedule.zone).astimezone(UTC_ZONE)
        end = start + timedelta(days=1)
        events = sorted(
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
            idle_for = timedelta(seconds=1) if present else now - away_since
            step = policy.tick(config, state, policy.Observation(idle_for=idle_for), now)
            state = step.state
            for action in step.actions:
                if isinstance(action, policy.PromptDue):
                    prompts += 1
                    if rng.random() < 1 / 3:
                        state = policy.apply_command(config, state, Snooze(), now).state
            if every is not None:
                now += every
                continue
            upcoming = [moment for moment in events if moment > now][:1]
            following = policy.next_change(config, state, now)
            candidates = [moment for moment in (*upcoming, following) if moment is not None]
            now = min(candidates, default=end)
        day += timedelta(days=1)
    return work_days, prompts


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
    work_days, prompts = simulate_year(config, year, seed=1, every=None)
    elapsed = time.perf_counter() - started
    results.add(
        Figure(
            "policy: a year of scripted work days, event-driven",
            f"{elapsed:.2f} s for {work_days} work days ({work_days / elapsed:,.0f} work days/s;"
            f" {prompts} prompts)",
            "≤ 2 s",
            elapsed <= 2.0,
            "bench/run.py `simulate_year(every=None)`: reminder.core.policy.tick/apply_command"
            " over 2026 (default work hours, Europe/Berlin), seeded scripted activity",
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
            "reminder.core.plan.plan_day(config, day) for each day of 2026",
        )
    )

    sample_days = 7
    every = config.activity.check_every
    started = time.perf_counter()
    simulate_year(config, year, seed=1, every=every, days=sample_days)
    elapsed = time.perf_counter() - started
    ticks_per_day = int(timedelta(days=1) / every)
    ticks = sample_days * ticks_per_day
    per_tick_us = elapsed / ticks * 1e6
    per_year = per_tick_us * 365 * int(timedelta(days=1) / every) / 1e6
    results.add(
        Figure(
            f"policy: a tick every check_every ({every.total_seconds():g} s), as the service does",
            f"{per_tick_us:.1f} µs per tick = {per_tick_us * ticks_per_day / 1e3:.0f} ms of CPU"
            f" per day; a whole year this way: {per_year:.0f} s",
            "",
            None,
            f"simulate_year(every=check_every) over the first {sample_days} days of 2026"
            f" ({ticks} ticks), extrapolated",
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


# ========================================================================= desktop


@dataclass
class Measured:
    figures: IdleFigures
    threads: list[tuple[str, int]]  # (thread name, switches in the window), busiest first
    mappings: list[tuple[str, float]]  # (mapping, PSS MiB), biggest first


def per_thread(pid: int, before: dict[int, tuple[str, int]]) -> list[tuple[str, int]]:
    deltas: dict[str, int] = {}
    for tid, (name, count) in thread_switches(pid).items():
        key = f"{name} ({'main' if tid == pid else 'thread'})"
        deltas[key] = deltas.get(key, 0) + count - before.get(tid, (name, 0))[1]
    return sorted(deltas.items(), key=lambda item: -item[1])


def measure_together(pids: list[int], window_s: float) -> list[Measured]:
    """One idle window for several process trees at once (this process only sleeps)."""
    before = [(sample_tree(pid), thread_switches(pid)) for pid in pids]
    time.sleep(window_s)
    found = []
    for pid, (start, threads_before) in zip(pids, before, strict=True):
        end = sample_tree(pid)
        found.append(
            Measured(
                idle_figures(start, end), per_thread(pid, threads_before), top_mappings(pid, 10)
            )
        )
    return found


def stop_process(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class Program:
    """A program measured idle: how to start it and what its tray icon is called."""

    label: str
    argv: list[str]
    env: dict[str, str]
    wm_class: str | None
    command: str  # for the report


@dataclass
class Idle:
    program: Program
    measured: Measured

    @property
    def label(self) -> str:
        return self.program.label


def idle_together(
    tray: TrayWatch, programs: list[Program], window_s: float, workdir: Path
) -> list[Idle]:
    """Start the programs, wait for their icons, let them settle, measure one window."""
    labels = " + ".join(program.label for program in programs)
    print(f"idle: {labels} ({window_s:g} s window)", flush=True)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for number, program in enumerate(programs):
            log = (workdir / f"idle-{number}.log").open("w")
            procs.append(
                subprocess.Popen(
                    program.argv, env=program.env, stdout=log, stderr=subprocess.STDOUT
                )
            )
            log.close()
            if program.wm_class is not None:
                tray.wait_docked(program.wm_class, 60)
        time.sleep(SETTLE_S)
        for program, proc in zip(programs, procs, strict=True):
            if proc.poll() is not None:
                raise RuntimeError(f"{program.label} exited with {proc.returncode}")
        measured = measure_together([proc.pid for proc in procs], window_s)
    finally:
        for proc in procs:
            stop_process(proc)
    for program in programs:
        if program.wm_class is not None:
            tray.wait_gone(program.wm_class)
    return [Idle(program, found) for program, found in zip(programs, measured, strict=True)]


def service_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "reminder", "run", *args]


def bench_idle(
    results: Results, desktop: DesktopSession, tray: TrayWatch, workdir: Path, window_s: float
) -> None:
    def normal_env(name: str) -> dict[str, str]:
        dirs = fresh_dirs(workdir / name)
        write_user_config(Path(dirs["XDG_CONFIG_HOME"]))  # defaults; work hours all day
        return service_env(desktop, dirs)

    service_cmd = (
        "`PYSTRAY_BACKEND=gtk python -m reminder run`, default settings (50m limit,"
        " check_every 15s) with work hours all day"
    )
    floor = Program(
        "bare toolkit floor",
        [sys.executable, str(Path(__file__).with_name("floor.py"))],
        {**desktop.env, **TRAY_ENV},
        FLOOR_CLASS,
        "`PYSTRAY_BACKEND=gtk python bench/floor.py` (pystray GTK icon + APScheduler job)",
    )
    with_tray = Program(
        "service with tray", service_argv(), normal_env("idle-tray"), SERVICE_CLASS, service_cmd
    )
    no_tray = Program(
        "service --no-tray",
        service_argv("--no-tray"),
        normal_env("idle-no-tray"),
        None,
        service_cmd.replace("run`", "run --no-tray`"),
    )
    together = [floor, with_tray]
    workrave_version = debian_version("workrave")
    if workrave_version is not None:
        home = workdir / "workrave-home"
        (home / ".config").mkdir(parents=True, exist_ok=True)
        together.append(
            Program(
                f"Workrave {workrave_version}",
                ["workrave"],
                {**desktop.env, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")},
                WORKRAVE_CLASS,
                "`workrave` (Debian package, fresh HOME)",
            )
        )
    else:
        results.notes.append(
            "Workrave is not installed here (Debian: `apt-get install workrave`; `make bench`"
            " installs it when run as root), so there are no our/their ratios."
        )
    desktop.xdotool("mousemove", "200", "200")
    alone = idle_together(tray, [no_tray], window_s, workdir)
    desktop.xdotool("mousemove", "210", "210")
    side_by_side = idle_together(tray, together, window_s, workdir)
    runs = side_by_side[:2] + alone + side_by_side[2:]

    method = (
        f"{window_s:g} s idle window starting {SETTLE_S:g} s after the icon docked (after the"
        " launch for --no-tray), under Xvfb"
        " + dunst + trayer; PSS = Σ Pss of /proc/PID/smaps_rollup over the process tree at the"
        " window's end (private = Σ Private_Clean + Private_Dirty); switches = Σ voluntary +"
        " nonvoluntary ctxt_switches of every thread (/proc/PID/task/*/status), end minus"
        " start. " + " + ".join(program.label for program in together) + " ran side by side in"
        " the same window (so they share libraries alike); --no-tray ran alone just before"
    )
    floor_pss = side_by_side[0].measured.figures.pss_mib
    for idle in runs:
        f = idle.measured.figures
        pss_target, pss_met = "", None
        switch_target, switch_met = "", None
        if idle.program is with_tray:
            limit = floor_pss + 10
            pss_target, pss_met = f"≤ floor + 10 MiB = {limit:.1f} MiB", f.pss_mib <= limit
        if idle.program is no_tray:
            pss_target, pss_met = "≤ 30 MiB", f.pss_mib <= 30
        if idle.program in (with_tray, no_tray):
            switch_target, switch_met = "≤ 30/min", f.switches_per_min <= 30
        how = f"{idle.program.command}; {method}"
        results.add(
            Figure(
                f"idle PSS: {idle.label}",
                f"{f.pss_mib:.1f} MiB (private {f.uss_mib:.1f}, anonymous {f.pss_anon_mib:.1f})",
                pss_target,
                pss_met,
                how,
            )
        )
        results.add(
            Figure(
                f"idle context switches: {idle.label}",
                f"{f.switches_per_min:.1f}/min ({f.processes} process(es), {f.threads} threads;"
                f" CPU {f.cpu_ms_per_min:.0f} ms/min)",
                switch_target,
                switch_met,
                how,
            )
        )
    if len(side_by_side) > 2:
        theirs = side_by_side[2].measured.figures
        for idle in runs[1:3]:
            ours = idle.measured.figures
            results.add(
                Figure(
                    f"ratio {idle.label} / Workrave",
                    f"PSS {ours.pss_mib / theirs.pss_mib:.2f}x, context switches"
                    f" {ours.switches_per_min / max(theirs.switches_per_min, 0.01):.3f}x",
                    "",
                    None,
                    "the rows above, same session",
                )
            )
    for idle in runs:
        results.notes.append(breakdown(idle))


def breakdown(idle: Idle) -> str:
    threads = ", ".join(f"{name}: {count}" for name, count in idle.measured.threads[:8])
    mappings = "\n".join(f"| {name} | {mib:.1f} |" for name, mib in idle.measured.mappings)
    return (
        f"#### {idle.label}\n\n"
        f"Context switches in the window by thread: {threads or 'none'}.\n\n"
        f"| biggest mappings (main process) | PSS MiB |\n| --- | --- |\n{mappings}\n"
    )


def bench_startup(
    results: Results, desktop: DesktopSession, tray: TrayWatch, workdir: Path, runs: int
) -> None:
    print(f"start-up: {runs} launches", flush=True)
    timings = []
    for run in range(runs):
        dirs = fresh_dirs(workdir / f"startup-{run}")
        write_user_config(Path(dirs["XDG_CONFIG_HOME"]))
        service = ServiceProcess(service_env(desktop, dirs))
        started = time.monotonic()
        service.start()
        try:
            timings.append(tray.wait_docked(SERVICE_CLASS, 60) - started)
        finally:
            service.stop(signal.SIGINT)
        tray.wait_gone(SERVICE_CLASS)
        time.sleep(1)
    median, worst = statistics.median(timings), max(timings)
    results.add(
        Figure(
            "start-up: launch to icon docked in trayer",
            f"{median:.2f} s median of {runs} (best {min(timings):.2f}, worst {worst:.2f})",
            "≤ 1.5 s",
            worst <= 1.5,
            "time.monotonic() before Popen(`python -m reminder run`) → first `xwininfo -tree -id"
            " <trayer panel>` (polled every 20 ms) listing a ≥ 8 px window of WM_CLASS"
            " sitting-reminder; fresh XDG dirs each launch; the worst launch is judged",
        )
    )
    # One more launch of each, with the import profiler on, shows where time and memory go.
    dirs = fresh_dirs(workdir / "startup-importtime")
    write_user_config(Path(dirs["XDG_CONFIG_HOME"]))
    profiled = {**service_env(desktop, dirs), "PYTHONPROFILEIMPORTTIME": "1"}
    service = ServiceProcess(profiled)
    service.start()
    try:
        tray.wait_docked(SERVICE_CLASS, 60)
        time.sleep(5)  # the first tick, the bus connections and the activity source
    finally:
        service.stop(signal.SIGINT)
    tray.wait_gone(SERVICE_CLASS)
    floor_lines = (workdir / "floor-importtime.log").open("w+")
    with floor_lines:
        floor = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("floor.py"))],
            env=profiled,
            stdout=floor_lines,
            stderr=subprocess.STDOUT,
        )
        try:
            tray.wait_docked(FLOOR_CLASS, 60)
        finally:
            stop_process(floor)
        floor_lines.seek(0)
        floor_modules = {name for _, _, name in import_entries(floor_lines.read().splitlines())}
    tray.wait_gone(FLOOR_CLASS)
    results.notes.append(import_profile(service.lines))
    results.notes.append(import_memory(service.lines, floor_modules, profiled))


def import_entries(lines: list[str]) -> list[tuple[int, int, str]]:
    """(cumulative µs, indent, module) of each PYTHONPROFILEIMPORTTIME line, in print order."""
    entries: list[tuple[int, int, str]] = []
    for line in lines:
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            entries.append((int(match[2]), len(match[3]), match[4]))
    return entries


def import_memory(lines: list[str], floor_modules: set[str], env: dict[str, str]) -> str:
    """Private memory per top-level package for the modules a tray launch imported."""
    modules = [name for _, _, name in import_entries(lines) if not name.endswith("__main__")]
    clean_env = {key: value for key, value in env.items() if key != "PYTHONPROFILEIMPORTTIME"}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("import_cost.py")), *modules],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        return f"(import_cost.py failed: {done.stderr.strip()[-500:]})"
    costs: list[tuple[str, int]] = json.loads(done.stdout)
    by_package: dict[str, int] = {}
    extra: dict[str, int] = {}
    for name, kib in costs[1:]:
        package = name.split(".")[0]
        by_package[package] = by_package.get(package, 0) + max(kib, 0)
        if name not in floor_modules:
            extra[package] = extra.get(package, 0) + max(kib, 0)
    total = sum(by_package.values())
    rows = "\n".join(
        f"| {package} | {kib / 1024:.2f} | {extra.get(package, 0) / 1024:.2f} |"
        for package, kib in sorted(by_package.items(), key=lambda item: -item[1])[:18]
    )
    return (
        "#### Memory added by each package the tray service imports\n\n"
        "bench/import_cost.py imports, in a fresh process and in load order, every module"
        " the profiled launch imported, and reads its anonymous memory (smaps_rollup"
        " `Anonymous:`: objects, heaps, relocated library data; not library code, whose cost"
        " depends on what else runs) after each. Interpreter and site:"
        f" {costs[0][1] / 1024:.1f} MiB; all imports:"
        f" {total / 1024:.1f} MiB, of which {sum(extra.values()) / 1024:.1f} MiB in modules the"
        " bare floor does not import. The rest of the service's memory is its running state"
        " (GTK widgets and icon, bus connections, SQLite, threads).\n\n"
        "| package | MiB | of which not imported by the floor |\n| --- | --- | --- |\n"
        f"{rows}\n"
    )


def import_profile(lines: list[str]) -> str:
    """The biggest imports (cumulative) of a launch run with PYTHONPROFILEIMPORTTIME=1."""
    entries = import_entries(lines)
    total = sum(cumulative for cumulative, indent, _ in entries if indent == 1)
    top = [entry for entry in entries if entry[1] <= 3]
    top.sort(key=lambda entry: -entry[0])
    rows = "\n".join(
        f"| {'  ' * ((indent - 1) // 2)}{name} | {cumulative / 1000:.0f} |"
        for cumulative, indent, name in top[:15]
    )
    return (
        "#### Import time of a tray start-up (`PYTHONPROFILEIMPORTTIME=1`)\n\n"
        f"All imports of the launch: {total / 1e6:.2f} s (with the profiler's own overhead)."
        " The biggest, cumulative:\n\n"
        f"| module (top two levels) | ms |\n| --- | --- |\n{rows}\n"
    )


def bench_latency(
    results: Results, desktop: DesktopSession, tray: TrayWatch, workdir: Path, prompts: int
) -> None:
    print(f"prompt latency: {prompts} prompts", flush=True)
    dirs = fresh_dirs(workdir / "latency")
    limit_s, repeat_s = 20, 10
    write_user_config(
        Path(dirs["XDG_CONFIG_HOME"]),
        reminders__sitting_limit=f'"{limit_s}s"',
        reminders__repeat_every=f'"{repeat_s}s"',
        notifications__backend='"desktop-notifier"',
    )
    env = service_env(desktop, dirs)
    stop = threading.Event()

    def keep_active() -> None:  # a user at work: the X idle time stays under 3 s
        step = 0
        while not stop.wait(2.0):
            step += 1
            desktop.xdotool("mousemove", str(300 + step % 50), "300")

    desktop.xdotool("mousemove", "300", "300")
    activity = threading.Thread(target=keep_active, daemon=True)
    activity.start()
    log_path = Path(dirs["XDG_STATE_HOME"]) / "sitting-reminder" / "log" / "sitting-reminder.log"
    try:
        with NotifyMonitor(desktop) as monitor:
            service = ServiceProcess(env).start()
            try:
                tray.wait_docked(SERVICE_CLASS, 60)
                if status(service)["state"] != "sitting":
                    raise RuntimeError(f"not sitting after start-up: {status(service)}")
                done = service.cli("break")  # the spell starts now; the log says when
                if done.returncode != 0:
                    raise RuntimeError(f"`break` failed: {done.stderr}")
                deadline = time.monotonic() + limit_s + repeat_s * prompts + 30
                while len(notify_times(monitor)) < prompts and time.monotonic() < deadline:
                    time.sleep(0.5)
            finally:
                service.stop(signal.SIGINT)
            calls = notify_times(monitor)[:prompts]
    finally:
        stop.set()
        activity.join(5)
    tray.wait_gone(SERVICE_CLASS)
    spell_start, prompt_logged = log_moments(log_path)
    if spell_start is None or len(calls) < prompts or len(prompt_logged) < prompts:
        raise RuntimeError(
            f"latency run incomplete: spell start {spell_start}, {len(calls)} Notify calls,"
            f" {len(prompt_logged)} prompt lines in {log_path}"
        )
    dues = [spell_start + limit_s] + [moment + repeat_s for moment in prompt_logged[: prompts - 1]]
    latencies = [call - due for call, due in zip(calls, dues, strict=True)]
    sends = [call - logged for call, logged in zip(calls, prompt_logged, strict=False)]
    worst = max(latencies)
    results.add(
        Figure(
            "prompt latency: due → Notify on the session bus",
            f"{statistics.median(latencies):.3f} s median of {prompts}, worst {worst:.3f} s"
            f" (of which the notifier's send: median {statistics.median(sends) * 1000:.0f} ms)",
            "≤ check_every + 1 s = 16 s",
            worst <= 16,
            "service with tray, check_every 15s (default), sitting_limit 20s, repeat_every"
            " 10s, xdotool mousemove every 2 s; due = the `break` command's log line + 20 s,"
            " then the previous prompt's log line + 10 s; Notify time = `dbus-monitor"
            " --session \"interface='org.freedesktop.Notifications',member='Notify'\"` time=",
        )
    )


_LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ")


def log_moments(log_path: Path) -> tuple[float | None, list[float]]:
    """The `break` command's moment and each prompt's moment, as epoch seconds (local time)."""
    spell_start: float | None = None
    prompts: list[float] = []
    for line in log_path.read_text(encoding="utf-8").splitlines():
        match = _LOG_TIME.match(line)
        if not match:
            continue
        moment = time.mktime(time.strptime(match[1], "%Y-%m-%d %H:%M:%S")) + int(match[2]) / 1000
        if "spell ended" in line and "(user)" in line and spell_start is None:
            spell_start = moment
        elif " prompt: " in line and spell_start is not None:
            prompts.append(moment)
    return spell_start, prompts


# ========================================================================== report


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for dist in ("sitting-reminder", "pystray", "apscheduler", "desktop-notifier", "PyGObject"):
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = "not installed"
    for package in ("xvfb", "dunst", "trayer", "workrave"):
        found[f"{package} (Debian)"] = debian_version(package) or "not installed"
    return found


def render(results: Results, host: dict[str, str], argv: list[str], took_s: float) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`.venv/bin/python bench/run.py"
        + (" " + " ".join(argv) if argv else "")
        + "`); every figure below comes from that run. The soak section is written by"
        " `make soak` (bench/soak.py).",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in host.items()),
        *(f"| {key} | {value} |" for key, value in versions().items()),
        f"| run took | {took_s / 60:.1f} min |",
        "",
        "The machine is shared (other jobs ran at the same time), so times are an upper bound.",
        "Context switches are counted per thread and barely affected. PSS moves with whatever",
        "else maps the same libraries; its anonymous part does not (see the findings).",
        "",
        "## Results",
        "",
        "| figure | value | target | |",
        "| --- | --- | --- | --- |",
        *(f"| {f.name} | {f.value} | {f.target} | {f.verdict} |" for f in results.figures),
        "",
        "## How each figure was measured",
        "",
        *(f"- **{f.name}**: {f.how}" for f in results.figures),
        "",
    ]
    if FINDINGS.exists():
        lines += [FINDINGS.read_text().rstrip("\n"), ""]
    lines += ["## Where the cost goes (measured in this run)", ""]
    for note in results.notes:
        lines += [note.rstrip("\n"), ""]
    return "\n".join(lines)


def keep_soak_section(doc: Path) -> str:
    if not doc.exists():
        return ""
    text = doc.read_text()
    if SOAK_BEGIN in text and SOAK_END in text:
        return SOAK_BEGIN + text.split(SOAK_BEGIN, 1)[1].split(SOAK_END, 1)[0] + SOAK_END
    return ""


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=60.0, help="idle window in seconds")
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--prompts", type=int, default=5, help="prompts timed for latency")
    parser.add_argument("--doc", type=Path, default=DOCS / "benchmarks.md")
    parser.add_argument("--no-desktop", action="store_true", help="pure-core figures only")
    parser.add_argument("--keep", type=Path, help="keep logs and XDG folders here")
    args = parser.parse_args(args_list)

    host = machine()
    results = Results()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        bench_policy(results, workdir)
        bench_configuration(results, workdir)
        missing = missing_tools(DESKTOP_TOOLS)
        if args.no_desktop:
            results.notes.append("Desktop figures skipped (--no-desktop).")
        elif missing:
            print(f"bench: no desktop figures, missing {', '.join(missing)}", flush=True)
            results.notes.append(
                f"Desktop figures skipped: missing {', '.join(missing)} (`make desktop-deps`)."
            )
        else:
            desktop = start_desktop(workdir / "desktop")
            try:
                tray = TrayWatch(desktop)
                bench_startup(results, desktop, tray, workdir, args.startup_runs)
                bench_latency(results, desktop, tray, workdir, args.prompts)
                bench_idle(results, desktop, tray, workdir, args.window)
            finally:
                desktop.stop()
    took = time.monotonic() - began
    soak_section = keep_soak_section(args.doc)
    text = render(results, host, args_list, took)
    if soak_section:
        text = text.rstrip("\n") + "\n\n" + soak_section + "\n"
    args.doc.parent.mkdir(parents=True, exist_ok=True)
    args.doc.write_text(text)
    print(f"\nwritten: {args.doc.relative_to(ROOT) if args.doc.is_relative_to(ROOT) else args.doc}")
    missed = [f.name for f in results.figures if f.met is False]
    print("targets missed: " + ", ".join(missed) if missed else "all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
