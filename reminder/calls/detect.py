"""Pick and start the call and Do Not Disturb sources this desktop offers.

Linux:
- microphone: `PulseMicrophone` (PulseAudio or pipewire-pulse; pushes);
- camera: `ProcCamera` (a /proc scan; asked);
- idle inhibitors: `GnomeIdleInhibitor`, `KdeIdleInhibitor` (push); where
  neither is on the bus, org.freedesktop.ScreenSaver alone cannot tell;
- Do Not Disturb: `NotificationServerDnd` (dunst or KDE; pushes), and on GNOME
  sessions `GnomeBannersDnd` (pushes).
Windows: `ConsentStoreDevice` for the microphone and the camera, `WindowsQuietState`.
macOS: `CoreAudioMicrophone`; camera and Focus are reported unavailable.

Every candidate is started at once (each bounds its own calls); one that
raises SourceUnavailable is listed in `CallDetectors.unavailable` with its
reason, for `doctor`. Any other exception is logged as a warning and listed the
same way: detection never stops the service.

Threading rule: call from the engine's asyncio loop, which owns `bus`; the
returned CallDetectors and its sources belong to that loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from reminder.activity.base import ChangeListener
from reminder.calls.base import NO_CALL, CallSource, CallState, SourceUnavailable

if TYPE_CHECKING:  # dbus-fast is installed on Linux only
    from dbus_fast.aio import MessageBus

log = logging.getLogger(__name__)

GNOME_DESKTOPS = frozenset({"gnome", "gnome-classic", "gnome-flashback", "ubuntu", "unity"})
NO_SESSION_BUS = "no session bus"


class CallDetectors:
    """The started call and Do Not Disturb sources of this desktop, asked together.

    `sources` are started; `unavailable` maps each signal that cannot be watched
    here to the reason. Build one with `choose_call_sources`, or directly from
    sources (tests; `add` starts each).
    """

    def __init__(self, unavailable: Mapping[str, str] | None = None) -> None:
        self.sources: list[CallSource] = []
        self.unavailable: dict[str, str] = dict(unavailable or {})
        self._listener: ChangeListener | None = None
        self._failing: set[str] = set()

    @property
    def names(self) -> list[str]:
        """The sources in use, for `status --json` `call_detection`."""
        return [source.name for source in self.sources]

    @property
    def needs_asking(self) -> bool:
        """Whether some source does not push, so `state()` must be asked on every wake."""
        return any(not source.pushes for source in self.sources)

    async def add(self, source: CallSource) -> bool:
        """Start `source` and keep it; on failure record why under its name. True if started."""
        try:
            await source.start(self._changed)
        except SourceUnavailable as exc:
            log.debug("call source %s is unavailable: %s", source.name, exc)
            self.unavailable[source.name] = str(exc)
            return False
        except Exception as exc:  # a broken source must not stop the service; say why
            log.warning("call source %s failed to start: %r", source.name, exc)
            self.unavailable[source.name] = f"failed to start: {exc!r}"
            await _close_quietly(source)
            return False
        self.sources.append(source)
        return True

    async def start(self, on_change: ChangeListener) -> None:
        """From now on, call `on_change` (on the loop) whenever a pushing source changes.

        Changes before this call are not replayed: ask `state()` after it.
        """
        self._listener = on_change

    async def state(self) -> CallState:
        """What the sources say now: a call (microphone, camera, inhibitor) and Do Not Disturb.

        A source that fails counts as off; a warning is logged once until it works again.
        """
        if not self.sources:
            return NO_CALL
        answers = await asyncio.gather(
            *(source.active() for source in self.sources), return_exceptions=True
        )
        in_call = dnd = False
        for source, answer in zip(self.sources, answers, strict=True):
            if isinstance(answer, BaseException):
                if isinstance(answer, asyncio.CancelledError):
                    raise answer
                if source.name not in self._failing:
                    log.warning("call source %s failed, counted as off: %r", source.name, answer)
                self._failing.add(source.name)
                continue
            self._failing.discard(source.name)
            if answer and source.kind == "call":
                in_call = True
            elif answer and source.kind == "dnd":
                dnd = True
        return CallState(in_call=in_call, dnd=dnd)

    async def close(self) -> None:
        """Close every source; never raises."""
        sources, self.sources = self.sources, []
        self._listener = None
        for source in sources:
            await _close_quietly(source)

    def _changed(self) -> None:
        if self._listener is not None:
            self._listener()


async def choose_call_sources(
    bus: MessageBus | None, *, platform: str, environ: Mapping[str, str]
) -> CallDetectors:
    """Start every call source this platform and desktop offer; never raises.

    `bus` is the service's shared session bus (None where there is none);
    `environ` the session's variables (the sound server, the desktop's name).
    """
    detectors = CallDetectors()
    candidates: Sequence[CallSource]
    if platform.startswith("linux"):
        candidates = _linux_candidates(bus, environ, detectors.unavailable)
    elif platform == "win32":
        from reminder.calls.windows import ConsentStoreDevice, WindowsQuietState

        candidates = [
            ConsentStoreDevice("microphone"),
            ConsentStoreDevice("webcam"),
            WindowsQuietState(),
        ]
    elif platform == "darwin":
        from reminder.calls.macos import (
            CAMERA_NOT_READ,
            FOCUS_CANNOT_TELL,
            CoreAudioMicrophone,
        )

        candidates = [CoreAudioMicrophone()]
        detectors.unavailable["camera"] = CAMERA_NOT_READ
        detectors.unavailable["do-not-disturb"] = FOCUS_CANNOT_TELL
    else:
        candidates = []
        detectors.unavailable["call detection"] = f"not supported on {platform}"
    started = await asyncio.gather(*(detectors.add(source) for source in candidates))
    # gather keeps the candidates' order in its results, not in detectors.sources
    order = {id(source): index for index, source in enumerate(candidates)}
    detectors.sources.sort(key=lambda source: order[id(source)])
    if platform.startswith("linux") and bus is not None:
        inhibitors = [
            ok
            for ok, source in zip(started, candidates, strict=True)
            if source.name.startswith("idle inhibitor")
        ]
        if not any(inhibitors):
            from reminder.calls.inhibit import SCREENSAVER_CANNOT_TELL

            detectors.unavailable["idle inhibitor (org.freedesktop.ScreenSaver)"] = (
                SCREENSAVER_CANNOT_TELL
            )
    log.debug("call detection: %s", ", ".join(detectors.names) or "none")
    return detectors


def _linux_candidates(
    bus: MessageBus | None, environ: Mapping[str, str], unavailable: dict[str, str]
) -> list[CallSource]:
    from reminder.calls.camera import ProcCamera
    from reminder.calls.pulse import PulseMicrophone

    candidates: list[CallSource] = [PulseMicrophone(environ), ProcCamera()]
    if bus is None:
        for name in ("idle inhibitor", "do-not-disturb"):
            unavailable[name] = NO_SESSION_BUS
        return candidates
    from reminder.calls.dnd import GnomeBannersDnd, NotificationServerDnd
    from reminder.calls.inhibit import GnomeIdleInhibitor, KdeIdleInhibitor

    candidates += [GnomeIdleInhibitor(bus), KdeIdleInhibitor(bus), NotificationServerDnd(bus)]
    desktops = {part.strip().lower() for part in environ.get("XDG_CURRENT_DESKTOP", "").split(":")}
    if desktops & GNOME_DESKTOPS:
        candidates.append(GnomeBannersDnd(bus, environ))
    else:
        current = environ.get("XDG_CURRENT_DESKTOP", "") or "unset"
        unavailable[GnomeBannersDnd.name] = f"not a GNOME session (XDG_CURRENT_DESKTOP={current})"
    return candidates


async def _close_quietly(source: CallSource) -> None:
    try:
        await source.close()
    except Exception:  # close never raises by contract; a broken source is no reason
        log.debug("closing %s failed", source.name, exc_info=True)
