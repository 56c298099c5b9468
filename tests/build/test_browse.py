"""Browse pages: A–Z and by topic, paginated; navigation without every article."""

from __future__ import annotations

from typing import Callable

from conftest import BuiltSite, article
from medkb.articles.browse import count_topics, page_slice, plan_browse_pages, slug

Make = Callable[..., BuiltSite]


def test_plan_pages_and_slugs() -> None:
    plan = plan_browse_pages("browse", 5, {"Pain medicine": 3, "Café": 1}, page_size=2)
    assert [(p.src_uri, p.number, p.pages) for p in plan] == [
        ("browse/index.md", 1, 1),
        ("browse/a-z/index.md", 1, 3),
        ("browse/a-z/page-2.md", 2, 3),
        ("browse/a-z/page-3.md", 3, 3),
        ("browse/cafe/index.md", 1, 1),
        ("browse/pain-medicine/index.md", 1, 2),
        ("browse/pain-medicine/page-2.md", 2, 2),
    ]
    assert slug("A–Z") == "az" and slug("<b>") == "b"
    assert page_slice(list(range(5)), 3, 2) == [4]
    assert count_topics([["a", "b"], ["a"], []]) == {"a": 2, "b": 1}


def test_browse_pages_in_a_build(make_site: Make) -> None:
    titles = ["Echo?", "alpha?", "Delta?", "Bravo?", "Charlie?"]
    pages = {f"articles/{t[:-1].lower()}.md": article(title=t, tags=["Topic one"] if i % 2 else ["Topic two"]) for i, t in enumerate(titles)}
    config = {
        "plugins": ["medkb/search", {"medkb/review": {"browse_page_size": 2}}, "medkb/citations", "medkb/audience", "medkb/disclaimer"],
        "nav": ["index.md", "browse/index.md"],
        "not_in_nav": "/articles/\n",
        "validation": {"omitted_files": "warn"},
    }
    site = make_site(pages, config=config)
    first = site.soup("browse/a-z")
    assert [a.get_text() for a in first.select(".kb-article-list > li > a")] == ["alpha?", "Bravo?"]
    assert [a.get_text() for a in site.soup("browse/a-z/page-3").select(".kb-article-list > li > a")] == ["Echo?"]
    pager = first.select(".kb-pager a")
    assert [(a.get_text(), a["href"], a.get("aria-current")) for a in pager] == [
        ("1", "./", "page"), ("2", "page-2/", None), ("3", "page-3/", None)
    ]
    index = site.soup("browse")
    assert [li.get_text(" ", strip=True) for li in index.select(".kb-browse-lists li")] == [
        "Articles A–Z (5)", "Topic one (2)", "Topic two (3)"
    ]
    assert [a.get_text() for a in site.soup("browse/topic-one").select(".kb-article-list > li > a")] == ["alpha?", "Bravo?"]
    # The global navigation lists sections, not articles: an article page's
    # size does not grow with the number of articles.
    assert site.soup("articles/alpha").select('.md-nav a[href*="articles/"]') == []
