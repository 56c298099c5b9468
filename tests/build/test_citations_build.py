"""Citations through real MkDocs builds."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from mkdocs.exceptions import Abort

from conftest import BuiltSite, FIXTURES, article, build_site, pagefind_fragments, write_site

Make = Callable[..., BuiltSite]
BIB = (FIXTURES / "test.bib").read_text(encoding="utf-8")


def messages(caplog: pytest.LogCaptureFixture, level: str = "WARNING") -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == level]


def test_article_gets_numbers_and_typed_reference_list(make_site: Make) -> None:
    body = "## Section\n\n- First claim [@beta].\n- Second [@alpha; @beta].\n- Third [@delta].\n"
    site = make_site({"articles/a.md": article(body=body)}, bib=BIB)
    soup = site.soup("articles/a")
    cites = soup.select("sup.kb-cite")
    assert [c.get_text() for c in cites] == ["1", "1, 2", "3"]
    items = soup.select("ol.kb-references > li")
    assert [li["id"] for li in items] == ["ref-beta", "ref-alpha", "ref-delta"]
    assert [li.select_one(".kb-ref-type").get_text() for li in items] == ["Research", "Research", "Guideline"]
    # Every number links to an entry on the page and every entry links back.
    ids = {el["id"] for el in soup.select("[id]")}
    for a in soup.select("sup.kb-cite a"):
        assert a["href"].lstrip("#") in ids
    for a in soup.select(".kb-backrefs a"):
        assert a["href"].lstrip("#") in ids
    # The reference list is in the table of contents.
    assert soup.select_one('.md-nav--secondary a[href="#references"]') is not None


def test_unknown_key_fails_strict_with_path_and_line(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    body = "## Section\n\nFine [@alpha].\n\nBroken [@nosuchkey].\n"
    with pytest.raises(Abort):
        make_site({"articles/a.md": article(body=body)}, bib=BIB)
    # Front matter is lines 1-6, a blank line, then the body: '[@nosuchkey]' is on line 12.
    assert "medkb: content/articles/a.md:12: unknown citation key 'nosuchkey'" in messages(caplog)


def test_unknown_key_without_strict_shows_a_marker(make_site: Make) -> None:
    site = make_site({"articles/a.md": article(body="Broken [@nosuchkey].\n")}, bib=BIB, strict=False)
    marker = site.soup("articles/a").select_one("sup.kb-cite .kb-cite-missing")
    assert marker is not None and marker.get_text() == "?nosuchkey"


def test_case_variant_warns(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"notes.md": "# Notes\n\nA [@Alpha].\n"}, bib=BIB)
    assert "medkb: content/notes.md:3: citation key 'Alpha' differs in case from the entry 'alpha'; write 'alpha'" in messages(caplog)


@pytest.mark.parametrize(
    ("bib", "needle"),
    [
        ("@article{a, title={T}}\n@article{A, title={U}}\n", "references.bib:2: duplicate entry key 'A'"),
        ("@article{a,\n journal = nejm}\n", "references.bib:2: BibTeX undefined string"),
        ("@article{a,\n title = {x}}},\n}\n", "references.bib:2: '}' outside any entry"),
    ],
)
def test_bad_bibliography_stops_the_build(make_site: Make, caplog: pytest.LogCaptureFixture, bib: str, needle: str) -> None:
    with pytest.raises(Abort):
        make_site({"articles/a.md": article()}, bib=bib, strict=False)
    assert any(m.startswith(needle) for m in messages(caplog, "ERROR")), messages(caplog, "ERROR")


def test_non_utf8_bibliography(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_site(tmp_path, {"articles/a.md": article()})
    (tmp_path / "references.bib").write_bytes(b"@article{a, title={\xff}}\n")
    with pytest.raises(Abort):
        build_site(tmp_path)
    assert any(m.startswith("references.bib:1: not valid UTF-8") for m in messages(caplog, "ERROR"))


def test_article_bibliography_adds_entries(tmp_path: Path, make_site: Make) -> None:
    (tmp_path / "content" / "articles").mkdir(parents=True)
    (tmp_path / "content" / "articles" / "extra.bib").write_text("@book{local, title={Local Book}, year={2001}}\n")
    site = make_site(
        {"articles/a.md": article(body="A [@local] and [@alpha].\n", bibliography=["extra.bib"]), "articles/b.md": article(body="B [@alpha].\n")},
        bib=BIB,
        config={"exclude_docs": "*.bib"},
    )
    assert [li["id"] for li in site.soup("articles/a").select("ol.kb-references li")] == ["ref-local", "ref-alpha"]


def test_style_and_labels_are_configurable(make_site: Make) -> None:
    site = make_site(
        {"articles/a.md": article(body="A [@delta].\n")},
        bib=BIB,
        config={"plugins": ["medkb/search", "medkb/review", {"medkb/citations": {"style": "unsrt", "heading": "Sources", "type_labels": {"guideline": "Practice guideline"}}}]},
    )
    soup = site.soup("articles/a")
    assert soup.select_one("#references").get_text().startswith("Sources")
    assert soup.select_one(".kb-ref-type").get_text() == "Practice guideline"


def test_unknown_style_is_a_config_error(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"articles/a.md": article()}, bib=BIB, config={"plugins": ["medkb/review", {"medkb/citations": {"style": "nope"}}]})
    assert any("style 'nope' is not a pybtex formatting style" in m for m in messages(caplog, "ERROR"))


class _Marker:
    """Unpickling this creates a file: what a hostile cache could run in the build."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (self.path,))


