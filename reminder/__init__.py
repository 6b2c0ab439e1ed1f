"""Sitting Reminder: gets office workers off their chairs before long sitting knots their glutes."""

__version__ = "0.1.0"
APP_NAME = "sitting-reminder"
