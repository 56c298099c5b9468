"""Articles through a real MkDocs build: broken ones never publish."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from mkdocs.exceptions import Abort

from conftest import BuiltSite, article

Make = Callable[..., BuiltSite]


def test_article_builds_with_review_header(make_site: Make) -> None:
    site = make_site({"articles/a.md": article(status="under-review")})
    soup = site.soup("articles/a")
    assert soup.h1.get_text() == "Is this a test article?"
    review = soup.select_one(".kb-review")
    assert review["data-kb-status"] == "under-review"
    current = review.select_one('[aria-current="step"]')
    assert current.get_text(strip=True) == "Under Review"
    assert [li.get_text(strip=True) for li in review.select(".kb-tracker__step--done")] == ["Submitted"]
    assert review.select_one("time")["datetime"] == "2025-12-17"
    assert "December 17, 2025" in review.get_text()
    assert soup.select_one(".kb-pending-banner") is not None


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("---\ntitle: T\nreview: [broken\n---\n", "content/articles/bad.md:3: invalid YAML"),
        ("---\n- a\n- b\n---\n", "content/articles/bad.md:2: front matter must be a mapping"),
        ("---\ntitle: T\nreview:\n  status: Published\n  updated: 2025-12-17\n---\n", "content/articles/bad.md:4: review.status: 'Published'"),
        ("---\ntitle: T\nreview:\n  status: on\n  updated: 2025-12-17\n---\n", "review.status: 'on' is not a review status"),
        ("---\ntitle: T\nreview:\n  status: submitted\n  updated: 2024-02-30\n---\n", "content/articles/bad.md:5: review.updated: '2024-02-30'"),
        ("Warning: do not exceed 4 g/day\n\nText\n", "content/articles/bad.md:1: no front matter"),
        (b"---\ntitle: \xff\n---\n", "content/articles/bad.md:2: not valid UTF-8"),
    ],
)
def test_broken_article_aborts_and_publishes_nothing(
    tmp_path: Path, make_site: Make, caplog: pytest.LogCaptureFixture, source: str | bytes, needle: str
) -> None:
    with pytest.raises(Abort):
        make_site({"articles/good.md": article(), "articles/bad.md": source}, strict=False)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any(needle in m and m.startswith("content/articles/bad.md:") for m in errors), errors
    assert not (tmp_path / "site" / "articles" / "bad").exists()
    assert not (tmp_path / "site" / "articles" / "good").exists()


def test_unknown_key_fails_strict_build(tmp_path: Path, make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"articles/a.md": article(reivew={"status": "approved"})})
    assert any(
        "content/articles/a.md:6: unknown front matter key 'reivew' (did you mean 'review'?)" in r.getMessage()
        for r in caplog.records
    )


def test_unknown_key_only_warns_without_strict(make_site: Make) -> None:
    site = make_site({"articles/a.md": article(reivew={"status": "approved"})}, strict=False)
    assert site.soup("articles/a").select_one(".kb-review")["data-kb-status"] == "submitted"


def test_html_in_title_and_description_is_text(make_site: Make) -> None:
    title = '<script>alert(1)</script> "><img src=x onerror=alert(2)>'
    site = make_site({"articles/a.md": article(title=title, description="<b>bold</b> & co")})
    html = site.html("articles/a")
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html
    soup = site.soup("articles/a")
    assert soup.h1.get_text() == title
    assert soup.title.get_text().startswith(title)
    assert soup.find("meta", attrs={"name": "description"})["content"] == "<b>bold</b> & co"


def test_bom_and_crlf_render_like_lf(tmp_path: Path, make_site: Make) -> None:
    text = article(body="## Section\n\nLine one.\nLine two.\n")
    site = make_site({"articles/lf.md": text, "articles/crlf.md": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()})
    lf = site.soup("articles/lf").select_one("article")
    crlf = site.soup("articles/crlf").select_one("article")
    # The same page but for its name (its address and its citation files, lf.bib and crlf.bib).
    assert str(lf).replace("lf/", "crlf/").replace('href="lf.', 'href="crlf.') == str(crlf)


def test_non_article_page_keeps_a_first_line_like_metadata(make_site: Make) -> None:
    site = make_site({"notes.md": "Warning: do not exceed 4 g/day\n\nMore text.\n"})
    assert "Warning: do not exceed 4 g/day" in site.soup("notes").select_one("article").get_text()


def test_non_article_page_with_broken_yaml_fails(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"notes.md": "---\ntitle: [broken\n---\nText\n"}, strict=False)
    assert any(r.getMessage().startswith("content/notes.md:2: invalid YAML") for r in caplog.records)


def test_review_wording_is_configurable(make_site: Make) -> None:
    labels = {"submitted": "Received", "under-review": "In review", "approved": "Signed off", "changes-pending": "Edited since sign-off"}
    config = {"plugins": ["medkb/search", {"medkb/review": {"status_labels": labels, "browse_az_title": "All questions"}},
                          "medkb/citations", "medkb/audience", "medkb/disclaimer"]}
    site = make_site({"articles/a.md": article(status="submitted")}, config=config)
    steps = [li.get_text(strip=True) for li in site.soup("articles/a").select(".kb-tracker__step")]
    assert steps == ["Received", "In review", "Signed off"]
    assert site.soup("browse/a-z").h1.get_text().startswith("All questions")
    assert "Received" in site.soup("review-queue").select_one(".kb-badge").get_text()


def test_status_labels_must_name_every_state(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    config = {"plugins": [{"medkb/review": {"status_labels": {"submitted": "Received"}}}, "medkb/citations"]}
    with pytest.raises(Abort):
        make_site({"articles/a.md": article()}, config=config)
    assert any("status_labels needs a label for approved, changes-pending, under-review" in r.getMessage() for r in caplog.records)
