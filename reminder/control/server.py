"""The running service's control endpoint, which doubles as the single-instance guard.

The endpoint is user-only and never a TCP port: a Unix socket with mode 0600
in the runtime dir, or a named pipe on Windows. Each connection carries one
JSON request per line and gets one JSON answer per line (see `protocol`).

Single instance (POSIX): whoever holds an `flock` on `<socket>.lock` owns the
endpoint. The lock is taken before the socket is touched and held for the
life of the server, so two services started at the same moment cannot both
bind; the loser asks the winner's socket for its pid (`ping`). A socket file
left by a crashed run has no lock holder and nobody listening: it is removed
and replaced. The lock file itself is never deleted (deleting it would let a
late opener lock a different inode). On Windows the guard is the ping alone
(no lock file); that path is untested here.

Threading rule: `ControlServer` runs on the engine's asyncio loop and awaits
the handler there, one request at a time per connection. `claim_endpoint`
may run earlier on another loop (`run` claims before building the engine);
the claim is per process, so the server started later takes it over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import stat
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reminder import __version__, paths
from reminder.control.client import send_request
from reminder.control.protocol import (
    MAX_REQUEST_BYTES,
    PING,
    ProtocolError,
    decode,
    encode,
    error_response,
)
from reminder.errors import EXIT_OK, NoServiceError, ReminderError, RuntimeFailure

if sys.platform != "win32":
    import fcntl

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]

IDLE_CONNECTION_TIMEOUT_S = 30.0
"""A client that sends nothing for this long is disconnected."""

_PING_TIMEOUT_S = 2.0
_WAIT_FOR_WINNER_S = 5.0  # how long a loser waits for the winner's socket to answer


class AlreadyRunning(ReminderError):
    """Another service of this user owns the control endpoint (the second `run` exits 0)."""

    exit_code = EXIT_OK

    def __init__(self, pid: int | None, endpoint: str = "") -> None:
        self.pid = pid
        self.endpoint = endpoint
        who = f"pid {pid}" if pid is not None else f"its endpoint {endpoint} is in use"
        super().__init__(f"sitting-reminder is already running ({who})")


@dataclass
class _Claim:
    """This process's hold on one endpoint: the open, locked lock file (POSIX)."""

    endpoint: str
    lock_fd: int | None
    owner: ControlServer | None = None


# One process holds at most one claim per endpoint; the lock is per process by
# nature, so this registry is process-wide on purpose.
_claims: dict[str, _Claim] = {}


async def claim_endpoint(endpoint: str) -> None:
    """Make this process the endpoint's only owner, or raise AlreadyRunning(pid).

    A stale socket file (left by a crash) is removed. The claim lasts until
    the ControlServer started on it is closed (or the process ends); calling
    this again in the same process is a no-op. `ControlServer.start` claims
    by itself when this was not called first.
    """
    held = _claims.get(endpoint)
    if held is not None:
        if held.owner is not None:
            raise AlreadyRunning(os.getpid(), endpoint)
        return
    if _is_named_pipe(endpoint):
        pid, alive = await _ping(endpoint)
        if alive:
            raise AlreadyRunning(pid, endpoint)
        _claims[endpoint] = _Claim(endpoint, None)
        return
    _claims[endpoint] = await _claim_unix_socket(Path(endpoint))


def _release(endpoint: str) -> None:
    claim = _claims.pop(endpoint, None)
    if claim is not None and claim.lock_fd is not None:
        os.close(claim.lock_fd)  # closing drops the flock


async def _claim_unix_socket(path: Path) -> _Claim:
    _ensure_private_dir(path.parent)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            pid = await _wait_for_owner_pid(str(path), fd)
        finally:
            os.close(fd)
        raise AlreadyRunning(pid, str(path)) from None
    except BaseException:
        os.close(fd)
        raise
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        # No other lock-respecting service is alive. A server that answers
        # anyway lost its lock file (someone cleaned the folder); a socket
        # that does not answer is stale.
        pid, alive = await _ping(str(path))
        if alive:
            raise AlreadyRunning(pid, str(path))
        _remove_stale_socket(path)
    except BaseException:
        os.close(fd)
        raise
    return _Claim(str(path), fd)


