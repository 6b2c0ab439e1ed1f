"""The `sitting-reminder` command line: parses arguments and maps errors to exit codes.

Every user-facing error is one paragraph on stderr with no traceback:
2 for usage and configuration errors, 3 when no service runs, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from reminder import __version__, paths
from reminder.configuration.loader import (
    DEFAULT_ORIGIN,
    Layer,
    LayerKind,
    LoadedConfig,
    advice,
    build_config,
    discover_layers,
    load_configuration,
    load_layers,
    read_layer,
)
from reminder.durations import format_duration, parse_duration
from reminder.errors import EXIT_OK, ConfigError, LockedKeyError, ReminderError, UsageError
from reminder.stretches import load_catalog

log = logging.getLogger("reminder")
PROG = "sitting-reminder"
COMMANDS = (
    "run", "status", "snooze", "pause", "resume", "break", "interval",
    "config", "plan", "guide", "stats", "autostart",
)  # fmt: skip


class _Parser(argparse.ArgumentParser):
    """argparse that says what to do next on a usage error (exit 2, no traceback)."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    # SUPPRESS: a subcommand must not reset `--config`/`-v` given before it; main() fills defaults.
    common = _Parser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--config", type=Path, metavar="PATH", help="use this file instead of your user config"
    )
    common.add_argument("-v", "--verbose", action="count", help="more detail in the log")

    parser = _Parser(
        prog=PROG,
        description="Gets you off your chair before long sitting spells knot your glutes.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", parents=[common], help="start the service (the default)")
    run.add_argument("--no-tray", action="store_true", help="no tray icon; prompts on the console")

    for name, help_text in (
        ("status", "state of the running service"),
        ("stats", "prompts, breaks and sitting time per day"),
    ):
        command = sub.add_parser(name, parents=[common], help=help_text)
        command.add_argument("--json", action="store_true", help="one JSON document")
        if name == "stats":
            command.add_argument("--days", type=_positive_int, default=7, metavar="N")

    snooze = sub.add_parser("snooze", parents=[common], help="no prompts for DURATION")
    snooze.add_argument("duration", nargs="?", help='e.g. "20m" (default: first snooze option)')
    pause = sub.add_parser("pause", parents=[common], help="stop tracking until a time")
    pause.add_argument("--until", metavar="HH:MM|tomorrow", help="default: the next work day")
    sub.add_parser("resume", parents=[common], help="end a snooze or pause")
    sub.add_parser("break", parents=[common], help='"I just moved": end the sitting spell')
    interval = sub.add_parser("interval", parents=[common], help="set reminders.sitting_limit")
    interval.add_argument("duration", help='e.g. "45m"')

    config = sub.add_parser("config", parents=[common], help="check and show the configuration")
    config_sub = config.add_subparsers(
        dest="config_command", metavar="ACTION", parser_class=_Parser, required=True
    )
    validate = config_sub.add_parser("validate", parents=[common], help="check files")
    validate.add_argument("files", nargs="*", type=Path, metavar="FILE")
    show = config_sub.add_parser("show", parents=[common], help="the effective configuration")
    show.add_argument("--origin", action="store_true", help="name each value's file")
    show.add_argument("--json", action="store_true")
    config_sub.add_parser("paths", parents=[common], help="every file and folder used")

    plan = sub.add_parser("plan", parents=[common], help="work hours and prompt times for a day")
    plan.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD")
    plan.add_argument("--json", action="store_true")

    guide = sub.add_parser("guide", parents=[common], help="the glute-knot guide")
    guide.add_argument("--open", action="store_true", help="open the page in a browser")
    guide.add_argument(
        "--section", choices=("causes", "symptoms", "urgent", "professional", "stretches")
    )

    autostart = sub.add_parser("autostart", parents=[common], help="start at login")
    autostart.add_argument("action", choices=("enable", "disable", "status"))
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of days of 1 or more, found {value}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, found {text!r}") from None


def _duration_arg(text: str) -> str:
    try:
        return format_duration(parse_duration(text))
    except ValueError as error:
        raise UsageError(str(error)) from None


# ---------------------------------------------------------------- commands


def _keep_unused_native_libraries_out() -> None:
    """Keep OpenSSL and FreeType out of the service process.

    The service never speaks TLS, but asyncio imports `ssl` (and so libcrypto and
    libssl) in case someone does; it never draws text either, but Pillow's
    `ImageDraw`, which draws the tray icons, imports `ImageFont` and with it
    FreeType and HarfBuzz. On every desk these cost about 4 MiB and 1.2 MiB of PSS
    (measured with `make bench`). asyncio works without `ssl`, as on a Python built
    without OpenSSL, and Pillow draws shapes without `_imagingft`, as on a Pillow
    built without FreeType. Only `run` does this; the other commands are short-lived.
    """
    for unused in ("ssl", "PIL._imagingft"):
        if unused not in sys.modules:
            sys.modules[unused] = None  # type: ignore[assignment]


