"""The probes behind `doctor`: each looks at one part of the desk and fills its record.

Nothing here changes the desk: configuration is read through a cache that is
never written, files are tested with a temporary file created and removed beside
them (the real files are never opened for writing), the history is opened
read-only, D-Bus calls never start a service (NO_AUTOSTART), and every source
that is started to be looked at (activity, calls) is closed again.

Time bounds: every D-Bus call and connection takes at most `DBUS_TIMEOUT_S`, the
running service `SERVICE_TIMEOUT_S`; each section as a whole `SECTION_TIMEOUT_S`
(a chain of activity sources asks several in turn), and the configuration, which
may sit on a share that hangs, `CONFIG_TIMEOUT_S`. Blocking work runs in daemon
threads that are abandoned, not waited for, when their time is up, so a hung
share, X server or socket can cost its section but never the report.

Failure modes: a probe that raises or runs out of time leaves its section with a
`failure` saying why (no traceback), and the other sections are still filled.

Threading rule: `collect_report` runs on its own asyncio loop (`asyncio.run`);
the blocking probes run in the loop's default executor, which here starts one
daemon thread per call.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import platform as platform_module
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from reminder import __version__, paths
from reminder.configuration.cache import CachedFile, ManagedCache
from reminder.configuration.loader import (
    Layer,
    LayerValues,
    Platform,
    advice,
    discover_layers,
    loaded_from,
    merge_layers,
    problems_of,
    read_layers,
)
from reminder.configuration.model import Config
from reminder.doctor._report import (
    ActivityReport,
    AutostartReport,
    CallSourceInfo,
    CallsReport,
    Catalog,
    ConfigSource,
    ConfigurationReport,
    FileCheck,
    FilesReport,
    NotificationsReport,
    Report,
    ServerInfo,
    ServiceReport,
    Session,
    SourceState,
    TrayReport,
    Watcher,
)
from reminder.errors import ConfigError, NoServiceError, ReminderError
from reminder.tomlfile import FileUnreachable

if TYPE_CHECKING:  # dbus-fast is installed on Linux only
    from dbus_fast.aio import MessageBus

log = logging.getLogger(__name__)

DBUS_TIMEOUT_S = 2.0
SERVICE_TIMEOUT_S = 5.0
SECTION_TIMEOUT_S = 8.0
CONFIG_TIMEOUT_S = 10.0

BUS_NAME = "org.freedesktop.DBus"
BUS_PATH = "/org/freedesktop/DBus"
NOTIFICATIONS_NAME = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
NO_OWNER = "org.freedesktop.DBus.Error.NameHasNoOwner"
SYSTEMD_UNIT = "sitting-reminder.service"
SESSION_VARIABLES = (
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XAUTHORITY",
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_CURRENT_DESKTOP",
    "XDG_SESSION_TYPE",
    "XDG_SESSION_ID",
    "DESKTOP_SESSION",
    "PULSE_SERVER",
    "PULSE_RUNTIME_PATH",
    "PYSTRAY_BACKEND",
)
"""What `doctor` takes from the running service's environment when it runs without a
desktop of its own (over SSH, say): the service's session is the one that matters."""
_PRECEDENCE = {"default": 0, "managed": 1, "recommended": 2, "user": 3, "mandatory": 4}

P = ParamSpec("P")
T = TypeVar("T")


# ------------------------------------------------------------------ threads


class _DaemonThreads(ThreadPoolExecutor):
    """An executor that runs every call in a daemon thread of its own and never waits for
    one on shutdown: a probe stuck in a system call (a hung share, a dead X server) is
    abandoned when its time is up, and the process can still exit."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:  # handed to whoever waits for the future
                future.set_exception(error)
            else:
                future.set_result(result)

        threading.Thread(target=run, name="doctor-probe", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None


async def _bounded(probe: Awaitable[T], timeout: float, failed: Callable[[str], T]) -> T:
    """The probe's record, or `failed(why)` when it raised or took longer than `timeout`."""
    try:
        return await asyncio.wait_for(probe, timeout)
    except asyncio.TimeoutError:
        return failed(f"no answer within {timeout:g} s")
    except Exception as error:  # a probe that fails says why in its section; the rest goes on
        log.debug("doctor probe failed", exc_info=True)
        return failed(f"{type(error).__name__}: {error}")


