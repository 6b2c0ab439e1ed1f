"""Files generated from the key table are committed up to date, so no channel forgets a key."""

from __future__ import annotations

import sys
from pathlib import Path

from reminder.configuration.generate import GENERATED, out_of_date
from reminder.configuration.keys import KEYS, validate
from reminder.tomlfile import read_toml_file

ROOT = Path(__file__).resolve().parents[1]


def test_every_generated_file_matches_the_key_table() -> None:
    stale = out_of_date(ROOT)
    assert stale == [], f"run `{sys.executable} -m reminder.configuration.generate`: {stale}"


def test_default_toml_holds_every_key_with_a_default_that_validates() -> None:
    assert "config/default.toml" in GENERATED
    data, _ = read_toml_file(ROOT / "config" / "default.toml", example="")
    flat: dict[str, object] = {}
    for table, values in data.items():
        for leaf, value in values.items():
            if isinstance(value, dict):
                flat.update({f"{table}.{leaf}.{k}": v for k, v in value.items()})
            else:
                flat[f"{table}.{leaf}"] = value
    assert sorted(flat) == sorted(KEYS)
    for key, value in flat.items():
        validate(key, value)  # raises for a default the loader would refuse
