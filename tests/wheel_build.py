"""Build the project's wheel once per test session, from a copy of the source."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(
    command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a program, failing the test with its output when it fails."""
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{command[:4]} failed:\n{result.stdout}\n{result.stderr}"
    return result


def build_wheel(work: Path) -> Path:
    """The wheel, built from a copy so build/ and *.egg-info never land in the tree."""
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "reminder", source / "reminder", symlinks=True, ignore=ignore)
    shutil.copytree(ROOT / "config", source / "config", ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", source)
    shutil.copy2(ROOT / "README.md", source)
    dist = work / "dist"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        env=env,
    )
    return next(dist.glob("sitting_reminder-*.whl"))


def fresh_venv(work: Path, wheel: Path, *, with_dependencies: bool) -> Path:
    """A brand-new virtualenv holding the wheel; returns its python."""
    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    extra = [] if with_dependencies else ["--no-deps", "--no-index"]
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", *extra, str(wheel)])
    return python
