"""What `doctor` found, which of it is a problem, and how it is shown (no I/O here).

The probes (`reminder.doctor._probes`) fill one frozen record per section; this
module decides, from those records alone, what counts as a problem, and renders
the text report and the JSON document.

What counts as a problem (exit 1), section by section:

- configuration: a source that is invalid (any kind: a managed file, a policy, the
  user's file, even the built-in defaults); a managed source used from its cached
  copy (the share is unreachable; the copy's age is given); a source that must be
  there and cannot be read (the share named by $SITTING_REMINDER_MANAGED_CONFIG
  never cached here, a `--config` file that is missing); a stretch catalog that
  leaves no stretch. A missing user file or site file is not: most desks have none.
  Unknown policy names and sub-minute durations are warnings, not problems.
- locks: never; they are what IT decided.
- tray (only with a desktop session): no tray host at all, a StatusNotifierWatcher
  with no host registered (the icon shows nowhere), or an XEmbed tray without
  PyGObject. Without a desktop session there is no icon by design.
- notifications (only with a desktop session on Linux, and a chain that starts
  with desktop-notifier): no notification server on the session bus (nor one the
  bus would start), or a server that does not answer. A server without the
  "actions" capability is not: prompts then come without buttons, by design.
- activity (only with a desktop session): no way to see activity ("unavailable").
- calls: never; each signal that cannot be watched is listed with its reason.
- autostart: never by itself; it is the user's or IT's choice.
- files: the state, history or log file (or the managed-configuration cache) that
  cannot be written, a history that cannot be read, or under 1 MiB free beside one.
- service: one that does not answer, one that runs on its last good configuration
  because a file in effect is bad, one of another version than this command, or
  none running although autostart is enabled and a desktop session is there (with
  autostart off, or no session, nobody expects one).
- any section whose probe failed or timed out: the desk could not be checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal, TypeAlias

from reminder.configuration.cache import age_text
from reminder.durations import human_duration

SourceState = Literal["read", "cached", "missing", "invalid"]
LOW_DISK_BYTES = 1024 * 1024
SECTIONS = (
    "configuration",
    "locks",
    "tray",
    "notifications",
    "activity",
    "calls",
    "autostart",
    "files",
    "service",
)
JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class Session:
    """The desktop session the probes look at."""

    system: str  # sys.platform
    display: str | None = None
    wayland_display: str | None = None
    session_type: str | None = None  # XDG_SESSION_TYPE
    desktop_name: str | None = None  # XDG_CURRENT_DESKTOP
    bus_address: str | None = None
    borrowed_from_pid: int | None = None  # the service whose environment was used

    @property
    def desktop(self) -> bool:
        """A desktop to show a tray and notifications on (always on Windows and macOS)."""
        if not self.system.startswith("linux"):
            return True
        return bool(self.display or self.wayland_display)

    @property
    def linux(self) -> bool:
        return self.system.startswith("linux")


@dataclass(frozen=True)
class ConfigSource:
    """One configuration source and how it was read."""

    kind: str  # default, managed, recommended, user, mandatory
    channel: str  # file, registry, managed-preferences
    where: str  # the file, folder or registry key
    state: SourceState
    problem: str | None = None  # the first problem found (and how many more)
    detail: str | None = None  # how a cached copy was used, why a file is absent
    age_s: int | None = None  # a cached copy's age
    managed_source: str | None = None  # the folder or share a managed file came from
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """The stretch catalog prompts rotate through."""

    file: str  # "" = the built-in one
    stretches: int = 0
    problem: str | None = None


@dataclass(frozen=True)
class ConfigurationReport:
    sources: tuple[ConfigSource, ...] = ()
    locks: Mapping[str, str] = field(default_factory=dict)  # key -> what locks it
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None  # the whole cannot be built though no source is wrong
    catalog: Catalog | None = None
    backend: str = "auto"  # notifications.backend in effect
    break_after_idle: timedelta = timedelta(minutes=5)  # for the activity probe's watch
    failure: str | None = None


@dataclass(frozen=True)
class Watcher:
    """The program that owns org.kde.StatusNotifierWatcher."""

    owner: str  # its unique bus name
    program: str | None = None  # "status-notifier-watcher (pid 123)"
    host_registered: bool | None = None  # a panel shows the items (None: could not ask)
    service_item_registered: bool | None = None  # the running service's icon is listed


@dataclass(frozen=True)
class TrayReport:
    desktop: bool = False
    would_use: str = "none"  # sni, pystray, none: reminder.tray.choose
    watcher: Watcher | None = None
    xembed: bool | None = None  # None: not asked (no X display)
    pygobject: bool | None = None  # None: not needed
    reason: str | None = None  # why the watcher could not be asked
    failure: str | None = None


@dataclass(frozen=True)
class ServerInfo:
    name: str
    vendor: str
    version: str
    spec_version: str
    program: str | None = None


@dataclass(frozen=True)
class NotificationsReport:
    backend: str = "auto"
    chain: str = ""
    desktop: bool = False
    uses_desktop_server: bool = False  # the chain starts with desktop-notifier on Linux
    server: ServerInfo | None = None
    capabilities: tuple[str, ...] = ()
    activatable: bool = False  # the bus would start a server on the first prompt
    reason: str | None = None  # why no server was found or asked
    server_error: str | None = None  # a server owns the name but does not answer
    failure: str | None = None


@dataclass(frozen=True)
class ActivityReport:
    source: str = "unavailable"
    pushes: Mapping[str, bool] | None = None  # None: nothing is watched (the plain timer)
    idle_for_s: float | None = None
    desktop: bool = False
    failure: str | None = None


@dataclass(frozen=True)
class CallSourceInfo:
    name: str
    kind: str  # call, dnd
    pushes: bool


@dataclass(frozen=True)
class CallsReport:
    sources: tuple[CallSourceInfo, ...] = ()
    unavailable: Mapping[str, str] = field(default_factory=dict)
    failure: str | None = None


@dataclass(frozen=True)
class AutostartReport:
    enabled: bool | None = None  # the XDG entry, LaunchAgent or Run value in effect
    entry: str | None = None
    message: str = ""
    systemd: tuple[str, ...] = ()  # systemd user unit links that start it
    failure: str | None = None

    @property
    def on(self) -> bool:
        return bool(self.enabled) or bool(self.systemd)


@dataclass(frozen=True)
class FileCheck:
    role: str  # state, history, log, cache
    path: str
    exists: bool = False
    writable: bool = False
    free_bytes: int | None = None
    problem: str | None = None
    note: str | None = None  # e.g. the history's schema version


@dataclass(frozen=True)
class FilesReport:
    checks: tuple[FileCheck, ...] = ()
    failure: str | None = None


@dataclass(frozen=True)
class ServiceReport:
    running: bool = False
    endpoint: str = ""
    pid: int | None = None
    version: str | None = None
    state: str | None = None
    activity_detection: str | None = None
    call_detection: tuple[str, ...] = ()
    notifier: str | None = None
    config_warning: str | None = None
    notes: tuple[str, ...] = ()
    error: str | None = None  # the endpoint is there but does not answer
    autostart_on: bool = False
    desktop: bool = False
    failure: str | None = None


@dataclass(frozen=True)
class Report:
    version: str
    python_version: str
    python_executable: str
    platform: str  # platform.platform()
    distribution: str | None
    session: Session
    configuration: ConfigurationReport
    tray: TrayReport
    notifications: NotificationsReport
    activity: ActivityReport
    calls: CallsReport
    autostart: AutostartReport
    files: FilesReport
    service: ServiceReport


# ------------------------------------------------------------------ problems


_KIND_NAMES = {
    "default": "the built-in defaults",
    "managed": "the managed configuration",
    "recommended": "the recommended policy",
    "user": "your configuration file",
    "mandatory": "the policy",
}


def _source_name(source: ConfigSource) -> str:
    if source.kind == "default":
        return _KIND_NAMES["default"]
    if source.channel == "registry":
        return f"the Group Policy key {source.where}"
    if source.channel == "managed-preferences":
        return f"the managed profile {source.where}"
    return f"{_KIND_NAMES.get(source.kind, source.kind)} {source.where}"


def _age(seconds: int | None) -> str:
    return "of unknown age" if seconds is None else f"{age_text(timedelta(seconds=seconds))} old"


def configuration_problems(report: ConfigurationReport) -> list[str]:
    found: list[str] = []
    cached: dict[str, int | None] = {}
    for source in report.sources:
        if source.state == "cached":
            cached.setdefault(source.managed_source or source.where, source.age_s)
        elif source.state == "invalid":
            found.append(f"{_source_name(source)} is invalid")
        elif source.problem is not None:
            found.append(f"{_source_name(source)} cannot be read ({source.problem})")
    for where, age in cached.items():
        found.append(f"the managed configuration {where} is read from a cached copy ({_age(age)})")
    if report.error is not None:
        found.append(f"the configuration cannot be built: {report.error}")
    if report.catalog is not None and report.catalog.problem is not None:
        found.append(f"the stretch catalog is unusable: {report.catalog.problem}")
    return found


def tray_problems(report: TrayReport) -> list[str]:
    if not report.desktop:
        return []
    if report.would_use == "none":
        return ["no tray on this desktop for the icon"]
    if report.would_use == "sni":
        if report.watcher is None and report.reason is None:
            return ["no tray host: neither a StatusNotifierWatcher nor an XEmbed tray runs"]
        if report.watcher is not None and report.watcher.host_registered is False:
            return ["a StatusNotifierWatcher runs but no tray host shows its icons"]
    if report.would_use == "pystray" and report.pygobject is False:
        return ["the XEmbed tray icon needs PyGObject (python3-gi), which is missing"]
    return []


def notifications_problems(report: NotificationsReport) -> list[str]:
    if not (report.desktop and report.uses_desktop_server):
        return []
    if report.server_error is not None:
        return [f"the notification server does not answer ({report.server_error})"]
    if report.server is None and not report.activatable:
        why = f" ({report.reason})" if report.reason else ""
        return [f"no notification server for prompts{why}"]
    return []


def activity_problems(report: ActivityReport) -> list[str]:
    if report.desktop and report.source == "unavailable":
        return ["activity cannot be detected: a sitting spell counts all time at work"]
    return []


def files_problems(report: FilesReport) -> list[str]:
    found = []
    for check in report.checks:
        if check.problem is not None:
            found.append(f"the {_FILE_ROLES.get(check.role, check.role)} {check.problem}")
        elif check.free_bytes is not None and check.free_bytes < LOW_DISK_BYTES:
            found.append(
                f"the {_FILE_ROLES.get(check.role, check.role)} has only "
                f"{check.free_bytes // 1024} KiB free beside it"
            )
    return found


_FILE_ROLES = {
    "state": "state file",
    "history": "history",
    "log": "log",
    "cache": "managed-configuration cache",
}


def service_problems(report: ServiceReport, version: str) -> list[str]:
    if report.error is not None:
        return [f"the service cannot be asked ({report.error})"]
    if not report.running:
        if report.autostart_on and report.desktop:
            return ["the service is not running although autostart is enabled"]
        return []
    found = []
    if report.config_warning:
        found.append("the running service keeps its last good configuration: a file is bad")
    if report.version is not None and report.version != version:
        found.append(
            f"the running service is version {report.version}, this command {version}: "
            "restart the service"
        )
    return found


def problems_by_section(report: Report) -> dict[str, list[str]]:
    """Every problem, per section, in the report's order (see the module docstring)."""
    failures = {
        "configuration": report.configuration.failure,
        "tray": report.tray.failure,
        "notifications": report.notifications.failure,
        "activity": report.activity.failure,
        "calls": report.calls.failure,
        "autostart": report.autostart.failure,
        "files": report.files.failure,
        "service": report.service.failure,
    }
    found: dict[str, list[str]] = {
        "configuration": configuration_problems(report.configuration),
        "locks": [],
        "tray": tray_problems(report.tray),
        "notifications": notifications_problems(report.notifications),
        "activity": activity_problems(report.activity),
        "calls": [],
        "autostart": [],
        "files": files_problems(report.files),
        "service": service_problems(report.service, report.version),
    }
    for section, failure in failures.items():
        if failure is not None:
            found[section] = [f"the {section} check failed: {failure}", *found[section]]
    return found


