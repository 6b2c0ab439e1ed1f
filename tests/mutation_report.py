"""The score of a `mutmut run`, with the mutants it cannot run re-run in fresh interpreters.

`make mutation` runs this after `mutmut run`. mutmut 3 imports the code once, then
switches mutants per call in forked workers, so a function that runs only while a
module is imported (keys.py building its table: `Key.__post_init__`, `Key._parser`,
`_weekday`, and the parser factories of values.py it calls) keeps its original
behaviour in every worker, and all its mutants "survive". Each such survivor is
re-run here in a new interpreter with the mutant active from the start (mutmut's own
MUTANT_UNDER_TEST switch), against the tests of the table; it is killed when they fail.

Prints the score (killed of all mutants) and every mutant that survives both.
Exit status 0 whatever the score: the survivors are judged in docs/testing.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MUTANTS = Path("mutants")
IMPORT_TIME = (
    "reminder.configuration.keys.xǁKeyǁ__post_init__",
    "reminder.configuration.keys.xǁKeyǁ_parser",
    "reminder.configuration.keys.x__weekday",
    "reminder.configuration.values.x_duration_parser",
    "reminder.configuration.values.x_duration_list_parser",
    "reminder.configuration.values.x_choice_parser",
    "reminder.configuration.values.x_tag_list_parser",
)
TABLE_TESTS = ("tests/test_values.py", "tests/test_config.py", "tests/test_generated.py")
FRESH_RUN_TIMEOUT_S = 300


def results() -> dict[str, str]:
    """Every mutant's verdict, as `mutmut results --all true` lists them."""
    listing = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    verdicts = {}
    for line in listing.splitlines():
        name, _, verdict = line.strip().rpartition(": ")
        if name:
            verdicts[name] = verdict
    return verdicts


def runs_only_at_import(mutant: str) -> bool:
    function = mutant.rpartition("__mutmut_")[0]
    return function in IMPORT_TIME


def killed_in_a_fresh_interpreter(mutant: str) -> bool:
    """Whether the table's tests fail with `mutant` active from the first import on."""
    env = {**os.environ, "MUTANT_UNDER_TEST": mutant}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    try:
        done = subprocess.run(
            [*command, *TABLE_TESTS],
            cwd=MUTANTS,
            env=env,
            capture_output=True,
            timeout=FRESH_RUN_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return True  # a mutant that hangs the tests is caught, as mutmut counts a timeout
    return done.returncode != 0


def main() -> int:
    verdicts = results()
    if not verdicts:
        print("no mutation results: run `mutmut run` first", file=sys.stderr)
        return 2
    unreached = [name for name, verdict in verdicts.items() if verdict == "not checked"]
    if unreached:
        print(f"{len(unreached)} mutants were not checked: the run did not finish", file=sys.stderr)
        return 2
    if killed_in_a_fresh_interpreter(""):
        print("the table's tests fail with no mutant active: fix them first", file=sys.stderr)
        return 2
    survived = sorted(name for name, verdict in verdicts.items() if verdict == "survived")
    import_time = [name for name in survived if runs_only_at_import(name)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        verdicts_fresh = pool.map(killed_in_a_fresh_interpreter, import_time)
        fresh_kills = dict(zip(import_time, verdicts_fresh, strict=True))
    caught = {"killed", "timeout"}
    fresh = sum(fresh_kills.values())
    killed = sum(verdict in caught for verdict in verdicts.values()) + fresh
    left = [name for name in survived if not fresh_kills.get(name, False)]
    print(
        f"mutation score: {killed} killed of {len(verdicts)} mutants"
        f" ({fresh} of them import-time mutants, killed in a fresh interpreter)"
    )
    others = sorted(
        (name, verdict)
        for name, verdict in verdicts.items()
        if verdict not in caught and verdict != "survived"
    )
    for name, verdict in [*((name, "survived") for name in left), *others]:
        print(f"    {name}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
