"""The call-source seam: is the person in a call, or has the desktop's Do Not Disturb on?

Each source watches one signal (microphone capture streams, a camera held open,
an idle inhibitor, a notification server's Do Not Disturb) and only ever says
whether it is on. Nothing about the call (application names, audio, video) is
read beyond what that answer needs, and nothing is kept.

Threading rule: every method is called on the engine's asyncio loop thread, and
`on_change` must be called there too (`loop.call_soon_threadsafe` from a foreign
thread, e.g. a watcher that has to block).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from reminder.activity.base import ChangeListener

CallKind = Literal["call", "dnd"]


class SourceUnavailable(Exception):
    """This signal cannot be watched here (no sound server, no such bus name, not Linux ...).

    The message says why in a few words; `status --json` and `doctor` show it.
    """


@dataclass(frozen=True)
class CallState:
    """What the call sources say at one instant."""

    in_call: bool = False
    dnd: bool = False


NO_CALL = CallState()


class CallSource(Protocol):
    """One signal that a call (or Do Not Disturb) is on."""

    name: str  # e.g. "microphone (pulseaudio)", "camera", "idle inhibitor", "dunst do-not-disturb"
    kind: CallKind
    pushes: bool  # True: on_change fires on every change; False: the engine asks on each wake

    async def start(self, on_change: ChangeListener) -> None:
        """Connect and begin watching; raise SourceUnavailable when it cannot work here."""

    async def active(self) -> bool:
        """Whether the signal is on now (cheap; a source that does not push may scan here)."""
        ...

    async def close(self) -> None:
        """Release connections; never raises."""
