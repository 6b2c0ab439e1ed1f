"""PulseAudio's native protocol, the few commands microphone detection needs: bytes in, bytes out.

No I/O here: `reminder.calls.pulse` owns the socket. What is on the wire:

- A *packet* is a 20-byte descriptor (five big-endian u32: payload length,
  channel, offset high, offset low, flags) and its payload. Commands and
  replies travel on channel 0xFFFFFFFF; other channels carry audio, which a
  client that opens no stream never gets.
- A command payload is a *tagstruct*: values one after another, each a type
  tag byte then the value in network byte order (u32 "L", string "t" ending in
  NUL or the null string "N", booleans "1"/"0", property lists "P" ...). It
  starts with the command number and a tag the reply repeats.
- Which fields a reply holds depends on the protocol version both sides agreed
  on in AUTH, the smaller of the two; the parsers below read exactly the fields
  the server writes for that version (and fail on anything else rather than
  guess).

Learnt from PulseAudio's tagstruct.c, pstream.c, native-common.h and
protocol-native.c; written from that description, not copied.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass

# Commands (native-common.h's enum, by position).
COMMAND_ERROR = 0
COMMAND_REPLY = 2
COMMAND_AUTH = 8
COMMAND_SET_CLIENT_NAME = 9
COMMAND_GET_SERVER_INFO = 20
COMMAND_GET_SOURCE_INFO_LIST = 24
COMMAND_GET_SOURCE_OUTPUT_INFO_LIST = 32
COMMAND_SUBSCRIBE = 35
COMMAND_SUBSCRIBE_EVENT = 66

PROTOCOL_VERSION = 35
"""The version this client speaks (PulseAudio 16's); the server answers with its own."""
VERSION_MASK = 0x0000FFFF
"""The AUTH version's low bits; the high ones are flags (shared memory), which we never ask for."""
COOKIE_LENGTH = 256

SUBSCRIPTION_MASK_SOURCE = 0x0002
SUBSCRIPTION_MASK_SOURCE_OUTPUT = 0x0008

COMMAND_CHANNEL = 0xFFFFFFFF
DESCRIPTOR = struct.Struct(">5I")
DESCRIPTOR_SIZE = DESCRIPTOR.size
MAX_PAYLOAD = 16 * 1024 * 1024
"""The largest frame PulseAudio itself accepts; anything longer is a broken stream."""
NO_TAG = 0xFFFFFFFF
"""The tag of a packet that answers nothing (a subscription event)."""

CHANNELS_MAX = 32

_U8 = struct.Struct(">B")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")

# Type tags (tagstruct.h).
TAG_STRING = ord("t")
TAG_STRING_NULL = ord("N")
TAG_U32 = ord("L")
TAG_U8 = ord("B")
TAG_SAMPLE_SPEC = ord("a")
TAG_ARBITRARY = ord("x")
TAG_BOOLEAN_TRUE = ord("1")
TAG_BOOLEAN_FALSE = ord("0")
TAG_USEC = ord("U")
TAG_CHANNEL_MAP = ord("m")
TAG_CVOLUME = ord("v")
TAG_PROPLIST = ord("P")
TAG_VOLUME = ord("V")
TAG_FORMAT_INFO = ord("f")


class ProtocolError(Exception):
    """The bytes are not what the protocol allows here (truncated, wrong type, too long)."""


class ServerError(Exception):
    """The server answered a command with ERROR; `code` is its pa_error_code."""

    def __init__(self, command: int, code: int) -> None:
        super().__init__(f"command {command} refused with error {code}")
        self.code = code


# ------------------------------------------------------------------ framing


def frame(payload: bytes) -> bytes:
    """A command packet: the descriptor for the command channel, then `payload`."""
    return DESCRIPTOR.pack(len(payload), COMMAND_CHANNEL, 0, 0, 0) + payload


@dataclass(frozen=True)
class Descriptor:
    """What a packet's 20-byte header says about the payload that follows it."""

    length: int
    channel: int

    @property
    def is_command(self) -> bool:
        return self.channel == COMMAND_CHANNEL


def parse_descriptor(header: bytes) -> Descriptor:
    if len(header) != DESCRIPTOR_SIZE:
        raise ProtocolError(f"a packet header is {DESCRIPTOR_SIZE} bytes, got {len(header)}")
    length, channel, _offset_hi, _offset_lo, _flags = DESCRIPTOR.unpack(header)
    if length > MAX_PAYLOAD:
        raise ProtocolError(f"a packet of {length} bytes is longer than {MAX_PAYLOAD}")
    return Descriptor(length, channel)


# ---------------------------------------------------------------- tagstruct


class TagWriter:
    """Builds a tagstruct: the value types a client sends."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def u32(self, value: int) -> TagWriter:
        self._parts.append(bytes((TAG_U32,)) + _U32.pack(value))
        return self

    def string(self, value: str | None) -> TagWriter:
        if value is None:
            self._parts.append(bytes((TAG_STRING_NULL,)))
        else:
            encoded = value.encode()
            if b"\0" in encoded:
                raise ValueError(f"a protocol string cannot hold NUL, got: {value!r}")
            self._parts.append(bytes((TAG_STRING,)) + encoded + b"\0")
        return self

    def arbitrary(self, data: bytes) -> TagWriter:
        self._parts.append(bytes((TAG_ARBITRARY,)) + _U32.pack(len(data)) + data)
        return self

    def boolean(self, value: bool) -> TagWriter:
        self._parts.append(bytes((TAG_BOOLEAN_TRUE if value else TAG_BOOLEAN_FALSE,)))
        return self

    def proplist(self, properties: Mapping[str, str]) -> TagWriter:
        """String properties, stored as libpulse stores them: the UTF-8 bytes and a NUL."""
        self._parts.append(bytes((TAG_PROPLIST,)))
        for key, value in properties.items():
            data = value.encode() + b"\0"
            self.string(key).u32(len(data)).arbitrary(data)
        return self.string(None)

    def getvalue(self) -> bytes:
        return b"".join(self._parts)


class TagReader:
    """Reads a tagstruct value by value, checking each type tag; ProtocolError on any mismatch."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    @property
    def eof(self) -> bool:
        return self._at >= len(self._data)

    def _take(self, count: int) -> bytes:
        end = self._at + count
        if end > len(self._data):
            raise ProtocolError(
                f"truncated tagstruct: {count} bytes wanted at offset {self._at}, "
                f"{len(self._data) - self._at} left"
            )
        chunk = self._data[self._at : end]
        self._at = end
        return chunk

    def _tag(self, *expected: int) -> int:
        tag = self._take(1)[0]
        if tag not in expected:
            wanted = " or ".join(repr(chr(t)) for t in expected)
            raise ProtocolError(f"expected tag {wanted} at offset {self._at - 1}, got {tag!r}")
        return tag

    def _raw_u8(self) -> int:
        value: int = _U8.unpack(self._take(1))[0]
        return value

    def _raw_u32(self) -> int:
        value: int = _U32.unpack(self._take(4))[0]
        return value

    def u8(self) -> int:
        self._tag(TAG_U8)
        return self._raw_u8()

    def u32(self) -> int:
        self._tag(TAG_U32)
        return self._raw_u32()

    def usec(self) -> int:
        self._tag(TAG_USEC)
        value: int = _U64.unpack(self._take(8))[0]
        return value

    def volume(self) -> int:
        self._tag(TAG_VOLUME)
        return self._raw_u32()

    def boolean(self) -> bool:
        return self._tag(TAG_BOOLEAN_TRUE, TAG_BOOLEAN_FALSE) == TAG_BOOLEAN_TRUE

    def string(self) -> str | None:
        if self._tag(TAG_STRING, TAG_STRING_NULL) == TAG_STRING_NULL:
            return None
        end = self._data.find(b"\0", self._at)
        if end < 0:
            raise ProtocolError(f"truncated tagstruct: a string at offset {self._at} has no end")
        raw = self._take(end - self._at)
        self._at += 1  # the NUL
        try:
            return raw.decode()
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"a string at offset {self._at} is not UTF-8") from exc

    def arbitrary(self) -> bytes:
        self._tag(TAG_ARBITRARY)
        return self._take(self._raw_u32())

    def sample_spec(self) -> tuple[int, int, int]:
        """(format, channels, rate)."""
        self._tag(TAG_SAMPLE_SPEC)
        return self._raw_u8(), self._raw_u8(), self._raw_u32()

    def channel_map(self) -> tuple[int, ...]:
        self._tag(TAG_CHANNEL_MAP)
        return tuple(self._take(self._channels()))

    def cvolume(self) -> tuple[int, ...]:
        self._tag(TAG_CVOLUME)
        return tuple(self._raw_u32() for _ in range(self._channels()))

    def _channels(self) -> int:
        channels = self._raw_u8()
        if channels > CHANNELS_MAX:
            raise ProtocolError(f"{channels} channels, more than PulseAudio's {CHANNELS_MAX}")
        return channels

    def proplist(self) -> dict[str, bytes]:
        """Keys and raw values (a string value keeps its trailing NUL, as on the wire)."""
        self._tag(TAG_PROPLIST)
        properties: dict[str, bytes] = {}
        while (key := self.string()) is not None:
            length = self.u32()
            value = self.arbitrary()
            if len(value) != length:
                raise ProtocolError(f"property {key!r} says {length} bytes, holds {len(value)}")
            properties[key] = value
        return properties

    def format_info(self) -> tuple[int, dict[str, bytes]]:
        """(encoding, properties)."""
        self._tag(TAG_FORMAT_INFO)
        return self.u8(), self.proplist()


