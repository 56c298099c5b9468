"""Browse pages for a knowledge base: A–Z and by topic, paginated.

A manual lists every page in its navigation; a knowledge base of thousands
of articles cannot (every page would carry the whole list). medkb's
navigation lists sections; readers find articles on generated browse pages,
each holding at most ``page_size`` articles, and by search.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class BrowsePage:
    """One generated page: which list it shows and which slice of it."""

    src_uri: str
    kind: str  # "index", "a-z" or "topic"
    title: str
    topic: str | None = None
    number: int = 1
    pages: int = 1


def slug(text: str) -> str:
    """A URL-safe slug: ``Pain medicine`` → ``pain-medicine``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "topic"


def page_src(base: str, number: int) -> str:
    """``browse/a-z/index.md`` for page 1, ``browse/a-z/page-2.md`` after."""
    return f"{base}/index.md" if number == 1 else f"{base}/page-{number}.md"


def plan_browse_pages(
    folder: str,
    titles: int,
    topics: dict[str, int],
    page_size: int,
    *,
    index_title: str = "Browse articles",
    az_title: str = "Articles A–Z",
) -> list[BrowsePage]:
    """Every browse page for ``titles`` articles and the article count of each topic."""
    folder = folder.strip("/")
    pages = [BrowsePage(f"{folder}/index.md", "index", index_title)]
    count = max(1, math.ceil(titles / page_size))
    pages += [BrowsePage(page_src(f"{folder}/a-z", n), "a-z", az_title, None, n, count) for n in range(1, count + 1)]
    used: set[str] = set()
    for topic in sorted(topics, key=str.lower):
        base = slug(topic)
        while base in used or base == "a-z":
            base += "-"
        used.add(base)
        count = max(1, math.ceil(topics[topic] / page_size))
        pages += [BrowsePage(page_src(f"{folder}/{base}", n), "topic", topic, topic, n, count) for n in range(1, count + 1)]
    return pages


def page_slice(items: list[object], number: int, page_size: int) -> list[object]:
    """The items shown on page ``number`` (1-based)."""
    start = (number - 1) * page_size
    return items[start : start + page_size]


def sort_key(title: str) -> str:
    """A–Z order: case- and accent-insensitive."""
    return unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()


def count_topics(tag_lists: Iterable[list[str]]) -> dict[str, int]:
    """How many articles carry each tag."""
    counts: dict[str, int] = {}
    for tags in tag_lists:
        for tag in set(tags):
            counts[tag] = counts.get(tag, 0) + 1
    return counts
