r"""Reads every configuration layer, applies locks, and builds the frozen `Config`.

Layers, lowest to highest precedence (DESIGN.md):

    default      config/default.toml, shipped in the wheel
    managed      site config dirs, then $SITTING_REMINDER_MANAGED_CONFIG
    recommended  Group Policy ...\SittingReminder\Recommended (HKCU, then HKLM: HKLM wins)
    user         the user's file (or `--config`)
    mandatory    macOS managed preferences (machine, then user), Group Policy
                 ...\SittingReminder (HKCU, then HKLM): always locked

A key locked by a managed file keeps the managed value: a user or recommended
value for it is ignored (with a warning for the user's). Every value is checked
once, by `keys.validate`, as its file is read; the Config is built from those
parsed values. Every problem in every file is collected and reported together.

A managed source (the share named by the environment variable, or a site folder)
that cannot be reached is replaced by its last good copy (reminder/configuration/
cache.py), and the layer's note says so. A source that can be read and is wrong
is a problem like any other: the last good copy never hides a mistake.

The OS functions the policy channels and the cache use (winreg, the managed
preferences folder, the cache folder, the clock) come in a `Platform`; the real
ones by default, stand-ins in tests.
"""

from __future__ import annotations

import difflib
import errno
import fnmatch
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from reminder import paths
from reminder.configuration.cache import CachedFile, CachedSource, ManagedCache, age_text
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
from reminder.tomlfile import UNREACHABLE_ERRNOS, FileUnreachable, parse_toml_text, read_toml_file

if TYPE_CHECKING:  # the channels' modules load only where their OS is (or a test injects it)
    from reminder.configuration.channel import PolicyValues
    from reminder.configuration.policy_windows import WinReg

LayerKind = Literal["default", "managed", "recommended", "user", "mandatory"]
Channel = Literal["file", "registry", "managed-preferences"]
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

    path: Path  # the file; for Group Policy the registry key as text, HKLM\Software\...
    kind: LayerKind
    channel: Channel = "file"
    source: Path | None = None  # the managed folder or share a managed file came from
    label: str | None = None  # how origins name it when not by its path ("Group Policy (...)")


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
    warnings: tuple[str, ...] = ()  # read, but something is off (an unknown policy name ...)
    text: str | None = field(default=None, repr=False, compare=False)  # a file's text, to cache


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


# ------------------------------------------------------------------ platform


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Platform:
    """The OS functions configuration is read through: `Platform.current()` in the service,
    stand-ins in tests (no Windows registry or macOS exists on the test machines)."""

    registry: WinReg | None = None  # None: no Group Policy to read
    managed_preferences: Path | None = None  # the macOS folder; None: not macOS
    user_name: str = ""  # the per-user managed preferences folder's name
    cache: ManagedCache | None = None  # None: no copies kept or used
    clock: Callable[[], datetime] = _utc_now

    @classmethod
    def current(cls) -> Platform:
        """This machine: winreg on Windows, /Library/Managed Preferences on macOS, the
        user's cache folder everywhere."""
        registry: WinReg | None = None
        if sys.platform == "win32":
            from reminder.configuration.policy_windows import system_registry

            registry = system_registry()
        folder, user = None, ""
        if sys.platform == "darwin":
            from reminder.configuration import policy_macos

            folder, user = policy_macos.MANAGED_PREFERENCES, policy_macos.current_user()
        return cls(registry, folder, user, ManagedCache(paths.managed_cache_dir()))


# ------------------------------------------------------------------ discovery


def discover_layers(
    user_file: Path | None = None,
    *,
    new_user_file_ok: bool = False,
    platform: Platform | None = None,
) -> list[Layer]:
    """Every source in effect, lowest precedence first (missing user file left out).

    A `user_file` named with `--config` must exist, unless `new_user_file_ok` (for
    `interval`, which creates it). The managed source named by the environment
    variable always yields a layer: when it is missing, unreachable or empty, the
    reader says so (and falls back to its cached copy)."""
    platform = platform or Platform.current()
    layers = [Layer(paths.bundled_file("default.toml"), "default")]
    for folder in reversed(paths.site_config_dirs()):  # earlier dirs win, so they come later
        found = managed_files_in(folder)
        if found:
            layers.extend(Layer(path, "managed", source=folder) for path in found)
        elif _unreachable(folder):  # a site folder on a share that is down
            layers.append(Layer(folder, "managed", source=folder))
    override = paths.managed_override()
    if override is not None:
        found = managed_files_in(override, loose=True) if _is_dir(override) else []
        if found:
            layers.extend(Layer(path, "managed", source=override) for path in found)
        else:  # a file, or a folder that is missing, unreachable or empty: reported on read
            layers.append(Layer(override, "managed", source=override))
    if platform.managed_preferences is not None:
        from reminder.configuration import policy_macos

        for path in policy_macos.managed_preference_files(
            platform.managed_preferences, platform.user_name
        ):
            label = policy_macos.describe(path)
            layers.append(Layer(path, "mandatory", "managed-preferences", label=label))
    if platform.registry is not None:
        layers.extend(_registry_layers(platform.registry))
    user = user_file if user_file is not None else paths.user_config_file()
    if (user_file is not None and not new_user_file_ok) or user.exists():
        layers.append(Layer(user, "user"))
    return layers


