"""The stretch catalog (config/stretches.toml), its validation, and its rotation.

The built-in catalog ships in the wheel as `reminder/data/stretches.toml`, with a
picture of each stretch in `reminder/data/pictures/` (drawn by `reminder.pictures`). The
`stretches.file` setting names a file with the same `[[stretch]]` tables that
either extends the built-in catalog (the default: add entries, override an entry
by reusing its id, drop entries with `remove = [...]`) or replaces it
(`mode = "replace"`). Every problem raises `ConfigError` naming the file, the
line where known, the key (`stretch[3].steps`), what was expected and what was
found.

Each stretch may carry tags ("seated", "standing", "discreet") and a picture: an SVG
or PNG file named relative to the catalog file that names it. `filter_by_tags` narrows
a catalog to the tags a user asked for (the `stretches.only` setting).
"""

from __future__ import annotations

import difflib
import os
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from reminder.durations import parse_duration
from reminder.errors import ConfigError
from reminder.tomlfile import read_toml_file

CATALOG_FILE_NAME = "stretches.toml"
GLUTE_TARGETS = frozenset({"gluteus maximus", "gluteus medius", "piriformis"})

MAX_DURATION = timedelta(minutes=2)
MIN_STEPS = 2
MAX_STEPS = 4
MAX_STEP_CHARS = 90
MAX_NAME_CHARS = 40
MAX_CAUTION_CHARS = 160

TAGS = ("seated", "standing", "discreet")
PICTURE_SUFFIXES = (".svg", ".png")

TOP_LEVEL_KEYS = ("mode", "remove", "stretch")
STRETCH_KEYS = ("id", "name", "targets", "duration", "steps", "caution", "tags", "picture")
MODES = ("extend", "replace")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TABLE_HEADER = re.compile(r"^\s*\[")
_STRETCH_HEADER = re.compile(r"^\s*\[\[\s*stretch\s*\]\]")


@dataclass(frozen=True)
class Stretch:
    """One movement an office worker can do in work clothes in under two minutes."""

    id: str
    name: str
    targets: tuple[str, ...]
    duration: timedelta
    steps: tuple[str, ...]
    caution: str | None = None
    tags: tuple[str, ...] = ()  # from TAGS: "seated", "standing", "discreet"
    picture: Path | None = None  # an absolute path to an existing .svg or .png file

    @property
    def aims_at_glutes(self) -> bool:
        """Whether it works the gluteus maximus, gluteus medius or piriformis."""
        return any(target in GLUTE_TARGETS for target in self.targets)

    @property
    def targets_phrase(self) -> str:
        """The targets as words in a sentence: "piriformis and gluteus maximus"."""
        if len(self.targets) == 1:
            return self.targets[0]
        return ", ".join(self.targets[:-1]) + " and " + self.targets[-1]

    @property
    def raster_picture(self) -> Path | None:
        """The picture as a raster file for notification servers: the PNG shipped beside an
        SVG where there is one, else the picture itself (None without a picture)."""
        if self.picture is None or self.picture.suffix.lower() != ".svg":
            return self.picture
        png = self.picture.with_suffix(".png")
        return png if png.is_file() else self.picture


def filter_by_tags(catalog: Sequence[Stretch], only: Sequence[str]) -> tuple[Stretch, ...]:
    """The stretches that carry *any* of the tags in `only`; the whole catalog when it is empty.

    "Any", so that each tag widens the choice: only = ["seated", "discreet"] keeps every
    stretch done in the chair and every stretch nobody will notice. A stretch without
    tags is kept only when `only` is empty. The order of the catalog is kept. The result
    may be empty (no stretch has those tags): the caller decides what that means.
    Raises ValueError for a tag that is not one of TAGS (the configuration checks them first).
    """
    unknown = [tag for tag in only if tag not in TAGS]
    if unknown:
        raise ValueError(f"unknown stretch tags {unknown}; known: {', '.join(TAGS)}")
    if not only:
        return tuple(catalog)
    wanted = set(only)
    return tuple(stretch for stretch in catalog if wanted.intersection(stretch.tags))


def built_in_catalog_file() -> Path:
    """The catalog shipped with the package."""
    # Imported here: reminder.paths needs platformdirs, which the rest of this module does not.
    from reminder.paths import bundled_file

    return bundled_file(CATALOG_FILE_NAME)


