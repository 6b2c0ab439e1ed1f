"""One scene per built-in stretch: the pose, the props, the movement arrow, and a title.

A scene is a tuple of shapes, drawn back to front. Where a movement has a start and an
end, the start is drawn as a pale ghost behind the figure and an arrow leads from it.
To add a picture: write a function returning a `Scene` and list it in `SCENES` under
the stretch's id, then run `python -m reminder.pictures`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from reminder.pictures.figure import (
    Colours,
    FrontPose,
    Limb,
    SidePose,
    draw_front,
    draw_side,
    front_joints,
    front_reaching,
    side_joints,
    side_reaching,
    standing_hip_y,
)
from reminder.pictures.props import (
    DESK_TOP,
    FLOOR,
    SEATED_HIP_Y,
    chair_front,
    chair_side,
    desk_side,
    floor,
    stair_rail_y,
    stairs,
)
from reminder.pictures.shapes import (
    PALETTE,
    Disc,
    Shape,
    Stroke,
    along,
    arc,
    arc_arrow,
    arrow,
    mirrored,
)

GHOST = Colours.ghost()

# Seated legs: thigh forward on the seat, shin down to the floor, foot flat.
SEATED_LEG = Limb(90, 0, 90)
HANDS_ON_THIGH = Limb(20, 75)


@dataclass(frozen=True)
class Scene:
    """What a picture shows: its shapes and the sentence a screen reader says for it."""

    title: str
    shapes: tuple[Shape, ...]


def _standing_side(pose: SidePose, x: float) -> tuple[float, float]:
    """The hip of a side pose standing at x with its lowest foot on the floor."""
    return (x, standing_hip_y(side_joints(pose, (0, 0)), FLOOR))


def _standing_front(pose: FrontPose, x: float, legs: tuple[str, ...] = ()) -> tuple[float, float]:
    return (x, standing_hip_y(front_joints(pose, (0, 0)), FLOOR, legs))


# ---------------------------------------------------------------- seated

SEATED_FRONT_LEG = Limb(0, 0, 80, upper_scale=0.05)  # thigh towards the viewer, shin down


def seated_figure_four() -> Scene:
    hip = (96.0, SEATED_HIP_Y)
    pose = FrontPose(
        bow=0.9,  # leaning towards the viewer
        left_leg=SEATED_FRONT_LEG,
        right_leg=Limb(96, -100, -100, upper_scale=0.85, lower_scale=1.0),
    )
    joints = front_joints(pose, hip)
    crossed = joints.points["right_leg"]
    pose = front_reaching(pose, hip, "left_arm", (crossed[2][0] + 4, crossed[2][1] - 4), 1)
    pose = front_reaching(pose, hip, "right_arm", (crossed[1][0] - 4, crossed[1][1] - 6), -1)
    return Scene(
        "Seated figure-four: seen from the front, sitting on a chair with the right ankle "
        "resting on the left knee, leaning forward",
        # Drawn with the picture's right leg crossed, then mirrored: seen from the front,
        # the figure's right leg is on the picture's left.
        mirrored(
            (
                *floor(),
                *chair_front(hip[0]),
                *draw_front(pose, hip),
                *arrow(((hip[0] - 46, joints.head[1] - 8), (hip[0] - 46, joints.head[1] + 30))),
            )
        ),
    )


def knee_to_opposite_shoulder() -> Scene:
    hip = (80.0, SEATED_HIP_Y)
    start = SidePose(near_leg=SEATED_LEG, far_leg=SEATED_LEG)
    pose = SidePose(lean=-4, near_leg=Limb(152, 12, 80), far_leg=SEATED_LEG)
    knee = side_joints(pose, hip).points["near_leg"][1]
    pose = side_reaching(pose, hip, "near_arm", along(knee, 12, 12), -1)
    pose = side_reaching(pose, hip, "far_arm", along(knee, 12, 8), -1)
    return Scene(
        "Knee to opposite shoulder: sitting, hugging the right knee up towards the left shoulder",
        (
            *floor(),
            *chair_side(hip[0] + 26),
            *draw_side(start, hip, GHOST),
            *draw_side(pose, hip),
            *arc_arrow(hip, 56, 98, 138),
        ),
    )


def glute_squeeze() -> Scene:
    pose = FrontPose()
    hip = _standing_front(pose, 100)
    y = hip[1] - 2
    buttocks = (
        Disc((hip[0] - 7.5, y), 10, PALETTE.figure),
        Disc((hip[0] + 7.5, y), 10, PALETTE.figure),
        Stroke(((hip[0], y - 4), (hip[0], y + 8)), 1.8, PALETTE.tile),
    )
    return Scene(
        "Glute squeeze: seen from behind, standing tall and squeezing both buttocks together",
        (
            *floor(),
            *draw_front(pose, hip),
            *buttocks,
            *arrow(((hip[0] - 52, y), (hip[0] - 22, y))),
            *arrow(((hip[0] + 52, y), (hip[0] + 22, y))),
        ),
    )


def seated_knee_press_out() -> Scene:
    hip = (100.0, SEATED_HIP_Y)
    pose = FrontPose(
        left_leg=Limb(-3, 2, 80, upper_scale=0.05),
        right_leg=Limb(-3, 2, 80, upper_scale=0.05),
    )
    joints = front_joints(pose, hip)
    left_knee = joints.points["left_leg"][1]
    right_knee = joints.points["right_leg"][1]
    pose = front_reaching(pose, hip, "left_arm", (left_knee[0] - 9, left_knee[1] + 2), -1)
    pose = front_reaching(pose, hip, "right_arm", (right_knee[0] + 9, right_knee[1] + 2), 1)
    y = left_knee[1] + 8
    return Scene(
        "Seated knee press-out: sitting, knees together, pushing them out against the hands",
        (
            *floor(),
            *chair_front(hip[0]),
            *draw_front(pose, hip),
            *arrow(((left_knee[0] - 18, y), (left_knee[0] - 48, y))),
            *arrow(((right_knee[0] + 18, y), (right_knee[0] + 48, y))),
        ),
    )


def seated_hamstring_stretch() -> Scene:
    hip = (62.0, SEATED_HIP_Y)
    straight = Limb(80, 76, 170)
    start = SidePose(lean=4, near_leg=straight, far_leg=SEATED_LEG)
    start = side_reaching(start, hip, "near_arm", (hip[0] + 30, hip[1] - 4), -1)
    start = side_reaching(start, hip, "far_arm", (hip[0] + 30, hip[1] - 4), -1)
    pose = SidePose(lean=40, nod=5, near_leg=straight, far_leg=SEATED_LEG)
    shin = side_joints(pose, hip).points["near_leg"][1]
    pose = side_reaching(pose, hip, "near_arm", (shin[0] + 10, shin[1] - 2), -1)
    pose = side_reaching(pose, hip, "far_arm", (shin[0] + 6, shin[1] - 4), -1)
    return Scene(
        "Seated hamstring stretch: sitting at the front of the chair, one leg straight, "
        "leaning forward from the hips",
        (
            *floor(),
            *chair_side(hip[0] + 24),
            *draw_side(start, hip, GHOST),
            *draw_side(pose, hip),
            *arc_arrow(hip, 76, 176, 142),
        ),
    )


def shoulder_rolls() -> Scene:
    pose = SidePose(near_arm=Limb(2, 6), far_arm=Limb(2, 6))
    hip = _standing_side(pose, 96)
    shoulder = side_joints(pose, hip).shoulder
    circle = arc((shoulder[0], shoulder[1] + 6), 15, 70, 320, steps=36)
    return Scene(
        "Shoulder rolls: standing or sitting tall, rolling the shoulders up, back and down",
        (*floor(), *draw_side(pose, hip), *arrow(circle, width=5, head=13)),
    )


# ---------------------------------------------------------------- standing


def standing_figure_four() -> Scene:
    pose = FrontPose(left_leg=Limb(4, -2, 80, upper_scale=0.7))
    hip = _standing_front(pose, 106, ("left_leg",))
    knee = front_joints(pose, hip).points["left_leg"][1]
    pose = front_reaching(pose, hip, "right_leg", (knee[0] + 2, knee[1] - 7), 1, -96)
    crossed = front_joints(pose, hip).points["right_leg"]
    pose = front_reaching(pose, hip, "left_arm", (64, DESK_TOP - 2), -1)
    pose = front_reaching(pose, hip, "right_arm", (crossed[1][0] - 2, crossed[1][1] - 7), 1)
    return Scene(
        "Standing figure-four: seen from the front, holding the desk, right ankle over the "
        "left knee, sitting back",
        mirrored(  # the figure's right leg is on the picture's left
            (
                *floor(),
                *desk_side(70, far_edge=-10),
                *draw_front(pose, hip),
                *arrow(((hip[0] + 52, hip[1] - 46), (hip[0] + 52, hip[1] - 6))),
            )
        ),
    )


def hip_hinge() -> Scene:
    start = SidePose()
    start_hip = _standing_side(start, 104)
    start = side_reaching(start, start_hip, "near_arm", (start_hip[0] + 2, start_hip[1] - 6), 1)
    start = side_reaching(start, start_hip, "far_arm", (start_hip[0] + 2, start_hip[1] - 6), 1)
    pose = SidePose(lean=50, nod=-20, near_leg=Limb(14, -8, 90), far_leg=Limb(14, -8, 90))
    hip = _standing_side(pose, 92)
    pose = side_reaching(pose, hip, "near_arm", (hip[0] + 4, hip[1] - 6), -1)
    pose = side_reaching(pose, hip, "far_arm", (hip[0] + 4, hip[1] - 6), -1)
    return Scene(
        "Hip hinge: standing, pushing the hips back and tipping the chest forward, back straight",
        (
            *floor(),
            *draw_side(start, start_hip, GHOST),
            *draw_side(pose, hip),
            *arc_arrow(hip, 72, 174, 130),
            *arrow(((hip[0] - 8, hip[1] + 16), (hip[0] - 40, hip[1] + 16))),
        ),
    )


def standing_side_leg_raise() -> Scene:
    start = FrontPose()
    hip = _standing_front(start, 98)
    start = front_reaching(start, hip, "left_arm", (58, DESK_TOP - 2), -1)
    pose = replace(start, right_leg=Limb(36, 36, 116), tilt=-5)
    return Scene(
        "Standing side leg raise: holding the desk, lifting the outside leg out to the side",
        (
            *floor(),
            *desk_side(64, far_edge=-10),
            *draw_front(start, hip, GHOST),
            *draw_front(pose, hip),
            *arc_arrow((hip[0] + 6, hip[1]), 62, 10, 50),
        ),
    )


def sit_to_stand() -> Scene:
    crossed = Limb(12, 110, lower_scale=0.65)
    seated_hip = (68.0, SEATED_HIP_Y)
    seated = SidePose(
        lean=28, near_arm=crossed, far_arm=crossed, near_leg=SEATED_LEG, far_leg=SEATED_LEG
    )
    standing = SidePose(near_arm=crossed, far_arm=crossed)
    hip = _standing_side(standing, 96)
    return Scene(
        "Sit to stand: standing up from the chair without using the hands, arms crossed",
        (
            *floor(),
            *chair_side(90),
            *draw_side(seated, seated_hip, GHOST),
            *draw_side(standing, hip),
            *arrow(((136, 150), (136, 82))),
        ),
    )


def standing_leg_kickback() -> Scene:
    start = SidePose(lean=12)
    hip = _standing_side(start, 88)
    desk = (122.0, DESK_TOP - 3)
    start = side_reaching(start, hip, "near_arm", desk, -1)
    start = side_reaching(start, hip, "far_arm", (desk[0] + 4, desk[1]), -1)
    pose = replace(start, near_leg=Limb(-30, -30, 60))
    return Scene(
        "Standing leg kickback: hands on the desk, moving one straight leg back",
        (
            *floor(),
            *desk_side(116),
            *draw_side(start, hip, GHOST),
            *draw_side(pose, hip),
            *arc_arrow(hip, 90, -4, -32),
        ),
    )


def side_steps() -> Scene:
    pose = FrontPose(
        left_leg=Limb(20, 8, 80),
        right_leg=Limb(20, 8, 80),
        left_arm=Limb(16, 8),
        right_arm=Limb(16, 8),
    )
    hip = _standing_front(pose, 112)
    ghost_hip = (hip[0] - 34, hip[1])
    return Scene(
        "Side steps: knees slightly bent, stepping sideways and back",
        (
            *floor(),
            *draw_front(pose, ghost_hip, GHOST),
            *draw_front(pose, hip),
            *arrow(((52, 32), (160, 32)), both_ends=True),
        ),
    )


def short_walk() -> Scene:
    pose = SidePose(
        lean=6,
        near_arm=Limb(-28, -10),
        far_arm=Limb(30, 70),
        near_leg=Limb(24, 0, 100),
        far_leg=Limb(-20, -40, 50),
    )
    hip = _standing_side(pose, 80)
    return Scene(
        "A short walk: walking briskly",
        (*floor(), *draw_side(pose, hip), *arrow(((124, 96), (178, 96)))),
    )


def take_the_stairs() -> Scene:
    rise, run, first = 16.0, 24.0, 30.0

    def step(index: int) -> tuple[float, float]:
        """Where a foot's ankle stands on a step (index 0: the first above the floor)."""
        return (first + run * (index + 0.35), FLOOR - (index + 1) * rise - 4)

    pose = SidePose(lean=12)
    hip = (step(1)[0] + 8, step(1)[1] - 68)
    pose = side_reaching(pose, hip, "near_leg", step(2), 1, 92)
    pose = side_reaching(pose, hip, "far_leg", step(0), 1, 70)
    rail = (hip[0] + 30, stair_rail_y(hip[0] + 30, first, rise=rise, run=run))
    pose = side_reaching(pose, hip, "near_arm", rail, -1)
    pose = side_reaching(pose, hip, "far_arm", (hip[0] - 6, hip[1] + 6), 1)
    return Scene(
        "Take the stairs: walking up a flight of stairs, a hand on the rail",
        (
            *stairs(first, 6, rise=rise, run=run),
            *draw_side(pose, hip),
            *arrow(((124, 80), (176, 46))),
        ),
    )


