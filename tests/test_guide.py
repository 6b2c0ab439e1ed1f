"""The glute-knot guide: one content source, an offline HTML page and terminal text.

The page is parsed with the standard library's HTML parser; the command runs
for real, and `--open` starts a real (stand-in) browser program through the
BROWSER variable in a child interpreter, so nothing is faked.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from seed_words import RUN, borrowed_runs

from reminder.durations import human_duration
from reminder.errors import UsageError
from reminder.guide import (
    ANCHORS,
    CLI_SECTIONS,
    GUIDE,
    PAGE_FILE,
    guide_uri,
    render_html,
    render_text,
    run_guide_command,
)
from reminder.stretches import load_catalog

REQUIRED_ANCHORS = (
    "what-is-a-knot",
    "causes",
    "symptoms",
    "what-helps",
    "urgent",
    "professional",
    "stretches",
    "not-medical-advice",
    "sources",
)
SUB_ANCHORS = ("knot-or-nerve", "two-kinds-of-weakness", "blood-clot", "warning-signs")
CAUSES = (
    "Prolonged sitting",
    "Overuse and repetitive strain",
    "Poor posture",
    "Injury or trauma",
    "Stress and tension",
    "Inactivity",
    "Improper lifting",
)
SYMPTOMS = ("Local pain", "Referred pain", "Tenderness", "Restricted movement", "Weakness")
WARNING_SIGNS = (
    "Severe or persistent pain",
    "Home remedies are not helping",
    "Numbness, tingling or weakness in the leg",
    "Pain that gets in the way of daily life",
)
WHO = ("Physical therapist", "Chiropractor", "Doctor")
TREATMENTS = ("Physical therapy", "Dry needling", "Massage")
WHAT_HELPS = ("Rest", "Stretching", "Self-massage", "Moving more")
DEFINITIONS = ("trigger points", "gluteus maximus", "gluteus medius", "myofascial pain syndrome")
URGENT_SIGNS = (
    "Numbness in the saddle area",
    "groin or on the inner thighs",
    "New trouble with bladder or bowels",
    "Sudden or spreading weakness in a leg",
    "Pain with a fever",
    "Severe pain after a fall or an accident",
    "call emergency services",
)
CLOT_SIGNS = ("swollen, warm to the touch and painful", "Sudden breathlessness", "at once")
NERVE_DISTINCTION = ("past the knee, with pins and needles", "sciatica", "piriformis")
EVERY_PHRASE = (
    CAUSES
    + SYMPTOMS
    + WARNING_SIGNS
    + WHO
    + TREATMENTS
    + WHAT_HELPS
    + DEFINITIONS
    + URGENT_SIGNS
    + CLOT_SIGNS
    + NERVE_DISTINCTION
)


class PageReader(HTMLParser):
    """Collects what a reader and a screen reader meet: text, ids, headings, tags."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[str, str | None]] = []  # (level tag, id)
        self.text_parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag in ("h1", "h2", "h3"):
            self.headings.append((tag, attributes.get("id")))
        if tag in ("style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return flat("".join(self.text_parts))


def flat(text: str) -> str:
    """Whitespace folded, so wrapped lines still match a phrase."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def page() -> PageReader:
    reader = PageReader()
    reader.feed(PAGE_FILE.read_text(encoding="utf-8"))
    return reader


def test_the_shipped_page_is_rendered_from_the_content() -> None:
    """One source: the shipped guide.html is exactly what content.py renders."""
    assert PAGE_FILE.read_text(encoding="utf-8") == render_html(), (
        "reminder/guide/guide.html is out of date: run `python -m reminder.guide`"
    )


@pytest.mark.parametrize("anchor", REQUIRED_ANCHORS)
def test_every_anchor_exists(page: PageReader, anchor: str) -> None:
    assert anchor in page.ids
    assert anchor in ANCHORS
    assert ("a", {"href": f"#{anchor}"}) in page.tags  # reachable from the contents


@pytest.mark.parametrize("anchor", SUB_ANCHORS)
def test_every_sub_heading_has_an_anchor(page: PageReader, anchor: str) -> None:
    assert anchor in page.ids
    assert anchor in ANCHORS
    assert guide_uri(anchor).endswith(f"#{anchor}")


def test_ids_are_unique(page: PageReader) -> None:
    assert len(page.ids) == len(set(page.ids))


@pytest.mark.parametrize("phrase", EVERY_PHRASE)
def test_each_fact_is_in_the_page_and_in_the_text(page: PageReader, phrase: str) -> None:
    assert phrase.lower() in page.text.lower()
    assert phrase.lower() in flat(render_text()).lower()


def test_not_medical_advice_note_is_plain(page: PageReader) -> None:
    assert "This is not medical advice" in page.text
    assert "THIS IS NOT MEDICAL ADVICE" in render_text()


def test_page_structure_is_accessible(page: PageReader) -> None:
    """lang, one h1, an h2 with an id per section, landmarks, no network, print styles."""
    html = PAGE_FILE.read_text(encoding="utf-8")
    assert re.search(r'<html lang="en">', html)
    assert [level for level, _ in page.headings].count("h1") == 1
    section_headings = {heading_id for level, heading_id in page.headings if level == "h2"}
    for section in GUIDE.sections:
        assert f"{section.id}-title" in section_headings
    for landmark in ("header", "nav", "main", "footer"):
        assert any(tag == landmark for tag, _ in page.tags), landmark
    assert "@media print" in html
    assert not any(tag in ("script", "link", "img", "iframe") for tag, _ in page.tags)
    assert not re.search(r"https?://", html)  # nothing is fetched, nothing links away


def test_causes_are_in_order_and_numbered(page: PageReader) -> None:
    text = render_text("causes")
    positions = [text.index(cause) for cause in CAUSES]
    assert positions == sorted(positions)
    assert "  1. Prolonged sitting." in text
    assert "  7. Improper lifting." in text


@pytest.mark.parametrize(
    ("section", "present", "absent"),
    [
        ("causes", CAUSES, SYMPTOMS + WARNING_SIGNS),
        ("symptoms", SYMPTOMS, CAUSES + WARNING_SIGNS),
        ("urgent", URGENT_SIGNS + CLOT_SIGNS, CAUSES + SYMPTOMS + WARNING_SIGNS),
        ("professional", WARNING_SIGNS + WHO + TREATMENTS, CAUSES + SYMPTOMS),
    ],
    ids=["causes", "symptoms", "urgent", "professional"],
)
def test_a_section_filters_the_text(
    section: str, present: tuple[str, ...], absent: tuple[str, ...]
) -> None:
    text = flat(render_text(section))
    for phrase in present:
        assert phrase in text
    for phrase in absent:
        assert f"{phrase}:" not in text and f"{phrase}." not in text
    assert "THIS IS NOT MEDICAL ADVICE" in text  # every excerpt keeps the note
    assert text.endswith(f"Last reviewed: {GUIDE.reviewed.day} {GUIDE.reviewed:%B %Y}.")


def test_text_respects_the_width() -> None:
    for width in (50, 80):
        lines = render_text(width=width).splitlines()
        assert max(len(line) for line in lines) <= width


def test_unknown_section_is_a_usage_error() -> None:
    # The documented choices (DESIGN.md: guide --section causes|symptoms|urgent|...).
    assert CLI_SECTIONS == ("causes", "symptoms", "urgent", "professional", "stretches")
    with pytest.raises(UsageError, match=r'did you mean "causes"\?'):
        run_guide_command("cause", open_page=False)
    with pytest.raises(UsageError, match=r'did you mean "stretches"\?'):
        run_guide_command("stretch", open_page=False)
    choices = "choose one of: causes, symptoms, urgent, professional, stretches"
    with pytest.raises(UsageError, match=choices):
        run_guide_command("what-helps", open_page=True)  # a section, but not one to ask for
    with pytest.raises(UsageError, match='unknown guide section "exercises"'):
        render_text("exercises")


def test_guide_uri_points_at_the_installed_page() -> None:
    uri = guide_uri()
    assert uri == PAGE_FILE.resolve().as_uri()
    assert uri.startswith("file://") and uri.endswith("/reminder/guide/guide.html")
    assert guide_uri("professional") == f"{uri}#professional"


def test_guide_uri_honours_the_it_url() -> None:
    url = "https://intranet.example.com/health/glutes.html"
    assert guide_uri(url=url) == url
    assert guide_uri("causes", url=url) == f"{url}#causes"
    assert guide_uri("symptoms", url=f"{url}#top") == f"{url}#symptoms"


def test_guide_uri_refuses_an_anchor_the_page_lacks() -> None:
    with pytest.raises(ValueError, match="no anchor"):
        guide_uri("exercises")


def test_command_prints_the_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_guide_command(None, open_page=False) == 0
    out = flat(capsys.readouterr().out)
    for phrase in CAUSES + SYMPTOMS + WARNING_SIGNS:
        assert phrase in out
    assert "sitting-reminder guide --open" in out


def test_command_prints_one_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_guide_command("symptoms", open_page=False) == 0
    out = flat(capsys.readouterr().out)
    assert "Referred pain" in out and "Prolonged sitting." not in out


def open_in_stand_in_browser(
    tmp_path: Path, call: str
) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run the command in a child interpreter whose BROWSER records the address it is given."""
    record = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{record}"\n', encoding="utf-8")
    browser.chmod(0o755)
    env = {**os.environ, "BROWSER": str(browser)}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-c", f"from reminder.guide import run_guide_command as r; exit({call})"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result, record.read_text(encoding="utf-8") if record.exists() else ""


def test_open_starts_the_browser_at_the_section(tmp_path: Path) -> None:
    result, opened = open_in_stand_in_browser(tmp_path, 'r("professional", open_page=True)')
    assert result.returncode == 0, result.stderr
    assert opened == guide_uri("professional")
    assert opened in result.stdout


def test_open_uses_the_it_url(tmp_path: Path) -> None:
    call = 'r(None, open_page=True, url="https://intranet.example.com/glutes")'
    result, opened = open_in_stand_in_browser(tmp_path, call)
    assert result.returncode == 0, result.stderr
    assert opened == "https://intranet.example.com/glutes"


def test_open_without_a_browser_says_where_the_page_is(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "BROWSER")}
    env["PATH"] = str(tmp_path)  # no browser program can be found
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from reminder.guide import run_guide_command as r; exit(r('causes', open_page=True))",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert guide_uri("causes") in result.stderr


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colours_are_readable(scheme: str) -> None:
    """Every text colour on every background it sits on reaches WCAG AA (4.5:1)."""
    html = PAGE_FILE.read_text(encoding="utf-8")
    blocks = re.findall(r":root \{([^}]*)\}", html)
    palette = dict(re.findall(r"--([\w-]+): (#[0-9a-f]{6})", blocks[0 if scheme == "light" else 1]))
    for text in ("text", "muted", "accent"):
        for background in ("bg", "panel", "warn-bg", "note-bg"):
            ratio = contrast(palette[text], palette[background])
            assert ratio >= 4.5, f"{scheme}: {text} on {background} is {ratio:.1f}:1"


