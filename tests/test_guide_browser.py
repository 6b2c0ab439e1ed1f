"""The guide page, installed from a freshly built wheel, in a real headless Chromium.

Nothing is faked: the project is built into a wheel, installed without
dependencies into a new virtualenv (so the guide must need only the standard
library), asked for its guide_uri(), and that page is loaded by Debian's
`chromium` with every host name made unresolvable, so a page that needed the
network would show it. A screenshot is kept in tests/artifacts/ and docs/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import docs_screenshots, require_desktop_tools
from PIL import Image
from wheel_build import fresh_venv, run

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
REQUIRED_ANCHORS = (
    "what-is-a-knot",
    "causes",
    "symptoms",
    "what-helps",
    "professional",
    "not-medical-advice",
)
SCREEN = (1000, 2400)


@pytest.fixture(scope="module")
def installed_guide_uri(
    tmp_path_factory: pytest.TempPathFactory, project_wheel: Path
) -> Iterator[str]:
    """guide_uri() as a fresh install from the wheel answers it."""
    require_desktop_tools("chromium")
    work = tmp_path_factory.mktemp("guide-install")
    python = fresh_venv(work, project_wheel, with_dependencies=False)
    clean_env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    uri = run(
        [str(python), "-c", "from reminder.guide import guide_uri; print(guide_uri())"],
        cwd=work,
        env=clean_env,
    ).stdout.strip()
    yield uri


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


class DomReader(HTMLParser):
    """The ids, headings and every src/href of the rendered DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.h1: list[str] = []
        self.references: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("src", "href") and value is not None:
                self.references.append(value)
        self._in_h1 = tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1.append(data.strip())


def test_the_installed_page_is_inside_the_new_environment(installed_guide_uri: str) -> None:
    assert installed_guide_uri.startswith("file://")
    assert "/venv/" in installed_guide_uri
    assert not installed_guide_uri.startswith(ROOT.as_uri())


def test_page_renders_offline_with_every_anchor(installed_guide_uri: str, tmp_path: Path) -> None:
    dom = chromium(tmp_path / "profile", "--dump-dom", installed_guide_uri).stdout
    reader = DomReader()
    reader.feed(dom)
    assert reader.h1 == ["Knots in your buttock muscles"]
    for anchor in REQUIRED_ANCHORS:
        assert anchor in reader.ids
    external = [ref for ref in reader.references if re.match(r"(?i)\s*(https?:)?//", ref)]
    assert external == []
    assert all(ref.startswith("#") for ref in reader.references)


def test_screenshot_shows_the_page(
    installed_guide_uri: str, tmp_path: Path, artifacts: Path
) -> None:
    """Saved to tests/artifacts/guide.png and docs/guide.png for the README."""
    shot = artifacts / "guide.png"
    shot.unlink(missing_ok=True)
    chromium(
        tmp_path / "profile",
        f"--screenshot={shot}",
        f"--window-size={SCREEN[0]},{SCREEN[1]}",
        installed_guide_uri,
    )
    with Image.open(shot) as image:
        assert image.size == SCREEN
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1_000_000) or []
    counts = {colour: count for count, colour in colours if isinstance(colour, tuple)}
    # The inline styles applied: a white page, dark body text and the red edge of
    # the "See a professional if" box near the top are all on screen.
    assert counts.get((255, 255, 255), 0) > SCREEN[0] * SCREEN[1] // 2  # white page
    assert counts.get((0xB4, 0x23, 0x18), 0) > 500  # the warning box's red edge
    assert sum(n for c, n in counts.items() if max(c) < 80) > 20_000  # dark text
    docs = docs_screenshots()
    docs.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, docs / "guide.png")


def test_page_prints_to_pdf(installed_guide_uri: str, tmp_path: Path, artifacts: Path) -> None:
    """The print stylesheet gives a few clean pages, kept as tests/artifacts/guide.pdf."""
    pdf = artifacts / "guide.pdf"
    pdf.unlink(missing_ok=True)
    chromium(
        tmp_path / "profile", f"--print-to-pdf={pdf}", "--no-pdf-header-footer", installed_guide_uri
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    assert 2 <= pages <= 4, pages
