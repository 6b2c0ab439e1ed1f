"""The stretch catalog: the shipped file, user and IT files that change it, and the rotation.

Everything here is real: real TOML files in tmp folders, the real shipped
catalog, a real (seeded) random.Random injected into the rotation.
"""

from __future__ import annotations

import itertools
import random
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from reminder.errors import EXIT_USAGE, ConfigError
from reminder.stretches import (
    GLUTE_TARGETS,
    MAX_STEP_CHARS,
    TAGS,
    Stretch,
    StretchRotation,
    built_in_catalog_file,
    filter_by_tags,
    load_catalog,
)

GOOD_ENTRY = """
[[stretch]]
id = "desk-push-up"
name = "Desk push-up"
targets = ["chest", "triceps"]
duration = "45s"
steps = ["Hands on the desk edge, step back.", "Lower your chest, push back up; ten times."]
"""


def write(tmp_path: Path, text: str, name: str = "stretches.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ------------------------------------------------------------ the shipped catalog


def test_shipped_catalog_is_valid_and_big_enough() -> None:
    catalog = load_catalog()
    assert len(catalog) >= 14
    glute = [stretch for stretch in catalog if stretch.aims_at_glutes]
    assert len(glute) >= 8, [stretch.id for stretch in glute]
    assert len({stretch.id for stretch in catalog}) == len(catalog)


def test_shipped_entries_read_in_one_glance() -> None:
    """A prompt shows a name, 2 to 4 short steps, at most two minutes of effort."""
    for stretch in load_catalog():
        assert 2 <= len(stretch.steps) <= 4, stretch.id
        assert all(0 < len(step) <= MAX_STEP_CHARS for step in stretch.steps), stretch.id
        assert timedelta(0) < stretch.duration <= timedelta(minutes=2), stretch.id
        assert stretch.targets and stretch.name


def test_shipped_catalog_names_the_classic_glute_moves() -> None:
    ids = {stretch.id for stretch in load_catalog()}
    for expected in (
        "seated-figure-four",
        "standing-figure-four",
        "knee-to-opposite-shoulder",
        "glute-squeeze",
        "hip-hinge",
        "standing-side-leg-raise",
        "short-walk",
        "stairs",
    ):
        assert expected in ids


def test_balance_and_joint_cautions_are_present() -> None:
    by_id = {stretch.id: stretch for stretch in load_catalog()}
    assert "balance" in (by_id["standing-figure-four"].caution or "")
    assert "hip replacement" in (by_id["seated-figure-four"].caution or "")
    assert "knees" in (by_id["stairs"].caution or "")


def test_the_catalog_ships_inside_the_package() -> None:
    """reminder/data is the config folder, so the toml travels in the wheel."""
    path = built_in_catalog_file()
    assert path.is_file()
    assert path.resolve() == (Path(__file__).parents[1] / "config" / "stretches.toml").resolve()


def test_every_built_in_stretch_has_its_picture_and_tags() -> None:
    """The shipped pictures sit beside the catalog, an SVG and a PNG per stretch."""
    pictures = built_in_catalog_file().parent / "pictures"
    for stretch in load_catalog():
        assert stretch.picture == pictures / f"{stretch.id}.svg", stretch.id
        assert stretch.picture.is_file(), stretch.id
        assert stretch.raster_picture == pictures / f"{stretch.id}.png", stretch.id
        assert stretch.tags and set(stretch.tags) <= set(TAGS), stretch.id


@pytest.mark.parametrize(
    ("stretch_id", "tags"),
    [
        ("seated-figure-four", {"seated", "discreet"}),
        ("seated-knee-press-out", {"seated", "discreet"}),
        ("glute-squeeze", {"seated", "standing", "discreet"}),
        ("shoulder-rolls", {"seated", "standing", "discreet"}),
        ("sit-to-stand", {"standing"}),  # you get up: not for someone who must stay seated
        ("stairs", {"standing"}),
        ("calf-raises", {"standing", "discreet"}),
    ],
)
def test_built_in_tags_say_how_the_stretch_is_done(stretch_id: str, tags: set[str]) -> None:
    by_id = {stretch.id: stretch for stretch in load_catalog()}
    assert set(by_id[stretch_id].tags) == tags


def test_seated_and_standing_split_the_catalog_sensibly() -> None:
    catalog = load_catalog()
    for stretch in catalog:
        assert "seated" in stretch.tags or "standing" in stretch.tags, stretch.id
        if "seated" in stretch.tags and "standing" not in stretch.tags:
            assert "Stand" not in " ".join(stretch.steps), stretch.id


# ------------------------------------------------------------------ tags


def test_filter_by_tags_keeps_stretches_with_any_of_the_tags() -> None:
    catalog = load_catalog()
    seated = filter_by_tags(catalog, ["seated"])
    discreet = filter_by_tags(catalog, ["discreet"])
    either = filter_by_tags(catalog, ["seated", "discreet"])
    assert {s.id for s in seated} == {s.id for s in catalog if "seated" in s.tags}
    assert "calf-raises" in {s.id for s in either} - {s.id for s in seated}  # discreet, standing
    assert {s.id for s in either} == {s.id for s in seated} | {s.id for s in discreet}
    assert [s.id for s in either] == [s.id for s in catalog if s in either]  # catalog order kept


def test_filter_by_tags_with_no_tags_is_the_whole_catalog() -> None:
    catalog = load_catalog()
    assert filter_by_tags(catalog, ()) == catalog


def test_filter_by_tags_drops_untagged_stretches_and_may_end_empty() -> None:
    untagged = Stretch("walk", "Walk", ("calves",), timedelta(minutes=1), ("Up.", "Walk."))
    assert filter_by_tags([untagged], []) == (untagged,)
    assert filter_by_tags([untagged], ["seated"]) == ()


def test_filter_by_tags_refuses_an_unknown_tag() -> None:
    with pytest.raises(ValueError, match="known: seated, standing, discreet"):
        filter_by_tags(load_catalog(), ["sitting"])


# ------------------------------------------------------------------ rotation


def test_rotation_never_repeats_within_a_round_and_covers_the_catalog() -> None:
    catalog = load_catalog()
    rotation = StretchRotation(catalog, random.Random(7))
    shown = [rotation.next() for _ in range(len(catalog) * 3)]
    rounds = [shown[i : i + len(catalog)] for i in range(0, len(shown), len(catalog))]
    for round_ in rounds:
        assert sorted(s.id for s in round_) == sorted(s.id for s in catalog)
    for previous, following in itertools.pairwise(shown):
        assert previous != following  # not even across a round boundary


def test_rotation_order_comes_from_the_injected_generator() -> None:
    catalog = load_catalog()

    def sequence(seed: int) -> list[str]:
        rotation = StretchRotation(catalog, random.Random(seed))
        return [rotation.next().id for _ in range(len(catalog) * 2)]

    assert sequence(1) == sequence(1)  # same generator state, same prompts
    assert sequence(1) != sequence(2)


def test_rotation_of_a_single_stretch_repeats_it() -> None:
    only = Stretch("walk", "Walk", ("gluteus maximus",), timedelta(minutes=1), ("Up.", "Walk."))
    rotation = StretchRotation([only], random.Random(0))
    assert [rotation.next() for _ in range(3)] == [only, only, only]


# ------------------------------------------------------ user and IT catalog files


def test_extend_adds_to_the_built_in_catalog(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ENTRY)  # no mode: extend is the default
    catalog = load_catalog(path)
    assert len(catalog) == len(load_catalog()) + 1
    added = next(stretch for stretch in catalog if stretch.id == "desk-push-up")
    assert added.duration == timedelta(seconds=45)
    assert added.targets == ("chest", "triceps")
    assert not added.aims_at_glutes


def test_extend_can_override_and_remove_built_in_entries(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        mode = "extend"
        remove = ["stairs", "calf-raises"]

        [[stretch]]
        id = "short-walk"
        name = "Walk to the far kitchen"
        targets = ["gluteus maximus"]
        duration = "2m"
        steps = ["Stand up.", "Walk to the kitchen on the third floor and back."]
        """,
    )
    catalog = load_catalog(path)
    ids = [stretch.id for stretch in catalog]
    assert "stairs" not in ids and "calf-raises" not in ids
    assert ids.count("short-walk") == 1
    assert next(s for s in catalog if s.id == "short-walk").name == "Walk to the far kitchen"
    assert len(catalog) == len(load_catalog()) - 2


def test_replace_uses_only_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'mode = "replace"\n' + GOOD_ENTRY)
    catalog = load_catalog(path)
    assert [stretch.id for stretch in catalog] == ["desk-push-up"]


# ------------------------------------------------------------------ bad files


def error_for(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_catalog(path)
    error = caught.value
    assert str(path) in str(error)
    assert error.exit_code == EXIT_USAGE
    return error


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        [[stretch]]
        id = "a"
        name = "Missing quote
        """,
    )
    error = error_for(path)
    assert error.line == 3
    assert f"{path}, line 3" in str(error)
    assert "TOML syntax error" in str(error)


def test_unknown_key_suggests_the_nearest(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ENTRY.replace("steps =", "setps ="))
    error = error_for(path)
    assert error.key == "stretch[1].setps"
    assert 'did you mean "steps"?' in str(error)
    assert error.line == 7
    assert "line 7" in str(error)


def test_unknown_top_level_key_suggests_the_nearest(tmp_path: Path) -> None:
    path = write(tmp_path, 'mdoe = "replace"\n' + GOOD_ENTRY)
    error = error_for(path)
    assert error.key == "mdoe"
    assert 'did you mean "mode"?' in str(error)
    assert error.line == 1


def test_bare_number_duration_shows_the_expected_form(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ENTRY.replace('duration = "45s"', "duration = 45"))
    error = error_for(path)
    assert error.key == "stretch[1].duration"
    assert "a bare number 45" in str(error)
    assert '"45s"' in str(error)  # the expected form, with units
    assert error.line == 6


def test_duration_over_two_minutes_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ENTRY.replace('duration = "45s"', 'duration = "5m"'))
    error = error_for(path)
    assert error.key == "stretch[1].duration"
    assert "at most two minutes" in str(error)


