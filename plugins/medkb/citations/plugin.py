"""The ``medkb/citations`` MkDocs plugin."""

from __future__ import annotations

from mkdocs.plugins import BasePlugin

from medkb.citations.config import CitationsConfig


class CitationsPlugin(BasePlugin[CitationsConfig]):
    """Registered now so site configuration is final; filled by its own issue."""
