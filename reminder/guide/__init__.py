"""The glute-knot guide: one content source, rendered as an offline web page and as terminal text.

    content.py    the words (GUIDE) and the stable section anchors; the stretches
                  section is filled from the stretch catalog and its pictures
    page.py       the HTML page, shipped as guide.html in the wheel
    terminal.py   the wrapped terminal text
    command.py    guide_uri() and the `sitting-reminder guide` command

Only the standard library is imported here, so the guide works in a bare install.
"""

from __future__ import annotations

from reminder.guide.command import guide_uri, run_guide_command
from reminder.guide.content import CLI_SECTIONS, GUIDE
from reminder.guide.page import PAGE_FILE, render_html
from reminder.guide.terminal import render_text

ANCHORS = GUIDE.anchors

__all__ = [
    "ANCHORS",
    "CLI_SECTIONS",
    "GUIDE",
    "PAGE_FILE",
    "guide_uri",
    "render_html",
    "render_text",
    "run_guide_command",
]
