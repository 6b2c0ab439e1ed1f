"""The words of the glute-knot guide: the one source for the web page and the terminal text.

Facts come from shared/seed/buttock-knots-article.txt (the knots) and from the
sources listed in the "sources" section (the signs that need help today); every
sentence is our own. Section ids are stable anchors: the tray, the prompts and
`guide --open` link to them. Update `reviewed` when the health content is checked again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from reminder.durations import human_duration

if TYPE_CHECKING:
    from reminder.stretches import Stretch


@dataclass(frozen=True)
class Item:
    """One named point in a list: a cause, a symptom, a warning sign."""

    term: str
    text: str

    @property
    def lead_in(self) -> str:
        """The term as it opens the item: "Tenderness:" before a phrase, "Poor posture." before
        whole sentences."""
        return self.term + ("." if self.text[:1].isupper() else ":")


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class ItemList:
    """A list of items, optionally under its own sub-heading (with a stable id)."""

    items: tuple[Item, ...]
    heading: str | None = None
    id: str | None = None
    intro: str | None = None
    ordered: bool = False
    warning: bool = False  # shown as a highlighted box: signs to act on


@dataclass(frozen=True)
class StretchGallery:
    """Where the stretch catalog goes: a picture, the steps and the facts of each stretch.

    The words come from the catalog (config/stretches.toml), not from this module; the
    renderers are handed the catalog.
    """


Block = Paragraph | ItemList | StretchGallery


def stretch_facts(stretch: Stretch) -> str:
    """What the page and the terminal say about a stretch besides its steps:
    "1 min · works the piriformis and gluteus maximus · Seated, discreet"."""
    facts = [human_duration(stretch.duration), f"works the {stretch.targets_phrase}"]
    if stretch.tags:
        facts.append(", ".join(stretch.tags).capitalize())
    return " \u00b7 ".join(facts)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...]
    note: bool = False  # shown as a highlighted note rather than plain prose
    urgent: bool = False  # set apart in a red box: signs that cannot wait for an appointment


@dataclass(frozen=True)
class Guide:
    title: str
    summary: str
    sections: tuple[Section, ...]
    footer: str
    reviewed: date  # when the health content was last checked against its sources
    # (heading, anchor) of the lists repeated as short term lists at the top of the page,
    # so the causes, symptoms and warning signs are visible at once.
    glance: tuple[tuple[str, str], ...] = ()

    def section(self, section_id: str) -> Section:
        """The section with this id; KeyError when there is none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def item_list(self, anchor: str) -> ItemList:
        """The list with this id, or the first list of the section with this id."""
        for section in self.sections:
            lists = [block for block in section.blocks if isinstance(block, ItemList)]
            for block in lists:
                if block.id == anchor:
                    return block
            if section.id == anchor and lists:
                return lists[0]
        raise KeyError(anchor)

    @property
    def anchors(self) -> tuple[str, ...]:
        """Every id a link may point at: sections, then their sub-headed lists."""
        ids = [section.id for section in self.sections]
        for section in self.sections:
            ids.extend(
                block.id for block in section.blocks if isinstance(block, ItemList) and block.id
            )
        return tuple(ids)


REVIEWED = date(2026, 12, 1)

