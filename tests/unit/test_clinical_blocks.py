"""Exact-HTML tests of the key points and recommendation blocks, and of grade parsing."""

from __future__ import annotations

import markdown
import pytest

from medkb.clinical.blocks import ClinicalExtension
from medkb.clinical.grades import Grade, parse_grade


def convert(src: str, **config: object) -> tuple[str, ClinicalExtension]:
    ext = ClinicalExtension(**config)  # type: ignore[arg-type]
    return markdown.Markdown(extensions=[ext]).convert(src), ext


@pytest.mark.parametrize(("argument", "grade"), [
    ("weak for, low certainty", Grade("weak", "for", "low")),
    ("Strong against; moderate", Grade("strong", "against", "moderate")),
    ("conditional for, very low certainty of evidence", Grade("weak", "for", "very-low")),
    ("strong for, very-low", Grade("strong", "for", "very-low")),
])
def test_grades_as_guidelines_write_them(argument: str, grade: Grade) -> None:
    assert parse_grade(argument) == grade


@pytest.mark.parametrize("argument", ["", "weak", "moderate for, low", "weak for", "weak for, medium", "weak for, low, high", "for weak, low"])
def test_what_is_no_grade(argument: str) -> None:
    assert parse_grade(argument) is None


def test_key_points_exact_html() -> None:
    html, _ = convert("/// key-points\n- Do not image.\n- Reassure.\n///\n")
    assert html == (
        '<section aria-labelledby="key-points" class="kb-key-points">\n'
        '<h2 id="key-points">Key points</h2>\n'
        "<ul>\n<li>Do not image.</li>\n<li>Reassure.</li>\n</ul>\n"
        "</section>"
    )


def test_recommendation_exact_html_with_legend_links_and_words() -> None:
    html, ext = convert(
        "/// recommendation | weak for, low certainty\nOffer a block.\n///\n",
        legend_url="../grades.md", labels={"weak-for": "Conditional recommendation for"},
    )
    assert html == (
        '<div class="kb-recommendation" data-kb-certainty="low" data-kb-grade="weak-for">\n'
        '<p class="kb-recommendation__grade"><a class="kb-grade kb-grade--weak-for" href="../grades.md#weak-for">Conditional recommendation for</a> '
        '<a class="kb-grade kb-grade--certainty-low" href="../grades.md#certainty-low">Low certainty evidence</a></p>\n'
        "<p>Offer a block.</p>\n"
        "</div>"
    )
    (rec,) = ext.recommendations()
    assert (rec.strength_label, rec.certainty_label, rec.text) == ("Conditional recommendation for", "Low certainty evidence", "Offer a block.")
    assert ext.state.problems == []


def test_unknown_grade_is_a_visible_badge_and_a_problem_with_its_line() -> None:
    html, ext = convert("Intro.\n\n/// recommendation | moderate for, low\nOffer a block.\n///\n\n/// recommendation\nMore.\n///\n")
    assert html.count('<span class="kb-grade kb-grade--ungraded">Grade not recognised</span>') == 2
    assert "<p>Offer a block.</p>" in html and "<p>More.</p>" in html
    assert [p.line for p in ext.state.problems] == [3, 7]
    assert ext.state.problems[0].message.startswith(
        "'/// recommendation | moderate for, low': grade not recognised; write '/// recommendation | <strength> <direction>, <certainty> certainty'"
    )
    assert ext.recommendations() == []


def test_by_name_without_mkdocs() -> None:
    html = markdown.Markdown(extensions=["medkb.clinical"]).convert("/// recommendation | strong for, high\nTest.\n///\n")
    assert '<span class="kb-grade kb-grade--strong-for">Strong recommendation for</span>' in html