# ------------------------------------------------------ urgent signs, nerves, sources


def section_text(page: PageReader, html: str, section_id: str) -> str:
    """The visible text of one <section> of the page."""
    match = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    assert match, section_id
    reader = PageReader()
    reader.feed(match.group(0))
    return reader.text


def test_the_urgent_section_is_set_apart_and_comes_before_the_professional_one(
    page: PageReader,
) -> None:
    html = PAGE_FILE.read_text(encoding="utf-8")
    assert '<section id="urgent" aria-labelledby="urgent-title" class="urgent">' in html
    assert html.index('id="urgent"') < html.index('id="professional"')
    assert '<div class="card urgent">' in html  # and it heads the cards at the top
    urgent = section_text(page, html, "urgent")
    for phrase in URGENT_SIGNS + CLOT_SIGNS:
        assert phrase in urgent
    text = render_text()
    assert text.index("GET HELP TODAY\n!!!!") < text.index("When to see a professional")


def test_asking_for_the_professional_section_prints_the_urgent_signs_first() -> None:
    text = flat(render_text("professional"))
    assert text.index("GET HELP TODAY") < text.index("When to see a professional")
    for phrase in URGENT_SIGNS + CLOT_SIGNS + WARNING_SIGNS:
        assert phrase in text


def test_knot_or_nerve_and_the_two_kinds_of_weakness_are_told_apart(page: PageReader) -> None:
    html = PAGE_FILE.read_text(encoding="utf-8")
    symptoms = section_text(page, html, "symptoms")
    for text in (symptoms, flat(render_text("symptoms"))):
        assert "Pain that darts past the knee, with pins and needles, points to the " in text
        assert "sciatic nerve (sciatica) rather than a knot" in text
        assert "A tight piriformis" in text or "it can press on that nerve" in text
        assert "Mild and local" in text and "That fits a knot" in text
        assert "In the leg, and getting worse" in text and "get help the same day" in text


