"""End to end: the example knowledge base builds with --strict."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from conftest import BuiltSite

ARTICLES = [
    "occipital-nerve-blocks-trigger-point-injections",
    "low-back-pain-imaging",
    "sore-throat-antibiotics",
    "hypertension-blood-pressure-target",
]


@pytest.fixture(scope="module")
def example(example_site: BuiltSite) -> BuiltSite:
    return example_site


def test_every_article_has_title_and_review_header(example: BuiltSite) -> None:
    for slug in ARTICLES:
        soup = example.soup(f"articles/{slug}")
        assert soup.h1 and soup.h1.get_text().endswith("?"), slug
        review = soup.select_one(".kb-review")
        assert review is not None, slug
        assert review["data-kb-status"] in {"submitted", "under-review", "approved", "changes-pending"}
        assert review.select_one("a.kb-policy-link")["href"] == "../../editorial-policy/"
        assert review.select_one(".kb-board-line a")["href"] == "../../board/"


def test_home_links_every_article(example: BuiltSite) -> None:
    soup = BeautifulSoup((example.site_dir / "index.html").read_text(), "html.parser")
    hrefs = {a["href"] for a in soup.select("article a")}
    for slug in ARTICLES:
        assert f"articles/{slug}/" in hrefs


def test_no_request_to_font_cdns(example: BuiltSite) -> None:
    for page in example.site_dir.rglob("*.html"):
        assert "fonts.googleapis.com" not in page.read_text(), page
