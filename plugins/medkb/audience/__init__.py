"""Audiences: per-audience passages (a Python-Markdown extension) and the ``medkb/audience`` plugin.

``markdown.Markdown(extensions=["medkb.audience"])`` loads the block by name;
nothing here imports MkDocs (the plugin lives in ``plugin.py``).
"""

from __future__ import annotations

from typing import Any


def makeExtension(**kwargs: Any) -> Any:  # noqa: N802 - Python-Markdown's name
    """The audience block extension, configured with ``kwargs`` (see :class:`AudienceExtension`)."""
    from medkb.audience.blocks import AudienceExtension

    return AudienceExtension(**kwargs)
