"""What the service keeps on disk: transient state (`state.json`) and history (SQLite)."""

from reminder.store.history import History, format_stats_table
from reminder.store.state_file import load_state

__all__ = ["History", "format_stats_table", "load_state"]
