"""A dirty build in a fresh process (mkdocs build --dirty) keeps every list complete."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import article, write_site


def _mkdocs(root: Path, *flags: str) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", *flags], cwd=root, env=env, check=True, capture_output=True)


def test_a_fresh_dirty_build_lists_every_article_with_its_state(tmp_path: Path) -> None:
    pages = {f"articles/a{i}.md": article(title=f"Question {i}?", status="under-review" if i % 2 else "submitted") for i in range(4)}
    write_site(tmp_path, pages)
    _mkdocs(tmp_path)
    unchanged = tmp_path / "site/articles/a1/index.html"
    before = unchanged.stat().st_mtime_ns
    edited = tmp_path / "content/articles/a0.md"
    edited.write_text(edited.read_text().replace("Text.", "Text, edited."))
    later = time.time() + 5
    os.utime(edited, (later, later))
    _mkdocs(tmp_path, "--dirty")
    assert unchanged.stat().st_mtime_ns == before  # not written again
    assert "Text, edited." in (tmp_path / "site/articles/a0/index.html").read_text()
    az = BeautifulSoup((tmp_path / "site/browse/a-z/index.html").read_text(), "html.parser")
    assert [a.get_text(strip=True) for a in az.select(".kb-article-list > li > a")] == [f"Question {i}?" for i in range(4)]
    queue = BeautifulSoup((tmp_path / "site/review-queue/index.html").read_text(), "html.parser")
    badges = {a.get_text(strip=True): a.find_parent("li").select_one(".kb-badge").get_text(strip=True) for a in queue.select(".kb-article-list > li > a")}
    assert badges == {"Question 0?": "Submitted", "Question 1?": "Under Review", "Question 2?": "Submitted", "Question 3?": "Under Review"}
