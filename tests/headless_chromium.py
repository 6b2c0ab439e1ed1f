"""Headless Chromium for the page and picture tests: offline, and quiet about it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from wheel_build import run


def chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium that cannot reach any host and phones nowhere."""
    return run(
        [
            shutil.which("chromium") or "/usr/bin/chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}",
            *arguments,
        ]
    )
