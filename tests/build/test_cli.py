"""The ``medkb`` command, run as editors run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO
from medkb.articles.model import load_article

MEDKB = [sys.executable, "-m", "medkb.cli"]


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MEDKB, *args], cwd=cwd, capture_output=True, text=True, env={**os.environ})


def test_new_creates_a_valid_article(tmp_path: Path) -> None:
    result = run(tmp_path, "new", "Is <b>café</b> safe: yes or no?", "--date", "2025-12-17")
    assert result.returncode == 0, result.stderr
    path = tmp_path / result.stdout.strip()
    assert path == tmp_path / "content/articles/is-b-cafe-b-safe-yes-or-no.md"
    art = load_article(path)
    assert art.title == "Is <b>café</b> safe: yes or no?"
    assert art.review.status.value == "submitted"
    assert art.review.history[0]["status"] == "submitted" and art.review.history[0]["on"] == "2025-12-17"
    assert run(tmp_path, "new", "Is <b>café</b> safe: yes or no?").returncode == 1


def test_check_reports_path_line_message(tmp_path: Path) -> None:
    folder = tmp_path / "content/articles"
    folder.mkdir(parents=True)
    (folder / "good.md").write_text("---\ntitle: T\nreview: {status: submitted, updated: 2025-12-17}\n---\n")
    (folder / "bad.md").write_text("---\ntitle: T\nreview:\n  status: Published\n  updated: 2025-12-17\n---\n")
    result = run(tmp_path, "check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "content/articles/bad.md:4: review.status: 'Published' is not a review status; allowed: submitted, under-review, approved"
    ]
    assert run(tmp_path, "check", "content/articles/good.md").returncode == 0


def test_check_passes_on_the_example_knowledge_base() -> None:
    repo = REPO
    result = run(repo, "check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_reports_citation_problems_and_uncited_entries(tmp_path: Path) -> None:
    from conftest import article, write_site

    write_site(
        tmp_path,
        {
            "articles/a.md": article(body="## S\n\nOK [@alpha].\n\nBad [@nosuch] and `[@incode]`.\n"),
            "notes.md": "# Notes\n\nCites [@beta].\n",
        },
        bib="@article{alpha, title={A}}\n@article{beta, title={B}}\n\n@article{gamma, title={C}}\n",
    )
    result = run(tmp_path, "check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "content/articles/a.md:12: unknown citation key 'nosuch'",
        "references.bib:4: note: entry 'gamma' is not cited by any page",
    ]
    # Checking one article lists only its problems, not uncited entries.
    result = run(tmp_path, "check", "content/articles/a.md")
    assert result.stdout.splitlines() == ["content/articles/a.md:12: unknown citation key 'nosuch'"]


def test_check_reports_a_broken_bibliography(tmp_path: Path) -> None:
    from conftest import article, write_site

    write_site(tmp_path, {"articles/a.md": article()}, bib="@article{a, journal = nejm}\n")
    result = run(tmp_path, "check")
    assert result.returncode == 1
    assert result.stdout.startswith("references.bib:1: BibTeX undefined string")


def test_check_builds_the_site_and_reports_a_missing_disclaimer(tmp_path: Path) -> None:
    from conftest import REPO, article, write_site

    theme = tmp_path / "theme"
    write_site(
        tmp_path,
        {"articles/a.md": article(template="bare.html")},
        config={
            "theme": {"name": "material", "custom_dir": str(theme), "font": False},
            "plugins": ["medkb/search", "medkb/review", "medkb/citations", "medkb/audience", {"medkb/disclaimer": {"disclaimers": {"pro": {"title": "P"}}}}],
        },
    )
    (theme / "partials").mkdir(parents=True)
    for partial in (REPO / "plugins" / "medkb" / "templates" / "partials").glob("*.html"):
        (theme / "partials" / partial.name).write_text(partial.read_text())
    (theme / "bare.html").write_text('{% extends "base.html" %}{% block content %}{{ page.content }}{% endblock %}')
    result = run(tmp_path, "check")
    assert result.returncode == 1
    assert "content/articles/a.md: the built page carries the 'pro' disclaimer 0 times, not once" in result.stdout
    assert run(tmp_path, "check", "--no-build").returncode == 0
