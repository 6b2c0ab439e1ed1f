"""Watching the configuration files, so an edit applies within a second and nothing polls.

On Linux, inotify (through ctypes, no dependency: a few KiB) watches the folder
of every file in effect, plus the folders where a file could appear (the user's
config folder, each managed folder and its config.d, the catalog's folder).
Editors save by writing a new file and renaming it over the old one, so folders
are watched, not files. A folder that does not exist yet is covered by watching
its nearest existing parent. Events are gathered for `DEBOUNCE_S` before the
engine is told once.

Elsewhere, a slow poll of the files' modification times (`POLL_EVERY_S`).

Threading rule: `start`, `update` and `close` run on the engine loop; the
callback is called there.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import os
import struct
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger(__name__)

DEBOUNCE_S = 0.15
POLL_EVERY_S = 10.0

_IN_MODIFY = 0x002
_IN_ATTRIB = 0x004
_IN_CLOSE_WRITE = 0x008
_IN_MOVED_FROM = 0x040
_IN_MOVED_TO = 0x080
_IN_CREATE = 0x100
_IN_DELETE = 0x200
_IN_DELETE_SELF = 0x400
_IN_MOVE_SELF = 0x800
_IN_IGNORED = 0x8000
_MASK = (
    _IN_MODIFY
    | _IN_ATTRIB
    | _IN_CLOSE_WRITE
    | _IN_MOVED_FROM
    | _IN_MOVED_TO
    | _IN_CREATE
    | _IN_DELETE
    | _IN_DELETE_SELF
    | _IN_MOVE_SELF
)
_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len


ANY_TOML = "*.toml"


def folders_to_watch(paths: Iterable[Path]) -> dict[Path, set[str]]:
    """For each folder to watch, the entry names in it whose changes matter.

    A file: its own name in its folder. A folder: any `*.toml` in it (drop-ins) and
    the folder itself in its parent (it may be removed or made). A path that does not
    exist yet: the name of its first missing part, in the nearest existing ancestor,
    so that nothing else in that ancestor (a log, say) wakes anyone.
    """
    wanted: dict[Path, set[str]] = {}
    for path in paths:
        if path.is_dir():
            wanted.setdefault(path, set()).add(ANY_TOML)
        child, folder = path, path.parent
        while not folder.is_dir() and folder != folder.parent:
            child, folder = folder, folder.parent
        wanted.setdefault(folder, set()).add(child.name)
    return wanted


def _matters(names: set[str], name: str) -> bool:
    return name in names or (ANY_TOML in names and name.endswith(".toml"))


class ConfigWatcher:
    """Calls `on_change` (debounced) when anything under the watched paths may have changed."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self._on_change = on_change
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fd: int | None = None
        self._watches: dict[int, Path] = {}
        self._names: dict[Path, set[str]] = {}
        self._pending: asyncio.TimerHandle | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._paths: set[Path] = set()
        self._stamps: dict[Path, tuple[int, int] | None] = {}
        self.kind = "none"

    def start(self, paths: Iterable[Path]) -> str:
        """Begin watching; returns "inotify" or "poll" (what `doctor` reports)."""
        self._loop = asyncio.get_running_loop()
        if sys.platform.startswith("linux"):
            try:
                self._start_inotify()
                self.kind = "inotify"
            except OSError as error:
                log.info(
                    "inotify unavailable (%s); checking configuration files every %gs",
                    error,
                    POLL_EVERY_S,
                )
        if self.kind != "inotify":
            self.kind = "poll"
            self._poll_task = self._loop.create_task(self._poll())
        self.update(paths)
        return self.kind

    def update(self, paths: Iterable[Path]) -> None:
        """Watch exactly what `paths` need now (after a reload the files in effect change)."""
        self._paths = {Path(path) for path in paths}
        if self.kind == "inotify":
            self._rewatch()
        else:
            self._stamps = {path: _stamp(path) for path in self._paths}

    def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        if self._poll_task is not None:
            self._poll_task.cancel()
        if self._fd is not None:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._fd)
            os.close(self._fd)
            self._fd = None

    # ------------------------------------------------------------ inotify

    def _start_inotify(self) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self._add = libc.inotify_add_watch
        self._add.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32)
        self._add.restype = ctypes.c_int
        self._rm = libc.inotify_rm_watch
        self._rm.argtypes = (ctypes.c_int, ctypes.c_int)
        self._rm.restype = ctypes.c_int
        init = libc.inotify_init1
        init.argtypes = (ctypes.c_int,)
        init.restype = ctypes.c_int
        fd = init(_IN_NONBLOCK | _IN_CLOEXEC)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        self._fd = fd
        assert self._loop is not None
        self._loop.add_reader(fd, self._readable)

    def _rewatch(self) -> None:
        assert self._fd is not None
        wanted = folders_to_watch(self._paths)
        self._names = wanted
        for wd, folder in list(self._watches.items()):
            if folder not in wanted:
                self._rm(self._fd, wd)
                del self._watches[wd]
        have = set(self._watches.values())
        for folder in set(wanted) - have:
            wd = self._add(self._fd, os.fsencode(folder), _MASK)
            if wd < 0:
                log.info("cannot watch %s (errno %d)", folder, ctypes.get_errno())
                continue
            self._watches[wd] = folder

    def _readable(self) -> None:
        assert self._fd is not None
        try:
            data = os.read(self._fd, 64 * 1024)
        except BlockingIOError:
            return
        offset = 0
        structural = relevant = False
        while offset + _EVENT.size <= len(data):
            wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
            start = offset + _EVENT.size
            name = data[start : start + length].rstrip(b"\0").decode(errors="replace")
            offset = start + length
            folder = self._watches.get(wd)
            if mask & (_IN_IGNORED | _IN_DELETE_SELF | _IN_MOVE_SELF):
                structural = relevant = True  # a watched folder went: what to watch differs
                if mask & _IN_IGNORED:
                    self._watches.pop(wd, None)
                continue
            if folder is not None and _matters(self._names.get(folder, set()), name):
                relevant = True
                structural = structural or bool(mask & (_IN_CREATE | _IN_MOVED_TO))
        if structural:
            self._rewatch()
        if relevant:
            self._soon()

    # --------------------------------------------------------------- poll

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_EVERY_S)
            stamps = {path: _stamp(path) for path in self._paths}
            if stamps != self._stamps:
                self._stamps = stamps
                self._soon()

    def _soon(self) -> None:
        assert self._loop is not None
        if self._pending is not None:
            self._pending.cancel()
        self._pending = self._loop.call_later(DEBOUNCE_S, self._fire)

    def _fire(self) -> None:
        self._pending = None
        try:
            self._on_change()
        except Exception:  # the watcher must outlive a failing listener
            log.exception("configuration change listener failed")


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size
