"""The `sitting-reminder` command line: parses arguments and maps errors to exit codes.

Every user-facing error is one paragraph on stderr with no traceback:
2 for usage and configuration errors, 3 when no service runs, 1 otherwise.
"""

from __future__ import annotations

import argparse
import difflib
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
    discover_layers,
    load_configuration,
    origin_of,
    problems_of,
)
from reminder.durations import format_duration, human_duration, parse_duration
from reminder.errors import (
    EXIT_OK,
    EXIT_USAGE,
    ConfigError,
    ConfigErrors,
    ReminderError,
    UsageError,
)
from reminder.stretches import load_catalog

log = logging.getLogger("reminder")
PROG = "sitting-reminder"
LIMIT_KEY = "reminders.sitting_limit"
COMMANDS = (
    "run", "status", "snooze", "pause", "resume", "break", "interval",
    "config", "plan", "guide", "stats", "settings", "doctor", "autostart",
)  # fmt: skip


EXIT_CODES_HELP = """exit codes:
  0  done
  1  failure at run time
  2  usage or configuration error (a bad value, a locked setting, a command
     that would change nothing now)
  3  no running service (status, snooze, pause, resume, break)"""


class _Parser(argparse.ArgumentParser):
    """argparse that says what to do next on a usage error (exit 2, no traceback)."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _with_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help="read this file instead of your own configuration file",
    )


def _with_json(parser: argparse.ArgumentParser, what: str = "the answer") -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as one JSON document")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line; every command and option says in one line what it does."""
    parser = _Parser(
        prog=PROG,
        description="Gets you off your chair before long sitting spells knot your glutes. "
        "With no command, starts the service (`run`).",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_text,
            description=help_text[0].upper() + help_text[1:] + ".",
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    run = command("run", "start the service in the foreground (the default)")
    run.add_argument("--no-tray", action="store_true", help="no tray icon; prompts on the console")
    _with_config(run)
    run.add_argument(
        "-v", "--verbose", action="count", default=0, help="more detail in the log (-vv: more)"
    )

    status = command("status", "the state of the running service")
    _with_json(status, "the state")

    snooze = command("snooze", "no prompts for a while; the sitting spell keeps counting")
    snooze.add_argument(
        "duration", nargs="?", help='how long, e.g. "20m" (default: the first snooze option)'
    )
    pause = command("pause", "stop tracking until a time (default: the next work day)")
    pause.add_argument(
        "--until",
        metavar="HH:MM|tomorrow",
        help="a time on the clock of schedule.timezone, or tomorrow at midnight",
    )
    command("resume", "end a snooze or a pause")
    command("break", '"I just moved": end the sitting spell and start a fresh one')
    interval = command("interval", "set reminders.sitting_limit in your configuration file")
    interval.add_argument("duration", help='the new sitting limit, e.g. "45m"')
    _with_config(interval)

    config = command("config", "check and show the configuration")
    config_sub = config.add_subparsers(
        dest="config_command", metavar="ACTION", parser_class=_Parser, required=True
    )
    validate = config_sub.add_parser(
        "validate", help="check files and report every problem (default: every file in effect)"
    )
    validate.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE|DIR",
        help="configuration files, stretch catalogs, or folders of managed files",
    )
    _with_json(validate, "the problems (a list of {file, line, key, expected, found, message})")
    _with_config(validate)
    show = config_sub.add_parser("show", help="the effective configuration")
    show.add_argument(
        "--origin", action="store_true", help="say where each value came from and what locks it"
    )
    _with_json(show, "the configuration")
    _with_config(show)
    paths_parser = config_sub.add_parser(
        "paths", help="every file and folder the service reads or writes"
    )
    _with_config(paths_parser)

    plan = command("plan", "work hours and prompt times for a day of continuous sitting")
    plan.add_argument("--date", type=_iso_date, metavar="YYYY-MM-DD", help="default: today")
    _with_json(plan, "the plan")
    _with_config(plan)

    guide = command("guide", "the glute-knot guide, in the terminal or the browser")
    guide.add_argument("--open", action="store_true", help="open the page in a web browser")
    guide.add_argument(
        "--section",
        choices=("causes", "symptoms", "urgent", "professional", "stretches"),
        help="only this section (professional also prints the urgent signs first)",
    )
    _with_config(guide)

    stats = command("stats", "prompts, breaks and sitting time per day, and the weekly report")
    stats.add_argument(
        "--days", type=_positive_int, default=7, metavar="N", help="how many days (default 7)"
    )
    shown = stats.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print the numbers as one JSON document")
    shown.add_argument("--html", type=Path, metavar="FILE", help="write the report page to FILE")
    shown.add_argument("--open", action="store_true", help="open the report page in a browser")
    _with_config(stats)

    doctor = command("doctor", "one health report of this desk for IT and the help desk")
    doctor.description = (
        "One health report of this desk for IT and the help desk.\n"
        "Exits 0 when all is well, 1 when not, with a last line naming each problem."
    )
    _with_json(doctor, "the report")
    _with_config(doctor)
    settings = command("settings", "open the settings window (its own process)")
    _with_config(settings)

    autostart = command("autostart", "start the service when you log in")
    autostart.add_argument(
        "action",
        choices=("enable", "disable", "status"),
        help="enable, disable, or say which entry is in effect",
    )
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


