"""The stretch pictures: drawn from the figure model, shipped as SVG and PNG, kept in step.

Everything is real: the generator's output is compared with the files in
config/pictures/, the SVGs are parsed with the standard library's XML parser, and
the PNGs are decoded with Pillow. Contact sheets at 96 and 400 px are saved in
tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from reminder.pictures import (
    PNG_SIZE,
    SCENES,
    render_png,
    render_svg,
    scene,
    shipped_folder,
    write_pictures,
)
from reminder.pictures.render import to_image
from reminder.pictures.shapes import CANVAS, PALETTE, Polygon, Stroke
from reminder.stretches import load_catalog

SVG = "{http://www.w3.org/2000/svg}"
CATALOG = {stretch.id: stretch for stretch in load_catalog()}
IDS = sorted(CATALOG)


def rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def pixels_near(image: Image.Image, colour: str, by: int = 10) -> int:
    """How many pixels of `image` are within `by` of `colour` in every channel."""
    target = rgb(colour)
    counts = image.convert("RGB").getcolors(image.width * image.height) or []
    return sum(
        count
        for count, found in counts
        if isinstance(found, tuple)
        and all(abs(a - b) <= by for a, b in zip(found, target, strict=True))
    )


def test_every_built_in_stretch_has_a_scene_and_every_scene_a_stretch() -> None:
    assert sorted(SCENES) == IDS


@pytest.mark.parametrize("stretch_id", IDS)
def test_the_shipped_svg_is_what_the_code_draws(stretch_id: str) -> None:
    shipped = (shipped_folder() / f"{stretch_id}.svg").read_text(encoding="utf-8")
    assert shipped == render_svg(stretch_id), (
        f"config/pictures/{stretch_id}.svg is out of date: run `python -m reminder.pictures`"
    )


@pytest.mark.parametrize("stretch_id", IDS)
def test_the_shipped_png_is_what_the_code_draws(stretch_id: str) -> None:
    """Pixel for pixel within a small tolerance (Pillow's smoothing may differ by version)."""
    with Image.open(shipped_folder() / f"{stretch_id}.png") as shipped:
        assert shipped.size == (PNG_SIZE, PNG_SIZE)
        assert shipped.mode == "RGBA"
        with Image.open(io.BytesIO(render_png(stretch_id))) as drawn:
            difference = ImageChops.difference(shipped.convert("RGBA"), drawn.convert("RGBA"))
    mean = sum(ImageStat.Stat(difference).mean) / 4
    assert mean < 0.5, (
        f"config/pictures/{stretch_id}.png is out of date (mean difference {mean:.2f}): "
        "run `python -m reminder.pictures`"
    )


@pytest.mark.parametrize("stretch_id", IDS)
def test_every_svg_is_self_contained_and_titled(stretch_id: str) -> None:
    text = (shipped_folder() / f"{stretch_id}.svg").read_text(encoding="utf-8")
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 200 200"
    assert root.get("role") == "img"
    title = root[0]
    assert title.tag == f"{SVG}title"  # the first child: what a screen reader says
    assert (title.text or "").startswith(f"{CATALOG[stretch_id].name}: ")
    for element in root.iter():
        assert element.tag.split("}")[1] not in ("image", "script", "foreignObject", "style", "use")
        for name, value in element.attrib.items():
            assert "href" not in name and name != "id", (stretch_id, name)
            assert "url(" not in value, (stretch_id, name)
    assert text.count("http") == 1  # only the namespace


@pytest.mark.parametrize("stretch_id", IDS)
def test_every_picture_has_a_figure_and_an_arrow_for_the_movement(stretch_id: str) -> None:
    shapes = scene(stretch_id).shapes
    heads = [s for s in shapes if isinstance(s, Polygon) and s.colour == PALETTE.arrow]
    assert heads, f"{stretch_id}: no arrow shows the movement"
    assert any(isinstance(s, Stroke) and s.colour == PALETTE.figure for s in shapes)
    image = to_image(shapes, 96)
    # At 96 px: a figure, not a speck (2 % of the tile), and an arrow one can see.
    assert pixels_near(image, PALETTE.figure) > 0.02 * 96 * 96, stretch_id
    assert pixels_near(image, PALETTE.arrow) > 30, stretch_id


@pytest.mark.parametrize("stretch_id", IDS)
def test_everything_stays_on_the_tile(stretch_id: str) -> None:
    for shape in scene(stretch_id).shapes:
        points = (
            shape.points
            if isinstance(shape, (Stroke, Polygon))
            else [getattr(shape, "centre", (CANVAS / 2, CANVAS / 2))]
        )
        for x, y in points:
            assert -12 <= x <= CANVAS + 12 and 4 <= y <= CANVAS - 4, (stretch_id, shape)


def test_limbs_and_arrows_are_thick_enough_to_read_at_96_px() -> None:
    """At 96 px a canvas unit is 0.48 px: the thinnest line of a figure or arrow stays >= 2 px."""
    scale = 96 / CANVAS
    for stretch_id in IDS:
        for shape in scene(stretch_id).shapes:
            if isinstance(shape, Stroke) and shape.colour in (PALETTE.figure, PALETTE.arrow):
                assert shape.width * scale >= 2.0, (stretch_id, shape.width)


def test_the_generator_writes_every_file_and_leaves_others_alone(tmp_path: Path) -> None:
    keep = tmp_path / "my-own.svg"
    keep.write_text("<svg/>", encoding="utf-8")
    written = write_pictures(tmp_path)
    assert sorted(path.name for path in written) == sorted(
        f"{stretch_id}.{suffix}" for stretch_id in IDS for suffix in ("svg", "png")
    )
    assert keep.read_text(encoding="utf-8") == "<svg/>"
    assert (tmp_path / "hip-hinge.svg").read_text(encoding="utf-8") == render_svg("hip-hinge")
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temp files behind


@pytest.mark.parametrize("size", [96, 400])
def test_contact_sheet_for_people_to_look_at(size: int, artifacts: Path) -> None:
    """tests/artifacts/pictures-96.png and pictures-400.png: every picture, named."""
    columns = 6 if size < 200 else 3
    rows = -(-len(IDS) // columns)
    sheet = Image.new("RGB", (columns * (size + 10) + 10, rows * (size + 26) + 10), "white")
    draw = ImageDraw.Draw(sheet)
    for index, stretch_id in enumerate(IDS):
        x = 10 + (index % columns) * (size + 10)
        y = 10 + (index // columns) * (size + 26)
        picture = to_image(scene(stretch_id).shapes, size)
        sheet.paste(picture, (x, y), picture)
        draw.text((x, y + size + 4), stretch_id, fill="black")
    path = artifacts / f"pictures-{size}.png"
    sheet.save(path)
    assert pixels_near(sheet, PALETTE.figure) > len(IDS) * size  # every tile has its figure
