"""Stable-versions benchmark: the same site built with no edit pending and with edits of approved text pending.

    python bench/versions.py [--articles 1000] [--pending 50] [--runs 3]

Every article of a synthetic knowledge base (bench/generate.py) is approved
(digest-only approvals, ``require_signatures: false``: verifying a signature
costs both builds the same 0.1 ms per article) and committed to a git
repository. The baseline is built; then ``--pending`` articles are edited
and committed, and the same site is built again: each edited article is
published as its approved revision, found in git history and rendered a
second time. Each build runs ``--runs`` times in a fresh ``mkdocs build``
process (all medkb plugins, Pagefind included), alternating; the medians
of CPU time (the build's and Pagefind's: wall-clock time on a shared machine
measures the neighbours) and their ratio are printed, with wall-clock times. Target (issue 14): ratio ≤ 1.10.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from scale import medkb_config  # noqa: E402

OUT = HERE / "out" / "versions"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}
BOARD = "members:\n  - {id: alice, name: Alice Adams, credentials: MD}\n  - {id: bob, name: Bob Brown, credentials: PharmD}\n"


def git(kb: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(kb), *args], check=True, capture_output=True, env=ENV)


def approve_all(kb: Path) -> None:
    """Give every article a history ending in an approval of its current digest (medkb's own pipeline computes it)."""
    from medkb.articles.frontmatter import split_front_matter
    from medkb.articles.model import parse_article
    from medkb.site import assess_file, load_layout, site_board, site_catalog

    layout = load_layout(kb / "mkdocs.yml")
    catalog, board = site_catalog(layout), site_board(layout)
    assert board is not None
    today = dt.date(2026, 1, 31)
    for file in sorted((kb / "content" / "articles").rglob("*.md")):
        text = file.read_text(encoding="utf-8")
        article = parse_article(text, file.name)
        report, _ = assess_file(article, file, layout, catalog, board, today)
        yaml_text, body, _ = split_front_matter(text, file.name)
        assert yaml_text is not None
        front = yaml.safe_load(yaml_text)
        front["review"] = {
            "status": "approved", "updated": "2026-01-10",
            "history": [
                {"status": "submitted", "by": "editor@example.org", "on": "2026-01-10"},
                {"status": "under-review", "by": "alice", "on": "2026-01-11"},
                {"status": "approved", "by": "bob", "on": "2026-01-12", "digest": report.digest},
            ],
        }
        file.write_text("---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body, encoding="utf-8")


def build(kb: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (the build's process and Pagefind's) of one ``mkdocs build``."""
    shutil.rmtree(kb / "site", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "--strict"], cwd=kb, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stdout}{result.stderr}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--pending", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    kb = OUT / f"kb-{args.articles}"
    shutil.rmtree(kb, ignore_errors=True)
    kb.mkdir(parents=True)
    generate(kb, args.articles)
    cfg = medkb_config()
    cfg["plugins"] = [{"medkb/review": {"require_signatures": False}} if p == "medkb/review" else p for p in cfg["plugins"]]  # type: ignore[union-attr]
    (kb / "mkdocs.yml").write_text(yaml.safe_dump({"site_name": "Bench", "docs_dir": "content", **cfg}, sort_keys=False))
    (kb / "board.yml").write_text(BOARD)
    (kb / ".gitignore").write_text("site/\n")
    approve_all(kb)
    git(kb, "init", "-q", "-b", "main")
    git(kb, "add", "-A")
    git(kb, "commit", "-q", "-m", "every article approved")
    baseline_head = subprocess.run(["git", "-C", str(kb), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    files = sorted((kb / "content" / "articles").rglob("*.md"))
    step = max(len(files) // max(args.pending, 1), 1)
    edited = files[::step][: args.pending]
    for file in edited:
        text = file.read_text(encoding="utf-8")
        file.write_text(text.rstrip("\n") + "\n\nAn added sentence that awaits review.\n", encoding="utf-8")
    git(kb, "commit", "-q", "-am", f"{len(edited)} edits of approved text")
    pending_head = subprocess.run(["git", "-C", str(kb), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    times: dict[str, list[tuple[float, float]]] = {"none pending": [], f"{len(edited)} pending": []}
    for _ in range(args.runs):
        for name, head in (("none pending", baseline_head), (f"{len(edited)} pending", pending_head)):
            git(kb, "checkout", "-q", head)
            times[name].append(build(kb))
    git(kb, "checkout", "-q", "main")
    published = (kb / "site" / "articles" / edited[0].stem / "index.html").read_text(encoding="utf-8")
    assert "kb-revision-notice" in published and "awaits review." not in published, "the approved revision was not published"
    print(f"{args.articles} articles, all approved; median of {args.runs} builds (mkdocs build --strict, every medkb plugin, Pagefind)")
    for name, values in times.items():
        wall, cpu = statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)
        print(f"  {name:>14}: {cpu:6.2f} s CPU, {wall:6.2f} s wall  (CPU of each run: {', '.join(f'{v[1]:.2f}' for v in values)})")
    # CPU time: on a shared machine wall-clock time measures the neighbours.
    base, pending = (statistics.median(v[1] for v in values) for values in times.values())
    ratio = pending / base
    print(f"  ratio (CPU): {ratio:.3f} (target ≤ 1.10: {'met' if ratio <= 1.10 else 'NOT met'})")


if __name__ == "__main__":
    main()
