"""The last good copy of each managed source, so a share off the VPN keeps its settings.

A managed source is one folder or file the files of one managed layer come from:
`$SITTING_REMINDER_MANAGED_CONFIG`, or one site configuration folder. Each time
every file of a source is read and found valid, the loader saves their text here
(`user_cache_dir/managed/<name>-<hash>.json`, one JSON document per source, mode
0600, written atomically). When a source later cannot be reached (missing path,
host down, stale handle), the loader checks the cached text again with today's key
table and uses it in the source's place, saying so ("managed configuration from
cache, 3 days old: ...").

A copy has no expiry: a laptop off the VPN for a month keeps its organisation's
settings and locks, and every note says how old they are. A source that is
reachable and holds no configuration any more drops its copy.

Failure modes: a cache that cannot be written (read-only home, disk full) only
costs the offline fallback, and `save` returns why; a copy that cannot be read
or parsed counts as no copy.

Threading rule: plain blocking file I/O, called from the loader.
"""

from __future__ import annotations

import binascii
import contextlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from reminder.atomic import write_json_atomically
from reminder.durations import human_duration

FORMAT_VERSION = 1
REFRESH_EVERY = timedelta(hours=1)
"""An unchanged copy is rewritten at most this often, so reading does not fsync every time;
the age a note gives is therefore the time since the source was last read, within this."""


@dataclass(frozen=True)
class CachedFile:
    """One file of a managed source, as it was last read."""

    path: Path
    text: str


@dataclass(frozen=True)
class CachedSource:
    """The last good copy of one managed source."""

    source: Path
    saved_at: datetime  # aware, UTC
    files: tuple[CachedFile, ...]

    def age(self, now: datetime) -> timedelta:
        return max(timedelta(0), now - self.saved_at)


class ManagedCache:
    """Copies of managed sources in one folder (the user's cache folder by default)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def entry(self, source: Path) -> Path:
        """The cache file of `source`: a readable name plus a checksum of the full path.

        (CRC-32, not hashlib: that would map OpenSSL into the service. Two sources with
        one name can only cost a copy, never mix them: `load` checks the source.)"""
        text = str(source)
        digest = f"{binascii.crc32(text.encode('utf-8')):08x}"
        readable = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[-48:] or "source"
        return self.folder / f"{readable}-{digest}.json"

    def load(self, source: Path) -> CachedSource | None:
        """The copy of `source`, or None when there is none (or it cannot be used)."""
        try:
            data = json.loads(self.entry(source).read_text(encoding="utf-8"))
            if data.get("version") != FORMAT_VERSION or data.get("source") != str(source):
                return None
            saved_at = datetime.fromisoformat(data["saved_at"])
            if saved_at.tzinfo is None:
                return None
            files = tuple(CachedFile(Path(item["path"]), item["text"]) for item in data["files"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not files or not all(isinstance(item.text, str) for item in files):
            return None
        return CachedSource(source, saved_at.astimezone(timezone.utc), files)

    def save(self, source: Path, files: Sequence[CachedFile], now: datetime) -> str | None:
        """Keep `files` as the last good copy of `source`; None, or why it could not be kept."""
        current = self.load(source)
        if (
            current is not None
            and current.files == tuple(files)
            and current.age(now) < REFRESH_EVERY
        ):
            return None
        document = {
            "version": FORMAT_VERSION,
            "source": str(source),
            "saved_at": now.astimezone(timezone.utc).isoformat(),
            "files": [{"path": str(item.path), "text": item.text} for item in files],
        }
        try:
            write_json_atomically(self.entry(source), document)
        except OSError as error:
            return f"cannot keep a copy in {self.folder}: {error.strerror or error}"
        return None

    def forget(self, source: Path) -> None:
        """Drop the copy of a source that is reachable and holds no configuration any more."""
        with contextlib.suppress(OSError):  # best effort: at worst the old copy stays
            self.entry(source).unlink()


def age_text(age: timedelta) -> str:
    """How old a copy is, as people say it: "3 days" from a day on, else `human_duration`.

    (human_duration has no unit above hours; "72 hours" reads worse than "3 days".)
    """
    days = age.days
    if days >= 1:
        return "1 day" if days == 1 else f"{days} days"
    return human_duration(age)


__all__ = ["REFRESH_EVERY", "CachedFile", "CachedSource", "ManagedCache", "age_text"]
