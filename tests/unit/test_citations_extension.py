"""Exact-HTML tests of the ``[@key]`` Markdown extension."""

from __future__ import annotations

import re

import markdown
import pytest

from conftest import FIXTURES
from medkb.citations.bibliography import load_bibliography, parse_bibtex
from medkb.citations.extension import CitationsExtension
from medkb.citations.references import ReferenceCatalog

BIB = FIXTURES / "test.bib"


@pytest.fixture(scope="module")
def catalog() -> ReferenceCatalog:
    return ReferenceCatalog(load_bibliography([BIB]))


def convert(src: str, catalog: ReferenceCatalog, *extensions: object, **options: object) -> tuple[str, CitationsExtension]:
    ext = CitationsExtension(catalog, **options)  # type: ignore[arg-type]
    md = markdown.Markdown(extensions=[ext, *extensions])  # type: ignore[list-item]
    return md.convert(src), ext


def sups(html: str) -> list[str]:
    """The visible text of each citation."""
    return [re.sub(r"<[^>]+>", "", s) for s in re.findall(r'<sup class="kb-cite"[^>]*>(.*?)</sup>', html)]


def test_single_citation_exact_html(catalog: ReferenceCatalog) -> None:
    html, ext = convert("Claim [@alpha].", catalog)
    assert html == (
        '<p>Claim<sup class="kb-cite" data-pagefind-ignore="all" id="cite-1"><a aria-label="Reference 1" href="#ref-alpha">1</a></sup>.</p>\n'
        '<section class="kb-references-section" aria-labelledby="references" data-search-exclude>\n'
        '  <h2 id="references">References<a class="headerlink" href="#references" title="Permanent link">&para;</a></h2>\n'
        '  <ol class="kb-references">\n'
        '    <li id="ref-alpha"><span class="kb-ref-type">Research</span> Smith J, Lee K. Alpha trial. '
        '<em>Journal of Tests</em>. 2020;1(2):3-4. <a class="kb-ref-link" href="https://doi.org/10.1000/alpha">doi:10.1000/alpha</a>\n'
        '      <span class="kb-backrefs"><a href="#cite-1" aria-label="Back to citation">&uarr;</a></span></li>\n'
        '  </ol>\n'
        '</section>'
    )
    (entry,) = ext.state.entries
    assert (entry.number, entry.anchor, entry.backlinks) == (1, "ref-alpha", ("cite-1",))
    assert entry.reference.html == "Smith J, Lee K. Alpha trial. <em>Journal of Tests</em>. 2020;1(2):3-4."
    assert entry.reference.type_label == "Research"
    assert ext.state.order == ["alpha"] and ext.state.problems == []


def test_numbers_follow_first_appearance_and_repeat(catalog: ReferenceCatalog) -> None:
    html, ext = convert("A [@beta]. B [@alpha]. C [@beta]. D [@gamma; @alpha].", catalog)
    assert sups(html) == ["1", "2", "1", "2, 3"]
    assert ext.state.order == ["beta", "alpha", "gamma"]
    assert [e.anchor for e in ext.state.entries] == ["ref-beta", "ref-alpha", "ref-gamma"]
    assert [e.number for e in ext.state.entries] == [1, 2, 3]


def test_multiple_keys_sorted_and_compressed(catalog: ReferenceCatalog) -> None:
    src = "One [@alpha]. Two [@beta]. Three [@gamma]. Four [@delta]. Five [@epsilon].\n\nAll [@epsilon; @gamma; @alpha; @delta]."
    html, _ = convert(src, catalog)
    assert sups(html)[-1] == "1, 3\u20135"
    html, _ = convert("x [@gamma; @alpha; @beta]", catalog)
    assert sups(html) == ["1\u20133"]
    assert html.count('href="#ref-') == 2  # one link per range end: 1 and 3


def test_compression_can_be_turned_off(catalog: ReferenceCatalog) -> None:
    html, _ = convert("x [@gamma; @alpha; @beta]", catalog, compress=False)
    assert sups(html) == ["1, 2, 3"]


