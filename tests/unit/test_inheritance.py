"""crossref and xdata inheritance in every style; names pybtex cannot split; no traceback."""

from __future__ import annotations

import pytest
from pybtex.plugin import find_plugin

from medkb.citations.bibliography import BibliographyError, parse_bibtex
from medkb.citations.inheritance import crossref_fields
from medkb.citations.references import ReferenceCatalog
from medkb.citations.style import format_reference

PROCEEDINGS = """\
@inproceedings{smith2020dosing,
  author    = {Smith, John},
  title     = {Child paper on dosing},
  pages     = {1--10},
  crossref  = {proc2020},
}
@proceedings{proc2020,
  editor    = {Lee, Kim},
  title     = {Proceedings of the Dosing Conference},
  publisher = {Test Press},
  address   = {London},
  year      = {2020},
  doi       = {10.1000/proceedings},
}
"""


def test_crossref_child_shows_the_parents_fields_in_vancouver() -> None:
    bib = parse_bibtex(PROCEEDINGS, "refs.bib")
    ref = format_reference(bib.entries["smith2020dosing"], "vancouver", {})
    assert ref.html == (
        "Smith J. Child paper on dosing. In: Lee K, editors. Proceedings of the Dosing Conference. "
        "London: Test Press; 2020. p. 1-10."
    )
    # The parent's DOI is the parent's: the child's links and label are its own.
    assert ref.links == () and ref.type_label == "Conference paper"
    # Its own fields stay its own (the digest covers the parent's fingerprint).
    assert "year" not in bib.entries["smith2020dosing"].fields


@pytest.mark.parametrize("style", ["unsrt", "plain", "alpha"])
def test_crossref_child_shows_the_parents_fields_in_pybtex_styles(style: str) -> None:
    bib = parse_bibtex(PROCEEDINGS, "refs.bib")
    ref = format_reference(bib.entries["smith2020dosing"], style, {})
    assert ref.text == "John Smith. Child paper on dosing. In Kim Lee, editor, Proceedings of the Dosing Conference, 1–10. London, 2020. Test Press."
    assert ref.warnings == ()


def test_vancouver_pybtex_style_inherits_too() -> None:
    bib = parse_bibtex(PROCEEDINGS, "refs.bib")
    style = find_plugin("pybtex.style.formatting", "vancouver")()
    (formatted,) = list(style.format_entries([bib.entries["smith2020dosing"]]))
    assert formatted.text.render_as("text").endswith("Proceedings of the Dosing Conference. London: Test Press; 2020. p. 1-10.")


def test_bibtex_parent_booktitle_and_biblatex_title_mapping() -> None:
    # A BibTeX parent's booktitle is copied as it is; biblatex maps titles.
    assert crossref_fields("inproceedings", "proceedings", {"title": "T", "booktitle": "B", "year": "2001"}) == {"booktitle": "B", "year": "2001"}
    assert crossref_fields("inproceedings", "proceedings", {"title": "T", "subtitle": "S"}) == {"booktitle": "T", "booksubtitle": "S"}
    assert crossref_fields("article", "periodical", {"title": "J Test", "shorttitle": "J", "ids": "x"}) == {"journaltitle": "J Test"}
    assert crossref_fields("inbook", "mvbook", {"title": "Works", "author": "A"}) == {"author": "A", "maintitle": "Works"}
    assert crossref_fields("incollection", "book", {"title": "Handbook", "author": "A"}) == {
        "author": "A", "booktitle": "Handbook", "bookauthor": "A",
    }
    # Not a pair biblatex maps: BibTeX copies everything the child lacks.
    assert crossref_fields("misc", "misc", {"title": "T", "crossref": "z"}) == {"title": "T"}