def _registry_layers(registry: WinReg) -> list[Layer]:
    from reminder.configuration.policy_windows import present_policy_keys

    return [
        Layer(Path(policy.full_path), policy.kind, "registry", label=policy.describe())
        for policy in present_policy_keys(registry)
    ]


def managed_sources() -> list[Path]:
    """Every place managed files may come from (each has at most one cached copy)."""
    sources = list(paths.site_config_dirs())
    override = paths.managed_override()
    if override is not None:
        sources.append(override)
    return sources


def _unreachable(folder: Path) -> bool:
    """The folder is on a share that cannot be reached now (not merely absent)."""
    try:
        os.stat(folder)
    except OSError as error:
        return error.errno in UNREACHABLE_ERRNOS - {errno.ENOENT, errno.ENOTDIR}
    return False


def managed_files_in(folder: Path, *, loose: bool = False) -> list[Path]:
    """`config.toml`, then `config.d/*.toml` in name order.

    With `loose` (a folder named by the environment variable or given to
    `validate`), a folder with neither holds plain `*.toml` drop-ins. A folder
    that cannot be listed (its share is down) holds nothing here; the caller
    asks `_unreachable` why.
    """
    try:
        found = []
        main = folder / paths.CONFIG_FILE_NAME
        if main.is_file():
            found.append(main)
        drop_ins = folder / paths.DROP_IN_DIR_NAME
        if drop_ins.is_dir():
            found.extend(sorted(drop_ins.glob("*.toml")))
        if loose and not found:
            found = sorted(folder.glob("*.toml"))
    except OSError:  # pathlib only hides "not there" errors, not EHOSTDOWN or ESTALE
        return []
    return found


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


# -------------------------------------------------------------------- reading


_TOML_EXAMPLE = 'key = "value" under a [section]'


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse one configuration file; syntax errors carry the parser's line."""
    return read_toml_file(path, example=_TOML_EXAMPLE)


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
    """How origins and messages name a layer: its label, else its path."""
    if layer.kind == "default":
        return DEFAULT_ORIGIN
    return layer.label or str(layer.path)


def read_layer(layer: Layer, platform: Platform | None = None) -> LayerValues:
    """Read and check one source: every key known, every value of the right form,
    `[managed]` only where allowed. Never raises: problems are collected."""
    if layer.channel == "registry":
        from reminder.configuration.policy_windows import policy_key_from_path, read_policy_key

        registry = (platform or Platform.current()).registry
        if registry is None:
            problem = ConfigError(origin_of(layer), "there is no Windows registry to read here")
            return LayerValues(layer, {}, problems=(problem,))
        policy = policy_key_from_path(str(layer.path))
        return _policy_layer(layer, read_policy_key(registry, policy))
    if layer.channel == "managed-preferences":
        from reminder.configuration.policy_macos import read_managed_preferences

        return _policy_layer(layer, read_managed_preferences(layer.path))
    if layer.source == layer.path and _is_dir(layer.path):
        problem = FileUnreachable(
            str(layer.path), "the folder holds no *.toml files (is the share mounted?)"
        )
        return LayerValues(layer, {}, problems=(problem,))
    try:
        data, text = read_toml(layer.path)
    except ConfigError as error:
        return LayerValues(layer, {}, problems=(error,))
    return replace(check_table(layer, data, text), text=text)


def _policy_layer(layer: Layer, read: PolicyValues) -> LayerValues:
    """A policy channel's values, checked by the key table like a file's."""
    checked = check_table(layer, nested(read.data), origins=read.origins)
    return replace(
        checked,
        problems=(*read.problems, *checked.problems),
        warnings=(*read.warnings, *checked.warnings),
    )


