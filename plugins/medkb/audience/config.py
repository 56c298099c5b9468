"""Configuration schema of the ``medkb/audience`` plugin."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class AudienceConfig(Config):
    """Options of ``medkb/audience``."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from ``mkdocs.yml``."""
