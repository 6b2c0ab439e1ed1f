"""Carrying out the policy's actions: what goes into the history, and showing prompts.

`history_rows` is pure: the history rows an action stands for (nothing about a
call but that a prompt was held and for how long). `Prompter` builds a prompt
from the catalog's next stretch and shows it in a task of its own, so a slow or
hung notification server never holds the engine.

Threading rule: `Prompter` runs on the engine loop; notification buttons may
call `on_button` from any thread (the engine posts them to its loop).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TextIO

from reminder.configuration.model import Config
from reminder.core import policy
from reminder.core.model import HeldFor, PromptAction
from reminder.durations import human_duration
from reminder.notify.base import Notifier, PromptMessage
from reminder.stretches import Stretch, StretchRotation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HistoryRow:
    """One event for the history (see reminder/store/history.py for the kinds)."""

    kind: str
    at: datetime
    local_day: date
    spell_s: int | None = None
    detail: str | None = None
    prompts: int | None = None


def _seconds(length: timedelta) -> int:
    return int(length.total_seconds())


def history_rows(action: policy.Action, now: datetime, day: date) -> list[HistoryRow]:
    """The history rows `action`, taken at `now` on local `day`, stands for."""
    if isinstance(action, policy.PromptDue):
        return [HistoryRow("prompt", now, day, _seconds(action.sitting_for))]
    if isinstance(action, policy.SpellEnded):
        rows = []
        if action.is_break:
            kind = "break_taken" if action.asked_by_user else "natural_break"
            rows.append(HistoryRow(kind, now, day, _seconds(action.length), action.reason))
        rows.append(
            HistoryRow(
                "spell",
                action.ended,
                day,
                _seconds(action.length),
                action.reason,
                action.prompts,
            )
        )
        return rows
    if isinstance(action, policy.Snoozed):
        return [HistoryRow("snooze", now, day, None, action.until.isoformat())]
    if isinstance(action, policy.Paused):
        return [HistoryRow("pause", now, day, None, action.until.isoformat())]
    if isinstance(action, policy.HoldEnded):
        return [HistoryRow("held", now, day, _seconds(action.length), action.reason)]
    return []


HELD_REASONS: dict[HeldFor, str] = {
    "call": "a call is on (microphone, camera or an idle inhibitor)",
    "dnd": "Do Not Disturb is on",
    "fullscreen": "a full-screen window is active",
}


def log_action(action: policy.Action) -> None:
    """One log line for the actions a person would want explained later."""
    if isinstance(action, policy.SpellEnded):
        log.info("spell ended after %s (%s)", human_duration(action.length), action.reason)
    elif isinstance(action, policy.PromptHeld):
        log.info("prompt held: %s", HELD_REASONS[action.reason])
    elif isinstance(action, policy.HoldEnded):
        log.info("hold ended after %s (%s)", human_duration(action.length), action.reason)
    elif isinstance(action, policy.SignalStuck):
        log.warning(
            "the %s signal has been on since %s, longer than notifications.max_hold: taken "
            "for stuck, prompts come again until it goes off",
            action.kind,
            action.since.isoformat(timespec="minutes"),
        )


class Prompter:
    """Shows prompts: the next stretch of the rotation, the notifier chain, the console."""

    def __init__(
        self,
        notifier: Notifier,
        catalog: tuple[Stretch, ...],
        *,
        rng: random.Random,
        guide_uri: Callable[[str | None, str], str],
        on_button: Callable[[PromptAction], None],
        console: TextIO | None = None,
    ) -> None:
        self.notifier = notifier
        self.catalog = catalog
        self._rng = rng
        self._rotation = StretchRotation(catalog, rng)
        self._guide_uri = guide_uri
        self._on_button = on_button
        self._console = console
        self._tasks: set[asyncio.Task[None]] = set()

    def use_catalog(self, catalog: tuple[Stretch, ...]) -> None:
        if catalog != self.catalog:
            self.catalog = catalog
            self._rotation = StretchRotation(catalog, self._rng)

    def show(self, due: policy.PromptDue, config: Config) -> PromptMessage:
        """Build the prompt and show it in its own task; returns what is shown."""
        message = PromptMessage(
            stretch=self._rotation.next(),
            sitting_for=due.sitting_for,
            repeat=due.repeat,
            guide_location=self._guide_uri(None, config.guide.url),
            snooze=config.reminders.snooze_options[0],
            after_call=due.after_call,
        )
        log.info("prompt: %s", message.console_line())
        task = asyncio.get_running_loop().create_task(self._show(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return message

    async def _show(self, message: PromptMessage) -> None:
        try:
            await self.notifier.show(message, self._on_button)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the chain should not raise; never lose the prompt to it
            log.warning("the prompt could not be shown (%s)", error)
        shown_on_console = getattr(self.notifier, "last_used", None) == "console"
        if self._console is not None and not shown_on_console:
            print(message.console_line(), file=self._console, flush=True)

    async def close(self) -> None:
        """Let a prompt being shown finish (briefly), then close the notifier."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=1.0)
        for task in set(self._tasks):
            task.cancel()
        try:
            await asyncio.wait_for(self.notifier.close(), 1.0)
        except Exception as error:  # closing is best effort
            log.debug("closing the notifier: %r", error)
