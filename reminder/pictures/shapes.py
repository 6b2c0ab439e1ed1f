"""The few flat shapes every picture is made of, and the colours they are painted in.

Pictures are drawn on a 200 x 200 canvas, y pointing down. Both renderers (SVG text
and Pillow) draw the same shapes in the same order, so the two files never differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CANVAS = 200.0

Point = tuple[float, float]


@dataclass(frozen=True)
class Stroke:
    """A line through `points`, `width` thick, with round ends and round corners."""

    points: tuple[Point, ...]
    width: float
    colour: str


@dataclass(frozen=True)
class Disc:
    centre: Point
    radius: float
    colour: str


@dataclass(frozen=True)
class Polygon:
    points: tuple[Point, ...]
    colour: str


@dataclass(frozen=True)
class Box:
    """A filled rectangle with rounded corners."""

    left: float
    top: float
    right: float
    bottom: float
    radius: float
    colour: str


Shape = Stroke | Disc | Polygon | Box


@dataclass(frozen=True)
class Palette:
    """The product's colours (reminder/tray/icons.py) as the pictures use them."""

    tile: str = "#eef5f1"  # a pale green card, so a picture reads on light and dark themes
    figure: str = "#2d6a4f"  # the product green: the limbs nearest the viewer
    far: str = "#6a9f86"  # the limbs on the far side, a lighter green
    ghost: str = "#c4dccf"  # where the movement starts
    prop: str = "#5c5c5c"  # chair, desk, stairs (the product grey)
    prop_light: str = "#9aa29e"  # their far legs, the floor
    arrow: str = "#1f6feb"  # the movement (the blue of the "on a break" icon)


PALETTE = Palette()


# ------------------------------------------------------------------ geometry helpers


def direction(degrees: float) -> Point:
    """The unit vector at `degrees`: 0 points down, 90 forward (+x), 180 up, -90 back."""
    radians = math.radians(degrees)
    return (math.sin(radians), math.cos(radians))


def along(start: Point, degrees: float, length: float) -> Point:
    """The point `length` away from `start` in `direction(degrees)`."""
    dx, dy = direction(degrees)
    return (start[0] + dx * length, start[1] + dy * length)


def arrow(
    points: tuple[Point, ...],
    colour: str = PALETTE.arrow,
    *,
    width: float = 6.5,
    head: float = 17.0,
    both_ends: bool = False,
) -> tuple[Shape, ...]:
    """A shaft through `points` with a triangular head at the last point (and the first)."""
    shapes: list[Shape] = []

    def tip(at: Point, before: Point) -> tuple[Polygon, Point]:
        dx, dy = at[0] - before[0], at[1] - before[1]
        norm = math.hypot(dx, dy) or 1.0
        ux, uy = dx / norm, dy / norm
        base = (at[0] - ux * head, at[1] - uy * head)
        half = head * 0.62
        triangle = Polygon(
            (
                (at[0] + ux * 2, at[1] + uy * 2),
                (base[0] - uy * half, base[1] + ux * half),
                (base[0] + uy * half, base[1] - ux * half),
            ),
            colour,
        )
        # The shaft stops inside the head, so its round end does not poke out of the point.
        return triangle, (at[0] - ux * head * 0.6, at[1] - uy * head * 0.6)

    shaft = list(points)
    end_head, shaft[-1] = tip(points[-1], _far_enough(points, head, from_end=True))
    heads: list[Shape] = [end_head]
    if both_ends:
        start_head, shaft[0] = tip(points[0], _far_enough(points, head, from_end=False))
        heads.append(start_head)
    shapes.append(Stroke(tuple(shaft), width, colour))
    shapes.extend(heads)
    return tuple(shapes)


def _far_enough(points: tuple[Point, ...], distance: float, *, from_end: bool) -> Point:
    """The first point at least `distance` back along the line: the head's direction."""
    ordered = points[::-1] if from_end else points
    anchor = ordered[0]
    for point in ordered[1:]:
        if math.dist(anchor, point) >= distance:
            return point
    return ordered[-1]


def arc(
    centre: Point, radius: float, start: float, end: float, steps: int = 24
) -> tuple[Point, ...]:
    """Points on a circle from angle `start` to `end` (degrees as in `direction`)."""
    return tuple(
        along(centre, start + (end - start) * index / steps, radius) for index in range(steps + 1)
    )


def arc_arrow(
    centre: Point, radius: float, start: float, end: float, *, both_ends: bool = False
) -> tuple[Shape, ...]:
    """A curved arrow round `centre`, pointing from angle `start` to angle `end`."""
    return arrow(arc(centre, radius, start, end), both_ends=both_ends)


def mirrored(shapes: tuple[Shape, ...]) -> tuple[Shape, ...]:
    """The same shapes reflected left to right: a front view's left limbs become its right."""

    def flip(point: Point) -> Point:
        return (CANVAS - point[0], point[1])

    result: list[Shape] = []
    for shape in shapes:
        if isinstance(shape, Stroke):
            result.append(Stroke(tuple(flip(p) for p in shape.points), shape.width, shape.colour))
        elif isinstance(shape, Disc):
            result.append(Disc(flip(shape.centre), shape.radius, shape.colour))
        elif isinstance(shape, Polygon):
            result.append(Polygon(tuple(flip(p) for p in shape.points), shape.colour))
        else:
            left, right = CANVAS - shape.right, CANVAS - shape.left
            result.append(Box(left, shape.top, right, shape.bottom, shape.radius, shape.colour))
    return tuple(result)
