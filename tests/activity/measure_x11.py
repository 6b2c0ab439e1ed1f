"""Measure the X11 source's announcements on an X display: latency, and cost while away.

Run inside an X session with a session bus, e.g.:

    Xvfb :78 -nolisten tcp & eval "$(dbus-launch --sh-syntax)"
    DISPLAY=:78 .venv/bin/python tests/activity/measure_x11.py

It picks the source as the service does, watches with a 3 s threshold, moves the
mouse with xdotool three times (latency of "away" past the threshold and of
"back" after xdotool returned), then leaves the display alone for 60 s and
counts announcements, X round trips, X wake-ups and each thread's context
switches (from /proc). Not a test: a tool for the figures in reports.
"""

from __future__ import annotations

import asyncio
import glob
import os
import subprocess
from datetime import timedelta
from pathlib import Path

from reminder.activity.detect import choose_activity_source
from reminder.activity.signals import SignalWatchers
from reminder.activity.x11 import X11Source

THRESHOLD = timedelta(seconds=3)
AWAY_FOR_S = 60


def context_switches() -> dict[str, int]:
    """Voluntary plus involuntary context switches of each thread of this process."""
    switches = {}
    for status in glob.glob(f"/proc/{os.getpid()}/task/*/status"):
        fields = dict(
            line.split(":\t", 1) for line in Path(status).read_text().splitlines() if ":\t" in line
        )
        tid = status.split("/")[-2]
        switches[tid] = int(fields["voluntary_ctxt_switches"]) + int(
            fields["nonvoluntary_ctxt_switches"]
        )
    return switches


async def measure() -> None:
    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
    env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=/nonexistent/system_bus_socket"
    source = await choose_activity_source(env, platform="linux")
    assert isinstance(source, SignalWatchers) and isinstance(source.inner, X11Source), source.name
    x11 = source.inner
    loop = asyncio.get_running_loop()
    announced: list[float] = []

    async def next_announcement() -> float:
        count = len(announced)
        while len(announced) == count:
            await asyncio.sleep(0.001)
        return announced[-1]

    pushes = source.watch(lambda: announced.append(loop.time()), THRESHOLD)
    print(f"source {source.name}, {pushes}")
    away_ms, back_ms = [], []
    for round_ in range(3):
        subprocess.run(["xdotool", "mousemove", str(100 + round_), "100"], check=True)
        moved = loop.time()
        if round_:
            back_ms.append((await next_announcement() - moved) * 1000)
            await source.sample()
        queries = x11.queries
        away_ms.append((await next_announcement() - moved - THRESHOLD.total_seconds()) * 1000)
        assert x11.queries == queries, "a query while waiting for the alarm"
        await source.sample()
    await asyncio.sleep(1)  # let the last sample's thread hand-over finish
    before, queries, wakeups, count = context_switches(), x11.queries, x11.wakeups, len(announced)
    await asyncio.sleep(AWAY_FOR_S)
    after = context_switches()
    print("away, ms past the threshold:", [round(ms, 1) for ms in away_ms])
    print("back, ms after xdotool returned:", [round(ms, 1) for ms in back_ms])
    print(
        f"{AWAY_FOR_S} s away: {len(announced) - count} announcements, "
        f"{x11.queries - queries} X queries, {x11.wakeups - wakeups} X wake-ups"
    )
    print(
        f"{AWAY_FOR_S} s away: context switches per thread "
        f"(the main thread's include this script's own wake-up):",
        {tid: after[tid] - before.get(tid, 0) for tid in after},
    )
    await source.close()


if __name__ == "__main__":
    asyncio.run(measure())
