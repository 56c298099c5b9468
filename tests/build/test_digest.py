"""An approval covers everything the published page shows from the article (digest v2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import FIXTURES, LATEST, build_site, write_site
from medkb.cli import main

KEY = FIXTURES / "demo-board-keys" / "a.moreno"  # the conftest board's 'reviewer'
BIB = (
    "@proceedings{conf2020, title={Proceedings of the Dosing Conference}, publisher={Test Press}, year={2020}}\n"
    "@inproceedings{child2020, author={Smith, Jane}, title={Child paper on dosing}, crossref={conf2020}, pages={1--10}}\n"
)
ARTICLE = (
    "---\ntitle: Is the dose safe?\ndescription: Yes, at the usual dose.\ntags: [Dosing]\nreview:\n"
    "  status: under-review\n  updated: 2025-01-02\n  history:\n"
    "    - status: submitted\n      by: editor\n      on: 2025-01-02\n"
    "    - status: under-review\n      by: reviewer\n      on: 2025-01-03\n"
    "---\n\n## Answer\n\nA claim [@child2020].\n\n/// audience | patient\nPlain words.\n///\n"
)


@pytest.fixture
def approved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # publish: latest: the edited text itself is published (no git history), so its state shows.
    write_site(tmp_path, {"articles/a.md": ARTICLE}, bib=BIB, config=LATEST)
    monkeypatch.chdir(tmp_path)
    assert main(["review", "content/articles/a.md", "--to", "approved", "--as", "reviewer", "--key", str(KEY), "--date", "2025-01-05"]) == 0
    assert _status(tmp_path) == "approved"
    return tmp_path


def _status(root: Path) -> str:
    return build_site(root, strict=False).soup("articles/a").select_one(".kb-review")["data-kb-status"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("description: Yes, at the usual dose.", "description: Yes, at any dose."),
        ("tags: [Dosing]", "tags: [Dosing, Safe]"),
        ("title: Is the dose safe?", "title: Is the dose safe for children?"),
        ("Plain words.", "Other plain words."),
    ],
)
def test_front_matter_and_passages_that_render_are_covered(approved: Path, old: str, new: str, caplog: pytest.LogCaptureFixture) -> None:
    path = approved / "content/articles/a.md"
    path.write_text(path.read_text().replace(old, new, 1))
    assert _status(approved) == "changes-pending"
    with pytest.raises(Abort):
        build_site(approved, strict=True)
    assert any("content/articles/a.md:" in r.getMessage() and "changed since approval" in r.getMessage() for r in caplog.records)


def test_editing_a_cited_entrys_crossref_parent_is_covered(approved: Path) -> None:
    bib = approved / "references.bib"
    bib.write_text(bib.read_text().replace("Test Press", "Other Press"))
    assert _status(approved) == "changes-pending"


def test_an_uncited_entry_is_not_covered(approved: Path) -> None:
    bib = approved / "references.bib"
    bib.write_text(bib.read_text() + "@article{other, title={Unrelated}, journal={J}, year={2021}}\n")
    assert _status(approved) == "approved"


def test_a_later_review_due_date_is_covered(approved: Path) -> None:
    path = approved / "content/articles/a.md"
    path.write_text(path.read_text().replace("  updated: 2025-01-05", "  updated: 2025-01-05\n  due: 2031-01-01", 1))
    assert _status(approved) == "changes-pending"


def test_last_updated_after_the_approval_is_not_approved(approved: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = approved / "content/articles/a.md"
    path.write_text(path.read_text().replace("  updated: 2025-01-05", "  updated: 2025-02-01", 1))
    assert _status(approved) == "changes-pending"
    assert any("review.updated 2025-02-01 is later than the last approval (2025-01-05)" in r.getMessage() for r in caplog.records)
    path.write_text(path.read_text().replace("  updated: 2025-02-01", "  updated: 2025-01-04", 1))
    assert _status(approved) == "approved"  # an earlier date claims nothing new


def test_moving_an_approved_article_on_keeps_the_digest_of_its_new_date(approved: Path) -> None:
    # medkb review sets "Last updated" to the action's date; the approval covers that date.
    assert main(["review", "content/articles/a.md", "--to", "approved", "--as", "reviewer", "--key", str(KEY), "--date", "2025-01-09"]) == 0
    assert _status(approved) == "approved"


def test_file_inclusion_is_refused_where_approvals_are_checked(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_site(tmp_path, {"articles/a.md": ARTICLE}, bib=BIB, config={"markdown_extensions": ["pymdownx.snippets"]})
    with pytest.raises(Abort):
        build_site(tmp_path)
    assert any(
        "medkb/review: markdown extension 'pymdownx.snippets' includes other files into pages" in r.getMessage() for r in caplog.records
    )


SVG = '<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="10">500 mg for 10 days</text></svg>'


@pytest.fixture
def approved_with_drawing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    body_with_image = ARTICLE + "\n![Dosing table](img/dosing.svg)\n"
    write_site(tmp_path, {"articles/a.md": body_with_image, "articles/img/dosing.svg": SVG}, bib=BIB, config=LATEST)
    monkeypatch.chdir(tmp_path)
    assert main(["review", "content/articles/a.md", "--to", "approved", "--as", "reviewer", "--key", str(KEY), "--date", "2025-01-05"]) == 0
    assert _status(tmp_path) == "approved"
    return tmp_path


def test_an_embedded_file_is_covered_by_the_build_and_the_commands(approved_with_drawing: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drawing = approved_with_drawing / "content/articles/img/dosing.svg"
    assert main(["check", "--no-build"]) == 0
    drawing.write_text(SVG.replace("500 mg for 10 days", "5000 mg for 60 days"))
    assert _status(approved_with_drawing) == "changes-pending"
    capsys.readouterr()
    assert main(["check", "--no-build"]) == 1
    assert "changed since approval" in capsys.readouterr().out
    drawing.write_text(SVG)
    assert _status(approved_with_drawing) == "approved"


@pytest.mark.parametrize("image", ["![Dosing table](img/dosing%20table.svg)\n", "![Dosing table][d]\n\n[d]: img/dosing%20table.svg\n"])
def test_embedded_file_names_with_spaces_and_reference_images_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, image: str) -> None:
    write_site(tmp_path, {"articles/a.md": ARTICLE + "\n" + image, "articles/img/dosing table.svg": SVG}, bib=BIB, config=LATEST)
    monkeypatch.chdir(tmp_path)
    assert main(["review", "content/articles/a.md", "--to", "approved", "--as", "reviewer", "--key", str(KEY), "--date", "2025-01-05"]) == 0
    assert _status(tmp_path) == "approved"
    (tmp_path / "content/articles/img/dosing table.svg").write_text(SVG.replace("500 mg", "5000 mg"))
    assert _status(tmp_path) == "changes-pending"
