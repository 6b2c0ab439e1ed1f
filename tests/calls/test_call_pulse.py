"""The microphone source against a real PulseAudio server, with `parecord` as the call app."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from changes import Changes
from sound_server import SoundServer, sound_server, stop_recording

from reminder.calls import _pulse_protocol as wire
from reminder.calls.base import SourceUnavailable
from reminder.calls.pulse import (
    PA_INVALID_INDEX,
    PulseMicrophone,
    capture_in_use,
    pulse_server,
    source_name,
)

WITHIN = 1.0
"""How soon on_change must follow a recording starting or stopping."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SoundServer]:
    with sound_server(tmp_path / "pulse") as running:
        yield running


def test_recording_from_the_microphone_is_a_call_until_it_stops(server: SoundServer) -> None:
    """parecord on the `mic` source: on_change within a second, active() True; stopping it:
    on_change within a second again, active() False. Nothing is polled to get there, and no
    thread is started: the connection lives on the test's own loop."""
    threads = threading.active_count()

    async def scenario() -> None:
        changes = Changes()
        microphone = PulseMicrophone(server.env)
        await microphone.start(changes)
        try:
            assert microphone.name == "microphone (pulseaudio)"
            assert not await microphone.active()
            started = time.monotonic()
            recorder = server.start_recording("mic")
            try:
                seen = await changes.next(WITHIN + 1, "the recording to start")
                assert seen - started < WITHIN, f"call seen {seen - started:.2f}s after parecord"
                assert await microphone.active()
            finally:
                stopped = time.monotonic()
                stop_recording(recorder)
            seen = await changes.next(WITHIN + 1, "the recording to stop")
            assert seen - stopped < WITHIN, f"end seen {seen - stopped:.2f}s after parecord ended"
            assert not await microphone.active()
            assert changes.count == 2
            assert threading.active_count() == threads, "no thread of its own"
        finally:
            await microphone.close()

    asyncio.run(scenario())
    assert threading.active_count() == threads


def test_recording_a_monitor_source_is_not_a_call(server: SoundServer) -> None:
    """A screen recorder capturing `speakers.monitor` (the sound going out) is no call: while it
    runs the source stays off, and a real microphone recording beside it still switches on and
    off as usual."""

    async def scenario() -> None:
        changes = Changes()
        microphone = PulseMicrophone(server.env)
        await microphone.start(changes)
        try:
            with server.recording("speakers.monitor"):
                server.wait_for_streams(1)
                with server.recording("mic"):
                    await changes.next(WITHIN, "the microphone recording to start")
                    assert await microphone.active()
                await changes.next(WITHIN, "the microphone recording to stop")
                assert server.capture_streams(), "the monitor recording is still running"
                assert not await microphone.active()
            await asyncio.sleep(0.3)
            assert changes.count == 2, "the monitor recording never counted as a call"
        finally:
            await microphone.close()

    asyncio.run(scenario())


def test_level_meter_of_sound_settings_is_not_a_call(server: SoundServer) -> None:
    """pavucontrol opens a capture stream on the microphone only to draw its level; with its
    application.id the stream does not count (GNOME Shell's microphone indicator does the same)."""

    async def scenario() -> None:
        changes = Changes()
        microphone = PulseMicrophone(server.env)
        await microphone.start(changes)
        try:
            meter = ("--property=application.id=org.PulseAudio.pavucontrol",)
            with server.recording("mic", *meter):
                server.wait_for_streams(1)
                with server.recording("mic"):
                    await changes.next(WITHIN, "the real recording to start")
                await changes.next(WITHIN, "the real recording to stop")
                assert not await microphone.active(), "the level meter alone is no call"
        finally:
            await microphone.close()

    asyncio.run(scenario())


