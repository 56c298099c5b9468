"""Exact-HTML tests of the raw-HTML and attribute cleaning extension."""

from __future__ import annotations

import markdown
import pytest

from medkb.safehtml import SafeHtmlExtension


def convert(src: str, *extensions: object, mode: str = "sanitize") -> tuple[str, list[str]]:
    ext = SafeHtmlExtension(mode=mode)
    md = markdown.Markdown(extensions=[*extensions, ext])  # type: ignore[list-item]
    html = md.convert(src)
    return html, [p.message for p in ext.state.problems]


def test_hostile_raw_html_is_cleaned_and_reported() -> None:
    src = (
        "<style>.kb-pending-banner{display:none!important}</style>\n\n"
        '<div class="kb-review note" data-kb-status="approved">Approved</div>\n\n'
        'Text <img src="x.png" onerror="alert(1)"> and <a href="javascript:alert(2)">a link</a>.\n'
    )
    html, problems = convert(src)
    assert html == '<div class="note">Approved</div>\n\n<p>Text <img src="x.png"> and <a>a link</a>.</p>'
    assert problems == [
        "raw HTML cleaned: removed <style> (in '<style>.kb-pending-banner{display:none!important}</style>')",
        "raw HTML cleaned: removed class= from <div>, data-kb-status= from <div> (in '<div class=\"kb-review note\" data-kb-status=\"approved\">Approv')",
        "raw HTML cleaned: removed onerror= from <img> (in '<img src=\"x.png\" onerror=\"alert(1)\">')",
        "raw HTML cleaned: removed href= from <a> (in '<a href=\"javascript:alert(2)\">')",
    ]


@pytest.mark.parametrize("tag", ["script", "iframe", "form", "meta", "object", "svg", "link", "base", "input"])
def test_tags_that_run_or_embed_are_removed(tag: str) -> None:
    html, problems = convert(f'<div><{tag} src="https://example.org/x" action="https://example.org">inner</{tag}>kept</div>\n')
    assert f"<{tag}" not in html and "kept" in html and problems


def test_allowed_markup_is_kept_byte_for_byte() -> None:
    src = '<table><tr><th scope="col">Dose</th></tr><tr><td colspan="2">5 mg</td></tr></table>\n\n<p>See <abbr title="blood pressure">BP</abbr> and <a href="https://example.org/">this</a>.</p>\n'
    html, problems = convert(src)
    # The sanitizer's HTML parser adds the implied <tbody>; nothing is removed.
    assert html == src.rstrip("\n").replace("<table><tr>", "<table><tbody><tr>").replace("</tr></table>", "</tr></tbody></table>")
    assert problems == []


def test_attr_list_cannot_set_kb_classes_handlers_styles_or_reserved_ids() -> None:
    src = 'A paragraph.\n{: .kb-review .note onclick="alert(1)" style="display:none" data-kb-status="approved" #cite-1 }\n'
    html, problems = convert(src, "attr_list")
    assert html == '<p class="note">A paragraph.</p>'
    assert len(problems) == 5


def test_inline_tags_keep_their_structure() -> None:
    html, problems = convert('Take <b>two</b> doses, <a href="https://example.org/x?a=1&amp;b=2" title="Dose">see</a> <span onclick="x()">here</span>.\n')
    assert html == '<p>Take <b>two</b> doses, <a href="https://example.org/x?a=1&amp;b=2" title="Dose">see</a> <span>here</span>.</p>'
    assert problems == ["raw HTML cleaned: removed onclick= from <span> (in '<span onclick=\"x()\">')"]


def test_attr_list_cannot_set_script_links_or_search_metadata() -> None:
    src = '[Guideline](https://example.org/){: href="javascript:alert(1)" data-pagefind-meta="status:approved" ping="https://t.example/" }\n'
    html, problems = convert(src, "attr_list")
    assert html == "<p><a>Guideline</a></p>"
    assert sorted(problems) == sorted([
        "attribute data-pagefind-meta removed from <a>",
        "attribute ping removed from <a>",
        "href='javascript:alert(1)' (only http(s), mailto and relative links) removed from <a>",
    ])


def test_table_alignment_styles_stay() -> None:
    html, problems = convert("| a |\n|:-:|\n| 1 |\n", "tables")
    assert 'style="text-align: center;"' in html and problems == []


def test_refuse_drops_all_raw_html() -> None:
    html, problems = convert("<b>bold</b> text\n\n<div>block</div>\n", mode="refuse")
    assert html == "<p>bold text</p>"
    assert len(problems) == 3


def test_medkb_citations_and_audience_blocks_keep_their_markup() -> None:
    from medkb.audience.blocks import AudienceExtension

    html, problems = convert("/// audience | patient\nWords.\n///\n", AudienceExtension(["patient"]))
    assert html == '<div class="kb-audience" data-kb-audience="patient">\n<p>Words.</p>\n</div>' and problems == []


def test_extension_by_name_and_bad_mode() -> None:
    assert markdown.Markdown(extensions=["medkb.safehtml"]).convert("<script>x</script>\n") == ""
    with pytest.raises(ValueError, match="mode 'off' is not allowed; use sanitize or refuse"):
        SafeHtmlExtension(mode="off")


def test_attributes_added_to_medkbs_own_elements_are_cleaned() -> None:
    from medkb.audience.blocks import AudienceExtension

    src = ('/// audience | patient\n    attrs: {onclick: "alert(3)", data-kb-status: approved, style: "display:none"}\nWords.\n///\n')
    html, problems = convert(src, AudienceExtension(["patient"]))
    assert html == '<div class="kb-audience" data-kb-audience="patient">\n<p>Words.</p>\n</div>' and len(problems) == 3
