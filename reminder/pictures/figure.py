"""The figure: one body of fixed proportions, posed by joint angles, drawn as shapes.

Angles are in degrees in the picture's plane, as `shapes.direction` reads them:
0 points down, 90 forward (the way the figure faces), 180 up. Each limb segment has
an absolute angle, so a pose reads like a description ("thigh forward, shin down").

Two views cover every stretch:

- `SidePose`: seen from the figure's right, facing right. The near (right) limbs are
  drawn in front of the body in the figure colour, the far ones behind it, lighter.
- `FrontPose`: seen from the front. Angles of each limb are mirrored: 90 points away
  from the body's midline on that side, negative angles cross it.

A segment's `scale` shortens it where it points towards the viewer (foreshortening).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

from reminder.pictures.shapes import PALETTE, Disc, Point, Shape, Stroke, along, direction

# Proportions, in canvas units (a standing figure is about 156 tall on a 200 canvas).
HEAD_RADIUS = 10.5
NECK = 4.5  # gap between the shoulders and the head
TORSO = 46.0
UPPER_ARM = 27.0
FOREARM = 27.0
THIGH = 40.0
SHIN = 40.0
FOOT = 14.0

TORSO_WIDTH = 17.0
TORSO_WIDTH_FRONT = 25.0
LEG_WIDTH = 10.5
ARM_WIDTH = 8.5
FOOT_WIDTH = 7.0
SHOULDER_HALF = 14.0  # front view: shoulder joint from the midline
HIP_HALF = 6.5

KNEE_RADIUS = 7.0  # front view: a knee whose thigh points at the viewer
HALO = 1.6  # the pale outline round limbs drawn over the body

# A flat foot's ankle sits this far above the floor.
ANKLE_HEIGHT = FOOT_WIDTH / 2


@dataclass(frozen=True)
class Limb:
    """An arm or a leg: the angle of its upper and lower segment, and of the foot."""

    upper: float = 0.0
    lower: float = 0.0
    foot: float | None = None  # legs: the angle from ankle to toes; None for arms
    upper_scale: float = 1.0
    lower_scale: float = 1.0


STANDING_LEG = Limb(0, 0, 90)
HANGING_ARM = Limb(4, 8)


@dataclass(frozen=True)
class SidePose:
    """A pose seen from the side, the figure facing right (+x)."""

    lean: float = 0.0  # torso: degrees forward from upright (negative: leaning back)
    nod: float = 0.0  # head: degrees forward from the line of the torso
    near_arm: Limb = HANGING_ARM
    far_arm: Limb = HANGING_ARM
    near_leg: Limb = STANDING_LEG
    far_leg: Limb = STANDING_LEG


@dataclass(frozen=True)
class FrontPose:
    """A pose seen from the front; `left` and `right` are the picture's left and right."""

    tilt: float = 0.0  # torso: degrees towards the picture's right from upright
    bow: float = 1.0  # torso length as seen: below 1 it leans towards the viewer
    left_arm: Limb = Limb(8, 4)
    right_arm: Limb = Limb(8, 4)
    left_leg: Limb = Limb(4, 2, 80)
    right_leg: Limb = Limb(4, 2, 80)


@dataclass(frozen=True)
class Colours:
    """What a figure is painted in: its near limbs and body, its far limbs, the outline."""

    near: str = PALETTE.figure
    far: str = PALETTE.far
    halo: str | None = PALETTE.tile  # the outline of limbs in front; None: no outline

    @staticmethod
    def ghost() -> Colours:
        """Every part in the pale ghost colour, without outlines: where a movement starts."""
        return Colours(PALETTE.ghost, PALETTE.ghost, None)


@dataclass(frozen=True)
class Joints:
    """Where a posed figure's joints landed on the canvas."""

    hip: Point
    shoulder: Point
    head: Point
    points: dict[str, tuple[Point, ...]] = field(default_factory=dict)  # limb name -> its points

    def lowest(self, legs: tuple[str, ...] = ()) -> float:
        """The largest y a foot reaches (the floor contact), allowing for the foot's width.

        `legs` names the legs that stand on the floor (default: every leg).
        """
        ys = [
            point[1]
            for name, pts in self.points.items()
            if ("leg" in name and not legs) or name in legs
            for point in pts
        ]
        return max(ys) + FOOT_WIDTH / 2


def _limb_points(root: Point, limb: Limb, upper: float, lower: float, mirror: float) -> list[Point]:
    """Root, joint, tip (and toes) of a limb; `mirror` -1 flips its angles left-right."""
    joint = _along_mirrored(root, limb.upper, upper * limb.upper_scale, mirror)
    tip = _along_mirrored(joint, limb.lower, lower * limb.lower_scale, mirror)
    points = [root, joint, tip]
    if limb.foot is not None:
        points.append(_along_mirrored(tip, limb.foot, FOOT, mirror))
    return points