def summary(problems: list[str]) -> str:
    """The one line that says whether all is well, and what is not."""
    if not problems:
        return "all is well: no problems found"
    count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
    return f"{count}: {'; '.join(problems)}"


# ------------------------------------------------------------------ JSON


def report_json(report: Report) -> dict[str, JsonValue]:
    """The `doctor --json` document (durations in seconds, paths as text)."""
    problems = problems_by_section(report)
    flat = [problem for section in SECTIONS for problem in problems[section]]
    configuration = report.configuration
    session = report.session
    return {
        "ok": not flat,
        "summary": summary(flat),
        "problems": list(flat),
        "version": report.version,
        "python": {"version": report.python_version, "executable": report.python_executable},
        "platform": {
            "system": session.system,
            "description": report.platform,
            "distribution": report.distribution,
            "session": {
                "desktop": session.desktop,
                "display": session.display,
                "wayland_display": session.wayland_display,
                "type": session.session_type,
                "desktop_name": session.desktop_name,
                "bus": session.bus_address,
                "borrowed_from_service_pid": session.borrowed_from_pid,
            },
        },
        "configuration": {
            "sources": [
                {
                    "kind": source.kind,
                    "channel": source.channel,
                    "path": source.where,
                    "state": source.state,
                    "problem": source.problem,
                    "detail": source.detail,
                    "age_s": source.age_s,
                    "managed_source": source.managed_source,
                    "warnings": list(source.warnings),
                }
                for source in configuration.sources
            ],
            "notes": list(configuration.notes),
            "warnings": list(configuration.warnings),
            "error": configuration.error,
            "catalog": None
            if configuration.catalog is None
            else {
                "file": configuration.catalog.file or None,
                "stretches": configuration.catalog.stretches,
                "problem": configuration.catalog.problem,
            },
            "failure": configuration.failure,
            "problems": list(problems["configuration"]),
        },
        "locks": {key: by for key, by in configuration.locks.items()},
        "tray": _tray_json(report.tray, problems["tray"]),
        "notifications": _notifications_json(report.notifications, problems["notifications"]),
        "activity": {
            "source": report.activity.source,
            "pushes": None if report.activity.pushes is None else dict(report.activity.pushes),
            "idle_for_s": report.activity.idle_for_s,
            "failure": report.activity.failure,
            "problems": list(problems["activity"]),
        },
        "calls": {
            "sources": [
                {"name": source.name, "kind": source.kind, "pushes": source.pushes}
                for source in report.calls.sources
            ],
            "unavailable": dict(report.calls.unavailable),
            "failure": report.calls.failure,
            "problems": list(problems["calls"]),
        },
        "autostart": {
            "enabled": report.autostart.enabled,
            "entry": report.autostart.entry,
            "message": report.autostart.message,
            "systemd": list(report.autostart.systemd),
            "failure": report.autostart.failure,
            "problems": list(problems["autostart"]),
        },
        "files": {
            **{
                check.role: {
                    "path": check.path,
                    "exists": check.exists,
                    "writable": check.writable,
                    "free_bytes": check.free_bytes,
                    "problem": check.problem,
                    "note": check.note,
                }
                for check in report.files.checks
            },
            "failure": report.files.failure,
            "problems": list(problems["files"]),
        },
        "service": _service_json(report.service, problems["service"]),
    }


