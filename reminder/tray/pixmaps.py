"""The StatusNotifierItem's icon pixels, read from files made at build time: no Pillow at run time.

A StatusNotifierItem sends its icon as ARGB32 pixmaps. Drawing them needs Pillow,
which costs the idle service 2.5 MiB of RSS (measured by `make bench`), so they are
drawn once by `python -m reminder.tray.icons` into `config/icons/<state>-<size>.argb`
(shipped in the wheel) and only read here; a test fails when a file is out of date
with the drawing. pystray (Windows, macOS, XEmbed trays) still draws with Pillow.
"""

from __future__ import annotations

import functools

from reminder.core.model import SpellState

SNI_SIZES: tuple[int, ...] = (16, 22, 24, 32, 48)
"""The pixmap sizes a StatusNotifierItem offers; hosts pick the closest to their panel."""

Pixmap = tuple[int, int, bytes]
"""(width, height, ARGB32 pixels in network byte order), as D-Bus `(iiay)` carries it."""

ICON_FOLDER = "icons"


def pixmap_name(state: SpellState, size: int) -> str:
    return f"{ICON_FOLDER}/{state.value}-{size}.argb"


@functools.lru_cache(maxsize=len(SpellState))
def sni_pixmaps(state: SpellState) -> tuple[Pixmap, ...]:
    """The icon for `state` at every size in SNI_SIZES (cached: a state change sends these).

    Raises OSError (a broken installation) when a file is missing or has the wrong size.
    """
    from reminder.paths import bundled_file

    pixmaps = []
    for size in SNI_SIZES:
        path = bundled_file(pixmap_name(state, size))
        data = path.read_bytes()
        if len(data) != size * size * 4:
            raise OSError(f"{path} holds {len(data)} bytes, not a {size}x{size} ARGB32 icon")
        pixmaps.append((size, size, data))
    return tuple(pixmaps)
