"""The stretch pictures as a browser shows them: every SVG from the installed wheel in
headless Chromium, next to the PNG drawn from the same shapes.

Nothing is faked: the wheel is built and installed without dependencies into a new
virtualenv, which says where its pictures are; Chromium (with every host name made
unresolvable) draws each SVG at 96, 256 and 400 px on one page; the screenshot is cut
into tiles and each tile compared with the shipped PNG. Screenshots are kept in
tests/artifacts/ (pictures-chromium-*.png) for people to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import require_desktop_tools
from headless_chromium import chromium
from PIL import Image, ImageChops, ImageStat
from wheel_build import fresh_venv, run

from reminder.pictures.shapes import PALETTE

pytestmark = pytest.mark.browser

COLUMNS = 6
GAP = 8


@pytest.fixture(scope="module")
def installed_pictures(tmp_path_factory: pytest.TempPathFactory, project_wheel: Path) -> list[Path]:
    """The SVG files inside a fresh install from the wheel."""
    require_desktop_tools("chromium")
    work = tmp_path_factory.mktemp("pictures-install")
    python = fresh_venv(work, project_wheel, with_dependencies=False)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    folder = run(
        [
            str(python),
            "-c",
            "import importlib.resources as r; print(r.files('reminder') / 'data' / 'pictures')",
        ],
        cwd=work,
        env=env,
    ).stdout.strip()
    pictures = sorted(Path(folder).glob("*.svg"))
    assert str(work) in folder
    return pictures


def sheet(tmp_path: Path, pictures: list[Path], size: int) -> Image.Image:
    """Every picture drawn by Chromium at `size` px, in a grid; returns the screenshot."""
    rows = -(-len(pictures) // COLUMNS)
    width, height = COLUMNS * (size + GAP) + GAP, rows * (size + GAP) + GAP
    cells = "".join(
        f'<img src="{picture.as_uri()}" width="{size}" height="{size}" '
        f'style="position:absolute;left:{GAP + (i % COLUMNS) * (size + GAP)}px;'
        f'top:{GAP + (i // COLUMNS) * (size + GAP)}px">'
        for i, picture in enumerate(pictures)
    )
    page = tmp_path / f"sheet-{size}.html"
    page.write_text(
        f'<!DOCTYPE html><html><body style="margin:0;background:#fff">{cells}</body></html>',
        encoding="utf-8",
    )
    shot = tmp_path / f"sheet-{size}.png"
    chromium(
        tmp_path / "profile",
        f"--screenshot={shot}",
        f"--window-size={width},{height}",
        "--force-device-scale-factor=1",
        page.as_uri(),
    )
    with Image.open(shot) as image:
        return image.convert("RGB")


def tile(image: Image.Image, index: int, size: int) -> Image.Image:
    left = GAP + (index % COLUMNS) * (size + GAP)
    top = GAP + (index // COLUMNS) * (size + GAP)
    return image.crop((left, top, left + size, top + size))


def on_white(png: Path) -> Image.Image:
    with Image.open(png) as picture:
        white = Image.new("RGBA", picture.size, "white")
        return Image.alpha_composite(white, picture.convert("RGBA")).convert("RGB")


def test_every_picture_is_shipped_in_the_wheel(installed_pictures: list[Path]) -> None:
    assert len(installed_pictures) == 17
    for svg in installed_pictures:
        assert svg.with_suffix(".png").is_file(), svg.name


@pytest.mark.parametrize("size", [96, 400])
def test_chromium_draws_every_svg(
    installed_pictures: list[Path], tmp_path: Path, artifacts: Path, size: int
) -> None:
    """Each tile holds the pale card, the green figure and the blue arrow: drawn, not broken."""
    image = sheet(tmp_path, installed_pictures, size)
    image.save(artifacts / f"pictures-chromium-{size}.png")
    for index, svg in enumerate(installed_pictures):
        colours = {
            colour
            for _, colour in tile(image, index, size).getcolors(size * size) or []
            if isinstance(colour, tuple)
        }
        for name in ("tile", "figure", "arrow"):
            wanted = getattr(PALETTE, name)
            target = tuple(int(wanted[i : i + 2], 16) for i in (1, 3, 5))
            assert target in colours, f"{svg.name} at {size} px: no {name} colour {wanted}"


def test_the_svg_and_the_png_show_the_same_drawing(
    installed_pictures: list[Path], tmp_path: Path
) -> None:
    """Chromium's SVG at 256 px against the shipped 256 px PNG: the same picture, pixel for
    pixel but for edge smoothing."""
    image = sheet(tmp_path, installed_pictures, 256)
    for index, svg in enumerate(installed_pictures):
        drawn = tile(image, index, 256)
        shipped = on_white(svg.with_suffix(".png"))
        assert shipped.size == drawn.size
        difference = ImageStat.Stat(ImageChops.difference(drawn, shipped)).mean
        assert max(difference) < 4.0, f"{svg.name}: SVG and PNG differ by {difference}"
