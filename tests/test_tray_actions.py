"""Tray actions that cannot do what was asked say so, instead of failing in silence.

The browser is the one `webbrowser` runs from $BROWSER; "no browser" is a real program
that fails (`false`). The file manager is whatever `xdg-open` is on PATH: the tests put
a real script of their own first on PATH, failing or recording what it was asked.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from reminder.testing import RecordingEngine
from reminder.tray.actions import open_address, start_program


def wait_for(check: object, timeout: float = 10) -> None:
    assert callable(check)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def opener(tmp_path: Path, *, exit_code: int) -> Path:
    """An `xdg-open` of our own that records its argument and exits with `exit_code`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "xdg-open"
    script.write_text(f'#!/bin/sh\necho "$1" >> "{tmp_path}/opened"\nexit {exit_code}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return bin_dir


@pytest.mark.parametrize("file_manager", ["works", "fails"])
def test_the_guide_without_a_browser_opens_its_folder_or_says_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file_manager: str
) -> None:
    page = tmp_path / "guide" / "guide.html"
    page.parent.mkdir()
    page.write_text("<h1>guide</h1>")
    bin_dir = opener(tmp_path, exit_code=0 if file_manager == "works" else 1)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("BROWSER", "false")
    handle = RecordingEngine()
    open_address("the guide", page.as_uri(), handle.announce)
    wait_for(lambda: handle.announced)
    [(title, body)] = handle.announced
    assert title == "No web browser could open the guide"
    if file_manager == "works":
        assert body == "Its folder is open instead; the page is guide.html"
        assert (tmp_path / "opened").read_text().strip() == str(page.parent)
    else:
        assert body == f"Open it yourself: {page}"


def test_a_window_that_fails_to_start_is_announced_with_its_reason() -> None:
    handle = RecordingEngine()
    start_program(
        "the settings window",
        ["sh", "-c", "echo 'sitting-reminder: error: no display' >&2; exit 2"],
        handle.announce,
    )
    wait_for(lambda: handle.announced)
    assert handle.announced == [("Could not open the settings window", "no display")]
