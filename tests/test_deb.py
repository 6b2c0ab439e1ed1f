"""The Debian package as IT installs it: built once with `make deb`, then real dpkg.

Root only (dpkg writes /usr, /etc and /opt); as another user the module skips, saying
why. As root every check runs, and under CI=1 a missing tool fails instead of skipping.
The machine is left as found: the package is purged at the end whatever happens, and
outside CI a copy already on the machine (or a file in its place) makes the module skip
rather than touch it.

Nothing is faked. The one stand-in is the "next release" for the upgrade: the same .deb
repacked by dpkg-deb under a higher version with a changed example file, which is all a
real next release is to dpkg's conffile handling.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_desktop_tools
from desktop_helpers import docked_icon
from desktop_session import DesktopSession

from reminder import __version__
from reminder.cli import build_parser

# Whichever test comes first builds and installs the package: its build tools, `make deb`
# and dpkg take minutes on a fresh machine (94 s on a busy one here), each step under its
# own subprocess timeout, so the 120 s default per test is too short for this module.
pytestmark = pytest.mark.timeout(2400)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "sitting-reminder"
COMMAND = Path("/usr/bin/sitting-reminder")
VENV = Path("/opt/venvs/sitting-reminder")
AUTOSTART = Path("/etc/xdg/autostart/sitting-reminder.desktop")
MANAGED = Path("/etc/xdg/sitting-reminder/config.toml")
UNIT = Path("/usr/lib/systemd/user/sitting-reminder.service")
GLOBAL_LINK = Path("/etc/systemd/user/graphical-session.target.wants/sitting-reminder.service")
MAN_PAGE = Path("/usr/share/man/man1/sitting-reminder.1.gz")
DOC_DIR = Path("/usr/share/doc/sitting-reminder")
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
TOOLS = ("dpkg", "dpkg-deb", "dpkg-query", "systemctl", "systemd-analyze", "man", "groff")
IN_CI = bool(os.environ.get("CI"))
NEXT_RELEASE_LINE = "# A line the next release added.\n"

# Gio's own desktop-entry loader (what GNOME's session uses), run by Debian's python3.
GIO_READ_ENTRY = """
import json, sys
import gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio
try:
    info = Gio.DesktopAppInfo.new_from_filename(sys.argv[1])
except TypeError:  # PyGObject's word for NULL: Gio would not start this entry at all
    info = None
print(json.dumps(None if info is None else
                 {"commandline": info.get_commandline(), "hidden": info.get_is_hidden()}))
