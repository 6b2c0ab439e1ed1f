"""One settings window at a time: a lock the window holds, and a channel to raise it.

The window holds an exclusive lock on `sitting-reminder-settings.lock` in the runtime
folder for as long as it is open (`fcntl.flock` on Unix, `msvcrt.locking` on Windows).
The OS drops the lock when the process ends, however it ends, so a crash leaves
nothing stale behind. Beside it the window listens on a channel through
`multiprocessing.connection`: a Unix socket `sitting-reminder-settings.sock` in the
same user-only folder (in Linux's abstract namespace when that folder's path is too
long for a socket), a named pipe on Windows. A second `settings` that cannot take
the lock connects, sends "raise" and exits; the window brings itself to the front.

Threading: `Claimed` accepts connections on a daemon thread and queues what they ask;
the window takes the requests with `pending()` on its own thread (Tk is not
thread-safe). The Windows path (msvcrt, the named pipe) is untested here: no Windows.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import IO

from reminder import APP_NAME, paths

NAME = f"{APP_NAME}-settings"
RAISE = "raise"
RAISED = "raised"
CONNECT_PATIENCE_S = 3.0  # the window may hold the lock a moment before it listens
ANSWER_TIMEOUT_S = 5.0
MAX_SOCKET_PATH = 100  # sockaddr_un holds 108 bytes on Linux, 104 on macOS


@dataclass(frozen=True)
class Places:
    """Where the lock and the channel live (the runtime folder; tests may pass another)."""

    lock: Path
    address: str
    family: str  # "AF_UNIX" or "AF_PIPE"

    @classmethod
    def default(cls, folder: Path | None = None) -> Places:
        folder = folder or paths.runtime_dir()
        lock = folder / f"{NAME}.lock"
        if sys.platform == "win32":
            user = os.environ.get("USERNAME", "user")
            return cls(lock, rf"\\.\pipe\{NAME}-{user}", "AF_PIPE")
        socket_path = str(folder / f"{NAME}.sock")
        if len(os.fsencode(socket_path)) > MAX_SOCKET_PATH and sys.platform.startswith("linux"):
            # A folder too deep for a socket path (108 bytes): Linux's abstract namespace,
            # named after the folder so that two sessions never share it.
            digest = hashlib.sha256(os.fsencode(folder)).hexdigest()[:16]
            socket_path = f"\0{NAME}-{os.getuid()}-{digest}"
        return cls(lock, socket_path, "AF_UNIX")

    @property
    def abstract(self) -> bool:
        return self.address.startswith("\0")


class Claimed:
    """This process is the settings window: it holds the lock and hears raise requests."""

    def __init__(self, places: Places, lock_file: IO[bytes]) -> None:
        self.places = places
        self._lock_file = lock_file
        self._requests: queue.SimpleQueue[str] = queue.SimpleQueue()
        if places.family == "AF_UNIX" and not places.abstract:
            with contextlib.suppress(FileNotFoundError):  # left by a window that crashed
                os.unlink(places.address)
        self._listener = Listener(places.address, family=places.family)
        self._thread = threading.Thread(target=self._serve, name="settings-raise", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn = self._listener.accept()
            except OSError:  # the listener was closed: the window is going away
                return
            with conn:
                try:
                    if conn.poll(ANSWER_TIMEOUT_S):
                        self._requests.put(str(conn.recv()))
                        conn.send(RAISED)
                except (EOFError, OSError):  # the asker gave up; nothing to do
                    continue

    def pending(self) -> list[str]:
        """The requests heard since the last call (from any thread; the window polls it)."""
        found = []
        while True:
            try:
                found.append(self._requests.get_nowait())
            except queue.Empty:
                return found

    def release(self) -> None:
        """Stop listening and drop the lock (the OS does both at exit in any case)."""
        with contextlib.suppress(OSError):
            self._listener.close()
        self._lock_file.close()


def claim(places: Places | None = None) -> Claimed | None:
    """Become the settings window, or None when one is open already.

    Raises OSError when the runtime folder cannot hold the lock at all.
    """
    places = places or Places.default()
    places.lock.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock_file = open(places.lock, "a+b")  # noqa: SIM115 - held open while the window lives
    if not _try_lock(lock_file):
        lock_file.close()
        return None
    return Claimed(places, lock_file)


def ask_to_raise(places: Places | None = None) -> bool:
    """Ask the open window to come to the front; False when it did not answer."""
    places = places or Places.default()
    deadline = time.monotonic() + CONNECT_PATIENCE_S
    while True:
        try:
            conn: Connection = Client(places.address, family=places.family)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        except OSError:
            return False
    with conn:
        try:
            conn.send(RAISE)
            return bool(conn.poll(ANSWER_TIMEOUT_S)) and conn.recv() == RAISED
        except (EOFError, OSError):
            return False


def _try_lock(lock_file: IO[bytes]) -> bool:
    """An exclusive lock without waiting: True when this process has it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            lock_file.seek(0)  # the lock covers the file's first byte, wherever it ends
            msvcrt.locking(lock_file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
