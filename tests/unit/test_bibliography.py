"""Strict BibTeX loading and reference formatting."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pybtex.database import Entry, Person
from pybtex.plugin import find_plugin
from pybtex.richtext import Text

from conftest import FIXTURES
from medkb.citations.bibliography import BibliographyError, load_bibliography, parse_bibtex
from medkb.citations.latex import latex_value
from medkb.citations.style import _TEXT_BACKEND, VancouverStyle, decode_latex, format_names, format_reference


def err(text: str) -> BibliographyError:
    with pytest.raises(BibliographyError) as info:
        parse_bibtex(text, "refs.bib")
    return info.value


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("@article{a, title={T}}\n\n@book{a, title={U}}\n", 3, "duplicate entry key 'a' (first defined on line 1"),
        ("@article{Smith2020, title={T}}\n@book{smith2020, title={U}}\n", 2, "duplicate entry key 'smith2020'"),
        ("@article{a,\n title={T},\n year={2020},\n Title={U}}\n", 4, "duplicate Title field"),
        ("@article{a,\n journal=nejm,\n title={T}}\n", 2, "undefined @string macro 'nejm'"),
        ("@article{a,\n title={T {x},\n year={2020}}\n\n@article{b, title={B}}\n", 5, "in the entry starting on line 1"),
        ("@article{a,\n title={T}}},\n year={2020}}\n", 2, "'}' outside any entry"),
        ("@inproceedings{a,\n crossref={proc},\n title={T}}\n", 1, "crossref 'proc', which is not in the file"),
    ],
)
def test_bad_bibtex_names_file_and_line(text: str, line: int, needle: str) -> None:
    e = err(text)
    assert e.path == "refs.bib" and e.line == line, str(e)
    assert needle in str(e)


def test_string_macros_and_crossref_work() -> None:
    bib = parse_bibtex(
        "@string{nejm = {N Engl J Med}}\n@article{a, journal=nejm, title={T}, crossref={p}}\n@proceedings{p, title={P}, year={2001}}\n",
        "refs.bib",
    )
    a = bib.get("a")
    assert a is not None and a.fields["journal"] == "N Engl J Med"


def test_percent_commented_entries_stay_comments() -> None:
    bib = parse_bibtex("% @article{x, title={X}}\n%@article{y,\n%  title={Y}}\n@article{a,\n  % note = {n},\n  title={50% of {T}}}\n", "r.bib")
    assert sorted(bib.entries) == ["a"]
    assert bib.sources["a"] == ("r.bib", 4)
    assert "note" not in bib.entries["a"].fields
    assert decode_latex(bib.entries["a"].fields["title"]) == "50% of T"


def test_non_utf8_bib(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(b"@article{a,\n title={caf\xe9}}\n")
    with pytest.raises(BibliographyError) as info:
        load_bibliography([path], {path: "refs.bib"})
    assert str(info.value) == "refs.bib:2: not valid UTF-8 (byte 0xe9 at offset 23); save the file as UTF-8"


def test_duplicate_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.bib").write_text("@article{k, title={A}}\n")
    (tmp_path / "b.bib").write_text("\n@article{K, title={B}}\n")
    with pytest.raises(BibliographyError, match=r"b.bib:2: duplicate entry key 'K' \(also defined at .*a.bib:1\)"):
        load_bibliography([tmp_path / "a.bib", tmp_path / "b.bib"])


def test_fast_latex_decoding_matches_pybtex() -> None:
    rng = random.Random(7)
    alphabet = "ab -`'~{}\"$&_^#é<>\\c%"
    checked = 0
    for _ in range(20000):
        s = " ".join("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))).split())
        depth = 0
        for ch in s:
            depth += (ch == "{") - (ch == "}")
            if depth < 0:
                break
        if depth or "\\" in s or "%" in s or "$" in s:
            continue  # no fast path for these (and medkb renders $...$ as math, pybtex does not)
        latex_value.cache_clear()
        assert decode_latex(s) == str(Text.from_latex(s).render(_TEXT_BACKEND)), s
        checked += 1
    assert checked > 5000


def test_latex_commands_decode_through_pybtex() -> None:
    assert decode_latex(r"Karada{\c{s}} {\"O}mer -- G{\"u}l") == "Karadaş Ömer – Gül"


def persons(*names: str) -> list[Person]:
    return [Person(n) for n in names]


def test_authors_ama_truncation() -> None:
    six = persons("Smith, John", "Lee, Kim", "Brown, A. B.", "Ng, C", "Ode, D", "Poe, E")
    assert format_names(six) == "Smith J, Lee K, Brown AB, Ng C, Ode D, Poe E"
    assert format_names([*six, Person("Roe, F")]) == "Smith J, Lee K, Brown AB, et al"
    assert format_names(persons("Smith, John", "others")) == "Smith J, et al"
    assert format_names(persons("van der Berg, Jean-Marc", "{World Health Organization}")) == "van der Berg JM, World Health Organization"


def test_vancouver_types() -> None:
    bib = load_bibliography([FIXTURES / "test.bib"])
    fmt = {k: format_reference(e, "vancouver", {}) for k, e in bib.entries.items()}
    assert fmt["gamma"].text == "Green P. Gamma Handbook. 2nd ed. London: Test Press; 2018."
    assert fmt["gamma"].type_label == "Book"
    assert fmt["delta"].text == "World Test Organization. Delta guidance [Internet]. 2021."
    assert fmt["delta"].type_label == "Guideline"
    assert [(l.label, l.href) for l in fmt["delta"].links] == [("example.org", "https://example.org/delta")]
    assert [(l.label, l.href) for l in fmt["beta"].links] == [("PMID 123456", "https://pubmed.ncbi.nlm.nih.gov/123456/")]


def test_type_labels_are_configurable() -> None:
    entry = parse_bibtex("@article{a, title={T}, medkb_type={guideline}}", "r.bib").entries["a"]
    assert format_reference(entry, "vancouver", {"guideline": "Clinical guideline"}).type_label == "Clinical guideline"


def test_journal_abbreviation_preferred() -> None:
    entry = parse_bibtex("@article{a, title={T}, journal={Annals of Internal Medicine}, journal_abbrev={Ann Intern Med}, year=2017}", "r.bib").entries["a"]
    assert format_reference(entry, "vancouver", {}).text == "T. Ann Intern Med. 2017."


def test_vancouver_is_a_registered_pybtex_style() -> None:
    style = find_plugin("pybtex.style.formatting", "vancouver")()
    assert isinstance(style, VancouverStyle)
    entry = Entry("article", fields={"title": "T", "journal": "J", "year": "2000"}, persons={"author": persons("Doe, Jane")})
    entry.key = "k"
    (formatted,) = list(style.format_entries([entry]))
    assert formatted.text.render_as("text") == "Doe J. T. J. 2000."


def test_pybtex_styles_selectable_and_links_safe() -> None:
    entry = parse_bibtex("@misc{a, author={Doe, Jane}, title={T}, year=2000, url={javascript:alert(1)}}", "r.bib").entries["a"]
    ref = format_reference(entry, "unsrt", {})
    assert "Jane Doe" in ref.text and "javascript" not in ref.html and ref.links == ()