def test_too_many_steps_is_refused(tmp_path: Path) -> None:
    steps = ", ".join(f'"Step {n}."' for n in range(1, 6))
    bad = GOOD_ENTRY.split("steps =")[0] + f"steps = [{steps}]\n"
    path = write(tmp_path, GOOD_ENTRY + bad.replace("desk-push-up", "second"))
    error = error_for(path)
    assert error.key == "stretch[2].steps"
    assert "2 to 4" in str(error) and "found 5 steps" in str(error)


def test_a_long_step_is_refused(tmp_path: Path) -> None:
    long_step = "x" * (MAX_STEP_CHARS + 1)
    path = write(tmp_path, GOOD_ENTRY.replace("Hands on the desk edge, step back.", long_step))
    error = error_for(path)
    assert error.key == "stretch[1].steps"
    assert f"step 1 with {MAX_STEP_CHARS + 1} characters" in str(error)


def test_duplicate_id_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ENTRY + GOOD_ENTRY)
    error = error_for(path)
    assert error.key == "stretch[2].id"
    assert "duplicate id" in str(error) and '"desk-push-up"' in str(error)
    assert error.line == 10


def test_missing_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ENTRY.replace('targets = ["chest", "triceps"]\n', ""))
    error = error_for(path)
    assert error.key == "stretch[1].targets"
    assert "missing key" in str(error)


