"""The guide as one self-contained, accessible HTML page (inline CSS, nothing from the network).

The page ships in the wheel as `reminder/guide/guide.html`, generated from
`content.GUIDE` and the built-in stretch catalog, whose pictures are inlined as SVG
(so the page stays one file that works offline, or on an intranet). After changing
the words, a stretch or a picture, regenerate it with:

    python -m reminder.guide

(tests/test_guide.py fails while the shipped page and the content differ).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from reminder.guide.content import (
    GUIDE,
    Block,
    Guide,
    Item,
    Paragraph,
    Section,
    StretchGallery,
    stretch_facts,
)

if TYPE_CHECKING:
    from reminder.stretches import Stretch

PAGE_FILE = Path(__file__).with_name("guide.html")

# Colours: body text #1f2328 on white is 15:1; links #0b5cad 6.7:1; the muted
# footer #4d5561 7.5:1. The dark scheme keeps at least 7:1 as well.
_CSS = """\
:root {
  color-scheme: light dark;
  --text: #1f2328; --muted: #4d5561; --bg: #ffffff; --accent: #0b5cad;
  --panel: #f2f5f8; --rule: #d0d7de;
  --warn-bg: #fff4f2; --warn-rule: #b42318; --note-bg: #fff8e5; --note-rule: #8a5a00;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #e6edf3; --muted: #b1bac4; --bg: #161b22; --accent: #79b8ff;
    --panel: #1f262e; --rule: #3d444d;
    --warn-bg: #2d1a1a; --warn-rule: #ff8b7e; --note-bg: #2b2414; --note-rule: #e3b341;
  }
}
* { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, "Noto Sans",
    "DejaVu Sans", sans-serif;
  font-size: 1.0625rem; line-height: 1.6;
}
.skip {
  position: absolute; left: -999px; top: 0; padding: 0.5rem 1rem;
  background: var(--accent); color: var(--bg);
}
.skip:focus { left: 0.5rem; top: 0.5rem; }
header, nav, main, footer { max-width: 48rem; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 2rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 0.75rem; }
.summary { font-size: 1.15rem; color: var(--muted); margin: 0 0 1rem; }
.pointer { margin: 0 0 1.5rem; font-size: 0.95rem; }
nav {
  margin-bottom: 1rem;
}
nav .toc {
  background: var(--panel); border: 1px solid var(--rule); border-radius: 8px;
  padding: 0.75rem 1.25rem;
}
nav h2 { font-size: 1rem; margin: 0 0 0.25rem; text-transform: uppercase; letter-spacing: 0.04em; }
nav ol { margin: 0; padding-left: 1.4rem; columns: 2; column-gap: 2rem; }
nav li { break-inside: avoid; }
a { color: var(--accent); text-underline-offset: 0.15em; }
a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
section { margin: 2rem 0; }
h2 {
  font-size: 1.45rem; line-height: 1.3; margin: 0 0 0.75rem;
  padding-bottom: 0.25rem; border-bottom: 2px solid var(--rule);
}
h3 { font-size: 1.1rem; margin: 1.25rem 0 0.5rem; }
p { margin: 0 0 0.75rem; }
ul, ol { margin: 0 0 0.75rem; padding-left: 1.5rem; }
li { margin: 0 0 0.5rem; }
li strong { color: var(--text); }
.warning {
  background: var(--warn-bg); border-left: 5px solid var(--warn-rule);
  padding: 0.75rem 1rem 0.25rem; border-radius: 0 8px 8px 0;
}
.warning h3 { margin-top: 0; }
.glance {
  display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 0.75rem;
}
.card {
  background: var(--panel); border: 1px solid var(--rule); border-radius: 8px;
  padding: 0.6rem 0.9rem 0.2rem;
}
.card.warn { background: var(--warn-bg); border-left: 5px solid var(--warn-rule); }
.card h3 { font-size: 1rem; margin: 0 0 0.3rem; }
.card ul { padding-left: 1.1rem; font-size: 0.95rem; }
.card li { margin: 0 0 0.2rem; line-height: 1.35; }
section.urgent {
  background: var(--warn-bg); border: 3px solid var(--warn-rule); border-radius: 8px;
  padding: 0 1.25rem 0.25rem; overflow: hidden;
}
section.urgent h2 {
  background: var(--warn-rule); color: var(--bg); border-bottom: none;
  margin: 0 -1.25rem 0.75rem; padding: 0.4rem 1.25rem;
}
.card.urgent { border: 1px solid var(--warn-rule); border-left: 5px solid var(--warn-rule); }
.stretches { list-style: none; padding: 0; margin: 0; }
.stretch {
  display: flex; gap: 1rem; align-items: flex-start; margin: 0 0 0.9rem;
  background: var(--panel); border: 1px solid var(--rule); border-radius: 8px; padding: 0.75rem;
}
.stretch svg { flex: none; width: 10rem; height: 10rem; }
.stretch h3 { margin: 0 0 0.15rem; font-size: 1.1rem; }
.stretch .facts { color: var(--muted); font-size: 0.92rem; margin: 0 0 0.4rem; }
.stretch ol { padding-left: 1.25rem; margin: 0 0 0.4rem; }
.stretch li { margin: 0 0 0.15rem; }
.stretch .caution { font-size: 0.95rem; margin: 0; }
@media (max-width: 30rem) {
  .stretch { flex-direction: column; }
}
.note {
  background: var(--note-bg); border-left: 5px solid var(--note-rule);
  padding: 1rem 1.25rem 0.5rem; border-radius: 0 8px 8px 0;
}
.note h2 { border-bottom: none; padding-bottom: 0; }
footer {
  margin-top: 2.5rem; padding-top: 1rem; padding-bottom: 2rem;
  border-top: 1px solid var(--rule); color: var(--muted); font-size: 0.9rem;
}
@media print {
  :root {
    --text: #000000; --muted: #333333; --bg: #ffffff; --accent: #000000;
    --panel: #ffffff; --rule: #999999; --warn-bg: #ffffff; --note-bg: #ffffff;
    --warn-rule: #000000; --note-rule: #000000;
  }
  @page { margin: 1.5cm; }
  body { font-size: 10.5pt; line-height: 1.4; }
  header { padding-top: 0; }
  section { margin: 1rem 0; }
  footer { margin-top: 1rem; padding-bottom: 0; }
  .skip, .pointer { display: none; }
  header, nav, main, footer { max-width: none; padding: 0; }
  nav .toc { border: 1px solid #999999; }
  a { text-decoration: none; }
  h2, h3 { break-after: avoid; }
  li, .warning, .note, .card, .stretch, section.urgent { break-inside: avoid; }
  .stretch svg { width: 6rem; height: 6rem; }
}
"""


def render_html(guide: Guide = GUIDE, catalog: Sequence[Stretch] | None = None) -> str:
    """The whole page as a string: one h1, an h2 with a stable id per section.

    `catalog` fills the stretches section (default: the built-in catalog).
    """
    if catalog is None:
        from reminder.stretches import load_catalog

        catalog = load_catalog()
    toc = "\n".join(
        f'        <li><a href="#{section.id}">{escape(section.title)}</a></li>'
        for section in guide.sections
    )
    sections = "\n".join(_section(section, catalog) for section in guide.sections)
    return f"""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{escape(guide.title)} | Sitting Reminder</title>
<style>
{_CSS}</style>
</head>
<body>
<a class="skip" href="#content">Skip to the guide</a>
<header>
  <h1>{escape(guide.title)}</h1>
  <p class="summary">{escape(guide.summary)}</p>
  <p class="pointer">General information only: please read
    <a href="#not-medical-advice">this is not medical advice</a>.</p>
</header>
<nav aria-labelledby="toc-title">
  <div class="toc">
    <h2 id="toc-title">On this page</h2>
    <ol>
{toc}
    </ol>
  </div>
</nav>
<main id="content">
{_glance(guide)}
{sections}
</main>
<footer>
  <p>{escape(guide.footer)}</p>
</footer>
</body>
</html>
"""


def _glance(guide: Guide) -> str:
    """Short term lists linking to their sections: the key facts visible at once."""
    cards = []
    urgent = {section.id for section in guide.sections if section.urgent}
    for heading, anchor in guide.glance:
        block = guide.item_list(anchor)
        css = "card urgent" if anchor in urgent else "card warn" if block.warning else "card"
        terms = "\n".join(f"      <li>{escape(item.term)}</li>" for item in block.items)
        cards.append(
            f'  <div class="{css}">\n'
            f'    <h3><a href="#{anchor}">{escape(heading)}</a></h3>\n'
            f"    <ul>\n{terms}\n    </ul>\n"
            f"  </div>"
        )
    return (
        '<section id="at-a-glance" aria-labelledby="at-a-glance-title">\n'
        '  <h2 id="at-a-glance-title">At a glance</h2>\n'
        '  <div class="glance">\n' + "\n".join(cards) + "\n  </div>\n</section>"
    )


def _section(section: Section, catalog: Sequence[Stretch]) -> str:
    heading_id = f"{section.id}-title"
    css = ' class="note"' if section.note else ' class="urgent"' if section.urgent else ""
    role = ' role="note"' if section.note else ""
    body = "\n".join(_block(block, catalog) for block in section.blocks)
    return (
        f'<section id="{section.id}" aria-labelledby="{heading_id}"{css}{role}>\n'
        f'  <h2 id="{heading_id}">{escape(section.title)}</h2>\n'
        f"{body}\n"
        f"</section>"
    )


def _block(block: Block, catalog: Sequence[Stretch]) -> str:
    if isinstance(block, Paragraph):
        return f"  <p>{escape(block.text)}</p>"
    if isinstance(block, StretchGallery):
        cards = "\n".join(_stretch(stretch) for stretch in catalog)
        return f'  <ul class="stretches">\n{cards}\n  </ul>'
    parts: list[str] = []
    if block.heading:
        ident = f' id="{block.id}"' if block.id else ""
        parts.append(f"  <h3{ident}>{escape(block.heading)}</h3>")
    if block.intro:
        parts.append(f"  <p>{escape(block.intro)}</p>")
    tag = "ol" if block.ordered else "ul"
    parts.append(f"  <{tag}>")
    parts.extend(f"    <li>{_item(item)}</li>" for item in block.items)
    parts.append(f"  </{tag}>")
    inner = "\n".join(parts)
    if block.warning:
        return f'  <div class="warning">\n{inner}\n  </div>'
    return inner


def _stretch(stretch: Stretch) -> str:
    """One stretch as a card: its picture (inline SVG), name, facts, steps and caution."""
    facts_text = escape(stretch_facts(stretch))
    steps = "\n".join(f"        <li>{escape(step)}</li>" for step in stretch.steps)
    caution = (
        f'\n      <p class="caution"><strong>Caution:</strong> {escape(stretch.caution)}</p>'
        if stretch.caution
        else ""
    )
    return (
        f'  <li class="stretch" id="stretch-{stretch.id}">\n'
        f"    {_inline_svg(stretch.picture)}\n"
        f"    <div>\n"
        f"      <h3>{escape(stretch.name)}</h3>\n"
        f'      <p class="facts">{facts_text}</p>\n'
        f"      <ol>\n{steps}\n      </ol>{caution}\n"
        f"    </div>\n"
        f"  </li>"
    )


def _inline_svg(picture: Path | None) -> str:
    """A stretch's SVG picture, ready to sit in the page (or nothing, for a PNG or none).

    Inline SVG needs no namespace declaration, and leaving it out keeps every web
    address off the page.
    """
    if picture is None or picture.suffix.lower() != ".svg":
        return ""
    text = picture.read_text(encoding="utf-8").strip()
    return text.replace(' xmlns="http://www.w3.org/2000/svg"', "").replace("\n", "\n    ")


def _item(item: Item) -> str:
    return f"<strong>{escape(item.lead_in)}</strong> {escape(item.text)}"


def write_page(path: Path = PAGE_FILE) -> Path:
    """Write the page where the package ships it (or to `path`), atomically."""
    from reminder.atomic import write_bytes_atomically

    write_bytes_atomically(path, render_html().encode("utf-8"), mode=0o644)
    return path