def _tray_json(tray: TrayReport, problems: list[str]) -> dict[str, JsonValue]:
    watcher = tray.watcher
    return {
        "would_use": tray.would_use,
        "watcher": None
        if watcher is None
        else {
            "owner": watcher.owner,
            "program": watcher.program,
            "host_registered": watcher.host_registered,
            "service_item_registered": watcher.service_item_registered,
        },
        "xembed": tray.xembed,
        "pygobject": tray.pygobject,
        "reason": tray.reason,
        "failure": tray.failure,
        "problems": list(problems),
    }


def _notifications_json(report: NotificationsReport, problems: list[str]) -> dict[str, JsonValue]:
    server = report.server
    capabilities = set(report.capabilities)
    return {
        "backend": report.backend,
        "chain": report.chain,
        "server": None
        if server is None
        else {
            "name": server.name,
            "vendor": server.vendor,
            "version": server.version,
            "spec_version": server.spec_version,
            "program": server.program,
        },
        "capabilities": list(report.capabilities),
        "actions": "actions" in capabilities if server else None,
        "body_markup": "body-markup" in capabilities if server else None,
        "body_images": "body-images" in capabilities if server else None,
        "activatable": report.activatable,
        "reason": report.reason,
        "server_error": report.server_error,
        "failure": report.failure,
        "problems": list(problems),
    }