def test_sources_and_the_review_date_end_the_page_and_the_text(page: PageReader) -> None:
    reviewed = f"Last reviewed: {GUIDE.reviewed.day} {GUIDE.reviewed:%B %Y}."
    html = PAGE_FILE.read_text(encoding="utf-8")
    assert GUIDE.sections[-1].id == "sources"
    sources = section_text(page, html, "sources")
    assert "What causes a knot in your buttocks?" in sources
    assert "Sciatica" in sources and "Deep vein thrombosis" in sources
    assert sources.endswith(reviewed)
    assert flat(render_text()).endswith(reviewed)


def test_every_sentence_is_our_own() -> None:
    """No run of 9 consecutive words of the seed article in the guide or the catalog."""
    assert RUN == 9
    page_words = flat(re.sub(r"<[^>]+>", " ", PAGE_FILE.read_text(encoding="utf-8")))
    catalog = (Path(__file__).parents[1] / "config" / "stretches.toml").read_text("utf-8")
    for text in (render_text(), page_words, catalog):
        assert borrowed_runs(text) == []


def test_the_seed_check_finds_a_copied_sentence() -> None:
    """The check itself works: a sentence lifted from the article is caught."""
    lifted = "our own words, then: these specific points often develop in the large gluteus"
    assert borrowed_runs(lifted) == ["these specific points often develop in the large gluteus"]


