"""`make bench`: the service beside Workrave and Safe Eyes, side by side in one run.

Measured in one run, on two desktops at once (bench/desktop.py, bench/live.py):
the service with its StatusNotifierItem tray under a real SNI host, with pystray's
XEmbed icon under trayer, and with --no-tray, next to Workrave and Safe Eyes
(Debian's packages, their own defaults, bench/programs.py):

  idle memory      RSS (judged), PSS and the anonymous part, the median of three windows;
  idle wake-ups    context switches of the whole process tree per minute over three
                   60 s windows with nobody at the keyboard (perf counters: children
                   that come and go count too), the median;
  launch to icon   process start to the icon registered with the watcher (SNI) or
                   docked in trayer (XEmbed), the median of N;
  prompt latency   a prompt's due moment to its Notify call on the session bus;
  pure core        a year of work days through `policy.drive`, and a managed folder
                   of 50 config.d files loaded and validated (bench/pure.py).

The side-by-side table is printed at the end and written, with the targets, the
machine and the command, to docs/benchmarks.md; bench/findings.md (written by
hand) and the import profile and memory of a launch (bench/where.py) go with it.

    .venv/bin/python bench/run.py [--window 60] [--windows 3] [--launches 10] [--prompts 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import DOCS, ROOT
from desktop import BenchDesktop, tools_missing
from figures import Figure, Results
from live import Idle, IdleRun, Launcher, Launches, measure_idle, prompt_latency, time_launches
from procstat import debian_version, machine, perf_counters_refused
from programs import safeeyes, safeeyes_version, service, workrave, workrave_version
from pure import bench_configuration, bench_policy
from soak import SOAK_BEGIN, SOAK_END
from where import dependency_costs, import_memory, import_profile, profile_imports

FINDINGS = Path(__file__).with_name("findings.md")
RSS_RATIO_TARGET = 0.85  # idle RSS of the service with its SNI tray, to Workrave's
NO_TRAY_RSS_TARGET_MIB = 32.0
WAKEUPS_TARGET_PER_MIN = 2.0
LAUNCH_TARGET_S = 0.3
LATENCY_TARGET_S = 1.0
NAMED_DEPENDENCIES = ("apscheduler", "pystray")  # the product owner named them


# ====================================================================== the desktop


def compile_bytecode() -> str:
    """Write the package's bytecode, as installing its wheel or .deb does.

    An editable checkout has none, and with PYTHONDONTWRITEBYTECODE set (this
    machine sets it) every start would compile all of `reminder` from source: slower,
    and the compiler's garbage stays in the heap.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "reminder"), quiet=1)
    return (
        "`reminder`'s bytecode was written first (compileall), as a wheel or .deb install"
        " writes it; the standard library's and the dependencies' came with their install."
    )


def bench_desktop(results: Results, workdir: Path, args: argparse.Namespace) -> None:
    results.method.append(compile_bytecode())
    refused = perf_counters_refused()
    if refused is not None:
        results.notes.append(
            f"perf counters were refused here ({refused}), so wake-ups count only the"
            " threads alive at both ends of a window, not child processes that came and went."
        )
    sni = BenchDesktop(workdir / "desktop-sni", "sni")
    xembed = BenchDesktop(workdir / "desktop-xembed", "xembed")
    desktops = [sni, xembed]
    try:
        for desktop in desktops:
            desktop.start()
        launcher = Launcher(desktops, workdir)
        try:
            run_desktop_figures(results, launcher, sni, xembed, workdir, args)
        finally:
            launcher.close()
    finally:
        for desktop in desktops:
            desktop.stop()


