"""Idle inhibitors: a video player or a call app asking the desktop not to blank the screen.

Sources (kind "call", both push):

- GNOME: `org.gnome.SessionManager.IsInhibited(8)` (8 = GSM_INHIBITOR_FLAG_IDLE),
  read again on `InhibitorAdded`/`InhibitorRemoved`. Browsers and call apps
  reach it through GTK or through org.freedesktop.ScreenSaver, which GNOME
  forwards to the session manager.
- KDE Plasma: PowerDevil's `org.kde.Solid.PowerManagement.PolicyAgent.HasInhibition(4)`
  (4 = ChangeScreenSettings, what `org.freedesktop.ScreenSaver.Inhibit` becomes
  on KDE), read again on `InhibitionsChanged`. That signal lists application
  names; they are not read, the signal only means "ask again". Inhibitions of
  suspend alone (1, InterruptSession: music players) do not count.
- `org.freedesktop.ScreenSaver` itself has `Inhibit`/`UnInhibit` but no call
  and no signal that says whether anything inhibits idle, so on desktops that
  offer only that interface this signal is unavailable (`SCREENSAVER_CANNOT_TELL`).

Threading rule: all methods run on the engine's asyncio loop (see `_bus_flag`).
"""

from __future__ import annotations

from collections.abc import Sequence

from dbus_fast import Message
from dbus_fast.aio import MessageBus

from reminder import _dbus
from reminder.calls._bus_flag import BusFlag
from reminder.calls.base import CallKind

GNOME_SESSION = "org.gnome.SessionManager"
GNOME_SESSION_PATH = "/org/gnome/SessionManager"
GNOME_INHIBIT_IDLE = 8

KDE_POLICY_AGENT = "org.kde.Solid.PowerManagement.PolicyAgent"
KDE_POLICY_AGENT_PATH = "/org/kde/Solid/PowerManagement/PolicyAgent"
KDE_CHANGE_SCREEN_SETTINGS = 4

SCREENSAVER_CANNOT_TELL = (
    "org.freedesktop.ScreenSaver lets programs inhibit idle but offers no way to ask whether "
    "one does (GNOME's and KDE's own interfaces can tell; neither is on this desktop)"
)


class GnomeIdleInhibitor(BusFlag):
    """Whether anything inhibits idle in the GNOME session."""

    name = "idle inhibitor (gnome)"
    kind: CallKind = "call"
    service = GNOME_SESSION

    def __init__(self, bus: MessageBus) -> None:
        super().__init__(bus)

    def match_rules(self) -> Sequence[str]:
        return [
            f"type='signal',sender='{GNOME_SESSION}',path='{GNOME_SESSION_PATH}',"
            f"interface='{GNOME_SESSION}',member='{member}'"
            for member in ("InhibitorAdded", "InhibitorRemoved")
        ]

    def is_change_signal(self, message: Message) -> bool:
        return message.interface == GNOME_SESSION and message.member in (
            "InhibitorAdded",
            "InhibitorRemoved",
        )

    async def read(self) -> bool:
        body = await _dbus.call(
            self._bus,
            GNOME_SESSION,
            GNOME_SESSION_PATH,
            GNOME_SESSION,
            "IsInhibited",
            "u",
            [GNOME_INHIBIT_IDLE],
        )
        return bool(body[0])


class KdeIdleInhibitor(BusFlag):
    """Whether anything keeps KDE Plasma's screen from dimming or locking."""

    name = "idle inhibitor (kde)"
    kind: CallKind = "call"
    service = KDE_POLICY_AGENT

    def __init__(self, bus: MessageBus) -> None:
        super().__init__(bus)

    def match_rules(self) -> Sequence[str]:
        return [
            f"type='signal',sender='{KDE_POLICY_AGENT}',path='{KDE_POLICY_AGENT_PATH}',"
            f"interface='{KDE_POLICY_AGENT}',member='InhibitionsChanged'"
        ]

    def is_change_signal(self, message: Message) -> bool:
        return message.interface == KDE_POLICY_AGENT and message.member == "InhibitionsChanged"

    async def read(self) -> bool:
        body = await _dbus.call(
            self._bus,
            KDE_POLICY_AGENT,
            KDE_POLICY_AGENT_PATH,
            KDE_POLICY_AGENT,
            "HasInhibition",
            "u",
            [KDE_CHANGE_SCREEN_SETTINGS],
        )
        return bool(body[0])
