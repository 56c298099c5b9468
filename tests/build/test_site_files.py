"""What of docs_dir may be published: theme files, HTML documents, links into the repository, other Markdown suffixes."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import REPO, article, build_site, write_site


def _refused(tmp_path: Path, caplog: pytest.LogCaptureFixture, extra: dict[str, str | bytes], needle: str) -> None:
    site = write_site(tmp_path, {"articles/a.md": article(), **extra})
    with pytest.raises(Abort):
        build_site(site)
    message = "\n".join(r.getMessage() for r in caplog.records)
    assert "medkb/review: files of docs_dir that must not be published:" in message
    assert needle in message, message


@pytest.mark.parametrize("asset", ["assets/stylesheets/kb.css", "assets/javascripts/kb.js", "partials/kb-review.html"])
def test_a_docs_file_cannot_replace_a_theme_file(tmp_path: Path, caplog: pytest.LogCaptureFixture, asset: str) -> None:
    original = (REPO / "plugins/medkb/templates" / asset).read_text()
    _refused(tmp_path, caplog, {asset: original + "\n.kb-pending-banner{display:none}\n"},
             f"content/{asset}: would replace the theme's {asset} on every page; rename it")


def test_materials_own_bundle_cannot_be_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from material import __file__ as material_init

    bundle = next((Path(material_init).parent / "templates/assets/javascripts").glob("bundle.*.min.js")).name
    _refused(tmp_path, caplog, {f"assets/javascripts/{bundle}": "/* replaced */"}, f"would replace the theme's assets/javascripts/{bundle}")


@pytest.mark.parametrize("name", ["articles/fake/index.html", "page.htm", "feed.xml"])
def test_html_documents_are_not_published_as_they_are(tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str) -> None:
    fake = '<div class="kb-review" data-kb-status="approved">Approved</div>'
    _refused(tmp_path, caplog, {name: fake}, f"content/{name}: an HTML document is published as it is")


def test_an_svg_with_script_is_refused_and_a_plain_one_is_fine(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    plain = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>'
    build_site(write_site(tmp_path / "ok", {"articles/a.md": article(), "diagram.svg": plain}))
    _refused(tmp_path / "bad", caplog, {"diagram.svg": plain.replace("<rect", '<rect onload="alert(1)"')},
             "content/diagram.svg: an SVG with scripts")


def test_a_link_into_git_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    site = write_site(tmp_path, {"articles/a.md": article()})
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text("[http]\n\textraheader = AUTHORIZATION: basic secret\n")
    (site / "content" / "gitconfig.txt").symlink_to(site / ".git" / "config")
    with pytest.raises(Abort):
        build_site(site)
    message = "\n".join(r.getMessage() for r in caplog.records)
    assert "content/gitconfig.txt: a symbolic link to" in message and not (site / "site" / "gitconfig.txt").exists()


@pytest.mark.parametrize("suffix", [".markdown", ".mdown", ".mkdn", ".mkd"])
def test_every_markdown_suffix_under_articles_is_an_article(tmp_path: Path, suffix: str) -> None:
    site = build_site(write_site(tmp_path, {f"articles/b{suffix}": article(title="Another question?")}), strict=False)
    soup = site.soup("articles/b")
    assert soup.select_one(".kb-review")["data-kb-status"] == "submitted"
    assert soup.select_one(".kb-pending-banner") is not None


def test_an_upper_case_md_copied_as_a_plain_file_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _refused(tmp_path, caplog, {"articles/c.MD": article()}, "content/articles/c.MD: MkDocs copies it as a plain file, not a page")


def test_front_matter_of_other_pages_is_escaped_and_redirects_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    page = "---\ndescription: '\"><script>alert(1)</script>'\nauthor: '\"><img src=x onerror=alert(2)>'\n---\n\n# Contact\n"
    site = build_site(write_site(tmp_path / "ok", {"articles/a.md": article(), "contact.md": page}))
    soup = site.soup("contact")
    assert not any("alert(1)" in (script.string or "") for script in soup.find_all("script"))
    assert soup.find(attrs={"onerror": True}) is None and soup.find("img", src="x") is None
    assert soup.select_one('meta[name="description"]')["content"] == '"><script>alert(1)</script>'  # as text
    redirect = "---\ntemplate: redirect.html\nlocation: https://evil.example/\n---\n\n# Moved\n"
    with pytest.raises(Abort):
        build_site(write_site(tmp_path / "bad", {"articles/a.md": article(), "moved.md": redirect}))
    assert any("content/moved.md: redirect pages (template: redirect.html, location:) are not allowed" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("svg", ['<svg xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)</s:script></svg>',
                                 '<svg><a href="&#106;avascript:alert(1)"><text>x</text></a></svg>'])
def test_an_svg_with_a_prefixed_or_encoded_script_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture, svg: str) -> None:
    _refused(tmp_path, caplog, {"img/evil.svg": svg}, "content/img/evil.svg: an SVG with scripts")


def test_an_xht_document_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _refused(tmp_path, caplog, {"evil.xht": "<html><script>alert(1)</script></html>"}, "content/evil.xht: an HTML document is published as it is")
