"""Shapes to SVG text and to a Pillow image: the same drawing, two formats.

The SVG is self-contained: a `<title>` for screen readers, a viewBox, no external
references, no ids (so several can be inlined into one page). The PNG is drawn at
four times its size with Pillow and scaled down, for smooth edges.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from reminder.pictures.shapes import CANVAS, PALETTE, Box, Disc, Polygon, Shape, Stroke

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

_SUPERSAMPLE = 4
TILE_RADIUS = 18.0


def to_svg(shapes: Sequence[Shape], title: str) -> str:
    """An SVG document drawing `shapes` on the pale tile, titled `title`."""
    size = _number(CANVAS)
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}" role="img">',
        f"<title>{escape(title, quote=False)}</title>",
        _svg_shape(Box(0, 0, CANVAS, CANVAS, TILE_RADIUS, PALETTE.tile)),
        '<g fill="none" stroke-linecap="round" stroke-linejoin="round">',
        *(_svg_shape(shape) for shape in shapes),
        "</g>",
        "</svg>",
    ]
    return "\n".join(lines) + "\n"


def _svg_shape(shape: Shape) -> str:
    if isinstance(shape, Stroke):
        stroke = f'stroke="{shape.colour}" stroke-width="{_number(shape.width)}"'
        if len(shape.points) == 2:
            (x1, y1), (x2, y2) = shape.points
            return (
                f'<line x1="{_number(x1)}" y1="{_number(y1)}" '
                f'x2="{_number(x2)}" y2="{_number(y2)}" {stroke}/>'
            )
        return f'<polyline points="{_points(shape.points)}" {stroke}/>'
    if isinstance(shape, Disc):
        x, y = shape.centre
        return (
            f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{_number(shape.radius)}" '
            f'fill="{shape.colour}"/>'
        )
    if isinstance(shape, Polygon):
        return f'<polygon points="{_points(shape.points)}" fill="{shape.colour}"/>'
    return (
        f'<rect x="{_number(shape.left)}" y="{_number(shape.top)}" '
        f'width="{_number(shape.right - shape.left)}" height="{_number(shape.bottom - shape.top)}" '
        f'rx="{_number(shape.radius)}" fill="{shape.colour}"/>'
    )


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_number(x)},{_number(y)}" for x, y in points)


def _number(value: float) -> str:
    """One decimal, without a trailing ".0": short and stable text."""
    text = f"{value:.1f}"
    if text == "-0.0":
        return "0"
    return text[:-2] if text.endswith(".0") else text


def to_image(shapes: Sequence[Shape], size: int) -> Image.Image:
    """An RGBA image `size` pixels square drawing `shapes` on the pale tile."""
    from PIL import Image, ImageDraw

    big = size * _SUPERSAMPLE
    scale = big / CANVAS
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for shape in (Box(0, 0, CANVAS, CANVAS, TILE_RADIUS, PALETTE.tile), *shapes):
        _draw(draw, shape, scale)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _draw(draw: ImageDraw.ImageDraw, shape: Shape, scale: float) -> None:
    if isinstance(shape, Stroke):
        points = [(x * scale, y * scale) for x, y in shape.points]
        width = shape.width * scale
        draw.line(points, fill=shape.colour, width=round(width), joint="curve")
        radius = width / 2
        for x, y in points:  # round ends and round corners, as stroke-linecap/-linejoin="round"
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=shape.colour)
    elif isinstance(shape, Disc):
        x, y = shape.centre[0] * scale, shape.centre[1] * scale
        radius = shape.radius * scale
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=shape.colour)
    elif isinstance(shape, Polygon):
        draw.polygon([(x * scale, y * scale) for x, y in shape.points], fill=shape.colour)
    else:
        box = (shape.left * scale, shape.top * scale, shape.right * scale, shape.bottom * scale)
        draw.rounded_rectangle(box, radius=shape.radius * scale, fill=shape.colour)