GUIDE = Guide(
    title="Knots in your buttock muscles",
    summary=(
        "Why a day in the chair can leave sore, tight spots in your glutes, how to tell "
        "when you have one, what you can do yourself, and when to let a professional "
        "take a look."
    ),
    sections=(
        Section(
            id="what-is-a-knot",
            title="What a knot is",
            blocks=(
                Paragraph(
                    "A muscle knot is a small patch of muscle that stays tight while the rest "
                    "of the muscle lets go. Under your fingers it can feel like a firm lump or "
                    "a taut cord, and it is sore when you press it."
                ),
                Paragraph(
                    "In the buttock, knots usually sit in the two large muscles you sit on and "
                    "walk with: the gluteus maximus, which makes up most of the buttock, and "
                    "the gluteus medius, higher up on the outer side of the hip."
                ),
                Paragraph(
                    "These sore spots are called trigger points. When they are what keeps the "
                    "pain going, the condition has a name: myofascial pain syndrome. A trigger "
                    "point can also make you hurt somewhere else, so a knot in the buttock may "
                    "be felt in the lower back or down the leg."
                ),
            ),
        ),
        Section(
            id="causes",
            title="What causes them",
            blocks=(
                ItemList(
                    intro=(
                        "Most buttock knots come from one or more of these seven causes. "
                        "Long sitting, the one this app watches for, comes first."
                    ),
                    ordered=True,
                    items=(
                        Item(
                            "Prolonged sitting",
                            "Hours in a chair keep your glutes squashed and still. Muscles "
                            "that are pressed on and never used stiffen up and knot more "
                            "easily, all the more on a hard seat or when you slump.",
                        ),
                        Item(
                            "Overuse and repetitive strain",
                            "Running, cycling, hiking or leg-heavy gym work such as squats "
                            "and lunges wear the glutes out. Without enough recovery between "
                            "sessions, tired muscle tends to form trigger points.",
                        ),
                        Item(
                            "Poor posture",
                            "Slouching at the desk, standing with your weight on one hip or "
                            "sleeping twisted loads the hip and buttock muscles unevenly, day "
                            "after day, until they tighten.",
                        ),
                        Item(
                            "Injury or trauma",
                            "A fall, a knock or a sudden awkward move can damage muscle "
                            "fibres. While they mend, the muscle around them may clench to "
                            "guard the spot and leave a knot behind.",
                        ),
                        Item(
                            "Stress and tension",
                            "Worry shows up in the body. The glutes can tighten under "
                            "long-running stress in the same way many people's neck and "
                            "shoulders do.",
                        ),
                        Item(
                            "Inactivity",
                            "Muscles you rarely use grow weaker, shorter and stiffer, which "
                            "makes knots likelier. Little exercise outside work adds to a day "
                            "of sitting.",
                        ),
                        Item(
                            "Improper lifting",
                            "Lifting something heavy by bending your back, instead of driving "
                            "with your legs and hips, overloads the buttock muscles and can "
                            "injure them.",
                        ),
                    ),
                ),
            ),
        ),
        Section(
            id="symptoms",
            title="How a knot feels",
            blocks=(
                ItemList(
                    intro="These five signs suggest the trouble is a muscle knot:",
                    items=(
                        Item("Local pain", "an ache, dull or sharp, right on the knot itself."),
                        Item(
                            "Referred pain",
                            "pain that turns up away from the knot: in the lower back or the "
                            "hip, along the leg, sometimes as far as the foot.",
                        ),
                        Item("Tenderness", "the spot hurts more when you press on it."),
                        Item(
                            "Restricted movement",
                            "stiffness or soreness makes it hard to walk, to sit, or to rise "
                            "from your seat.",
                        ),
                        Item(
                            "Weakness",
                            "the muscle feels feeble or gets tired sooner than it should.",
                        ),
                    ),
                ),
                ItemList(
                    heading="Knot or nerve?",
                    id="knot-or-nerve",
                    intro=(
                        "A knot and a squeezed nerve can both hurt in the buttock. How the pain "
                        "behaves tells them apart:"
                    ),
                    items=(
                        Item(
                            "A knot",
                            "It aches, dull or sharp, in a spot that is sore to press. The ache "
                            "may spread to the hip, the lower back or along the leg.",
                        ),
                        Item(
                            "A nerve",
                            "It shoots. Pain that darts past the knee, with pins and needles, "
                            "points to the sciatic nerve (sciatica) rather than a knot.",
                        ),
                        Item(
                            "The piriformis",
                            "This deep hip muscle lies under the gluteus maximus, close to the "
                            "sciatic nerve, and when it is tight it can press on that nerve. The "
                            "figure-four stretches and knee to opposite shoulder work on it.",
                        ),
                    ),
                ),
                ItemList(
                    heading="Weakness: which kind?",
                    id="two-kinds-of-weakness",
                    intro="Weakness appears in two places on this page, and they are not alike:",
                    items=(
                        Item(
                            "Mild and local",
                            "the buttock muscle itself tires early or feels a little feeble, and "
                            "it stays the same from day to day. That fits a knot.",
                        ),
                        Item(
                            "In the leg, and getting worse",
                            "the leg gives way, a foot drags, or the weakness comes on suddenly or "
                            "spreads. That is not a knot: get help the same day (see Get help "
                            "today below).",
                        ),
                    ),
                ),
            ),
        ),
        Section(
            id="what-helps",
            title="What helps",
            blocks=(
                ItemList(
                    intro="Many knots ease with simple care you can give yourself:",
                    items=(
                        Item(
                            "Rest",
                            "give a sore muscle a break from whatever overloads it, such as "
                            "long runs or heavy lifting.",
                        ),
                        Item(
                            "Stretching",
                            "gentle stretches for the buttock and hip, held without bouncing. "
                            "Each reminder suggests one.",
                        ),
                        Item(
                            "Self-massage",
                            "slow, steady pressure on the tight spot with your fingers or a "
                            "ball; ease off if it turns sharp.",
                        ),
                        Item(
                            "Moving more",
                            "get up at least once an hour. Short walks and the reminder's "
                            "stretches break up long sitting, the cause that comes first "
                            "on the list.",
                        ),
                    ),
                ),
            ),
        ),
        Section(
            id="urgent",
            title="Get help today",
            urgent=True,
            blocks=(
                ItemList(
                    intro=(
                        "These signs are rare, and they do not come from a knot. Do not wait "
                        "for an appointment or try to stretch them away: get medical help the "
                        "same day, or call emergency services if a sign is severe or sudden."
                    ),
                    items=(
                        Item(
                            "Numbness in the saddle area",
                            "less feeling, or none, in the groin or on the inner thighs, where "
                            "a saddle would touch.",
                        ),
                        Item(
                            "New trouble with bladder or bowels",
                            "you cannot hold, start or control passing water or stools the way "
                            "you could before.",
                        ),
                        Item(
                            "Sudden or spreading weakness in a leg",
                            "the leg gives way or drags, and it came on quickly or keeps "
                            "getting worse.",
                        ),
                        Item(
                            "Pain with a fever",
                            "the pain comes with a high temperature, or you feel generally unwell.",
                        ),
                        Item(
                            "Severe pain after a fall or an accident",
                            "a bad fall, a blow or a crash came first, and the pain is strong.",
                        ),
                    ),
                ),
                ItemList(
                    heading="A blood clot after long sitting",
                    id="blood-clot",
                    intro=(
                        "Hours without moving can, rarely, let a blood clot form in a deep "
                        "vein of the leg. Get care at once for either of these:"
                    ),
                    items=(
                        Item(
                            "A swollen calf",
                            "one calf that is swollen, warm to the touch and painful.",
                        ),
                        Item(
                            "Sudden breathlessness",
                            "you are short of breath all at once, with no effort to explain it.",
                        ),
                    ),
                ),
            ),
        ),
        Section(
            id="professional",
            title="When to see a professional",
            blocks=(
                ItemList(
                    heading="Warning signs",
                    id="warning-signs",
                    intro="Home care is not always enough. Book an appointment when:",
                    warning=True,
                    items=(
                        Item(
                            "Severe or persistent pain",
                            "the pain is strong, or it simply will not go away.",
                        ),
                        Item(
                            "Home remedies are not helping",
                            "rest, stretches and massage at home have not eased it.",
                        ),
                        Item(
                            "Numbness, tingling or weakness in the leg",
                            "tell a professional about any of these without waiting.",
                        ),
                        Item(
                            "Pain that gets in the way of daily life",
                            "it keeps you from your work, your sleep or getting around.",
                        ),
                    ),
                ),
                ItemList(
                    heading="Who can help",
                    id="who-can-help",
                    items=(
                        Item("Physical therapist", "a specialist in muscles and movement."),
                        Item(
                            "Chiropractor", "works on the spine, joints and the muscles round them."
                        ),
                        Item("Doctor", "your family doctor can examine you and refer you on."),
                    ),
                ),
                ItemList(
                    heading="What they may do",
                    id="treatments",
                    intro=(
                        "First they find out what is really behind the pain. Then they may "
                        "suggest, for example:"
                    ),
                    items=(
                        Item(
                            "Physical therapy",
                            "exercises and hands-on work, planned for your body.",
                        ),
                        Item(
                            "Dry needling",
                            "a fine needle placed into the trigger point to make it let go.",
                        ),
                        Item("Massage", "deeper, targeted work on the tight muscle."),
                    ),
                ),
                Paragraph("Other treatments may suit you better; that is for them to judge."),
            ),
        ),
        Section(
            id="stretches",
            title="The stretches",
            blocks=(
                Paragraph(
                    "Each reminder suggests one of these, in turn. All of them fit into two "
                    "minutes or less, in work clothes, at or beside your desk. Move gently and "
                    "stop if a stretch hurts."
                ),
                StretchGallery(),
            ),
        ),
        Section(
            id="not-medical-advice",
            title="This is not medical advice",
            note=True,
            blocks=(
                Paragraph(
                    "This guide explains a common problem in plain words. It cannot examine "
                    "you, tell you what is wrong, or replace a doctor or a physical therapist. "
                    "If you are worried about pain, or a stretch hurts, stop and ask one of "
                    "them."
                ),
            ),
        ),
        Section(
            id="sources",
            title="Sources",
            blocks=(
                ItemList(
                    intro="The facts in this guide come from these sources, in our own words:",
                    items=(
                        Item(
                            "Ora, \u201cWhat causes a knot in your buttocks?\u201d",
                            "causes, symptoms, self-care and when to see a professional.",
                        ),
                        Item(
                            "NHS, \u201cSciatica\u201d (nhs.uk/conditions/sciatica)",
                            "nerve pain down the leg, and the signs that need help at once.",
                        ),
                        Item(
                            "Royal Free London NHS Foundation Trust, \u201cCauda equina "
                            "syndrome\u201d, patient leaflet",
                            "saddle numbness and new bladder or bowel trouble.",
                        ),
                        Item(
                            "NHS, \u201cDeep vein thrombosis (DVT)\u201d "
                            "(nhs.uk/conditions/deep-vein-thrombosis-dvt)",
                            "the signs of a blood clot in the leg.",
                        ),
                    ),
                ),
                Paragraph(f"Last reviewed: {REVIEWED.day} {REVIEWED:%B %Y}."),
            ),
        ),
    ),
    footer=(
        "Part of Sitting Reminder. This page is stored on your computer and loads nothing "
        "from the internet."
    ),
    reviewed=REVIEWED,
    glance=(
        ("Get help today if", "urgent"),
        ("Seven causes", "causes"),
        ("Five symptoms", "symptoms"),
        ("See a professional if", "warning-signs"),
    ),
)

# `sitting-reminder guide --section ...`: the parts a person asks for by name.
CLI_SECTIONS: tuple[str, ...] = ("causes", "symptoms", "urgent", "professional", "stretches")

# Sections printed before the one asked for: the urgent signs come with the professional ones.
PRINTED_BEFORE: dict[str, tuple[str, ...]] = {"professional": ("urgent",)}

# Sections every excerpt ends with.
ALWAYS_AT_THE_END: tuple[str, ...] = ("not-medical-advice", "sources")
