"""The guide as plain terminal text, wrapped to a width, from the same content as the page."""

from __future__ import annotations

import difflib
import textwrap

from reminder.errors import UsageError
from reminder.guide.content import GUIDE, Guide, ItemList, Paragraph, Section

NOTE_ID = "not-medical-advice"


def render_text(section: str | None = None, width: int = 80, guide: Guide = GUIDE) -> str:
    """The whole guide, or one section of it, as wrapped text.

    A single section still ends with the "not medical advice" note. An unknown
    section raises UsageError naming the valid ones.
    """
    width = max(width, 30)
    if section is None:
        chosen = list(guide.sections)
    else:
        ids = [entry.id for entry in guide.sections]
        if section not in ids:
            raise unknown_section(section, ids)
        chosen = [guide.section(section)]
        if section != NOTE_ID:
            chosen.append(guide.section(NOTE_ID))
    parts = [_underlined(guide.title, "="), _wrap(guide.summary, width)]
    parts.extend(_section(entry, width) for entry in chosen)
    return "\n\n".join(parts) + "\n"


def unknown_section(section: str, valid: list[str]) -> UsageError:
    """The error for a section name that does not exist, with the nearest valid one."""
    match = difflib.get_close_matches(section, valid, n=1, cutoff=0.5)
    hint = f' (did you mean "{match[0]}"?)' if match else ""
    return UsageError(f'unknown guide section "{section}"{hint}; choose one of: {", ".join(valid)}')


def _section(section: Section, width: int) -> str:
    parts = [_underlined(section.title.upper() if section.note else section.title, "-")]
    for block in section.blocks:
        if isinstance(block, Paragraph):
            parts.append(_wrap(block.text, width))
        else:
            parts.append(_list(block, width))
    return "\n\n".join(parts)


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