def property_text(properties: Mapping[str, bytes], key: str) -> str | None:
    """A string property's text (None if absent or not a NUL-terminated UTF-8 string)."""
    raw = properties.get(key)
    if raw is None or not raw.endswith(b"\0"):
        return None
    try:
        return raw[:-1].decode()
    except UnicodeDecodeError:
        return None


# ----------------------------------------------------------------- commands


def request(command: int, tag: int, body: TagWriter | None = None) -> bytes:
    """A framed command packet: command, tag, then the body's values."""
    head = TagWriter().u32(command).u32(tag).getvalue()
    return frame(head + (body.getvalue() if body is not None else b""))


def auth(cookie: bytes) -> TagWriter:
    """AUTH's body: our protocol version (no shared-memory flags) and the 256-byte cookie."""
    if len(cookie) != COOKIE_LENGTH:
        raise ValueError(f"the cookie must be {COOKIE_LENGTH} bytes, got: {len(cookie)}")
    return TagWriter().u32(PROTOCOL_VERSION).arbitrary(cookie)


def client_name(name: str) -> TagWriter:
    """SET_CLIENT_NAME's body (version 13 on): the client's property list."""
    return TagWriter().proplist({"application.name": name})


def subscription(mask: int) -> TagWriter:
    """SUBSCRIBE's body: which facilities' events to send."""
    return TagWriter().u32(mask)


