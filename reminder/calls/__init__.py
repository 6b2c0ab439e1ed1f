"""Call and Do Not Disturb detection: while either is on, prompts wait.

- base.py: the CallSource protocol, CallState and SourceUnavailable.
- detect.py: `choose_call_sources` picks and starts this desktop's sources;
  `CallDetectors` asks them together (the engine's one entry point).
- pulse.py: the microphone on Linux (PulseAudio / pipewire-pulse capture streams).
- camera.py: the camera on Linux (a /dev/video* device held open, from /proc).
- inhibit.py: idle inhibitors (GNOME session manager, KDE PowerDevil).
- dnd.py: Do Not Disturb on Linux (dunst, KDE Plasma, GNOME).
- windows.py, macos.py: the same signals where those systems offer them.
- _bus_flag.py: the shared body of the D-Bus sources.

Nothing here records or keeps anything about a call but whether one is on:
no application names, no stream names, never any audio or video.
"""
