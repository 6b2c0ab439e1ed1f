"""Where the guide lives (guide_uri) and the `sitting-reminder guide` command."""

from __future__ import annotations

import shutil
import sys
import webbrowser
from urllib.parse import urldefrag

from reminder.errors import EXIT_FAILURE, EXIT_OK
from reminder.guide.content import CLI_SECTIONS, GUIDE
from reminder.guide.page import PAGE_FILE
from reminder.guide.terminal import render_text, unknown_section

MAX_TEXT_WIDTH = 80


def guide_uri(anchor: str | None = None, url: str = "") -> str:
    """The address of the guide, at `anchor` if given.

    The file:// URI of the offline page installed with the package, or `url`
    when IT has set `guide.url` (its own fragment is replaced by `anchor`).
    An anchor the page does not have raises ValueError: it is a programming error.
    """
    if anchor is not None and anchor not in GUIDE.anchors:
        raise ValueError(f"the guide has no anchor {anchor!r}; known: {', '.join(GUIDE.anchors)}")
    base = urldefrag(url.strip()).url if url.strip() else PAGE_FILE.resolve().as_uri()
    return f"{base}#{anchor}" if anchor else base


def run_guide_command(section: str | None, open_page: bool, url: str = "") -> int:
    """Print the guide (or one section) as text, or open the page in the default browser.

    Returns the exit code. An unknown section raises UsageError (exit 2).
    Opening fails with exit 1, printing the address, when no browser can be started.
    """
    if section is not None and section not in CLI_SECTIONS:
        raise unknown_section(section, list(CLI_SECTIONS))
    if open_page:
        address = guide_uri(section, url)
        if not webbrowser.open(address):
            print(
                f"No web browser could be started. Open this address yourself: {address}",
                file=sys.stderr,
            )
            return EXIT_FAILURE
        print(f"Opened the guide: {address}")
        return EXIT_OK
    columns = shutil.get_terminal_size((MAX_TEXT_WIDTH, 24)).columns
    print(render_text(section, width=min(columns, MAX_TEXT_WIDTH)), end="")
    print(f"\nIn a web browser: sitting-reminder guide --open\n  {guide_uri(section, url)}")
    return EXIT_OK
