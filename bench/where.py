"""Where the service's start-up time and memory go: its imports, timed and weighed.

`profile_imports` launches the service once with PYTHONPROFILEIMPORTTIME=1;
`import_profile` lists the slowest imports of that launch and `import_memory`
re-imports the same modules in a fresh process (bench/import_cost.py) and sums
the resident memory they add by top-level package.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from live import Launcher
from programs import Program

BLOCKED_IN_RUN = "ssl,_hashlib,PIL._imagingft"  # what `run` keeps out (reminder/cli.py)


def profile_imports(launcher: Launcher, program: Program) -> list[str]:
    """The PYTHONPROFILEIMPORTTIME lines of one launch of `program` (its icon up, then 5 s)."""
    program.env = {**program.env, "PYTHONPROFILEIMPORTTIME": "1"}
    running = launcher.start(program)
    time.sleep(5)  # the bus connections, the call and activity sources
    launcher.stop(running)
    assert program.log is not None
    return program.log.read_text(errors="replace").splitlines()


def import_entries(lines: list[str]) -> list[tuple[int, int, str]]:
    """(cumulative µs, indent, module) of each PYTHONPROFILEIMPORTTIME line, in print order."""
    entries: list[tuple[int, int, str]] = []
    for line in lines:
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            entries.append((int(match[2]), len(match[3]), match[4]))
    return entries


def import_profile(label: str, lines: list[str]) -> str:
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
        f"#### Import time of a launch: {label} (`PYTHONPROFILEIMPORTTIME=1`)\n\n"
        f"{len(entries)} modules, {total / 1e6:.2f} s of imports in all (with the profiler's"
        " own overhead). The biggest, cumulative:\n\n"
        f"| module (top two levels) | ms |\n| --- | --- |\n{rows}\n"
    )


def import_memory(label: str, lines: list[str], env: dict[str, str]) -> str:
    """Resident memory per top-level package for the modules a launch imported."""
    modules = [name for _, _, name in import_entries(lines) if not name.endswith("__main__")]
    clean_env = {key: value for key, value in env.items() if key != "PYTHONPROFILEIMPORTTIME"}
    done = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("import_cost.py")),
            "--blocked",
            BLOCKED_IN_RUN,
            *modules,
        ],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        return f"(import_cost.py failed: {done.stderr.strip()[-500:]})"
    costs: list[tuple[str, int, int]] = json.loads(done.stdout)
    by_package: dict[str, list[int]] = {}
    for name, anon, file in costs[1:]:
        package = name.split(".")[0]
        sums = by_package.setdefault(package, [0, 0])
        sums[0] += max(anon, 0)
        sums[1] += max(file, 0)
    anon_total = sum(anon for anon, _ in by_package.values())
    file_total = sum(file for _, file in by_package.values())
    rows = "\n".join(
        f"| {package} | {(anon + file) / 1024:.2f} | {anon / 1024:.2f} | {file / 1024:.2f} |"
        for package, (anon, file) in sorted(by_package.items(), key=lambda item: -sum(item[1]))[:20]
    )
    _, base_anon, base_file = costs[0]
    return (
        f"#### Resident memory the imports of a launch add: {label}\n\n"
        "bench/import_cost.py imports, in a fresh process and in load order, every module"
        " the profiled launch imported (with `ssl`, `_hashlib` and `PIL._imagingft` kept"
        " out, as `run` does), and reads RssAnon and RssFile of /proc/self/status after"
        " each. Interpreter"
        f" and site: {(base_anon + base_file) / 1024:.1f} MiB ({base_anon / 1024:.1f}"
        f" anonymous); the imports add {(anon_total + file_total) / 1024:.1f} MiB"
        f" ({anon_total / 1024:.1f} anonymous, {file_total / 1024:.1f} library code). A"
        " module's figure includes what it allocates at import time; what the running"
        " service builds (connections, threads, the history's SQLite) comes on top.\n\n"
        "| package | MiB | anonymous | library code |\n| --- | --- | --- | --- |\n"
        f"{rows}\n"
    )


def brought_in(entries: list[tuple[int, int, str]], package: str) -> tuple[list[str], list[str]]:
    """(the modules a launch imported for `package`, the modules that imported them).

    The first: the package's own, and those first imported under them. In
    PYTHONPROFILEIMPORTTIME's output a module's line follows the lines of the modules
    it imported first (indented deeper), so each of the package's lines closes a run
    of lines it brought in; the lines after it with less indent are its importers.
    """
    chosen: set[int] = set()
    importers: set[int] = set()
    for index, (_, indent, name) in enumerate(entries):
        if name.split(".")[0] != package:
            continue
        chosen.add(index)
        before = index - 1
        while before >= 0 and entries[before][1] > indent:
            chosen.add(before)
            before -= 1
        level = indent
        for after in range(index + 1, len(entries)):
            if entries[after][1] < level:
                importers.add(after)
                level = entries[after][1]
    importers -= chosen
    return [entries[i][2] for i in sorted(chosen)], [entries[i][2] for i in sorted(importers)]


DEPENDENCIES = (
    ("apscheduler", "the engine's timer (AsyncIOScheduler)"),
    ("PIL", "the SNI icon's pixels (Pillow)"),
    ("dbus_fast", "the session and system bus"),
    ("platformdirs", "where files live"),
    ("sqlite3", "the history"),
    ("reminder", "our own modules, imported after everything else"),
)


def dependency_costs(label: str, lines: list[str], env: dict[str, str]) -> str:
    """What each dependency adds: its modules and those only it imports, imported last."""
    entries = import_entries(lines)
    modules = [name for _, _, name in entries if not name.endswith("__main__")]
    clean_env = {key: value for key, value in env.items() if key != "PYTHONPROFILEIMPORTTIME"}
    rows = []
    measured = 0
    for package, role in DEPENDENCIES:
        if package == "reminder":  # ours: its modules alone, after everything they use
            own = {name for name in modules if name.split(".")[0] == package}
            order = [name for name in modules if name not in own] + [
                name for name in modules if name in own
            ]
        else:  # the standard library the launch had loaded by other ways, then the package
            own = set(brought_in(entries, package)[0])
            order = [
                name
                for name in modules
                if name not in own and name.split(".")[0] in sys.stdlib_module_names
            ]
            order += [name for name in modules if name in own]
        if not own:
            continue
        done = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("import_cost.py")),
                "--blocked",
                BLOCKED_IN_RUN,
                *order,
            ],
            env=clean_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            rows.append(f"| {package} | {role} | import_cost.py failed | | |")
            continue
        costs: list[tuple[str, int, int]] = json.loads(done.stdout)
        anon = sum(a for name, a, _ in costs[1:] if name in own)
        file = sum(f for name, _, f in costs[1:] if name in own)
        rows.append(
            f"| {package} | {role} | {len(own)} | {(anon + file) / 1024:.2f} | {anon / 1024:.2f} |"
        )
        measured += anon + file
    return (
        f"#### Resident memory each dependency brings in: {label}\n\n"
        "For each: in a fresh process, the standard-library modules the launch imported by"
        " other ways first, then the package's modules and those first imported under them"
        " (its share of the launch's import tree), measured as above; so each figure is what"
        " that dependency alone adds to the service. The rows add up to"
        f" {measured / 1024:.1f} MiB.\n\n"
        "| package | for | modules | MiB | anonymous |\n| --- | --- | --- | --- | --- |\n"
        + "\n".join(rows)
        + "\n"
    )