def test_locators_are_kept(catalog: ReferenceCatalog) -> None:
    html, _ = convert("x [@alpha, p. 12] y [@beta, chap. 3] z [@alpha; @beta, pp. 4--6]", catalog)
    assert sups(html) == ["1(p12)", "2(ch3)", "1, 2(pp4-6)"]
    assert 'aria-label="Reference 1, p. 12"' in html


@pytest.mark.parametrize("key", ["d'Aspremont-1998", "smith:2020", "Tèst"])
def test_keys_as_bibtex_allows(catalog: ReferenceCatalog, key: str) -> None:
    html, ext = convert(f"x [@{key}]", catalog)
    assert ext.state.problems == [] and sups(html) == ["1"]
    assert ext.state.order == [key]


@pytest.mark.parametrize(
    "src",
    [
        "`[@alpha]` in code",
        "```\n[@alpha]\n```",
        "    [@alpha] indented code",
        "[text](https://example.org/[@alpha])",
        "<https://example.org/[@alpha]>",
        "mail a@b.com or <a@b.com>",
        "git@host:org/repo and @handle",
        r"an escaped \[@alpha]",
        '<span title="[@alpha]">raw HTML</span>',
        "[@alpha](https://example.org)",
        "[@ not a key]",
    ],
)
def test_never_a_citation(catalog: ReferenceCatalog, src: str) -> None:
    html, ext = convert(src, catalog, "fenced_code")
    assert "kb-cite" not in html and "kb-references" not in html
    assert ext.state.order == [] and ext.state.problems == []


def test_page_without_citations_is_byte_identical(catalog: ReferenceCatalog) -> None:
    src = "# T\n\nText with a@b.com, `code`, [a link](x.md) and \\[brackets].\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    with_ext, _ = convert(src, catalog, "tables", "toc")
    without = markdown.Markdown(extensions=["tables", "toc"]).convert(src)
    assert with_ext == without


def test_citations_in_blocks_number_in_reading_order(catalog: ReferenceCatalog) -> None:
    src = """\
- list [@alpha]

| a | b |
|---|---|
| cell [@beta] | x |

!!! note "Note"
    admonition [@gamma]

??? info "Details"
    details [@delta]

=== "Tab"
    tab [@epsilon]

Footnote[^1] and [@alpha].

[^1]: In a footnote [@smith:2020].
"""
    html, ext = convert(
        src, catalog, "tables", "admonition", "pymdownx.details", "pymdownx.superfences", "footnotes", "pymdownx.tabbed"
    )
    assert ext.state.order == ["alpha", "beta", "gamma", "delta", "epsilon", "smith:2020"]
    assert sups(html) == ["1", "2", "3", "4", "5", "1", "6"]
    # The reference list goes before the footnotes, so both stay at the end.
    assert html.index("kb-references-section") < html.index('class="footnote"')


def test_heading_shows_number_but_not_in_slug_or_toc(catalog: ReferenceCatalog) -> None:
    ext = CitationsExtension(catalog)
    md = markdown.Markdown(extensions=[ext, "toc"])
    html = md.convert("## Evidence [@alpha]\n\n## Evidence\n")
    assert '<h2 id="evidence">Evidence<sup class="kb-cite"' in html
    assert '<h2 id="evidence_1">Evidence</h2>' in html
    assert [t["name"] for t in md.toc_tokens] == ["Evidence", "Evidence"]  # type: ignore[attr-defined]
    assert "kb-cite" not in md.toc  # type: ignore[attr-defined]


def test_unknown_key_is_a_visible_marker_and_a_problem(catalog: ReferenceCatalog) -> None:
    html, ext = convert("x [@nope; @alpha]", catalog)
    assert sups(html) == ["1, ?nope"]
    assert '<span class="kb-cite-missing" title="Unknown citation key: nope">?nope</span>' in html
    assert [p.message for p in ext.state.problems] == ["unknown citation key 'nope'"]
    assert ext.state.order == ["alpha"]


