"""Citations: ``[@key]`` numbered from BibTeX, a Python-Markdown extension and the ``medkb/citations`` plugin.

``markdown.Markdown(extensions=["medkb.citations"])`` loads the extension by
name; nothing here imports MkDocs (the plugin lives in ``plugin.py``).
"""

from __future__ import annotations

from typing import Any


def makeExtension(**kwargs: Any) -> Any:  # noqa: N802 - Python-Markdown's name
    """The citations extension, configured with ``kwargs`` (see :class:`CitationsExtension`)."""
    from medkb.citations.extension import CitationsExtension

    return CitationsExtension(**kwargs)
