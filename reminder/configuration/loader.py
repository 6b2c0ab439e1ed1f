"""Reads every configuration layer, applies locks, and builds the frozen `Config`.

Layers, lowest to highest precedence: built-in defaults, managed files (site
config dirs, then $SITTING_REMINDER_MANAGED_CONFIG), the user file (or
`--config`). A key locked in a managed file keeps its managed value.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from reminder import paths
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
from reminder.configuration.values import KEYS, LOCKS_KEY, Invalid, describe
from reminder.durations import format_duration
from reminder.errors import ConfigError
from reminder.tomlfile import read_toml_file

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - Python 3.10
    pass

LayerKind = Literal["default", "managed", "user"]
DEFAULT_ORIGIN = "built-in defaults"


@dataclass(frozen=True)
class Layer:
    """One configuration file and the role it plays."""

    path: Path
    kind: LayerKind


@dataclass(frozen=True)
class LayerValues:
    """The validated leaf values of one file, as dotted keys."""

    layer: Layer
    values: dict[str, Any]
    locks: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadedConfig:
    """The effective configuration and where each value came from."""

    config: Config
    raw: dict[str, Any]  # dotted key -> effective TOML value
    origins: dict[str, str]  # dotted key -> file path or DEFAULT_ORIGIN
    locked: dict[str, str]  # dotted key -> managed file that locked it
    warnings: tuple[str, ...]
    layers: tuple[Layer, ...] = field(default=())

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
        layers.extend(Layer(path, "managed") for path in _managed_files_in(folder))
    override = paths.managed_override()
    if override is not None:
        if override.is_dir():
            found = _managed_files_in(override) or sorted(override.glob("*.toml"))
            layers.extend(Layer(path, "managed") for path in found)
        else:
            layers.append(Layer(override, "managed"))  # a missing file is reported on read
    user = user_file if user_file is not None else paths.user_config_file()
    if (user_file is not None and not new_user_file_ok) or user.exists():
        layers.append(Layer(user, "user"))
    return layers


def _managed_files_in(folder: Path) -> list[Path]:
    """`config.toml`, then `config.d/*.toml` in name order; also accepts a folder of drop-ins."""
    found = []
    main = folder / paths.CONFIG_FILE_NAME
    if main.is_file():
        found.append(main)
    drop_ins = folder / paths.DROP_IN_DIR_NAME
    if drop_ins.is_dir():
        found.extend(sorted(drop_ins.glob("*.toml")))
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


def locate_key(text: str, dotted: str) -> int | None:
    """The line of `dotted` in TOML text, found from table headers (best effort)."""
    parts = dotted.split(".")
    table: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[([^\[\]]+)\]", stripped)
        if header:
            table = [part.strip().strip('"') for part in header.group(1).split(".")]
            continue
        assignment = re.match(r'^("?[\w.\-" ]+"?)\s*=', stripped)
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


def read_layer(layer: Layer) -> LayerValues:
    """Read and check one file: known keys, right forms, `[managed]` only where allowed."""
    data, text = read_toml(layer.path)
    where = str(layer.path)
    values: dict[str, Any] = {}
    locks: tuple[str, ...] = ()
    for key, value in _flatten(data):
        line = locate_key(text, key)
        if key == LOCKS_KEY or key.startswith("managed."):
            if layer.kind != "managed":
                raise ConfigError(
                    where,
                    "[managed] is only allowed in files managed by your organisation",
                    key=key,
                    line=line,
                    expected="this key in a managed file such as /etc/xdg/sitting-reminder/"
                    "config.toml",
                    found="it in a user file",
                )
            if key != LOCKS_KEY:
                raise _unknown(where, key, line)
            locks = _check(where, key, line, value, _parse_locks)
            continue
        if key not in KEYS:
            if key.startswith("schedule.work_hours."):
                day = key.rsplit(".", 1)[-1]
                raise ConfigError(
                    where,
                    "unknown weekday",
                    key=key,
                    line=line,
                    expected="a weekday name: " + ", ".join(WEEKDAYS),
                    found=f'"{day}"',
                )
            raise _unknown(where, key, line)
        _check(where, key, line, value, KEYS[key].parse)
        values[key] = value
    return LayerValues(layer, values, locks)


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
                f'"{pattern}", which matches no setting{hint}',
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
    return ConfigError(where, f"unknown key ({hint})", key=key, line=line)


# ------------------------------------------------------------------- merging


def merge_layers(
    read: list[LayerValues],
) -> tuple[dict[str, Any], dict[str, str], dict[str, str], list[str]]:
    """Effective raw values, their origins, the locks and the lock warnings."""
    locked: dict[str, str] = {}
    for layer_values in read:
        for pattern in layer_values.locks:
            for key in KEYS:
                if fnmatch.fnmatchcase(key, pattern):
                    locked[key] = str(layer_values.layer.path)
    raw: dict[str, Any] = {}
    origins: dict[str, str] = {}
    warnings: list[str] = []
    for layer_values in read:
        layer = layer_values.layer
        origin = DEFAULT_ORIGIN if layer.kind == "default" else str(layer.path)
        for key, value in layer_values.values.items():
            if layer.kind == "user" and key in locked:
                if value != raw.get(key):
                    warnings.append(
                        f"{layer.path}: '{key}' is locked by your organisation in "
                        f"{locked[key]}; your value is ignored"
                    )
                continue
            raw[key] = value
            origins[key] = origin
    return raw, origins, locked, warnings


def build_config(raw: Mapping[str, Any]) -> Config:
    """Turn checked raw values into the frozen Config."""

    def get(key: str) -> Any:
        return KEYS[key].parse(raw[key])

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
        ),
        stretches=Stretches(file=get("stretches.file")),
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


def load_layers(layers: list[Layer]) -> LoadedConfig:
    read = [read_layer(layer) for layer in layers]
    raw, origins, locked, warnings = merge_layers(read)
    config = build_config(raw)
    return LoadedConfig(config, raw, origins, locked, tuple(warnings), tuple(layers))


def load_configuration(
    user_file: Path | None = None, *, new_user_file_ok: bool = False
) -> LoadedConfig:
    """Read every layer in effect; raise ConfigError naming the bad file on any problem."""
    return load_layers(discover_layers(user_file, new_user_file_ok=new_user_file_ok))
