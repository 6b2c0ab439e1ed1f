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

MAX_DEPTH = 8
"""A request nested deeper than this is refused (the real ones are flat objects)."""

PING = "ping"


class ProtocolError(ValueError):
    """A line that is not one JSON object."""


def encode(message: dict[str, Any]) -> bytes:
    """One message as a line of compact JSON."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON text (brackets inside strings not counted)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def decode(line: bytes) -> dict[str, Any]:
    """Parse one line; raise ProtocolError saying what is wrong with it.

    Requests nested deeper than MAX_DEPTH, and numbers too long to convert, are
    refused with a message instead of the parser's RecursionError or ValueError.
    """
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(f"request is not UTF-8: {error.reason}") from None
    if nesting_depth(text) > MAX_DEPTH:
        raise ProtocolError(f"request refused: nested deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProtocolError(f"request is not JSON: {error.msg} at column {error.colno}") from None
    except (ValueError, RecursionError) as error:  # e.g. a number of 5000 digits
        raise ProtocolError(f"request refused: {str(error).split(':')[0]}") from None
    if not isinstance(value, dict):
        raise ProtocolError(f"request must be a JSON object, found {type(value).__name__}")
    return value


def error_response(message: str) -> dict[str, Any]:
    """The answer to a request the service refuses."""
    return {"ok": False, "error": message}
