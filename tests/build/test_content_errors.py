"""Content mistakes are warnings with file and line (so --strict fails), and the page stays readable."""

from __future__ import annotations

from typing import Callable

import pytest
from mkdocs.exceptions import Abort

from conftest import FIXTURES, BuiltSite, article

Make = Callable[..., BuiltSite]
BIB = (FIXTURES / "test.bib").read_text(encoding="utf-8")


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def test_malformed_citations_fail_strict_with_lines(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    # The body starts on line 8 (front matter, then a blank line).
    body = "## S\n\nFine [@alpha].\n\nTwo [@alpha; beta].\n\nPage [@alpha p. 5].\n\nSpace [ @beta].\n\n`[@a; b]` in code.\n"
    with pytest.raises(Abort):
        make_site({"articles/a.md": article(body=body)}, bib=BIB)
    found = [w for w in warnings(caplog) if "citation" in w]
    assert found == [
        "medkb: content/articles/a.md:12: malformed citation '[@alpha; beta]': write [@alpha; @beta]",
        "medkb: content/articles/a.md:14: malformed citation '[@alpha p. 5]': write [@alpha, p. 5]",
        "medkb: content/articles/a.md:16: malformed citation '[ @beta]': write [@beta]",
    ]


def test_malformed_citation_stays_visible(make_site: Make) -> None:
    site = make_site({"articles/a.md": article(body="Two [@alpha; beta].\n")}, bib=BIB, strict=False)
    assert "Two [@alpha; beta]." in site.soup("articles/a").select_one(".md-content").get_text()


def test_key_holding_markup_is_shown_as_written(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"articles/a.md": article(body="## S\n\nClaim [@a<b>].\n")}, bib=BIB)
    assert "medkb: content/articles/a.md:10: unknown citation key 'a<b>'" in warnings(caplog)
    caplog.clear()
    html = make_site({"articles/a.md": article(body="## S\n\nClaim [@a<b>].\n")}, bib=BIB, strict=False).html("articles/a")
    assert "klzzwxh" not in html and "\x02" not in html
    assert '<span class="kb-cite-missing" title="Unknown citation key: a&lt;b&gt;">?a&lt;b&gt;</span>' in html


def test_unquoted_hash_in_the_title_fails_strict_with_line(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    text = "---\ntitle: Is 5 mg # safe?\ndescription: \"Quoted # is fine\"\nreview:\n  status: submitted\n  updated: 2025-12-17\n---\n\nText.\n"
    with pytest.raises(Abort):
        make_site({"articles/a.md": text})
    assert (
        "medkb: content/articles/a.md:2: title is cut short at ' #', which starts a YAML comment: it reads 'Is 5 mg'; "
        "put it in quotes (title: \"Is 5 mg # safe?\") or move the comment to a line of its own"
    ) in warnings(caplog)
