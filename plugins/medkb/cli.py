"""The ``medkb`` command for editors and reviewers."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import yaml

from medkb.article import load_article
from medkb.check import SiteLayout, build_problems, check_site, load_layout
from medkb.frontmatter import FrontMatterError


def slugify(title: str) -> str:
    """A file name for an article title: lowercase ASCII words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words[:12]) or "article"


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def find_articles(paths: Sequence[str], articles_dir: Path) -> list[Path]:
    """Markdown files named on the command line, or every article."""
    if not paths:
        return sorted(articles_dir.rglob("*.md"))
    found: list[Path] = []
    for p in map(Path, paths):
        found.extend(sorted(p.rglob("*.md")) if p.is_dir() else [p])
    return found


def cmd_new(args: argparse.Namespace) -> int:
    """Create an article with valid front matter, status submitted."""
    folder = Path(args.dir)
    path = folder / f"{slugify(args.title)}.md"
    if path.exists():
        print(f"{path}: already exists; choose another title or edit that article", file=sys.stderr)
        return 1
    front = {
        "title": args.title,
        "review": {"status": "submitted", "updated": (args.date or dt.date.today().isoformat()), "history": []},
    }
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n## Answer\n\n"
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))
    # The new file must pass the same validation as every other article.
    load_article(path)
    print(path)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate articles and citations; print problems; exit 1 if there are any."""
    config = Path(args.config)
    if config.is_file():
        layout = load_layout(config)
    else:
        # Without mkdocs.yml only front matter can be checked.
        layout = SiteLayout(root=Path.cwd(), docs_dir=Path(args.dir).parent, articles_dir=Path(args.dir).name, citations=False)
    only = find_articles(args.paths, layout.docs_dir) if args.paths else None
    report = check_site(layout, only)
    if config.is_file() and only is None and not args.no_build and not report.problems:
        report.problems.extend(build_problems(config))
    for line in report.problems:
        print(line)
    for line in report.notes:
        print(line)
    print(
        f"medkb check: {report.checked} article(s), {len(report.problems)} problem(s), {len(report.notes)} note(s)",
        file=sys.stderr,
    )
    return 1 if report.problems else 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="medkb", description="Tools for editors and reviewers of a medkb knowledge base.")
    sub = parser.add_subparsers(dest="command", required=True)
    new = sub.add_parser("new", help="create an article with valid front matter (status: submitted)")
    new.add_argument("title", help="the clinical question the article answers")
    new.add_argument("--dir", default="content/articles", help="articles folder (default: content/articles)")
    new.add_argument("--date", help="'Last updated' date, YYYY-MM-DD (default: today)")
    new.set_defaults(func=cmd_new)
    check = sub.add_parser("check", help="validate articles; print path:line: message; exit 1 on problems")
    check.add_argument("paths", nargs="*", help="articles or folders (default: every article)")
    check.add_argument("--config", default="mkdocs.yml", help="site configuration (default: mkdocs.yml)")
    check.add_argument("--dir", default="content/articles", help="articles folder when there is no mkdocs.yml")
    check.add_argument("--no-build", action="store_true", help="skip the trial build (run when checking the whole site)")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``medkb`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
