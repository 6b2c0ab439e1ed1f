"""`sitting-reminder run`: builds the real adapters and runs the engine (with a tray if possible).

Threads: with a tray, pystray owns the main thread (macOS requires it) and the
engine runs its asyncio loop on a second thread; without one, the engine runs
on the main thread. SIGINT and SIGTERM stop either within a second.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from reminder import paths
from reminder.activity.base import ActivitySource
from reminder.atomic import write_json_atomically
from reminder.configuration.loader import LoadedConfig, load_configuration
from reminder.control.server import AlreadyRunning, ControlServer, claim_endpoint
from reminder.notify.fallback import build_notifier
from reminder.service.clock import SystemClock
from reminder.service.engine import Adapters, Engine
from reminder.store.history import History
from reminder.store.state_file import load_state
from reminder.stretches import Stretch, load_catalog

log = logging.getLogger(__name__)


def has_desktop() -> bool:
    """A desktop session to show notifications and a tray on."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


class JsonStateStore:
    """state.json, written atomically; a corrupt file is moved aside by load_state."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Any] | None:
        return load_state(self.path)

    def save(self, data: dict[str, Any]) -> None:
        write_json_atomically(self.path, data)


def _guide_uri(anchor: str | None, url: str) -> str:
    """The guide's address, importing the guide text only when a prompt needs it."""
    from reminder.guide.command import guide_uri

    return guide_uri(anchor, url)


def catalog_for(file: str) -> tuple[Stretch, ...]:
    """The stretch catalog named by `stretches.file` ("" = built in)."""
    return load_catalog(Path(file).expanduser() if file else None)


def build_engine(loaded: LoadedConfig, *, user_file: Path | None, echo_console: bool) -> Engine:
    desktop = has_desktop()
    config = loaded.config
    break_after_idle = config.activity.break_after_idle

    async def activity() -> ActivitySource:
        from reminder.activity.detect import choose_activity_source

        return await choose_activity_source(sleep_gap=break_after_idle)

    adapters = Adapters(
        clock=SystemClock(),
        notifier=build_notifier(config.notifications.backend, has_display=desktop),
        activity_factory=activity,
        catalog_loader=catalog_for,
        guide_uri=_guide_uri,
        history=History(paths.history_file()),
        state_store=JsonStateStore(paths.state_file()),
        control=ControlServer(),
        control_endpoint=paths.control_endpoint(),
        console=sys.stdout if echo_console and desktop else None,
    )
    return Engine(loaded, adapters, user_file=user_file)


def run_service(*, user_file: Path | None, no_tray: bool) -> int:
    """Run until stopped; returns the exit code."""
    loaded = load_configuration(user_file)
    for warning in loaded.warnings:
        log.warning("%s", warning)
    endpoint = paths.control_endpoint()
    try:
        asyncio.run(claim_endpoint(endpoint))
    except AlreadyRunning as running:
        print(f"{running}; not starting another one.", flush=True)
        return 0

    tray = None
    if not no_tray and has_desktop():
        chosen = _run_with_sni(loaded, user_file)  # the whole service, when the SNI tray is chosen
        if isinstance(chosen, int):
            return chosen
        if chosen == "pystray":
            tray = _make_tray_or_none()
    engine = build_engine(loaded, user_file=user_file, echo_console=tray is None)
    if tray is None:
        return _run_headless(engine)
    return _run_with_tray(engine, tray)


def _run_with_sni(loaded: LoadedConfig, user_file: Path | None) -> int | str:
    """Run engine and StatusNotifierItem tray on one loop, or say which tray to use instead.

    Bridge until the engine owns the session bus: this connects one for the tray, asks
    `choose_tray`, and returns "pystray" or "none" (having run nothing) unless it says "sni".
    """
    from reminder._dbus import connect, disconnect, session_bus_address
    from reminder.tray.actions import desktop_actions
    from reminder.tray.choose import choose_tray
    from reminder.tray.sni import SniTray

    async def main() -> int | str:
        try:
            bus = await connect(session_bus_address(os.environ))
        except ConnectionError as error:
            log.info("no session bus for a StatusNotifierItem tray: %s", error)
            return await choose_tray(None)
        try:
            chosen = await choose_tray(bus)
            if chosen != "sni":
                return chosen
            engine = build_engine(loaded, user_file=user_file, echo_console=False)
            guide = lambda anchor: _guide_uri(anchor, engine.loaded.config.guide.url)  # noqa: E731
            tray = SniTray(bus, engine, desktop_actions(engine, guide))
            try:
                await tray.start()
            except ConnectionError as error:  # the engine runs on without an icon
                log.warning("no tray icon: %s", error)
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, engine.request_stop)
            print("sitting-reminder running in the tray; Quit from its menu or Ctrl-C.", flush=True)
            try:
                await engine.run()
            finally:
                await tray.close()
            print("sitting-reminder stopped.", flush=True)
            return 0
        finally:
            disconnect(bus)

    return asyncio.run(main())


def _make_tray_or_none() -> Any:
    from reminder.tray.backend import tray_available

    ok, hint = tray_available()
    if not ok:
        log.warning("%s", hint)
        print(f"sitting-reminder: {hint}", file=sys.stderr, flush=True)
        return None
    return True


def _run_headless(engine: Engine) -> int:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, engine.request_stop)
        await engine.run()

    mode = "no tray" if has_desktop() else "no display: prompts are printed here"
    print(f"sitting-reminder running ({mode}); Ctrl-C stops it.", flush=True)
    asyncio.run(main())
    print("sitting-reminder stopped.", flush=True)
    return 0


def _run_with_tray(engine: Engine, _: Any) -> int:
    from reminder.tray.app import TrayApp

    failure: list[BaseException] = []

    def engine_thread() -> None:
        try:
            asyncio.run(engine.run())
        except BaseException as error:  # reported on the main thread
            failure.append(error)

    thread = threading.Thread(target=engine_thread, name="engine", daemon=True)
    thread.start()
    try:
        engine.wait_ready(timeout=30)
    except BaseException:
        thread.join(2)
        raise failure[0] if failure else RuntimeError("the engine did not start") from None

    from reminder.tray.actions import desktop_actions

    guide = lambda anchor: _guide_uri(anchor, engine.loaded.config.guide.url)  # noqa: E731
    app = TrayApp(engine, desktop_actions(engine, guide))
    _stop_on_signals(engine)
    engine.on_stopped(app.stop)
    print("sitting-reminder running in the tray; Quit from its menu or Ctrl-C.", flush=True)
    app.run()
    engine.request_stop()
    thread.join(5)
    if failure:
        raise failure[0]
    print("sitting-reminder stopped.", flush=True)
    return 0


def _stop_on_signals(engine: Engine) -> None:
    """SIGINT/SIGTERM while GTK owns the main thread: GLib delivers them, else Python.

    pystray's GTK backend resets SIGINT to the default action when its loop
    starts, so the GLib handlers are installed from the running loop (idle_add).
    """

    def stop(*_: object) -> bool:
        engine.request_stop()
        return True  # keep the GLib source: a second Ctrl-C is handled the same way

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: engine.request_stop())
    try:
        from gi.repository import GLib
    except ImportError:
        return

    def install() -> bool:
        for signum in (signal.SIGINT, signal.SIGTERM):
            GLib.unix_signal_add(GLib.PRIORITY_HIGH, signum, stop)
        return False  # run once

    GLib.idle_add(install)
