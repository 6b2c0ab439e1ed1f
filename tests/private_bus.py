"""A private `dbus-daemon` for one test, and waiting on what arrives over it.

Shared by the activity, call and tray tests: each runs against a real bus
daemon of its own, so no test sees another's names or signals.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from conftest import require_desktop_tools

T = TypeVar("T")


@contextmanager
def private_bus(log: Path, config: Path | None = None) -> Iterator[str]:
    """Run a fresh session `dbus-daemon` (with `config` if given) and give its address."""
    require_desktop_tools("dbus-daemon")
    settings = f"--config-file={config}" if config is not None else "--session"
    with log.open("ab") as errors:
        daemon = subprocess.Popen(
            ["dbus-daemon", settings, "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=errors,
        )
    assert daemon.stdout is not None
    try:
        address = daemon.stdout.readline().decode().strip()
        assert address, "dbus-daemon printed no address"
        yield address
    finally:
        daemon.terminate()
        daemon.wait(5)
        daemon.stdout.close()


async def eventually(
    produce: Callable[[], Awaitable[T]], accept: Callable[[T], bool], what: str, limit: float = 5
) -> T:
    """Call `produce` until `accept` says yes; fail naming `what` after `limit` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        value = await produce()
        if accept(value):
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {limit}s waiting for {what}; last: {value!r}")
        await asyncio.sleep(0.02)
