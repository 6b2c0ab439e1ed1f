"""The tray icon: pystray on the main thread, fed with the engine's snapshots.

Threading: `run` blocks the calling thread (the main thread: macOS requires it)
in pystray's loop. The engine calls the status listener on its own thread; the
listener only compares the snapshot with what is shown and hands new images, texts
and menus to pystray (see `_on_ui_thread` for how they reach the UI thread).
`stop` is safe from any thread. Menu choices go to `reminder.tray.actions.perform`
(commands through `EngineHandle.submit`); the tray never changes state itself.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from reminder.core.model import Status
from reminder.service.api import EngineHandle
from reminder.tray.actions import TrayActions, perform
from reminder.tray.backend import load_pystray, select_backend, xembed_tray_running
from reminder.tray.icons import icon_image
from reminder.tray.menu import Entry, menu_entries, to_pystray, tooltip

log = logging.getLogger(__name__)


def _on_ui_thread(work: Callable[[], None]) -> None:
    """Run `work` where pystray may touch the UI.

    pystray's GTK and AppIndicator backends post their own updates to the GTK loop
    and Win32 posts window messages, so any thread will do there; its macOS backend
    calls AppKit directly, which only the main thread may, so it is queued there.
    """
    if sys.platform == "darwin":
        try:
            from Foundation import NSOperationQueue  # type: ignore[import-not-found,unused-ignore]
        except ImportError:  # pragma: no cover - pyobjc comes with pystray on macOS
            work()
            return
        NSOperationQueue.mainQueue().addOperationWithBlock_(work)
        return
    work()


def _keep_running_when_the_bus_goes() -> Any:
    """Stop GLib from raising SIGTERM in this process when the session bus closes.

    pystray's GTK backend takes GLib's shared session-bus connection, whose
    exit-on-close is on by default: a crashed or restarted dbus-daemon would then
    end the whole service. Setting it off on the shared connection first keeps the
    service running. GLib keeps that connection only while someone holds it, so the
    caller must keep the returned object (else pystray gets a fresh one, on again).
    """
    try:
        from gi.repository import Gio

        connection = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        connection.set_exit_on_close(False)
        return connection
    except Exception as error:  # no session bus: nothing would close under us
        log.debug("no session bus for GTK (%s)", error)
        return None


class TrayApp:
    """The tray icon, its tooltip and its menu for one running engine."""

    def __init__(
        self, handle: EngineHandle, actions: TrayActions, *, backend: str | None = None
    ) -> None:
        self._handle = handle
        self._actions = actions
        self._backend = backend
        self._pystray: Any = None
        self._icon: Any = None
        self._stop_requested = threading.Event()
        self._lock = threading.Lock()  # guards the "what is shown" fields below
        self._shown_entries: tuple[Entry, ...] | None = None
        self._shown_state: object = None
        self._shown_tooltip: str | None = None
        self._on_shown: Callable[[], None] | None = None
        self._session_bus: Any = None  # held: see _keep_running_when_the_bus_goes
        self.failure: str | None = None  # why the icon could not be shown, if it could not

    # ------------------------------------------------------------- lifecycle

    def run(self, on_shown: Callable[[], None] | None = None) -> None:
        """Show the icon and block until `stop` is called (or Quit leads the engine to call it).

        `on_shown` is called (on pystray's setup thread) once the icon is up. When the
        icon cannot be shown at all, `run` returns with `failure` saying why.
        """
        self._on_shown = on_shown
        if self._stop_requested.is_set():
            return
        backend = self._backend
        if backend is None:
            backend, hint = select_backend()
            if backend is None:
                log.warning("no tray icon: %s", hint)
                return
        self._pystray = load_pystray(backend)
        if backend in ("gtk", "appindicator"):
            self._session_bus = _keep_running_when_the_bus_goes()
        if backend == "gtk" and not xembed_tray_running():
            log.info("no system tray is running yet; the icon appears when one starts")
        # Listen first, then read: no snapshot falls between the two (early ones are
        # dropped by the listener until the icon exists, and the read below is newer).
        self._handle.add_listener(self._on_status)
        status = self._handle.status()
        with self._lock:
            self._shown_state = status.state
            self._shown_tooltip = tooltip(status)
            self._shown_entries = menu_entries(status)
            self._icon = self._pystray.Icon(
                "sitting-reminder",
                icon=icon_image(status.state),
                title=self._shown_tooltip,
                menu=to_pystray(self._shown_entries, self._pystray, self._choose),
            )

        def setup(icon: Any) -> None:
            icon.visible = True
            self._set_tooltip(self._shown_tooltip or "")
            log.info("tray icon shown (pystray backend %s)", type(icon).__module__)
            if self._on_shown is not None:
                self._on_shown()
            if self._stop_requested.is_set():
                icon.stop()

        try:
            self._icon.run(setup=setup)
        except Exception as error:  # e.g. GTK or its session bus gone: run on without an icon
            self.failure = f"{type(error).__name__}: {error}"
            log.warning("the tray icon could not be shown (%s); running without it", error)
            # pystray's setup thread waits for the loop to say it is ready, and is not a
            # daemon: without this the process could never exit. `_mark_ready` is pystray's
            # own (private) way to say it; tests/desktop/test_service_honesty.py fails (the
            # service hangs at exit) if it goes away.
            mark_ready = getattr(self._icon, "_mark_ready", None)
            if callable(mark_ready):
                mark_ready()

    def stop(self) -> None:
        """End `run` (safe from any thread, before or during `run`)."""
        self._stop_requested.set()
        icon = self._icon
        if icon is not None:
            icon.stop()

    # ---------------------------------------------------------- engine side

    def _on_status(self, status: Status) -> None:
        """Listener, called on the engine thread: hand changed parts to pystray."""
        icon = self._icon
        if icon is None or self._stop_requested.is_set():
            return
        entries = menu_entries(status)
        text = tooltip(status)
        with self._lock:
            new_menu = entries != self._shown_entries
            new_image = status.state != self._shown_state
            new_text = text != self._shown_tooltip
            self._shown_entries, self._shown_state, self._shown_tooltip = (
                entries,
                status.state,
                text,
            )
        menu = to_pystray(entries, self._pystray, self._choose) if new_menu else None

        def apply() -> None:
            if new_image:
                icon.icon = icon_image(status.state)
            if new_text:
                icon.title = text
                self._set_tooltip(text)
            if menu is not None:
                icon.menu = menu

        _on_ui_thread(apply)

    def _set_tooltip(self, text: str) -> None:
        """pystray's GTK backend sets only the title; the hover text needs the tooltip too."""
        status_icon = getattr(self._icon, "_status_icon", None)
        if status_icon is None:
            return
        from gi.repository import GLib

        def apply() -> bool:
            status_icon.set_tooltip_text(text)
            return False

        GLib.idle_add(apply)

    # ------------------------------------------------------------ user side

    def _choose(self, entry: Entry) -> None:
        """A menu item was chosen (on pystray's thread)."""
        perform(entry, self._handle, self._actions)


def run_tray(handle: EngineHandle, actions: TrayActions) -> None:
    """Show the tray for `handle` until it stops; see `TrayApp` to stop it from elsewhere."""
    TrayApp(handle, actions).run()
