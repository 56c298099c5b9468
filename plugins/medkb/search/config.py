"""Configuration schema of the ``medkb/search`` plugin."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class SearchConfig(Config):
    """Options of ``medkb/search``."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from ``mkdocs.yml``."""

    output_subdir = c.Type(str, default="pagefind")
    """Folder of the site that holds the index, its chunks and Pagefind's script."""

    exclude = c.ListOfItems(c.Type(str), default=[])
    """Glob patterns of pages (paths in ``docs_dir``) left out of the index.
    Generated lists (browse, review queue, board) and pages whose front
    matter says ``search: {exclude: true}`` are always left out."""

    exclude_selectors = c.ListOfItems(c.Type(str), default=[
        ".kb-review", ".kb-picker", ".kb-disclaimer", ".kb-cite", ".kb-references-section", ".headerlink",
    ])
    """CSS selectors of parts of an indexed page that are not searched: by
    default the review header, audience picker, disclaimers, citation
    numbers, reference list and heading permalinks."""

    results_per_page = c.Type(int, default=10)
    """How many results the search dialog shows at once ("Show more" adds as many)."""

    more_label = c.Type(str, default="Show more results")
    """Text of the button that shows the next results."""

    background_in_serve = c.Type(bool, default=True)
    """In ``mkdocs serve``, index after the build in the background, so an
    edited page reloads at once and search catches up a moment later."""
