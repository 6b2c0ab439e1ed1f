"""The guide as plain terminal text, wrapped to a width, from the same content as the page."""

from __future__ import annotations

import difflib
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reminder.errors import UsageError
from reminder.guide.content import (
    ALWAYS_AT_THE_END,
    GUIDE,
    PRINTED_BEFORE,
    Guide,
    ItemList,
    Paragraph,
    Section,
    StretchGallery,
    stretch_facts,
)

if TYPE_CHECKING:
    from reminder.stretches import Stretch


def render_text(
    section: str | None = None,
    width: int = 80,
    guide: Guide = GUIDE,
    catalog: Sequence[Stretch] | None = None,
) -> str:
    """The whole guide, or one section of it, as wrapped text.

    A single section comes after the sections printed before it (the urgent signs
    before "professional") and still ends with the "not medical advice" note and the
    sources. `catalog` fills the stretches section (default: the built-in catalog,
    read only when that section is printed). An unknown section raises UsageError
    naming the valid ones.
    """
    width = max(width, 30)
    if section is None:
        chosen = list(guide.sections)
    else:
        ids = [entry.id for entry in guide.sections]
        if section not in ids:
            raise unknown_section(section, ids)
        wanted = [*PRINTED_BEFORE.get(section, ()), section]
        wanted.extend(entry for entry in ALWAYS_AT_THE_END if entry not in wanted)
        chosen = [guide.section(entry) for entry in wanted]
    if catalog is None and any(
        isinstance(block, StretchGallery) for entry in chosen for block in entry.blocks
    ):
        from reminder.stretches import load_catalog

        catalog = load_catalog()
    parts = [_underlined(guide.title, "="), _wrap(guide.summary, width)]
    parts.extend(_section(entry, width, catalog or ()) for entry in chosen)
    return "\n\n".join(parts) + "\n"


def unknown_section(section: str, valid: list[str]) -> UsageError:
    """The error for a section name that does not exist, with the nearest valid one."""
    match = difflib.get_close_matches(section, valid, n=1, cutoff=0.5)
    hint = f' (did you mean "{match[0]}"?)' if match else ""
    return UsageError(f'unknown guide section "{section}"{hint}; choose one of: {", ".join(valid)}')


def _section(section: Section, width: int, catalog: Sequence[Stretch]) -> str:
    if section.urgent:  # set apart: capitals, underlined with "!"
        heading = _underlined(section.title.upper(), "!")
    else:
        heading = _underlined(section.title.upper() if section.note else section.title, "-")
    parts = [heading]
    for block in section.blocks:
        if isinstance(block, Paragraph):
            parts.append(_wrap(block.text, width))
        elif isinstance(block, StretchGallery):
            parts.extend(_stretch(stretch, width) for stretch in catalog)
        else:
            parts.append(_list(block, width))
    return "\n\n".join(parts)


def _stretch(stretch: Stretch, width: int) -> str:
    """A stretch as a few lines: name, facts, numbered steps, caution."""
    lines = [stretch.name, _indented(stretch_facts(stretch), "  ", width)]
    for number, step in enumerate(stretch.steps, start=1):
        lines.append(_indented(step, f"  {number}. ", width))
    if stretch.caution:
        lines.append(_indented(f"Caution: {stretch.caution}", "  ", width))
    return "\n".join(lines)


def _indented(text: str, first: str, width: int) -> str:
    return textwrap.fill(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=" " * len(first),
        break_on_hyphens=False,
    )


def _list(block: ItemList, width: int) -> str:
    lines: list[str] = []
    if block.heading:
        lines.append(f"{block.heading}:")
    if block.intro:
        lines.append(_wrap(block.intro, width))
    for number, item in enumerate(block.items, start=1):
        bullet = f"  {number}. " if block.ordered else "  * "
        lines.append(
            textwrap.fill(
                f"{item.lead_in} {item.text}",
                width=width,
                initial_indent=bullet,
                subsequent_indent=" " * len(bullet),
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


def _wrap(text: str, width: int) -> str:
    return textwrap.fill(text, width=width, break_on_hyphens=False)


def _underlined(title: str, mark: str) -> str:
    return f"{title}\n{mark * len(title)}"