def run_desktop_figures(
    results: Results,
    launcher: Launcher,
    sni: BenchDesktop,
    xembed: BenchDesktop,
    workdir: Path,
    args: argparse.Namespace,
) -> None:
    have_workrave = workrave_version() is not None
    have_safeeyes = safeeyes_version() is not None
    for name, present in (("workrave", have_workrave), ("safeeyes", have_safeeyes)):
        if not present:
            results.notes.append(
                f"{name} is not installed here (Debian: `apt-get install {name}`; `make bench`"
                " installs it when run as root), so its column is empty."
            )

    def counter() -> Callable[[str], str]:
        runs: dict[str, int] = {}

        def key(base: str) -> str:
            runs[base] = runs.get(base, 0) + 1
            return f"{base}-{runs[base]}"

        return key

    key = counter()
    launches: dict[str, Launches] = {}
    launches["sni"] = time_launches(
        launcher, lambda: service(sni, workdir, key("launch-sni"), "sni"), args.launches
    )
    launches["xembed"] = time_launches(
        launcher,
        lambda: service(xembed, workdir, key("launch-xembed"), "xembed"),
        args.peer_launches,
    )
    if have_workrave:
        launches["workrave"] = time_launches(
            launcher, lambda: workrave(sni, workdir, key("launch-workrave")), args.peer_launches
        )
    if have_safeeyes:
        launches["safeeyes"] = time_launches(
            launcher, lambda: safeeyes(sni, workdir, key("launch-safeeyes")), args.peer_launches
        )

    for icon in ("sni", "none"):
        program = service(sni, workdir, key(f"importtime-{icon}"), icon)
        lines = profile_imports(launcher, program)
        results.notes.append(import_profile(program.label, lines))
        results.notes.append(import_memory(program.label, lines, program.env))
        if icon == "sni":
            results.notes.append(dependency_costs(program.label, lines, program.env))

    latency = prompt_latency(launcher, sni, workdir, args.prompts)

    programs = [
        service(sni, workdir, "idle-sni", "sni"),
        service(xembed, workdir, "idle-xembed", "xembed"),
        service(sni, workdir, "idle-no-tray", "none"),
    ]
    if have_workrave:
        programs.append(workrave(sni, workdir, "idle-workrave"))
    if have_safeeyes:
        programs.append(safeeyes(sni, workdir, "idle-safeeyes"))
    run = measure_idle(
        launcher,
        programs,
        [sni, xembed],
        windows=args.windows,
        window_s=args.window,
        settle_s=args.settle,
    )
    report_desktop(results, run, launches, latency.latencies_s, latency.sends_s)


