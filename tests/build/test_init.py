"""``medkb init``: a new knowledge base that builds with ``mkdocs build --strict`` at once."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import build_site
from medkb.articles.model import load_article
from medkb.review.board import BoardError, load_board, parse_board
from medkb.scaffold import FILES_DIR, InitError, init_knowledge_base

TODAY = dt.date(2026, 3, 4)
ARTICLE = "content/articles/how-much-physical-activity-should-adults-do-each-week.md"
ARTICLE_URL = "articles/how-much-physical-activity-should-adults-do-each-week/"
#: The venv's own ``medkb`` script (``.venv/bin/medkb`` when run as the README says).
MEDKB = Path(sys.executable).parent / "medkb"
REFUSED = "{}: not empty; medkb init starts a new knowledge base in an empty folder"


def run_medkb(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([str(MEDKB), *args], cwd=cwd, capture_output=True, text=True, env=env)


def listing(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (hidden ones too) with its bytes; ``None`` for folders."""
    return {p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes()) for p in folder.rglob("*")}


def test_new_knowledge_base_builds_strict_with_every_part(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    created = init_knowledge_base(kb, TODAY)
    expected = {"mkdocs.yml", "references.bib", "board.yml", ".gitignore", ".github/workflows/medkb.yml",
                "content/index.md", "content/editorial-policy.md", ARTICLE}
    assert {p.relative_to(kb).as_posix() for p in created} == expected
    assert {k for k, v in listing(kb).items() if v is not None} == expected
    site = build_site(kb, strict=True)
    page = site.soup(ARTICLE_URL)
    review = page.select_one(".kb-review")
    assert review is not None and review["data-kb-status"] == "submitted"
    assert page.select_one(".kb-pending-banner") is not None
    # One list per reading view (patients read one more citation), each with the one source.
    lists = page.select("ol.kb-references")
    assert [ol.get("data-kb-audience") for ol in lists] == ["patient", "student professional"]
    for ol in lists:
        refs = ol.select("li")
        assert len(refs) == 1 and "WHO Guidelines on Physical Activity and Sedentary Behaviour" in refs[0].get_text()
    assert page.select_one("sup.kb-cite a") is not None
    patient = page.select('div.kb-audience[data-kb-audience="patient"]')
    assert len(patient) == 1 and "In plain words" in patient[0].get_text()
    disclaimers = {d["data-kb-disclaimer"]: d for d in page.select(".kb-disclaimer")}
    assert set(disclaimers) == {"professional", "patient"}
    assert "Professional Medical Disclaimer" in disclaimers["professional"].get_text()
    assert "not medical advice" in disclaimers["patient"].get_text()
    # The nav's generated pages (board, review queue, browse) and the written ones all exist.
    for url in ("", "board/", "review-queue/", "browse/", "editorial-policy/"):
        assert (site.site_dir / url / "index.html").is_file(), url
    nav = {a.get_text(strip=True): a["href"] for a in site.soup("").select("nav.md-nav--primary a.md-nav__link")
           if not a["href"].startswith("#")}  # not the home page's table of contents
    assert nav == {"Home": ".", "Browse articles": "browse/", "Medical Advisory Board": "board/",
                   "Review queue": "review-queue/", "Editorial policy": "editorial-policy/"}
    home = site.soup("")
    assert home.select_one(f'a[href="{ARTICLE_URL}"]') is not None, "the home page lists the example article"


def test_only_todays_date_is_filled_in(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    init_knowledge_base(kb, TODAY)
    article = load_article(kb / ARTICLE)
    assert article.review.status.value == "submitted"
    assert article.review.updated == TODAY
    assert article.review.history == [{"status": "submitted", "by": "editor", "on": TODAY.isoformat()}]
    for path in FILES_DIR.rglob("*"):
        if path.is_file():
            rel = path.relative_to(FILES_DIR).as_posix()
            written = (kb / re.sub(r"^(gitignore|github)\b", r".\1", rel)).read_bytes()
            assert written == path.read_bytes().replace(b"__TODAY__", TODAY.isoformat().encode()), rel
            assert b"__TODAY__" not in written


def test_configuration_board_and_ci(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    init_knowledge_base(kb, TODAY)
    config = yaml.safe_load((kb / "mkdocs.yml").read_text())
    assert config["theme"]["name"] == "material" and config["theme"]["font"] is False
    assert "custom_dir" not in config["theme"]
    names = [p if isinstance(p, str) else next(iter(p)) for p in config["plugins"]]
    assert names == ["medkb/search", "tags", "medkb/review", "medkb/citations", "medkb/clinical", "medkb/audience", "medkb/disclaimer"]
    assert set(config["plugins"][-1]["medkb/disclaimer"]["disclaimers"]) == {"professional", "patient"}
    assert config["not_in_nav"].strip() == "/articles/"
    # No usable demo keys: an empty roster, and nothing in the comments that looks like a key.
    board_text = (kb / "board.yml").read_text()
    assert load_board(kb / "board.yml").members == {}
    assert not re.search(r"AAAA[A-Za-z0-9+/]{16,}", board_text)
    ignored = (kb / ".gitignore").read_text().split()
    assert {"site/", ".cache/", ".venv/"} <= set(ignored)
    workflow = yaml.safe_load((kb / ".github/workflows/medkb.yml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
    verify = next(s for s in steps if "medkb verify" in s.get("run", ""))
    assert verify["run"] == 'medkb verify --base "origin/${{ github.base_ref }}"'
    assert verify["if"] == "github.event_name == 'pull_request'"
    assert any(s.get("run") == "mkdocs build --strict" for s in steps)
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true


def test_medkb_init_and_check_as_commands(tmp_path: Path) -> None:
    result = run_medkb(tmp_path, "init", "my kb")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Created a new knowledge base in my kb (8 files). Next:"
    assert "cd 'my kb' && mkdocs serve" in result.stdout
    check = run_medkb(tmp_path / "my kb", "check", "--no-build")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout == ""
    assert "1 article(s), 0 problem(s)" in check.stderr


def test_an_existing_empty_folder_is_used(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    result = run_medkb(kb, "init", ".")
    assert result.returncode == 0, result.stderr
    assert (kb / "mkdocs.yml").is_file() and (kb / ".github/workflows/medkb.yml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb"], "no staging folder left beside it"


def test_a_non_empty_folder_is_refused_and_nothing_written(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    (kb / "content").mkdir(parents=True)
    (kb / ".git").write_text("gitdir: elsewhere\n")
    before, around = listing(kb), sorted(os.listdir(tmp_path))
    result = run_medkb(tmp_path, "init", "kb")
    assert result.returncode == 1
    assert result.stderr == REFUSED.format("kb") + "\n"
    assert result.stdout == ""
    assert listing(kb) == before
    assert sorted(os.listdir(tmp_path)) == around


def test_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    result = run_medkb(tmp_path, "init", "notes.txt")
    assert result.returncode == 1
    assert result.stderr == "notes.txt: not a folder; medkb init starts a new knowledge base in an empty folder\n"
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_a_missing_parent_is_refused(tmp_path: Path) -> None:
    result = run_medkb(tmp_path, "init", "no/such/kb")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("no/such: no such folder")
    assert "Traceback" not in result.stderr
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "empty-folder"])
def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool) -> None:
    kb = tmp_path / "kb"
    if existing:
        kb.mkdir()
    real_replace = os.replace
    calls: list[str] = []

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(str(dst))
        if len(calls) == 4:  # a few files written, then the disk is full
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr("medkb.scaffold.os.replace", failing_replace)
    with pytest.raises(InitError) as caught:
        init_knowledge_base(kb, TODAY)
    assert len(calls) == 4
    assert str(caught.value) == f"{kb}: cannot {'write' if existing else 'create'} the knowledge base (No space left on device)"
    if existing:
        assert list(kb.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == (["kb"] if existing else [])


def test_an_empty_board_is_a_board_with_no_members() -> None:
    # A new knowledge base has no members yet; a missing or misspelt list is still an error.
    assert parse_board("members: []\n").members == {}
    for text in ("", "members:\n", "member: []\n", "members: {}\n"):
        with pytest.raises(BoardError, match="needs a 'members:' list"):
            parse_board(text)
