"""A site citing from BibTeX, CSL-JSON and RIS at once; LaTeX rendered; bibliography warnings with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest
from mkdocs.exceptions import Abort

from conftest import FIXTURES, BuiltSite, article, build_site, write_site

Make = Callable[..., BuiltSite]
EXPORTS = FIXTURES / "exports"
CITATIONS = {"bibliography": ["references.bib", "zotero.json", "endnote.ris"]}


def site_with_exports(root: Path, pages: dict[str, str], **citations: object) -> Path:
    plugins = ["medkb/search", "medkb/review", {"medkb/citations": {**CITATIONS, **citations}}]
    write_site(root, pages, config={"plugins": plugins, "exclude_docs": "*.ris\n*.json\n*.bib\n"})
    for name in ("references.bib", "zotero.json", "endnote.ris"):
        shutil.copy(EXPORTS / name, root / name)
    return root


def messages(caplog: pytest.LogCaptureFixture, level: str = "WARNING") -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == level]


def test_one_page_cites_bibtex_csl_json_and_ris(tmp_path: Path) -> None:
    body = "## Evidence\n\nMRSA [@tong2015saureus]; reporting [@page2021prisma]; blood pressure [@sprint2015]; bias [@higgins2019rob].\n"
    (tmp_path / "content" / "articles").mkdir(parents=True)
    (tmp_path / "content" / "articles" / "own.ris").write_text(
        "TY  - JOUR\nID  - isis2-own\nAU  - ISIS-2 (Second International Study of Infarct Survival) Collaborative Group\n"
        "TI  - Randomised trial of intravenous streptokinase, oral aspirin, both, or neither among 17,187 cases of suspected "
        "acute myocardial infarction: ISIS-2\nT2  - Lancet\nPY  - 1988\nVL  - 2\nIS  - 8607\nSP  - 349\nEP  - 360\nER  - \n",
        encoding="utf-8",
    )
    pages = {
        "articles/a.md": article(body=body),
        "articles/b.md": article(body="Aspirin [@isis2-own] and [@schulz2010consort].\n", bibliography=["own.ris"]),
    }
    site = build_site(site_with_exports(tmp_path, pages))
    items = site.soup("articles/a").select("ol.kb-references > li")
    assert [li["id"] for li in items] == ["ref-tong2015saureus", "ref-page2021prisma", "ref-sprint2015", "ref-higgins2019rob"]
    assert [li.select_one(".kb-ref-type").get_text() for li in items] == ["Review", "Guideline", "Research", "Book"]
    first = str(items[0]).split("\n")[0]
    assert first == (
        '<li id="ref-tong2015saureus"><span class="kb-ref-type">Review</span> Tong SYC, Davis JS, Eichenberger E, Holland TL, '
        "Fowler VG Jr. <i>Staphylococcus aureus</i> infections: epidemiology, pathophysiology, clinical manifestations, and "
        'management. <em>Clin Microbiol Rev</em>. 2015;28(3):603-661. '
        '<a class="kb-ref-link" href="https://doi.org/10.1128/CMR.00134-14">doi:10.1128/CMR.00134-14</a> '
        '<a class="kb-ref-link" href="https://pubmed.ncbi.nlm.nih.gov/26016486/">PMID 26016486</a>'
    )
    assert items[3].get_text(" ", strip=True).startswith(
        "Book Higgins JPT, Savović J, Page MJ, Elbers RG, Sterne JAC. Assessing risk of bias in a randomized trial. "
        "In: Higgins JPT, Thomas J, Chandler J, et al, editors. Cochrane Handbook for Systematic Reviews of Interventions. "
        "Chichester (UK): John Wiley & Sons; 2019."
    )
    other = site.soup("articles/b").select("ol.kb-references > li")
    assert [li["id"] for li in other] == ["ref-isis2-own", "ref-schulz2010consort"]
    assert other[0].get_text(" ", strip=True).endswith("Lancet . 1988;2(8607):349-360. ↑")


def test_unknown_latex_command_warns_with_file_and_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bib = "% first line\n@article{k,\n  title = {\\foo{Bar} of \\textit{S. aureus}},\n  journal = {J},\n  year = {2020},\n}\n"
    pages = {"articles/a.md": article(body="A [@k].\n"), "articles/b.md": article(body="B [@k].\n")}
    write_site(tmp_path, pages, bib=bib)
    with pytest.raises(Abort):
        build_site(tmp_path)
    expected = (
        "medkb: references.bib:2: entry 'k': LaTeX command \\foo is not one medkb renders: it is left out and its argument shown"
    )
    assert messages(caplog).count(expected) == 1, messages(caplog)  # once, though two pages cite it
    html = build_site(tmp_path, strict=False).html("articles/a")
    assert "Bar of <i>S. aureus</i>. <em>J</em>. 2020." in html and "\\foo" not in html


def test_a_bad_ris_file_stops_the_build_with_file_and_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    site_with_exports(tmp_path, {"articles/a.md": article()})
    (tmp_path / "endnote.ris").write_text("TY  - JOUR\nID  - a\nER  - \n\nTY  - JOUR\nTI  - No key\nER  - \n", encoding="utf-8")
    with pytest.raises(Abort):
        build_site(tmp_path, strict=False)
    assert "endnote.ris:5: RIS record without an 'ID  - ' line (its citation key)" in messages(caplog, "ERROR")


def test_an_articles_bad_csl_json_names_its_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "content" / "articles").mkdir(parents=True)
    (tmp_path / "content" / "articles" / "own.json").write_text('[\n  {"id": "x", "type": "journal"}\n]\n', encoding="utf-8")
    site_with_exports(tmp_path, {"articles/a.md": article(body="A [@x].\n", bibliography=["own.json"])})
    with pytest.raises(Abort):
        build_site(tmp_path, strict=False)
    errors = messages(caplog, "ERROR")
    assert any(m.startswith("content/articles/own.json:2: item 'x': unknown CSL type \"journal\"") for m in errors), errors


def test_links_and_markup_from_latex_reach_the_page_and_only_http(tmp_path: Path) -> None:
    bib = (
        "@misc{k,\n  author = {{World Health Organization}},\n  title = {\\textsc{who} guidance},\n"
        "  howpublished = {\\url{https://example.org/guidance?a=1&b=2}},\n  note = {\\href{javascript:alert(1)}{click}},\n  year = {2021},\n}\n"
    )
    write_site(tmp_path, {"articles/a.md": article(body="A [@k].\n")}, bib=bib)
    html = build_site(tmp_path).html("articles/a")
    assert (
        'World Health Organization. <span class="kb-smallcaps">who</span> guidance. '
        '<a href="https://example.org/guidance?a=1&amp;b=2">https://example.org/guidance?a=1&amp;b=2</a>; 2021. click.'
    ) in html
    assert "javascript:" not in html