def cmd_run(args: argparse.Namespace) -> int:
    _keep_unused_native_libraries_out()
    from reminder.logsetup import setup_logging
    from reminder.service.run import run_service

    setup_logging(args.verbose)
    return run_service(user_file=args.config, no_tray=getattr(args, "no_tray", False))


def _control(request: dict[str, Any]) -> dict[str, Any]:
    from reminder.control.client import send_request

    answer = send_request(request)
    if not answer.get("ok"):
        error = str(answer.get("error", "the service refused the request"))
        code = int(answer.get("exit_code", 1))
        raise _Refused(error, code)
    return answer


class _Refused(ReminderError):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code


def cmd_status(args: argparse.Namespace) -> int:
    answer = _control({"cmd": "status"})
    print(json.dumps(answer["status"]) if args.json else answer["message"])
    return EXIT_OK


def cmd_simple(args: argparse.Namespace) -> int:
    request: dict[str, Any] = {"cmd": args.command}
    if args.command == "snooze" and args.duration:
        request["arg"] = _duration_arg(args.duration)
    if args.command == "pause" and args.until:
        request["arg"] = args.until
    print(_control(request)["message"])
    return EXIT_OK


def cmd_interval(args: argparse.Namespace) -> int:
    """Ask the service; with none running, write the user file for the next start."""
    from reminder.errors import NoServiceError

    value = _duration_arg(args.duration)
    try:
        print(_control({"cmd": "interval", "arg": value})["message"])
        return EXIT_OK
    except NoServiceError:
        pass
    loaded = load_configuration(args.config, new_user_file_ok=True)
    locked_by = loaded.locked_by("reminders.sitting_limit")
    if locked_by is not None:
        raise LockedKeyError("reminders.sitting_limit", locked_by)
    from reminder.configuration.writer import set_user_value

    target = args.config or paths.user_config_file()
    set_user_value(target, "reminders.sitting_limit", value)
    print(f"sitting limit set to {value} in {target} (no service running; used at next start)")
    return EXIT_OK


def cmd_config(args: argparse.Namespace) -> int:
    action = args.config_command
    if action == "validate":
        return _config_validate(args.files, args.config)
    if action == "paths":
        return _config_paths(args.config)
    loaded = load_configuration(args.config)
    _print_warnings(loaded)
    if args.json:
        data: dict[str, Any] = {}
        for key, value in loaded.raw.items():
            plain = [str(v) for v in value] if isinstance(value, list) else value
            if args.origin:
                data[key] = {
                    "value": plain,
                    "origin": loaded.origins[key],
                    "locked_by": loaded.locked_by(key),
                }
            else:
                data[key] = plain
        print(json.dumps(data, indent=2, default=str))
        return EXIT_OK
    section = None
    for key, value in loaded.raw.items():
        table, _, leaf = key.rpartition(".")
        if table != section:
            print(f"{'' if section is None else chr(10)}[{table}]")
            section = table
        line = f"{leaf} = {_toml_value(value)}"
        if args.origin:
            lock = loaded.locked_by(key)
            origin = loaded.origins[key]
            line = f"{line:<48} # {origin}" + (f" (locked by {lock})" if lock else "")
        print(line)
    return EXIT_OK


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def _print_warnings(loaded: LoadedConfig) -> None:
    for warning in [*loaded.warnings, *advice(loaded.config, loaded.origins)]:
        print(f"warning: {warning}", file=sys.stderr)


def _config_validate(files: list[Path], user_file: Path | None) -> int:
    if not files:
        loaded = load_configuration(user_file)
        _print_warnings(loaded)
        for layer in loaded.layers:
            origin = DEFAULT_ORIGIN if layer.kind == "default" else str(layer.path)
            print(f"ok: {origin} ({layer.kind})")
        catalog_file = loaded.config.stretches.file
        stretches = load_catalog(Path(catalog_file).expanduser() if catalog_file else None)
        print(
            f"ok: stretch catalog{f' {catalog_file}' if catalog_file else ''} "
            f"({len(stretches)} stretches)"
        )
        print("configuration is valid")
        return EXIT_OK
    defaults = Layer(paths.bundled_file("default.toml"), "default")
    for file in files:
        if _looks_like_catalog(file):
            print(f"ok: {file} (stretch catalog, {len(load_catalog(file))} stretches)")
            continue
        kind: LayerKind = "managed" if _looks_managed(file) else "user"
        loaded = load_layers([defaults, Layer(file, kind)])
        for warning in advice(loaded.config, loaded.origins):
            print(f"warning: {warning}", file=sys.stderr)
        print(f"ok: {file} ({kind})")
    return EXIT_OK


