"""A pytest plugin for `make mutation` only: each mutant meets the quick tests first.

mutmut stops a mutant's run at its first failing test, so running the example tests
before the property tests (hypothesis, seconds each) makes most kills cheap; a
survivor runs them all either way. Loaded with `-p mutation_order` from
[tool.mutmut] pytest_add_cli_args; plain `pytest` runs never load it.
"""

from __future__ import annotations

import pytest


def _generated(item: pytest.Item) -> bool:
    function = getattr(item, "obj", None)
    return bool(getattr(function, "is_hypothesis_test", False))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_generated)  # stable: the order within each group stays
