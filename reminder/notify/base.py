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
from reminder.durations import human_duration
from reminder.stretches import Stretch


class NotifierError(Exception):
    """The notifier could not show the prompt (server gone, backend missing)."""


GUIDE_COMMAND = "sitting-reminder guide"  # what a prompt without a Guide button points to


@dataclass(frozen=True)
class PromptMessage:
    """A prompt to move, ready to show.

    Every duration in its text is written with `human_duration` ("50 min"). The text
    never shows the guide's address: the Guide button opens it, and a prompt without
    buttons names the command that prints it (GUIDE_COMMAND).
    """

    stretch: Stretch
    sitting_for: timedelta
    repeat: int  # 0 for the first prompt of a spell
    guide_location: str  # file URI or URL of the knot guide, where the Guide button leads
    snooze: timedelta  # the first snooze option, for the button
    after_call: timedelta | None = None  # set when the prompt comes right after a call this long

    @property
    def title(self) -> str:
        if self.after_call is not None:
            call = human_duration(self.after_call)
            return f"You sat through a {call} call: stand up for a minute"
        sat = human_duration(self.sitting_for)
        if self.repeat == 0:
            return f"Time to move: {sat} sitting"
        return f"Still sitting, {sat} now: time to get up"

    @property
    def snooze_label(self) -> str:
        """The Snooze button: "Snooze 10 min"."""
        return f"Snooze {human_duration(self.snooze)}"

    @property
    def stretch_heading(self) -> str:
        """The stretch, how long it takes and what it works:
        "Seated figure-four (1 min, for the piriformis and gluteus maximus)"."""
        stretch = self.stretch
        return (
            f"{stretch.name} ({human_duration(stretch.duration)}, for the {stretch.targets_phrase})"
        )

    def body(self, *, buttons: bool) -> str:
        """The notification text. Without `buttons` it ends by naming the guide's command."""
        text = f"{self.stretch_heading}: {' '.join(self.stretch.steps)}"
        if self.stretch.caution:
            text += f" Caution: {self.stretch.caution}"
        if not buttons:
            text += f"\nWhy, and when to see someone: {GUIDE_COMMAND}"
        return text

    def console_line(self) -> str:
        """One line for the console notifier (and the log): the same words, without buttons."""
        text = f"{self.title}. Try: {self.stretch_heading}. {' '.join(self.stretch.steps)}"
        if self.stretch.caution:
            text += f" Caution: {self.stretch.caution}"
        return f"{text} Guide: {GUIDE_COMMAND}"


ActionHandler = Callable[[PromptAction], None]


class Notifier(Protocol):
    """Shows prompts; raises NotifierError when it cannot."""

    name: str

    async def show(self, prompt: PromptMessage, on_action: ActionHandler) -> None: ...

    async def tell(self, title: str, body: str) -> None:
        """A plain message with no buttons (something failed that a person must know)."""

    async def close(self) -> None: ...
