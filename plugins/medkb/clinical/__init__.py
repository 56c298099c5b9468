"""Clinical blocks: the ``/// key-points`` box and ``/// recommendation`` with a GRADE-style grade.

``markdown.Markdown(extensions=["medkb.clinical"])`` loads both blocks by
name; nothing here imports MkDocs (the ``medkb/clinical`` plugin lives in
``plugin.py``).
"""

from __future__ import annotations

from typing import Any


def makeExtension(**kwargs: Any) -> Any:  # noqa: N802 - Python-Markdown's name
    """The clinical blocks extension, configured with ``kwargs`` (see :class:`ClinicalExtension`)."""
    from medkb.clinical.blocks import ClinicalExtension

    return ClinicalExtension(**kwargs)
