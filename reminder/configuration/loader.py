"""Reads every configuration layer, applies locks, and builds the frozen `Config`.

Layers, lowest to highest precedence (DESIGN.md):

    default      config/default.toml, shipped in the wheel
    managed      site config dirs, then $SITTING_REMINDER_MANAGED_CONFIG
    recommended  native policy channels' managed defaults (a user may override them)
    user         the user's file (or `--config`)
    mandatory    native policy channels' mandatory values (always locked)

A key locked by a managed file keeps the managed value: a user or recommended
value for it is ignored (with a warning for the user's). Every value is checked
once, by `keys.validate`, as its file is read; the Config is built from those
parsed values. Every problem in every file is collected and reported together.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from reminder import paths
from reminder.configuration.keys import KEYS, LOCKS_KEY, validate
from reminder.configuration.model import (
    WEEKDAYS,
    Activity,
    Config,
    Guide,
    Notifications,
    Reminders,
    Schedule,
    Stretches,
)
from reminder.configuration.values import Invalid, describe, shown
from reminder.durations import format_duration
from reminder.errors import ConfigError, ConfigErrors
from reminder.tomlfile import read_toml_file

LayerKind = Literal["default", "managed", "recommended", "user", "mandatory"]
DEFAULT_ORIGIN = "built-in defaults"
_PRECEDENCE: dict[str, int] = {
    "default": 0,
    "managed": 1,
    "recommended": 2,
    "user": 3,
    "mandatory": 4,
}


@dataclass(frozen=True)
class Layer:
    """One configuration source and the role it plays (a file, or a policy channel)."""

    path: Path
    kind: LayerKind


@dataclass(frozen=True)
class Setting:
    """One key's value in one layer: as written, as parsed, and where it came from."""

    raw: Any
    value: Any
    origin: str  # a file path, DEFAULT_ORIGIN, or a policy channel's description
    line: int | None = None


@dataclass(frozen=True)
class LayerValues:
    """What one layer holds: checked settings, its locks, and every problem found in it."""

    layer: Layer
    values: dict[str, Setting]
    locks: tuple[str, ...] = ()
    problems: tuple[ConfigError, ...] = ()
    note: str | None = None  # e.g. "from the cache, 3 days old: the share is unreachable"


@dataclass(frozen=True)
class LoadedConfig:
    """The effective configuration and where each value came from."""

    config: Config
    raw: dict[str, Any]  # dotted key -> effective TOML value
    origins: dict[str, str]  # dotted key -> file path, channel, or DEFAULT_ORIGIN
    locked: dict[str, str]  # dotted key -> the managed file or policy that locked it
    warnings: tuple[str, ...]
    layers: tuple[Layer, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())  # how sources were read (cache in use, ...)

    def locked_by(self, key: str) -> str | None:
        return self.locked.get(key)


# ------------------------------------------------------------------ discovery


def discover_layers(
    user_file: Path | None = None, *, new_user_file_ok: bool = False
) -> list[Layer]:
    """Every file in effect, lowest precedence first (missing user file left out).

    A `user_file` named with `--config` must exist, unless `new_user_file_ok` (for
    `interval`, which creates it)."""
    layers = [Layer(paths.bundled_file("default.toml"), "default")]
    for folder in reversed(paths.site_config_dirs()):  # earlier dirs win, so they come later
        layers.extend(Layer(path, "managed") for path in managed_files_in(folder))
    override = paths.managed_override()
    if override is not None:
        if override.is_dir():
            layers.extend(Layer(path, "managed") for path in managed_files_in(override, loose=True))
        else:
            layers.append(Layer(override, "managed"))  # a missing file is reported on read
    user = user_file if user_file is not None else paths.user_config_file()
    if (user_file is not None and not new_user_file_ok) or user.exists():
        layers.append(Layer(user, "user"))
    return layers


def managed_files_in(folder: Path, *, loose: bool = False) -> list[Path]:
    """`config.toml`, then `config.d/*.toml` in name order.

    With `loose` (a folder named by the environment variable or given to
    `validate`), a folder with neither holds plain `*.toml` drop-ins.
    """
    found = []
    main = folder / paths.CONFIG_FILE_NAME
    if main.is_file():
        found.append(main)
    drop_ins = folder / paths.DROP_IN_DIR_NAME
    if drop_ins.is_dir():
        found.extend(sorted(drop_ins.glob("*.toml")))
    if loose and not found:
        found = sorted(folder.glob("*.toml"))
    return found


# -------------------------------------------------------------------- reading


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse one configuration file; syntax errors carry the parser's line."""
    return read_toml_file(path, example='key = "value" under a [section]')