def report_desktop(
    results: Results,
    run: IdleRun,
    launches: dict[str, Launches],
    latencies: list[float],
    sends: list[float],
) -> None:
    by_key = {idle.program.key: idle for idle in run.idle}
    sni, xembed, no_tray = by_key["idle-sni"], by_key["idle-xembed"], by_key["idle-no-tray"]
    theirs = by_key.get("idle-workrave")
    launch_of = {
        "idle-sni": launches.get("sni"),
        "idle-xembed": launches.get("xembed"),
        "idle-workrave": launches.get("workrave"),
        "idle-safeeyes": launches.get("safeeyes"),
    }
    results.side_by_side = side_by_side(run, theirs, launch_of)
    results.notes.extend(breakdown(idle) for idle in run.idle)
    idle_for = run.settle_s + len(sni.windows) * run.window_s
    x_idle = ", ".join(
        f"{'unknown (no xprintidle)' if seconds is None else f'{seconds:.0f} s'} ({host})"
        for host, seconds in run.x_idle_s.items()
    )
    results.method.extend(idle_method(run, x_idle))

    if theirs is not None:
        limit = RSS_RATIO_TARGET * theirs.rss_mib
        results.add(
            Figure(
                "idle RSS, service with the SNI tray, to Workrave's",
                f"{sni.rss_mib:.1f} MiB = {sni.rss_mib / theirs.rss_mib:.2f}x Workrave's"
                f" {theirs.rss_mib:.1f} MiB (PSS {sni.pss_mib:.1f}, anonymous"
                f" {sni.anon_mib:.1f})",
                f"≤ {RSS_RATIO_TARGET}x = {limit:.1f} MiB",
                sni.rss_mib <= limit,
                "side-by-side table, same run",
            )
        )
    else:
        results.add(
            Figure(
                "idle RSS, service with the SNI tray, to Workrave's",
                f"{sni.rss_mib:.1f} MiB; Workrave not installed, no ratio",
                f"≤ {RSS_RATIO_TARGET}x Workrave's",
                None,
            )
        )
    results.add(
        Figure(
            "idle RSS, service --no-tray",
            f"{no_tray.rss_mib:.1f} MiB (PSS {no_tray.pss_mib:.1f}, anonymous"
            f" {no_tray.anon_mib:.1f})",
            f"≤ {NO_TRAY_RSS_TARGET_MIB:g} MiB",
            no_tray.rss_mib <= NO_TRAY_RSS_TARGET_MIB,
            "side-by-side table, same run",
        )
    )
    for idle in (sni, xembed, no_tray):
        x11 = idle.activity_detection == "x11"
        per_window = ", ".join(f"{w.switches_per_min:.1f}" for w in idle.windows)
        results.add(
            Figure(
                f"idle wake-ups, {idle.program.label}",
                f"{idle.switches_per_min:.1f}/min (windows: {per_window}); activity detection"
                f" {idle.activity_detection}; nobody at the keyboard for {idle_for:.0f} s",
                f"≤ {WAKEUPS_TARGET_PER_MIN:g}/min with X11 activity detection",
                x11 and idle.switches_per_min <= WAKEUPS_TARGET_PER_MIN,
                "side-by-side table, same run",
            )
        )
    sni_launches = launches["sni"]
    results.add(
        Figure(
            "launch to icon registered, service with the SNI tray",
            sni_launches.summary(),
            f"≤ {LAUNCH_TARGET_S:g} s median",
            sni_launches.median_s <= LAUNCH_TARGET_S,
            "time.time() before Popen(`python -m reminder run`) → dbus-monitor's time= of"
            " the watcher's StatusNotifierItemRegistered signal naming"
            " org.kde.StatusNotifierItem-<pid>-1; one warm-up launch, then each launch in"
            " the same XDG folders",
        )
    )
    worst = max(latencies)
    results.add(
        Figure(
            "prompt latency: due → Notify on the session bus",
            f"{statistics.median(latencies):.3f} s median of {len(latencies)}, worst"
            f" {worst:.3f} s (of which the notifier's send: median"
            f" {statistics.median(sends) * 1000:.0f} ms)",
            f"≤ {LATENCY_TARGET_S:g} s",
            worst <= LATENCY_TARGET_S,
            "service with the SNI tray, sitting_limit 20s, repeat_every 10s, xdotool"
            " mousemove every 2 s; due = the `break` command's log line + 20 s, then the"
            " previous prompt's log line + 10 s; Notify time = `dbus-monitor --session"
            " \"interface='org.freedesktop.Notifications',member='Notify'\"` time=",
        )
    )


def idle_method(run: IdleRun, x_idle: str) -> list[str]:
    windows = len(run.idle[0].windows)
    counted = {idle.counted_by for idle in run.idle}
    return [
        "All five ran at the same time, on two desktops (Xvfb, a private session and"
        " system bus, dunst, PulseAudio): the SNI desktop (status-notifier-watcher,"
        " gtk-sni-tray-standalone, trayer) held the service with its SNI tray and with"
        " --no-tray, Workrave and Safe Eyes; the XEmbed desktop (trayer only) held the"
        " service with pystray's GTK icon. Each started in a fresh home and XDG folders.",
        f"Nobody touched either display from just before the first start to the end: X's idle"
        f" time at the end was {x_idle}; the service's break_after_idle is 5 min, so its X11"
        " source had nothing to announce.",
        f"After the last icon was up, the services were asked `status --json` once (for"
        f" activity_detection) and all settled {run.settle_s:g} s; then {windows} windows of"
        f" {run.window_s:g} s followed back to back; every figure is the median of the"
        " windows.",
        "Wake-ups: context switches (voluntary and involuntary) of the whole process tree"
        " per minute, from "
        + (
            "software perf counters (perf_event_open, inherit) opened on every thread: new"
            " threads and child processes count, also after they exit (Safe Eyes runs"
            " xprintidle every 2 s)"
            if counted == {"perf"}
            else "/proc/PID/task/*/status of the threads alive at both ends"
        )
        + "; CPU likewise (task clock).",
        "Memory at each window's end: RSS = Σ VmRSS (judged: it does not move with what else"
        " runs), PSS = Σ Pss of smaps_rollup, anonymous = Σ RssAnon, over the process tree.",
        "Launch to icon: process start → the watcher's StatusNotifierItemRegistered (SNI,"
        " via dbus-monitor) or → the icon docked in trayer (XEmbed, `xwininfo -tree` every"
        " 20 ms); one warm-up launch, then the median of the timed ones, same home each time.",
    ]