def _service_json(service: ServiceReport, problems: list[str]) -> dict[str, JsonValue]:
    return {
        "running": service.running,
        "endpoint": service.endpoint,
        "pid": service.pid,
        "version": service.version,
        "state": service.state,
        "activity_detection": service.activity_detection,
        "call_detection": list(service.call_detection),
        "notifier": service.notifier,
        "config_warning": service.config_warning,
        "notes": list(service.notes),
        "error": service.error,
        "failure": service.failure,
        "problems": list(problems),
    }


# ------------------------------------------------------------------ text

OK, PROBLEM, INFO = "ok", "!!", "--"


def render_text(report: Report) -> str:
    """The human report: a header, one section per part, one line per item, the summary."""
    problems = problems_by_section(report)
    flat = [problem for section in SECTIONS for problem in problems[section]]
    session = report.session
    lines = [
        f"sitting-reminder {report.version}, Python {report.python_version}, {report.platform}"
        + (f" ({report.distribution})" if report.distribution else ""),
        f"session: {_session_text(session)}",
    ]
    sections: list[tuple[str, list[str]]] = [
        ("configuration", _configuration_lines(report.configuration)),
        ("locks", _lock_lines(report.configuration.locks)),
        ("tray", _tray_lines(report.tray)),
        ("notifications", _notification_lines(report.notifications)),
        ("activity", _activity_lines(report.activity)),
        ("calls", _call_lines(report.calls)),
        ("autostart", _autostart_lines(report.autostart)),
        ("files", _file_lines(report.files)),
        ("service", _service_lines(report.service)),
    ]
    for name, items in sections:
        lines += ["", name]
        lines += [f"  {PROBLEM}  {problem}" for problem in problems[name]]
        lines += [f"  {line}" for line in items]
    lines += ["", f"summary: {summary(flat)}"]
    return "\n".join(lines)