def test_nothing_about_the_call_reaches_the_log(
    server: SoundServer, caplog: pytest.LogCaptureFixture
) -> None:
    """With every logger at DEBUG, a call by "ZoomyCall-4711" streaming "Board-meeting-Q3"
    leaves "on" and "off" in the log and neither name, nor the device, anywhere."""
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        changes = Changes()
        microphone = PulseMicrophone(server.env)
        await microphone.start(changes)
        try:
            names = ("--client-name=ZoomyCall-4711", "--stream-name=Board-meeting-Q3")
            with server.recording("mic", *names):
                await changes.next(WITHIN, "the call to start")
            await changes.next(WITHIN, "the call to end")
        finally:
            await microphone.close()

    asyncio.run(scenario())
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "microphone (pulseaudio): on" in text
    assert "microphone (pulseaudio): off" in text
    for secret in ("ZoomyCall", "4711", "Board-meeting", "parecord", "/dev/null"):
        assert secret not in text, f"{secret!r} was logged"


def test_sound_server_restart_is_followed(server: SoundServer) -> None:
    """The server dies during a call: the call counts as over at once; when a server is back on
    the same socket the source reconnects by itself and sees the next call."""

    async def scenario() -> None:
        changes = Changes()
        microphone = PulseMicrophone(server.env, reconnect_delays=(0.2,))
        await microphone.start(changes)
        try:
            with server.recording("mic"):
                await changes.next(WITHIN, "the call to start")
                server.stop()
                await changes.next(WITHIN, "the server's end to end the call")
                assert not await microphone.active()
            server.start()
            await asyncio.sleep(1.0)  # reconnects every 0.2 s until the server answers
            with server.recording("mic"):
                await changes.next(WITHIN + 1, "a call on the restarted server")
                assert await microphone.active()
        finally:
            await microphone.close()

    asyncio.run(scenario())