def side_by_side(run: IdleRun, theirs: Idle | None, launch_of: dict[str, Launches | None]) -> str:
    idle = run.idle

    def ratio(value: float, reference: float | None) -> str:
        if reference is None or reference == 0:
            return ""
        return f" ({value / reference:.2f}x)"

    def row(name: str, cell: Callable[[Idle], str]) -> str:
        return f"| {name} | " + " | ".join(cell(item) for item in idle) + " |"

    ref = theirs
    launch_ref = launch_of.get("idle-workrave")

    def launch_cell(item: Idle) -> str:
        found = launch_of.get(item.program.key)
        if found is None:
            return "—"
        how = "registered" if item.program.icon == "sni" else "docked"
        reference = launch_ref.median_s if launch_ref is not None else None
        return f"{found.median_s:.2f} s {how}{ratio(found.median_s, reference)}"

    lines = [
        "| idle, nobody at the keyboard | " + " | ".join(i.program.label for i in idle) + " |",
        "| --- |" + " ---: |" * len(idle),
        row(
            "**RSS**, MiB (to Workrave)",
            lambda i: f"**{i.rss_mib:.1f}**{ratio(i.rss_mib, ref.rss_mib if ref else None)}",
        ),
        row(
            "… at each window's end",
            lambda i: ", ".join(f"{w.end.rss_kib / 1024:.1f}" for w in i.windows),
        ),
        row(
            "PSS, MiB", lambda i: f"{i.pss_mib:.1f}{ratio(i.pss_mib, ref.pss_mib if ref else None)}"
        ),
        row(
            "anonymous (RssAnon), MiB",
            lambda i: f"{i.anon_mib:.1f}{ratio(i.anon_mib, ref.anon_mib if ref else None)}",
        ),
        row(
            "**wake-ups** per minute (context switches of the tree)",
            lambda i: (
                f"**{i.switches_per_min:.1f}**"
                + ratio(i.switches_per_min, ref.switches_per_min if ref else None)
            ),
        ),
        row(
            "… in each window",
            lambda i: ", ".join(f"{w.switches_per_min:.0f}" for w in i.windows),
        ),
        row("CPU, ms per minute", lambda i: f"{i.cpu_ms_per_min:.0f}"),
        row(
            "processes, threads (at the end)",
            lambda i: f"{len(i.windows[-1].end.pids)}, {i.windows[-1].end.threads}",
        ),
        row("launch to icon, median", launch_cell),
        row("activity detection (`status --json`)", lambda i: i.activity_detection or "its own"),
    ]
    return "\n".join(lines)


# ====================================================================== the report


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for dist in ("sitting-reminder", "apscheduler", "pystray", "dbus-fast", "desktop-notifier"):
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = "not installed"
    for package in (
        "xvfb",
        "dunst",
        "trayer",
        "status-notifier-watcher",
        "gtk-sni-tray",
        "pulseaudio",
        "workrave",
        "safeeyes",
    ):
        debian = {
            "status-notifier-watcher": "haskell-status-notifier-item-utils",
            "gtk-sni-tray": "haskell-gtk-sni-tray-utils",
        }.get(package, package)
        found[f"{package} (Debian {debian})" if debian != package else f"{package} (Debian)"] = (
            debian_version(debian) or "not installed"
        )
    return found


def dependencies_figure(results: Results) -> None:
    from importlib.metadata import requires

    required = {
        entry.split(";")[0].split("[")[0].split("=")[0].split("<")[0].split(">")[0].strip().lower()
        for entry in requires("sitting-reminder") or []
        if "extra ==" not in entry
    }
    missing = [name for name in NAMED_DEPENDENCIES if name not in required]
    results.add(
        Figure(
            "APScheduler and pystray stay dependencies",
            "both in the distribution's requirements"
            if not missing
            else f"missing from the requirements: {', '.join(missing)}",
            "both required",
            not missing,
            "importlib.metadata.requires('sitting-reminder'), extras left out",
        )
    )


