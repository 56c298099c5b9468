"""The ``medkb/audience`` MkDocs plugin."""

from __future__ import annotations

from mkdocs.plugins import BasePlugin

from medkb.audience.config import AudienceConfig


class AudiencePlugin(BasePlugin[AudienceConfig]):
    """Registered now so site configuration is final; filled by its own issue."""