def test_removing_an_unknown_built_in_suggests_one(tmp_path: Path) -> None:
    path = write(tmp_path, 'remove = ["stair"]\n')
    error = error_for(path)
    assert error.key == "remove[1]"
    assert 'did you mean "stairs"?' in str(error)


def test_bad_mode_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, 'mode = "merge"\n' + GOOD_ENTRY)
    error = error_for(path)
    assert error.key == "mode"
    assert '"extend" or "replace"' in str(error)


def test_missing_file_is_named(tmp_path: Path) -> None:
    error = error_for(tmp_path / "nowhere.toml")
    assert "does not exist" in str(error)


def test_a_user_catalog_names_a_picture_relative_to_itself(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    drawing = tmp_path / "mine" / "push-up.png"
    drawing.write_bytes(b"\x89PNG\r\n\x1a\n")
    entry = GOOD_ENTRY + 'picture = "mine/push-up.png"\ntags = ["standing"]\n'
    catalog = load_catalog(write(tmp_path, 'mode = "replace"\n' + entry))
    assert catalog[0].picture == drawing
    assert catalog[0].raster_picture == drawing
    assert catalog[0].tags == ("standing",)


def test_a_user_catalog_may_go_without_pictures_and_tags(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, GOOD_ENTRY))
    added = next(stretch for stretch in catalog if stretch.id == "desk-push-up")
    assert added.picture is None and added.raster_picture is None
    assert added.tags == ()