def hip_flexor_stretch() -> Scene:
    pose = SidePose(lean=6, near_leg=Limb(-34, -34, 60), far_leg=Limb(50, -6, 90))
    hip = _standing_side(pose, 86)
    desk = (132.0, DESK_TOP - 3)
    pose = side_reaching(pose, hip, "near_arm", desk, -1)
    pose = side_reaching(pose, hip, "far_arm", (desk[0] + 4, desk[1]), -1)
    return Scene(
        "Standing hip flexor stretch: a short lunge with both hands on the desk, "
        "the pelvis tucked under",
        (
            *floor(),
            *desk_side(126),
            *draw_side(pose, hip),
            *arrow(((hip[0] - 20, hip[1] + 2), (hip[0] + 16, hip[1] + 2))),
        ),
    )


def calf_raises() -> Scene:
    start = SidePose()
    start_hip = _standing_side(start, 84)
    pose = SidePose(near_leg=Limb(0, 0, 150), far_leg=Limb(0, 0, 150))
    hip = _standing_side(pose, 84)
    desk = (120.0, DESK_TOP - 3)
    start = side_reaching(start, start_hip, "near_arm", desk, -1)
    start = side_reaching(start, start_hip, "far_arm", desk, -1)
    pose = side_reaching(pose, hip, "near_arm", desk, -1)
    pose = side_reaching(pose, hip, "far_arm", desk, -1)
    return Scene(
        "Calf raises: fingertips on the desk, rising onto the toes",
        (
            *floor(),
            *desk_side(116),
            *draw_side(start, start_hip, GHOST),
            *draw_side(pose, hip),
            *arrow(((hip[0] - 16, FLOOR - 4), (hip[0] - 16, FLOOR - 40))),
        ),
    )


