"""The native protocol's bytes: what we write reads back, and broken input fails clearly.

The replies of a real server are read in test_call_pulse.py; here the bytes are
built by hand (the layout of tagstruct.c) to reach what a real server never
sends: truncation, unknown tags, oversized packets.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from reminder.calls import _pulse_protocol as wire
from reminder.calls.pulse import Endpoint, endpoints, read_cookie


def test_written_values_read_back_in_order() -> None:
    data = (
        wire.TagWriter()
        .u32(0)
        .u32(0xFFFFFFFF)
        .string("mic")
        .string("")
        .string(None)
        .string("Mikrofon (eingebaut) ü")
        .arbitrary(b"\x00\x01\xff")
        .boolean(True)
        .boolean(False)
        .proplist({"application.name": "sitting-reminder", "application.id": "x"})
        .proplist({})
        .getvalue()
    )
    reader = wire.TagReader(data)
    assert reader.u32() == 0
    assert reader.u32() == 0xFFFFFFFF
    assert reader.string() == "mic"
    assert reader.string() == ""
    assert reader.string() is None
    assert reader.string() == "Mikrofon (eingebaut) ü"
    assert reader.arbitrary() == b"\x00\x01\xff"
    assert reader.boolean() is True
    assert reader.boolean() is False
    properties = reader.proplist()
    assert properties == {"application.name": b"sitting-reminder\0", "application.id": b"x\0"}
    assert wire.property_text(properties, "application.name") == "sitting-reminder"
    assert reader.proplist() == {}
    assert reader.eof


def test_the_wire_layout_is_pulseaudios() -> None:
    """A u32 is 'L' and four big-endian bytes; a string 't', UTF-8 and a NUL; a packet a
    20-byte descriptor on the command channel."""
    assert wire.TagWriter().u32(0x01020304).getvalue() == b"L\x01\x02\x03\x04"
    assert wire.TagWriter().string("ab").string(None).getvalue() == b"tab\0N"
    packet = wire.request(wire.COMMAND_GET_SERVER_INFO, 7)
    length, channel, hi, lo, flags = struct.unpack(">5I", packet[:20])
    assert (length, channel, hi, lo, flags) == (10, 0xFFFFFFFF, 0, 0, 0)
    parsed = wire.parse_packet(packet[20:])
    assert (parsed.command, parsed.tag, parsed.body.eof) == (20, 7, True)


def test_types_only_servers_send_are_read() -> None:
    """Sample spec, channel map, cvolume, volume, usec and format info, as tagstruct.c puts them."""
    data = (
        b"a\x03\x02" + struct.pack(">I", 48000)
        + b"m\x02\x01\x02"
        + b"v\x02" + struct.pack(">II", 0x10000, 0x8000)
        + b"V" + struct.pack(">I", 0x10000)
        + b"U" + struct.pack(">Q", 2**40 + 5)
        + b"fB\x01" + wire.TagWriter().proplist({"format.rate": "48000"}).getvalue()
    )  # fmt: skip
    reader = wire.TagReader(data)
    assert reader.sample_spec() == (3, 2, 48000)
    assert reader.channel_map() == (1, 2)
    assert reader.cvolume() == (0x10000, 0x8000)
    assert reader.volume() == 0x10000
    assert reader.usec() == 2**40 + 5
    assert reader.format_info() == (1, {"format.rate": b"48000\0"})
    assert reader.eof


@pytest.mark.parametrize(
    ("data", "read"),
    [
        (b"L\x00\x00", wire.TagReader.u32),
        (b"tmic", wire.TagReader.string),
        (b"x\x00\x00\x00\x09abc", wire.TagReader.arbitrary),
        (b"", wire.TagReader.u32),
        (wire.TagWriter().proplist({"a": "b"}).getvalue()[:-1], wire.TagReader.proplist),
        (b"v\x02\x00\x01", wire.TagReader.cvolume),
    ],
    ids=["u32", "string-without-nul", "arbitrary", "empty", "proplist-without-end", "cvolume"],
)
def test_a_truncated_value_is_a_protocol_error(
    data: bytes, read: Callable[[wire.TagReader], object]
) -> None:
    with pytest.raises(wire.ProtocolError, match="truncated"):
        read(wire.TagReader(data))


def test_a_truncated_source_list_is_a_protocol_error_not_an_index_error() -> None:
    entry = wire.TagWriter().u32(1).string("mic").getvalue()
    with pytest.raises(wire.ProtocolError):
        wire.sources(wire.TagReader(entry), wire.PROTOCOL_VERSION)


def test_an_unexpected_or_unknown_tag_is_a_protocol_error() -> None:
    with pytest.raises(wire.ProtocolError, match="expected tag 'L'"):
        wire.TagReader(b"tmic\0").u32()
    with pytest.raises(wire.ProtocolError, match="got 63"):
        wire.TagReader(b"?").string()
    with pytest.raises(wire.ProtocolError, match="channels"):
        wire.TagReader(b"m\x21" + bytes(33)).channel_map()


def test_a_packet_header_must_be_whole_and_not_oversized() -> None:
    assert wire.parse_descriptor(struct.pack(">5I", 8, 0xFFFFFFFF, 0, 0, 0)).is_command
    with pytest.raises(wire.ProtocolError, match="20 bytes"):
        wire.parse_descriptor(b"\0" * 19)
    with pytest.raises(wire.ProtocolError, match="longer than"):
        wire.parse_descriptor(struct.pack(">5I", 2**30, 0xFFFFFFFF, 0, 0, 0))


def test_an_old_server_is_refused_and_a_new_one_speaks_our_version() -> None:
    assert wire.negotiated_version(wire.TagReader(wire.TagWriter().u32(32).getvalue())) == 32
    shm_flag_and_newer = 0x80000000 | 40
    reply = wire.TagReader(wire.TagWriter().u32(shm_flag_and_newer).getvalue())
    assert wire.negotiated_version(reply) == wire.PROTOCOL_VERSION
    with pytest.raises(wire.ProtocolError, match="older than 13"):
        wire.negotiated_version(wire.TagReader(wire.TagWriter().u32(12).getvalue()))


def test_a_protocol_string_cannot_hold_nul() -> None:
    with pytest.raises(ValueError, match="NUL"):
        wire.TagWriter().string("a\0b")


def test_server_addresses_in_pulse_server_spelling() -> None:
    assert endpoints("unix:/run/user/1000/pulse/native") == [
        Endpoint(path="/run/user/1000/pulse/native")
    ]
    assert endpoints("{0123abcd}unix:/tmp/s /tmp/t") == [
        Endpoint(path="/tmp/s"),
        Endpoint(path="/tmp/t"),
    ]
    assert endpoints("tcp:desk.local:4714") == [Endpoint(host="desk.local", port=4714)]
    assert endpoints("tcp:127.0.0.1") == [Endpoint(host="127.0.0.1", port=4713)]
    assert endpoints("tcp6:[::1]:4715") == [Endpoint(host="::1", port=4715)]
    assert endpoints(None) == [Endpoint(path="/var/run/pulse/native")]
    assert str(Endpoint(host="::1", port=4715)) == "tcp:[::1]:4715"


def test_the_cookie_comes_from_pulse_cookie_then_the_users_files(tmp_path: Path) -> None:
    """PULSE_COOKIE's file; else ~/.config/pulse/cookie, then ~/.pulse-cookie; else zeros
    (also for a file of the wrong size)."""
    home = tmp_path / "home"
    legacy, xdg = bytes(range(256)), bytes(reversed(range(256)))
    (home / ".config" / "pulse").mkdir(parents=True)
    (home / ".pulse-cookie").write_bytes(legacy)
    assert read_cookie({"HOME": str(home)}) == legacy
    (home / ".config" / "pulse" / "cookie").write_bytes(xdg)
    assert read_cookie({"HOME": str(home)}) == xdg
    (tmp_path / "short").write_bytes(b"12")
    assert read_cookie({"HOME": str(home), "PULSE_COOKIE": str(tmp_path / "short")}) == bytes(256)
    assert read_cookie({}) == bytes(256)
