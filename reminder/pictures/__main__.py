"""`python -m reminder.pictures [FOLDER]`: redraw the shipped stretch pictures (SVG and PNG)."""

from __future__ import annotations

import sys
from pathlib import Path

from reminder.pictures import write_pictures

if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    paths = write_pictures(folder)
    print(f"wrote {len(paths)} files in {paths[0].parent}")
