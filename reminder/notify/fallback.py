"""The notifier chain the service uses: try each backend in order, never fail the engine."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from reminder.notify.base import ActionHandler, Notifier, NotifierError, PromptMessage

log = logging.getLogger(__name__)

BACKENDS = ("auto", "desktop-notifier", "plyer", "console")


class FallbackNotifier:
    """Shows each prompt with the first backend that manages it.

    A backend that raises (or takes longer than `timeout` seconds) is logged and the
    same prompt goes to the next one; the next prompt starts again from the first, so
    a notification server that comes back is used again. `show` never raises (except
    for cancellation), so a broken desktop cannot stop the service.
    """

    def __init__(self, backends: Sequence[Notifier], *, timeout: float = 10.0) -> None:
        if not backends:
            raise ValueError("a notifier chain needs at least one backend")
        self.backends = tuple(backends)
        self.name = " > ".join(backend.name for backend in self.backends)
        self.last_used: str | None = None  # the backend that showed the latest prompt
        self._timeout = timeout

    async def show(self, prompt: PromptMessage, on_action: ActionHandler) -> None:
        for position, backend in enumerate(self.backends):
            following = self.backends[position + 1 :]
            then = f"; trying {following[0].name}" if following else ""
            try:
                await asyncio.wait_for(backend.show(prompt, on_action), self._timeout)
            except asyncio.TimeoutError:
                log.warning(
                    "notifier %s gave no answer in %gs%s", backend.name, self._timeout, then
                )
            except NotifierError as exc:
                log.warning("notifier %s could not show the prompt: %s%s", backend.name, exc, then)
            except Exception:
                log.exception("notifier %s failed unexpectedly%s", backend.name, then)
            else:
                self.last_used = backend.name
                return
        self.last_used = None
        log.error("no notifier could show the prompt: %s", prompt.console_line())

    async def tell(self, title: str, body: str) -> None:
        """A plain message through the first backend that manages it; never raises."""
        for backend in self.backends:
            try:
                await asyncio.wait_for(backend.tell(title, body), self._timeout)
            except (asyncio.TimeoutError, NotifierError) as exc:
                log.warning("notifier %s could not show a message: %s", backend.name, exc)
            except Exception:
                log.exception("notifier %s failed unexpectedly", backend.name)
            else:
                return
        log.error("no notifier could show: %s: %s", title, body)

    async def close(self) -> None:
        for backend in self.backends:
            try:
                await backend.close()
            except Exception:
                log.exception("closing notifier %s failed", backend.name)


def build_notifier(backend: str, *, has_display: bool) -> FallbackNotifier:
    """The chain for `notifications.backend`.

    "auto": desktop-notifier, plyer, then the console (only the console without a
    display). A forced backend is tried first, with the console as the last resort.
    """
    from reminder.notify.console import ConsoleNotifier
    from reminder.notify.desktop import DesktopNotifierBackend
    from reminder.notify.plyer_backend import PlyerBackend

    chain: list[Notifier]
    if backend == "auto":
        chain = [DesktopNotifierBackend(), PlyerBackend()] if has_display else []
    elif backend == "desktop-notifier":
        chain = [DesktopNotifierBackend()]
    elif backend == "plyer":
        chain = [PlyerBackend()]
    elif backend == "console":
        chain = []
    else:
        raise ValueError(
            f"notifications.backend must be one of {', '.join(BACKENDS)}, got: {backend!r}"
        )
    chain.append(ConsoleNotifier())
    return FallbackNotifier(chain)
