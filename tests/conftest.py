"""Shared fixtures: isolated XDG folders for every test, and a real desktop on demand."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from desktop_session import DesktopSession, missing_tools

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point every platformdirs folder at a temporary one; no test touches the real home."""
    dirs = {}
    for var, name in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_RUNTIME_DIR", "runtime"),
    ):
        path = tmp_path / "xdg" / name
        path.mkdir(parents=True, mode=0o700)
        monkeypatch.setenv(var, str(path))
        dirs[name] = path
    site = tmp_path / "xdg" / "site"
    site.mkdir()
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(site))
    dirs["site"] = site
    monkeypatch.delenv("SITTING_REMINDER_MANAGED_CONFIG", raising=False)
    return dirs


def require_desktop_tools(*tools: str) -> None:
    """Skip, saying why, where the desktop programs are missing; in CI, fail instead."""
    missing = missing_tools(tools) if tools else missing_tools()
    if not missing:
        return
    reason = f"desktop programs missing: {', '.join(missing)} (install with: make desktop-deps)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the desktop tests, but {reason}")
    pytest.skip(reason)


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[DesktopSession]:
    """Xvfb plus a private session bus; call start_dunst/start_trayer as needed."""
    require_desktop_tools()
    session = DesktopSession(tmp_path / "desktop")
    with session:
        yield session


@pytest.fixture
def artifacts() -> Path:
    """Where tests save screenshots for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _stop_leftover_services() -> Iterator[None]:
    """Kill any service a failing test left running, so later tests start clean."""
    from service_proc import ServiceProcess

    ServiceProcess.started.clear()
    yield
    for service in ServiceProcess.started:
        if service.proc is not None and service.proc.poll() is None:
            service.kill()


@pytest.fixture(scope="session")
def project_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once for every test that installs it."""
    from wheel_build import build_wheel

    return build_wheel(tmp_path_factory.mktemp("wheel-build"))


def docs_screenshots() -> Path:
    """Where tests put the README's screenshots: docs/ with UPDATE_DOCS=1, else artifacts.

    A plain test run never rewrites tracked files; `UPDATE_DOCS=1 make test`
    refreshes the pictures in docs/ from the real run.
    """
    if os.environ.get("UPDATE_DOCS") == "1":
        return Path(__file__).resolve().parents[1] / "docs"
    folder = ARTIFACTS / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
