"""Tray icon images, one per SpellState, drawn with Pillow (pystray's, and the SNI files).

Each image is a chair on a rounded tile plus a badge whose *shape* tells the state
(a clock, "!", an arrow, "Z", two bars, a moon), so the state reads at 16-32 px and
without relying on colour. Drawn at 4x and scaled down for smooth edges.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import Image, ImageDraw

from reminder.core.model import SpellState
from reminder.tray.pixmaps import ICON_FOLDER, SNI_SIZES, Pixmap, pixmap_name

_SCALE = 4

# Tile colours: a second cue next to the badge shape, never the only one.
TILE_COLOURS: dict[SpellState, str] = {
    SpellState.SITTING: "#2d6a4f",  # green
    SpellState.DUE: "#c0392b",  # red
    SpellState.ON_BREAK: "#1f6feb",  # blue
    SpellState.SNOOZED: "#6f42c1",  # purple
    SpellState.PAUSED: "#5c5c5c",  # grey
    SpellState.OFF_HOURS: "#1b2a49",  # night blue
}

WHITE = "#ffffff"
INK = "#111111"


def _chair(draw: ImageDraw.ImageDraw, s: float) -> None:
    """A side view of a chair in the tile's lower left (s = image size)."""
    w = max(1, round(s * 0.085))
    back_x = s * 0.16
    seat_y = s * 0.62
    seat_right = s * 0.50
    draw.rectangle((back_x, s * 0.30, back_x + w, s * 0.88), fill=WHITE)  # back + rear leg
    draw.rectangle((back_x, seat_y, seat_right, seat_y + w), fill=WHITE)  # seat
    draw.rectangle((seat_right - w, seat_y, seat_right, s * 0.88), fill=WHITE)  # front leg


def _badge(draw: ImageDraw.ImageDraw, state: SpellState, s: float) -> None:
    """A white disc in the upper right with the state's symbol in dark ink."""
    cx, cy, r = s * 0.67, s * 0.35, s * 0.31
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE)
    stroke = max(1, round(s * 0.075))
    if state is SpellState.SITTING:  # a clock: rim and two hands
        rr = r * 0.72
        draw.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), outline=INK, width=stroke)
        draw.line((cx, cy, cx, cy - rr * 0.75), fill=INK, width=stroke)
        draw.line((cx, cy, cx + rr * 0.6, cy), fill=INK, width=stroke)
    elif state is SpellState.DUE:  # an exclamation mark
        bar = stroke * 1.3
        draw.rectangle((cx - bar / 2, cy - r * 0.70, cx + bar / 2, cy + r * 0.22), fill=INK)
        draw.ellipse((cx - bar / 2, cy + r * 0.40, cx + bar / 2, cy + r * 0.40 + bar), fill=INK)
    elif state is SpellState.ON_BREAK:  # an arrow pointing away from the chair
        draw.line((cx - r * 0.6, cy, cx + r * 0.45, cy), fill=INK, width=stroke)
        head = r * 0.55
        draw.polygon(
            (
                (cx + r * 0.7, cy),
                (cx + r * 0.7 - head, cy - head),
                (cx + r * 0.7 - head, cy + head),
            ),
            fill=INK,
        )
    elif state is SpellState.SNOOZED:  # a "Z"
        left, right = cx - r * 0.5, cx + r * 0.5
        top, bottom = cy - r * 0.5, cy + r * 0.5
        draw.line((left, top, right, top), fill=INK, width=stroke)
        draw.line((right, top, left, bottom), fill=INK, width=stroke)
        draw.line((left, bottom, right, bottom), fill=INK, width=stroke)
    elif state is SpellState.PAUSED:  # two bars
        bar_w, gap, half = r * 0.28, r * 0.22, r * 0.55
        draw.rectangle((cx - gap - bar_w, cy - half, cx - gap, cy + half), fill=INK)
        draw.rectangle((cx + gap, cy - half, cx + gap + bar_w, cy + half), fill=INK)
    elif state is SpellState.OFF_HOURS:  # a crescent moon
        mr = r * 0.62
        draw.ellipse((cx - mr, cy - mr, cx + mr, cy + mr), fill=INK)
        off = mr * 0.55
        draw.ellipse(
            (cx - mr + off, cy - mr - off * 0.4, cx + mr + off, cy + mr - off * 0.4), fill=WHITE
        )


@functools.lru_cache(maxsize=32)
def icon_image(state: SpellState, size: int = 64) -> Image.Image:
    """The tray image for `state`, `size` pixels square (RGBA). Cached; do not modify it."""
    s = size * _SCALE
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, s - 1, s - 1), radius=s * 0.18, fill=TILE_COLOURS[state])
    _chair(draw, s)
    _badge(draw, state, s)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def argb32(image: Image.Image) -> bytes:
    """RGBA pixels as ARGB32 in network byte order (A, R, G, B per pixel), unpremultiplied."""
    red, green, blue, alpha = image.convert("RGBA").split()
    return Image.merge("RGBA", (alpha, red, green, blue)).tobytes()


def drawn_pixmaps(state: SpellState) -> tuple[Pixmap, ...]:
    """The SNI pixmaps of `state` as drawn now (what config/icons/ must hold)."""
    return tuple((size, size, argb32(icon_image(state, size))) for size in SNI_SIZES)


def write_pixmaps(folder: Path) -> list[Path]:
    """Draw every state's pixmaps into `folder` (config/icons/); return the files changed."""
    from reminder.atomic import write_bytes_atomically

    changed = []
    for state in SpellState:
        for size, _, data in drawn_pixmaps(state):
            path = folder.parent / pixmap_name(state, size)
            if not path.exists() or path.read_bytes() != data:
                write_bytes_atomically(path, data, mode=0o644)
                changed.append(path)
    return changed


if __name__ == "__main__":
    config = Path(__file__).resolve().parents[2] / "config"
    for written in write_pixmaps(config / ICON_FOLDER):
        print(f"wrote {written.relative_to(config.parent)}")
