"""Activity sources: how long the user has been away from keyboard and mouse.

- base.py: the ActivitySource protocol, ActivitySample, PlainTimer ("unavailable").
- detect.py: choose_activity_source(), which picks and starts the best source here.
- x11.py, dbus_sources.py, windows.py, macos.py: one source per platform or desktop.
- signals.py: SignalWatchers, screen lock and suspend around any idle source.
"""
