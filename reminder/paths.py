"""Every file and folder the service reads or writes (platformdirs, app "sitting-reminder")."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import platformdirs

from reminder import APP_NAME

MANAGED_ENV = "SITTING_REMINDER_MANAGED_CONFIG"
CONFIG_FILE_NAME = "config.toml"
DROP_IN_DIR_NAME = "config.d"


def bundled_file(name: str) -> Path:
    """A file shipped inside the package (config/ in the source tree, data/ in the wheel)."""
    return Path(__file__).parent / "data" / name


def site_config_dirs() -> list[Path]:
    """Managed configuration folders, highest precedence first (Linux: each of $XDG_CONFIG_DIRS)."""
    if sys.platform.startswith("linux"):
        raw = os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
        return [Path(entry) / APP_NAME for entry in raw.split(os.pathsep) if entry]
    return [Path(platformdirs.site_config_dir(APP_NAME, appauthor=False))]


def managed_override() -> Path | None:
    """The extra managed file or folder named by $SITTING_REMINDER_MANAGED_CONFIG."""
    value = os.environ.get(MANAGED_ENV, "").strip()
    return Path(value).expanduser() if value else None


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def user_config_file() -> Path:
    return user_config_dir() / CONFIG_FILE_NAME


def cache_dir() -> Path:
    """platformdirs' user_cache_dir (Linux: $XDG_CACHE_HOME/sitting-reminder)."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def managed_cache_dir() -> Path:
    """The last good copy of each managed source (a share off the VPN still applies)."""
    return cache_dir() / "managed"


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def state_file() -> Path:
    return state_dir() / "state.json"


def history_file() -> Path:
    return state_dir() / "history.sqlite3"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_file() -> Path:
    return log_dir() / "sitting-reminder.log"


def runtime_dir() -> Path:
    """Where the control socket lives: $XDG_RUNTIME_DIR, else platformdirs' runtime dir."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and sys.platform != "win32":
        return Path(xdg)
    with warnings.catch_warnings():  # platformdirs warns when it falls back to /tmp
        warnings.simplefilter("ignore")
        try:
            return Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False))
        except PermissionError as error:  # the shared /tmp fallback belongs to someone else
            from reminder.errors import RuntimeFailure

            raise RuntimeFailure(
                f"no folder of your own for the control socket: {error}. Your session "
                f"normally sets XDG_RUNTIME_DIR (to /run/user/{os.geteuid()}); set it to a "
                "folder that only you can use and try again."
            ) from None


def control_endpoint() -> str:
    """The control endpoint: a Unix socket path, or a named pipe on Windows."""
    if sys.platform == "win32":
        user = os.environ.get("USERNAME", "user")
        return rf"\\.\pipe\{APP_NAME}-{user}"
    return str(runtime_dir() / f"{APP_NAME}.sock")


def check_own_folder(folder: Path) -> None:
    """Raise RuntimeFailure unless `folder` (when it exists) belongs to this user.

    The control socket lives in the runtime folder; one created by another account
    (with XDG_RUNTIME_DIR unset, the fallback in /tmp is shared) would refuse us,
    or worse, let another account listen in our place. Root, for whom permissions
    do not apply, is held to ownership all the same.
    """
    from reminder.errors import RuntimeFailure

    if sys.platform == "win32":
        return
    try:
        owner = folder.stat().st_uid
    except FileNotFoundError:
        return
    except PermissionError:
        owner = -1
    if owner != os.geteuid():
        who = f"uid {owner}" if owner >= 0 else "an account whose folder we cannot read"
        raise RuntimeFailure(
            f"the folder for the control socket, {folder}, belongs to another user ({who}). "
            "Set XDG_RUNTIME_DIR to a folder of your own (your session normally sets "
            f"/run/user/{os.geteuid()}) and try again."
        )