def _along_mirrored(start: Point, degrees: float, length: float, mirror: float) -> Point:
    dx, dy = direction(degrees)
    return (start[0] + mirror * dx * length, start[1] + dy * length)


def side_joints(pose: SidePose, hip: Point) -> Joints:
    """Every joint of a side pose whose hip is at `hip`."""
    shoulder = along(hip, 180 - pose.lean, TORSO)
    head = along(shoulder, 180 - pose.lean - pose.nod, NECK + HEAD_RADIUS)
    points = {
        "far_arm": tuple(_limb_points(shoulder, pose.far_arm, UPPER_ARM, FOREARM, 1)),
        "far_leg": tuple(_limb_points(hip, pose.far_leg, THIGH, SHIN, 1)),
        "near_leg": tuple(_limb_points(hip, pose.near_leg, THIGH, SHIN, 1)),
        "near_arm": tuple(_limb_points(shoulder, pose.near_arm, UPPER_ARM, FOREARM, 1)),
    }
    return Joints(hip, shoulder, head, points)


def front_joints(pose: FrontPose, hip: Point) -> Joints:
    """Every joint of a front pose whose hip (the middle of the pelvis) is at `hip`."""
    shoulder = along(hip, 180 - pose.tilt, TORSO * pose.bow)
    head = along(shoulder, 180 - pose.tilt, (NECK + HEAD_RADIUS) * (0.5 + pose.bow / 2))
    across = direction(90 - pose.tilt)  # the line through both shoulders and both hips

    def side(centre: Point, half: float, sign: float) -> Point:
        return (centre[0] + sign * across[0] * half, centre[1] + sign * across[1] * half)

    points = {
        "left_leg": tuple(_limb_points(side(hip, HIP_HALF, -1), pose.left_leg, THIGH, SHIN, -1)),
        "right_leg": tuple(_limb_points(side(hip, HIP_HALF, 1), pose.right_leg, THIGH, SHIN, 1)),
        "left_arm": tuple(
            _limb_points(side(shoulder, SHOULDER_HALF, -1), pose.left_arm, UPPER_ARM, FOREARM, -1)
        ),
        "right_arm": tuple(
            _limb_points(side(shoulder, SHOULDER_HALF, 1), pose.right_arm, UPPER_ARM, FOREARM, 1)
        ),
    }
    return Joints(hip, shoulder, head, points)


def draw_side(pose: SidePose, hip: Point, colours: Colours = Colours()) -> tuple[Shape, ...]:
    """The shapes of a side pose: far limbs, body, head, near leg, near arm."""
    joints = side_joints(pose, hip)
    shapes: list[Shape] = [
        *_limb_shapes(joints.points["far_arm"], ARM_WIDTH, colours.far),
        *_limb_shapes(joints.points["far_leg"], LEG_WIDTH, colours.far),
        Stroke((joints.hip, _short_of(joints.hip, joints.shoulder, 2)), TORSO_WIDTH, colours.near),
        Disc(joints.head, HEAD_RADIUS, colours.near),
        *_limb_shapes(joints.points["near_leg"], LEG_WIDTH, colours.near, colours.halo),
        *_limb_shapes(joints.points["near_arm"], ARM_WIDTH, colours.near, colours.halo),
    ]
    return tuple(shapes)


def draw_front(pose: FrontPose, hip: Point, colours: Colours = Colours()) -> tuple[Shape, ...]:
    """The shapes of a front pose: legs, body, head, arms (all in the near colour)."""
    joints = front_joints(pose, hip)
    neck = _short_of(joints.hip, joints.shoulder, TORSO_WIDTH_FRONT / 2 - 5)
    pelvis = _short_of(joints.shoulder, joints.hip, 2)
    shapes: list[Shape] = [
        *_limb_shapes(joints.points["left_leg"], LEG_WIDTH, colours.near, colours.halo),
        *_limb_shapes(joints.points["right_leg"], LEG_WIDTH, colours.near, colours.halo),
        *(
            Disc(joints.points[name][1], KNEE_RADIUS, colours.near)
            for name, leg in (("left_leg", pose.left_leg), ("right_leg", pose.right_leg))
            if leg.upper_scale < 0.5  # a thigh pointing at the viewer: the knee shows round
        ),
        Stroke((pelvis, neck), TORSO_WIDTH_FRONT, colours.near),
        Disc(joints.head, HEAD_RADIUS, colours.near),
        *_limb_shapes(joints.points["left_arm"], ARM_WIDTH, colours.near, colours.halo),
        *_limb_shapes(joints.points["right_arm"], ARM_WIDTH, colours.near, colours.halo),
    ]
    return tuple(shapes)


