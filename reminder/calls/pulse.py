"""The microphone on Linux: a capture stream on the user's PulseAudio or PipeWire sound server.

A call app records from a microphone; on Linux that is a *source output* (a
capture stream) on a source of the user's sound server, PulseAudio or
PipeWire's pipewire-pulse, which speaks the same protocol. The microphone
counts as in use while at least one capture stream

- records from a source that is not a *monitor* (a monitor source is the sound
  going to a sink: screen recorders and visualisers capture it, call apps do not);
- is not corked (a paused recorder is not using the microphone);
- is not a level meter: pavucontrol and GNOME's sound settings open a capture
  stream on every source to draw its volume bar. They are told apart by their
  `application.id`, the same rule GNOME Shell uses for its microphone indicator.

Nothing else is read and nothing is kept: libpulse hands over each stream's
properties (application and stream names among them) while the list is read;
only those three facts leave `capture_in_use`, and only "on" or "off" is logged.

Changes are pushed: libpulse's event subscription (new, changed or removed
source outputs and sources) wakes a reader that lists the streams again, so
`on_change` fires within milliseconds of a call starting or ending and nothing
is polled. The library is pulsectl (ctypes over libpulse, the client library
every PulseAudio and PipeWire desktop already has loaded somewhere).

Threading rule: pulsectl's `event_listen` blocks, so one daemon thread,
"sitting-reminder-pulse", owns the libpulse connection; it never touches the
engine's state but posts each new answer with `loop.call_soon_threadsafe`.
Every method of `PulseMicrophone` runs on the engine's asyncio loop. When the
sound server goes away (a restart of pipewire-pulse at login, say), the
microphone counts as not in use, one warning is logged, and the thread
reconnects after 1, 2, 5, 10, 30, then every 60 seconds until it is back.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from reminder.activity.base import ChangeListener
from reminder.calls.base import CallKind, SourceUnavailable

if TYPE_CHECKING:
    import pulsectl

log = logging.getLogger(__name__)

PA_INVALID_INDEX = 0xFFFFFFFF
"""`monitor_of_sink` of a source that monitors no sink: a real input such as a microphone."""

LEVEL_METERS = frozenset({"org.PulseAudio.pavucontrol", "org.gnome.VolumeControl"})
"""`application.id`s of sound settings that capture from every source only to show its level."""

CONNECT_TIMEOUT_S = 2.0
RECONNECT_DELAYS_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
STOP_TIMEOUT_S = 2.0
CLIENT_NAME = "sitting-reminder"


class SourceInfo(Protocol):
    """What is read of a source (pulsectl's PulseSourceInfo)."""

    @property
    def index(self) -> int: ...
    @property
    def monitor_of_sink(self) -> int: ...


class CaptureStreamInfo(Protocol):
    """What is read of a capture stream (pulsectl's PulseSourceOutputInfo)."""

    @property
    def source(self) -> int: ...
    @property
    def corked(self) -> int | bool: ...
    @property
    def proplist(self) -> Mapping[str, str]: ...


def capture_in_use(sources: Iterable[SourceInfo], streams: Iterable[CaptureStreamInfo]) -> bool:
    """Whether any stream records from a real input (see the module docstring)."""
    monitors = {source.index for source in sources if source.monitor_of_sink != PA_INVALID_INDEX}
    return any(
        stream.source not in monitors
        and not stream.corked
        and stream.proplist.get("application.id") not in LEVEL_METERS
        for stream in streams
    )


def pulse_server(environ: Mapping[str, str]) -> str | None:
    """The sound server of `environ`'s session, as libpulse would find it for that session.

    `PULSE_SERVER` wins; else the native socket under `PULSE_RUNTIME_PATH` or
    `$XDG_RUNTIME_DIR/pulse`; else None (libpulse's own defaults).
    """
    server = environ.get("PULSE_SERVER", "")
    if server:
        return server
    for folder in (
        environ.get("PULSE_RUNTIME_PATH", ""),
        os.path.join(environ["XDG_RUNTIME_DIR"], "pulse") if environ.get("XDG_RUNTIME_DIR") else "",
    ):
        if folder and os.path.exists(os.path.join(folder, "native")):
            return f"unix:{os.path.join(folder, 'native')}"
    return None


def source_name(server_name: str) -> str:
    """ "microphone (pipewire)" for pipewire-pulse, else "microphone (pulseaudio)"."""
    return (
        "microphone (pipewire)" if "pipewire" in server_name.lower() else "microphone (pulseaudio)"
    )


class PulseMicrophone:
    """A CallSource: a capture stream on a real input of the user's sound server."""

    kind: CallKind = "call"
    pushes = True

    def __init__(
        self,
        environ: Mapping[str, str],
        *,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS_S,
    ) -> None:
        self.name = "microphone (pulseaudio)"
        self._server = pulse_server(environ)
        self._reconnect_delays = tuple(reconnect_delays)
        self._in_use = False
        self._on_change: ChangeListener | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._pulse_lock = threading.Lock()  # guards _pulse between the reader and close()
        self._pulse: pulsectl.Pulse | None = None
        self._changed = False  # set by libpulse's event callback, reader thread only

    # ---------------------------------------------------------------- protocol

    async def start(self, on_change: ChangeListener) -> None:
        """Connect and list the streams once; SourceUnavailable when there is no sound server."""
        try:
            import pulsectl  # noqa: F401  # loads libpulse; fails where it is not installed
        except (ImportError, OSError) as exc:
            raise SourceUnavailable(f"libpulse cannot be loaded: {exc}") from exc
        self._on_change = on_change
        self._loop = asyncio.get_running_loop()
        first: concurrent.futures.Future[str] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._run, args=(first,), name="sitting-reminder-pulse", daemon=True
        )
        self._thread.start()
        try:
            server_name = await asyncio.wait_for(
                asyncio.wrap_future(first), CONNECT_TIMEOUT_S + STOP_TIMEOUT_S
            )
        except Exception as exc:
            await self.close()
            reason = "no reply in time" if isinstance(exc, asyncio.TimeoutError) else str(exc)
            raise SourceUnavailable(f"no sound server: {reason}") from exc
        self.name = source_name(server_name)

    async def active(self) -> bool:
        return self._in_use

    async def close(self) -> None:
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive():
            await asyncio.get_running_loop().run_in_executor(None, self._stop_reader, thread)

    # ------------------------------------------------------------ engine loop

    def _post(self, in_use: bool) -> None:
        """From the reader thread: hand a new answer to the engine's loop."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._set_in_use, in_use)
        except RuntimeError:  # the loop closed between the check and the call
            self._stopping.set()

    def _set_in_use(self, in_use: bool) -> None:
        if in_use == self._in_use or self._stopping.is_set():
            return
        self._in_use = in_use
        log.debug("%s: %s", self.name, "on" if in_use else "off")
        if self._on_change is not None:
            self._on_change()

    # ----------------------------------------------------------- reader thread

    def _run(self, first: concurrent.futures.Future[str]) -> None:
        """The reader thread: connect, list, wait for events; reconnect when the server goes."""
        import pulsectl

        failures = 0
        while not self._stopping.is_set():
            try:
                pulse = self._connect()
                server_name = str(pulse.server_info().server_name)
            except pulsectl.PulseError as exc:
                if not first.done():
                    first.set_exception(SourceUnavailable(str(exc) or type(exc).__name__))
                    return
                delay = self._reconnect_delays[min(failures, len(self._reconnect_delays) - 1)]
                failures += 1
                self._stopping.wait(delay)
                continue
            if failures:
                log.info("microphone detection: the sound server is back")
            failures = 0
            try:
                self._follow(pulse, first, server_name)
            except (pulsectl.PulseError, pulsectl.PulseDisconnected) as exc:
                if not first.done():
                    first.set_exception(SourceUnavailable(str(exc) or type(exc).__name__))
                    return
                if not self._stopping.is_set():
                    log.warning(
                        "microphone detection: the sound server went away; calls are not seen "
                        "until it is back"
                    )
            finally:
                with self._pulse_lock:
                    self._pulse = None
                    pulse.close()
            self._post(False)
            if not self._stopping.is_set():
                self._stopping.wait(self._reconnect_delays[0])
                failures = 1

    def _connect(self) -> pulsectl.Pulse:
        import pulsectl

        pulse = pulsectl.Pulse(CLIENT_NAME, server=self._server, connect=False)
        try:
            pulse.connect(autospawn=False, timeout=CONNECT_TIMEOUT_S)
        except BaseException:
            pulse.close()
            raise
        with self._pulse_lock:
            self._pulse = pulse
        return pulse

    def _follow(
        self,
        pulse: pulsectl.Pulse,
        first: concurrent.futures.Future[str],
        server_name: str,
    ) -> None:
        """List the streams, then again after every event, until stopped or disconnected."""
        import pulsectl

        def on_event(event: object) -> None:
            # libpulse calls this inside its loop; no pulse call may run here, so stop the
            # loop and list the streams again outside it.
            self._changed = True
            raise pulsectl.PulseLoopStop

        pulse.event_mask_set("source_output", "source")
        pulse.event_callback_set(on_event)
        while not self._stopping.is_set():
            self._changed = False
            in_use = capture_in_use(pulse.source_list(), pulse.source_output_list())
            if not first.done():
                self._in_use = in_use  # the loop is waiting on `first`: no race
                first.set_result(server_name)
            else:
                self._post(in_use)
            if self._changed:  # an event came while listing: list again before waiting
                continue
            if self._stopping.is_set():
                return
            pulse.event_listen()

    def _stop_reader(self, thread: threading.Thread) -> None:
        """From an executor thread: wake the reader until it has left `event_listen`."""
        deadline = STOP_TIMEOUT_S
        while thread.is_alive() and deadline > 0:
            with self._pulse_lock:
                if self._pulse is not None:
                    # The reader may be between checks; waking it again until it is gone
                    # is what pulsectl's event_listen_stop documents.
                    self._pulse.event_listen_stop()
            thread.join(0.05)
            deadline -= 0.05
        if thread.is_alive():
            log.warning("microphone detection: the sound-server thread did not stop in time")