async def _wait_for_owner_pid(endpoint: str, lock_fd: int) -> int | None:
    """The pid of the process holding the lock: from its ping, else from the lock file."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _WAIT_FOR_WINNER_S
    while loop.time() < deadline:
        pid, alive = await _ping(endpoint)
        if alive and pid is not None:
            return pid
        if alive:
            break  # it listens but does not say who it is: the lock file does
        await asyncio.sleep(0.05)  # the owner holds the lock but has not bound yet
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(lock_fd, 32, 0).decode().strip())
    return None


async def _ping(endpoint: str) -> tuple[int | None, bool]:
    """(pid, alive): whether something answers on the endpoint, and its pid if it said."""
    try:
        answer = await asyncio.to_thread(send_request, {"cmd": PING}, endpoint, _PING_TIMEOUT_S)
    except NoServiceError:
        return None, False
    except RuntimeFailure as error:
        log.warning("control endpoint %s is in use but did not answer: %s", endpoint, error)
        return None, True
    pid = answer.get("pid")
    return (pid if isinstance(pid, int) else None), True


def _remove_stale_socket(path: Path) -> None:
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise RuntimeFailure(
            f"{path} exists and is not a socket; remove it, or point XDG_RUNTIME_DIR elsewhere"
        )
    log.warning("removing a stale control socket left by an earlier run: %s", path)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _ensure_private_dir(folder: Path) -> None:
    """Create the socket's folder as user-only (0700) if it is missing; refuse one that
    belongs to another user (RuntimeFailure saying where and what to do)."""
    paths.check_own_folder(folder)
    if folder.is_dir():
        return
    try:
        folder.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        paths.check_own_folder(folder)
        return
    except PermissionError:
        raise RuntimeFailure(
            f"cannot create the folder for the control socket, {folder}: permission denied. "
            "Set XDG_RUNTIME_DIR to a folder of your own and try again."
        ) from None
    os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask


def _is_named_pipe(endpoint: str) -> bool:
    return sys.platform == "win32" and endpoint.startswith("\\\\.\\pipe\\")


class ControlServer:
    """Serves the control endpoint on the engine's loop until `close`."""

    def __init__(self) -> None:
        self._endpoint: str | None = None
        self._handler: Handler | None = None
        self._server: asyncio.AbstractServer | None = None
        self._pipe_servers: list[Any] = []
        self._socket_identity: tuple[int, int] | None = None
        self._connections: set[asyncio.Task[Any]] = set()

    @property
    def endpoint(self) -> str | None:
        return self._endpoint

    async def start(self, endpoint: str, handler: Handler) -> None:
        """Claim `endpoint` (see `claim_endpoint`) and start answering requests.

        `ping` is answered here (`{"ok": true, "pid": ...}`); every other
        request object goes to `handler`. Raises AlreadyRunning, or
        RuntimeFailure when the endpoint cannot be created.
        """
        if self._endpoint is not None:
            raise RuntimeError("ControlServer.start called twice")
        claim = _claims.get(endpoint)
        if claim is None:
            await claim_endpoint(endpoint)
            claim = _claims[endpoint]
        elif claim.owner is not None:
            raise AlreadyRunning(os.getpid(), endpoint)
        claim.owner = self
        self._handler = handler
        try:
            if _is_named_pipe(endpoint):
                await self._start_named_pipe(endpoint)
            else:
                await self._start_unix_socket(endpoint)
        except BaseException:
            _release(endpoint)
            raise
        self._endpoint = endpoint
        log.info("control endpoint listening at %s", endpoint)

    async def _start_unix_socket(self, path: str) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(path)
            # Until listen() every connect is refused, so tightening the mode
            # here leaves no window in which another user could get in.
            os.chmod(path, 0o600)
            info = os.stat(path)
            self._socket_identity = (info.st_dev, info.st_ino)
            self._server = await asyncio.start_unix_server(
                self._serve_connection, sock=sock, limit=MAX_REQUEST_BYTES
            )
        except OSError as error:
            sock.close()
            raise RuntimeFailure(
                f"cannot create the control socket {path}: {error.strerror or error}"
            ) from None

    async def _start_named_pipe(self, pipe_name: str) -> None:
        """Windows: asyncio's Proactor loop serves named pipes. Untested here (no Windows).

        The pipe gets Windows' default security descriptor: full access for
        the owner, SYSTEM and Administrators, read-only for others, so
        another account cannot send a command; remote clients are not
        expected (the name is local, \\\\.\\pipe\\...).
        """
        loop = asyncio.get_running_loop()
        serve = getattr(loop, "start_serving_pipe", None)
        if serve is None:
            raise NotImplementedError(
                "the control pipe needs asyncio's ProactorEventLoop (the default on Windows)"
            )

        def protocol_factory() -> asyncio.StreamReaderProtocol:
            reader = asyncio.StreamReader(limit=MAX_REQUEST_BYTES)
            return asyncio.StreamReaderProtocol(reader, self._serve_connection)

        self._pipe_servers = list(await serve(protocol_factory, pipe_name))

    async def close(self) -> None:
        """Stop listening, drop open connections, remove the socket, release the claim."""
        endpoint = self._endpoint
        if endpoint is None:
            return
        self._endpoint = None
        if self._server is not None:
            self._server.close()
        for pipe_server in self._pipe_servers:
            pipe_server.close()
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        self._remove_own_socket(endpoint)
        _release(endpoint)
        log.info("control endpoint closed: %s", endpoint)

    def _remove_own_socket(self, path: str) -> None:
        if self._socket_identity is None:
            return
        with contextlib.suppress(FileNotFoundError):
            info = os.stat(path)
            if (info.st_dev, info.st_ino) == self._socket_identity:
                os.unlink(path)
        self._socket_identity = None

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            while True:
                try:
                    line = await asyncio.wait_for(reader.readline(), IDLE_CONNECTION_TIMEOUT_S)
                except ValueError:  # the line outgrew the reader's limit
                    refusal = f"request refused: longer than {MAX_REQUEST_BYTES} bytes"
                    writer.write(encode(error_response(refusal)))
                    await writer.drain()
                    break
                except asyncio.TimeoutError:
                    break
                if not line:
                    break
                writer.write(await self._answer(line))
                await writer.drain()
        except ConnectionError:
            pass
        except Exception as error:  # never a traceback on the console for a bad client
            log.warning("a control connection failed: %s", error or type(error).__name__)
            log.debug("control connection failure", exc_info=True)
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, line: bytes) -> bytes:
        try:
            request = decode(line)
        except ProtocolError as error:
            return encode(error_response(str(error)))
        command = request.get("cmd")
        if not isinstance(command, str):
            return encode(error_response('request needs a "cmd" field naming the command'))
        if command == PING:
            return encode({"ok": True, "pid": os.getpid(), "version": __version__})
        assert self._handler is not None
        try:
            response = await self._handler(request)
            return encode(response)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("control request %r failed", command)
            return encode(error_response(f"internal error while handling {command!r}; see the log"))