"""


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must run the Debian package test, but {reason}")
    pytest.skip(reason)


def _run(
    argv: list[str | Path], *, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in argv],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _system_env() -> dict[str, str]:
    """This environment without the test's venv, Python or XDG settings: as dpkg runs."""
    drop = ("VIRTUAL_ENV", "PYTHON", "XDG_", "SITTING_REMINDER_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(drop)}
    env.update(PATH=SYSTEM_PATH, DEBIAN_FRONTEND="noninteractive")
    return env


def dpkg(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """dpkg with no terminal (a conffile prompt fails it), waiting out another dpkg's lock."""
    deadline = time.monotonic() + 300
    while True:
        done = _run(["dpkg", *args], env=_system_env(), timeout=600)
        if done.returncode != 0 and "lock" in done.stderr and time.monotonic() < deadline:
            time.sleep(3)
            continue
        if check:
            assert done.returncode == 0, f"dpkg {args} failed:\n{done.stdout}\n{done.stderr}"
        return done


def package_state() -> tuple[str, str] | None:
    """(status, version) as dpkg's database has it; None once dpkg forgot the package."""
    done = _run(["dpkg-query", "-W", "-f=${db:Status-Status} ${Version}", PACKAGE])
    if done.returncode != 0 or done.stdout.startswith("not-installed"):
        return None
    status, version = done.stdout.split(" ", 1)
    return status, version


def conffiles() -> dict[Path, str]:
    """The package's conffiles and the md5 dpkg recorded for each at installation."""
    done = _run(["dpkg-query", "-W", "-f=${Conffiles}", PACKAGE])
    assert done.returncode == 0, done.stderr
    return {
        Path(fields[0]): fields[1]
        for fields in (line.split() for line in done.stdout.splitlines())
        if fields
    }


def listing() -> set[Path]:
    """Every path `dpkg -L` says the installed package holds."""
    done = _run(["dpkg", "-L", PACKAGE])
    assert done.returncode == 0, done.stderr
    return {Path(line) for line in done.stdout.splitlines() if line.startswith("/")}


def user_env(home: Path) -> dict[str, str]:
    """A user with an empty home, no display, and the machine's own /etc/xdg."""
    home.mkdir(parents=True, exist_ok=True)
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = _system_env()
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "DEBIAN_FRONTEND"):
        env.pop(var, None)
    env.update(
        HOME=str(home),
        PATH="/usr/bin:/bin",
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_RUNTIME_DIR=str(runtime),
    )
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user types it."""
    return _run([COMMAND, *args], env=env, timeout=timeout)


def read_entry(path: Path) -> dict[str, object] | None:
    """What Gio makes of a desktop entry: None when it would not start it at all."""
    done = _run(["/usr/bin/python3", "-c", GIO_READ_ENTRY, path], env=_system_env())
    assert done.returncode == 0, done.stderr
    result: dict[str, object] | None = json.loads(done.stdout)
    return result


def leaf_commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> list[str]:
    """Every command of the CLI, e.g. "config validate" (argparse lists them only privately)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                below = leaf_commands(sub, (*words, name))
                found += below or [" ".join((*words, name))]
    return found


def uncommented_example(text: str) -> str:
    """The shipped example with its settings lines ("#key = ...", "#[table]") switched on."""
    return re.sub(r"^#(?=\[|[a-z_]+ = )", "", text, flags=re.MULTILINE)


class Service:
    """The installed service in the background, its output read line by line."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.env = env
        self.proc = subprocess.Popen(
            [str(COMMAND), "run", *args],
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))

    def wait_for_line(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                break
            self.lines.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(
            f"no line matching {pattern!r} in {timeout}s:\n" + "\n".join(self.lines)
        )

    def status(self, timeout: float = 30) -> dict[str, object]:
        """`status --json` once the service answers (it opens its socket after starting)."""
        deadline = time.monotonic() + timeout
        while True:
            done = cli(self.env, "status", "--json")
            if done.returncode == 0:
                data: dict[str, object] = json.loads(done.stdout)
                return data
            assert self.proc.poll() is None, f"the service exited: {self.lines}"
            assert time.monotonic() < deadline, f"status never answered: {done.stderr}"
            time.sleep(0.5)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(5)
            self._reader.join(5)
            if self.proc.stdout is not None:
                self.proc.stdout.close()


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def deb_file() -> Path:
    """`make deb`, once: the path it prints, in dist/."""
    if os.geteuid() != 0:
        pytest.skip("the Debian package test installs with dpkg, which needs root")
    if shutil.which("apt-get", path=SYSTEM_PATH) is None:
        _unavailable("this is not a Debian system (no apt-get)")
    _run([ROOT / "scripts" / "deb-deps", "--test-tools"], timeout=900)
    started = time.monotonic()
    done = _run(["make", "--no-print-directory", "deb"], env=_system_env(), timeout=1200)
    assert done.returncode == 0, f"make deb failed:\n{done.stdout}\n{done.stderr}"
    built = Path(done.stdout.strip().splitlines()[-1])
    assert built.parent == ROOT / "dist" and built.suffix == ".deb", done.stdout
    assert built.is_file()
    print(f"make deb took {time.monotonic() - started:.0f} s: {built}")
    return built


@pytest.fixture(scope="module")
def installed(deb_file: Path) -> Iterator[Path]:
    """The package installed with `dpkg -i`; purged afterwards, whatever happened."""
    missing = [tool for tool in TOOLS if shutil.which(tool, path=SYSTEM_PATH) is None]
    if _run(["/usr/bin/python3", "-c", "import gi"], env=_system_env()).returncode != 0:
        missing.append("python3-gi")
    if missing:
        _unavailable(f"missing {', '.join(missing)} (install with: scripts/deb-deps --test-tools)")
    found = package_state()
    in_the_way = [path for path in (AUTOSTART, MANAGED) if path.exists()]
    if found is not None or in_the_way:
        what = f"{PACKAGE} {found[1]} is {found[0]}" if found else f"{in_the_way} exist"
        if not IN_CI:
            pytest.skip(f"{what} on this machine; the test would remove it")
        assert found is not None, f"{what} but dpkg does not know them; not touching them"
        dpkg("--purge", PACKAGE)
    try:
        dpkg("-i", deb_file)
        yield deb_file
    finally:
        if package_state() is not None:
            dpkg("--purge", PACKAGE, check=False)


# ------------------------------------------------------------------- tests


def test_the_installed_command_runs_on_debians_python(installed: Path, tmp_path: Path) -> None:
    env = user_env(tmp_path / "home")

    assert COMMAND.resolve() == VENV / "bin" / "sitting-reminder"
    version = cli(env, "--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"{PACKAGE} {__version__}")

    # The venv runs Debian's interpreter, and the package depends on exactly that one.
    interpreter = (VENV / "bin" / "python").resolve()
    assert interpreter.parent == Path("/usr/bin") and interpreter.name.startswith("python3.")
    depends = _run(["dpkg-query", "-W", "-f=${Depends}", PACKAGE]).stdout
    assert interpreter.name in re.split(r",\s*", depends), depends
    assert {"libxss1", "libxext6"} <= set(re.split(r",\s*", depends))

    # Lean: pip and setuptools served the build only; of Debian's dist-packages only `gi`
    # is visible (dh_virtualenv, a build dependency, sits right beside it and is not).
    probe = _run(
        [
            VENV / "bin" / "python",
            "-c",
            "import importlib.util as u, json;"
            "print(json.dumps({m: u.find_spec(m) is not None for m in"
            " ('pip', 'setuptools', 'dh_virtualenv', 'gi', 'apscheduler', 'dbus_fast')}))",
        ],
        env=env,
    )
    assert json.loads(probe.stdout) == {
        "pip": False,
        "setuptools": False,
        "dh_virtualenv": False,
        "gi": True,
        "apscheduler": True,
        "dbus_fast": True,
    }, probe.stderr

    # Every layer in effect validates, including the shipped managed file...
    validated = cli(env, "config", "validate")
    assert validated.returncode == 0, validated.stderr
    assert str(MANAGED) in validated.stdout
    assert cli(env, "config", "validate", str(MANAGED)).returncode == 0

    # ...which changes nothing as shipped: the same effective values without it.
    with_it = cli(env, "config", "show", "--json")
    nowhere = tmp_path / "no-site-config"
    nowhere.mkdir()
    without_it = cli({**env, "XDG_CONFIG_DIRS": str(nowhere)}, "config", "show", "--json")
    assert with_it.returncode == 0 and without_it.returncode == 0, with_it.stderr
    assert json.loads(with_it.stdout) == json.loads(without_it.stdout)

    # IT uncomments the example's settings: valid, and in effect.
    example = tmp_path / "example-uncommented.toml"
    example.write_text(uncommented_example(MANAGED.read_text(encoding="utf-8")), encoding="utf-8")
    checked = cli(env, "config", "validate", str(example))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    shown = cli(
        {**env, "SITTING_REMINDER_MANAGED_CONFIG": str(example)}, "config", "show", "--json"
    )
    assert json.loads(shown.stdout)["reminders.sitting_limit"] == "45m", shown.stdout

    # The service itself starts from the package (no display: prompts on the console).
    service = Service(env, "--no-tray")
    try:
        status = service.status()
        assert status["pid"] == service.proc.pid
        assert status["state"] in {"sitting", "on_break", "snoozed", "paused", "off_hours"}
    finally:
        assert service.stop() == 0, service.lines

    # Running it as root wrote nothing into the venv (no stray .pyc), so removal is clean.
    on_disk = {path for path in VENV.rglob("*")}
    assert on_disk - listing() == set()


def test_doctor_json_from_the_package(installed: Path, tmp_path: Path) -> None:
    """The packaged desk, as a help desk collects it over SSH: the shipped managed file
    read, the shipped autostart entry in effect, no desktop, so no service expected."""
    done = cli(user_env(tmp_path / "home"), "doctor", "--json")
    assert done.returncode == 0, (done.stdout, done.stderr)
    report = json.loads(done.stdout)
    assert (report["ok"], report["summary"]) == (True, "all is well: no problems found")
    assert report["version"] == __version__
    assert report["python"]["executable"].startswith(f"{VENV}/")
    managed = [
        source for source in report["configuration"]["sources"] if source["kind"] == "managed"
    ]
    assert {"path": str(MANAGED), "state": "read"}.items() <= managed[0].items()
    assert report["configuration"]["catalog"]["problem"] is None
    assert report["autostart"]["enabled"] is True
    assert report["autostart"]["entry"] == str(AUTOSTART)
    assert report["service"]["running"] is False and report["service"]["problems"] == []


def test_the_man_page_has_every_command(installed: Path) -> None:
    shown = _run(["man", "-P", "cat", PACKAGE], env={**_system_env(), "MANWIDTH": "200"})
    assert shown.returncode == 0, shown.stderr
    page = re.sub(r".\x08", "", shown.stdout)  # no overstrike bold
    for command in leaf_commands(build_parser()):
        assert f"{PACKAGE} {command}" in page, f"`{command}` missing from the man page"
    assert "Hidden=true" in page and "systemctl --global enable" in page

    source = _run(["sh", "-c", f"zcat {MAN_PAGE} | groff -man -Tutf8 -ww -z"])
    assert (source.returncode, source.stderr) == (0, ""), "groff warns about the page"


def test_the_autostart_entry_and_the_users_switch(installed: Path, tmp_path: Path) -> None:
    assert read_entry(AUTOSTART) == {"commandline": f"{COMMAND} run", "hidden": False}
    env = user_env(tmp_path / "home")
    user_entry = tmp_path / "home" / ".config" / "autostart" / AUTOSTART.name

    assert cli(env, "autostart", "status").stdout.strip() == f"enabled for all users by {AUTOSTART}"
    disabled = cli(env, "autostart", "disable")
    assert disabled.returncode == 0, disabled.stderr
    assert read_entry(user_entry) == {"commandline": f"{COMMAND} run", "hidden": True}
    assert cli(env, "autostart", "status").stdout.startswith(f"disabled: {user_entry} hides")

    enabled = cli(env, "autostart", "enable")
    assert enabled.returncode == 0, enabled.stderr
    assert read_entry(user_entry) == {"commandline": f"{COMMAND} run", "hidden": False}
    assert cli(env, "autostart", "status").stdout.strip() == f"enabled: {user_entry}"


def test_autostart_status_tells_when_it_switched_the_entry_off(
    installed: Path, tmp_path: Path
) -> None:
    shipped = AUTOSTART.read_bytes()
    AUTOSTART.write_bytes(shipped.replace(b"\nHidden=false\n", b"\nHidden=true\n"))
    try:
        assert read_entry(AUTOSTART) == {"commandline": f"{COMMAND} run", "hidden": True}
        status = cli(user_env(tmp_path / "home"), "autostart", "status").stdout.strip()
    finally:
        AUTOSTART.write_bytes(shipped)
    assert status == f"disabled for all users by {AUTOSTART} (Hidden=true)", status


def test_the_systemd_user_unit_is_off_until_enabled_globally(
    installed: Path, tmp_path: Path
) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**_system_env(), "XDG_RUNTIME_DIR": str(runtime)}
    verified = _run(["systemd-analyze", "--user", "verify", UNIT], env=env)
    assert (verified.returncode, verified.stderr) == (0, ""), verified.stderr
    unit = UNIT.read_text(encoding="utf-8")
    assert f"ExecStart={COMMAND} run" in unit.splitlines()

    def state() -> str:
        return _run(["systemctl", "--global", "is-enabled", UNIT.name], env=env).stdout.strip()

    assert state() == "disabled"
    assert _run(["systemctl", "--global", "enable", UNIT.name], env=env).returncode == 0
    assert state() == "enabled" and GLOBAL_LINK.resolve() == UNIT
    assert _run(["systemctl", "--global", "disable", UNIT.name], env=env).returncode == 0
    assert state() == "disabled" and not GLOBAL_LINK.exists()


def test_the_packaged_service_docks_in_a_real_tray(
    installed: Path, tmp_path: Path, artifacts: Path
) -> None:
    """On Xvfb with trayer: the tray through Debian's PyGObject, idle time through libXss."""
    require_desktop_tools()
    with DesktopSession(tmp_path / "desktop") as desktop:
        desktop.start_trayer()
        env = {
            **user_env(tmp_path / "home"),
            "DISPLAY": desktop.env["DISPLAY"],
            "DBUS_SESSION_BUS_ADDRESS": desktop.env["DBUS_SESSION_BUS_ADDRESS"],
            "NO_AT_BRIDGE": "1",
        }
        service = Service(env, "-v")
        try:
            service.wait_for_line(r"tray icon shown \(pystray backend pystray\._gtk\)", 30)
            desktop.wait_until(
                lambda: docked_icon(desktop, PACKAGE) is not None, 20, "the icon to dock in trayer"
            )
            assert service.status()["activity_detection"] == "x11"
            desktop.screenshot(artifacts / "deb-tray.png")
        finally:
            assert service.stop() == 0, service.lines


def next_release(deb: Path, work: Path) -> Path:
    """The same package one version up, with a changed example managed file."""
    tree = work / "tree"
    assert _run(["dpkg-deb", "-R", deb, tree]).returncode == 0
    control = tree / "DEBIAN" / "control"
    text = control.read_text(encoding="utf-8")
    control.write_text(re.sub(r"(?m)^Version: (.+)$", r"Version: \1+next1", text))
    example = tree / MANAGED.relative_to("/")
    example.write_text(example.read_text() + NEXT_RELEASE_LINE)
    built = work / "next.deb"
    done = _run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "-b", tree, built])
    assert done.returncode == 0, done.stderr
    return built


