"""`sitting-reminder run`: builds the real adapters and runs the engine, with a tray if possible.

Which tray (reminder.tray.choose): the native StatusNotifierItem wherever a
watcher is on the session bus (or could appear), pystray on Windows, macOS and
XEmbed-only Linux desktops, none without a desktop or with `--no-tray`.

Threads: with the SNI tray or none, one thread: the engine's asyncio loop owns
the session bus, and the tray, the call sources and the D-Bus activity sources
speak over it. With pystray, pystray owns the main thread (macOS requires it)
and the engine runs its loop on a second thread. SIGINT, SIGTERM and SIGHUP stop
the service cleanly (state saved, socket removed) within a second.

A configuration that cannot be used stops the start (exit 2): the reason goes
to stderr, to the log, and, where there is a desktop, into one notification,
so a person logging in learns why no reminders come.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from reminder import paths
from reminder.activity.base import ActivitySource
from reminder.atomic import write_json_atomically
from reminder.configuration.loader import LoadedConfig, load_configuration
from reminder.configuration.model import Config
from reminder.control.server import AlreadyRunning, ControlServer, claim_endpoint
from reminder.errors import ConfigError, ReminderError
from reminder.notify.fallback import build_notifier
from reminder.service.clock import SystemClock
from reminder.service.engine import Adapters, CallWatch, Engine, HistoryStore
from reminder.store.state_file import load_state, move_aside
from reminder.stretches import Stretch, filter_by_tags, load_catalog

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
TrayChoice = str  # "sni", "pystray" or "none" (reminder.tray.choose)


def has_desktop() -> bool:
    """A desktop session to show notifications and a tray on."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


class JsonStateStore:
    """state.json, written atomically; a corrupt or implausible file is moved aside."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Any] | None:
        return load_state(self.path)

    def save(self, data: dict[str, Any]) -> None:
        write_json_atomically(self.path, data)

    def discard(self, problem: str) -> None:
        move_aside(self.path, problem)


def _guide_uri(anchor: str | None, url: str) -> str:
    """The guide's address, importing the guide text only when a prompt needs it."""
    from reminder.guide.command import guide_uri

    return guide_uri(anchor, url)


def catalog_for(config: Config, origin: str = "your configuration") -> tuple[Stretch, ...]:
    """The stretches prompts rotate through: `stretches.file` ("" = built in), kept to the
    tags of `stretches.only`. ConfigError when that leaves none."""
    file = config.stretches.file
    catalog = load_catalog(Path(file).expanduser() if file else None)
    chosen = filter_by_tags(catalog, config.stretches.only)
    if not chosen:
        raise ConfigError(
            origin,
            "no stretch in the catalog has any of these tags",
            key="stretches.only",
            expected="tags that some stretch has (seated, standing, discreet), or [] for all",
            found=str(list(config.stretches.only)),
        )
    return chosen


def _open_history() -> HistoryStore:
    from reminder.store.history import History

    return History(paths.history_file())


