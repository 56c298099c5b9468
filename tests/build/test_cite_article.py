"""Cite this article: the formatted citation, BibTeX and RIS beside the page, Highwire meta; all escaped."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from conftest import FIXTURES, BuiltSite, article
from medkb.citations.cite_article import ArticleCitation, bibtex_text

Make = Callable[..., BuiltSite]
BIB = (FIXTURES / "test.bib").read_text(encoding="utf-8")
CONFIG = {"site_url": "https://kb.example.org/", "site_author": "Example Publishing"}


def test_article_has_citation_block_files_and_scholar_meta(make_site: Make) -> None:
    site = make_site({"articles/dose.md": article("Is dose X safe?", body="## S\n\nClaim [@alpha].\n")}, CONFIG, bib=BIB)
    soup = site.soup("articles/dose")
    block = soup.select_one("section.kb-cite-article")
    assert block.h2.get_text() == "Cite this article"
    assert block.select_one(".kb-cite-article__text").get_text() == (
        "Example Publishing. Is dose X safe? [Internet]. Test KB; December 17, 2025 (version: Submitted, December 17, 2025). "
        "Available from: https://kb.example.org/articles/dose/"
    )
    links = {a.get_text(): a["href"] for a in block.select("a[download]")}
    assert links == {"BibTeX": "dose.bib", "RIS": "dose.ris"}
    folder = site.site_dir / "articles" / "dose"
    assert (folder / "dose.bib").read_text() == (
        "@online{dose,\n  title = {{Is dose X safe?}},\n  author = {{Example Publishing}},\n  organization = {Test KB},\n"
        "  date = {2025-12-17},\n  year = {2025},\n  version = {Submitted, December 17, 2025},\n"
        "  url = {https://kb.example.org/articles/dose/},\n}\n"
    )
    ris = (folder / "dose.ris").read_text().splitlines()
    assert ris[0] == "TY  - ELEC" and "TI  - Is dose X safe?" in ris and "UR  - https://kb.example.org/articles/dose/" in ris
    assert ris[-1] == "ER  - "
    meta = [(m["name"], m["content"]) for m in soup.select('meta[name^="citation_"]')]
    assert ("citation_title", "Is dose X safe?") in meta and ("citation_publication_date", "2025/12/17") in meta
    assert ("citation_public_url", "https://kb.example.org/articles/dose/") in meta
    refs = [c for n, c in meta if n == "citation_reference"]
    assert len(refs) == 1 and refs[0].startswith("Smith J, Lee K. Alpha trial.")
    # Pages that are not articles are not cited this way.
    assert site.soup("").select_one("section.kb-cite-article") is None
    assert not site.soup("").select('meta[name^="citation_"]')


def test_hostile_title_stays_text_in_every_format(make_site: Make) -> None:
    title = 'Is <script>alert(1)</script> "safe"} @misc{x, & 100%?'
    site = make_site({"articles/evil.md": article(title)}, CONFIG)
    html = site.html("articles/evil")
    assert "<script>alert(1)" not in html
    soup = site.soup("articles/evil")
    assert soup.select_one('meta[name="citation_title"]')["content"] == title
    bib = (site.site_dir / "articles" / "evil" / "evil.bib").read_text()
    assert r'title = {{Is <script>alert(1)</script> "safe"\textbraceright{} @misc\textbraceleft{}x, \& 100\%?}}' in bib
    assert bib.count("@") == 2  # the entry's own and the escaped one inside the title, never a second entry start
    assert bib.splitlines()[0] == "@online{evil," and bib.rstrip().endswith("}")


def test_without_site_url_no_address_is_invented(make_site: Make) -> None:
    site = make_site({"articles/a.md": article()})
    soup = site.soup("articles/a")
    assert "Available from" not in soup.select_one(".kb-cite-article__text").get_text()
    assert soup.select_one('meta[name="citation_public_url"]') is None
    assert "url =" not in (site.site_dir / "articles" / "a" / "a.bib").read_text()


def test_cite_article_can_be_turned_off(make_site: Make) -> None:
    plugins = ["medkb/search", "medkb/review", {"medkb/citations": {"cite_article": False}}, "medkb/audience", "medkb/disclaimer"]
    site = make_site({"articles/a.md": article()}, {"plugins": plugins})
    assert site.soup("articles/a").select_one(".kb-cite-article") is None
    assert not (site.site_dir / "articles" / "a" / "a.bib").exists()


def test_bibtex_and_ris_of_line_breaks_and_specials() -> None:
    cite = ArticleCitation("k", "A\nB\u2028C", "S", "Au", dt.date(2025, 1, 2), "January 2, 2025", None, "v")
    assert "TI  - A B C\n" in cite.ris()
    assert bibtex_text("50% & $x_1$ \\ {y}") == r"50\% \& \$x\_1\$ \textbackslash{} \textbraceleft{}y\textbraceright{}"


def test_articles_sharing_a_folder_get_their_own_citation_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import article, build_site, write_site

    write_site(tmp_path, {"articles/a b.md": article(title="Is the first true?"), "articles/a-b.md": article(title="Is the second true?")},
               config={"use_directory_urls": False})
    site = build_site(tmp_path, strict=True)
    bibs = sorted(p.name for p in (site.site_dir / "articles").glob("*.bib"))
    assert len(bibs) == 2
    titles = sorted(next(line for line in (site.site_dir / "articles" / b).read_text().splitlines() if "title" in line) for b in bibs)
    assert any("first" in t for t in titles) and any("second" in t for t in titles)


def test_unbalanced_braces_in_a_title_keep_the_bibtex_entry_whole() -> None:
    from medkb.citations.cite_article import bibtex_text

    text = bibtex_text("Is drug X safe} in {pregnancy?")
    assert text.count("{") == text.count("}") and "\\textbraceright{}" in text