def test_a_pickle_in_the_cache_is_never_loaded(tmp_path: Path) -> None:
    import pickle

    from medkb.citations import cache as cache_module

    body = "## S\n\nA [@alpha; @beta]. B [@gamma, p. 4].\n"
    write_site(tmp_path, {"articles/a.md": article(body=body)}, bib=BIB)
    marker = tmp_path / "ran-code-from-the-cache"
    cache = tmp_path / ".cache" / "medkb"
    cache.mkdir(parents=True)
    # The file name the removed disk cache read (first 32 hex digits of the
    # catalog key for this bibliography and style), and a decoy.
    key = cache_module.catalog_key([tmp_path / "references.bib"], "vancouver", {})
    for name in (f"citations-{key[:32]}.pickle", "citations-0.pickle"):
        (cache / name).write_bytes(pickle.dumps(_Marker(marker)))
    cache_module._MEMORY.clear()  # a fresh process
    soup = build_site(tmp_path).soup("articles/a")
    assert not marker.exists()
    assert [li["id"] for li in soup.select("ol.kb-references > li")] == ["ref-alpha", "ref-beta", "ref-gamma"]
    assert "Alpha trial" in soup.select_one("#ref-alpha").get_text()
    # Nothing written to the cache folder either.
    assert sorted(p.name for p in cache.iterdir()) == sorted(["citations-0.pickle", f"citations-{key[:32]}.pickle"])


def test_rebuild_in_the_same_process_reuses_the_catalog_and_is_never_stale(tmp_path: Path) -> None:
    from medkb.citations import cache as cache_module

    body = "## S\n\nA [@alpha; @beta]. B [@gamma, p. 4]. C [@alpha].\n"
    write_site(tmp_path, {"articles/a.md": article(body=body)}, bib=BIB)
    cache_module._MEMORY.clear()
    first = build_site(tmp_path).html("articles/a")
    (catalog,) = cache_module._MEMORY.values()
    formatted = catalog.formatted
    # mkdocs serve's rebuild: the same catalog, nothing formatted again.
    assert build_site(tmp_path).html("articles/a") == first
    assert list(cache_module._MEMORY.values()) == [catalog] and catalog.formatted == formatted
    # A changed bibliography is a new key: parsed again, the page shows the change.
    (tmp_path / "references.bib").write_text(BIB.replace("Alpha trial", "Alpha trial, revised"), encoding="utf-8")
    third = build_site(tmp_path).html("articles/a")
    assert "Alpha trial, revised" in third and "Alpha trial, revised" not in first
    assert len(cache_module._MEMORY) == 1 and catalog not in cache_module._MEMORY.values()
    assert not (tmp_path / ".cache").exists()


