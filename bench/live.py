"""The desktop figures: launch to icon, prompt latency, and every program idle side by side.

Two desktops run at once (bench/desktop.py): `sni` (StatusNotifierWatcher and
gtk-sni-tray's panel, plus trayer) holds the service with its SNI tray, the
service with --no-tray, Workrave and Safe Eyes; `xembed` (trayer alone) holds the
service with pystray's GTK icon, the one it picks there. Every program is started
as a user's session starts it (bench/programs.py).

Idle: nobody touches either display from just before the first program starts
to the end (X's idle time is read at the end to show it), so the service's X11
source has nothing to announce; after the last program is up and a settling
time, three windows follow back to back and each program's tree is counted over
each (bench/procstat.py: perf counters for context switches and CPU, children
that come and go included; /proc for memory at each window's end and for the
switches of each live thread). The figures are the medians of the three windows.
"""

from __future__ import annotations

import json
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from common import NotifyMonitor, TrayWatch, notify_times, write_user_config
from desktop import BenchDesktop, Registrations, stop_child
from procstat import (
    TreeCount,
    TreeCounters,
    TreeSample,
    sample_tree,
    thread_switches,
)
from programs import Program, service

LAUNCH_TIMEOUT_S = 60.0
STATUS_TIMEOUT_S = 30.0


# ------------------------------------------------------------------ starting programs


@dataclass
class Running:
    """A started program; `launch_s` is process start to its icon (None: no icon)."""

    program: Program
    proc: subprocess.Popen[bytes]
    launch_s: float | None


class Launcher:
    """Starts programs on the bench desktops and tells when their icon is up."""

    def __init__(self, desktops: list[BenchDesktop], workdir: Path) -> None:
        self.workdir = workdir
        self.registrations = {id(d): Registrations(d) for d in desktops}
        self.trays = {id(d): TrayWatch(d.session) for d in desktops}
        self._logs = 0

    def start(self, program: Program) -> Running:
        """Start `program` and wait for its icon (the service --no-tray: its control socket)."""
        self._logs += 1
        program.log = self.workdir / f"{program.key}-{self._logs}.log"
        with program.log.open("wb") as log:
            wall, mono = time.time(), time.monotonic()
            proc = subprocess.Popen(
                program.argv, env=program.env, stdout=log, stderr=subprocess.STDOUT
            )
        running = Running(program, proc, None)
        try:
            desktop = id(program.desktop)
            if program.icon == "sni":
                running.launch_s = (
                    self.registrations[desktop].wait_for(proc.pid, LAUNCH_TIMEOUT_S) - wall
                )
            elif program.icon == "xembed":
                docked = self.trays[desktop].wait_docked(program.wm_class, LAUNCH_TIMEOUT_S)
                running.launch_s = docked - mono
            else:
                wait_for_status(program, LAUNCH_TIMEOUT_S)
        except BaseException:
            self.stop(running)
            raise
        if proc.poll() is not None:
            raise RuntimeError(f"{program.label} exited with {proc.returncode}: {program.log}")
        return running

    def stop(self, running: Running) -> None:
        """SIGINT for the service (its clean stop), SIGTERM for the others; the icon gone."""
        proc = running.proc
        if proc.poll() is None:
            if running.program.is_service:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
            else:
                stop_child(proc)
        if running.program.icon == "xembed":
            self.trays[id(running.program.desktop)].wait_gone(running.program.wm_class)

    def close(self) -> None:
        for registrations in self.registrations.values():
            registrations.close()