# ------------------------------------------------------------------ stretches


def test_the_stretches_section_shows_every_stretch_with_its_picture(page: PageReader) -> None:
    html = PAGE_FILE.read_text(encoding="utf-8")
    gallery = section_text(page, html, "stretches")
    section_html = re.search(r'<section id="stretches".*?</section>', html, re.S)
    assert section_html
    for stretch in load_catalog():
        card = re.search(
            rf'<li class="stretch" id="stretch-{stretch.id}">(.*?)</li>\n  </ul>|'
            rf'<li class="stretch" id="stretch-{stretch.id}">(.*?)\n  </li>',
            section_html.group(0),
            re.S,
        )
        assert card, stretch.id
        body = card.group(1) or card.group(2)
        assert "<svg" in body and 'role="img"' in body and "<title>" in body, stretch.id
        assert stretch.name in gallery
        assert human_duration(stretch.duration) in body
        assert stretch.targets_phrase in body
        for step in stretch.steps:
            assert escape_html(step) in body
        if stretch.caution:
            assert escape_html(stretch.caution) in body


def escape_html(text: str) -> str:
    from html import escape

    return escape(text)


def test_the_stretches_text_lists_every_stretch() -> None:
    text = flat(render_text("stretches"))
    for stretch in load_catalog():
        assert f"{stretch.name} {human_duration(stretch.duration)} · works the " in text
        assert flat(stretch.steps[0]) in text
        if stretch.caution:
            assert flat(f"Caution: {stretch.caution}") in text


def test_the_page_draws_pictures_inline_and_loads_nothing() -> None:
    html = PAGE_FILE.read_text(encoding="utf-8")
    assert html.count("<svg ") == len(load_catalog())
    assert "xmlns=" not in html and 'href="http' not in html
    assert not re.search(r"(?i)<image|url\(|xlink:href", html)


@pytest.mark.parametrize(
    ("section", "first", "then"),
    [
        ("urgent", "GET HELP TODAY", "Numbness in the saddle area"),
        ("professional", "GET HELP TODAY", "When to see a professional"),
        ("stretches", "The stretches", "Seated figure-four"),
    ],
)
def test_the_command_line_prints_the_section(section: str, first: str, then: str) -> None:
    """`sitting-reminder guide --section ...` as a user runs it (a child process)."""
    result = subprocess.run(
        [sys.executable, "-m", "reminder", "guide", "--section", section],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert first in out and then in out
    assert out.index(first) < out.index(then)
    assert "Last reviewed:" in out


def test_the_command_line_offers_exactly_the_guide_sections() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reminder", "guide", "--section", "nowhere"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "causes, symptoms, urgent, professional, stretches" in result.stderr.replace("'", "")