def _sitting_limit_arg(text: str) -> str:
    """`interval`'s value, checked exactly as the loader (and the service) check it."""
    from reminder.service.requests import sitting_limit

    return format_duration(sitting_limit(text))


def _snooze_arg(text: str) -> str:
    """`snooze`'s value, checked as the service checks it (as any snooze option)."""
    from reminder.service.requests import snooze_length

    return format_duration(snooze_length(text))


# ---------------------------------------------------------------- commands


def _keep_unused_native_libraries_out() -> None:
    """Keep OpenSSL and FreeType out of the service process.

    The service never speaks TLS, but asyncio imports `ssl` (and so libcrypto and
    libssl) in case someone does; it never draws text either, but Pillow's
    `ImageDraw`, which draws the tray icons, imports `ImageFont` and with it
    FreeType and HarfBuzz. On every desk these cost about 4 MiB and 1.2 MiB of PSS
    (measured with `make bench`). asyncio works without `ssl`, as on a Python built
    without OpenSSL, and Pillow draws shapes without `_imagingft`, as on a Pillow
    built without FreeType. `hashlib` (dbus-fast's introspection cache hashes with
    SHA-256) would still map libcrypto through `_hashlib`: 3.3 MiB of RSS; without
    it hashlib uses CPython's own SHA-2, MD5, SHA-1, BLAKE2 and SHA-3, which is all
    anything in the service asks for. Only `run` does this; the other commands are
    short-lived.
    """
    for unused in ("ssl", "_hashlib", "PIL._imagingft"):
        if unused not in sys.modules:
            sys.modules[unused] = None  # type: ignore[assignment]


def cmd_run(args: argparse.Namespace) -> int:
    _keep_unused_native_libraries_out()
    from reminder.logsetup import setup_logging
    from reminder.service.run import run_service

    setup_logging(args.verbose)
    return run_service(user_file=args.config, no_tray=args.no_tray)


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
        request["arg"] = _snooze_arg(args.duration)
    if args.command == "pause" and args.until:
        request["arg"] = args.until
    print(_control(request)["message"])
    return EXIT_OK


def cmd_interval(args: argparse.Namespace) -> int:
    """Ask the service; with none running, write the user file for the next start."""
    from reminder.errors import NoServiceError

    value = _sitting_limit_arg(args.duration)
    if args.config is None:
        try:
            print(_control({"cmd": "interval", "arg": value})["message"])
            return EXIT_OK
        except NoServiceError:
            pass
    loaded = load_configuration(args.config, new_user_file_ok=True)
    from reminder.configuration.writer import set_user_values

    target = args.config or paths.user_config_file()
    set_user_values(target, {LIMIT_KEY: value}, locked=loaded.locked)
    shown = human_duration(parse_duration(value))
    if args.config is None:
        print(f"sitting limit set to {shown} in {target} (no service running; used at next start)")
    else:
        print(f"sitting limit set to {shown} in {target}")
    return EXIT_OK


def cmd_config(args: argparse.Namespace) -> int:
    action = args.config_command
    if action == "validate":
        return _config_validate(args.files, args.config, args.json)
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
            line = f"{line:<48} # {_origin_text(loaded, key)}"
        print(line)
    return EXIT_OK


