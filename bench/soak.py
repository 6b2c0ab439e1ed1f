"""The soak: the real service with its tray for N minutes under Xvfb, dunst and trayer.

A seeded random script plays a user: bursts of mouse input, idle spells long
enough to count as breaks, and control commands through the real CLI (snooze,
resume, break, pause, status). The sitting limit is 20 s so prompts come often.

Checks (exit 1 if any fails): the service never dies and stops cleanly; its log
and output hold no traceback, ERROR or exception; PSS (summed over its process
tree; its anonymous part, which other processes cannot move) grows less than 2 MiB
from the first minute to the last; and every prompt
is accounted for: `stats --json` prompts == Notify calls on the session bus ==
"prompt:" lines in the log. The result is written into docs/benchmarks.md (its
soak section) unless --no-write.

    .venv/bin/python bench/soak.py [--minutes 10] [--seed N]    (make soak)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from common import (
    DESKTOP_TOOLS,
    DOCS,
    SERVICE_CLASS,
    DesktopSession,
    NotifyMonitor,
    ServiceProcess,
    TrayWatch,
    fresh_dirs,
    missing_tools,
    notify_times,
    service_env,
    start_desktop,
    write_user_config,
)
from procstat import machine, sample_tree

PSS_GROWTH_LIMIT_MIB = 2.0
SAMPLE_EVERY_S = 5.0
BAD_LOG = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|[Ee]xception")
SOAK_BEGIN = "<!-- soak:begin -->"
SOAK_END = "<!-- soak:end -->"
SOAK_SETTINGS = {
    "reminders__sitting_limit": '"20s"',
    "reminders__repeat_every": '"10s"',
    "reminders__snooze_options": '["15s", "1m"]',
    "activity__break_after_idle": '"8s"',
    "activity__check_every": '"1s"',
    "notifications__backend": '"desktop-notifier"',
}


@dataclass
class SoakResult:
    minutes: float
    seed: int
    actions: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    pss_first_mib: float = 0.0
    pss_last_mib: float = 0.0
    uss_first_mib: float = 0.0
    uss_last_mib: float = 0.0
    anon_first_mib: float = 0.0
    anon_last_mib: float = 0.0
    prompts_history: int = -1
    prompts_bus: int = -1
    prompts_log: int = -1
    warnings_in_log: int = 0
    exit_code: int | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


class User:
    """The scripted user: input, idleness and CLI commands, all chosen by a seeded RNG."""

    def __init__(self, desktop: DesktopSession, service: ServiceProcess, rng: random.Random):
        self.desktop, self.service, self.rng = desktop, service, rng
        self.actions: dict[str, int] = {}
        self.failures: list[str] = []
        self.paused = False

    def _count(self, name: str) -> None:
        self.actions[name] = self.actions.get(name, 0) + 1

    def burst(self, seconds: float) -> None:
        """Move the mouse about every half second or so (keeps X idle low)."""
        self._count("input burst")
        end = time.monotonic() + seconds
        width, height = self.desktop.size
        while time.monotonic() < end:
            x, y = self.rng.randrange(width), self.rng.randrange(height - 40)
            self.desktop.xdotool("mousemove", str(x), str(y))
            time.sleep(self.rng.uniform(0.3, 1.0))

    def idle(self, seconds: float) -> None:
        self._count("idle spell ≥ 8 s" if seconds >= 8 else "idle spell < 8 s")
        time.sleep(seconds)

    def command(self) -> None:
        choices = ["snooze", "resume", "break", "status"]
        choices.append("resume" if self.paused else "pause")
        name = self.rng.choice(choices)
        args = [name]
        if name == "snooze" and self.rng.random() < 0.5:
            args.append(self.rng.choice(["5s", "12s", "30s"]))
        if name == "pause":
            args += ["--until", "tomorrow"]
        done = self.service.cli(*args)
        self._count(" ".join(args))
        if done.returncode != 0:
            self.failures.append(f"`{' '.join(args)}` exited {done.returncode}: {done.stderr}")
        if name == "status":
            json.loads(self.service.cli("status", "--json").stdout)
        if name == "pause":
            self.paused = True
        elif name == "resume":
            self.paused = False

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.5:
            self.burst(self.rng.uniform(2, 25))
        elif roll < 0.75:
            self.idle(self.rng.choice([self.rng.uniform(1, 6), self.rng.uniform(9, 20)]))
        else:
            self.command()
            if self.paused and self.rng.random() < 0.7:  # short pauses keep prompts coming
                self.burst(self.rng.uniform(2, 6))
                self.service.cli("resume")
                self._count("resume")
                self.paused = False


def count_log(log_folder: Path) -> tuple[int, int, list[str]]:
    """Prompt lines, warning lines and bad lines in the log and its rotated files."""
    prompts = warnings = 0
    bad: list[str] = []
    for path in sorted(log_folder.glob("sitting-reminder.log*")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if " prompt: " in line:
                prompts += 1
            if " WARNING " in line:
                warnings += 1
            if BAD_LOG.search(line):
                bad.append(f"{path.name}: {line}")
    return prompts, warnings, bad


def soak(minutes: float, seed: int, workdir: Path) -> SoakResult:
    result = SoakResult(minutes, seed)
    rng = random.Random(seed)
    desktop = start_desktop(workdir, bus_activation=False)
    try:
        dirs = fresh_dirs(workdir / "xdg")
        write_user_config(Path(dirs["XDG_CONFIG_HOME"]), **SOAK_SETTINGS)
        env = service_env(desktop, dirs)
        desktop.xdotool("mousemove", "100", "100")
        with NotifyMonitor(desktop) as monitor:
            service = ServiceProcess(env).start()
            try:
                TrayWatch(desktop).wait_docked(SERVICE_CLASS, 30)
                user = User(desktop, service, rng)
                samples: list[tuple[float, float, float, float]] = []  # s; PSS, anon, USS MiB
                start = time.monotonic()
                end = start + minutes * 60
                next_sample = start
                while time.monotonic() < end:
                    if service.proc is not None and service.proc.poll() is not None:
                        result.failures.append(f"the service died (exit {service.proc.poll()})")
                        break
                    if time.monotonic() >= next_sample:
                        tree = sample_tree(service.pid)
                        samples.append(
                            (
                                time.monotonic() - start,
                                tree.pss_kib / 1024,
                                tree.pss_anon_kib / 1024,
                                tree.uss_kib / 1024,
                            )
                        )
                        next_sample += SAMPLE_EVERY_S
                    user.step()
                # Pause so that no prompt falls between the three counts below.
                service.cli("pause", "--until", "tomorrow")
                result.actions, result.failures = user.actions, result.failures + user.failures
                elapsed = time.monotonic() - start
                first = [sample[1:] for sample in samples if sample[0] <= 60]
                last = [sample[1:] for sample in samples if sample[0] >= elapsed - 60]
                if first and last:
                    result.pss_first_mib = statistics.mean(pss for pss, _, _ in first)
                    result.pss_last_mib = statistics.mean(pss for pss, _, _ in last)
                    result.anon_first_mib = statistics.mean(anon for _, anon, _ in first)
                    result.anon_last_mib = statistics.mean(anon for _, anon, _ in last)
                    result.uss_first_mib = statistics.mean(uss for _, _, uss in first)
                    result.uss_last_mib = statistics.mean(uss for _, _, uss in last)
                time.sleep(2)  # a prompt shown just before the pause reaches the bus and the log
                stats = json.loads(service.cli("stats", "--json", "--days", "2").stdout)
                result.prompts_history = sum(day["prompts"] for day in stats["days"])
                result.prompts_bus = len(notify_times(monitor))
            finally:
                alive = service.proc is not None and service.proc.poll() is None
                result.exit_code = service.stop(signal.SIGINT, timeout=15)
                if not alive:
                    result.failures.append("the service was not running at the end")
        output = "\n".join(service.lines)
    finally:
        desktop.stop()
    log_folder = Path(dirs["XDG_STATE_HOME"]) / "sitting-reminder" / "log"
    result.prompts_log, result.warnings_in_log, bad = count_log(log_folder)
    bad += [f"output: {line}" for line in output.splitlines() if BAD_LOG.search(line)]
    if bad:
        result.failures.append(f"{len(bad)} bad line(s) in the log/output, first: {bad[0]}")
    if result.exit_code != 0:
        result.failures.append(f"the service exited {result.exit_code} on SIGINT")
    growth = result.anon_last_mib - result.anon_first_mib
    if growth >= PSS_GROWTH_LIMIT_MIB:
        result.failures.append(
            f"the anonymous part of PSS grew {growth:.2f} MiB (limit {PSS_GROWTH_LIMIT_MIB})"
        )
    counts = {result.prompts_history, result.prompts_bus, result.prompts_log}
    if len(counts) != 1:
        result.failures.append(
            f"prompts differ: history {result.prompts_history}, bus {result.prompts_bus},"
            f" log {result.prompts_log}"
        )
    if result.prompts_log == 0:
        result.failures.append("no prompt at all: the soak did not exercise prompting")
    (workdir / "service-output.txt").write_text(output)
    return result


def report(result: SoakResult) -> str:
    """The soak section of docs/benchmarks.md (markdown)."""
    growth = result.pss_last_mib - result.pss_first_mib
    anon_growth = result.anon_last_mib - result.anon_first_mib
    actions = ", ".join(f"{name} x{count}" for name, count in sorted(result.actions.items()))
    verdict = "**passed**" if result.passed else "**FAILED**: " + "; ".join(result.failures)
    host = machine()
    return "\n".join(
        [
            SOAK_BEGIN,
            "## Soak",
            "",
            f"`make soak` (`.venv/bin/python bench/soak.py --minutes {result.minutes:g}"
            f" --seed {result.seed}`), run {host['date']} on the machine above"
            f" (load average at start {host['load average at start (1 min, 5 min)']}):"
            " the real service with its tray under Xvfb + dunst + trayer,"
            " sitting_limit 20s, repeat_every 10s, break_after_idle 8s, check_every 1s.",
            "",
            f"Result: {verdict}",
            "",
            "Memory growth is judged on the anonymous part of PSS (`Pss_Anon`: heap, arenas,"
            " stacks). The file-backed part is the service's share of library pages, which"
            " moves whenever other processes mapping the same libraries (GTK, Python) start or"
            " stop, so on a shared machine it says little about the service itself.",
            "",
            "| check | figure |",
            "| --- | --- |",
            f"| minutes run | {result.minutes:g} |",
            f"| crash / clean stop | exit code {result.exit_code} on SIGINT |",
            f"| PSS, anonymous part (the service's own data; judged), mean of first minute →"
            f" last minute | {result.anon_first_mib:.2f} → {result.anon_last_mib:.2f} MiB"
            f" (growth {anon_growth:+.2f} MiB, limit {PSS_GROWTH_LIMIT_MIB:g}) |",
            f"| PSS, total, same minutes | {result.pss_first_mib:.2f} →"
            f" {result.pss_last_mib:.2f} MiB ({growth:+.2f} MiB) |",
            f"| private memory (USS), same minutes | {result.uss_first_mib:.2f} →"
            f" {result.uss_last_mib:.2f} MiB"
            f" ({result.uss_last_mib - result.uss_first_mib:+.2f} MiB) |",
            f"| prompts: history (`stats --json`) / Notify calls (dbus-monitor) /"
            f" log lines | {result.prompts_history} / {result.prompts_bus} /"
            f" {result.prompts_log} |",
            f"| warnings in the log (allowed) | {result.warnings_in_log} |",
            f"| what the scripted user did | {actions} |",
            SOAK_END,
        ]
    )


def write_section(doc: Path, section: str) -> None:
    """Replace the soak section of `doc` (or append one), keeping the rest."""
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    if SOAK_BEGIN in text and SOAK_END in text:
        before, rest = text.split(SOAK_BEGIN, 1)
        after = rest.split(SOAK_END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=None, help="default: from the clock")
    parser.add_argument("--doc", type=Path, default=DOCS / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true", help="do not touch the doc")
    parser.add_argument("--keep", type=Path, help="keep the desktop's logs in this folder")
    args = parser.parse_args(argv)
    missing = missing_tools(DESKTOP_TOOLS)
    if missing:
        print(f"soak: missing {', '.join(missing)}; run `make desktop-deps` as root")
        return 2
    seed = args.seed if args.seed is not None else int(datetime.now(timezone.utc).timestamp())
    print(f"soak: {args.minutes:g} min, seed {seed}", flush=True)
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        workdir = args.keep or Path(tmp)
        result = soak(args.minutes, seed, workdir)
    section = report(result)
    print(section)
    if not args.no_write:
        write_section(args.doc, section)
        print(f"soak: written to {args.doc}")
    print("soak: PASSED" if result.passed else "soak: FAILED")
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