def _flatten(table: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and (value or dotted not in KEYS):  # `key = {}` is a value
            yield from _flatten(value, dotted + ".")
        else:
            yield dotted, value


_HEADER = re.compile(r"^\[([^\[\]]+)\]")
_ASSIGNMENT = re.compile(r'^("?[\w.\-" ]+"?)\s*=')


def locate_key(text: str, dotted: str) -> int | None:
    """The line of `dotted` in TOML text, found from table headers (best effort)."""
    parts = dotted.split(".")
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = _HEADER.match(stripped)
        if header:
            table = [part.strip().strip('"') for part in header.group(1).split(".")]
            continue
        assignment = _ASSIGNMENT.match(stripped)
        if not assignment:
            continue
        key_parts = [part.strip().strip('"') for part in assignment.group(1).split(".")]
        if table + key_parts == parts or (table + key_parts)[: len(parts)] == parts:
            return number
    return None


def nearest_key(key: str) -> str | None:
    """The closest valid key, for "did you mean"."""
    known = [*KEYS, LOCKS_KEY]
    match = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if match:
        return match[0]
    leaf = key.rsplit(".", 1)[-1]
    by_leaf = difflib.get_close_matches(leaf, [k.rsplit(".", 1)[-1] for k in known], n=1)
    return next((k for k in known if by_leaf and k.endswith("." + by_leaf[0])), None)


def origin_of(layer: Layer) -> str:
    return DEFAULT_ORIGIN if layer.kind == "default" else str(layer.path)


def read_layer(layer: Layer) -> LayerValues:
    """Read and check one file: every key known, every value of the right form,
    `[managed]` only where allowed. Never raises: problems are collected."""
    try:
        data, text = read_toml(layer.path)
    except ConfigError as error:
        return LayerValues(layer, {}, problems=(error,))
    return check_table(layer, data, text)


def check_table(layer: Layer, data: Mapping[str, Any], text: str = "") -> LayerValues:
    """Check parsed TOML data of `layer` (lines are found in `text` where given)."""
    where = str(layer.path)
    values: dict[str, Setting] = {}
    locks: tuple[str, ...] = ()
    problems: list[ConfigError] = []
    for key, value in _flatten(data):
        line = locate_key(text, key) if text else None
        try:
            if key == LOCKS_KEY or key.startswith("managed."):
                if layer.kind != "managed":
                    raise ConfigError(
                        where,
                        "[managed] is only allowed in files managed by your organisation",
                        key=key,
                        line=line,
                        expected="this key in a managed file such as "
                        "/etc/xdg/sitting-reminder/config.toml",
                        found="it in a user file",
                    )
                if key != LOCKS_KEY:
                    raise _unknown(where, key, line)
                locks = _check(where, key, line, value, _parse_locks)
                continue
            if key not in KEYS:
                raise _unknown_or_weekday(where, key, line)
            parsed = _check(where, key, line, value, lambda v, k=key: validate(k, v))
            values[key] = Setting(value, parsed, origin_of(layer), line)
        except ConfigError as error:
            problems.append(error)
    return LayerValues(layer, values, locks, tuple(problems))


def _unknown_or_weekday(where: str, key: str, line: int | None) -> ConfigError:
    if key.startswith("schedule.work_hours."):
        day = key.rsplit(".", 1)[-1]
        return ConfigError(
            where,
            "unknown weekday",
            key=key,
            line=line,
            expected="a weekday name: " + ", ".join(WEEKDAYS),
            found=f'"{shown(day)}"',
        )
    return _unknown(where, key, line)


def _parse_locks(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Invalid(
            'a list of dotted keys such as ["reminders.sitting_limit", "schedule.*"]',
            describe(value),
        )
    for pattern in value:
        if not any(fnmatch.fnmatchcase(key, pattern) for key in KEYS):
            suggestion = nearest_key(pattern)
            hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
            raise Invalid(
                "dotted keys or globs that match a setting",
                f'"{shown(pattern)}", which matches no setting{hint}',
            )
    return tuple(value)


def _check(where: str, key: str, line: int | None, value: Any, parse: Any) -> Any:
    try:
        return parse(value)
    except Invalid as error:
        raise ConfigError(
            where, "invalid value", key=key, line=line, expected=error.expected, found=error.found
        ) from None


def _unknown(where: str, key: str, line: int | None) -> ConfigError:
    suggestion = nearest_key(key)
    hint = f'did you mean "{suggestion}"' if suggestion else "see config/default.toml"
    return ConfigError(where, f"unknown key ({hint})", key=shown(key), line=line)


# ------------------------------------------------------------------- merging


@dataclass(frozen=True)
class Merged:
    """The effective settings of a stack of layers."""

    settings: dict[str, Setting]
    locked: dict[str, str]
    warnings: list[str]


def merge_layers(read: list[LayerValues]) -> Merged:
    """Apply the layers in precedence order (stable within a kind), honouring locks."""
    ordered = sorted(read, key=lambda values: _PRECEDENCE[values.layer.kind])
    locked: dict[str, str] = {}
    for layer_values in ordered:
        for pattern in layer_values.locks:
            for key in KEYS:
                if fnmatch.fnmatchcase(key, pattern):
                    locked[key] = str(layer_values.layer.path)
        if layer_values.layer.kind == "mandatory":  # a mandatory policy value is a lock too
            locked.update({key: setting.origin for key, setting in layer_values.values.items()})
    settings: dict[str, Setting] = {}
    warnings: list[str] = []
    for layer_values in ordered:
        kind = layer_values.layer.kind
        for key, setting in layer_values.values.items():
            if kind in ("user", "recommended") and key in locked:
                previous = settings.get(key)
                if kind == "user" and (previous is None or setting.raw != previous.raw):
                    warnings.append(
                        f"{layer_values.layer.path}: '{key}' is locked by your organisation in "
                        f"{locked[key]}; your value is ignored"
                    )
                continue
            settings[key] = setting
    return Merged(settings, locked, warnings)


def build_config(settings: Mapping[str, Setting]) -> Config:
    """The frozen Config from checked settings (each value parsed once, when read)."""

    def get(key: str) -> Any:
        return settings[key].value

    timezone_name, zone = get("schedule.timezone")
    return Config(
        schedule=Schedule(
            timezone=timezone_name,
            zone=zone,
            days_off=get("schedule.days_off"),
            work_hours=tuple(get(f"schedule.work_hours.{day}") for day in WEEKDAYS),
        ),
        reminders=Reminders(
            sitting_limit=get("reminders.sitting_limit"),
            repeat_every=get("reminders.repeat_every"),
            snooze_options=get("reminders.snooze_options"),
        ),
        activity=Activity(
            break_after_idle=get("activity.break_after_idle"),
            check_every=get("activity.check_every"),
        ),
        notifications=Notifications(
            backend=get("notifications.backend"),
            quiet_when_fullscreen=get("notifications.quiet_when_fullscreen"),
            quiet_during_calls=get("notifications.quiet_during_calls"),
            quiet_when_dnd=get("notifications.quiet_when_dnd"),
            after_call=get("notifications.after_call"),
            max_hold=get("notifications.max_hold"),
        ),
        stretches=Stretches(file=get("stretches.file"), only=get("stretches.only")),
        guide=Guide(url=get("guide.url")),
    )


def advice(config: Config, origins: Mapping[str, str]) -> list[str]:
    """Warnings about values that work but are probably not meant (sub-minute durations)."""
    found = []
    durations = {
        "reminders.sitting_limit": config.reminders.sitting_limit,
        "reminders.repeat_every": config.reminders.repeat_every,
        "activity.break_after_idle": config.activity.break_after_idle,
    }
    for key, value in durations.items():
        if value < timedelta(minutes=1):
            found.append(
                f"{origins.get(key, DEFAULT_ORIGIN)}: '{key}' is {format_duration(value)}, "
                "under a minute (fine for trying it out, tiring for a work day)"
            )
    if config.activity.check_every >= config.activity.break_after_idle:
        found.append(
            f"{origins.get('activity.check_every', DEFAULT_ORIGIN)}: 'activity.check_every' "
            "should be shorter than 'activity.break_after_idle', or breaks are missed"
        )
    return found


def problems_of(read: Iterable[LayerValues]) -> list[ConfigError]:
    return [problem for layer_values in read for problem in layer_values.problems]


def loaded_from(read: list[LayerValues]) -> LoadedConfig:
    """The LoadedConfig of layers already read; ConfigErrors listing every problem."""
    problems = problems_of(read)
    if problems:
        raise problems[0] if len(problems) == 1 else ConfigErrors(problems)
    merged = merge_layers(read)
    missing = [key for key in KEYS if key not in merged.settings]
    if missing:  # only a broken installation (an old default.toml) can get here
        raise ConfigError(
            str(paths.bundled_file("default.toml")),
            "the built-in defaults lack keys: " + ", ".join(missing),
        )
    config = build_config(merged.settings)
    return LoadedConfig(
        config,
        {key: setting.raw for key, setting in merged.settings.items()},
        {key: setting.origin for key, setting in merged.settings.items()},
        merged.locked,
        tuple(merged.warnings),
        tuple(values.layer for values in read),
        tuple(values.note for values in read if values.note),
    )


def load_layers(layers: list[Layer]) -> LoadedConfig:
    return loaded_from([read_layer(layer) for layer in layers])


def load_configuration(
    user_file: Path | None = None, *, new_user_file_ok: bool = False
) -> LoadedConfig:
    """Read every layer in effect; raise ConfigError (ConfigErrors for several) on any problem."""
    return load_layers(discover_layers(user_file, new_user_file_ok=new_user_file_ok))
