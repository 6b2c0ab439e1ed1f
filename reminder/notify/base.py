"""The notifier seam.

Threading rule: `show` is awaited on the engine's asyncio loop; `on_action`
callbacks may come from any thread and must only post commands to the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from reminder.core.model import PromptAction
from reminder.durations import format_duration
from reminder.stretches import Stretch


class NotifierError(Exception):
    """The notifier could not show the prompt (server gone, backend missing)."""


@dataclass(frozen=True)
class PromptMessage:
    """A prompt to move, ready to show."""

    stretch: Stretch
    sitting_for: timedelta
    repeat: int  # 0 for the first prompt of a spell
    guide_location: str  # file URI or URL of the knot guide
    snooze: timedelta  # the first snooze option, for the button
    after_call: timedelta | None = None  # the length of the call that just ended, if any

    @property
    def title(self) -> str:
        sat = format_duration(self.sitting_for, coarse=True)
        if self.repeat == 0:
            return f"Time to move: {sat} sitting"
        return f"Still sitting, {sat} now: time to get up"

    @property
    def body(self) -> str:
        steps = " ".join(self.stretch.steps)
        text = f"{self.stretch.name}: {steps}"
        if self.stretch.caution:
            text += f" Caution: {self.stretch.caution}"
        return f"{text}\nWhy: {self.guide_location}"

    def console_line(self) -> str:
        """One line for the console notifier."""
        steps = " ".join(self.stretch.steps)
        return f"{self.title}. Try: {self.stretch.name}. {steps} Guide: {self.guide_location}"


ActionHandler = Callable[[PromptAction], None]


class Notifier(Protocol):
    """Shows prompts; raises NotifierError when it cannot."""

    name: str

    async def show(self, prompt: PromptMessage, on_action: ActionHandler) -> None: ...

    async def close(self) -> None: ...
