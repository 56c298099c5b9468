"""The ``medkb/disclaimer`` MkDocs plugin."""

from __future__ import annotations

from mkdocs.plugins import BasePlugin

from medkb.disclaimer.config import DisclaimerConfig


class DisclaimerPlugin(BasePlugin[DisclaimerConfig]):
    """Registered now so site configuration is final; filled by its own issue."""
