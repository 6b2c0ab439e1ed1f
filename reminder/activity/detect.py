"""Pick the activity source that works on this desktop.

Order on Linux:

- Wayland session (`WAYLAND_DISPLAY` set or `XDG_SESSION_TYPE=wayland`): only
  the D-Bus sources, GNOME Mutter first on GNOME, freedesktop ScreenSaver first
  elsewhere (KDE). The X11 source is never used there: under XWayland it sees
  only input sent to X11 windows, so a person typing into native Wayland
  windows would look idle and their spell would end by mistake.
- X11 session (`DISPLAY` set): the X11 source (it also sees full-screen
  windows), then the D-Bus sources.
- Windows and macOS: their own source.
- Nothing works: PlainTimer, named "unavailable".

Each candidate gets start() and one sample(); a failure is logged at debug
level and the next is tried. The winner is wrapped in SignalWatchers (screen
lock and suspend) and returned started. What it announces is known once the
engine calls `watch` on it (see `reminder.activity.base`); suspend detection
by the clocks is the engine's, on its Clock seam, not the source's.

Threading rule: call from the engine's asyncio loop; the returned source
belongs to that loop.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping

from reminder.activity.base import ActivitySource, PlainTimer
from reminder.activity.dbus_sources import FreedesktopScreenSaverSource, GnomeMutterSource
from reminder.activity.macos import MacSource
from reminder.activity.signals import SignalWatchers
from reminder.activity.windows import WindowsSource
from reminder.activity.x11 import X11Source

log = logging.getLogger(__name__)


def candidate_sources(
    environ: Mapping[str, str], platform: str
) -> list[Callable[[], ActivitySource]]:
    """The sources to try, best first, as factories (nothing is opened here)."""
    if platform == "win32":
        return [WindowsSource]
    if platform == "darwin":
        return [MacSource]
    desktops = {part.strip().lower() for part in environ.get("XDG_CURRENT_DESKTOP", "").split(":")}
    gnome = bool(desktops & {"gnome", "gnome-classic", "gnome-flashback", "ubuntu", "unity"})

    def mutter() -> ActivitySource:
        return GnomeMutterSource(environ)

    def screensaver() -> ActivitySource:
        return FreedesktopScreenSaverSource(environ)

    def x11() -> ActivitySource:
        return X11Source(environ)

    dbus_sources = [mutter, screensaver] if gnome else [screensaver, mutter]
    wayland = bool(environ.get("WAYLAND_DISPLAY")) or environ.get("XDG_SESSION_TYPE") == "wayland"
    if wayland:
        return dbus_sources
    if environ.get("DISPLAY"):
        return [x11, *dbus_sources]
    return dbus_sources


async def choose_activity_source(
    environ: Mapping[str, str] | None = None,
    *,
    platform: str | None = None,
) -> ActivitySource:
    """The best working source, started, wrapped in SignalWatchers; never raises.

    The caller calls `watch` on it, and again after a configuration change, and
    closes it when done. (Suspend and clock jumps are the engine's Clock seam's.)
    """
    env = dict(os.environ if environ is None else environ)
    platform = sys.platform if platform is None else platform
    chosen: ActivitySource = PlainTimer()
    for make in candidate_sources(env, platform):
        source = make()
        try:
            await source.start()
            await source.sample()
        except Exception as exc:
            log.debug("activity source %s does not work here: %r", source.name, exc)
            await _close_quietly(source)
            continue
        chosen = source
        break
    log.debug("activity source: %s", chosen.name)
    watched = SignalWatchers(chosen, environ=env, watch_dbus=platform not in ("win32", "darwin"))
    try:
        await watched.start_watching()
    except Exception as exc:  # watchers are best effort; the idle source still works
        log.debug("lock and suspend watchers failed: %r", exc)
    return watched


async def _close_quietly(source: ActivitySource) -> None:
    try:
        await source.close()
    except Exception:
        log.debug("closing %s failed", source.name, exc_info=True)
