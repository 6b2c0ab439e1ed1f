"""Memory each imported module adds: import a list of modules in order, measuring its data.

Given the modules a launch imported (from its PYTHONPROFILEIMPORTTIME lines, which
list a module after its own imports), import them in that order in this fresh
process and print, as JSON, the growth of this process's anonymous memory
(`Anonymous:` in /proc/self/smaps_rollup: Python objects, C heaps, relocated
library data) that each one caused. Library code pages are left out: how much of
them a process pays for depends on what else runs. Modules that fail to import are
reported with a negative size.

    python bench/import_cost.py MODULE...      (run.py runs it inside the desktop)
"""

from __future__ import annotations

import importlib
import json
import sys
import warnings
from pathlib import Path


def anonymous_kib() -> int:
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Anonymous:"):
            return int(line.split()[1])
    return 0


def main(modules: list[str]) -> int:
    warnings.simplefilter("ignore")
    costs: list[tuple[str, int]] = [("(interpreter and site)", anonymous_kib())]
    for name in modules:
        if name in sys.modules:
            continue
        before = anonymous_kib()
        try:
            importlib.import_module(name)
        except Exception:  # a platform module (Windows, macOS) or one needing set-up first
            costs.append((name, -1))
            continue
        costs.append((name, anonymous_kib() - before))
    print(json.dumps(costs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
