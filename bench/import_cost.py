"""Memory each imported module adds: import a list of modules in order, measuring this process.

Given the modules a launch imported (from its PYTHONPROFILEIMPORTTIME lines, which
list a module after its own imports), import them in that order in this fresh
process and print, as JSON, the growth of this process's resident memory that each
one caused, split as /proc/self/status does: `RssAnon` (Python objects, C heaps,
relocated library data) and `RssFile` (the library and extension code it touched).
Modules that fail to import are left out.

`--blocked a,b` makes those modules unimportable first, as `sitting-reminder run`
does (reminder/cli.py `_keep_unused_native_libraries_out`), so the libraries they
would load are not counted.

    python bench/import_cost.py [--blocked ssl,PIL._imagingft] MODULE...
"""

from __future__ import annotations

import importlib
import json
import sys
import warnings
from pathlib import Path


def resident_kib() -> tuple[int, int]:
    """(RssAnon, RssFile) of this process in KiB."""
    found = {"RssAnon": 0, "RssFile": 0}
    for line in Path("/proc/self/status").read_text().splitlines():
        key = line.split(":", 1)[0]
        if key in found:
            found[key] = int(line.split()[1])
    return found["RssAnon"], found["RssFile"]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--blocked"]:
        for name in argv[1].split(","):
            if name:
                sys.modules[name] = None  # type: ignore[assignment]
        argv = argv[2:]
    warnings.simplefilter("ignore")
    costs: list[tuple[str, int, int]] = [("(interpreter and site)", *resident_kib())]
    for name in argv:
        if name in sys.modules:
            continue
        anon, file = resident_kib()
        try:
            importlib.import_module(name)
        except Exception:  # a platform module (Windows, macOS) or one needing set-up first
            continue
        anon_after, file_after = resident_kib()
        costs.append((name, anon_after - anon, file_after - file))
    print(json.dumps(costs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