def load_catalog(path: Path | None = None) -> tuple[Stretch, ...]:
    """The stretch catalog: the built-in one, or the built-in one changed by the file at `path`.

    Raises ConfigError for anything wrong in either file.
    """
    built_in_path = built_in_catalog_file()
    built_in = _read_catalog_file(built_in_path, allow_mode=False)
    if path is None:
        return built_in.stretches
    user = _read_catalog_file(path, allow_mode=True)
    if user.mode == "replace":
        if not user.stretches:
            raise ConfigError(
                str(path),
                'mode = "replace" needs at least one stretch',
                key="stretch",
                expected="one or more [[stretch]] tables",
                found="none",
            )
        return user.stretches
    by_id = {stretch.id: stretch for stretch in built_in.stretches}
    for index, stretch_id in enumerate(user.remove):
        if stretch_id not in by_id:
            raise ConfigError(
                str(path),
                "no built-in stretch has this id" + _hint(stretch_id, list(by_id)),
                key=f"remove[{index + 1}]",
                line=_locate_top_level(user.text, "remove"),
                expected="the id of a built-in stretch",
                found=f'"{stretch_id}"',
            )
        del by_id[stretch_id]
    for stretch in user.stretches:
        by_id[stretch.id] = stretch  # same id: the file's entry overrides the built-in one
    if not by_id:
        raise ConfigError(
            str(path),
            "the catalog is empty after removing stretches",
            key="remove",
            line=_locate_top_level(user.text, "remove"),
            expected="at least one stretch left",
            found="none",
        )
    return tuple(by_id.values())


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class _CatalogFile:
    mode: str
    remove: tuple[str, ...]
    stretches: tuple[Stretch, ...]
    text: str


