"""Talk to the running service over its control endpoint (blocking, for the CLI).

Threading rule: plain blocking sockets; call from any thread except the engine's
event loop (the loop must not block; use `asyncio.to_thread` there).
"""

from __future__ import annotations

import contextlib
import socket
import sys
from typing import Any, BinaryIO

from reminder import paths
from reminder.control.protocol import MAX_RESPONSE_BYTES, ProtocolError, decode, encode
from reminder.errors import NoServiceError, RuntimeFailure


def send_request(
    request: dict[str, Any], endpoint: str | None = None, timeout: float = 5.0
) -> dict[str, Any]:
    """Send one request and return the service's answer.

    Raises NoServiceError when nothing listens (no socket file, connection
    refused, a stale socket left by a crash), RuntimeFailure when the endpoint
    exists but cannot be used (permission denied, no answer within `timeout`,
    a garbled answer).
    """
    where = endpoint if endpoint is not None else paths.control_endpoint()
    if sys.platform == "win32" and where.startswith("\\\\.\\pipe\\"):
        return _send_over_pipe(request, where)
    return _send_over_unix_socket(request, where, timeout)


def _send_over_unix_socket(request: dict[str, Any], path: str, timeout: float) -> dict[str, Any]:
    from pathlib import Path

    paths.check_own_folder(Path(path).parent)  # a socket of another account is not ours
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        try:
            conn.connect(path)
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError):
            raise NoServiceError(path) from None
        except PermissionError:
            raise RuntimeFailure(
                f"permission denied on the control endpoint {path}: "
                "it belongs to another user account"
            ) from None
        except TimeoutError:
            raise RuntimeFailure(f"{path} accepted no connection in {timeout:g}s") from None
        except OSError as error:
            raise RuntimeFailure(f"cannot reach the service at {path}: {error.strerror}") from None
        try:
            conn.sendall(encode(request))
            conn.shutdown(socket.SHUT_WR)
            raw = _read_line(conn.recv)
        except TimeoutError:
            raise RuntimeFailure(f"the service at {path} gave no answer in {timeout:g}s") from None
        except OSError as error:
            raise RuntimeFailure(f"the service at {path} dropped the connection: {error}") from None
    return _parse_answer(raw, path)


def _send_over_pipe(request: dict[str, Any], pipe_name: str) -> dict[str, Any]:
    """Windows named pipe; untested here (no Windows), and without a timeout."""
    try:
        pipe: BinaryIO = open(pipe_name, "r+b", buffering=0)  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise NoServiceError(pipe_name) from None
    except OSError as error:
        raise RuntimeFailure(f"cannot reach the service at {pipe_name}: {error}") from None
    with contextlib.closing(pipe):
        pipe.write(encode(request))
        raw = _read_line(pipe.read)
    return _parse_answer(raw, pipe_name)


def _read_line(read: Any) -> bytes:
    """Read up to the first newline (or end of stream), refusing oversized answers."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk: bytes = read(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk:
            break
        if size > MAX_RESPONSE_BYTES:
            raise RuntimeFailure(f"the service's answer exceeds {MAX_RESPONSE_BYTES} bytes")
    return b"".join(chunks).split(b"\n", 1)[0]


def _parse_answer(raw: bytes, where: str) -> dict[str, Any]:
    if not raw:
        raise RuntimeFailure(f"the service at {where} closed the connection without answering")
    try:
        return decode(raw)
    except ProtocolError as error:
        raise RuntimeFailure(f"the service at {where} sent a garbled answer: {error}") from None
