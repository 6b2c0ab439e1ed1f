"""`python -m reminder.guide`: regenerate the shipped guide.html from content.py."""

from __future__ import annotations

from reminder.guide.page import write_page

if __name__ == "__main__":
    print(f"wrote {write_page()}")