def command_line(argv: list[str]) -> str:
    return "make bench" + (f" ARGS='{' '.join(argv)}'" if argv else "")


def render(results: Results, host: dict[str, str], argv: list[str], took_s: float) -> str:
    command = f"`{command_line(argv)}` as root, which runs `.venv/bin/python bench/run.py" + (
        f" {' '.join(argv)}`" if argv else "`"
    )
    lines = [
        "# Benchmarks",
        "",
        f"Written by {command} on the machine below; every figure below comes from that one"
        " run. The soak section at the end is written by `make soak` (bench/soak.py).",
        "",
        "## Side by side",
        "",
        results.side_by_side or "(no desktop figures in this run)",
        "",
        "Ratios in brackets are to Workrave in the same run. How: see below.",
        "",
        "## Targets",
        "",
        "| figure | value | target | |",
        "| --- | --- | --- | --- |",
        *(f"| {f.name} | {f.value} | {f.target} | {f.verdict} |" for f in results.figures),
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        f"| command | {command} |",
        *(f"| {key} | {value} |" for key, value in host.items()),
        *(f"| {key} | {value} |" for key, value in versions().items()),
        f"| run took | {took_s / 60:.1f} min |",
        "",
        "The machine is shared with other jobs, so times are an upper bound; wake-ups and",
        "RSS barely move with load.",
        "",
        "## How each figure was measured",
        "",
        *(f"- {line}" for line in results.method),
        *(f"- **{f.name}**: {f.how}" for f in results.figures if f.how),
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


def breakdown(idle: Idle) -> str:
    """Where one program's idle memory sits and which of its threads woke."""
    threads = ", ".join(f"{name}: {count}" for name, count in idle.threads[:8])
    mappings = "\n".join(
        f"| {name} | {rss:.1f} | {anon:.1f} |" for name, rss, anon in idle.mappings
    )
    return (
        f"#### {idle.program.label}, idle\n\n"
        f"Context switches of its live threads over all windows: {threads or 'none'}.\n\n"
        "| biggest mappings (main process) | RSS MiB | of which anonymous |\n"
        f"| --- | --- | --- |\n{mappings}\n"
    )


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--window", type=float, default=60.0, help="idle window, seconds")
    parser.add_argument("--windows", type=int, default=3, help="idle windows (median)")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds before the first")
    parser.add_argument("--launches", type=int, default=10, help="timed SNI launches")
    parser.add_argument("--peer-launches", type=int, default=5, help="timed launches of others")
    parser.add_argument("--prompts", type=int, default=5, help="prompts timed for latency")
    parser.add_argument("--doc", type=Path, default=DOCS / "benchmarks.md")
    parser.add_argument(
        "--no-desktop", action="store_true", help="pure-core figures only; the doc is not written"
    )
    parser.add_argument("--keep", type=Path, help="keep logs and XDG folders here")
    args = parser.parse_args(args_list)

    missing = tools_missing()
    if missing and not args.no_desktop:
        print(
            f"bench: cannot run the desktop figures, missing: {', '.join(missing)}"
            " (`make desktop-deps`, as root)",
            file=sys.stderr,
        )
        return 2
    host = machine()
    results = Results()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        bench_policy(results, workdir)
        bench_configuration(results, workdir)
        dependencies_figure(results)
        if args.no_desktop:
            return 0
        bench_desktop(results, workdir, args)
    took = time.monotonic() - began
    text = render(results, host, args_list, took)
    soak_section = keep_soak_section(args.doc)
    if soak_section:
        text = text.rstrip("\n") + "\n\n" + soak_section + "\n"
    args.doc.parent.mkdir(parents=True, exist_ok=True)
    args.doc.write_text(text)
    print("\n" + results.side_by_side + "\n")
    where = args.doc.relative_to(ROOT) if args.doc.is_relative_to(ROOT) else args.doc
    print(f"written: {where} (took {took / 60:.1f} min)")
    missed = [f.name for f in results.figures if f.met is False]
    print("targets missed: " + "; ".join(missed) if missed else "all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
