"""`sitting-reminder doctor`: one health report of this desk, for IT and the help desk.

`run_doctor` collects the report (`reminder.doctor._probes`), prints it as text or
as one JSON document (`reminder.doctor._report`, which also says what counts as a
problem), and returns the exit code: 0 when all is well, 1 when something is not,
with a one-line summary naming each problem.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from reminder.configuration.loader import Platform
from reminder.doctor._probes import collect_report
from reminder.doctor._report import Report, problems_by_section, render_text, report_json
from reminder.errors import EXIT_FAILURE, EXIT_OK


def doctor_report(
    user_file: Path | None = None,
    *,
    platform: Platform | None = None,
    environ: Mapping[str, str] | None = None,
    system: str | None = None,
) -> Report:
    """Look at the whole desk; never raises for what it finds (a failed probe says why).

    `platform` (the registry, managed preferences and cache) and `environ` are this
    machine's by default; tests pass stand-ins for the OS parts that cannot exist here.
    """
    return asyncio.run(
        collect_report(
            user_file,
            platform=platform or Platform.current(),
            environ=dict(os.environ if environ is None else environ),
            system=system or sys.platform,
        )
    )


def run_doctor(user_file: Path | None, *, as_json: bool) -> int:
    """Print the report; 0 when all is well, 1 when a problem was found."""
    report = doctor_report(user_file)
    if as_json:
        print(json.dumps(report_json(report), indent=2))
    else:
        print(render_text(report))
    problems = problems_by_section(report)
    return EXIT_FAILURE if any(problems.values()) else EXIT_OK


__all__ = ["doctor_report", "run_doctor"]
