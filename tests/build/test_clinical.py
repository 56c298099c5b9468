"""medkb/clinical in real builds: badges linked to the grades page, warnings with lines, JSON-LD."""

from __future__ import annotations

import json
from typing import Callable

import pytest
from mkdocs.exceptions import Abort

from conftest import FIXTURES, BuiltSite, article

Make = Callable[..., BuiltSite]
PLUGINS = ["medkb/search", "medkb/review", "medkb/citations", "medkb/clinical", "medkb/audience", "medkb/disclaimer"]
BIB = (FIXTURES / "test.bib").read_text(encoding="utf-8")
BODY = """\
/// key-points
- Offer a block [@alpha].
///

## Recommendation

/// recommendation | weak for, low certainty
Offer a greater occipital nerve block [@alpha].
///
"""


def test_badges_link_to_the_generated_grades_page_and_reach_json_ld(make_site: Make) -> None:
    site = make_site({"articles/a.md": article(body=BODY)}, {"plugins": PLUGINS, "site_url": "https://kb.example.org/"}, bib=BIB)
    soup = site.soup("articles/a")
    box = soup.select_one("section.kb-key-points")
    assert box.h2.contents[0] == "Key points" and "Offer a block" in box.get_text()
    # The key points open the table of contents.
    assert soup.select_one(".md-sidebar--secondary .md-nav__link")["href"] == "#key-points"
    rec = soup.select_one("div.kb-recommendation")
    assert (rec["data-kb-grade"], rec["data-kb-certainty"]) == ("weak-for", "low")
    badges = [(a.get_text(), a["href"]) for a in rec.select("a.kb-grade")]
    assert badges == [("Weak recommendation for", "../../grades/#weak-for"), ("Low certainty evidence", "../../grades/#certainty-low")]
    grades = site.soup("grades")
    assert grades.h1.contents[0] == "Grades of recommendations"
    assert [dt["id"] for dt in grades.select("dl.kb-grades dt")] == [
        "strong-for", "strong-against", "weak-for", "weak-against",
        "certainty-high", "certainty-moderate", "certainty-low", "certainty-very-low",
    ]
    assert "values and preferences" in grades.select_one("#weak-for + dd").get_text()
    data = json.loads(soup.select_one('script[type="application/ld+json"]').string)
    assert data["hasPart"] == [{
        "@type": "MedicalGuidelineRecommendation", "recommendationStrength": "Weak recommendation for",
        "evidenceOrigin": "Low certainty evidence", "text": "Offer a greater occipital nerve block.",
    }]


def test_unknown_grade_fails_strict_with_file_and_line(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    body = "## S\n\nText.\n\n/// recommendation | moderate for, low\nOffer it.\n///\n"
    with pytest.raises(Abort):
        make_site({"articles/a.md": article(body=body)}, {"plugins": PLUGINS})
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(
        w.startswith("medkb: content/articles/a.md:12: '/// recommendation | moderate for, low': grade not recognised; write")
        for w in warnings
    ), warnings


def test_unknown_grade_without_strict_still_shows_the_text_with_a_marker(make_site: Make) -> None:
    body = "/// recommendation | strongish for, low\nOffer it.\n///\n"
    site = make_site({"articles/a.md": article(body=body)}, {"plugins": PLUGINS}, strict=False)
    rec = site.soup("articles/a").select_one("div.kb-recommendation")
    assert rec.select_one(".kb-grade--ungraded").get_text() == "Grade not recognised" and "Offer it." in rec.get_text()


def test_a_site_grades_page_and_words_are_used(make_site: Make) -> None:
    site = make_site(
        {"articles/a.md": article(body=BODY), "legend.md": "# How we grade\n\nOur words.\n"},
        {"plugins": PLUGINS[:3] + [{"medkb/clinical": {"grades_page": "legend.md", "labels": {"key_points": "Bottom line"}}}] + PLUGINS[4:]},
        bib=BIB,
    )
    soup = site.soup("articles/a")
    assert soup.select_one("section.kb-key-points h2").contents[0] == "Bottom line"
    assert soup.select_one("a.kb-grade")["href"] == "../../legend/#weak-for"
    legend = site.soup("legend")
    assert "Our words." in legend.get_text() and legend.select_one("dt#weak-for") is not None
    assert not (site.site_dir / "grades").exists()