def _origin_text(loaded: LoadedConfig, key: str) -> str:
    """Where a value came from and what locks it: a file, a policy channel, a cached copy."""
    origin = loaded.origins[key]
    lock = loaded.locked_by(key)
    if lock is None:
        return origin
    return f"{origin} (locked)" if lock == origin else f"{origin} (locked by {lock})"


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


def _config_validate(files: list[Path], user_file: Path | None, as_json: bool) -> int:
    """Check every file given (or every layer in effect) and report every problem found."""
    from reminder.configuration.loader import (
        loaded_from,
        managed_files_in,
        read_layer,
        read_layers,
    )

    problems: list[ConfigError] = []
    report: list[str] = []
    warnings: list[str] = []

    def check_catalog(loaded: LoadedConfig, named_in: str) -> None:
        from reminder.service.run import catalog_for

        catalog_file = loaded.config.stretches.file
        origin = loaded.origins.get("stretches.only", named_in)
        try:
            stretches = catalog_for(loaded.config, origin)
        except ConfigError as error:
            problems.append(error)
            return
        label = f"stretch catalog {catalog_file}" if catalog_file else "built-in stretch catalog"
        report.append(f"ok: {label} ({len(stretches)} stretches in use, named in {named_in})")

    def check_files(layers: list[Layer], *, in_effect: bool) -> None:
        # In effect, a share that cannot be reached is checked as its cached copy.
        read = read_layers(layers) if in_effect else [read_layer(layer) for layer in layers]
        for values in read:
            if values.problems:
                problems.extend(values.problems)
            else:
                report.append(f"ok: {origin_of(values.layer)} ({values.layer.kind})")
        if not problems_of(read):
            try:
                loaded = loaded_from(read)
            except ConfigError as error:
                problems.append(error)
                return
            warnings.extend([*loaded.warnings, *advice(loaded.config, loaded.origins)])
            origin = loaded.origins.get("stretches.file", DEFAULT_ORIGIN)
            only = loaded.origins.get("stretches.only", DEFAULT_ORIGIN)
            if in_effect or origin != DEFAULT_ORIGIN or only != DEFAULT_ORIGIN:
                check_catalog(loaded, origin)

    if not files:
        check_files(discover_layers(user_file), in_effect=True)
    defaults = Layer(paths.bundled_file("default.toml"), "default")
    for file in files:
        if file.is_dir():
            found = managed_files_in(file, loose=True)
            if not found:
                problems.append(ConfigError(str(file), "this folder holds no *.toml files"))
            for managed in found:
                check_files([defaults, Layer(managed, "managed")], in_effect=False)
        elif _looks_like_catalog(file):
            try:
                report.append(f"ok: {file} (stretch catalog, {len(load_catalog(file))} stretches)")
            except ConfigError as error:
                problems.append(error)
        else:
            kind: LayerKind = "managed" if _looks_managed(file) else "user"
            check_files([defaults, Layer(file, kind)], in_effect=False)

    problems = ConfigErrors.flatten(problems)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if as_json:
        print(json.dumps([problem.to_json() for problem in problems], indent=2))
    elif problems:
        for problem in problems:
            print(f"{PROG}: error: {problem}", file=sys.stderr)
        if len(problems) > 1:
            bad_files = len({problem.path for problem in problems})
            print(f"{PROG}: {len(problems)} problems in {bad_files} file(s)", file=sys.stderr)
    else:
        for line in report:
            print(line)
        print("configuration is valid")
    return EXIT_USAGE if problems else EXIT_OK


def _peek(file: Path) -> str:
    """A file's text for a guess at what it is ("" when it cannot be read without risk)."""
    from reminder.tomlfile import read_bytes_safely

    try:
        return read_bytes_safely(file).decode("utf-8", errors="replace")
    except ConfigError:  # reading it for real reports why
        return ""


def _looks_like_catalog(file: Path) -> bool:
    """A stretch catalog (config/stretches.toml format) rather than a configuration file."""
    return re.search(r"^\s*\[\[stretch\]\]", _peek(file), re.MULTILINE) is not None


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
    return "[managed]" in _peek(file)


