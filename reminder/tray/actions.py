"""What choosing a menu item does: a command goes to the engine, the rest to `TrayActions`.

Threading: `perform` runs on the thread of the tray that calls it (the engine's asyncio
loop for the StatusNotifierItem tray, pystray's thread otherwise) and returns at once:
commands are posted through `EngineHandle.submit`, whose answer is logged from a
done-callback, and every action the shell supplies must return at once (start a
process or a thread, never wait for a browser or a window).
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import subprocess
import sys
import threading
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from reminder.service.api import CommandResult, EngineHandle
from reminder.tray.menu import Entry, OpenTarget

log = logging.getLogger(__name__)

GuideUri = Callable[[str | None], str]
"""The guide's address, at a section ("professional") or at the top (None)."""


@dataclass(frozen=True)
class TrayActions:
    """The menu's non-command items, as callables the shell supplies (each returns at once)."""

    open_guide: Callable[[], None]
    open_professional: Callable[[], None]
    open_weekly_report: Callable[[], None]  # "This week"
    open_settings: Callable[[], None]  # "Settings…": the settings window, its own process
    quit: Callable[[], None]

    def action_for(self, target: OpenTarget) -> Callable[[], None]:
        actions: dict[OpenTarget, Callable[[], None]] = {
            "guide": self.open_guide,
            "professional": self.open_professional,
            "weekly_report": self.open_weekly_report,
            "settings": self.open_settings,
            "quit": self.quit,
        }
        return actions[target]


def perform(entry: Entry, handle: EngineHandle, actions: TrayActions) -> None:
    """Carry out a chosen menu line; failures and refusals are logged, never raised."""
    if entry.command is not None:
        log.info("tray: %s (%r)", entry.text, entry.command)
        try:
            future = handle.submit(entry.command)
        except RuntimeError as error:  # the engine is not running (yet, or any more)
            log.warning("tray: %s not done: %s", entry.text, error)
            return
        future.add_done_callback(partial(_log_answer, entry))
    elif entry.open is not None:
        log.info("tray: %s", entry.text)
        try:
            actions.action_for(entry.open)()
        except Exception:  # a broken action must not take the tray down
            log.exception("tray: %s failed", entry.text)


def _log_answer(entry: Entry, done: concurrent.futures.Future[CommandResult]) -> None:
    try:
        result = done.result()
    except Exception:  # the engine failed the command: say so, keep the tray
        log.exception("tray: %s failed", entry.text)
        return
    if result.error:
        log.warning("tray: %s refused: %s", entry.text, result.error)


# ------------------------------------------------------------ the desktop's


def in_background(what: str, work: Callable[[], object]) -> None:
    """Run `work` in a daemon thread, logging a failure: a slow browser never blocks the tray."""

    def guarded() -> None:
        try:
            work()
        except Exception:  # reported in the log; the tray goes on
            log.exception("could not %s", what)

    threading.Thread(target=guarded, name=what, daemon=True).start()


def start_program(
    what: str, argv: Sequence[str], tell: Callable[[str, str], None] | None = None
) -> None:
    """Start `argv` (a window in its own process); returns at once. When it fails, the
    log and `tell` (a notification) say why, so the click is not lost in silence."""

    def run() -> None:
        with subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        ) as proc:
            _, errors = proc.communicate()
        if proc.returncode != 0:
            last = (errors or "").strip().splitlines()[-1:] or ["no message"]
            log.warning("could not open %s (exit %s): %s", what, proc.returncode, last[0])
            if tell is not None:
                tell(f"Could not open {what}", last[0].removeprefix("sitting-reminder: error: "))

    in_background(f"open {what}", run)


def _open_folder(folder: Path) -> bool:
    """Open a folder in the desktop's file manager; True when that worked."""
    if sys.platform == "win32":
        try:
            os.startfile(folder)  # type: ignore[attr-defined,unused-ignore]
        except OSError:
            return False
        return True
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    try:
        done = subprocess.run([opener, str(folder)], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def open_address(what: str, address: str, tell: Callable[[str, str], None]) -> None:
    """Open `address` in the browser, off the calling thread. When no browser starts: open
    the page's folder (for a local page), and say where the page is (`tell`, the log)."""

    def work() -> None:
        try:
            opened = webbrowser.open(address)
        except Exception as error:  # webbrowser raises for broken BROWSER settings
            log.warning("the browser failed for %s: %s", what, error)
            opened = False
        if opened:
            return
        title = f"No web browser could open {what}"
        if address.startswith("file://"):
            page = Path(url2pathname(urlparse(address).path))
            if _open_folder(page.parent):
                tell(title, f"Its folder is open instead; the page is {page.name}")
                return
            tell(title, f"Open it yourself: {page}")
            return
        tell(title, f"Open it yourself: {address}")

    in_background(f"open {what}", work)


def desktop_actions(
    handle: EngineHandle,
    guide_uri: GuideUri,
    *,
    program: Sequence[str] = (sys.executable, "-m", "reminder"),
    config: Path | None = None,
) -> TrayActions:
    """The usual actions: the guide in the browser, `stats --open` and `settings` as processes
    (given the service's `--config` file, so they read and edit the same one)."""
    same_file = ["--config", str(config)] if config is not None else []
    return TrayActions(
        open_guide=lambda: open_address("the guide", guide_uri(None), handle.announce),
        open_professional=lambda: open_address("the guide", guide_uri("urgent"), handle.announce),
        open_weekly_report=lambda: start_program(
            "the weekly report", [*program, "stats", "--open", *same_file], handle.announce
        ),
        open_settings=lambda: start_program(
            "the settings window", [*program, "settings", *same_file], handle.announce
        ),
        quit=handle.request_stop,
    )
