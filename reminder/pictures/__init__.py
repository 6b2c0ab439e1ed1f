"""Pictures of the built-in stretches, drawn from code so that they stay consistent.

    shapes.py   the flat shapes, the product's colours, arrows
    figure.py   the figure: fixed proportions, posed by joint angles (side and front views)
    props.py    chair, desk, stairs, floor
    scenes.py   one scene per built-in stretch id: pose, props, movement arrow, title
    render.py   shapes to SVG text and to a Pillow image

The shipped files live in config/pictures/ (`reminder/data/pictures/` in the wheel):
`<id>.svg` for pages and `<id>.png` for notification servers that want a raster.
Regenerate them after changing a scene with:

    python -m reminder.pictures

(tests/test_pictures.py fails while a shipped file differs from what the code draws).
Nothing here is imported by the running service: it only reads the files.
"""

from __future__ import annotations

import io
from pathlib import Path

from reminder.pictures.render import to_image, to_svg
from reminder.pictures.scenes import SCENES, Scene

PNG_SIZE = 256  # pixels: notification servers scale it down (dunst to 128 by default)
FOLDER_NAME = "pictures"


def scene(stretch_id: str) -> Scene:
    """The scene drawn for a built-in stretch; KeyError for an id without one."""
    return SCENES[stretch_id]()


def render_svg(stretch_id: str) -> str:
    """The SVG document of a built-in stretch's picture."""
    drawn = scene(stretch_id)
    return to_svg(drawn.shapes, drawn.title)


def render_png(stretch_id: str, size: int = PNG_SIZE) -> bytes:
    """The PNG file of a built-in stretch's picture, `size` pixels square."""
    buffer = io.BytesIO()
    to_image(scene(stretch_id).shapes, size).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def shipped_folder() -> Path:
    """Where the shipped pictures live: config/pictures (reminder/data/pictures in the wheel)."""
    from reminder.stretches import built_in_catalog_file

    return built_in_catalog_file().parent / FOLDER_NAME


def write_pictures(folder: Path | None = None) -> list[Path]:
    """Write `<id>.svg` and `<id>.png` of every scene into `folder` (default: the shipped one).

    Each file is written atomically; files of ids that have no scene are left alone.
    """
    from reminder.atomic import write_bytes_atomically

    target = folder if folder is not None else shipped_folder()
    written: list[Path] = []
    for stretch_id in SCENES:
        svg = target / f"{stretch_id}.svg"
        write_bytes_atomically(svg, render_svg(stretch_id).encode("utf-8"), mode=0o644)
        png = target / f"{stretch_id}.png"
        write_bytes_atomically(png, render_png(stretch_id), mode=0o644)
        written.extend((svg, png))
    return written


__all__ = [
    "FOLDER_NAME",
    "PNG_SIZE",
    "SCENES",
    "Scene",
    "render_png",
    "render_svg",
    "scene",
    "shipped_folder",
    "write_pictures",
]