def _loop_trouble(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Errors nobody awaited (a D-Bus write after the bus went away, say): one log line,
    with the traceback only in the debug log, never on the console."""
    error = context.get("exception")
    message = context.get("message", "error in the event loop")
    log.warning("%s: %s", message, f"{type(error).__name__}: {error}" if error else "")
    if error is not None:
        log.debug("event loop error", exc_info=error)


class SessionBus:
    """The one session-bus connection of the service, opened on the engine loop.

    None where there is no session bus (a server, an SSH session): the D-Bus
    parts then say they are unavailable.
    """

    def __init__(self) -> None:
        self.bus: Any = None
        self._watch: asyncio.Task[None] | None = None

    async def open(self) -> None:
        if not sys.platform.startswith("linux"):
            return
        from reminder._dbus import connect, session_bus_address

        try:
            self.bus = await connect(session_bus_address(os.environ))
        except ConnectionError as error:
            log.info("no session bus: %s", error)
            return
        self._watch = asyncio.get_running_loop().create_task(self._said_goodbye(self.bus))

    @staticmethod
    async def _said_goodbye(bus: Any) -> None:
        try:
            await bus.wait_for_disconnect()
        except Exception as error:  # the reason it ended; either way it is gone
            log.debug("session bus ended: %r", error)
        log.warning(
            "the session bus went away: the tray icon, call detection and D-Bus activity "
            "sources stop until the service is started again; prompts go on"
        )

    def close(self) -> None:
        from reminder._dbus import disconnect

        if self._watch is not None:
            self._watch.cancel()
        disconnect(self.bus)
        self.bus = None


def build_engine(
    loaded: LoadedConfig, *, user_file: Path | None, echo_console: bool, session: SessionBus
) -> Engine:
    desktop = has_desktop()
    config = loaded.config

    async def activity() -> ActivitySource:
        from reminder.activity.detect import choose_activity_source

        return await choose_activity_source()

    async def calls() -> CallWatch:
        from reminder.calls.detect import choose_call_sources

        return await choose_call_sources(session.bus, platform=sys.platform, environ=os.environ)

    adapters = Adapters(
        clock=SystemClock(),
        notifier=build_notifier(config.notifications.backend, has_display=desktop),
        activity_factory=activity,
        catalog_loader=catalog_for,
        guide_uri=_guide_uri,
        history_factory=_open_history,
        state_store=JsonStateStore(paths.state_file()),
        control=ControlServer(),
        control_endpoint=paths.control_endpoint(),
        calls_factory=calls,
        console=sys.stdout if echo_console and desktop else None,
    )
    return Engine(loaded, adapters, user_file=user_file)


def run_service(*, user_file: Path | None, no_tray: bool) -> int:
    """Run until stopped; returns the exit code."""
    try:
        loaded = load_configuration(user_file)
        catalog_for(loaded.config, loaded.origins.get("stretches.only", "your configuration"))
    except ConfigError as error:
        _announce_start_failure(error)
        raise
    for warning in loaded.warnings:
        log.warning("%s", warning)
    endpoint = paths.control_endpoint()
    try:
        asyncio.run(claim_endpoint(endpoint))
    except AlreadyRunning as running:
        print(f"{running}; not starting another one.", flush=True)
        return 0

    choice: TrayChoice = "none" if no_tray or not has_desktop() else asyncio.run(_choose_tray())
    if choice == "pystray":
        return _run_with_pystray(loaded, user_file)
    return _run_on_one_loop(loaded, user_file, with_sni=choice == "sni")


async def _choose_tray() -> TrayChoice:
    from reminder.tray.choose import choose_tray

    session = SessionBus()
    await session.open()
    try:
        return await choose_tray(session.bus)
    finally:
        session.close()


def _announce_start_failure(error: ReminderError) -> None:
    """Log why the service cannot start and, on a desktop, say it once in a notification."""
    log.error("not starting: %s", error)
    if not has_desktop():
        return

    async def notify() -> None:
        from desktop_notifier import DesktopNotifier

        notifier = DesktopNotifier(app_name="Sitting Reminder", app_icon=None)
        await notifier.send(
            title="Sitting Reminder could not start",
            message=f"{error}\nFix the file, then start it again.",
        )

    try:
        asyncio.run(asyncio.wait_for(notify(), 3.0))
    except Exception as failure:  # no notification server: stderr and the log still say it
        log.debug("could not show the start-up failure: %r", failure)


async def _serve(
    loaded: LoadedConfig,
    user_file: Path | None,
    *,
    echo_console: bool,
    started: Callable[[Engine, SessionBus], Awaitable[Callable[[], Awaitable[None]]]] | None = None,
    on_engine: Callable[[Engine], None] | None = None,
    announce: str | None = None,
) -> None:
    """The engine loop: open the session bus, run the engine (and `started`'s tray) until
    stopped, then close what `started` returned and the bus."""
    asyncio.get_running_loop().set_exception_handler(_loop_trouble)
    session = SessionBus()
    await session.open()
    engine = build_engine(loaded, user_file=user_file, echo_console=echo_console, session=session)
    if on_engine is not None:
        on_engine(engine)
    if threading.current_thread() is threading.main_thread():
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, engine.request_stop)
    close_tray = await started(engine, session) if started is not None else None

    def ready() -> None:
        if announce is not None:
            print(announce, flush=True)

    try:
        await engine.run(on_ready=ready)
    finally:
        if close_tray is not None:
            await close_tray()
        session.close()


def _run_on_one_loop(loaded: LoadedConfig, user_file: Path | None, *, with_sni: bool) -> int:
    """No tray, or the StatusNotifierItem tray: everything on the engine loop."""

    async def start_sni(engine: Engine, session: SessionBus) -> Callable[[], Awaitable[None]]:
        from reminder.tray.actions import desktop_actions
        from reminder.tray.sni import SniTray

        bus = session.bus
        if bus is None:
            log.warning("no tray icon: no session bus")

            async def nothing() -> None:
                return None

            return nothing
        guide = lambda anchor: _guide_uri(anchor, engine.status().guide_url)  # noqa: E731
        tray = SniTray(bus, engine, desktop_actions(engine, guide, config=user_file))
        try:
            await tray.start()
        except ConnectionError as error:  # the engine runs on without an icon
            log.warning("no tray icon: %s", error)
        return tray.close

    if with_sni:
        announce = "sitting-reminder running in the tray; Quit from its menu or Ctrl-C."
    else:
        mode = "no tray" if has_desktop() else "no display: prompts are printed here"
        announce = f"sitting-reminder running ({mode}); Ctrl-C stops it."
    tray = start_sni if with_sni else None
    asyncio.run(
        _serve(loaded, user_file, echo_console=not with_sni, started=tray, announce=announce)
    )
    print("sitting-reminder stopped.", flush=True)
    return 0


def _run_with_pystray(loaded: LoadedConfig, user_file: Path | None) -> int:
    """pystray on the main thread, the engine loop on a second one."""
    from reminder.tray.actions import desktop_actions
    from reminder.tray.app import TrayApp

    failure: list[BaseException] = []
    made: list[Engine] = []
    ready = threading.Event()

    def engine_thread() -> None:
        try:
            asyncio.run(_serve(loaded, user_file, echo_console=False, on_engine=remember))
        except BaseException as error:  # reported on the main thread
            failure.append(error)
        finally:
            ready.set()

    def remember(engine: Engine) -> None:
        made.append(engine)
        ready.set()

    thread = threading.Thread(target=engine_thread, name="engine", daemon=True)
    thread.start()
    ready.wait(30)
    if not made:
        thread.join(2)
        raise failure[0] if failure else RuntimeError("the engine did not start")
    engine = made[0]
    try:
        engine.wait_ready(timeout=30)
    except BaseException:
        thread.join(2)
        raise failure[0] if failure else RuntimeError("the engine did not start") from None

    guide = lambda anchor: _guide_uri(anchor, engine.status().guide_url)  # noqa: E731
    app = TrayApp(engine, desktop_actions(engine, guide, config=user_file))
    _stop_on_signals(engine)
    engine.on_stopped(app.stop)

    def shown() -> None:
        print("sitting-reminder running in the tray; Quit from its menu or Ctrl-C.", flush=True)

    app.run(on_shown=shown)
    if app.failure is not None and thread.is_alive():
        print(f"sitting-reminder running without a tray icon ({app.failure}).", flush=True)
        thread.join()  # until a signal stops the engine (a POSIX join wakes for signals)
    engine.request_stop()
    thread.join(5)
    if failure:
        raise failure[0]
    print("sitting-reminder stopped.", flush=True)
    return 0


def _stop_on_signals(engine: Engine) -> None:
    """SIGINT/SIGTERM/SIGHUP while GTK owns the main thread: GLib delivers them, else Python.

    pystray's GTK backend resets SIGINT to the default action when its loop
    starts, so the GLib handlers are installed from the running loop (idle_add).
    """

    def stopper(signum: int) -> Callable[..., bool]:
        def stop(*_: object) -> bool:
            log.info("stopping on %s", signal.Signals(signum).name)
            engine.request_stop()
            return True  # keep the GLib source: a second Ctrl-C is handled the same way

        return stop

    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda number, _frame: stopper(number)())
    try:
        from gi.repository import GLib
    except ImportError:
        return

    def install() -> bool:
        for signum in STOP_SIGNALS:
            GLib.unix_signal_add(GLib.PRIORITY_HIGH, signum, stopper(signum))
        return False  # run once

    GLib.idle_add(install)