def _session_text(session: Session) -> str:
    if not session.linux:
        return f"{session.system} desktop"
    parts = []
    if session.wayland_display:
        parts.append(f"Wayland {session.wayland_display}")
    if session.display:
        parts.append(f"X11 {session.display}")
    if not parts:
        parts.append("no desktop (DISPLAY and WAYLAND_DISPLAY are unset)")
    parts.append(f"desktop {session.desktop_name or 'unset'}")
    parts.append(f"session bus {session.bus_address or 'none'}")
    origin = (
        "this terminal"
        if session.borrowed_from_pid is None
        else f"the running service, pid {session.borrowed_from_pid}"
    )
    return f"{', '.join(parts)} (from {origin})"


def _mark(good: bool) -> str:
    """An item line's mark: "ok" for a check that passed, "--" for a plain fact (a problem
    itself is said once, in the "!!" lines at the top of its section)."""
    return OK if good else INFO


def _configuration_lines(report: ConfigurationReport) -> list[str]:
    if report.failure is not None:
        return []
    lines = []
    for source in report.sources:
        label = "defaults" if source.kind == "default" else source.kind
        where = "" if source.kind == "default" else f" {source.where}"
        if source.state == "read":
            lines.append(f"{OK}  {label}{where}: read")
        elif source.state == "cached":
            lines.append(f"{INFO}  {label}{where}: cached copy, {_age(source.age_s)}")
            if source.detail:
                lines.append(f"      {source.detail}")
        elif source.state == "invalid":
            lines.append(f"{INFO}  {label}{where}: invalid: {source.problem}")
        elif source.problem is not None:
            lines.append(f"{INFO}  {label}{where}: missing: {source.problem}")
        else:
            lines.append(f"{INFO}  {label}{where}: missing ({source.detail or 'optional'})")
        lines += [f"      warning: {warning}" for warning in source.warnings]
    shown = {source.detail for source in report.sources}
    lines += [f"{INFO}  note: {note}" for note in report.notes if note not in shown]
    lines += [f"{INFO}  warning: {warning}" for warning in report.warnings]
    catalog = report.catalog
    if catalog is not None:
        name = catalog.file or "built-in"
        if catalog.problem is None:
            lines.append(f"{OK}  stretch catalog {name}: {catalog.stretches} stretches in use")
        else:
            lines.append(f"{INFO}  stretch catalog {name}: {catalog.problem}")
    return lines


