"""Files outside the site's folder are never published, also through symbolic links."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import article, build_site, write_site


def _outside(tmp_path: Path, name: str, text: str) -> Path:
    target = tmp_path / "outside" / name
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


@pytest.mark.parametrize("link", ["articles/leak.md", "secret.txt", "assets/notes"])
def test_a_link_out_of_the_site_stops_the_build(tmp_path: Path, caplog: pytest.LogCaptureFixture, link: str) -> None:
    site = write_site(tmp_path / "site", {"articles/a.md": article()})
    secret = _outside(tmp_path, "secret.md", article(title="Private notes?", body="SECRET-TEXT\n"))
    path = site / "content" / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(secret.parent if link == "assets/notes" else secret)
    with pytest.raises(Abort):
        build_site(site)
    message = "\n".join(r.getMessage() for r in caplog.records)
    assert "medkb/review: files of docs_dir that must not be published:" in message
    assert "a symbolic link to" in message and "only files inside docs_dir are published" in message
    assert f"content/{link}" in message and str(tmp_path / "outside") in message
    built = site / "site"
    assert not built.exists() or "SECRET-TEXT" not in "".join(p.read_text(errors="replace") for p in built.rglob("*") if p.is_file())


def test_a_link_inside_the_site_is_fine(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"articles/a.md": article(), "notes.md": "# Notes\n\nInside.\n"})
    (site / "content" / "also.md").symlink_to(site / "content" / "notes.md")
    built = build_site(site)
    assert "Inside." in built.html("also")


def test_a_board_linked_from_outside_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    site = write_site(tmp_path / "site", {"articles/a.md": article()})
    board = site / "board.yml"
    outside = _outside(tmp_path, "board.yml", board.read_text())
    board.unlink()
    board.symlink_to(outside)
    with pytest.raises(Abort):
        build_site(site)
    assert any("board.yml: a symbolic link to" in r.getMessage() and "outside the site's folder" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("where", ["site", "article"])
def test_a_bibliography_linked_from_outside_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture, where: str) -> None:
    bib = "@article{x, title={Secret}, journal={J}, year={2020}}\n"
    outside = _outside(tmp_path, "private.bib", bib)
    extra = {"bibliography": ["local.bib"]} if where == "article" else {}
    site = write_site(tmp_path / "site", {"articles/a.md": article(body="A [@x].\n", **extra)})
    link = site / ("content/articles/local.bib" if where == "article" else "references.bib")
    link.unlink(missing_ok=True)
    link.symlink_to(outside)
    with pytest.raises(Abort):
        build_site(site)
    # A per-article .bib in docs_dir is also a page asset: the review plugin names it first.
    assert any("symbolic link" in r.getMessage() and "local.bib" in r.getMessage() or
               "references.bib' is a symbolic link to" in r.getMessage() for r in caplog.records)


def test_a_link_in_a_loop_stops_the_build_and_medkb_review_in_one_line(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                                        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from medkb.cli import main

    write_site(tmp_path, {"articles/a.md": article()})
    (tmp_path / "content/articles/loop.md").symlink_to("loop.md")
    with pytest.raises(Abort):
        build_site(tmp_path, strict=False)
    assert any("content/articles/loop.md: a symbolic link that leads to no file" in r.getMessage() for r in caplog.records)
    monkeypatch.chdir(tmp_path)
    assert main(["review", "content/articles/loop.md", "--to", "under-review", "--as", "reviewer"]) == 1
    err = capsys.readouterr().err
    assert "content/articles/loop.md: a symbolic link that leads to no file (a loop)" in err and len(err.strip().splitlines()) == 1
    assert main(["check", "--no-build"]) == 0
