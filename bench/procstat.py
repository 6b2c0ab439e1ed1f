"""What a running process tree costs: memory (RSS, PSS, anonymous), context switches, CPU.

RSS (resident set size, `VmRSS`) counts every page the process has in memory,
shared library pages included; it does not move with whatever else runs, which
is why the targets are on it. PSS (proportional set size) splits each shared
page among the processes that map it, so it moves when other programs mapping
the same libraries start or stop. The anonymous part (`RssAnon`: heaps, arenas,
stacks) is the process's own data.

Context switches come from two places. /proc (`/proc/PID/task/TID/status`) has
them per live thread, which names the busy threads but forgets a child process
once it has exited and been reaped (Safe Eyes runs `xprintidle` every 2 s).
`TreeCounters` opens a software perf counter (`perf_event_open`, context
switches and task clock, `inherit` set) on every thread of a tree: it counts
the threads and child processes started after it too, and keeps the counts of
those that exit. Linux only; it needs root or `perf_event_paranoid` <= 1.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, ProcessLookupError):  # the process or thread just ended
        return None


def _parent_of(pid: int) -> int | None:
    text = _read(PROC / str(pid) / "stat")
    if text is None:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ")".
    return int(text.rsplit(")", 1)[1].split()[1])


def process_tree(root: int) -> list[int]:
    """`root` and every descendant that is alive now."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        if (PROC / str(pid)).exists():
            tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def pss_kib(pid: int) -> int:
    """The proportional set size of one process in KiB (0 if it is gone)."""
    text = _read(PROC / str(pid) / "smaps_rollup")
    for line in (text or "").splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def pss_anon_kib(pid: int) -> int:
    """The anonymous part of PSS (heap, arenas, stacks): the process's own data, in KiB.

    Unlike the file-backed part it does not move when other processes that map the
    same libraries start or stop.
    """
    text = _read(PROC / str(pid) / "smaps_rollup")
    for line in (text or "").splitlines():
        if line.startswith("Pss_Anon:"):
            return int(line.split()[1])
    return 0


def status_kib(pid: int, key: str) -> int:
    """A `kB` figure of /proc/PID/status (`VmRSS`, `RssAnon`, `RssFile`), 0 if gone."""
    for line in (_read(PROC / str(pid) / "status") or "").splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


def uss_kib(pid: int) -> int:
    """Memory only this process maps (Private_Clean + Private_Dirty), in KiB."""
    text = _read(PROC / str(pid) / "smaps_rollup")
    total = 0
    for line in (text or "").splitlines():
        if line.startswith(("Private_Clean:", "Private_Dirty:")):
            total += int(line.split()[1])
    return total


