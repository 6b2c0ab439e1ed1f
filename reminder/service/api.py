"""What the tray and the control endpoint may do with the running engine.

Threading rule: every method is safe to call from any thread. Commands are
posted to the engine's loop; the engine alone mutates state and hands back
immutable `Status` snapshots.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from reminder.core.model import Command, Status


@dataclass(frozen=True)
class CommandResult:
    """The engine's answer to a command: one line for people, the status for JSON."""

    message: str
    status: Status
    error: str | None = None  # set when refused (locked key, bad value)
    exit_code: int = 0


StatusListener = Callable[[Status], None]


class EngineHandle(Protocol):
    """A handle on the running engine."""

    def submit(self, command: Command) -> concurrent.futures.Future[CommandResult]:
        """Post a command; the future resolves on the engine thread."""
        ...

    def status(self) -> Status:
        """The latest snapshot (no waiting)."""
        ...

    def add_listener(self, listener: StatusListener) -> None:
        """Call `listener` (on the engine thread) with each new snapshot."""
        ...

    def request_stop(self) -> None:
        """Ask the service to stop (Quit in the tray)."""
        ...

    def announce(self, title: str, body: str) -> None:
        """Show a plain message (a notification, else the console): something a person
        asked for failed and they would otherwise never know."""
        ...
