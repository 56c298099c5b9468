"""Raw HTML and attributes in articles cannot hide or imitate medkb's review header, banner or disclaimers."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import article, build_site, write_site

HOSTILE = (
    "## Answer\n\n"
    "<style>.kb-pending-banner,.kb-disclaimer{display:none!important}</style>\n\n"
    '<div class="kb-review" data-kb-status="approved"><p class="kb-tracker__title">Approved</p></div>\n\n'
    'See <a href="javascript:alert(1)">this</a> and <img src="x.png" onerror="alert(2)">.\n\n'
    "A paragraph.\n{: .kb-disclaimer hidden onclick=\"alert(3)\" }\n"
)
PLUGINS = ["medkb/search", "medkb/review", "medkb/citations", "medkb/audience",
           {"medkb/disclaimer": {"disclaimers": {"pro": {"title": "Professional notice", "body": "Verify it."}}}}]


def _site(root: Path, review: dict[str, object] | None = None) -> Path:
    plugins = [{"medkb/review": review} if p == "medkb/review" and review else p for p in PLUGINS]
    return write_site(root, {"articles/a.md": article(body=HOSTILE)}, config={"plugins": plugins, "markdown_extensions": ["attr_list"]})


def test_hostile_markup_fails_strict_with_file_and_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        build_site(_site(tmp_path))
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(w.startswith("medkb: content/articles/a.md:10: raw HTML cleaned: removed <style>") for w in warnings), warnings
    assert any(w.startswith("medkb: content/articles/a.md:12: raw HTML cleaned: removed class= from <div>, data-kb-status= from <div>") for w in warnings)
    assert any(w.startswith("medkb: content/articles/a.md:14: raw HTML cleaned: removed href= from <a>") for w in warnings)
    assert any(w.startswith("medkb: content/articles/a.md:14: raw HTML cleaned: removed onerror= from <img>") for w in warnings)
    assert any("content/articles/a.md:17: class 'kb-disclaimer' removed" in w for w in warnings)
    assert any("content/articles/a.md:17: event handler onclick removed from <p>" in w for w in warnings)


def test_the_published_page_keeps_medkbs_parts_and_loses_the_rest(tmp_path: Path) -> None:
    soup = build_site(_site(tmp_path), strict=False).soup("articles/a")
    body = soup.select_one(".md-content")
    assert body.find("style") is None and body.find(attrs={"onerror": True}) is None and body.find(attrs={"onclick": True}) is None
    assert [el["data-kb-status"] for el in soup.select(".kb-review")] == ["submitted"]
    assert soup.select_one(".kb-pending-banner") is not None
    assert [d["data-kb-disclaimer"] for d in soup.select(".kb-disclaimer")] == ["pro"]
    assert all(not (a.get("href") or "").lower().startswith("javascript") for a in soup.find_all("a"))
    assert "Approved" in body.get_text()  # the text stays, as text


def test_refuse_mode_drops_all_raw_html(tmp_path: Path) -> None:
    soup = build_site(_site(tmp_path, {"raw_html": "refuse"}), strict=False).soup("articles/a")
    body = soup.select_one(".md-content")
    assert body.find("img") is None and "this" in body.get_text() and body.find("style") is None
