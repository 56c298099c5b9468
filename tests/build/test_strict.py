"""Strict means strict: integrity warnings fail ``mkdocs build --strict`` also under ``-q``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import article, write_site

HISTORY = [
    {"status": "submitted", "by": "editor", "on": "2025-12-01"},
    {"status": "under-review", "by": "reviewer", "on": "2025-12-02"},
    # An approval of other text: the article's text changed since approval.
    {"status": "approved", "by": "reviewer", "on": "2025-12-03", "digest": "sha256:" + "0" * 64},
]


def _build(root: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *flags], cwd=root, capture_output=True, text=True, env=env)


@pytest.mark.parametrize("flags", [("--strict", "-q"), ("--strict",)])
def test_changed_approved_text_fails_a_quiet_strict_build(tmp_path: Path, flags: tuple[str, ...]) -> None:
    approved = article(status="approved", review={"status": "approved", "updated": "2025-12-03", "history": HISTORY})
    write_site(tmp_path, {"articles/a.md": approved}, config={"plugins": ["medkb/search", {"medkb/review": {"require_signatures": False, "publish": "latest"}}, "medkb/citations"]})
    result = _build(tmp_path, *flags)
    assert result.returncode == 1
    assert "medkb/review: 1 warning(s) in strict mode:" in result.stderr
    assert "content/articles/a.md:" in result.stderr and "changed since approval" in result.stderr


def test_unknown_citation_fails_a_quiet_strict_build(tmp_path: Path) -> None:
    write_site(tmp_path, {"articles/a.md": article(body="Claim [@nobody].\n")})
    result = _build(tmp_path, "--strict", "-q")
    assert result.returncode == 1
    assert "medkb/citations: 1 warning(s) in strict mode:" in result.stderr
    assert "unknown citation key 'nobody'" in result.stderr


def test_quiet_build_without_strict_still_succeeds_and_shows_pending(tmp_path: Path) -> None:
    write_site(tmp_path, {"articles/a.md": article(body="Claim [@nobody].\n")})
    result = _build(tmp_path, "-q")
    assert result.returncode == 0, result.stderr
    assert "kb-pending-banner" in (tmp_path / "site/articles/a/index.html").read_text(encoding="utf-8")
