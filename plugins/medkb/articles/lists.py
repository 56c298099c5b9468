"""What the lists of articles show: home page, review queue, browse pages, board page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from medkb.articles.browse import sort_key
from medkb.articles.model import Article

#: The review queue lists changes to approved text first, then what is under review, then new submissions.
QUEUE_ORDER = {"changes-pending": 0, "under-review": 1, "submitted": 2, "approved": 3}


@dataclass(frozen=True)
class ArticleStatus:
    """An article's status as readers are told it."""

    status: str
    label: str
    due: dt.date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class ArticleSummary:
    """An article as lists show it (plain strings and dates; templates escape)."""

    src_uri: str
    title: str
    description: str | None
    status: str
    status_label: str
    updated: dt.date
    due: dt.date | None
    overdue: bool


def summarize(articles: Mapping[str, Article], statuses: Mapping[str, ArticleStatus]) -> list[ArticleSummary]:
    """One summary per article with a status, sorted by title (case-insensitive)."""
    rows = [
        ArticleSummary(src, article.title, article.description, s.status, s.label, article.review.updated, s.due, s.overdue)
        for src, article in articles.items()
        if (s := statuses.get(src)) is not None
    ]
    rows.sort(key=lambda row: row.title.lower())
    return rows


def queue_order(rows: Iterable[ArticleSummary]) -> list[ArticleSummary]:
    """The review queue: by status (:data:`QUEUE_ORDER`), overdue first, oldest update first."""
    return sorted(rows, key=lambda s: (QUEUE_ORDER[s.status], not s.overdue, s.updated))


def topic_rows(rows: Iterable[ArticleSummary], articles: Mapping[str, Article], topic: str | None) -> list[ArticleSummary]:
    """The rows of one browse list (``None``: A–Z), in browse order."""
    chosen = [s for s in rows if topic is None or topic in articles[s.src_uri].tags]
    chosen.sort(key=lambda s: sort_key(s.title))
    return chosen