def _lock_lines(locks: Mapping[str, str]) -> list[str]:
    if not locks:
        return [f"{INFO}  none: the user may change every setting"]
    return [f"{INFO}  {key}: locked by {by}" for key, by in locks.items()]


_TRAY_NAMES = {
    "sni": "the StatusNotifierItem (sni)",
    "pystray": "pystray's icon (pystray)",
    "none": "no icon (none)",
}


def _tray_lines(report: TrayReport) -> list[str]:
    if report.failure is not None:
        return []
    lines = []
    watcher = report.watcher
    if watcher is not None:
        program = f", {watcher.program}" if watcher.program else ""
        host = {
            True: "a tray host is registered",
            False: "no tray host is registered",
            None: "could not ask for a tray host",
        }[watcher.host_registered]
        lines.append(
            f"{_mark(watcher.host_registered is not False)}  StatusNotifierWatcher: "
            f"{watcher.owner}{program}; {host}"
        )
        if watcher.service_item_registered is not None:
            registered = "is" if watcher.service_item_registered else "is not"
            lines.append(
                f"{_mark(watcher.service_item_registered)}  the running service's icon "
                f"{registered} registered with it"
            )
    else:
        lines.append(f"{INFO}  StatusNotifierWatcher: {report.reason or 'none on the session bus'}")
    if report.xembed is not None:
        lines.append(f"{INFO}  XEmbed tray: {'running' if report.xembed else 'none'}")
    if report.pygobject is not None:
        lines.append(
            f"{_mark(report.pygobject)}  PyGObject: {'present' if report.pygobject else 'missing'}"
        )
    tray = _TRAY_NAMES.get(report.would_use, report.would_use)
    if not report.desktop:
        lines.append(f"{INFO}  the service would use {tray}: no desktop session")
    else:
        lines.append(f"{INFO}  the service would use {tray}")
    return lines


def _notification_lines(report: NotificationsReport) -> list[str]:
    if report.failure is not None:
        return []
    lines = []
    server = report.server
    if server is not None:
        program = f", {server.program}" if server.program else ""
        lines.append(
            f"{OK}  server: {server.name} {server.version} ({server.vendor}), "
            f"specification {server.spec_version}{program}"
        )
        capabilities = set(report.capabilities)
        lines.append(f"{INFO}  capabilities: {', '.join(report.capabilities) or 'none'}")
        buttons = "with buttons" if "actions" in capabilities else "without buttons (no actions)"
        lines.append(f"{INFO}  prompts come {buttons}")
    elif report.server_error is not None:
        lines.append(f"{INFO}  server: {report.server_error}")
    elif report.activatable:
        lines.append(f"{INFO}  server: not running; the session bus starts one on the first prompt")
    else:
        lines.append(f"{INFO}  server: none ({report.reason or 'not asked'})")
    lines.append(
        f'{INFO}  notifier chain: {report.chain} (notifications.backend = "{report.backend}")'
    )
    return lines


