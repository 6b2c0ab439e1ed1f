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
import subprocess
import sys
import threading
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

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


def start_program(what: str, argv: Sequence[str]) -> None:
    """Start `argv` (a window in its own process) and log it if it fails; returns at once."""

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

    in_background(f"open {what}", run)


def desktop_actions(
    handle: EngineHandle,
    guide_uri: GuideUri,
    *,
    program: Sequence[str] = (sys.executable, "-m", "reminder"),
) -> TrayActions:
    """The usual actions: the guide in the browser, `stats --open` and `settings` as processes."""
    return TrayActions(
        open_guide=lambda: in_background(
            "open the guide", lambda: webbrowser.open(guide_uri(None))
        ),
        open_professional=lambda: in_background(
            "open the guide", lambda: webbrowser.open(guide_uri("professional"))
        ),
        open_weekly_report=lambda: start_program(
            "the weekly report", [*program, "stats", "--open"]
        ),
        open_settings=lambda: start_program("the settings window", [*program, "settings"]),
        quit=handle.request_stop,
    )