def _config_paths(user_file: Path | None) -> int:
    rows: list[tuple[str, Path]] = [("defaults", paths.bundled_file("default.toml"))]
    for folder in paths.site_config_dirs():
        rows.append(("managed", folder / paths.CONFIG_FILE_NAME))
        rows.append(("managed", folder / paths.DROP_IN_DIR_NAME))
    override = paths.managed_override()
    if override is not None:
        rows.append((f"managed (${paths.MANAGED_ENV})", override))
    layers = discover_layers(user_file)
    rows += [
        ("policy" if layer.kind == "mandatory" else "recommended", layer.path)
        for layer in layers
        if layer.channel != "file"
    ]
    rows += [
        ("user", user_file or paths.user_config_file()),
        ("state", paths.state_file()),
        ("history", paths.history_file()),
        ("log", paths.log_file()),
        ("control", Path(paths.control_endpoint())),
        ("cache", paths.managed_cache_dir()),
    ]
    in_effect = {layer.path for layer in layers}
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
    """The last --days days: a table (with its legend), JSON, or the report page."""
    from reminder.report import open_weekly_report, write_report

    def warn(text: str) -> None:
        print(f"warning: {text}", file=sys.stderr)

    if args.open:
        path = open_weekly_report(args.days, args.config, warn=warn)
        print(f"Opened the report in your browser: {path}")
        return EXIT_OK
    if args.html is not None:
        numbers = write_report(args.html, args.days, args.config, warn=warn)
        print(f"Wrote the report of {len(numbers.days)} days to {args.html}")
        return EXIT_OK
    from reminder.report._shell import collect_numbers
    from reminder.store.history import format_stats_table

    numbers = collect_numbers(args.days, args.config)
    for warning in numbers.warnings:
        warn(warning)
    if args.json:
        print(json.dumps({"days": [row.to_json() for row in numbers.days]}))
    else:
        print(format_stats_table(numbers.days))
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    """Exit 0 when all is well, 1 with a summary line naming every problem found."""
    from reminder.doctor import run_doctor

    return run_doctor(args.config, as_json=args.json)


def cmd_settings(args: argparse.Namespace) -> int:
    """The settings window, in this process (never the service's): Tk loads only here."""
    from reminder.settings import open_settings

    return open_settings(args.config)


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
    "doctor": cmd_doctor,
    "settings": cmd_settings,
    "autostart": cmd_autostart,
}


def _nearest_command(word: str) -> str | None:
    """The command `word` was probably meant to be: letters swapped first ("stauts"), then
    the closest spelling."""
    swapped = [name for name in COMMANDS if sorted(name) == sorted(word.lower())]
    if swapped:
        return swapped[0]
    match = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.5)
    return match[0] if match else None


def _implied_run_or_typo(arguments: list[str]) -> list[str]:
    """Insert the implied `run`; a first word that is no command is a usage error naming
    the nearest command (`stauts` -> "did you mean status?")."""
    if any(arg in ("-h", "--help", "--version") for arg in arguments[:1]):
        return arguments
    words = [arg for arg in arguments if not arg.startswith("-")]
    if arguments and not arguments[0].startswith("-") and arguments[0] not in COMMANDS:
        word = arguments[0]
        match = _nearest_command(word)
        hint = f" (did you mean '{match}'?)" if match else ""
        raise UsageError(
            f"unknown command '{word}'{hint}; the commands are: {', '.join(COMMANDS)}. "
            f"See '{PROG} --help'."
        )
    if not words or words[0] not in COMMANDS:
        return ["run", *arguments]
    return arguments


def _options_last(arguments: list[str]) -> list[str]:
    """Move `--config PATH` and `-v` to the end, so they may be written before the command
    (`sitting-reminder --config x.toml plan`) and still reach the command that reads them;
    a command that has no such option then says so."""
    front: list[str] = []
    moved: list[str] = []
    rest = iter(arguments)
    for arg in rest:
        if arg == "--":
            front += [arg, *rest]
            break
        if arg == "--config":
            moved += [arg, next(rest, "")]
        elif arg.startswith("--config=") or arg == "--verbose" or re.fullmatch(r"-v+", arg):
            moved.append(arg)
        else:
            front.append(arg)
    return front + moved


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the exit code."""
    try:
        arguments = _options_last(list(sys.argv[1:] if argv is None else argv))
        arguments = _implied_run_or_typo(arguments)
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return error.exit_code
    args = build_parser().parse_args(arguments)
    for name, default in (("config", None), ("verbose", 0), ("json", False)):
        if not hasattr(args, name):
            setattr(args, name, default)
    try:
        return HANDLERS[args.command](args)
    except ReminderError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:
        return EXIT_OK


__all__ = ["build_parser", "main"]
