"""Desktop notifications with buttons through desktop-notifier (D-Bus, WinRT, macOS).

desktop-notifier logs a failed send instead of raising; this adapter turns such a
failure into a `NotifierError` so that the fallback chain can move on.

A prompt carries the stretch's picture as desktop-notifier's `attachment`, which its
D-Bus backend sends as the freedesktop `image-path` hint (macOS and Windows show it
as an attached image). A new prompt replaces the one still on screen: desktop-notifier
6.2's D-Bus backend always sends `replaces_id` 0 and offers no way to set it, so the
adapter closes the previous notification (its public `clear`, CloseNotification on
D-Bus) just before sending the next. Only one prompt is ever open.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import Any

from reminder.core.model import PromptAction
from reminder.notify.base import ActionHandler, NotifierError, PromptMessage

log = logging.getLogger(__name__)

# Where _Capture puts the exception desktop-notifier swallowed during the current send.
# A list, because asyncio.wait_for runs the send in a child task with a copied context.
_swallowed: contextvars.ContextVar[list[BaseException] | None] = contextvars.ContextVar(
    "desktop_notifier_swallowed", default=None
)


class _Capture(logging.Filter):
    """Keeps desktop-notifier's "Notification failed" traceback off the console.

    The exception is stored for the adapter, which reports it in one log line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        sink = _swallowed.get()
        if sink is not None and record.exc_info and record.exc_info[1] is not None:
            sink.append(record.exc_info[1])
            return False
        return True


_CAPTURE = _Capture()


class DesktopNotifierBackend:
    """Shows a prompt through desktop-notifier, with Done / Snooze / Guide buttons.

    Buttons are added only when the server lists the "actions" capability; without
    them the text names the guide's command instead. Button callbacks run on the
    engine's asyncio loop (D-Bus signals arrive there) and only call `on_action`. Every
    call to the server is bounded by `timeout` seconds, so a hung server cannot hold
    the engine. `show` is called from the engine's loop only (it remembers the prompt
    on screen, to replace it).
    """

    name = "desktop-notifier"

    def __init__(self, app_name: str = "Sitting Reminder", *, timeout: float = 5.0) -> None:
        self._app_name = app_name
        self._timeout = timeout
        self._notifier: Any = None
        self._on_screen: str | None = None  # desktop-notifier's identifier of the last prompt
        logging.getLogger("desktop_notifier.backends.base").addFilter(_CAPTURE)

    def _client(self) -> Any:
        if self._notifier is None:
            try:
                from desktop_notifier import DesktopNotifier
            except ImportError as exc:  # pragma: no cover - a declared dependency
                raise NotifierError(f"desktop-notifier is not installed: {exc}") from exc
            notifier = DesktopNotifier(app_name=self._app_name, app_icon=None)
            backend = type(getattr(notifier, "_backend", None)).__name__
            if backend == "DummyNotificationCenter":
                # macOS outside an app bundle, or an unsupported system: it would show nothing.
                raise NotifierError("desktop-notifier cannot show notifications on this system")
            self._notifier = notifier
        return self._notifier

    async def show(self, prompt: PromptMessage, on_action: ActionHandler) -> None:
        from desktop_notifier import Attachment, Button, Capability, Notification

        notifier = self._client()
        try:
            capabilities = await asyncio.wait_for(notifier.get_capabilities(), self._timeout)
        except Exception as exc:  # includes the timeout
            await _disconnect(notifier, only_half_open=True)
            raise NotifierError(f"no notification server answered: {_describe(exc)}") from exc

        buttons: tuple[Any, ...] = ()
        if Capability.BUTTONS in capabilities:
            buttons = (
                Button("Done", on_pressed=lambda: on_action(PromptAction.DONE)),
                Button(prompt.snooze_label, on_pressed=lambda: on_action(PromptAction.SNOOZE)),
                Button("Guide", on_pressed=lambda: on_action(PromptAction.GUIDE)),
            )
        picture = prompt.stretch.raster_picture
        dispatched = asyncio.Event()
        notification = Notification(
            prompt.title,
            prompt.body(buttons=bool(buttons)),
            buttons=buttons,
            on_dispatched=dispatched.set,
            attachment=Attachment(path=picture) if picture is not None else None,
        )
        await self._close_previous(notifier)
        swallowed: list[BaseException] = []
        token = _swallowed.set(swallowed)
        try:
            await asyncio.wait_for(notifier.send_notification(notification), self._timeout)
        except Exception as exc:  # includes the timeout
            raise NotifierError(f"the notification server failed: {_describe(exc)}") from exc
        finally:
            _swallowed.reset(token)
        if not dispatched.is_set():
            reason = f": {_describe(swallowed[0])}" if swallowed else ""
            raise NotifierError(f"the notification server did not take the prompt{reason}")
        self._on_screen = notification.identifier

    async def tell(self, title: str, body: str) -> None:
        from desktop_notifier import Notification

        notifier = self._client()
        dispatched = asyncio.Event()
        try:
            await asyncio.wait_for(
                notifier.send_notification(Notification(title, body, on_dispatched=dispatched.set)),
                self._timeout,
            )
        except Exception as exc:  # includes the timeout
            raise NotifierError(f"the notification server failed: {_describe(exc)}") from exc
        if not dispatched.is_set():
            raise NotifierError("the notification server did not take the message")

    async def _close_previous(self, notifier: Any) -> None:
        """Close the last prompt if it is still on screen, so the next one takes its place.

        Best effort: a prompt the user or the server closed meanwhile is gone already.
        """
        previous, self._on_screen = self._on_screen, None
        if previous is None:
            return
        try:
            if previous in await asyncio.wait_for(
                notifier.get_current_notifications(), self._timeout
            ):
                await asyncio.wait_for(notifier.clear(previous), self._timeout)
        except Exception as exc:  # closed meanwhile (KeyError), a server error, a timeout
            log.debug("could not close the previous prompt: %s", _describe(exc))

    async def close(self) -> None:
        """Disconnect from the session bus; buttons of shown prompts stop working."""
        if self._notifier is not None:
            await _disconnect(self._notifier)
            self._notifier = None
            self._on_screen = None


async def _disconnect(notifier: Any, *, only_half_open: bool = False) -> None:
    """Close desktop-notifier's bus connection (it has no public way to do so).

    With `only_half_open`, only a connection whose server introspection failed: its
    D-Bus backend keeps that one and opens another on the next try, so without this
    every prompt sent while no server runs would leak a socket.
    """
    backend = getattr(notifier, "_backend", None)
    bus = getattr(backend, "bus", None)
    if backend is None or bus is None:
        return
    if only_half_open and getattr(backend, "interface", None) is not None:
        return
    try:
        bus.disconnect()
        await asyncio.wait_for(bus.wait_for_disconnect(), 0.5)
    except Exception:  # closed already, or closed with an error: either way, gone
        log.debug("closing the notification bus connection", exc_info=True)
    backend.bus = None
    backend.interface = None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer in time"
    return str(exc) or type(exc).__name__