_PUSH_NAMES = {"idle": "idle", "fullscreen": "full screen", "lock": "lock and suspend"}


def _activity_lines(report: ActivityReport) -> list[str]:
    if report.failure is not None:
        return []
    if report.source == "unavailable" or report.pushes is None:
        return [f"{INFO}  unavailable: a plain timer (time at work since the last break)"]
    pushed = [_PUSH_NAMES.get(name, name) for name, on in report.pushes.items() if on]
    asked = [_PUSH_NAMES.get(name, name) for name, on in report.pushes.items() if not on]
    line = f"{OK}  {report.source}: announces {', '.join(pushed) or 'nothing'}"
    if asked:
        line += f"; asked for {', '.join(asked)}"
    if report.idle_for_s is not None:
        line += f"; idle now {human_duration(timedelta(seconds=report.idle_for_s))}"
    return [line]


def _call_lines(report: CallsReport) -> list[str]:
    if report.failure is not None:
        return []
    lines = [
        f"{OK}  {source.name} ({'Do Not Disturb' if source.kind == 'dnd' else 'call'}): "
        + ("announces changes" if source.pushes else "asked on each wake")
        for source in report.sources
    ]
    if not report.sources:
        lines.append(f"{INFO}  no call or Do Not Disturb signal can be watched here")
    lines += [f"{INFO}  {name}: unavailable ({why})" for name, why in report.unavailable.items()]
    return lines


def _autostart_lines(report: AutostartReport) -> list[str]:
    if report.failure is not None:
        return []
    lines = [f"{INFO}  {report.message}"]
    lines += [f"{INFO}  systemd user unit enabled: {link}" for link in report.systemd]
    return lines


def _file_lines(report: FilesReport) -> list[str]:
    if report.failure is not None:
        return []
    lines = []
    for check in report.checks:
        state = "writable" if check.writable else "not writable"
        if not check.exists:
            state += " (not created yet)"
        if check.free_bytes is not None:
            state += f", {_size(check.free_bytes)} free"
        if check.note:
            state += f", {check.note}"
        lines.append(f"{_mark(check.problem is None)}  {check.role} {check.path}: {state}")
    return lines


def _size(count: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} bytes"


def _service_lines(report: ServiceReport) -> list[str]:
    if report.failure is not None or report.error is not None:
        return []
    if not report.running:
        why = (
            "autostart is disabled"
            if not report.autostart_on
            else "no desktop session here"
            if not report.desktop
            else "autostart is enabled"
        )
        return [f"{INFO}  not running ({why}); `sitting-reminder run` starts it"]
    lines = [
        f"{OK}  running: pid {report.pid}, version {report.version}, {report.state}",
        f"{INFO}  activity detection: {report.activity_detection}",
        f"{INFO}  call detection: {', '.join(report.call_detection) or 'none'}",
    ]
    if report.notifier:
        lines.append(f"{INFO}  notifier: {report.notifier}")
    if report.config_warning:
        lines.append(f"{INFO}  configuration: {report.config_warning}")
    lines += [f"{INFO}  note: {note}" for note in report.notes]
    return lines


__all__ = [
    "SECTIONS",
    "ActivityReport",
    "AutostartReport",
    "CallSourceInfo",
    "CallsReport",
    "Catalog",
    "ConfigSource",
    "ConfigurationReport",
    "FileCheck",
    "FilesReport",
    "NotificationsReport",
    "Report",
    "ServerInfo",
    "ServiceReport",
    "Session",
    "TrayReport",
    "Watcher",
    "problems_by_section",
    "render_text",
    "report_json",
    "summary",
]
