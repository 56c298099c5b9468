"""CSL-JSON and RIS bibliographies: real exports rendered exactly, strict errors with file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES
from medkb.citations.bibliography import BibliographyError, load_bibliography
from medkb.citations.csljson import parse_csl_json
from medkb.citations.references import ReferenceCatalog
from medkb.citations.ris import parse_ris

EXPORTS = FIXTURES / "exports"


@pytest.fixture(scope="module")
def catalog() -> ReferenceCatalog:
    return ReferenceCatalog(load_bibliography([EXPORTS / "references.bib", EXPORTS / "zotero.json", EXPORTS / "endnote.ris"]))


def links(ref: object) -> list[tuple[str, str]]:
    return [(link.label, link.href) for link in ref.links]  # type: ignore[attr-defined]


# key, type label, exact HTML, links
REAL_EXPORTS = [
    # BibTeX (a reference manager's .bib, LaTeX markup and a crossref child)
    ("tong2015saureus", "Review",
     "Tong SYC, Davis JS, Eichenberger E, Holland TL, Fowler VG Jr. <i>Staphylococcus aureus</i> infections: epidemiology, "
     "pathophysiology, clinical manifestations, and management. <em>Clin Microbiol Rev</em>. 2015;28(3):603-661.",
     [("doi:10.1128/CMR.00134-14", "https://doi.org/10.1128/CMR.00134-14"), ("PMID 26016486", "https://pubmed.ncbi.nlm.nih.gov/26016486/")]),
    ("fleming1929penicillium", "Research",
     "Fleming A. On the antibacterial action of cultures of a penicillium, with special reference to their use in the isolation of "
     "<em>B. influenzæ</em>. <em>Br J Exp Pathol</em>. 1929;10(3):226-236.", []),
    ("ukpds33", "Research",
     "UK Prospective Diabetes Study (UKPDS) Group. Intensive blood-glucose control with sulphonylureas or insulin compared with "
     "conventional treatment and risk of complications in patients with type\u00a02 diabetes (UKPDS 33). <em>Lancet</em>. "
     "1998;352(9131):837-853.", []),
    ("higgins2019rob", "Book",
     "Higgins JPT, Savović J, Page MJ, Elbers RG, Sterne JAC. Assessing risk of bias in a randomized trial. In: Higgins JPT, "
     "Thomas J, Chandler J, et al, editors. Cochrane Handbook for Systematic Reviews of Interventions. Chichester (UK): John Wiley "
     "&amp; Sons; 2019.", []),
    # CSL-JSON (Zotero)
    ("page2021prisma", "Guideline",
     "Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement: an updated guideline for reporting systematic reviews. "
     "<em>BMJ</em>. 2021;372:n71.",
     [("doi:10.1136/bmj.n71", "https://doi.org/10.1136/bmj.n71"), ("PMID 33782057", "https://pubmed.ncbi.nlm.nih.gov/33782057/")]),
    ("recovery2021dexamethasone", "Research",
     "RECOVERY Collaborative Group, Horby P, Lim WS, Emberson JR. Dexamethasone in Hospitalized Patients with Covid-19. "
     "<em>N Engl J Med</em>. 2021;384(8):693-704.",
     [("doi:10.1056/NEJMoa2021436", "https://doi.org/10.1056/NEJMoa2021436"), ("PMID 32678530", "https://pubmed.ncbi.nlm.nih.gov/32678530/")]),
    ("wma2013helsinki", "Consensus statement",
     "World Medical Association. World Medical Association Declaration of Helsinki: ethical principles for medical research "
     "involving human subjects. <em>JAMA</em>. 2013;310(20):2191-2194.",
     [("doi:10.1001/jama.2013.281053", "https://doi.org/10.1001/jama.2013.281053"), ("PMID 24141714", "https://pubmed.ncbi.nlm.nih.gov/24141714/")]),
    ("tong2015saureus-csl", "Research",
     "Tong SYC, Davis JS, Eichenberger E, Holland TL, Fowler VG Jr. <i>Staphylococcus aureus</i> infections: epidemiology, "
     "pathophysiology, clinical manifestations, and management. <em>Clin Microbiol Rev</em>. 2015;28(3):603-661.",
     [("doi:10.1128/CMR.00134-14", "https://doi.org/10.1128/CMR.00134-14"), ("PMID 26016486", "https://pubmed.ncbi.nlm.nih.gov/26016486/")]),
    ("cochrane-handbook-2019-csl", "Book",
     "Higgins JPT, Thomas J, editors. Cochrane Handbook for Systematic Reviews of Interventions. 2nd ed. Chichester (UK): "
     "John Wiley &amp; Sons; 2019.", []),
    # RIS (EndNote)
    ("sprint2015", "Research",
     "SPRINT Research Group. A Randomized Trial of Intensive versus Standard Blood-Pressure Control. <em>N Engl J Med</em>. "
     "2015;373(22):2103-2116.",
     [("doi:10.1056/NEJMoa1511939", "https://doi.org/10.1056/NEJMoa1511939"), ("PMID 26551272", "https://pubmed.ncbi.nlm.nih.gov/26551272/")]),
    ("schulz2010consort", "Guideline",
     "Schulz KF, Altman DG, Moher D. CONSORT 2010 Statement: updated guidelines for reporting parallel group randomised trials. "
     "<em>BMJ</em>. 2010;340:c332.",
     [("doi:10.1136/bmj.c332", "https://doi.org/10.1136/bmj.c332"), ("PMID 20332509", "https://pubmed.ncbi.nlm.nih.gov/20332509/")]),
    ("isis2-1988", "Research",
     "ISIS-2 (Second International Study of Infarct Survival) Collaborative Group. Randomised trial of intravenous streptokinase, "
     "oral aspirin, both, or neither among 17,187 cases of suspected acute myocardial infarction: ISIS-2. <em>Lancet</em>. "
     "1988;2(8607):349-360.", []),
    ("higgins2019rob-ris", "Book",
     "Higgins JPT, Savović J, Page MJ, Elbers RG, Sterne JAC. Assessing risk of bias in a randomized trial. In: Higgins JPT, "
     "Thomas J, editors. Cochrane Handbook for Systematic Reviews of Interventions. Chichester (UK): John Wiley &amp; Sons; 2019.", []),
]


@pytest.mark.parametrize(("key", "label", "html", "expected_links"), REAL_EXPORTS, ids=[r[0] for r in REAL_EXPORTS])
def test_real_exports_render_exactly(catalog: ReferenceCatalog, key: str, label: str, html: str, expected_links: list[tuple[str, str]]) -> None:
    ref = catalog.lookup(key)
    assert ref is not None
    assert (ref.type_label, ref.html, links(ref), ref.warnings) == (label, html, expected_links, ())
    assert catalog.fingerprint(key) is not None


def test_sources_name_each_item_and_record(catalog: ReferenceCatalog) -> None:
    sources = catalog.bibliography.sources
    assert sources["page2021prisma"][1] == 2 and sources["recovery2021dexamethasone"][1] == 23
    assert sources["sprint2015"][1] == 1 and sources["schulz2010consort"][1] == 17


def test_csl_and_ris_titles_keep_their_case_in_pybtex_styles() -> None:
    bib = load_bibliography([EXPORTS / "zotero.json", EXPORTS / "endnote.ris"])
    unsrt = ReferenceCatalog(bib, "unsrt")
    assert unsrt.lookup("page2021prisma").text == (  # type: ignore[union-attr]
        "Matthew\u00a0J. Page, Joanne\u00a0E. McKenzie, Patrick\u00a0M. Bossuyt, Isabelle Boutron, Tammy\u00a0C. Hoffmann, "
        "Cynthia\u00a0D. Mulrow, and Larissa Shamseer. The PRISMA 2020 statement: an updated guideline for reporting systematic reviews. BMJ, 372:n71, 2021."
    )
    assert unsrt.lookup("sprint2015").text.startswith("SPRINT Research Group. A Randomized Trial of Intensive")  # type: ignore[union-attr]


def test_csl_rich_text_and_hostile_markup() -> None:
    items = [{"id": "a", "type": "article-journal", "title": 'A <i>B. cereus</i> <sup>2</sup> <span class="nocase">pH</span> '
              '<span style="font-variant:small-caps;">sc</span> <script>x</script> 50% $5 {x}', "container-title": "J"}]
    bib = parse_csl_json(json.dumps(items), "refs.json")
    ref = ReferenceCatalog(bib).lookup("a")
    assert ref is not None and ref.html == (
        'A <i>B. cereus</i> <sup>2</sup> pH <span class="kb-smallcaps">sc</span> &lt;script&gt;x&lt;/script&gt; 50% $5 {x}. <em>J</em>.'
    )


def csl_error(text: str) -> BibliographyError:
    with pytest.raises(BibliographyError) as info:
        parse_csl_json(text, "refs.json")
    assert info.value.path == "refs.json"
    return info.value


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ('[\n  {"id": "a", "type": "book"},\n  {"id": "b" "type": "book"}\n]', 3, "not valid JSON: Expecting ','"),
        ('{"id": "a"}', 1, "CSL-JSON must be an array of items"),
        ('[\n  {"id": "a", "type": "book"},\n  {"type": "book", "title": "T"}\n]', 3, "CSL-JSON item without an 'id'"),
        ('[\n  {"id": "a", "type": "book"},\n\n  {"id": "A", "type": "book"}\n]', 4, "duplicate entry key 'A' (first defined on line 2"),
        ('[\n  {"id": "a",\n   "type": "journal-article"}\n]', 3, "unknown CSL type \"journal-article\"; did you mean 'article-journal'?"),
        ('[\n  {"id": "a", "type": "book",\n   "issued": {"date-parts": [[2020, 17]]}}\n]', 3, "'issued' is not a CSL date"),
        ('[\n  {"id": "a", "type": "book",\n   "issued": {"date-parts": [[2021, 2, 30]]}}\n]', 3, "'issued' is not a CSL date"),
        ('[\n  {"id": "a", "type": "book", "issued": "2020"}\n]', 2, "'issued' is not a CSL date"),
        ('[\n  {"id": "a", "type": "book",\n   "title": "T",\n   "title": "U"}\n]', 3, "duplicate field 'title'; keep one"),
        ('[\n  {"id": "a", "type": "book", "author": "Smith, J"}\n]', 2, "'author' must be a list of names"),
        ('[\n  {"id": "a b", "type": "book"}\n]', 2, "id 'a b' cannot be cited"),
        ('[\n  {"id": "a", "type": "book", "title": ["T"]}\n]', 2, "'title' must be text or a number, not list"),
    ],
)
def test_bad_csl_json_names_file_and_line(text: str, line: int, needle: str) -> None:
    e = csl_error(text)
    assert e.line == line, str(e)
    assert needle in str(e), str(e)


def test_csl_dates_in_every_form() -> None:
    items = [
        {"id": "a", "type": "book", "title": "A", "issued": {"raw": "2019-04-02"}},
        {"id": "b", "type": "book", "title": "B", "issued": {"literal": "Spring 2018"}},
        {"id": "c", "type": "webpage", "title": "C", "issued": {"date-parts": [[2017, 21]]}, "accessed": {"date-parts": [[2024, 1, 31]]},
         "URL": "https://example.org/c"},
    ]
    bib = parse_csl_json(json.dumps(items), "refs.json")
    catalog = ReferenceCatalog(bib)
    assert [catalog.lookup(k).text for k in "abc"] == [  # type: ignore[union-attr]
        "A. 2019.", "B. 2018.", "C [Internet]. 2017. [cited 2024-01-31].",
    ]


def ris_error(text: str) -> BibliographyError:
    with pytest.raises(BibliographyError) as info:
        parse_ris(text, "refs.ris")
    assert info.value.path == "refs.ris"
    return info.value


RECORD = "TY  - JOUR\nID  - {key}\nTI  - Title\nPY  - 2020\nER  - \n"


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        (RECORD.format(key="a") + "\nTY  - JOUR\nTI  - No key\nER  - \n", 7, "RIS record without an 'ID  - ' line"),
        (RECORD.format(key="a") + "\n" + RECORD.format(key="A"), 7, "duplicate entry key 'A' (first defined on line 1"),
        ("TY  - JOURNAL\nID  - a\nER  - \n", 1, "unknown RIS type 'JOURNAL'; did you mean 'JOUR'?"),
        ("TY  - JOUR\nID  - a\nPY  - 2020/13/01\nER  - \n", 3, "PY '2020/13/01' is not a RIS date"),
        ("TY  - JOUR\nID  - a\nDA  - May 2020\nER  - \n", 3, "DA 'May 2020' is not a RIS date"),
        ("TY  - JOUR\nID  - a\nTI  - One\nTI  - Two\nER  - \n", 4, "duplicate TI tag (first on line 3); keep one"),
        ("TY  - JOUR\nID  - a\nTI  - No end\n", 1, "RIS record has no end"),
        ("TY  - JOUR\nID  - a\n\nTY  - JOUR\nID  - b\nER  - \n", 1, "RIS record has no end"),
        ("ID  - a\nTY  - JOUR\nER  - \n", 1, "'ID' tag outside a record"),
        (RECORD.format(key="a b"), 2, "ID 'a b' cannot be cited"),
    ],
)
def test_bad_ris_names_file_and_line(text: str, line: int, needle: str) -> None:
    e = ris_error(text)
    assert e.line == line, str(e)
    assert needle in str(e), str(e)


def test_ris_continued_lines_and_old_dates() -> None:
    bib = parse_ris("TY  - RPRT\nID  - r\nAU  - Doe, Jane\nTI  - A report on\nthree lines\nof text\nPY  - 2008///\nPB  - Agency\nER  - \n", "refs.ris")
    assert ReferenceCatalog(bib).lookup("r").text == "Doe J. A report on three lines of text. Agency; 2008."  # type: ignore[union-attr]


@pytest.mark.parametrize("suffix", [".json", ".ris", ".bib"])
def test_non_utf8_files_of_every_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"refs{suffix}"
    path.write_bytes(b"\n\xe9")
    with pytest.raises(BibliographyError) as info:
        load_bibliography([path], {path: f"refs{suffix}"})
    assert str(info.value).startswith(f"refs{suffix}:2: not valid UTF-8")


def test_duplicate_keys_across_formats(tmp_path: Path) -> None:
    (tmp_path / "a.bib").write_text("@article{sprint2015, title={T}}\n")
    with pytest.raises(BibliographyError, match=r"endnote.ris:1: duplicate entry key 'sprint2015' \(also defined at .*a.bib:1\)"):
        load_bibliography([tmp_path / "a.bib", EXPORTS / "endnote.ris"])
    (tmp_path / "b.json").write_text('[\n{"id": "Page2021PRISMA", "type": "book"}]')
    with pytest.raises(BibliographyError, match=r"b.json:2: duplicate entry key 'Page2021PRISMA' \(also defined at .*zotero.json:2\)"):
        load_bibliography([EXPORTS / "zotero.json", tmp_path / "b.json"])
