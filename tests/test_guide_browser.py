"""The guide page, installed from a freshly built wheel, in a real headless Chromium.

Nothing is faked: the project is built into a wheel, installed without
dependencies into a new virtualenv (so the guide must need only the standard
library), asked for its guide_uri(), and that page is loaded by Debian's
`chromium` with every host name made unresolvable, so a page that needed the
network would show it. Screenshots (the top of the page, the stretches section) are
kept in tests/artifacts/ and docs/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import docs_screenshots, require_desktop_tools
from headless_chromium import chromium
from PIL import Image
from wheel_build import fresh_venv, run

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
REQUIRED_ANCHORS = (
    "what-is-a-knot",
    "causes",
    "symptoms",
    "knot-or-nerve",
    "what-helps",
    "urgent",
    "blood-clot",
    "professional",
    "stretches",
    "not-medical-advice",
    "sources",
)
SCREEN = (1000, 2400)
STRETCHES_SCREEN = (1000, 1400)
FIGURE_GREEN = (0x2D, 0x6A, 0x4F)
ARROW_BLUE = (0x1F, 0x6F, 0xEB)


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


class DomReader(HTMLParser):
    """The ids, headings, every src/href and the titles of inline SVGs in the rendered DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.h1: list[str] = []
        self.references: list[str] = []
        self.svg_titles: list[str] = []
        self._in_h1 = False
        self._in_svg = False
        self._in_svg_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("src", "href") and value is not None:
                self.references.append(value)
        self._in_h1 = tag == "h1"
        if tag == "title" and self._in_svg:
            self._in_svg_title = True
            self.svg_titles.append("")
        if tag == "svg":
            self._in_svg = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False
        if tag == "title":
            self._in_svg_title = False
        if tag == "svg":
            self._in_svg = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1.append(data.strip())
        if self._in_svg_title:
            self.svg_titles[-1] += data


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
    assert len(reader.svg_titles) == 17  # every stretch drawn, each with its title
    assert all(title.strip() for title in reader.svg_titles)


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
    assert 4 <= pages <= 10, pages  # the guide, then the 17 stretches as a sheet to pin up


def test_screenshot_shows_the_stretches_with_their_pictures(
    installed_guide_uri: str, tmp_path: Path, artifacts: Path
) -> None:
    """The page opened at #stretches, as the tray or a link opens it: the first cards show
    their pictures (figure green, arrow blue). Saved as docs/guide-stretches.png.

    Headless Chromium draws nothing when given a #fragment to screenshot, so the page is
    framed by a local wrapper page whose frame scrolls to the anchor as a browser does.
    """
    frame = tmp_path / "frame.html"
    frame.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe src="{installed_guide_uri}#stretches" '
        f'style="width:{STRETCHES_SCREEN[0]}px;height:{STRETCHES_SCREEN[1]}px;border:0">'
        "</iframe></body></html>",
        encoding="utf-8",
    )
    shot = artifacts / "guide-stretches.png"
    shot.unlink(missing_ok=True)
    chromium(
        tmp_path / "profile",
        f"--screenshot={shot}",
        f"--window-size={STRETCHES_SCREEN[0]},{STRETCHES_SCREEN[1]}",
        frame.as_uri(),
    )
    with Image.open(shot) as image:
        assert image.size == STRETCHES_SCREEN
        counts = {
            colour: count
            for count, colour in image.convert("RGB").getcolors(maxcolors=1_000_000) or []
            if isinstance(colour, tuple)
        }
    assert counts.get(FIGURE_GREEN, 0) > 4_000, "no stretch pictures on screen"
    assert counts.get(ARROW_BLUE, 0) > 500, "no movement arrows on screen"
    docs = docs_screenshots()
    docs.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, docs / "guide-stretches.png")
