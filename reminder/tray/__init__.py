"""The tray icon and its menu (pystray), driven by the engine's snapshots.

Entry points: `tray_available()` to decide whether to show one, `TrayApp(...).run()`
on the main thread, `TrayApp.stop()` from the engine when the service ends.
"""

from reminder.tray.app import TrayApp, run_tray
from reminder.tray.backend import select_backend, tray_available

__all__ = ["TrayApp", "run_tray", "select_backend", "tray_available"]
