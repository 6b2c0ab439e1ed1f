"""A tray for tests: TrayApp on this process's main thread with a recording engine.

Run as `python tray_child.py STATE`. Every command the menu submits is printed on
stdout as `command: <repr>`, every other item as `action: <name>`, quit as
`quit requested`. A line
`state NAME` on stdin makes the engine publish a snapshot in that state (as the real
engine does on each tick); closing stdin (or Quit) stops the tray. The engine is
the recording fake: these tests are about the tray and the desktop, the real
service has its own test.
"""

from __future__ import annotations

import concurrent.futures
import logging
import sys
import threading
from collections.abc import Callable

from reminder.core.model import Command, SpellState
from reminder.service.api import CommandResult
from reminder.testing import RecordingEngine, sample_status
from reminder.tray.actions import TrayActions
from reminder.tray.app import TrayApp


class PrintingEngine(RecordingEngine):
    """Prints each command so the test process can read it."""

    app: TrayApp | None = None

    def submit(self, command: Command) -> concurrent.futures.Future[CommandResult]:
        print(f"command: {command!r}", flush=True)
        return super().submit(command)

    def request_stop(self) -> None:
        print("quit requested", flush=True)
        super().request_stop()
        if self.app is not None:
            self.app.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    state = SpellState(sys.argv[1])
    engine = PrintingEngine(sample_status(state=state))

    def printing(name: str) -> Callable[[], None]:
        return lambda: print(f"action: {name}", flush=True)

    actions = TrayActions(
        open_guide=printing("guide"),
        open_professional=printing("professional"),
        open_weekly_report=printing("weekly_report"),
        open_settings=printing("settings"),
        quit=engine.request_stop,
    )
    app = TrayApp(engine, actions)
    engine.app = app

    def follow_stdin() -> None:
        for line in sys.stdin:
            word, _, value = line.strip().partition(" ")
            if word == "state":
                engine.publish(sample_status(state=SpellState(value)))
                print(f"published {value}", flush=True)
        app.stop()

    threading.Thread(target=follow_stdin, daemon=True).start()
    print("tray starting", flush=True)
    app.run()
    print("tray stopped", flush=True)


if __name__ == "__main__":
    main()
