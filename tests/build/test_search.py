"""medkb/search: Pagefind's index of a real build, what it holds and what it leaves out."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from bs4 import BeautifulSoup
from mkdocs.exceptions import Abort

from conftest import BuiltSite, article, pagefind_fragments as fragments
from medkb.search.index import SearchIndexError, build_index, excluded, parse_report

Make = Callable[..., BuiltSite]
PLUGINS = ["medkb/search", "medkb/review", "medkb/citations", "medkb/audience",
           {"medkb/disclaimer": {"disclaimers": {"pro": {"title": "Professional notice", "body": "Disclaimerword here."}}}}]
BIB = "@article{smith2020, author = {Smith, Jane}, title = {Referencetitleword trial}, journal = {J Test}, year = {2020}}\n"


def test_parse_report_reads_pagefind_summary() -> None:
    out = "Total: \n  Indexed 1 language\n  Indexed 1050 pages\n  Indexed 7356 words\n  Indexed 0 filters\n\nFinished in 6.570 seconds\n"
    report = parse_report(out)
    assert (report.pages, report.words) == (1050, 7356)
    assert parse_report("Indexed 1 page\nIndexed 1 word\n").pages == 1
    assert parse_report("").pages == 0


def test_excluded_by_front_matter_or_glob() -> None:
    assert excluded("a.md", {"search": {"exclude": True}}, [])
    assert excluded("a.md", {"search": {"exclude": "true"}}, [])
    assert not excluded("a.md", {"search": {"exclude": False}}, [])
    assert not excluded("a.md", {"search": "exclude"}, [])
    with pytest.raises(ValueError, match=r"search.exclude is 'ture'; allowed: true, false"):
        excluded("a.md", {"search": {"exclude": "ture"}}, [])
    assert excluded("drafts/x.md", {}, ["drafts/*"])
    assert not excluded("articles/x.md", {}, ["drafts/*"])


@pytest.mark.parametrize("subdir", ["", "/abs", "../outside", "a/../../b"])
def test_output_subdir_must_stay_inside_the_site(tmp_path: Path, subdir: str) -> None:
    with pytest.raises(SearchIndexError, match="must be a folder inside the site"):
        build_index(tmp_path, subdir)


def test_pagefind_failure_is_reported(tmp_path: Path) -> None:
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'boom: cannot read site' >&2\nexit 3\n")
    failing.chmod(0o755)
    (tmp_path / "site").mkdir()
    with pytest.raises(SearchIndexError, match=r"Pagefind failed \(exit 3\): boom: cannot read site"):
        build_index(tmp_path / "site", "pagefind", executable=failing)
    # Nothing half-written is left behind.
    assert list((tmp_path / "site").iterdir()) == []


def build_search_site(make_site: Make, **pages: str) -> BuiltSite:
    return make_site(
        {
            "articles/lbp.md": article(
                "Should adults with acute low back pain have lumbar imaging?", status="submitted",
                body="## Evidence\n\nRadiography does not change outcomes [@smith2020].\n",
                description="Imaging for low back pain", tags=["Primary care"],
            ),
            "policy.md": "# Editorial policy\n\nPolicyword text.\n",
            "hidden.md": "---\nsearch:\n  exclude: true\n---\n# Hidden\n\nSecretword text.\n",
            **pages,
        },
        {"plugins": PLUGINS},
        bib=BIB,
    )


def test_index_holds_article_bodies_with_their_review_status(make_site: Make) -> None:
    site = build_search_site(make_site)
    records = fragments(site.site_dir)
    lbp = records["/articles/lbp/"]
    assert lbp["meta"]["title"] == "Should adults with acute low back pain have lumbar imaging?"
    assert lbp["meta"]["status"] == "submitted"
    assert lbp["meta"]["status_label"] == "Submitted"
    assert "Radiography does not change outcomes" in lbp["content"]
    # No gap where the citation number was ("outcomes ." in an excerpt).
    assert "outcomes." in lbp["content"] and "outcomes ." not in lbp["content"]
    # Only the title and body: no review header, disclaimer, reference list,
    # citation number, permalink sign or theme chrome.
    for absent in ("Disclaimerword", "Referencetitleword", "Medical Advisory Board", "Skip to content", "¶", "[1]", "Which best describes you",
                   "Reading as", "Cite this article"):
        assert absent not in lbp["content"], absent
    assert "Policyword" in records["/policy/"]["content"]
    assert "status" not in records["/policy/"]["meta"]


def test_generated_lists_and_excluded_pages_are_not_indexed(make_site: Make) -> None:
    site = build_search_site(make_site)
    urls = set(fragments(site.site_dir))
    assert "/hidden/" not in urls
    assert not any(url.startswith("/browse/") for url in urls)
    assert "/review-queue/" not in urls
    # The board is the exception: readers search for who reviews (its member list is marked for the index).
    assert "/board/" in urls
    # The browse page exists; it is only left out of search.
    assert (site.site_dir / "browse" / "index.html").exists()
    html = BeautifulSoup((site.site_dir / "browse" / "index.html").read_text(), "html.parser")
    assert html.find(attrs={"data-pagefind-body": True}) is None


def test_header_carries_the_pagefind_dialog_not_materials(make_site: Make) -> None:
    site = build_search_site(make_site)
    html = BeautifulSoup((site.site_dir / "articles" / "lbp" / "index.html").read_text(), "html.parser")
    dialog = html.select_one("header .kb-search[data-kb-search]")
    assert dialog is not None
    assert dialog["data-kb-search"] == "../../pagefind/"
    assert dialog["role"] == "dialog" and dialog["aria-label"] == "Search"
    assert html.select_one('[data-md-component="search"]') is None
    assert dialog["data-kb-search-script"] == "../../assets/javascripts/kb-search.js"
    assert html.select_one('script[src$="kb-search.js"]') is None  # loaded on first use
    assert html.select_one('label[for="__search"]') is not None
    # A page with no source (404.html) has the dialog too, and is not indexed.
    missing = BeautifulSoup((site.site_dir / "404.html").read_text(), "html.parser")
    assert missing.select_one("header .kb-search[data-kb-search]") is not None
    assert missing.find(attrs={"data-pagefind-body": True}) is None
    assert not (site.site_dir / "search" / "search_index.json").exists()
    assert (site.site_dir / "pagefind" / "pagefind.js").exists()


def test_material_search_alongside_fails_a_strict_build(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({}, {"plugins": ["search", *PLUGINS]})
    assert "remove 'search' from plugins" in caplog.text


def test_status_label_with_markup_is_escaped_in_the_index(make_site: Make) -> None:
    labels = {"submitted": 'Sub<b onmouseover="x">mitted, "new"', "under-review": "Under review",
              "approved": "Approved", "changes-pending": "Changes pending"}
    site = make_site(
        {"articles/a.md": article("Alpha question?", status="submitted")},
        {"plugins": ["medkb/search", {"medkb/review": {"status_labels": labels}}, "medkb/citations", "medkb/audience"]},
    )
    html = (site.site_dir / "articles" / "a" / "index.html").read_text()
    assert "<b onmouseover" not in html
    assert fragments(site.site_dir)["/articles/a/"]["meta"]["status_label"] == labels["submitted"]


def test_bad_option_is_named(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({}, {"plugins": [{"medkb/search": {"results_per_page": 0}}, "medkb/review"]})
    assert "medkb/search: results_per_page is 0; it must be 1 or more" in caplog.text



def test_serve_indexes_in_the_background(tmp_path: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from conftest import write_site

    write_site(tmp_path, {"articles/a.md": article("Background question?")}, {"plugins": PLUGINS})
    cfg = load_config(str(tmp_path / "mkdocs.yml"))
    plugin = cfg.plugins["medkb/search"]
    plugin.on_startup(command="serve", dirty=False)  # type: ignore[attr-defined]
    try:
        build(cfg)
        worker = plugin._worker  # type: ignore[attr-defined]
        assert worker is not None
        worker.join(60)
        assert "/articles/a/" in fragments(tmp_path / "site")
    finally:
        plugin.on_startup(command="build", dirty=False)  # type: ignore[attr-defined]


def test_bad_output_subdir_stops_the_build_before_any_page(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"articles/a.md": article()}, {"plugins": [{"medkb/search": {"output_subdir": "../outside"}}, "medkb/review"]})
    assert "medkb/search: output_subdir is '../outside'; it must be a folder inside the site" in caplog.text


def test_misspelt_search_exclude_is_named(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"policy.md": "---\nsearch:\n  exclude: ture\n---\n# Policy\n"}, {"plugins": PLUGINS})
    assert "content/policy.md: search.exclude is 'ture'; allowed: true, false; the page is indexed" in caplog.text