def standing_hip_y(joints_at_origin: Joints, floor: float, legs: tuple[str, ...] = ()) -> float:
    """The hip height that puts the lowest foot of a pose (posed at hip y = 0) on `floor`."""
    return floor - joints_at_origin.lowest(legs)


def _limb_shapes(
    points: tuple[Point, ...], width: float, colour: str, halo: str | None = None
) -> tuple[Shape, ...]:
    """A limb (and its foot, thinner); with `halo`, first a thin outline in that colour,
    so a limb crossing the body or another limb stays visible as a limb of its own."""
    shapes: list[Shape] = []
    if halo is not None:
        shapes.append(Stroke(points[:3], width + 2 * HALO, halo))
        if len(points) == 4:
            shapes.append(Stroke(points[2:], FOOT_WIDTH + 2 * HALO, halo))
    shapes.append(Stroke(points[:3], width, colour))
    if len(points) == 4:
        shapes.append(Stroke(points[2:], FOOT_WIDTH, colour))
    return tuple(shapes)


def _short_of(start: Point, end: Point, by: float) -> Point:
    """The point `by` units before `end` on the line from `start`."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    return (end[0] - dx / length * by, end[1] - dy / length * by)


def reach(
    root: Point, target: Point, upper: float, lower: float, bend: float, mirror: float = 1
) -> tuple[float, float]:
    """The (upper, lower) angles that put the tip of a two-segment limb at `target`.

    `bend` +1 or -1 says on which side of the line root-target the joint lies; a
    target out of reach gets the limb pointed straight at it. `mirror` -1 gives the
    angles of a front view's left limbs.
    """
    dx, dy = (target[0] - root[0]) * mirror, target[1] - root[1]
    distance = min(math.hypot(dx, dy), (upper + lower) * 0.999)
    heading = math.degrees(math.atan2(dx, dy))
    cosine = (upper * upper + distance * distance - lower * lower) / (2 * upper * distance or 1)
    spread = math.degrees(math.acos(max(-1.0, min(1.0, cosine))))
    upper_angle = heading + bend * spread
    joint = along((0.0, 0.0), upper_angle, upper)
    lower_angle = math.degrees(math.atan2(dx - joint[0], dy - joint[1]))
    return upper_angle, lower_angle


SideLimb = Literal["near_arm", "far_arm", "near_leg", "far_leg"]
FrontLimb = Literal["left_arm", "right_arm", "left_leg", "right_leg"]


def side_reaching(
    pose: SidePose,
    hip: Point,
    name: SideLimb,
    target: Point,
    bend: float,
    foot: float | None = None,
) -> SidePose:
    """`pose` with one limb reaching `target` with its hand or ankle (and its foot at `foot`)."""
    joints = side_joints(pose, hip)
    leg = name.endswith("leg")
    root = joints.hip if leg else joints.shoulder
    current = getattr(pose, name)
    assert isinstance(current, Limb)
    upper, lower = reach(root, target, *((THIGH, SHIN) if leg else (UPPER_ARM, FOREARM)), bend)
    limb = replace(current, upper=upper, lower=lower, foot=current.foot if foot is None else foot)
    if name == "near_arm":
        return replace(pose, near_arm=limb)
    if name == "far_arm":
        return replace(pose, far_arm=limb)
    if name == "near_leg":
        return replace(pose, near_leg=limb)
    return replace(pose, far_leg=limb)


def front_reaching(
    pose: FrontPose,
    hip: Point,
    name: FrontLimb,
    target: Point,
    bend: float,
    foot: float | None = None,
) -> FrontPose:
    """`pose` with one limb reaching `target`, its segments as foreshortened as before."""
    root = front_joints(pose, hip).points[name][0]
    current = getattr(pose, name)
    assert isinstance(current, Limb)
    upper_length, lower_length = (THIGH, SHIN) if name.endswith("leg") else (UPPER_ARM, FOREARM)
    mirror = -1.0 if name.startswith("left") else 1.0
    upper, lower = reach(
        root,
        target,
        upper_length * current.upper_scale,
        lower_length * current.lower_scale,
        bend,
        mirror,
    )
    limb = replace(current, upper=upper, lower=lower, foot=current.foot if foot is None else foot)
    if name == "left_arm":
        return replace(pose, left_arm=limb)
    if name == "right_arm":
        return replace(pose, right_arm=limb)
    if name == "left_leg":
        return replace(pose, left_leg=limb)
    return replace(pose, right_leg=limb)
