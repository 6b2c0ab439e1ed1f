"""The control endpoint's wire format: one JSON object per line, each way.

A request is `{"cmd": NAME, ...}`; an answer is `{"ok": true, ...}` or
`{"ok": false, "error": MESSAGE}`. Lines are UTF-8 and end with "\\n".
"""

from __future__ import annotations

import json
from typing import Any

MAX_REQUEST_BYTES = 64 * 1024
"""A request line longer than this is refused (the real ones are a few dozen bytes)."""

MAX_RESPONSE_BYTES = 1024 * 1024
"""The client stops reading an answer past this size (a status is about 1 KiB)."""

PING = "ping"


class ProtocolError(ValueError):
    """A line that is not one JSON object."""


def encode(message: dict[str, Any]) -> bytes:
    """One message as a line of compact JSON."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """Parse one line; raise ProtocolError saying what is wrong with it."""
    try:
        value = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ProtocolError(f"request is not UTF-8: {error.reason}") from None
    except json.JSONDecodeError as error:
        raise ProtocolError(f"request is not JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(value, dict):
        raise ProtocolError(f"request must be a JSON object, found {type(value).__name__}")
    return value


def error_response(message: str) -> dict[str, Any]:
    """The answer to a request the service refuses."""
    return {"ok": False, "error": message}
