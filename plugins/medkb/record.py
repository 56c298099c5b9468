"""The one typed record medkb's plugins share about a page.

Each plugin fills in what it knows, in the order their events run, and reads
what the others left; none reads another's configuration. The record lives
in ``page.meta`` under one key; a value of that key written in front matter
is never taken for it (YAML cannot make a :class:`PageRecord`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medkb.articles.model import Article
    from medkb.clinical.blocks import Recommendation
    from medkb.review.versions import Revision

_KEY = "medkb"


@dataclass
class PageRecord:
    """What medkb knows about one page."""

    is_article: bool | None = None
    """Whether the page is an article: set by ``medkb/review``; ``None`` without it."""
    article: Article | None = None
    """The validated article (``medkb/review``, before every other plugin reads the page)."""
    cited_keys: list[str] = field(default_factory=list)
    """Keys of the cited entries, in number order (``medkb/citations``)."""
    cited_fingerprints: list[str | None] = field(default_factory=list)
    """The cited entries as an approval's digest covers them (``medkb/citations``)."""
    embedded: list[str] = field(default_factory=list)
    """Fingerprints of the docs_dir files the page embeds (``medkb/review``)."""
    embedded_files: list[str] = field(default_factory=list)
    """Paths of the files the page embeds (``medkb/review``)."""
    bibliography_files: list[str] = field(default_factory=list)
    """Paths of the bibliography files its citations were resolved in (``medkb/citations``)."""
    revision: Revision | None = None
    """The committed version of the article being rendered, when it is not the file on disk (``medkb/review``,
    publishing an approved version): the citations plugin reads its bibliography as it was then."""
    catalog: Any = None
    """The reference catalog the page's citations were resolved in (``medkb/citations``)."""
    site_audiences: tuple[str, ...] | None = None
    """The audience ids the site defines (``medkb/audience``); ``None`` without it."""
    audiences_used: list[str] = field(default_factory=list)
    """Ids of the audiences the page has passages for (``medkb/audience``)."""
    audience_labels: list[str] = field(default_factory=list)
    """Their reader-facing labels, in the site's order (``medkb/audience``)."""
    recommendations: list[Recommendation] = field(default_factory=list)
    """The page's graded recommendations, for its JSON-LD (``medkb/clinical``)."""


def page_record(page: Any) -> PageRecord:
    """The page's record, made on first use (``page`` is an MkDocs ``Page``)."""
    meta = page.meta
    record = meta.get(_KEY)
    if not isinstance(record, PageRecord):
        record = PageRecord()
        meta[_KEY] = record
    return record


def keep_record(page: Any, meta: dict[str, Any]) -> dict[str, Any]:
    """``meta`` with the page's record carried over (for a plugin that replaces ``page.meta``)."""
    record = page.meta.get(_KEY)
    meta = dict(meta)
    if isinstance(record, PageRecord):
        meta[_KEY] = record
    else:
        meta.pop(_KEY, None)
    return meta
