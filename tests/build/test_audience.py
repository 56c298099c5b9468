"""Audience blocks: exact HTML, warnings with lines, configuration errors."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import markdown
import pytest
from mkdocs.exceptions import Abort

from conftest import BuiltSite, article
from medkb.audience.blocks import AudienceExtension, parse_audience_ids
from medkb.citations.bibliography import parse_bibtex
from medkb.citations.extension import CitationsExtension
from medkb.citations.references import ReferenceCatalog

Make = Callable[..., BuiltSite]
IDS = ["patient", "student", "professional"]


def convert(src: str) -> tuple[str, AudienceExtension]:
    ext = AudienceExtension(IDS)
    return markdown.Markdown(extensions=[ext]).convert(src), ext


def test_block_exact_html() -> None:
    html, ext = convert("/// audience | patient\nPlain *words*.\n///\n")
    assert html == '<div class="kb-audience" data-kb-audience="patient">\n<p>Plain <em>words</em>.</p>\n</div>'
    assert ext.state.problems == []


def test_several_audiences() -> None:
    html, _ = convert("/// audience | patient, student\nText.\n///\n")
    assert 'data-kb-audience="patient student"' in html


def test_parse_ids() -> None:
    assert parse_audience_ids(" patient,student  professional ") == ["patient", "student", "professional"]


def test_unknown_audience_is_a_problem_and_never_plain_text() -> None:
    html, ext = convert("/// audience | pateint\nSecret.\n///\n")
    assert html.startswith('<div class="kb-audience" data-kb-audience="pateint">')
    assert [p.message for p in ext.state.problems] == [
        "unknown audience 'pateint' in an audience block; allowed: patient, student, professional"
    ]


def test_markup_in_the_id_never_reaches_an_attribute() -> None:
    html, ext = convert('/// audience | "><script>x</script>\nText.\n///\n')
    assert "<script>" not in html and 'data-kb-audience="none"' in html
    assert ext.state.problems


def test_citations_inside_blocks_keep_reading_order() -> None:
    bib = parse_bibtex("@article{a, title={A}}\n@article{b, title={B}}\n@article{c, title={C}}\n", "r.bib")
    cite = CitationsExtension(ReferenceCatalog(bib))
    md = markdown.Markdown(extensions=[AudienceExtension(IDS), cite])
    md.convert("Intro [@c].\n\n/// audience | patient\nP [@a].\n///\n\n/// audience | professional\nQ [@b; @a].\n///\n")
    assert cite.state.order == ["c", "a", "b"]


def test_unknown_audience_fails_strict_with_line(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    body = "## S\n\n/// audience | patient\nOK.\n///\n\n/// audience | profesional\nTypo.\n///\n"
    with pytest.raises(Abort):
        make_site({"articles/a.md": article(body=body)})
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "medkb: content/articles/a.md:14: unknown audience 'profesional' in an audience block; allowed: patient, student, professional" in warnings


def test_picker_and_head_on_articles(make_site: Make) -> None:
    site = make_site({"articles/a.md": article(body="/// audience | professional\nDetail.\n///\n")})
    soup = site.soup("articles/a")
    radios = soup.select('.kb-picker input[type=radio][name="kb-audience"]')
    assert [r["value"] for r in radios] == IDS
    assert soup.select_one('.kb-picker input[checked]')["value"] == "patient"
    assert soup.select_one(".kb-picker legend").get_text() == "Which best describes you?"
    head = str(soup.head)
    assert 'ids:["patient", "student", "professional"]' in head
    assert 'html:not([data-kb-audience]) .kb-audience:not([data-kb-audience~="patient"])' in head
    # Pages that are not articles and have no audience blocks get no picker.
    assert site.soup("").select_one(".kb-picker") is None


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"audiences": [{"id": "Patient", "label": "P"}]}, "audience id 'Patient' must be lowercase"),
        ({"audiences": [{"id": "a", "label": "A"}, {"id": "a", "label": "B"}]}, "audience id 'a' is listed twice"),
        ({"default": "nobody"}, "default 'nobody' is not one of the audiences"),
        ({"audiences": [{"id": "a", "label": " "}]}, "audience 'a' needs a label"),
    ],
)
def test_bad_audience_config(make_site: Make, caplog: pytest.LogCaptureFixture, options: dict, needle: str) -> None:
    with pytest.raises(Abort):
        make_site({"articles/a.md": article()}, config={"plugins": ["medkb/review", "medkb/citations", {"medkb/audience": options}]})
    assert any(needle in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_labels_are_escaped(make_site: Make) -> None:
    options = {"audiences": [{"id": "a", "label": "<b>A</b>", "description": "<i>x</i>"}], "picker_question": "<script>q</script>"}
    site = make_site({"articles/a.md": article()}, config={"plugins": ["medkb/review", "medkb/citations", {"medkb/audience": options}]})
    html = site.html("articles/a")
    assert "<b>A</b>" not in html and "<i>x</i>" not in html and "<script>q</script>" not in html
    assert site.soup("articles/a").select_one(".kb-picker legend").get_text() == "<script>q</script>"


def test_storage_key_and_ids_are_json_in_the_head(tmp_path: Path, make_site: Make) -> None:
    options = {"storage_key": "</script><script>alert(1)</script>"}
    site = make_site({"articles/a.md": article()}, config={"plugins": ["medkb/review", "medkb/citations", {"medkb/audience": options}]})
    assert "</script><script>alert(1)" not in site.html("articles/a")


# An unclosed block, or one naming no audience, never hides text: pymdownx
# Blocks would keep an unclosed block open to the end of its container.
SAFETY = "## Safety\n\nCall emergency services if the pain spreads to your arm."


def test_unclosed_block_shows_it_and_the_rest_to_everyone() -> None:
    html, ext = convert(f"Intro.\n\n/// audience | patient\nFor patients.\n\n{SAFETY}\n")
    assert html == (
        "<p>Intro.</p>\n<p>For patients.</p>\n<h2>Safety</h2>\n"
        "<p>Call emergency services if the pain spreads to your arm.</p>"
    )
    assert [(p.line, p.message) for p in ext.state.problems] == [(3, (
        "audience block '/// audience | patient' is never closed; end it with a line '///'; "
        "until then it and everything after it are shown to every audience"
    ))]
    assert ext.state.used == []


def test_unclosed_block_inside_a_closed_one_shows_both() -> None:
    # The professional block took the patient block's closing line, and the
    # safety text landed inside both: every part is shown to everyone.
    html, ext = convert(f"/// audience | patient\nA\n\n/// audience | professional\nB\n///\n\n{SAFETY}\n")
    assert "kb-audience" not in html and "Call emergency services" in html
    (problem,) = ext.state.problems
    assert problem.line == 4 and "(or close the audience block of line 1 before it)" in problem.message


def test_closed_blocks_beside_an_unclosed_one_keep_their_audience() -> None:
    html, _ = convert("/// audience | patient\nA\n///\n\n/// audience | professional\nB\n\nC\n")
    assert html == '<div class="kb-audience" data-kb-audience="patient">\n<p>A</p>\n</div>\n<p>B</p>\n<p>C</p>'


@pytest.mark.parametrize(("opening", "shown"), [
    ("/// audience |", "/// audience"), ("/// audience", "/// audience"), ("/// audience | , ,", "/// audience | , ,"),
])
def test_block_naming_no_audience_is_shown_to_everyone(opening: str, shown: str) -> None:
    html, ext = convert(f"{opening}\nStop the drug if you faint.\n///\n")
    assert html == "<p>Stop the drug if you faint.</p>"
    assert [(p.line, p.message) for p in ext.state.problems] == [(1, (
        f"'{shown}' names no audience; write the ids, e.g. /// audience | patient "
        "(until then the passage is shown to every audience)"
    ))]


def test_unclosed_block_fails_strict_with_line(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    body = f"## S\n\n/// audience | patient\nOK.\n///\n\n/// audience | professional\nDetail.\n\n{SAFETY}\n"
    with pytest.raises(Abort):
        make_site({"articles/a.md": article(body=body)})
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert (
        "medkb: content/articles/a.md:14: audience block '/// audience | professional' is never closed; end it with a line '///'; "
        "until then it and everything after it are shown to every audience"
    ) in warnings


def test_unclosed_block_without_strict_hides_nothing(make_site: Make) -> None:
    body = f"/// audience | professional\nDetail.\n\n{SAFETY}\n"
    soup = make_site({"articles/a.md": article(body=body)}, strict=False).soup("articles/a")
    content = soup.select_one(".md-content")
    assert content.select("div.kb-audience") == []  # passages (the printout header names audiences in spans)
    assert "Call emergency services" in content.get_text()


def test_block_naming_no_audience_fails_strict_with_line(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"articles/a.md": article(body="## S\n\n/// audience |\nFor all.\n///\n")})
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert (
        "medkb: content/articles/a.md:10: '/// audience' names no audience; write the ids, e.g. /// audience | patient "
        "(until then the passage is shown to every audience)"
    ) in warnings