def cli(program: Program, *args: str, timeout: float = STATUS_TIMEOUT_S) -> dict[str, object]:
    """`python -m reminder ARGS --json` against the service `program` started."""
    done = subprocess.run(
        [sys.executable, "-m", "reminder", *args],
        env=program.env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(args)}` failed ({done.returncode}): {done.stderr.strip()}")
    answer: dict[str, object] = json.loads(done.stdout) if "--json" in args else {}
    return answer


def wait_for_status(
    program: Program,
    timeout: float,
    until: Callable[[dict[str, object]], bool] = lambda status: True,
) -> dict[str, object]:
    """Poll `status --json` until the service answers (its control socket is open) and,
    if given, until the answer passes `until` (the first wake-up may come just after)."""
    deadline = time.monotonic() + timeout
    problem: object = None
    while time.monotonic() < deadline:
        try:
            answer = cli(program, "status", "--json")
        except RuntimeError as error:
            problem = error
        else:
            if until(answer):
                return answer
            problem = answer
        time.sleep(0.2)
    raise TimeoutError(f"{program.label}: no fitting `status` within {timeout} s; last: {problem}")


# ---------------------------------------------------------------------- launch figures


@dataclass
class Launches:
    program: Program
    times_s: list[float]

    @property
    def median_s(self) -> float:
        return statistics.median(self.times_s)

    def summary(self) -> str:
        return (
            f"{self.median_s:.3f} s median of {len(self.times_s)}"
            f" (best {min(self.times_s):.3f}, worst {max(self.times_s):.3f})"
        )


def time_launches(launcher: Launcher, make: Callable[[], Program], runs: int) -> Launches:
    """One launch to warm up (first start in a fresh home), then `runs` timed ones.

    All in the same home and XDG folders, as at each login; the page cache is warm.
    """
    program = make()
    print(f"launch: {program.label}, 1 + {runs} starts", flush=True)
    times = []
    for run in range(runs + 1):
        running = launcher.start(program)
        launcher.stop(running)
        if run > 0 and running.launch_s is not None:
            times.append(running.launch_s)
        time.sleep(0.5)
    return Launches(program, times)


# ---------------------------------------------------------------------- prompt latency


@dataclass
class Latency:
    latencies_s: list[float]
    sends_s: list[float]


_LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ")
LATENCY_LIMIT_S, LATENCY_REPEAT_S = 20, 10


def prompt_latency(
    launcher: Launcher, desktop: BenchDesktop, workdir: Path, prompts: int
) -> Latency:
    """The SNI service with a 20 s limit and 10 s repeats while a user keeps working.

    Due moments: the `break` command's log line + the limit, then each prompt's log
    line + the repeat. Notify moments: dbus-monitor's time= of each Notify call.
    """
    print(f"prompt latency: {prompts} prompts", flush=True)
    program = service(desktop, workdir, "latency", "sni")
    write_user_config(
        Path(program.env["XDG_CONFIG_HOME"]),
        reminders__sitting_limit=f'"{LATENCY_LIMIT_S}s"',
        reminders__repeat_every=f'"{LATENCY_REPEAT_S}s"',
        notifications__backend='"desktop-notifier"',
    )
    log_path = Path(program.env["XDG_STATE_HOME"]) / "sitting-reminder" / "log"
    log_path = log_path / "sitting-reminder.log"
    with user_at_work(desktop), NotifyMonitor(desktop.session) as monitor:
        running = launcher.start(program)
        try:
            wait_for_status(program, STATUS_TIMEOUT_S, until=lambda got: got["state"] == "sitting")
            cli(program, "break")  # the spell starts now; the log says when
            deadline = time.monotonic() + LATENCY_LIMIT_S + LATENCY_REPEAT_S * prompts + 30
            while len(notify_times(monitor)) < prompts and time.monotonic() < deadline:
                time.sleep(0.5)
        finally:
            launcher.stop(running)
        calls = notify_times(monitor)[:prompts]
    spell_start, logged = log_moments(log_path)
    if spell_start is None or len(calls) < prompts or len(logged) < prompts:
        raise RuntimeError(
            f"latency run incomplete: spell start {spell_start}, {len(calls)} Notify calls,"
            f" {len(logged)} prompt lines in {log_path}"
        )
    dues = [spell_start + LATENCY_LIMIT_S]
    dues += [moment + LATENCY_REPEAT_S for moment in logged[: prompts - 1]]
    return Latency(
        [call - due for call, due in zip(calls, dues, strict=True)],
        [call - moment for call, moment in zip(calls, logged, strict=False)],
    )


@contextmanager
def user_at_work(desktop: BenchDesktop) -> Iterator[None]:
    """Mouse input every 2 s: the X idle time stays under 3 s."""
    stop = threading.Event()

    def keep_active() -> None:
        step = 0
        while not stop.wait(2.0):
            step += 1
            desktop.mouse_to(300 + step % 50, 300)

    desktop.mouse_to(300, 300)
    worker = threading.Thread(target=keep_active, daemon=True)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(5)


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


# -------------------------------------------------------------------------- idle


@dataclass
class Window:
    """One idle window of one program's tree."""

    seconds: float
    switches: int  # perf: the whole tree, children that came and went included
    cpu_s: float
    proc_switches: int  # /proc: the threads alive at both ends
    end: TreeSample

    @property
    def switches_per_min(self) -> float:
        return self.switches * 60 / self.seconds

    @property
    def cpu_ms_per_min(self) -> float:
        return self.cpu_s * 60_000 / self.seconds


@dataclass
class Idle:
    """A program measured idle over consecutive windows."""

    program: Program
    windows: list[Window] = field(default_factory=list)
    threads: list[tuple[str, int]] = field(default_factory=list)  # busiest first, all windows
    mappings: list[tuple[str, float, float]] = field(default_factory=list)  # name, RSS, anon MiB
    activity_detection: str = ""  # the service's `status --json` answer
    counted_by: str = "perf"  # or "/proc" where perf counters are refused

    def median(self, pick: Callable[[Window], float]) -> float:
        return statistics.median(pick(window) for window in self.windows)

    @property
    def rss_mib(self) -> float:
        return self.median(lambda w: w.end.rss_kib / 1024)

    @property
    def pss_mib(self) -> float:
        return self.median(lambda w: w.end.pss_kib / 1024)

    @property
    def anon_mib(self) -> float:
        return self.median(lambda w: w.end.anon_kib / 1024)

    @property
    def switches_per_min(self) -> float:
        return self.median(lambda w: w.switches_per_min)

    @property
    def cpu_ms_per_min(self) -> float:
        return self.median(lambda w: w.cpu_ms_per_min)


@dataclass
class IdleRun:
    idle: list[Idle]
    x_idle_s: dict[str, float | None]  # desktop → X idle time at the end (None: unknown)
    settle_s: float
    window_s: float


def measure_idle(
    launcher: Launcher,
    programs: list[Program],
    desktops: list[BenchDesktop],
    *,
    windows: int,
    window_s: float,
    settle_s: float,
) -> IdleRun:
    """Start every program, let them settle, count them over `windows` windows at once."""
    labels = ", ".join(program.label for program in programs)
    print(f"idle: {labels}; {windows} x {window_s:g} s after {settle_s:g} s", flush=True)
    for number, desktop in enumerate(desktops):
        desktop.mouse_to(200 + number, 200)  # the last input until the end
    started: list[Running] = []
    try:
        for program in programs:
            started.append(launcher.start(program))
        found = [Idle(running.program) for running in started]
        for idle in found:
            if idle.program.is_service:
                answer = wait_for_status(idle.program, STATUS_TIMEOUT_S)
                idle.activity_detection = str(answer.get("activity_detection"))
        time.sleep(settle_s)
        for running in started:
            if running.proc.poll() is not None:
                raise RuntimeError(f"{running.program.label} exited with {running.proc.returncode}")
        counters: list[TreeCounters | None] = []
        for idle, running in zip(found, started, strict=True):
            try:
                counters.append(TreeCounters(running.proc.pid))
            except OSError as error:
                print(f"  perf counters refused ({error}); counting live threads only")
                idle.counted_by = "/proc"
                counters.append(None)
        threads_before = [thread_switches(running.proc.pid) for running in started]
        last = [
            _count(counter, running) for counter, running in zip(counters, started, strict=True)
        ]
        for _ in range(windows):
            time.sleep(window_s)
            now = [_count(c, running) for c, running in zip(counters, started, strict=True)]
            for idle, running, before, after in zip(found, started, last, now, strict=True):
                sample = sample_tree(running.proc.pid)
                idle.windows.append(
                    Window(
                        after[0].at - before[0].at,
                        after[0].switches - before[0].switches,
                        after[0].cpu_s - before[0].cpu_s,
                        after[1] - before[1],
                        sample,
                    )
                )
            last = now
        x_idle = {desktop.tray_host: desktop.idle_s() for desktop in desktops}
        for idle, running, threads in zip(found, started, threads_before, strict=True):
            idle.threads = per_thread(running.proc.pid, threads)
            idle.mappings = top_mappings_rss(running.proc.pid, 12)
        for counter in counters:
            if counter is not None:
                counter.close()
    finally:
        for running in started:
            launcher.stop(running)
    return IdleRun(found, x_idle, settle_s, window_s)


def _count(counter: TreeCounters | None, running: Running) -> tuple[TreeCount, int]:
    """(perf totals, /proc switches of the live threads) of one tree now."""
    sample = sample_tree(running.proc.pid)
    if counter is None:
        return TreeCount(sample.at, sample.switches, sample.cpu_s), sample.switches
    return counter.read(), sample.switches


def per_thread(pid: int, before: dict[int, tuple[str, int]]) -> list[tuple[str, int]]:
    """Switches of each live thread since `before`, by name (main or thread), busiest first."""
    deltas: dict[str, int] = {}
    for tid, (name, count) in thread_switches(pid).items():
        key = f"{name} ({'main' if tid == pid else 'thread'})"
        deltas[key] = deltas.get(key, 0) + count - before.get(tid, (name, 0))[1]
    return sorted(deltas.items(), key=lambda item: -item[1])


def top_mappings_rss(pid: int, count: int) -> list[tuple[str, float, float]]:
    """The `count` mappings of one process with the most RSS: (name, RSS MiB, anonymous MiB).

    Anonymous mappings are pooled as [anonymous]; a library's mappings are summed.
    """
    sizes: dict[str, list[int]] = {}
    current = "?"
    try:
        text = Path(f"/proc/{pid}/smaps").read_text()
    except OSError:
        return []
    for line in text.splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
            current = head[5] if len(head) > 5 else "[anonymous]"
            current = current.rsplit("/", 1)[-1] if current.startswith("/") else current
            sizes.setdefault(current, [0, 0])
        elif line.startswith("Rss:"):
            sizes[current][0] += int(head[1])
        elif line.startswith("Anonymous:"):
            sizes[current][1] += int(head[1])
    biggest = sorted(sizes.items(), key=lambda item: -item[1][0])[:count]
    return [(name, rss / 1024, anon / 1024) for name, (rss, anon) in biggest]
