"""Files generated from the key table, so that no channel can forget a key.

    python -m reminder.configuration.generate           rewrite every generated file
    python -m reminder.configuration.generate --check   exit 1 naming the files out of date

`GENERATED` maps each file (relative to the repository root) to the function
that renders it; tests/test_generated.py runs the check.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from reminder.configuration.keys import TABLE, TABLE_NOTES

REPO = Path(__file__).resolve().parents[2]

_HEADER = """\
# Sitting Reminder: built-in defaults.
#
# GENERATED from reminder/configuration/keys.py by
# `python -m reminder.configuration.generate`; edit the key table, not this file.
#
# Every key the service understands is listed here with its default. Do not
# edit this file: copy the keys you want to change into your own file,
#   ~/.config/sitting-reminder/config.toml          (you)
#   /etc/xdg/sitting-reminder/config.toml           (your IT department; config.d/*.toml too)
# `sitting-reminder config paths` lists every file read on this machine, and
# `sitting-reminder config show --origin` says where each value came from.
#
# Durations are strings with units: "90s", "45m", "1h30m". A bare number is an
# error, and so is a value outside the range each key gives. Values under a
# minute work (handy to try things out) but `config validate` warns about them.
"""

_FOOTER = """\
# A managed (IT) file may also hold, and only a managed file may hold:
# [managed]
# locked = ["reminders.sitting_limit", "schedule.*"]   # dotted keys, * globs
"""


def toml_literal(value: Any) -> str:
    """A value as TOML source text (the forms configuration files use)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _comment(text: str) -> list[str]:
    return ["# " + line for line in textwrap.wrap(text, width=76, break_on_hyphens=False)]


def default_toml() -> str:
    """config/default.toml: every key with its description and default, table by table."""
    lines = [_HEADER.rstrip("\n")]
    table = None
    for key in TABLE:
        if key.table != table:
            table = key.table
            lines += ["", f"[{table}]"]
            note = TABLE_NOTES.get(table)
            if note:
                lines += _comment(note)
        if key.table not in TABLE_NOTES:
            lines += _comment(key.description)
        lines.append(f"{key.leaf} = {toml_literal(key.default)}")
    lines += ["", _FOOTER.rstrip("\n")]
    return "\n".join(lines) + "\n"


def _admx() -> str:
    from reminder.configuration.admx import render_admx

    return render_admx()


def _adml() -> str:
    from reminder.configuration.admx import render_adml

    return render_adml()


def _mobileconfig() -> str:
    from reminder.configuration.mobileconfig import render_mobileconfig

    return render_mobileconfig()


def _domain_plist() -> str:
    from reminder.configuration.mobileconfig import render_domain_plist

    return render_domain_plist()


GENERATED: dict[str, Callable[[], str]] = {
    "config/default.toml": default_toml,
    "policy/windows/sitting-reminder.admx": _admx,
    "policy/windows/en-US/sitting-reminder.adml": _adml,
    "policy/macos/sitting-reminder.mobileconfig": _mobileconfig,
    "policy/macos/org.sitting-reminder.plist": _domain_plist,
}


def out_of_date(root: Path = REPO) -> list[str]:
    """The generated files whose committed text differs from what the table gives."""
    stale = []
    for relative, render in GENERATED.items():
        path = root / relative
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != render():
            stale.append(relative)
    return stale


def write_all(root: Path = REPO) -> list[str]:
    """Rewrite every generated file; return the ones that changed."""
    from reminder.atomic import write_text_atomically

    changed = out_of_date(root)
    for relative in changed:
        write_text_atomically(root / relative, GENERATED[relative](), mode=0o644)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reminder.configuration.generate")
    parser.add_argument("--check", action="store_true", help="only say what is out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = out_of_date()
        for relative in stale:
            print(f"out of date: {relative} (run python -m reminder.configuration.generate)")
        return 1 if stale else 0
    for relative in write_all():
        print(f"wrote {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
