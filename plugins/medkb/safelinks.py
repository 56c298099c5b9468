"""Links in Markdown that could run script (``javascript:``…) are dropped.

Python-Markdown writes any link target it is given into ``href`` and
``src``. A ``javascript:``, ``vbscript:`` or ``data:`` URL in an article is
never what a clinical page needs, so the link becomes plain text (an image
its alternative text) and the problem is recorded; the plugin warns.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_UNSAFE = re.compile(r"^\s*(?:javascript|vbscript|data)\s*:", re.IGNORECASE)


def is_unsafe_url(url: str) -> bool:
    """Whether a link target would run code or embed content instead of linking."""
    # Browsers ignore control characters and whitespace inside the scheme.
    return bool(_UNSAFE.match(re.sub(r"[\x00-\x20]", "", url)))


class SafeLinksTreeprocessor(Treeprocessor):
    """Turns links and images with unsafe targets into text and remembers them."""

    def __init__(self, md: Markdown, ext: SafeLinksExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is not None and is_unsafe_url(value):
                    # A link becomes its text; an image its alternative text.
                    alt = el.get("alt", "")
                    el.attrib.clear()
                    if el.tag == "img":
                        el.text = alt
                    el.tag = "span"
                    self.ext.removed.append(value)
                    break


class SafeLinksExtension(Extension):
    """Registers :class:`SafeLinksTreeprocessor` after inline processing."""

    def __init__(self, **kwargs: object) -> None:
        self.removed: list[str] = []
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        """Register on a new Markdown instance (per page)."""
        md.registerExtension(self)
        self.removed = []
        # After inline processing (20), before MkDocs' link rewriting.
        md.treeprocessors.register(SafeLinksTreeprocessor(md, self), "kb-safe-links", 15)

    def reset(self) -> None:
        """Forget the previous document's links."""
        self.removed = []


def makeExtension(**kwargs: object) -> SafeLinksExtension:  # noqa: N802 - Python-Markdown's name
    """``markdown.Markdown(extensions=["medkb.safelinks"])`` loads this."""
    return SafeLinksExtension(**kwargs)
