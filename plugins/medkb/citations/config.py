"""Configuration schema of the ``medkb/citations`` plugin."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class CitationsConfig(Config):
    """Options of ``medkb/citations``."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from ``mkdocs.yml``."""