def _looks_like_catalog(file: Path) -> bool:
    """A stretch catalog (config/stretches.toml format) rather than a configuration file."""
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*\[\[stretch\]\]", text, re.MULTILINE) is not None


def _looks_managed(file: Path) -> bool:
    """A file given to `validate` is checked as managed if it sits in a managed place."""
    if file.resolve() == paths.user_config_file().resolve():
        return False  # the user's own file: [managed] in it is an error
    managed_roots = [*paths.site_config_dirs()]
    override = paths.managed_override()
    if override is not None:
        managed_roots.append(override)
    resolved = file.resolve()
    if any(
        resolved == root.resolve() or root.resolve() in resolved.parents for root in managed_roots
    ):
        return True
    try:
        return "[managed]" in file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _config_paths(user_file: Path | None) -> int:
    rows: list[tuple[str, Path]] = [("defaults", paths.bundled_file("default.toml"))]
    for folder in paths.site_config_dirs():
        rows.append(("managed", folder / paths.CONFIG_FILE_NAME))
        rows.append(("managed", folder / paths.DROP_IN_DIR_NAME))
    override = paths.managed_override()
    if override is not None:
        rows.append((f"managed (${paths.MANAGED_ENV})", override))
    rows += [
        ("user", user_file or paths.user_config_file()),
        ("state", paths.state_file()),
        ("history", paths.history_file()),
        ("log", paths.log_file()),
        ("control", Path(paths.control_endpoint())),
    ]
    in_effect = {layer.path for layer in discover_layers(user_file)}
    for label, path in rows:
        mark = "in use" if path in in_effect else ("exists" if path.exists() else "absent")
        print(f"{label:<12} {path}  ({mark})")
    return EXIT_OK


def cmd_plan(args: argparse.Namespace) -> int:
    from reminder.core.plan import plan_day
    from reminder.core.schedule import local_day

    loaded = load_configuration(args.config)
    config = loaded.config
    day = args.date or local_day(config.schedule, datetime.now(timezone.utc))
    plan = plan_day(config, day)
    print(json.dumps(plan.to_json(config)) if args.json else plan.render(config))
    return EXIT_OK


def cmd_guide(args: argparse.Namespace) -> int:
    from reminder.guide.command import run_guide_command

    url = ""
    try:
        url = load_configuration(args.config).config.guide.url
    except ConfigError as error:  # the guide still works with a broken configuration
        print(f"warning: {error}", file=sys.stderr)
    return run_guide_command(args.section, args.open, url)


def cmd_stats(args: argparse.Namespace) -> int:
    from reminder.core.schedule import local_day
    from reminder.store.history import History, format_stats_table

    loaded = load_configuration(args.config)
    today = local_day(loaded.config.schedule, datetime.now(timezone.utc))
    history = History(paths.history_file())
    try:
        rows = history.stats(args.days, today)
    finally:
        history.close()
    if args.json:
        print(json.dumps({"days": [row.to_json() for row in rows]}))
    else:
        print(format_stats_table(rows))
    return EXIT_OK


def cmd_autostart(args: argparse.Namespace) -> int:
    from reminder.autostart import autostart

    print(autostart(args.action))
    return EXIT_OK


HANDLERS = {
    "run": cmd_run,
    "status": cmd_status,
    "snooze": cmd_simple,
    "pause": cmd_simple,
    "resume": cmd_simple,
    "break": cmd_simple,
    "interval": cmd_interval,
    "config": cmd_config,
    "plan": cmd_plan,
    "guide": cmd_guide,
    "stats": cmd_stats,
    "autostart": cmd_autostart,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not any(arg in COMMANDS for arg in arguments if not arg.startswith("-")) and not any(
        arg in ("-h", "--help", "--version") for arg in arguments
    ):
        arguments.insert(0, "run")
    args = build_parser().parse_args(arguments)
    for name, default in (("config", None), ("verbose", 0)):
        if not hasattr(args, name):
            setattr(args, name, default)
    if args.command is None:
        args.command = "run"
    try:
        return HANDLERS[args.command](args)
    except ReminderError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:
        return EXIT_OK


__all__ = ["build_config", "main", "read_layer"]