def _in_thread(function: Callable[[], T]) -> Awaitable[T]:
    return asyncio.get_running_loop().run_in_executor(None, function)


# ------------------------------------------------------------------ session


def process_environment(pid: int) -> dict[str, str]:
    """The environment of process `pid` (Linux /proc; {} when it cannot be read)."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {name.decode(errors="replace"): value.decode(errors="replace") for name, value in pairs}


def session_environment(
    own: Mapping[str, str], service_pid: int | None, system: str
) -> tuple[dict[str, str], int | None]:
    """The environment to probe the desktop with, and the service pid it came from.

    This process's own, unless it has no desktop (no DISPLAY nor WAYLAND_DISPLAY) and
    the running service has one: then the service's session variables fill the gaps.
    """
    env = dict(own)
    if not system.startswith("linux") or service_pid is None:
        return env, None
    if own.get("DISPLAY") or own.get("WAYLAND_DISPLAY"):
        return env, None
    theirs = process_environment(service_pid)
    if not (theirs.get("DISPLAY") or theirs.get("WAYLAND_DISPLAY")):
        return env, None
    for name in SESSION_VARIABLES:
        if theirs.get(name) and not own.get(name):
            env[name] = theirs[name]
    return env, service_pid


@contextlib.contextmanager
def _x_display_of(env: Mapping[str, str]) -> Iterator[None]:
    """This process's DISPLAY and XAUTHORITY set to `env`'s while inside (libX11 reads them
    from the process: the XEmbed question has no other way to be given a display)."""
    saved = {name: os.environ.get(name) for name in ("DISPLAY", "XAUTHORITY")}
    for name in saved:
        if env.get(name):
            os.environ[name] = env[name]
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def describe_platform(system: str) -> tuple[str, str | None]:
    """platform.platform() and the distribution or OS release people know it by."""
    description = platform_module.platform()
    distribution: str | None = None
    if system.startswith("linux"):
        try:
            distribution = platform_module.freedesktop_os_release().get("PRETTY_NAME")
        except OSError:
            distribution = None
    elif system == "darwin":
        distribution = f"macOS {platform_module.mac_ver()[0]}"
    elif system == "win32":
        release, version, *_ = platform_module.win32_ver()
        distribution = f"Windows {release} ({version})"
    return description, distribution


# ------------------------------------------------------------------ configuration


class _ReadOnlyCache(ManagedCache):
    """The managed-configuration cache, read but never written: `doctor` changes nothing."""

    def save(self, source: Path, files: Sequence[CachedFile], now: datetime) -> str | None:
        return None

    def forget(self, source: Path) -> None:
        return None


def probe_configuration(user_file: Path | None, platform: Platform) -> ConfigurationReport:
    """Every configuration source and its state, the locks, and the stretch catalog."""
    if platform.cache is not None:
        platform = replace(platform, cache=_ReadOnlyCache(platform.cache.folder))
    layers = discover_layers(user_file, platform=platform)
    read = read_layers(layers, platform)
    sources = _sources(layers, read, user_file, platform)
    merged = merge_layers(read)
    backend_setting = merged.settings.get("notifications.backend")
    backend = str(backend_setting.value) if backend_setting is not None else "auto"
    idle_setting = merged.settings.get("activity.break_after_idle")
    break_after_idle = idle_setting.value if idle_setting is not None else timedelta(minutes=5)
    try:
        loaded = loaded_from(read)
    except ConfigError as error:
        return ConfigurationReport(
            sources=sources,
            locks=dict(merged.locked),
            notes=tuple(values.note for values in read if values.note),
            warnings=tuple(merged.warnings),
            error=None if problems_of(read) else str(error),
            backend=backend,
            break_after_idle=break_after_idle,
        )
    return ConfigurationReport(
        sources=sources,
        locks=dict(loaded.locked),
        notes=loaded.notes,
        warnings=(*merged.warnings, *advice(loaded.config, loaded.origins)),
        catalog=_catalog(loaded.config, loaded.origins.get("stretches.only", "")),
        backend=loaded.config.notifications.backend,
        break_after_idle=loaded.config.activity.break_after_idle,
    )


def _catalog(config: Config, origin: str) -> Catalog:
    from reminder.service.run import catalog_for

    try:
        chosen = catalog_for(config, origin or "your configuration")
    except ConfigError as error:
        return Catalog(config.stretches.file, 0, str(error))
    return Catalog(config.stretches.file, len(chosen))


def _sources(
    layers: list[Layer], read: list[LayerValues], user_file: Path | None, platform: Platform
) -> tuple[ConfigSource, ...]:
    """One entry per source read (in precedence order, lowest first), plus the places that
    could hold one and hold none."""
    originals = set(layers)
    now = platform.clock()
    entries = [_source(values, values.layer in originals, platform.cache, now) for values in read]
    entries += _absent_sources(layers, user_file, platform)
    return tuple(sorted(entries, key=lambda entry: _PRECEDENCE[entry.kind]))


def _source(
    values: LayerValues, original: bool, cache: ManagedCache | None, now: datetime
) -> ConfigSource:
    layer = values.layer
    entry = ConfigSource(
        kind=layer.kind,
        channel=layer.channel,
        where=str(layer.path),
        state="read",
        managed_source=str(layer.source) if layer.source is not None else None,
        warnings=tuple(values.warnings),
    )
    if values.problems:
        first = values.problems[0]
        more = len(values.problems) - 1
        problem = str(first)
        if more:
            problem += f" (and {more} more: `sitting-reminder config validate` lists them)"
        state: SourceState = "missing" if isinstance(first, FileUnreachable) else "invalid"
        return replace(entry, state=state, problem=problem)
    if not original:  # a cached copy standing in for a source out of reach
        copy = cache.load(layer.source) if cache is not None and layer.source else None
        age_s = None if copy is None else int(copy.age(now).total_seconds())
        return replace(entry, state="cached", detail=values.note or layer.label, age_s=age_s)
    return entry


def _absent_sources(
    layers: list[Layer], user_file: Path | None, platform: Platform
) -> list[ConfigSource]:
    present_sources = {layer.source for layer in layers if layer.source is not None}
    present_paths = {str(layer.path).lower() for layer in layers}
    absent = [
        ConfigSource(
            "managed",
            "file",
            str(folder),
            "missing",
            detail=f"optional: no {paths.CONFIG_FILE_NAME} or {paths.DROP_IN_DIR_NAME}/*.toml",
            managed_source=str(folder),
        )
        for folder in reversed(paths.site_config_dirs())
        if folder not in present_sources
    ]
    if platform.managed_preferences is not None:
        from reminder.configuration import policy_macos

        candidates = [platform.managed_preferences / policy_macos.FILE_NAME]
        if platform.user_name:
            candidates.append(
                platform.managed_preferences / platform.user_name / policy_macos.FILE_NAME
            )
        absent += [
            ConfigSource(
                "mandatory",
                "managed-preferences",
                str(path),
                "missing",
                detail="optional: no profile sets this domain",
            )
            for path in candidates
            if str(path).lower() not in present_paths
        ]
    if platform.registry is not None:
        from reminder.configuration.policy_windows import POLICY_KEYS

        absent += [
            ConfigSource(
                key.kind, "registry", key.full_path, "missing", detail="optional: no policy set"
            )
            for key in POLICY_KEYS
            if key.full_path.lower() not in present_paths
        ]
    if not any(layer.kind == "user" for layer in layers):
        user = user_file or paths.user_config_file()
        absent.append(
            ConfigSource(
                "user", "file", str(user), "missing", detail="optional: the user changed nothing"
            )
        )
    return absent


# ------------------------------------------------------------------ files


def probe_files() -> FilesReport:
    """Whether the state, history and log files and the managed cache can be written."""
    return FilesReport(
        (
            _check_file("state", paths.state_file()),
            _check_history(paths.history_file()),
            _check_file("log", paths.log_file()),
            _check_folder("cache", paths.managed_cache_dir()),
        )
    )


def _folder_writable(folder: Path) -> tuple[str | None, int | None]:
    """(why files cannot be created in `folder`, free bytes there); the folder need not
    exist yet: then the nearest existing folder above it is tried, as the service would
    create the rest. A temporary file is created there and removed."""
    base = folder
    while not os.path.lexists(base) and base.parent != base:
        base = base.parent
    if not base.is_dir():
        return f"is not writable: {base} is in the way (not a folder)", None
    free = shutil.disk_usage(base).free
    try:
        handle, name = tempfile.mkstemp(prefix=".sitting-reminder-doctor-", dir=base)
    except OSError as error:
        return f"is not writable ({base}: {error.strerror or error})", free
    os.close(handle)
    os.unlink(name)
    return None, free


def _check_file(role: str, path: Path) -> FileCheck:
    exists = os.path.lexists(path)
    if exists and not path.is_file():
        return FileCheck(
            role, str(path), True, False, None, f"is not writable: {path} is not a file"
        )
    problem, free = _folder_writable(path.parent)
    if problem is None and exists and not os.access(path, os.W_OK):
        problem = f"is not writable ({path}: permission denied or a read-only file system)"
    return FileCheck(role, str(path), exists, problem is None, free, problem)


def _check_folder(role: str, folder: Path) -> FileCheck:
    problem, free = _folder_writable(folder)
    return FileCheck(role, str(folder), folder.is_dir(), problem is None, free, problem)


def _check_history(path: Path) -> FileCheck:
    from reminder.store.history import History

    check = _check_file("history", path)
    if not check.exists or check.problem is not None:
        return check
    history = History(path, read_only=True)
    try:
        version = history.schema_version
    except (ReminderError, sqlite3.Error) as error:
        return replace(check, problem=f"cannot be read ({error})")
    finally:
        history.close()
    return replace(check, note=f"schema version {version}")


# ------------------------------------------------------------------ autostart


def probe_autostart() -> AutostartReport:
    """The autostart entry in effect, and systemd user unit links that start the service."""
    from reminder.autostart import autostart_state

    state = autostart_state()
    return AutostartReport(state.enabled, state.entry, state.message, _systemd_links())


def _systemd_links() -> tuple[str, ...]:
    if not sys.platform.startswith("linux"):
        return ()
    config_home = os.environ.get("XDG_CONFIG_HOME", "")
    user = Path(config_home) if os.path.isabs(config_home) else Path.home() / ".config"
    folders = (Path("/etc/systemd/user"), user / "systemd" / "user")
    targets = ("graphical-session.target.wants", "default.target.wants")
    links = (folder / target / SYSTEMD_UNIT for folder in folders for target in targets)
    return tuple(str(link) for link in links if os.path.lexists(link))


# ------------------------------------------------------------------ the service


def probe_service(endpoint: str | None = None, timeout: float = SERVICE_TIMEOUT_S) -> ServiceReport:
    """The running service's pid, version and status, over its control endpoint."""
    from reminder.control.client import send_request

    try:
        where = endpoint if endpoint is not None else paths.control_endpoint()
    except OSError as error:  # platformdirs refuses a runtime folder another user owns
        return ServiceReport(error=f"there is no place for its control endpoint: {error}")
    deadline = time.monotonic() + timeout
    try:
        ping = send_request({"cmd": "ping"}, where, timeout)
        answer = send_request({"cmd": "status"}, where, max(0.1, deadline - time.monotonic()))
    except NoServiceError:
        return ServiceReport(running=False, endpoint=where)
    except ReminderError as error:
        return ServiceReport(endpoint=where, error=str(error))
    status = answer.get("status")
    if not answer.get("ok") or not isinstance(status, dict):
        return ServiceReport(endpoint=where, error=str(answer.get("error", "no status given")))
    pid = status.get("pid", ping.get("pid"))
    calls = status.get("call_detection")
    notes = status.get("config_notes")
    return ServiceReport(
        running=True,
        endpoint=where,
        pid=pid if isinstance(pid, int) else None,
        version=_text(ping.get("version")),
        state=_text(status.get("state")),
        activity_detection=_text(status.get("activity_detection")),
        call_detection=tuple(str(name) for name in calls) if isinstance(calls, list) else (),
        notifier=_text(status.get("notifier")),
        config_warning=_text(status.get("config_warning")),
        notes=tuple(str(note) for note in notes) if isinstance(notes, list) else (),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


# ------------------------------------------------------------------ D-Bus


async def _open_bus(env: Mapping[str, str], system: str) -> tuple[MessageBus | None, str | None]:
    """The session bus of `env`, or None and why not."""
    if not system.startswith("linux"):
        return None, "D-Bus is only asked on Linux"
    from reminder._dbus import connect, session_bus_address

    try:
        return await connect(session_bus_address(env), DBUS_TIMEOUT_S), None
    except ConnectionError as error:
        return None, str(error)


async def _name_owner(bus: MessageBus, name: str) -> str | None:
    """The unique name owning `name`, or None when nobody does."""
    from dbus_fast.errors import DBusError

    from reminder._dbus import call

    try:
        reply = await call(bus, BUS_NAME, BUS_PATH, BUS_NAME, "GetNameOwner", "s", [name])
    except DBusError as error:
        if error.type == NO_OWNER:
            return None
        raise
    return str(reply[0])


async def _program_of(bus: MessageBus, unique_name: str) -> str | None:
    """ "status-notifier-watcher (pid 123)" for a connection (None when it cannot be told)."""
    from dbus_fast.errors import DBusError

    from reminder._dbus import call

    try:
        reply = await call(
            bus, BUS_NAME, BUS_PATH, BUS_NAME, "GetConnectionUnixProcessID", "s", [unique_name]
        )
    except (DBusError, asyncio.TimeoutError):
        return None
    pid = int(reply[0])
    try:
        program = Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").strip()
    except OSError:
        return f"pid {pid}"
    return f"{program} (pid {pid})"


async def _property(bus: MessageBus, name: str, path: str, interface: str, prop: str) -> object:
    """One D-Bus property's value, or None when it cannot be read."""
    from dbus_fast import Variant
    from dbus_fast.errors import DBusError

    from reminder._dbus import call

    try:
        reply = await call(
            bus, name, path, "org.freedesktop.DBus.Properties", "Get", "ss", [interface, prop]
        )
    except (DBusError, asyncio.TimeoutError):
        return None
    value = reply[0]
    return value.value if isinstance(value, Variant) else value


# ------------------------------------------------------------------ tray


async def probe_tray(
    bus: MessageBus | None,
    bus_reason: str | None,
    env: Mapping[str, str],
    session: Session,
    service_pid: int | None,
) -> TrayReport:
    """The StatusNotifierWatcher and its host, an XEmbed tray, and the tray the service
    would pick (`reminder.tray.choose`)."""
    from reminder.tray.choose import choose_tray

    watcher: Watcher | None = None
    reason = bus_reason if session.linux else None
    if bus is not None:
        from reminder.tray.sni import WATCHER_NAME

        owner = await _name_owner(bus, WATCHER_NAME)
        if owner is not None:
            watcher = await _watcher(bus, owner, service_pid)
    xembed: bool | None = None
    if session.linux and env.get("DISPLAY"):
        from reminder.tray.backend import xembed_tray_running

        try:
            xembed = await asyncio.wait_for(_in_thread(xembed_tray_running), DBUS_TIMEOUT_S)
        except asyncio.TimeoutError:
            reason = f"the X display {env.get('DISPLAY')} did not answer in {DBUS_TIMEOUT_S:g} s"
    would_use = await choose_tray(
        bus, platform=session.system, environ=env, xembed_tray_running=lambda: bool(xembed)
    )
    pygobject: bool | None = None
    if would_use == "pystray" and session.linux and not env.get("PYSTRAY_BACKEND", "").strip():
        pygobject = importlib.util.find_spec("gi") is not None
    return TrayReport(session.desktop, would_use, watcher, xembed, pygobject, reason)


async def _watcher(bus: MessageBus, owner: str, service_pid: int | None) -> Watcher:
    from reminder.tray.sni import WATCHER_NAME, WATCHER_PATH, item_bus_name

    program = await _program_of(bus, owner)
    host = await _property(
        bus, WATCHER_NAME, WATCHER_PATH, WATCHER_NAME, "IsStatusNotifierHostRegistered"
    )
    items = await _property(
        bus, WATCHER_NAME, WATCHER_PATH, WATCHER_NAME, "RegisteredStatusNotifierItems"
    )
    registered: bool | None = None
    if service_pid is not None and isinstance(items, list):
        item = item_bus_name(service_pid)
        names = [item]
        unique = await _name_owner(bus, item)
        if unique is not None:
            names.append(unique)
        registered = any(
            str(entry) == name or str(entry).startswith(f"{name}/")
            for entry in items
            for name in names
        )
    return Watcher(owner, program, host if isinstance(host, bool) else None, registered)


# ------------------------------------------------------------------ notifications


async def probe_notifications(
    bus: MessageBus | None, bus_reason: str | None, session: Session, backend: str
) -> NotificationsReport:
    """The notification server, its capabilities, and the notifier chain of `backend`."""
    from dbus_fast.errors import DBusError

    from reminder._dbus import call
    from reminder.notify.fallback import build_notifier

    chain = build_notifier(backend, has_display=session.desktop).name
    report = NotificationsReport(
        backend=backend,
        chain=chain,
        desktop=session.desktop,
        uses_desktop_server=session.linux and chain.startswith("desktop-notifier"),
    )
    if not session.linux:
        return replace(report, reason="shown by the system's notification centre, not D-Bus")
    if bus is None:
        return replace(report, reason=bus_reason)
    owner = await _name_owner(bus, NOTIFICATIONS_NAME)
    if owner is None:
        (activatable,) = await call(bus, BUS_NAME, BUS_PATH, BUS_NAME, "ListActivatableNames")
        return replace(
            report,
            activatable=NOTIFICATIONS_NAME in activatable,
            reason=f"nothing owns {NOTIFICATIONS_NAME} on the session bus",
        )
    try:
        name, vendor, version, spec_version = await call(
            bus, NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, NOTIFICATIONS_NAME, "GetServerInformation"
        )
        (capabilities,) = await call(
            bus, NOTIFICATIONS_NAME, NOTIFICATIONS_PATH, NOTIFICATIONS_NAME, "GetCapabilities"
        )
    except asyncio.TimeoutError:
        return replace(
            report,
            server_error=f"{owner} owns {NOTIFICATIONS_NAME} but gave no answer in "
            f"{DBUS_TIMEOUT_S:g} s",
        )
    except DBusError as error:
        return replace(report, server_error=f"{owner} answered {error.type}: {error}")
    program = await _program_of(bus, owner)
    server = ServerInfo(str(name), str(vendor), str(version), str(spec_version), program)
    return replace(report, server=server, capabilities=tuple(str(c) for c in capabilities))


# ------------------------------------------------------------------ activity and calls


async def probe_activity(
    env: Mapping[str, str], session: Session, break_after_idle: timedelta
) -> ActivityReport:
    """The activity source the service would pick, what it announces, and the idle time now."""
    from reminder.activity.detect import choose_activity_source

    source = await choose_activity_source(env, platform=session.system)
    try:
        if source.name == "unavailable":
            return ActivityReport(desktop=session.desktop)
        pushes = source.watch(lambda: None, break_after_idle)
        sample = await source.sample()
    finally:
        await source.close()
    return ActivityReport(
        source=source.name,
        pushes={"idle": pushes.idle, "fullscreen": pushes.fullscreen, "lock": pushes.lock},
        idle_for_s=None if sample.idle_for is None else sample.idle_for.total_seconds(),
        desktop=session.desktop,
    )


async def probe_calls(
    bus: MessageBus | None, env: Mapping[str, str], session: Session
) -> CallsReport:
    """The call and Do Not Disturb sources that work here, and why the others do not.

    Only which signals can be watched is reported, never whether a call is on."""
    from reminder.calls.detect import choose_call_sources

    detectors = await choose_call_sources(bus, platform=session.system, environ=env)
    try:
        sources = tuple(
            CallSourceInfo(source.name, source.kind, source.pushes) for source in detectors.sources
        )
        return CallsReport(sources, dict(detectors.unavailable))
    finally:
        await detectors.close()


# ------------------------------------------------------------------ the whole report


async def collect_report(
    user_file: Path | None,
    *,
    platform: Platform,
    environ: Mapping[str, str],
    system: str,
) -> Report:
    """Run every probe (concurrently where they do not depend on each other)."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(_DaemonThreads())
    service_task = asyncio.ensure_future(
        _bounded(
            _in_thread(probe_service),
            SERVICE_TIMEOUT_S + 1,
            lambda why: ServiceReport(failure=why),
        )
    )
    configuration_task = asyncio.ensure_future(
        _bounded(
            _in_thread(partial(probe_configuration, user_file, platform)),
            CONFIG_TIMEOUT_S,
            lambda why: ConfigurationReport(failure=why),
        )
    )
    files_task = asyncio.ensure_future(
        _bounded(_in_thread(probe_files), SECTION_TIMEOUT_S, lambda why: FilesReport(failure=why))
    )
    autostart_task = asyncio.ensure_future(
        _bounded(
            _in_thread(probe_autostart), SECTION_TIMEOUT_S, lambda why: AutostartReport(failure=why)
        )
    )
    service = await service_task
    env, borrowed = session_environment(environ, service.pid if service.running else None, system)
    bus, bus_reason = await _open_bus(env, system)
    session = Session(
        system=system,
        display=env.get("DISPLAY") or None,
        wayland_display=env.get("WAYLAND_DISPLAY") or None,
        session_type=env.get("XDG_SESSION_TYPE") or None,
        desktop_name=env.get("XDG_CURRENT_DESKTOP") or None,
        bus_address=_bus_address(env) if bus is not None else None,
        borrowed_from_pid=borrowed,
    )
    try:
        with _x_display_of(env):
            tray_task = asyncio.ensure_future(
                _bounded(
                    probe_tray(bus, bus_reason, env, session, service.pid),
                    SECTION_TIMEOUT_S,
                    lambda why: TrayReport(desktop=session.desktop, failure=why),
                )
            )
            calls_task = asyncio.ensure_future(
                _bounded(
                    probe_calls(bus, env, session),
                    SECTION_TIMEOUT_S,
                    lambda why: CallsReport(failure=why),
                )
            )
            configuration = await configuration_task
            notifications, activity = await asyncio.gather(
                _bounded(
                    probe_notifications(bus, bus_reason, session, configuration.backend),
                    SECTION_TIMEOUT_S,
                    lambda why: NotificationsReport(
                        backend=configuration.backend, desktop=session.desktop, failure=why
                    ),
                ),
                _bounded(
                    probe_activity(env, session, configuration.break_after_idle),
                    SECTION_TIMEOUT_S,
                    lambda why: ActivityReport(desktop=session.desktop, failure=why),
                ),
            )
            tray, calls = await tray_task, await calls_task
    finally:
        if bus is not None:
            from reminder._dbus import disconnect

            disconnect(bus)
    autostart = await autostart_task
    files = await files_task
    service = replace(service, autostart_on=autostart.on, desktop=session.desktop)
    description, distribution = describe_platform(system)
    return Report(
        version=__version__,
        python_version=platform_module.python_version(),
        python_executable=sys.executable,
        platform=description,
        distribution=distribution,
        session=session,
        configuration=configuration,
        tray=tray,
        notifications=notifications,
        activity=activity,
        calls=calls,
        autostart=autostart,
        files=files,
        service=service,
    )


def _bus_address(env: Mapping[str, str]) -> str | None:
    from reminder._dbus import session_bus_address

    try:
        return session_bus_address(env)
    except ConnectionError:
        return None