def standing_back_bend() -> Scene:
    start = SidePose()
    start_hip = _standing_side(start, 100)
    start = side_reaching(start, start_hip, "near_arm", (start_hip[0] - 8, start_hip[1] - 4), -1)
    start = side_reaching(start, start_hip, "far_arm", (start_hip[0] - 8, start_hip[1] - 4), -1)
    pose = SidePose(lean=-22, nod=-8, near_leg=Limb(5, 5, 90), far_leg=Limb(5, 5, 90))
    hip = _standing_side(pose, 104)
    pose = side_reaching(pose, hip, "near_arm", (hip[0] - 8, hip[1] - 4), -1)
    pose = side_reaching(pose, hip, "far_arm", (hip[0] - 8, hip[1] - 4), -1)
    return Scene(
        "Standing back bend: hands on the back of the hips, leaning back gently",
        (
            *floor(),
            *draw_side(start, start_hip, GHOST),
            *draw_side(pose, hip),
            *arc_arrow(hip, 76, 184, 214),
        ),
    )


SCENES: dict[str, Callable[[], Scene]] = {
    "seated-figure-four": seated_figure_four,
    "standing-figure-four": standing_figure_four,
    "knee-to-opposite-shoulder": knee_to_opposite_shoulder,
    "glute-squeeze": glute_squeeze,
    "hip-hinge": hip_hinge,
    "standing-side-leg-raise": standing_side_leg_raise,
    "seated-knee-press-out": seated_knee_press_out,
    "sit-to-stand": sit_to_stand,
    "standing-leg-kickback": standing_leg_kickback,
    "side-steps": side_steps,
    "short-walk": short_walk,
    "stairs": take_the_stairs,
    "hip-flexor-stretch": hip_flexor_stretch,
    "seated-hamstring-stretch": seated_hamstring_stretch,
    "calf-raises": calf_raises,
    "standing-back-bend": standing_back_bend,
    "shoulder-rolls": shoulder_rolls,
}
