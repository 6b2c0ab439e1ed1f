"""Notifiers: desktop-notifier, plyer and the console, behind one seam.

`build_notifier` assembles the chain the service uses (see `FallbackNotifier`).
"""

from reminder.notify.base import ActionHandler, Notifier, NotifierError, PromptMessage
from reminder.notify.console import ConsoleNotifier
from reminder.notify.desktop import DesktopNotifierBackend
from reminder.notify.fallback import BACKENDS, FallbackNotifier, build_notifier
from reminder.notify.plyer_backend import PlyerBackend

__all__ = [
    "BACKENDS",
    "ActionHandler",
    "ConsoleNotifier",
    "DesktopNotifierBackend",
    "FallbackNotifier",
    "Notifier",
    "NotifierError",
    "PlyerBackend",
    "PromptMessage",
    "build_notifier",
]
