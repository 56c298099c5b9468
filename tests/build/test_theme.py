"""medkb's templates on the theme's path: shipped, overridable, and watched against Material."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

import pytest
from mkdocs.exceptions import Abort
from material import __file__ as material_init

from conftest import BuiltSite, article
from medkb.theme import REPLACED_MATERIAL_PARTIALS, TEMPLATES_DIR

Make = Callable[..., BuiltSite]

#: SHA-256 of Material's originals that medkb's copies were made from (Material 9.8.2).
#: When Material changes one, compare it with medkb's copy, carry the change
#: over, then record the new digest here.
MATERIAL_ORIGINALS = {
    "partials/header.html": "8cf3fb15bcf969ff596649616fd99366b3c31c08d57a86d05308efc16d8fa75f",
    "partials/content.html": "ce33929c85af129f6e2f3b0aed47159e9c4a519482d1938bae15f5ff4a3cfae5",
    "partials/nav.html": "af33f6e032f632eb055c365eb5f1a975bf8456152fa768e69a1aad6d470b843f",
    "404.html": "80c93494b5432b1bcdf292caeb67a0653c45b37372f49e08ad4a70ca695a7495",
    "partials/copyright.html": "bc86bca3bf75070fe5d72e2a3463bdddf87c10f4d6459c945fe81c5d384e35ea",
}


@pytest.mark.parametrize("partial", REPLACED_MATERIAL_PARTIALS)
def test_material_original_of_a_replaced_partial_is_unchanged(partial: str) -> None:
    original = Path(material_init).parent / "templates" / partial
    digest = hashlib.sha256(original.read_bytes()).hexdigest()
    assert digest == MATERIAL_ORIGINALS[partial], (
        f"the installed Material's {partial} changed: compare it with plugins/medkb/templates/{partial}, "
        "carry the change over, then update MATERIAL_ORIGINALS"
    )
    assert (TEMPLATES_DIR / partial).is_file()


def test_only_the_listed_material_partials_are_replaced() -> None:
    material = Path(material_init).parent / "templates"
    ours = {p.relative_to(TEMPLATES_DIR).as_posix() for p in TEMPLATES_DIR.rglob("*.html")}
    replaced = {name for name in ours if (material / name).is_file()}
    assert replaced == set(REPLACED_MATERIAL_PARTIALS) | {"main.html"}


def test_site_custom_dir_overrides_a_medkb_partial(tmp_path: Path, make_site: Make) -> None:
    theme = tmp_path / "theme" / "partials"
    theme.mkdir(parents=True)
    (theme / "kb-review.html").write_text('<p class="site-own-review">{{ kb_review.status_label | e }}</p>\n')
    site = make_site(
        {"articles/a.md": article(status="under-review")},
        config={"theme": {"name": "material", "font": False, "custom_dir": str(tmp_path / "theme")}},
    )
    soup = site.soup("articles/a")
    assert soup.select_one(".site-own-review").get_text() == "Under Review"
    assert soup.select_one(".kb-review") is None
    # medkb's other partials still come from the package.
    assert soup.select_one(".kb-picker") is not None


def test_site_main_html_extending_kb_main_keeps_medkb_parts(tmp_path: Path, make_site: Make) -> None:
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "main.html").write_text('{% extends "kb-main.html" %}{% block announce %}Site notice{% endblock %}')
    site = make_site(
        {"articles/a.md": article()},
        config={"theme": {"name": "material", "font": False, "custom_dir": str(theme)}},
    )
    soup = site.soup("articles/a")
    assert "Site notice" in soup.select_one(".md-banner").get_text()
    assert soup.select_one('link[href$="assets/stylesheets/kb.css"]') is not None
    assert soup.select_one('script[src$="assets/javascripts/kb.js"]') is not None


def test_theme_other_than_material_is_refused(tmp_path: Path, make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"articles/a.md": article()}, config={"theme": {"name": "mkdocs"}})
    assert any("theme 'mkdocs' is not supported; medkb builds on Material for MkDocs" in r.getMessage() for r in caplog.records)


def test_site_description_and_author_are_escaped_in_every_page_head(make_site) -> None:  # type: ignore[no-untyped-def]
    from conftest import article

    hostile = '"><script>alert(1)</script>'
    site = make_site({"articles/a.md": article(), "notes.md": "# Notes\n"}, config={"site_author": hostile, "site_description": hostile})
    for page in ("", "notes", "articles/a"):
        html = site.html(page)
        assert "<script>alert(1)" not in html
        soup = site.soup(page)
        assert soup.select_one('meta[name="author"]')["content"] == hostile
