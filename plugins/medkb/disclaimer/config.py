"""Configuration schema of the ``medkb/disclaimer`` plugin."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class DisclaimerItem(Config):
    """One named block: a disclaimer or a call to action."""

    title = c.Type(str)
    """Heading of the block; required and not empty."""
    body = c.Type(str, default="")
    """Markdown, rendered with the site's Markdown extensions (raw HTML is shown as text)."""
    link = c.Optional(c.Type(str))
    """Optional link: a page in ``docs_dir`` (``contact.md``) or an http(s) URL."""
    link_text = c.Optional(c.Type(str))
    """Text of the link (default: the link)."""
    audiences = c.ListOfItems(c.Type(str), default=[])
    """Audiences that see it (default: everyone)."""
    position = c.Choice(("before", "after"), default="after")
    """Before or after the article body."""
    pages = c.Optional(c.ListOfItems(c.Type(str)))
    """Glob patterns of pages (paths in ``docs_dir``) that carry it; default: every article.
    An empty list means only pages that ask for it in front matter."""
    opt_out = c.Type(bool, default=False)
    """Whether an article may drop it with ``disclaimers: [-name]``."""
    kind = c.Choice(("notice", "action"), default="notice")
    """``notice`` for disclaimers, ``action`` for calls to action (styling only)."""


class DisclaimerConfig(Config):
    """Options of ``medkb/disclaimer``."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from ``mkdocs.yml``."""

    disclaimers = c.DictOfItems(c.SubConfig(DisclaimerItem), default={})
    """Named disclaimers and calls to action, in the order they are shown."""

    articles_dir = c.Type(str, default="articles")
    """Which pages are articles when the site has no ``medkb/review`` (which decides it otherwise)."""