@dataclass(frozen=True)
class Packet:
    """A command-channel packet from the server: its command, tag, and the values after them."""

    command: int
    tag: int
    body: TagReader


def parse_packet(payload: bytes) -> Packet:
    body = TagReader(payload)
    command = body.u32()
    return Packet(command, body.u32(), body)


def negotiated_version(auth_reply: TagReader) -> int:
    """From AUTH's reply: the version both sides speak, the smaller of ours and the server's."""
    server = auth_reply.u32() & VERSION_MASK
    if server < 13:
        raise ProtocolError(f"protocol version {server} is older than 13 (PulseAudio 0.9.11)")
    return min(PROTOCOL_VERSION, server)


def error_code(error: TagReader) -> int:
    """From an ERROR packet's body: the pa_error_code."""
    return error.u32()


def server_name(info: TagReader) -> str:
    """From GET_SERVER_INFO's reply: the server's package name ("pulseaudio", or
    "PulseAudio (on PipeWire 1.0.5)" for pipewire-pulse); the rest is not read."""
    return info.string() or ""


@dataclass(frozen=True)
class Source:
    """A source, as far as detection reads it: a monitor has `monitor_of_sink` set."""

    index: int
    monitor_of_sink: int


@dataclass(frozen=True)
class SourceOutput:
    """A capture stream, as far as detection reads it; of its properties only
    `application.id` is kept (names of apps and streams are dropped while parsing)."""

    source: int
    corked: bool
    proplist: Mapping[str, str]


def sources(reply: TagReader, version: int) -> list[Source]:
    """GET_SOURCE_INFO_LIST's reply: one entry after another to the end."""
    found: list[Source] = []
    while not reply.eof:
        index = reply.u32()
        reply.string()  # name
        reply.string()  # description
        reply.sample_spec()
        reply.channel_map()
        reply.u32()  # owner module
        reply.cvolume()
        reply.boolean()  # mute
        monitor_of_sink = reply.u32()
        reply.string()  # monitor_of_sink name
        reply.usec()  # latency
        reply.string()  # driver
        reply.u32()  # flags
        if version >= 13:
            reply.proplist()
            reply.usec()  # configured latency
        if version >= 15:
            reply.volume()  # base volume
            reply.u32()  # state
            reply.u32()  # volume steps
            reply.u32()  # card
        if version >= 16:
            for _port in range(reply.u32()):
                reply.string()  # name
                reply.string()  # description
                reply.u32()  # priority
                if version >= 24:
                    reply.u32()  # available
                if version >= 34:
                    reply.string()  # availability group
                    reply.u32()  # type
            reply.string()  # active port
        if version >= 22:
            for _format in range(reply.u8()):
                reply.format_info()
        found.append(Source(index, monitor_of_sink))
    return found


def source_outputs(reply: TagReader, version: int) -> list[SourceOutput]:
    """GET_SOURCE_OUTPUT_INFO_LIST's reply; before version 19 no stream counts as corked."""
    found: list[SourceOutput] = []
    while not reply.eof:
        reply.u32()  # index
        reply.string()  # media name
        reply.u32()  # owner module
        reply.u32()  # client
        source = reply.u32()
        reply.sample_spec()
        reply.channel_map()
        reply.usec()  # buffer latency
        reply.usec()  # source latency
        reply.string()  # resample method
        reply.string()  # driver
        kept: dict[str, str] = {}
        if version >= 13:
            application_id = property_text(reply.proplist(), "application.id")
            if application_id is not None:
                kept["application.id"] = application_id
        corked = reply.boolean() if version >= 19 else False
        if version >= 22:
            reply.cvolume()
            reply.boolean()  # mute
            reply.boolean()  # has volume
            reply.boolean()  # volume writable
            reply.format_info()
        found.append(SourceOutput(source, corked, kept))
    return found