def test_hostile_bibliography_is_escaped_in_the_page(make_site: Make) -> None:
    bib = (
        '@misc{evil,\n author = {<script>alert(1)</script>},\n title = {"><img src=x onerror=alert(2)>},\n'
        " url = {javascript:alert(3)},\n medkb_type = {<b>x</b>},\n}\n"
    )
    site = make_site({"articles/a.md": article(body="x [@evil]\n")}, bib=bib)
    html = site.html("articles/a")
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "javascript:" not in html
    assert "<b>x</b>" not in html
    entry = site.soup("articles/a").select_one("#ref-evil")
    assert entry.select_one(".kb-ref-type").get_text() == "<b>x</b>"
    assert "<script>alert(1)</script>" in entry.get_text()


def test_reference_lists_are_not_in_the_search_index(make_site: Make) -> None:
    site = make_site({"articles/a.md": article(body="Claim about beta [@beta].\n")}, bib=BIB)
    indexed = pagefind_fragments(site.site_dir)["/articles/a/"]["content"]
    assert "Claim about beta" in indexed
    assert "Beta study" not in indexed and "Test Medicine" not in indexed
    assert "Beta study" in site.html("articles/a")


def test_reference_lists_are_not_in_materials_search_index(make_site: Make) -> None:
    # A site on Material's own search: the list is marked data-search-exclude.
    site = make_site({"articles/a.md": article(body="Claim about beta [@beta].\n")}, bib=BIB,
                     config={"plugins": ["search", "medkb/review", "medkb/citations"]})
    index = (site.site_dir / "search" / "search_index.json").read_text()
    assert "Claim about beta" in index
    assert "Beta study" not in index and "Test Medicine" not in index


def test_marker_places_the_list_in_the_page(make_site: Make) -> None:
    site = make_site({"articles/a.md": article(body="A [@alpha].\n\n[references]\n\n## Notes\n\nEnd.\n")}, bib=BIB)
    html = site.html("articles/a")
    assert html.index('class="kb-references"') < html.index('id="notes"')
    assert "[references]" not in html


def test_page_without_citations_is_byte_identical_without_the_plugin(tmp_path: Path) -> None:
    body = "## Section\n\nText with no citation, an e-mail a@b.org and `[@code]`.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    pages = {"articles/a.md": article(body=body), "about.md": "# About\n\nPlain page.\n"}
    others = ["medkb/search", "medkb/review", "medkb/audience", "medkb/disclaimer"]
    without = build_site(write_site(tmp_path / "without", pages, config={"plugins": others}))
    # "Cite this article" (tests/build/test_cite_article.py) is what the plugin adds to every article by design.
    plugin = {"medkb/citations": {"cite_article": False}}
    with_citations = build_site(write_site(tmp_path / "with", pages, config={"plugins": [*others, plugin]}))
    for url in ("articles/a", "about"):
        assert with_citations.html(url) == without.html(url)


def test_links_back_say_under_which_heading_each_citation_stands(make_site: Make) -> None:
    body = "Before any heading [@beta].\n\n## Dosing & <b>safety</b>\n\nOne [@beta].\n\n## Follow-up\n\nTwo [@beta] and [@alpha].\n"
    soup = make_site({"articles/a.md": article(body=body)}, bib=BIB).soup("articles/a")
    beta = soup.select_one("#ref-beta .kb-backrefs")
    assert [a["aria-label"] for a in beta.select("a")] == [
        "Back to citation 1", "Back to citation 2, in Dosing & safety", "Back to citation 3, in Follow-up",
    ]
    assert [a.get("title") for a in beta.select("a")] == [None, "Back to citation 2, in Dosing & safety", "Back to citation 3, in Follow-up"]
    alpha = soup.select_one("#ref-alpha .kb-backrefs a")
    assert alpha["aria-label"] == "Back to citation, in Follow-up"
    assert soup.select_one("#ref-beta .kb-backrefs b") is None  # the heading's markup stays text
