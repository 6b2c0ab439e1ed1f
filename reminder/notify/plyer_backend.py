"""The plyer fallback: a plain notification without buttons.

plyer 2.1.0 on Linux has traps this adapter steps around: it picks the Flatpak portal
whenever a folder `/app` exists (even outside Flatpak), warns instead of failing when
dbus-python or notify-send is missing, and then raises NotImplementedError. Here the
Linux implementation is chosen explicitly and "nothing available" is a NotifierError.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reminder.notify.base import ActionHandler, NotifierError, PromptMessage


def _in_flatpak() -> bool:
    return Path("/.flatpak-info").exists() or "FLATPAK_ID" in os.environ


def _linux_implementation() -> Any:
    """The plyer Linux notifier that can work here, or raise NotifierError saying why not."""
    from plyer.platforms.linux import notification as linux

    if _in_flatpak():
        return linux.NotifyDesktopPortals()
    try:
        import dbus  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        pass
    else:
        return linux.NotifyDbus()
    if shutil.which("notify-send"):
        return linux.NotifySendNotification()
    raise NotifierError(
        "plyer has no way to notify here: install dbus-python or notify-send (libnotify-bin)"
    )


def _default_implementation() -> Any:
    if sys.platform.startswith("linux"):
        return _linux_implementation()
    from plyer import notification

    return notification


class PlyerBackend:
    """Shows a prompt with plyer in a worker thread, bounded by `timeout` seconds.

    plyer's calls block (D-Bus, a subprocess, Win32), so they run in the loop's
    executor; a hung call is abandoned after the timeout and the prompt falls back.
    There are no buttons: `on_action` is never called, and the text names the guide's
    command. On Linux the stretch's picture goes along as the notification's icon.
    """

    name = "plyer"

    def __init__(self, app_name: str = "Sitting Reminder", *, timeout: float = 5.0) -> None:
        self._app_name = app_name
        self._timeout = timeout

    async def show(self, prompt: PromptMessage, on_action: ActionHandler) -> None:
        implementation = _default_implementation()
        picture = prompt.stretch.raster_picture
        # plyer passes app_icon on as the D-Bus icon on Linux; Windows would want an .ico.
        icon = str(picture) if picture is not None and sys.platform.startswith("linux") else ""

        def call() -> None:
            implementation.notify(
                title=prompt.title,
                message=prompt.body(buttons=False),
                app_name=self._app_name,
                app_icon=icon,
                timeout=30,
            )

        await self._run(call)

    async def tell(self, title: str, body: str) -> None:
        implementation = _default_implementation()

        def call() -> None:
            implementation.notify(title=title, message=body, app_name=self._app_name, timeout=30)

        await self._run(call)

    async def _run(self, call: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.run_in_executor(None, call), self._timeout)
        except NotImplementedError as exc:
            raise NotifierError("plyer has no notification backend on this system") from exc
        except asyncio.TimeoutError as exc:
            raise NotifierError(f"plyer did not finish within {self._timeout:g}s") from exc
        except Exception as exc:
            raise NotifierError(f"plyer failed: {exc}") from exc

    async def close(self) -> None:
        return None
