"""Configuration schema of the ``medkb/disclaimer`` plugin."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class DisclaimerConfig(Config):
    """Options of ``medkb/disclaimer``."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from ``mkdocs.yml``."""
