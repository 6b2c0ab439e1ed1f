"""The bare toolkit floor: pystray's GTK backend showing an icon, plus one APScheduler job.

This is the least any Python tray app built on these libraries can cost; the
service's own footprint is compared with it. Run with PYSTRAY_BACKEND=gtk inside a
desktop session; it stays until SIGTERM (the default action ends it). The job does
nothing every 15 s, the default `check_every` of the service's sampler.
"""

from __future__ import annotations

import sys

import pystray
from apscheduler.schedulers.background import BackgroundScheduler
from PIL import Image, ImageDraw

CHECK_EVERY_S = 15.0


def icon_image() -> Image.Image:
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((4, 4, 60, 60), fill=(45, 106, 79, 255))
    return image


def main() -> int:
    ticks = [0]

    def job() -> None:
        ticks[0] += 1

    scheduler = BackgroundScheduler()
    scheduler.add_job(job, "interval", seconds=CHECK_EVERY_S, coalesce=True)
    scheduler.start()
    icon = pystray.Icon("bench-floor", icon_image(), "bench floor")
    print("floor: running", flush=True)
    icon.run()
    scheduler.shutdown(wait=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