def context_switches(pid: int) -> int:
    """Voluntary plus involuntary context switches, summed over the process's threads."""
    total = 0
    task_dir = PROC / str(pid) / "task"
    try:
        tids = list(task_dir.iterdir())
    except OSError:
        return 0
    for tid in tids:
        for line in (_read(tid / "status") or "").splitlines():
            if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                total += int(line.split()[1])
    return total


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process (all its threads)."""
    text = _read(PROC / str(pid) / "stat")
    if text is None:
        return 0.0
    fields = text.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def thread_count(pid: int) -> int:
    try:
        return len(list((PROC / str(pid) / "task").iterdir()))
    except OSError:
        return 0


@dataclass(frozen=True)
class TreeSample:
    """One look at a process tree."""

    at: float  # time.monotonic()
    pids: tuple[int, ...]
    pss_kib: int
    uss_kib: int
    pss_anon_kib: int
    switches: int
    cpu_s: float
    threads: int
    rss_kib: int = 0
    anon_kib: int = 0  # RssAnon


def sample_tree(root: int) -> TreeSample:
    pids = process_tree(root)
    return TreeSample(
        at=time.monotonic(),
        pids=tuple(pids),
        pss_kib=sum(pss_kib(pid) for pid in pids),
        uss_kib=sum(uss_kib(pid) for pid in pids),
        pss_anon_kib=sum(pss_anon_kib(pid) for pid in pids),
        rss_kib=sum(status_kib(pid, "VmRSS") for pid in pids),
        anon_kib=sum(status_kib(pid, "RssAnon") for pid in pids),
        switches=sum(context_switches(pid) for pid in pids),
        cpu_s=sum(cpu_seconds(pid) for pid in pids),
        threads=sum(thread_count(pid) for pid in pids),
    )


@dataclass(frozen=True)
class IdleFigures:
    """An idle window: memory at its end, switches and CPU per minute over it."""

    pss_mib: float
    uss_mib: float
    pss_anon_mib: float
    switches_per_min: float
    cpu_ms_per_min: float
    processes: int
    threads: int
    window_s: float


def idle_figures(start: TreeSample, end: TreeSample) -> IdleFigures:
    minutes = (end.at - start.at) / 60
    return IdleFigures(
        pss_mib=end.pss_kib / 1024,
        uss_mib=end.uss_kib / 1024,
        pss_anon_mib=end.pss_anon_kib / 1024,
        switches_per_min=(end.switches - start.switches) / minutes,
        cpu_ms_per_min=(end.cpu_s - start.cpu_s) * 1000 / minutes,
        processes=len(end.pids),
        threads=end.threads,
        window_s=end.at - start.at,
    )


def measure_idle(root: int, window_s: float) -> IdleFigures:
    """Sample the tree, sleep `window_s` (this process does nothing meanwhile), sample again."""
    start = sample_tree(root)
    time.sleep(window_s)
    return idle_figures(start, sample_tree(root))


# ------------------------------------------------------------------ the machine


def _cpu_model() -> str:
    for line in (_read(PROC / "cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _mem_total_gib() -> float:
    for line in (_read(PROC / "meminfo") or "").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _os_name() -> str:
    name = platform.system()
    for line in (_read(Path("/etc/os-release")) or "").splitlines():
        if line.startswith("PRETTY_NAME="):
            name = line.split("=", 1)[1].strip('"')
    debian = (_read(Path("/etc/debian_version")) or "").strip()
    return f"{name}, /etc/debian_version {debian}" if debian else name


def debian_version(package: str) -> str | None:
    """The installed version of a Debian package, or None."""
    try:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}|${Version}", package],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    status, _, version = done.stdout.partition("|")
    return version if "install ok installed" in status else None


def machine() -> dict[str, str]:
    """Where the figures come from, for the report."""
    load1, load5, _ = os.getloadavg()
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "ram": f"{_mem_total_gib():.1f} GiB",
        "os": _os_name(),
        "kernel": platform.release(),
        "python": f"{platform.python_implementation()} {platform.python_version()}"
        f" ({sys.executable})",
        "load average at start (1 min, 5 min)": f"{load1:.2f}, {load5:.2f}",
    }


def thread_switches(root: int) -> dict[int, tuple[str, int]]:
    """Per thread of the tree: (its name, its context switches so far)."""
    found = {}
    for pid in process_tree(root):
        try:
            tids = list((PROC / str(pid) / "task").iterdir())
        except OSError:
            continue
        for tid in tids:
            name = (_read(tid / "comm") or "?").strip()
            total = 0
            for line in (_read(tid / "status") or "").splitlines():
                if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                    total += int(line.split()[1])
            found[int(tid.name)] = (name, total)
    return found


def top_mappings(pid: int, count: int) -> list[tuple[str, float]]:
    """The `count` mappings of one process with the most PSS, in MiB (anonymous ones pooled)."""
    sizes: dict[str, int] = {}
    current = "?"
    for line in (_read(PROC / str(pid) / "smaps") or "").splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
            current = head[5] if len(head) > 5 else "[anonymous]"
            current = current.rsplit("/", 1)[-1] if current.startswith("/") else current
        elif line.startswith("Pss:"):
            sizes[current] = sizes.get(current, 0) + int(head[1])
    biggest = sorted(sizes.items(), key=lambda item: -item[1])[:count]
    return [(name, kib / 1024) for name, kib in biggest]


# ------------------------------------------------- perf counters of a whole tree

PERF_TYPE_SOFTWARE = 1
PERF_COUNT_SW_TASK_CLOCK = 1  # nanoseconds on a CPU
PERF_COUNT_SW_CONTEXT_SWITCHES = 3
PERF_ATTR_SIZE = 112  # PERF_ATTR_SIZE_VER5; newer kernels accept it
PERF_INHERIT = 1 << 1  # bit 1 of the flags word: children and new threads count too
PERF_FLAG_FD_CLOEXEC = 1 << 3
PERF_EVENT_OPEN = {"x86_64": 298, "aarch64": 241}  # syscall numbers


@dataclass(frozen=True)
class TreeCount:
    """What `TreeCounters.read` returns: totals since the counters were opened."""

    at: float  # time.monotonic()
    switches: int
    cpu_s: float


class TreeCounters:
    """Context switches and CPU time of a process tree, children that come and go included.

    Opens two software perf counters per thread of the tree as it is now, each with
    `inherit`, so every thread and process those threads start later is counted too
    and the counts of those that exit are kept. `close` releases them. Raises
    OSError (with the reason) where perf_event_open is refused or unknown.
    """

    def __init__(self, root: int) -> None:
        number = PERF_EVENT_OPEN.get(platform.machine())
        if number is None:
            raise OSError(f"perf_event_open: no syscall number known for {platform.machine()}")
        self._syscall = number
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._switches: list[int] = []
        self._clocks: list[int] = []
        try:
            for pid in process_tree(root):
                for tid in _thread_ids(pid):
                    self._switches.append(self._open(tid, PERF_COUNT_SW_CONTEXT_SWITCHES))
                    self._clocks.append(self._open(tid, PERF_COUNT_SW_TASK_CLOCK))
        except OSError:
            self.close()
            raise

    def _open(self, tid: int, config: int) -> int:
        attr = bytearray(PERF_ATTR_SIZE)
        struct.pack_into("IIQ", attr, 0, PERF_TYPE_SOFTWARE, PERF_ATTR_SIZE, config)
        struct.pack_into("Q", attr, 40, PERF_INHERIT)
        buffer = (ctypes.c_char * PERF_ATTR_SIZE).from_buffer(attr)
        fd = int(self._libc.syscall(self._syscall, buffer, tid, -1, -1, PERF_FLAG_FD_CLOEXEC))
        if fd < 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"perf_event_open for thread {tid}: {os.strerror(errno)}")
        return fd

    def read(self) -> TreeCount:
        def total(fds: list[int]) -> int:
            return sum(struct.unpack("Q", os.read(fd, 8))[0] for fd in fds)

        return TreeCount(time.monotonic(), total(self._switches), total(self._clocks) / 1e9)

    def close(self) -> None:
        for fd in self._switches + self._clocks:
            os.close(fd)
        self._switches, self._clocks = [], []


def _thread_ids(pid: int) -> list[int]:
    try:
        return [int(tid.name) for tid in (PROC / str(pid) / "task").iterdir()]
    except OSError:
        return []


def perf_counters_refused() -> str | None:
    """None when TreeCounters works here, else why not (tried on this process)."""
    try:
        TreeCounters(os.getpid()).close()
    except OSError as error:
        return str(error)
    return None