def test_case_variant_is_one_entry_and_a_problem(catalog: ReferenceCatalog) -> None:
    html, ext = convert("x [@alpha] y [@ALPHA]", catalog)
    assert sups(html) == ["1", "1"]
    assert len(ext.state.entries) == 1
    assert [p.message for p in ext.state.problems] == [
        "citation key 'ALPHA' differs in case from the entry 'alpha'; write 'alpha'"
    ]


def test_marker_places_the_reference_list(catalog: ReferenceCatalog) -> None:
    html, _ = convert("x [@alpha]\n\n[references]\n\n## After\n", catalog)
    assert html.index("kb-references-section") < html.index("<h2>After</h2>")
    assert "[references]" not in html


def test_backlinks_to_every_citation(catalog: ReferenceCatalog) -> None:
    html, ext = convert("a [@alpha] b [@alpha] c [@beta; @alpha]", catalog)
    alpha = ext.state.entries[0]
    assert alpha.backlink_labels() == [("cite-1", "a"), ("cite-2", "b"), ("cite-3", "c")]
    assert ext.state.entries[1].backlinks == ("cite-3",)
    for anchor in ("cite-1", "cite-2", "cite-3"):
        assert f'id="{anchor}"' in html


def test_backlink_labels_go_past_z() -> None:
    from medkb.citations.render import backlink_label

    assert [backlink_label(i) for i in (0, 25, 26, 27, 701, 702)] == ["a", "z", "aa", "ab", "zz", "aaa"]


def test_hostile_bibtex_is_escaped_and_unsafe_links_dropped() -> None:
    bib = parse_bibtex(
        '@misc{evil,\n author = {<script>alert(1)</script>},\n title = {"><img src=x onerror=alert(2)>},\n'
        " url = {javascript:alert(3)},\n medkb_type = {<b>x</b>},\n}\n",
        "evil.bib",
    )
    html, ext = convert("x [@evil]", ReferenceCatalog(bib))
    ref = ext.state.entries[0].reference
    assert "<script>" not in ref.html and "<img" not in ref.html
    assert "&lt;script&gt;" in ref.html and "&lt;img src=x onerror=alert(2)&gt;" in ref.html
    assert ref.links == ()
    assert ref.type_label == "<b>x</b>"  # plain text: the partial escapes it


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("[@alpha; beta]", "malformed citation '[@alpha; beta]': write [@alpha; @beta]"),
        ("[ @alpha]", "malformed citation '[ @alpha]': write [@alpha]"),
        ("[@alpha,]", "malformed citation '[@alpha,]': write [@alpha]"),
        ("[@alpha p. 5]", "malformed citation '[@alpha p. 5]': write [@alpha, p. 5]"),
        ("[@alpha;]", "malformed citation '[@alpha;]': write [@alpha]"),
        ("[@alpha, p. 5; beta]", "malformed citation '[@alpha, p. 5; beta]': write [@alpha, p. 5; @beta]"),
        ("[@]", "malformed citation '[@]': write [@key] with a key from the bibliography, "
                "[@a; @b] for several sources, [@a, p. 5] for a page"),
        ("[@alpha beta]", "malformed citation '[@alpha beta]': write [@key] with a key from the bibliography, "
                          "[@a; @b] for several sources, [@a, p. 5] for a page"),
    ],
)
def test_malformed_citation_stays_text_and_is_a_problem(catalog: ReferenceCatalog, src: str, message: str) -> None:
    html, ext = convert(f"See {src}.", catalog)
    assert html == f"<p>See {src}.</p>"
    assert [(p.key, p.message) for p in ext.state.problems] == [(src, message)]


def test_malformed_citation_beside_good_ones(catalog: ReferenceCatalog) -> None:
    html, ext = convert("A [@alpha]. *B [@alpha; beta]*. C [@beta].", catalog)
    assert sups(html) == ["1", "2"] and "<em>B [@alpha; beta]</em>" in html
    assert [p.message for p in ext.state.problems] == ["malformed citation '[@alpha; beta]': write [@alpha; @beta]"]