def nested(dotted: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys as TOML tables: {"reminders.sitting_limit": x} -> {"reminders": {...: x}}."""
    tree: dict[str, Any] = {}
    for key, value in dotted.items():
        *tables, leaf = key.split(".")
        node = tree
        for table in tables:
            node = node.setdefault(table, {})
        node[leaf] = value
    return tree


def check_table(
    layer: Layer,
    data: Mapping[str, Any],
    text: str = "",
    *,
    origins: Mapping[str, str] | None = None,
) -> LayerValues:
    """Check parsed TOML data of `layer` (lines are found in `text` where given).

    `origins` names where single keys came from (a registry value), for their
    Setting and their problems; the layer's origin otherwise."""
    layer_origin = origin_of(layer)
    layer_where = layer.label or str(layer.path)  # problems name the file, even the defaults'
    values: dict[str, Setting] = {}
    locks: tuple[str, ...] = ()
    problems: list[ConfigError] = []
    for key, value in _flatten(data):
        line = locate_key(text, key) if text else None
        origin = origins.get(key, layer_origin) if origins else layer_origin
        where = origins.get(key, layer_where) if origins else layer_where
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
            values[key] = Setting(value, parsed, origin, line)
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
                    locked[key] = origin_of(layer_values.layer)
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
                        f"{origin_of(layer_values.layer)}: '{key}' is locked by your "
                        f"organisation in {locked[key]}; your value is ignored"
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
    notes = tuple(values.note for values in read if values.note)
    # Notes are warnings too, so that whoever logs warnings (the service at start and
    # on each reload, `config show`) logs them; `status` keeps showing the notes.
    layer_warnings = [warning for values in read for warning in values.warnings]
    return LoadedConfig(
        config,
        {key: setting.raw for key, setting in merged.settings.items()},
        {key: setting.origin for key, setting in merged.settings.items()},
        merged.locked,
        (*notes, *layer_warnings, *merged.warnings),
        tuple(values.layer for values in read),
        notes,
    )


# -------------------------------------------------------------- the cache


def read_layers(layers: list[Layer], platform: Platform | None = None) -> list[LayerValues]:
    """Read every layer; a managed source that cannot be reached is replaced by its last
    good copy (with a note), and one read whole and valid becomes the new copy."""
    platform = platform or Platform.current()
    read = [read_layer(layer, platform) for layer in layers]
    cache = platform.cache
    if cache is None:
        return read
    groups: dict[Path, list[int]] = {}
    for index, layer in enumerate(layers):
        if layer.source is not None and layer.kind == "managed":
            groups.setdefault(layer.source, []).append(index)
    stand_ins: dict[int, list[LayerValues]] = {}
    for source, indexes in groups.items():
        group = [read[index] for index in indexes]
        unreachable = next(
            (p for values in group for p in values.problems if isinstance(p, FileUnreachable)),
            None,
        )
        if unreachable is None:
            problem = None if problems_of(group) else _keep_copy(cache, source, group, platform)
            if problem is not None:  # only the offline fallback is lost: say so, go on
                first = group[0]
                stand_ins[indexes[0]] = [replace(first, warnings=(*first.warnings, problem))]
            continue
        cached = cache.load(source)
        if cached is None:
            stand_ins[indexes[0]] = [_no_copy_yet(values) for values in group]
        else:
            stand_ins[indexes[0]] = _from_copy(cached, unreachable, platform.clock())
        stand_ins.update({index: [] for index in indexes[1:]})
    return [values for index, one in enumerate(read) for values in stand_ins.get(index, [one])]


def _keep_copy(
    cache: ManagedCache, source: Path, group: list[LayerValues], platform: Platform
) -> str | None:
    """Save a source read whole and valid; None, or the warning that it could not be."""
    files = [CachedFile(values.layer.path, values.text or "") for values in group]
    problem = cache.save(source, files, platform.clock())
    if problem is None:
        return None
    return f"{source}: {problem}; if it becomes unreachable its settings will be missing"


def _no_copy_yet(values: LayerValues) -> LayerValues:
    """An unreachable source never read on this computer: its problem says so."""
    problems = tuple(
        FileUnreachable(
            problem.path, f"{problem.detail}, and no earlier copy is cached on this computer"
        )
        if isinstance(problem, FileUnreachable)
        else problem
        for problem in values.problems
    )
    return replace(values, problems=problems)


def _from_copy(cached: CachedSource, reason: FileUnreachable, now: datetime) -> list[LayerValues]:
    """The layers of a cached source, checked again with today's key table."""
    age = age_text(cached.age(now))
    read = []
    for item in cached.files:
        label = f"cached copy of {item.path} (read {age} ago)"
        layer = Layer(item.path, "managed", source=cached.source, label=label)
        try:
            data = parse_toml_text(Path(label), item.text, example=_TOML_EXAMPLE)
        except ConfigError as error:  # a copy saved by another version that reads differently
            read.append(LayerValues(layer, {}, problems=(error,)))
            continue
        read.append(check_table(layer, data, item.text))
    note = (
        f"managed configuration from cache, {age} old: {cached.source} unreachable "
        f"({reason.detail})"
    )
    read[0] = replace(read[0], note=note)
    return read


def _forget_absent_sources(layers: list[Layer], platform: Platform) -> None:
    """Drop the copy of each managed source that is reachable and holds nothing now."""
    if platform.cache is None:
        return
    present = {layer.source for layer in layers if layer.source is not None}
    for source in managed_sources():
        if source not in present:
            platform.cache.forget(source)


def load_layers(layers: list[Layer], platform: Platform | None = None) -> LoadedConfig:
    return loaded_from(read_layers(layers, platform))


def load_configuration(
    user_file: Path | None = None,
    *,
    new_user_file_ok: bool = False,
    platform: Platform | None = None,
) -> LoadedConfig:
    """Read every layer in effect; raise ConfigError (ConfigErrors for several) on any problem.

    `platform` is for tests: the real registry, managed preferences and cache by default."""
    platform = platform or Platform.current()
    layers = discover_layers(user_file, new_user_file_ok=new_user_file_ok, platform=platform)
    _forget_absent_sources(layers, platform)
    return load_layers(layers, platform)
