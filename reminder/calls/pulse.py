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

Nothing else is read and nothing is kept: the server sends each stream's
properties (application and stream names among them) in the list reply; the
parser drops all but `application.id` on the spot, only the answer leaves
`capture_in_use`, and only "on" or "off" is logged.

The client is our own (`_pulse_protocol`): the few commands of PulseAudio's
native protocol this needs (authenticate, name the client, ask the server's
name, subscribe, list sources and capture streams), over the server's unix
socket (or TCP when `PULSE_SERVER` says `tcp:`). libpulse would bring its
codecs and libsystemd along, about 4 MiB of memory on every desk, to ask
whether anything is recording. Authentication is the cookie (`PULSE_COOKIE`,
`~/.config/pulse/cookie` or the legacy `~/.pulse-cookie`), else zeros, which a
server accepts from its own user on its unix socket (the kernel passes the
user's credentials) or with `auth-anonymous`.

Changes are pushed: the server sends an event for every new, changed or removed
source output and source; each one makes the source list the streams again
(events that come while a list is being read make one more list, not one per
event), so `on_change` fires within milliseconds of a call starting or ending
and nothing is polled.

Threading rule: none of its own. One task on the engine's asyncio loop owns the
connection and every method runs on that loop (a `tcp:` server's host name is
looked up in asyncio's default executor, as `open_connection` does). When the
sound server goes away (a restart of pipewire-pulse at login, say, or a reply
cut off), the microphone counts as not in use, one warning is logged, and the
task reconnects after 1, 2, 5, 10, 30, then every 60 seconds until it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from reminder.activity.base import ChangeListener
from reminder.calls import _pulse_protocol as wire
from reminder.calls.base import CallKind, SourceUnavailable

log = logging.getLogger(__name__)

PA_INVALID_INDEX = 0xFFFFFFFF
"""`monitor_of_sink` of a source that monitors no sink: a real input such as a microphone."""

LEVEL_METERS = frozenset({"org.PulseAudio.pavucontrol", "org.gnome.VolumeControl"})
"""`application.id`s of sound settings that capture from every source only to show its level."""

CONNECT_TIMEOUT_S = 2.0
"""For connecting, the handshake and the first list together."""
REPLY_TIMEOUT_S = 5.0
"""A server that takes longer to list its streams counts as gone."""
RECONNECT_DELAYS_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
CLIENT_NAME = "sitting-reminder"
DEFAULT_TCP_PORT = 4713
SYSTEM_SOCKET = "/var/run/pulse/native"
"""Where libpulse looks last, for a system-wide server, when the session names none."""

_GONE = (OSError, EOFError, asyncio.TimeoutError, wire.ProtocolError, wire.ServerError)
"""What a connection ends with when the server is not there, goes, or says something broken."""


class SourceInfo(Protocol):
    """What is read of a source."""

    @property
    def index(self) -> int: ...
    @property
    def monitor_of_sink(self) -> int: ...


class CaptureStreamInfo(Protocol):
    """What is read of a capture stream."""

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
    """The sound server of `environ`'s session, as libpulse would find it.

    `PULSE_SERVER` wins; else the native socket under `PULSE_RUNTIME_PATH` or
    `$XDG_RUNTIME_DIR/pulse`; else None (no session server: `SYSTEM_SOCKET` is tried).
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


@dataclass(frozen=True)
class Endpoint:
    """One address to try: a unix socket `path`, or a TCP `host` and `port`."""

    path: str | None = None
    host: str = ""
    port: int = DEFAULT_TCP_PORT

    def __str__(self) -> str:
        if self.path is not None:
            return f"unix:{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp:{host}:{self.port}"


def endpoints(server: str | None) -> list[Endpoint]:
    """The addresses in a `PULSE_SERVER`-style string, in order (libpulse's spelling:
    `unix:PATH` or an absolute path, `tcp:HOST[:PORT]`, `tcp6:[ADDR]:PORT`, a bare host,
    each optionally after a `{machine-id}`; several separated by spaces)."""
    if server is None:
        return [Endpoint(path=SYSTEM_SOCKET)]
    found: list[Endpoint] = []
    for word in server.split():
        if word.startswith("{") and "}" in word:
            word = word[word.index("}") + 1 :]
        if word.startswith("unix:"):
            found.append(Endpoint(path=word[len("unix:") :]))
        elif word.startswith("/"):
            found.append(Endpoint(path=word))
        elif word:
            for prefix in ("tcp:", "tcp4:", "tcp6:"):
                if word.startswith(prefix):
                    word = word[len(prefix) :]
                    break
            found.append(_tcp(word))
    return found


def _tcp(address: str) -> Endpoint:
    host, port = address, ""
    if address.startswith("["):  # [v6 address]:port
        host, _, rest = address[1:].partition("]")
        port = rest.removeprefix(":")
    elif address.count(":") == 1:
        host, port = address.split(":")
    return Endpoint(host=host, port=int(port) if port.isdigit() else DEFAULT_TCP_PORT)


def read_cookie(environ: Mapping[str, str]) -> bytes:
    """The session's auth cookie: `PULSE_COOKIE`'s file, else the user's cookie file (the
    XDG one, then the legacy one); 256 zero bytes if there is none, for servers that let
    their own user or anyone in without one."""
    if environ.get("PULSE_COOKIE"):
        candidates = [environ["PULSE_COOKIE"]]
    else:
        home = environ.get("HOME", "")
        config = environ.get("XDG_CONFIG_HOME") or (os.path.join(home, ".config") if home else "")
        candidates = [
            os.path.join(config, "pulse", "cookie") if config else "",
            os.path.join(home, ".pulse-cookie") if home else "",
        ]
    for path in filter(None, candidates):
        try:
            with open(path, "rb") as file:  # 256 bytes from the user's own folder
                data = file.read(wire.COOKIE_LENGTH)
        except OSError:
            continue
        if len(data) == wire.COOKIE_LENGTH:
            return data
    return bytes(wire.COOKIE_LENGTH)


class _Session:
    """One authenticated connection, read and written on the engine's loop.

    One request is out at a time; a subscription event that comes while waiting
    for a reply sets `changed`, so the caller lists once more afterwards.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._tags = itertools.count()
        self.version = wire.PROTOCOL_VERSION
        self.changed = False

    @classmethod
    async def open(cls, endpoint: Endpoint, cookie: bytes) -> tuple[_Session, str]:
        """Connect, authenticate, name ourselves, subscribe; the session and the server's name."""
        try:
            if endpoint.path is not None:
                reader, writer = await asyncio.open_unix_connection(endpoint.path)
            else:
                reader, writer = await asyncio.open_connection(endpoint.host, endpoint.port)
        except OSError as exc:
            raise ConnectionError(f"{endpoint}: {exc.strerror or exc}") from exc
        session = cls(reader, writer)
        try:
            session.version = wire.negotiated_version(
                await session.call(wire.COMMAND_AUTH, wire.auth(cookie))
            )
            await session.call(wire.COMMAND_SET_CLIENT_NAME, wire.client_name(CLIENT_NAME))
            name = wire.server_name(await session.call(wire.COMMAND_GET_SERVER_INFO))
            mask = wire.SUBSCRIPTION_MASK_SOURCE | wire.SUBSCRIPTION_MASK_SOURCE_OUTPUT
            await session.call(wire.COMMAND_SUBSCRIBE, wire.subscription(mask))
        except BaseException:
            session.close()
            raise
        return session, name

    async def call(self, command: int, body: wire.TagWriter | None = None) -> wire.TagReader:
        """Send one command and wait for its reply; ServerError if the server refuses it."""
        tag = next(self._tags) % wire.NO_TAG
        self._writer.write(wire.request(command, tag, body))
        await self._writer.drain()
        while True:
            packet = await self._packet()
            if packet.command == wire.COMMAND_SUBSCRIBE_EVENT:
                self.changed = True
            elif packet.tag == tag:
                if packet.command == wire.COMMAND_REPLY:
                    return packet.body
                if packet.command == wire.COMMAND_ERROR:
                    raise wire.ServerError(command, wire.error_code(packet.body))
                raise wire.ProtocolError(f"command {packet.command} came as the reply to {command}")
            # Anything else the server sends on its own concerns what we never asked for.

    async def next_event(self) -> None:
        """Until the server reports a change to a source or a capture stream."""
        while (await self._packet()).command != wire.COMMAND_SUBSCRIBE_EVENT:
            pass

    async def capture_in_use(self) -> bool:
        """List sources and capture streams (events meanwhile set `changed` again)."""
        self.changed = False
        sources = wire.sources(await self.call(wire.COMMAND_GET_SOURCE_INFO_LIST), self.version)
        streams = wire.source_outputs(
            await self.call(wire.COMMAND_GET_SOURCE_OUTPUT_INFO_LIST), self.version
        )
        return capture_in_use(sources, streams)

    async def _packet(self) -> wire.Packet:
        """The next command-channel packet (EOFError when the server hangs up, even mid-way)."""
        while True:
            header = await self._reader.readexactly(wire.DESCRIPTOR_SIZE)
            descriptor = wire.parse_descriptor(header)
            payload = await self._reader.readexactly(descriptor.length)
            if descriptor.is_command:
                return wire.parse_packet(payload)

    def close(self) -> None:
        self._writer.close()

    async def wait_closed(self) -> None:
        with contextlib.suppress(OSError):  # a connection the server reset is closed as well
            await self._writer.wait_closed()


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
        self._environ = dict(environ)
        self._endpoints = endpoints(pulse_server(environ))
        self._reconnect_delays = tuple(reconnect_delays)
        self._in_use = False
        self._on_change: ChangeListener | None = None
        self._session: _Session | None = None
        self._task: asyncio.Task[None] | None = None

    # ---------------------------------------------------------------- protocol

    async def start(self, on_change: ChangeListener) -> None:
        """Connect and list the streams once; SourceUnavailable when there is no sound server."""
        try:
            server_name, in_use = await asyncio.wait_for(self._connect(), CONNECT_TIMEOUT_S)
        except _GONE as exc:
            reason = "no reply in time" if isinstance(exc, asyncio.TimeoutError) else str(exc)
            raise SourceUnavailable(f"no sound server: {reason or type(exc).__name__}") from exc
        self.name = source_name(server_name)
        self._in_use = in_use
        self._on_change = on_change
        self._task = asyncio.create_task(self._follow(), name="sitting-reminder-pulse")

    async def active(self) -> bool:
        return self._in_use

    async def close(self) -> None:
        task, self._task = self._task, None
        self._on_change = None
        if task is not None:
            task.cancel()
            await asyncio.wait([task])
        session, self._session = self._session, None
        if session is not None:
            session.close()
            await session.wait_closed()

    # ------------------------------------------------------------- the task

    async def _connect(self) -> tuple[str, bool]:
        """A new session on the first address that answers: the server's name and the answer."""
        cookie = read_cookie(self._environ)
        failure: Exception = ConnectionError("no address to try")
        for endpoint in self._endpoints:
            try:
                session, server_name = await _Session.open(endpoint, cookie)
            except OSError as exc:
                failure = exc
                continue
            self._session = session
            return server_name, await session.capture_in_use()
        raise failure

    async def _follow(self) -> None:
        """List again after every event; when the server goes, reconnect until it is back."""
        while True:
            try:
                await self._listen()
            except _GONE:
                log.warning(
                    "microphone detection: the sound server went away; calls are not seen "
                    "until it is back"
                )
            self._drop_session()
            self._set_in_use(False)
            self._set_in_use(await self._reconnect())
            log.info("microphone detection: the sound server is back")

    async def _listen(self) -> None:
        session = self._session
        while session is not None:
            if not session.changed:
                await session.next_event()
            self._set_in_use(await asyncio.wait_for(session.capture_in_use(), REPLY_TIMEOUT_S))

    async def _reconnect(self) -> bool:
        """After 1, 2, 5 ... seconds, until a server answers; what it says."""
        last = self._reconnect_delays[-1]
        delays = itertools.chain(self._reconnect_delays, itertools.repeat(last))
        while True:
            await asyncio.sleep(next(delays))
            try:
                _server_name, in_use = await asyncio.wait_for(self._connect(), CONNECT_TIMEOUT_S)
            except _GONE:
                self._drop_session()
                continue
            return in_use

    def _drop_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def _set_in_use(self, in_use: bool) -> None:
        if in_use == self._in_use:
            return
        self._in_use = in_use
        log.debug("%s: %s", self.name, "on" if in_use else "off")
        if self._on_change is not None:
            self._on_change()
