"""The example site on other platforms.

ProperDocs (the maintained fork of MkDocs 1.x) builds the example site
unchanged: same configuration file, same plugins, same HTML but for the
generator tag.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def build(tool: str, out: Path) -> subprocess.CompletedProcess[str]:
    """``python -m mkdocs|properdocs build --strict`` of the example site, in a fresh interpreter.

    A fresh interpreter matters for ProperDocs: its CLI redirects every
    ``mkdocs.*`` import to ``properdocs.*`` before the plugins are loaded.
    """
    cmd = [sys.executable, "-m", tool, "build", "--strict", "-f", str(REPO / "mkdocs.yml"), "-d", str(out)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env)


def files(root: Path) -> dict[str, bytes]:
    """Every built file, the generator tag left out."""
    return {p.relative_to(root).as_posix(): GENERATOR.sub(b"", p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()}


def test_example_site_builds_unchanged_on_properdocs(tmp_path: Path) -> None:
    properdocs = build("properdocs", tmp_path / "properdocs")
    assert properdocs.returncode == 0, properdocs.stderr
    assert "WARNING" not in properdocs.stderr, properdocs.stderr
    mkdocs = build("mkdocs", tmp_path / "mkdocs")
    assert mkdocs.returncode == 0, mkdocs.stderr
    built = files(tmp_path / "properdocs")
    assert 'content="mkdocs-ProperDocs ' in (tmp_path / "properdocs" / "index.html").read_text(encoding="utf-8")
    assert built == files(tmp_path / "mkdocs")