def test_key_holding_markup_is_shown_as_written(catalog: ReferenceCatalog) -> None:
    # `<b>` is raw inline HTML to Python-Markdown, a placeholder by the time
    # the citation is read: the key, the warning and the page show what was written.
    html, ext = convert("x [@a<b>] y [@c<d].", catalog)
    assert html.startswith(
        '<p>x<sup class="kb-cite" data-pagefind-ignore="all" id="cite-1"><span class="kb-cite-missing" title="Unknown citation key: a&lt;b&gt;">?a&lt;b&gt;</span></sup>'
        ' y<sup class="kb-cite" data-pagefind-ignore="all" id="cite-2"><span class="kb-cite-missing" title="Unknown citation key: c&lt;d">?c&lt;d</span></sup>.</p>'
    )
    assert "klzzwxh" not in html and "\x02" not in html and "<b>" not in html
    assert [p.message for p in ext.state.problems] == ["unknown citation key 'a<b>'", "unknown citation key 'c<d'"]


def test_raw_html_in_a_cited_heading_never_reaches_its_toc_label(catalog: ReferenceCatalog) -> None:
    html, _ = convert('# Head [@alpha] <b title=" onmouseover=alert(1) x">t</b>\n', catalog)
    assert html.startswith('<h1 data-toc-label="Head t">')


def test_no_space_before_a_number_after_markup_but_between_two_citations(catalog: ReferenceCatalog) -> None:
    html, _ = convert("**Aim below 130/80 mm Hg** [@alpha]. Two [@alpha] [@beta].", catalog)
    assert "</strong><sup" in html
    assert "Two<sup" in html and '</sup> <sup class="kb-cite" data-pagefind-ignore="all" id="cite-3">' in html


AUDIENCES = {"audiences": ["patient", "student", "professional"], "default": "patient"}
PER_AUDIENCE = """\
Shared [@alpha].

/// audience | patient
Patient [@beta] and [@alpha].
///

/// audience | professional
Professional [@gamma].
///

Shared end [@beta].
"""