def _read_catalog_file(path: Path, *, allow_mode: bool) -> _CatalogFile:
    where = str(path)
    data, text = _read_toml(path)

    def fail(key: str, expected: str, value: object, message: str = "invalid value") -> ConfigError:
        return ConfigError(
            where,
            message,
            key=key,
            line=_locate_top_level(text, key),
            expected=expected,
            found=_describe(value),
        )

    allowed = TOP_LEVEL_KEYS if allow_mode else ("stretch",)
    for key in data:
        if key not in allowed:
            raise ConfigError(
                where,
                "unknown key" + _hint(key, list(allowed)),
                key=key,
                line=_locate_top_level(text, key),
            )
    mode = data.get("mode", "extend")
    if mode not in MODES:
        raise fail("mode", '"extend" or "replace"', mode)
    remove = data.get("remove", [])
    if not isinstance(remove, list) or not all(isinstance(item, str) for item in remove):
        raise fail("remove", 'a list of stretch ids such as ["stairs"]', remove)
    if remove and mode == "replace":
        message = 'remove only applies with mode = "extend"'
        raise fail("remove", 'no remove list with mode = "replace"', remove, message)
    tables = data.get("stretch", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise fail("stretch", "[[stretch]] tables", tables)
    stretches: list[Stretch] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(tables, start=1):
        stretch = _parse_stretch(where, text, index, table, path.parent)
        if stretch.id in seen:
            raise ConfigError(
                where,
                f"duplicate id, already used by stretch[{seen[stretch.id]}]",
                key=f"stretch[{index}].id",
                line=_locate_in_stretch(text, index, "id"),
                expected="an id used once in the file",
                found=f'"{stretch.id}"',
            )
        seen[stretch.id] = index
        stretches.append(stretch)
    return _CatalogFile(mode, tuple(remove), tuple(stretches), text)


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    return read_toml_file(
        path,
        example='name = "Hip hinge" under [[stretch]]',
        missing="the stretch catalog file does not exist",
    )


def _parse_stretch(
    where: str, text: str, index: int, table: Mapping[str, Any], folder: Path
) -> Stretch:
    """One `[[stretch]]` table, checked field by field; a picture is found from `folder`."""

    def fail(key: str, expected: str, found: str, message: str = "invalid value") -> ConfigError:
        line = _locate_in_stretch(text, index, key)
        return ConfigError(
            where,
            message,
            key=f"stretch[{index}].{key}",
            line=line,
            expected=expected,
            found=found,
        )

    for key in table:
        if key not in STRETCH_KEYS:
            raise ConfigError(
                where,
                "unknown key" + _hint(key, list(STRETCH_KEYS)),
                key=f"stretch[{index}].{key}",
                line=_locate_in_stretch(text, index, key),
            )
    for key in ("id", "name", "targets", "duration", "steps"):
        if key not in table:
            raise fail(key, _EXPECTED[key], "nothing", "missing key")

    stretch_id = table["id"]
    if not isinstance(stretch_id, str) or not _SLUG.match(stretch_id):
        raise fail("id", _EXPECTED["id"], _describe(stretch_id))
    name = table["name"]
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_CHARS:
        raise fail("name", _EXPECTED["name"], _describe(name))
    targets = table["targets"]
    if (
        not isinstance(targets, list)
        or not targets
        or not all(isinstance(target, str) and target.strip() for target in targets)
    ):
        raise fail("targets", _EXPECTED["targets"], _describe(targets))
    duration_text = table["duration"]
    if not isinstance(duration_text, str):
        raise fail("duration", _EXPECTED["duration"], _describe(duration_text))
    try:
        duration = parse_duration(duration_text)
    except ValueError:
        raise fail("duration", _EXPECTED["duration"], _describe(duration_text)) from None
    if not timedelta(0) < duration <= MAX_DURATION:
        raise fail("duration", _EXPECTED["duration"], _describe(duration_text))
    steps = table["steps"]
    if not isinstance(steps, list) or not all(isinstance(step, str) for step in steps):
        raise fail("steps", _EXPECTED["steps"], _describe(steps))
    if not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise fail("steps", _EXPECTED["steps"], f"{len(steps)} steps")
    for number, step in enumerate(steps, start=1):
        if not step.strip() or len(step) > MAX_STEP_CHARS:
            raise fail(
                "steps",
                f"each step 1 to {MAX_STEP_CHARS} characters long",
                f"step {number} with {len(step)} characters",
            )
    caution = table.get("caution")
    if caution is not None and (
        not isinstance(caution, str) or not caution.strip() or len(caution) > MAX_CAUTION_CHARS
    ):
        raise fail("caution", _EXPECTED["caution"], _describe(caution))
    tags = table.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise fail("tags", _EXPECTED["tags"], _describe(tags))
    for tag in tags:
        if tag not in TAGS:
            raise fail(
                "tags", _EXPECTED["tags"], f'"{tag}"', "unknown tag" + _hint(tag, list(TAGS))
            )
        if tags.count(tag) > 1:
            raise fail("tags", "each tag once", f'"{tag}" {tags.count(tag)} times', "repeated tag")
    picture_text = table.get("picture")
    picture: Path | None = None
    if picture_text is not None:
        if (
            not isinstance(picture_text, str)
            or not picture_text.strip()
            or Path(picture_text.strip()).suffix.lower() not in PICTURE_SUFFIXES
        ):
            raise fail("picture", _EXPECTED["picture"], _describe(picture_text))
        picture = Path(
            os.path.normpath(folder.absolute() / Path(picture_text.strip()).expanduser())
        )
        if not picture.is_file():
            raise fail(
                "picture",
                _EXPECTED["picture"],
                _describe(picture_text),
                f"the picture file does not exist: {picture}",
            )
    return Stretch(
        id=stretch_id,
        name=name.strip(),
        targets=tuple(target.strip().lower() for target in targets),
        duration=duration,
        steps=tuple(step.strip() for step in steps),
        caution=caution.strip() if caution else None,
        tags=tuple(tags),
        picture=picture,
    )


_EXPECTED = {
    "id": 'a lower-case slug such as "seated-figure-four"',
    "name": f"a name of 1 to {MAX_NAME_CHARS} characters",
    "targets": 'a non-empty list of muscle names such as ["gluteus medius"]',
    "duration": 'a duration with units of at most two minutes, such as "45s" or "2m"',
    "steps": f'a list of {MIN_STEPS} to {MAX_STEPS} short steps, such as ["Stand up.", "Walk."]',
    "caution": f"a note of 1 to {MAX_CAUTION_CHARS} characters",
    "tags": 'a list of tags from "seated", "standing", "discreet", such as ["seated", "discreet"]',
    "picture": (
        "the path of an .svg or .png file, relative to this catalog file, such as "
        '"pictures/desk-push-up.svg"'
    ),
}


def _hint(key: str, known: list[str]) -> str:
    match = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else f" (valid: {', '.join(known)})"


def _describe(value: Any) -> str:
    """How a found value is shown in an error: its TOML type and value."""
    if isinstance(value, bool):
        return f"a boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"a bare number {value}"
    if isinstance(value, str):
        return f'the string "{value}"'
    if isinstance(value, list):
        return f"a list with {len(value)} items" if value else "an empty list"
    if isinstance(value, dict):
        return "a table"
    return f"{type(value).__name__} {value!r}"


def _locate_top_level(text: str, key: str) -> int | None:
    """The line of a top-level `key = ...` or `[[key]]` (best effort)."""
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
    for number, line in enumerate(text.splitlines(), start=1):
        if _TABLE_HEADER.match(line):
            header = line.strip().strip("[]").strip()
            if header == key:
                return number
            return None  # past the top-level keys
        if pattern.match(line):
            return number
    return None


def _locate_in_stretch(text: str, index: int, key: str) -> int | None:
    """The line of `key` in the index-th `[[stretch]]` table, else of its header (best effort)."""
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
    seen = 0
    header_line: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if _STRETCH_HEADER.match(line):
            seen += 1
            if seen == index:
                header_line = number
                continue
            if seen > index:
                break
        elif _TABLE_HEADER.match(line) and header_line is not None:
            break
        elif header_line is not None and pattern.match(line):
            return number
    return header_line


# ------------------------------------------------------------------ rotation


class StretchRotation:
    """Hands out stretches in a shuffled order with no repeat until all were used.

    Not thread-safe: the engine thread alone calls `next`.
    """

    def __init__(self, catalog: Sequence[Stretch], rng: random.Random) -> None:
        if not catalog:
            raise ValueError("the stretch catalog is empty")
        self._catalog = tuple(catalog)
        self._rng = rng
        self._queue: list[Stretch] = []
        self._last: Stretch | None = None

    def next(self) -> Stretch:
        """The next stretch; a new round never starts with the one just shown."""
        if not self._queue:
            round_ = list(self._catalog)
            self._rng.shuffle(round_)
            if len(round_) > 1 and round_[0] == self._last:
                round_.append(round_.pop(0))
            self._queue = round_
        self._last = self._queue.pop(0)
        return self._last
