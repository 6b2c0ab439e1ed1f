"""What the figure sits on, holds or climbs: an office chair, a desk, stairs, the floor."""

from __future__ import annotations

from reminder.pictures.figure import ANKLE_HEIGHT, LEG_WIDTH, SHIN, THIGH
from reminder.pictures.shapes import CANVAS, PALETTE, Box, Disc, Shape, Stroke

FLOOR = 184.0
# A seat as high as a seated figure's knees, so that its shins stand upright on the floor.
SEAT_TOP = FLOOR - ANKLE_HEIGHT - SHIN + LEG_WIDTH / 2
SEATED_HIP_Y = SEAT_TOP - LEG_WIDTH / 2
STANDING_HIP_Y = FLOOR - ANKLE_HEIGHT - SHIN - THIGH
DESK_TOP = FLOOR - 74.0  # a desk reaches about the top of a standing person's thighs
PROP_WIDTH = 6.0


def floor(left: float = 14.0, right: float = CANVAS - 14.0) -> tuple[Shape, ...]:
    return (Stroke(((left, FLOOR + 3), (right, FLOOR + 3)), 3.0, PALETTE.prop_light),)


def chair_side(seat_front: float, *, depth: float = 40.0) -> tuple[Shape, ...]:
    """An office chair seen from the side, its seat ending at x = `seat_front`, back on the left.

    Drawn before the figure, so the figure sits in front of it.
    """
    back = seat_front - depth
    centre = seat_front - depth / 2
    base = FLOOR - 5
    colour = PALETTE.prop
    return (
        Box(back - 3, SEAT_TOP - 50, back + 4, SEAT_TOP - 14, 3.5, colour),  # backrest
        Stroke(((back + 1, SEAT_TOP - 16), (back + 4, SEAT_TOP + 2)), 4.0, colour),
        Box(back, SEAT_TOP, seat_front, SEAT_TOP + 6, 3.0, colour),  # seat
        Stroke(((centre, SEAT_TOP + 6), (centre, base)), 4.5, colour),  # column
        Stroke(((centre - 19, base), (centre + 19, base)), 4.0, colour),  # base
        Disc((centre - 19, FLOOR - 1), 3.5, colour),
        Disc((centre + 19, FLOOR - 1), 3.5, colour),
    )


def chair_front(centre: float, *, width: float = 60.0) -> tuple[Shape, ...]:
    """An office chair seen from the front: its backrest and seat show round the figure."""
    half = width / 2
    base = FLOOR - 5
    colour = PALETTE.prop
    return (
        Box(
            centre - half + 5,
            SEAT_TOP - 56,
            centre + half - 5,
            SEAT_TOP - 8,
            7.0,
            PALETTE.prop_light,
        ),
        Box(centre - half, SEAT_TOP - 2, centre + half, SEAT_TOP + 6, 3.5, colour),  # seat, edge on
        Stroke(((centre, SEAT_TOP + 7), (centre, base)), 4.5, colour),
        Stroke(((centre - 22, base), (centre + 22, base)), 4.0, colour),
        Disc((centre - 22, FLOOR - 1), 3.5, colour),
        Disc((centre + 22, FLOOR - 1), 3.5, colour),
    )


def desk_side(
    near_edge: float, *, far_edge: float = CANVAS + 10, top: float = DESK_TOP
) -> tuple[Shape, ...]:
    """A desk seen from the side, its top from x = `near_edge` to `far_edge` (either way round)."""
    left, right = sorted((near_edge, far_edge))
    leg = near_edge + (6 if near_edge < far_edge else -6)
    return (
        Stroke(((leg, top + 4), (leg, FLOOR + 1)), PROP_WIDTH, PALETTE.prop),
        Box(left, top - 3, right, top + 5, 2.5, PALETTE.prop),
    )


def stairs(start: float, steps: int, *, rise: float = 16.0, run: float = 24.0) -> tuple[Shape, ...]:
    """Stairs going up to the right from x = `start`, with a hand rail above them."""
    shapes: list[Shape] = []
    for step in range(steps):
        left = start + step * run
        top = FLOOR - (step + 1) * rise
        shapes.append(Box(left, top, CANVAS - 10, FLOOR + 4, 2.0, PALETTE.prop_light))
    ends = (start + run * 0.5, start + run * (steps - 0.5))
    rail = tuple((x, stair_rail_y(x, start, rise=rise, run=run)) for x in ends)
    shapes.append(Stroke(rail, 4.0, PALETTE.prop))
    return tuple(shapes)


def stair_rail_y(x: float, start: float, *, rise: float = 16.0, run: float = 24.0) -> float:
    """The height of the hand rail of `stairs(start, ...)` at `x`."""
    return FLOOR - rise - 60.0 - (x - start - run * 0.5) * rise / run