def numbers_for(html: str, audience: str) -> list[str]:
    """The numbers an audience reads, in reading order (what CSS shows it)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    seen = []
    for sup in soup.select("sup.kb-cite"):
        hidden = [el for el in sup.parents if "kb-audience" in (el.get("class") or []) and audience not in el["data-kb-audience"].split()]
        if hidden:
            continue
        variants = sup.select(":scope > span.kb-audience")
        if variants:
            (mine,) = [v for v in variants if audience in v["data-kb-audience"].split()]
            seen.append(mine.get_text())
        else:
            seen.append(sup.get_text())
    return seen


def test_each_audience_numbers_its_own_citations(catalog: ReferenceCatalog) -> None:
    from medkb.audience.blocks import AudienceExtension
    from bs4 import BeautifulSoup

    html, ext = convert(PER_AUDIENCE, catalog, AudienceExtension(**AUDIENCES))
    assert numbers_for(html, "patient") == ["1", "2", "1", "2"]
    assert numbers_for(html, "student") == ["1", "2"]
    assert numbers_for(html, "professional") == ["1", "2", "3"]
    soup = BeautifulSoup(html, "html.parser")
    lists = {ol["data-kb-audience"]: ol for ol in soup.select("ol.kb-references")}
    assert list(lists) == ["patient", "student", "professional"]
    ids = {who: [li["id"] for li in ol.select("li")] for who, ol in lists.items()}
    assert ids == {
        "patient": ["ref-alpha", "ref-beta"],
        "student": ["ref-alpha-student", "ref-beta-student"],
        "professional": ["ref-alpha-professional", "ref-gamma-professional", "ref-beta-professional"],
    }
    # Back links lead only to citations the audience sees.
    backs = {who: [a["href"] for a in ol.select(".kb-backrefs a")] for who, ol in lists.items()}
    assert backs == {
        "patient": ["#cite-1", "#cite-3", "#cite-2", "#cite-5"],
        "student": ["#cite-1", "#cite-5"],
        "professional": ["#cite-1", "#cite-4", "#cite-5"],
    }
    # Every number links into its own audience's list.
    for sup in soup.select("sup.kb-cite"):
        for variant in sup.select(":scope > span.kb-audience") or [sup]:
            audience = variant.get("data-kb-audience", "").split() or None
            for a in variant.select("a"):
                target = soup.select_one(a["href"])
                owner = target.find_parent("ol")["data-kb-audience"].split()
                assert audience is None or set(audience) <= set(owner)
    # The digest's order is the page's, over every passage.
    assert ext.state.order == ["alpha", "beta", "gamma"]


def test_audiences_reading_the_same_citations_share_one_list(catalog: ReferenceCatalog) -> None:
    from medkb.audience.blocks import AudienceExtension

    src = "Shared [@alpha].\n\n/// audience | patient\nNo sources here.\n///\n\n/// audience | student, professional\nDetail [@beta].\n///\n"
    html, _ = convert(src, catalog, AudienceExtension(**AUDIENCES))
    assert re.findall(r'<ol class="kb-references[^"]*"(?: data-kb-audience="([^"]*)")?', html) == ["patient", "student professional"]
    assert numbers_for(html, "patient") == ["1"] and numbers_for(html, "professional") == ["1", "2"]


def test_passages_without_citations_keep_one_list_exactly_as_before(catalog: ReferenceCatalog) -> None:
    from medkb.audience.blocks import AudienceExtension

    src = "Shared [@alpha] and [@beta].\n\n/// audience | patient\nPlain words.\n///\n"
    with_audiences, _ = convert(src, catalog, AudienceExtension(**AUDIENCES))
    alone, _ = convert("Shared [@alpha] and [@beta].\n", catalog)
    assert with_audiences.count('class="kb-audience"') == 1  # the passage only
    assert with_audiences.split("</div>\n")[1] == alone.split("</p>\n", 1)[1]


def test_reference_list_is_for_the_audiences_whose_text_cites(catalog: ReferenceCatalog) -> None:
    from medkb.audience.blocks import AudienceExtension

    src = "Shared text.\n\n/// audience | professional\nDetail [@beta].\n///\n"
    html, _ = convert(src, catalog, AudienceExtension(**AUDIENCES))
    assert '<section class="kb-references-section kb-audience" aria-labelledby="references" data-kb-audience="professional"' in html


def test_content_dressed_as_an_audience_passage_is_numbered_for_every_reader() -> None:
    # attrs from content may say kb-audience; the cleaner removes them after
    # numbering, so numbering must not believe them (the text is everyone's).
    import markdown

    from medkb.audience.blocks import AudienceExtension
    from medkb.citations.bibliography import parse_bibtex
    from medkb.citations.extension import CitationsExtension
    from medkb.citations.references import ReferenceCatalog
    from bs4 import BeautifulSoup

    from medkb.safehtml import SafeHtmlExtension

    catalog = ReferenceCatalog(parse_bibtex("@article{a, title={A}, year={2000}}\n@article{b, title={B}, year={2001}}\n", "r.bib"))
    md = markdown.Markdown(extensions=[AudienceExtension(["patient", "professional"]), CitationsExtension(catalog), SafeHtmlExtension(), "pymdownx.blocks.html"])
    html = md.convert(
        "/// html | div\n    attrs: {class: kb-audience, data-kb-audience: professional}\n\nTake drug X daily [@b].\n///\n\n"
        "Shared [@a].\n\n/// audience | patient\nPlain [@a].\n///\n"
    )
    soup = BeautifulSoup(html, "html.parser")
    dressed = soup.select_one("div")
    assert "kb-audience" not in (dressed.get("class") or [])
    # Everyone reads it, so it is number 1 in every reader's view (each linking to that view's list).
    variants = {span["data-kb-audience"]: span.a.get_text() for span in dressed.select("sup span.kb-audience")}
    assert variants == {"patient": "1", "professional": "1"}