def test_an_overridden_built_in_keeps_no_picture_of_its_own(tmp_path: Path) -> None:
    """Reusing a built-in id replaces the whole entry: its picture too, unless named again."""
    entry = GOOD_ENTRY.replace('id = "desk-push-up"', 'id = "stairs"')
    stairs = next(s for s in load_catalog(write(tmp_path, entry)) if s.id == "stairs")
    assert stairs.picture is None


def test_a_missing_picture_is_named_with_where_it_was_looked_for(tmp_path: Path) -> None:
    entry = GOOD_ENTRY.replace(
        'duration = "45s"', 'duration = "45s"\npicture = "pictures/push-up.svg"'
    )
    path = write(tmp_path, GOOD_ENTRY.replace("desk-push-up", "first") + entry)
    error = error_for(path)
    assert error.key == "stretch[2].picture"
    assert error.line == 14
    assert f"the picture file does not exist: {tmp_path / 'pictures' / 'push-up.svg'}" in str(error)
    assert 'found the string "pictures/push-up.svg"' in str(error)
    assert "relative to this catalog file" in str(error)


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ('"push-up.gif"', 'the string "push-up.gif"'),
        ("3", "a bare number 3"),
        ('""', 'the string ""'),
    ],
)
def test_a_picture_must_be_an_svg_or_png_path(tmp_path: Path, value: str, found: str) -> None:
    path = write(tmp_path, GOOD_ENTRY + f"picture = {value}\n")
    error = error_for(path)
    assert error.key == "stretch[1].picture"
    assert error.line == 8
    assert "an .svg or .png file" in str(error) and found in str(error)


def test_an_unknown_tag_suggests_the_nearest(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ENTRY + 'tags = ["standing", "sated"]\n')
    error = error_for(path)
    assert error.key == "stretch[1].tags"
    assert error.line == 8
    assert 'unknown tag (did you mean "seated"?)' in str(error)
    assert 'found "sated"' in str(error)


@pytest.mark.parametrize(
    ("value", "found"),
    [('"seated"', 'the string "seated"'), ('["seated", "seated"]', '"seated" 2 times')],
)
def test_tags_must_be_a_list_of_distinct_tags(tmp_path: Path, value: str, found: str) -> None:
    error = error_for(write(tmp_path, GOOD_ENTRY + f"tags = {value}\n"))
    assert error.key == "stretch[1].tags"
    assert found in str(error)


def test_every_glute_target_is_spelled_as_the_prompts_expect() -> None:
    """The glute count relies on these exact muscle names."""
    names = {target for stretch in load_catalog() for target in stretch.targets}
    assert names >= GLUTE_TARGETS
