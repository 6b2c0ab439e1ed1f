"""The console notifier: one line per prompt on stdout, for sessions without a desktop."""

from __future__ import annotations

import sys
from typing import TextIO

from reminder.notify.base import ActionHandler, PromptMessage


class ConsoleNotifier:
    """Prints `prompt.console_line()`; the last resort of every notifier chain.

    It offers no buttons, so `on_action` is never called. `stream` defaults to the
    `sys.stdout` of the moment `show` runs (so redirection set up later still applies).
    """

    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    async def show(self, prompt: PromptMessage, on_action: ActionHandler) -> None:
        stream = self._stream if self._stream is not None else sys.stdout
        print(prompt.console_line(), file=stream, flush=True)

    async def tell(self, title: str, body: str) -> None:
        stream = self._stream if self._stream is not None else sys.stdout
        print(f"{title}: {body}", file=stream, flush=True)

    async def close(self) -> None:
        return None