def test_upgrades_keep_its_edits_and_removal_leaves_only_them(
    installed: Path, tmp_path: Path
) -> None:
    env = user_env(tmp_path / "home")
    shipped_example = MANAGED.read_text(encoding="utf-8")
    assert set(conffiles()) == {AUTOSTART, MANAGED}

    # IT switches autostart off and sets a managed value.
    its_entry = AUTOSTART.read_text(encoding="utf-8").replace("Hidden=false", "Hidden=true")
    AUTOSTART.write_text(its_entry, encoding="utf-8")
    its_config = '# Rolled out by IT\n[reminders]\nsitting_limit = "40m"\n'
    MANAGED.write_text(its_config, encoding="utf-8")

    # The same version again: no prompt (dpkg has no terminal), both edits kept.
    dpkg("-i", installed)
    assert AUTOSTART.read_text(encoding="utf-8") == its_entry
    assert MANAGED.read_text(encoding="utf-8") == its_config
    shown = cli(env, "config", "show", "--json")
    assert json.loads(shown.stdout)["reminders.sitting_limit"] == "40m", shown.stderr

    # A next release that changed the example too: unattended, as apt's
    # -o Dpkg::Options::=--force-confold runs it; IT's file stays, the new one lands beside.
    upgrade = next_release(installed, tmp_path)
    dpkg("--force-confdef", "--force-confold", "-i", upgrade)
    state = package_state()
    assert state is not None and state[1].endswith("+next1")
    assert MANAGED.read_text(encoding="utf-8") == its_config
    dist = MANAGED.with_name(MANAGED.name + ".dpkg-dist")
    assert (
        dist.read_text(encoding="utf-8") == shipped_example + "# A line the next release added.\n"
    )
    assert AUTOSTART.read_text(encoding="utf-8") == its_entry
    assert not AUTOSTART.with_name(AUTOSTART.name + ".dpkg-dist").exists()
    assert read_entry(AUTOSTART) == {"commandline": f"{COMMAND} run", "hidden": True}

    # IT had chosen the systemd unit instead.
    assert _run(["systemctl", "--global", "enable", UNIT.name], env=_system_env()).returncode == 0
    assert GLOBAL_LINK.is_symlink()

    # Remove: only the conffiles stay, with IT's edits; the leftover entry starts nothing.
    held = listing()
    dpkg("-r", PACKAGE)
    assert package_state() == ("config-files", state[1])
    assert set(conffiles()) == {AUTOSTART, MANAGED}
    left = {path for path in held if path.is_symlink() or path.is_file()}
    assert left == {AUTOSTART, MANAGED}, f"left after dpkg -r: {sorted(left)}"
    assert not VENV.exists() and not DOC_DIR.exists() and not COMMAND.exists()
    assert MANAGED.read_text(encoding="utf-8") == its_config
    assert read_entry(AUTOSTART) is None, "Gio would still start the removed command"

    # Purge: nothing of the package is left, not even IT's enablement of the unit.
    dpkg("--purge", PACKAGE)
    assert package_state() is None
    left = {path for path in held if os.path.lexists(path) and not path.is_dir()}
    assert left == set(), f"left after purge: {sorted(left)}"
    assert not MANAGED.parent.exists(), sorted(MANAGED.parent.iterdir())
    assert not os.path.lexists(GLOBAL_LINK)
