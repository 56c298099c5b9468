"""Disclaimers and calls to action: selection, rendering, enforcement."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from mkdocs.exceptions import Abort

from conftest import BuiltSite, REPO, article, build_site, pagefind_fragments, write_site
from medkb.disclaimer.selection import DisclaimerError, build_specs, select_disclaimers

Make = Callable[..., BuiltSite]


def item(**kw: Any) -> dict[str, Any]:
    base = {"title": "T", "body": "", "link": None, "link_text": None, "audiences": [], "position": "after",
            "pages": None, "opt_out": False, "kind": "notice"}
    return {**base, **kw}


def specs(**items: dict[str, Any]):  # type: ignore[no-untyped-def]
    return build_specs(items, ["patient", "professional"], [], {})


def plugins(disclaimers: dict[str, Any]) -> dict[str, Any]:
    return {"plugins": ["medkb/search", "medkb/review", "medkb/citations", "medkb/audience", {"medkb/disclaimer": {"disclaimers": disclaimers}}]}


def test_selection_by_default_globs_and_requests() -> None:
    s = specs(pro=item(), cta=item(opt_out=True), offlabel=item(pages=[]), notes=item(pages=["notes/*"]))
    names = lambda *a: [d.name for d in select_disclaimers(s, *a)]  # noqa: E731
    assert names("articles/a.md", True, []) == ["pro", "cta"]
    assert names("articles/a.md", True, ["offlabel", "-cta"]) == ["pro", "offlabel"]
    assert names("index.md", False, []) == []
    assert names("index.md", False, ["pro"]) == ["pro"]
    assert names("notes/x.md", False, []) == ["notes"]


def test_unknown_name_and_forbidden_opt_out() -> None:
    s = specs(pro=item())
    with pytest.raises(DisclaimerError, match=r"unknown disclaimer 'nope'; allowed: pro"):
        select_disclaimers(s, "articles/a.md", True, ["nope"])
    with pytest.raises(DisclaimerError, match=r"'-pro' would remove the 'pro' disclaimer, which articles may not drop"):
        select_disclaimers(s, "articles/a.md", True, ["-pro"])


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ({"title": "  "}, "title is empty"),
        ({"audiences": ["robot"]}, "unknown audience 'robot'; allowed: patient, professional"),
        ({"link": "javascript:alert(1)"}, "link 'javascript:alert(1)' is not allowed"),
        ({"body": "[x](javascript:alert(1))"}, "body links to"),
    ],
)
def test_bad_config(bad: dict[str, Any], needle: str) -> None:
    with pytest.raises(DisclaimerError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        specs(pro=item(**bad))


def test_raw_html_and_broken_markdown_are_text() -> None:
    (spec,) = specs(pro=item(body='<script>alert(1)</script> **unclosed and <img src=x onerror=alert(2)>\n\n```\nno end'))
    assert "<script>" not in spec.body_html and "<img" not in spec.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in spec.body_html


def test_every_article_carries_its_blocks(make_site: Make) -> None:
    site = make_site(
        {"articles/a.md": article(body="Body text.\n"), "articles/b.md": article(disclaimers=["offlabel", "-cta"]), "other.md": "# Other\n"},
        config=plugins({
            "pro": {"title": "Professional <Disclaimer>", "body": "For *professionals*.", "audiences": ["professional"]},
            "pat": {"title": "Not advice", "body": "Plain.", "audiences": ["patient"], "position": "before"},
            "offlabel": {"title": "Off-label", "pages": []},
            "cta": {"title": "Have a follow-up question?", "kind": "action", "link": "other.md", "link_text": "Ask", "opt_out": True},
        }),
    )
    soup = site.soup("articles/a")
    blocks = soup.select(".kb-disclaimer")
    assert [b["data-kb-disclaimer"] for b in blocks] == ["pat", "pro", "cta"]
    assert blocks[1]["data-kb-audience"] == "professional" and "kb-audience" in blocks[1]["class"]
    assert blocks[1].select_one(".kb-disclaimer__title").get_text() == "Professional <Disclaimer>"
    assert blocks[1].select_one("em").get_text() == "professionals"
    assert blocks[2].select_one("a")["href"] == "../../other/"
    # Before the body, after the body.
    html = site.html("articles/a")
    assert html.index('data-kb-disclaimer="pat"') < html.index("Body text.") < html.index('data-kb-disclaimer="pro"')
    assert [b["data-kb-disclaimer"] for b in site.soup("articles/b").select(".kb-disclaimer")] == ["pat", "pro", "offlabel"]
    assert site.soup("other").select(".kb-disclaimer") == []
    # Not in the search index.
    indexed = pagefind_fragments(site.site_dir)["/articles/a/"]["content"]
    assert "Body text" in indexed and "For professionals" not in indexed


def test_unknown_disclaimer_in_front_matter_stops_the_build(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"articles/a.md": article(disclaimers=["nope"])}, config=plugins({"pro": {"title": "P"}}))
    assert any(r.getMessage().startswith("content/articles/a.md: disclaimers: unknown disclaimer 'nope'") for r in caplog.records)


def test_opt_out_refused(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"articles/a.md": article(disclaimers=["-pro"])}, config=plugins({"pro": {"title": "P"}}))
    assert any("would remove the 'pro' disclaimer" in r.getMessage() for r in caplog.records)


def test_empty_title_is_a_config_error(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"articles/a.md": article()}, config=plugins({"pro": {"title": ""}}))
    assert any("disclaimer 'pro': title is empty" in r.getMessage() for r in caplog.records)


def test_template_that_drops_the_partial_fails_the_build(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A page with a custom template that forgets the disclaimers partial.
    write_site(
        tmp_path,
        {"articles/a.md": article(template="bare.html"), "articles/b.md": article()},
        config={**plugins({"pro": {"title": "P"}}), "theme": {"name": "material", "custom_dir": str(tmp_path / "theme"), "font": False}},
    )
    theme = tmp_path / "theme"
    (theme / "partials").mkdir(parents=True)
    repo = REPO / "plugins" / "medkb" / "templates"
    for partial in repo.glob("partials/*.html"):
        (theme / "partials" / partial.name).write_text(partial.read_text())
    (theme / "main.html").write_text((repo / "kb-main.html").read_text())
    (theme / "bare.html").write_text('{% extends "base.html" %}{% block content %}{{ page.content }}{% endblock %}')
    with pytest.raises(Abort):
        build_site(tmp_path)
    message = "\n".join(r.getMessage() for r in caplog.records)
    assert "content/articles/a.md: the built page carries the 'pro' disclaimer 0 times, not once" in message
    assert "content/articles/b.md" not in message