class CuttingProxy:
    """Between the source and the real server, passing bytes both ways; once `armed`, it sends
    only the first half of the server's next REPLY and hangs up, as a server crashing mid-reply
    would. (A fake only for the crash, which a real server cannot be made to do on cue.)"""

    def __init__(self, upstream: Path, socket: Path) -> None:
        self.upstream = upstream
        self.socket = socket
        self.armed = False
        self.cuts = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> CuttingProxy:
        self._server = await asyncio.start_unix_server(self._serve, str(self.socket))
        return self

    async def close(self) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, client_in: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        server_in, server = await asyncio.open_unix_connection(str(self.upstream))
        self._writers += [client, server]
        upward = asyncio.create_task(self._pump(client_in, server))
        try:
            while True:
                header = await server_in.readexactly(wire.DESCRIPTOR_SIZE)
                payload = await server_in.readexactly(wire.parse_descriptor(header).length)
                if self.armed and wire.parse_packet(payload).command == wire.COMMAND_REPLY:
                    self.armed = False
                    self.cuts += 1
                    client.write(header + payload[: len(payload) // 2])
                    await client.drain()
                    return
                client.write(header + payload)
        except (EOFError, OSError):
            return
        finally:
            upward.cancel()
            client.close()
            server.close()

    @staticmethod
    async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()


def test_a_server_hanging_up_mid_reply_went_away_and_is_reconnected(
    server: SoundServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The server's answer to "list the sources" stops half-way and the socket closes: that is
    the server going away (one warning), not a crash of the source; it reconnects by itself,
    says the server is back, and sees the call that is running."""
    caplog.set_level(logging.INFO, logger="reminder.calls.pulse")

    async def scenario() -> int:
        proxy = await CuttingProxy(server.socket, tmp_path / "proxy").start()
        changes = Changes()
        microphone = PulseMicrophone(
            {"PULSE_SERVER": f"unix:{proxy.socket}"}, reconnect_delays=(0.2,)
        )
        await microphone.start(changes)
        try:
            proxy.armed = True  # the list that the recording's event asks for is cut short
            with server.recording("mic"):
                await changes.next(WITHIN + 1, "the call, seen after reconnecting")
                assert await microphone.active()
        finally:
            await microphone.close()
            await proxy.close()
        return proxy.cuts

    assert asyncio.run(scenario()) == 1
    messages = [record.getMessage() for record in caplog.records]
    assert sum("went away" in message for message in messages) == 1, messages
    assert any("sound server is back" in message for message in messages), messages


def test_without_anonymous_access_the_servers_own_user_is_let_in(tmp_path: Path) -> None:
    """Debian's default socket (no auth-anonymous) and no cookie anywhere: the kernel's
    credentials on the unix socket say we are the server's user, and the call is seen."""

    async def scenario(server: SoundServer) -> None:
        changes = Changes()
        microphone = PulseMicrophone({"PULSE_SERVER": f"unix:{server.socket}"})
        await microphone.start(changes)
        try:
            with server.recording("mic"):
                await changes.next(WITHIN, "the call to start")
                assert await microphone.active()
        finally:
            await microphone.close()

    with sound_server(tmp_path / "pulse", anonymous=False) as server:
        asyncio.run(scenario(server))


def test_no_sound_server_is_unavailable_with_the_reason(tmp_path: Path) -> None:
    """No server at that socket: start() raises SourceUnavailable saying so, promptly."""

    async def scenario() -> str:
        microphone = PulseMicrophone({"PULSE_SERVER": f"unix:{tmp_path / 'nothing-here'}"})
        with pytest.raises(SourceUnavailable) as caught:
            await asyncio.wait_for(microphone.start(Changes()), 10)
        return str(caught.value)

    threads = threading.active_count()
    started = time.monotonic()
    reason = asyncio.run(scenario())
    assert "no sound server" in reason
    assert "nothing-here" in reason, "the reason names the address tried"
    assert time.monotonic() - started < 5
    assert threading.active_count() == threads


# ------------------------------------------------------------ the pure parts


@dataclass
class Source:
    index: int
    monitor_of_sink: int = PA_INVALID_INDEX


@dataclass
class Stream:
    source: int
    corked: bool = False
    proplist: dict[str, str] = field(default_factory=dict)


MIC, MONITOR = Source(0), Source(1, monitor_of_sink=0)


@pytest.mark.parametrize(
    ("streams", "in_use"),
    [
        ([], False),
        ([Stream(0)], True),
        ([Stream(1)], False),
        ([Stream(0, corked=True)], False),
        ([Stream(0, proplist={"application.id": "org.gnome.VolumeControl"})], False),
        ([Stream(1), Stream(0, corked=True), Stream(0)], True),
        ([Stream(7)], True),
    ],
    ids=[
        "nothing",
        "microphone",
        "monitor",
        "corked-microphone",
        "gnome-level-meter",
        "one-real-among-others",
        "source-listed-later-counts-as-input",
    ],
)
def test_which_capture_streams_count(streams: list[Stream], in_use: bool) -> None:
    assert capture_in_use([MIC, MONITOR], streams) is in_use


def test_server_address_follows_the_session_environment(tmp_path: Path) -> None:
    """PULSE_SERVER first, then PULSE_RUNTIME_PATH's socket, then $XDG_RUNTIME_DIR/pulse."""
    runtime = tmp_path / "runtime"
    (runtime / "pulse").mkdir(parents=True)
    (runtime / "pulse" / "native").touch()
    assert pulse_server({"PULSE_SERVER": "unix:/x", "XDG_RUNTIME_DIR": str(runtime)}) == "unix:/x"
    assert pulse_server({"XDG_RUNTIME_DIR": str(runtime)}) == f"unix:{runtime}/pulse/native"
    assert pulse_server({"XDG_RUNTIME_DIR": str(tmp_path / "none")}) is None
    assert source_name("PulseAudio (on PipeWire 1.0.5)") == "microphone (pipewire)"
    assert source_name("pulseaudio") == "microphone (pulseaudio)"
