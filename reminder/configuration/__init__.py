"""Layered TOML configuration: defaults, managed (IT) files, the user file, locks."""

from reminder.configuration.loader import LoadedConfig, load_configuration
from reminder.configuration.model import Config

__all__ = ["Config", "LoadedConfig", "load_configuration"]