def test_biblatex_periodical_parent_gives_the_journal() -> None:
    bib = parse_bibtex(
        "@article{a, author={Doe, Jane}, title={Paper}, volume={3}, crossref={j}}\n"
        "@periodical{j, title={Journal of Tests}, date={2019-04}}\n",
        "refs.bib",
    )
    assert format_reference(bib.entries["a"], "vancouver", {}).html == "Doe J. Paper. <em>Journal of Tests</em>. 2019;3."


def test_nested_crossref_and_xdata() -> None:
    bib = parse_bibtex(
        "@inbook{c, title={Chapter}, crossref={b}}\n"
        "@book{b, title={Volume 2}, crossref={mv}, xdata={pub}}\n"
        "@mvbook{mv, title={Collected Works}, year={1990}}\n"
        "@xdata{pub, publisher={Test Press}, address={London}}\n",
        "refs.bib",
    )
    # xdata fields are the entry's own (the digest covers them).
    assert bib.entries["b"].fields["publisher"] == "Test Press"
    ref = format_reference(bib.entries["c"], "vancouver", {})
    assert ref.html == "Chapter. In: Volume 2. London: Test Press; 1990."


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("@misc{a, crossref={b}}\n@misc{b, crossref={a}}\n", 1, "crossref cycle: a -> b -> a"),
        ("@misc{a, title={A}}\n\n@misc{b, xdata={nope}}\n", 3, "entry 'b' has xdata 'nope', which is not in the file"),
        ("@misc{a, xdata={b}}\n@xdata{b, xdata={a}}\n", 1, "xdata cycle: a -> b -> a"),
    ],
)
def test_inheritance_errors_name_file_and_line(text: str, line: int, needle: str) -> None:
    with pytest.raises(BibliographyError) as info:
        parse_bibtex(text, "refs.bib")
    assert (info.value.path, info.value.line) == ("refs.bib", line)
    assert needle in str(info.value)


def test_biblatex_extended_names_are_understood() -> None:
    entry = parse_bibtex(
        "@article{a, author={family=Harman, given=Hans, prefix=van, useprefix=true and given={Jean Marc}, family=Dupont},"
        " title={T}, journal={J}, year=2020}",
        "refs.bib",
    ).entries["a"]
    for style, expected in (("vancouver", "van Harman H, Dupont JM. T. <em>J</em>. 2020."), ("unsrt", "Hans van Harman and Jean Marc Dupont.")):
        ref = format_reference(entry, style, {})
        assert (ref.html if style == "vancouver" else ref.text).startswith(expected) and ref.warnings == ()


def test_a_name_pybtex_cannot_split_is_shown_as_written_with_a_warning() -> None:
    bib = parse_bibtex("@article{a,\n author={Doe, John, Jr, III and Roe, Rita},\n title={T}, journal={J}, year=2020}", "refs.bib")
    for style in ("vancouver", "unsrt"):
        catalog = ReferenceCatalog(bib, style)
        ref = catalog.lookup("a")
        assert ref is not None
        assert "Doe, John, Jr, III" in ref.text and "R" in ref.text
        assert ref.warnings == (
            "entry 'a': author 'Doe, John, Jr, III' cannot be read as a name (Too many commas in 'Doe, John, Jr, III'): shown as written",
        )
        assert catalog.fingerprint("a") is not None


def test_pybtex_style_without_a_required_field_falls_back_to_misc_with_a_warning() -> None:
    entry = parse_bibtex("@article{a, author={Doe, Jane}, title={No journal}, year=2020}", "refs.bib").entries["a"]
    ref = format_reference(entry, "unsrt", {})
    assert ref.text == "Jane Doe. No journal. 2020."
    assert ref.warnings == ("entry 'a': style 'unsrt' needs the journal field of a @article entry: shown as @misc",)
    # A type the style has no template for is formatted as @misc, as BibTeX does.
    other = parse_bibtex("@dataset{d, author={Doe, Jane}, title={Data}, year=2021}", "refs.bib").entries["d"]
    assert format_reference(other, "unsrt", {}).text == "Jane Doe. Data. 2021."
