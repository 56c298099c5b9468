"""Reader-facing quality gates over built sites: links, injection, valid HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DEMO_KEY, BuiltSite, build_site, write_site
from quality import broken_links, injected_markup, vnu_errors

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_example_site_has_no_broken_link_or_anchor(example_site: BuiltSite) -> None:
    assert broken_links(example_site.site_dir) == []


def test_link_checker_finds_broken_links(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="a/#there">ok</a><a href="a/#missing">x</a><a href="nowhere/">x</a><a href="#top">x</a>')
    (tmp_path / "a" / "index.html").write_text('<h1 id="there">T</h1><a href="../?audience=patient">ok</a>')
    assert broken_links(tmp_path) == ["index.html: a/#missing (no such anchor)", "index.html: nowhere/ (no such page)", "index.html: #top (no such anchor)"]


def test_example_site_links_carry_audience_and_citations(example_site: BuiltSite) -> None:
    html = "".join(p.read_text() for p in example_site.site_dir.rglob("*.html"))
    assert "?audience=professional" in html and 'href="#ref-' in html and 'href="#cite-' in html and "#member-" in html


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    root = tmp_path_factory.mktemp("hostile")
    q = _quote(PAYLOAD)
    bib = (
        "@misc{evil,\n author = {" + PAYLOAD + "},\n title = {" + PAYLOAD + " \u202etxt.exe},\n"
        " url = {javascript:alert(3)},\n doi = {javascript:alert(4)},\n medkb_type = {" + PAYLOAD + "},\n}\n"
    )
    article = (
        f"---\ntitle: {q}\ndescription: {q}\ntags: [{q}]\nreview:\n  status: submitted\n  updated: 2025-01-02\n"
        f"  history:\n    - status: submitted\n      by: {q}\n      on: 2025-01-02\n      note: {q}\n---\n\n"
        "Text [@evil], a [link](javascript:alert(5)) and [another]( JaVaScRiPt:alert(6)).\n"
    )
    board = (
        f"members:\n  - id: reviewer\n    name: {q}\n    credentials: {q}\n    role: {q}\n    bio: {q}\n"
        f"    key: {DEMO_KEY[0]} {DEMO_KEY[1]}\n"
    )
    config = {
        "site_name": PAYLOAD,
        "site_description": PAYLOAD,
        "plugins": [
            "medkb/search",
            {"medkb/review": {"pending_banner": PAYLOAD, "board_line_title": PAYLOAD, "tracker_title": PAYLOAD}},
            {"medkb/citations": {"heading": PAYLOAD, "type_labels": {"research": PAYLOAD}}},
            {"medkb/audience": {"picker_question": PAYLOAD, "audiences": [{"id": "patient", "label": PAYLOAD, "description": PAYLOAD}]}},
            {"medkb/disclaimer": {"disclaimers": {"d": {"title": PAYLOAD, "body": PAYLOAD, "link": "https://example.org/", "link_text": PAYLOAD}}}},
        ],
    }
    write_site(root, {"articles/a.md": article, "index.md": "# Home\n"}, config=config, bib=bib, board=board)
    return build_site(root, strict=False)


def test_hostile_input_never_becomes_markup(hostile_site: BuiltSite) -> None:
    assert injected_markup(hostile_site.site_dir) == []
    # The text is there, as text.
    soup = hostile_site.soup("articles/a")
    assert soup.h1.get_text() == PAYLOAD
    assert soup.select_one(".kb-ref-type").get_text() == PAYLOAD
    assert "\u202e" not in hostile_site.html("articles/a")


def test_hostile_json_ld_cannot_end_its_script(hostile_site: BuiltSite) -> None:
    html = hostile_site.html("articles/a")
    start = html.index('<script type="application/ld+json">')
    block = html[start : html.index("</script>", start)]
    assert "<" not in block[len('<script type="application/ld+json">'):]
    assert PAYLOAD not in block


def test_injection_checker_finds_markup(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text('<img src=x onerror=alert(2)><a href=" javascript:alert(1)">x</a><script>alert(1)</script>')
    (tmp_path / "search.json").write_text('{"title": "<script>alert(1)</script>"}')
    assert len(injected_markup(tmp_path)) == 4


def test_unsafe_links_in_articles_warn(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from mkdocs.exceptions import Abort

    from conftest import article

    write_site(tmp_path, {"articles/a.md": article(body="A [link](javascript:alert(1)).\n")})
    with pytest.raises(Abort):
        build_site(tmp_path, strict=True)
    assert any("link to 'javascript:alert(1)' removed" in r.getMessage() for r in caplog.records)


def test_example_site_is_valid_html(example_site: BuiltSite) -> None:
    assert vnu_errors([example_site.site_dir]) == []


def test_html_checker_finds_errors(tmp_path: Path) -> None:
    bad = tmp_path / "site" / "bad.html"
    bad.parent.mkdir()
    bad.write_text("<!doctype html><html lang=en><title>x</title><p><div>unclosed<span></p></html>")
    assert vnu_errors([bad.parent]) != []
