"""The ``medkb`` command for editors and reviewers."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import yaml

from medkb.articles.model import MARKDOWN_SUFFIXES, parse_article
from medkb.check import build_problems, check_site
from medkb.articles.frontmatter import FrontMatterError
from medkb.review.actions import article_file
# review_lock and REVIEW_LOCK_TIMEOUT stay importable from here (scripts and tests use them).
from medkb.review.apply import REVIEW_LOCK_TIMEOUT, ReviewNotWritten, apply_review, review_lock, write_atomic  # noqa: F401
from medkb.review.roster import plan_board_approval, verify_histories_kept, verify_trusted_change
from medkb.review.workflow import WorkflowError, today_utc
from medkb.site import SiteLayout, load_layout


def slugify(title: str) -> str:
    """A file name for an article title: lowercase ASCII words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words[:12]) or "article"


def find_articles(paths: Sequence[str], articles_dir: Path) -> list[Path]:
    """Markdown files named on the command line, or every article."""
    if not paths:
        return sorted(p for p in articles_dir.rglob("*") if p.is_file() and p.name.lower().endswith(MARKDOWN_SUFFIXES))
    found: list[Path] = []
    for p in map(Path, paths):
        found.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.name.lower().endswith(MARKDOWN_SUFFIXES)) if p.is_dir() else [p])
    return found


def parse_cli_date(text: str, option: str = "--date") -> dt.date:
    """A ``YYYY-MM-DD`` date from the command line; :class:`WorkflowError` with one line otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise WorkflowError(f"{option} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-12-17")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise WorkflowError(f"{option} {text!r} is not a valid date ({e}); write it as YYYY-MM-DD") from None


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``, never replacing a file that appeared meanwhile (:class:`FileExistsError`)."""
    with open(path, "xb") as f:
        try:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        except BaseException:
            f.close()
            path.unlink(missing_ok=True)
            raise


def cmd_new(args: argparse.Namespace) -> int:
    """Create an article with valid front matter, status submitted.

    Everything is validated before anything is written: a bad title, date or
    submitter leaves no file behind.
    """
    folder = Path(args.dir)
    try:
        today = today_utc()
        on = parse_cli_date(args.date) if args.date else today
        if on > today:
            raise WorkflowError(f"--date {on} is in the future (today is {today}, UTC)")
        if len(args.title.strip().splitlines()) > 1:  # also CR, U+2028 and the other line breaks YAML keeps
            raise WorkflowError("title must be a single line")
        control = next((c for c in args.title if unicodedata.category(c) == "Cc" and c != "\n"), None)
        if control is not None:
            raise WorkflowError(f"the title contains the control character U+{ord(control):04X}; a title is one line of plain text")
        editor = (args.by if args.by is not None else _editor_name()).strip()
        if not editor or "\n" in editor or "\r" in editor:
            raise WorkflowError("--by must be one line naming who submits the article (an e-mail or a member id)")
        front = {
            "title": args.title,
            # Submission is the first step of the history; reviewers move it on.
            "review": {"status": "submitted", "updated": on.isoformat(), "history": [{"status": "submitted", "by": editor, "on": on.isoformat()}]},
        }
        text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n## Answer\n\n"
        path = folder / f"{slugify(args.title)}.md"
        # The new file must pass the same validation as every other article.
        article = parse_article(text, path.as_posix())
        if article.warnings:
            raise WorkflowError(str(article.warnings[0]))
    except WorkflowError as e:
        print(f"medkb new: {e}", file=sys.stderr)
        return 1
    except FrontMatterError as e:
        print(f"medkb new: {e.message.replace(chr(10), ' ')}", file=sys.stderr)
        return 1
    if path.exists():
        print(f"{path}: already exists; choose another title or edit that article", file=sys.stderr)
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    try:
        write_new(path, text.encode("utf-8"))
    except FileExistsError:
        print(f"{path}: already exists; choose another title or edit that article", file=sys.stderr)
        return 1
    print(path)
    return 0


def _editor_name() -> str:
    """Who submits: git's user.email, else the login name."""
    found = subprocess.run(["git", "config", "user.email"], capture_output=True, text=True)
    return found.stdout.strip() or os.environ.get("USER") or "editor"


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


def cmd_review(args: argparse.Namespace) -> int:
    """Move an article to another review step, recording who, when and the digest.

    :func:`medkb.review.apply.apply_review` reads, plans (and signs) and writes
    under a lock on the article: two reviews at once never lose a record; the
    second waits and applies its move to the new text.
    """
    config = Path(args.config)
    if not config.is_file():
        print(f"{config}: not found; run medkb review from the site's folder (or pass --config)", file=sys.stderr)
        return 2
    layout = load_layout(config)
    try:
        file = article_file(Path(args.article), layout)
        on = parse_cli_date(args.date) if args.date else today_utc()
    except WorkflowError as e:
        print(e, file=sys.stderr)
        return 1
    try:
        edit = apply_review(
            file, layout, member_id=args.as_member, to=args.to, on=on, note=args.note or "",
            key=Path(args.key) if args.key else None,
        )
    except ReviewNotWritten as e:
        print(e, file=sys.stderr)
        return e.code
    moved = f"{edit.previous} -> {args.to}" + (" (returned)" if edit.kind == "returned" and args.to != "returned" else "")
    print(f"{layout.display(file)}: {moved} by {edit.member.id} on {edit.on}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """For CI: the governed files since --base first (before MkDocs imports any hook), then everything check does."""
    if args.base:
        problems = verify_trusted_change(Path(args.config), args.base)
        problems += [p for p in verify_histories_kept(Path(args.config), args.base) if p not in problems]
        for line in problems:
            print(line)
        if problems:
            # The configuration may have changed: it is not loaded (its hooks would run).
            return 1
    args.paths, args.no_build, args.dir = [], False, "content/articles"
    return cmd_check(args)


def cmd_approve_board(args: argparse.Namespace) -> int:
    """Sign the current roster and governed settings as a member of the board at --base (default HEAD)."""
    config = Path(args.config)
    try:
        on = parse_cli_date(args.date) if args.date else today_utc()
        board_file, data, digest = plan_board_approval(config, args.as_member, Path(args.key), args.base, on)
    except ValueError as e:  # WorkflowError, SignatureError, GovernanceError, FrontMatterError, a bad --date
        print(str(e) if isinstance(e, FrontMatterError) else f"{config}: {e}", file=sys.stderr)
        return 1
    write_atomic(board_file, data)
    print(f"{board_file.name}: board and settings {digest[:19]}… approved by {args.as_member} on {on}")
    return 0


def _site_config(args: argparse.Namespace, command: str) -> Path | None:
    """``--config`` when it exists; else says so in one line and gives ``None``."""
    config = Path(args.config)
    if not config.is_file():
        print(f"medkb {command}: {config} does not exist; run it in the knowledge base's folder or give --config", file=sys.stderr)
        return None
    return config


def cmd_preview(args: argparse.Namespace) -> int:
    """Build the reviewer's preview: every current text, marked as a preview, with "Changes since approval" pages."""
    from medkb.preview import PreviewError, build_preview

    config = _site_config(args, "preview")
    if config is None:
        return 2
    site_dir = Path(args.dir) if args.dir else config.resolve().parent / "site-preview"
    try:
        home = build_preview(config, site_dir)
    except PreviewError as e:
        print(f"medkb preview: {e}", file=sys.stderr)
        return 1
    print(f"medkb preview: built {home} — a reviewer's preview: every page says so; do not publish it")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """Print an article's changes since its approval: coloured on a terminal, ``[-removed-]{+inserted+}`` when piped."""
    from medkb.preview import PreviewError, diff_article
    from medkb.review.changes import changes_text

    config = _site_config(args, "diff")
    if config is None:
        return 2
    layout = load_layout(config)
    file = Path(args.article)
    if not file.is_file():
        print(f"medkb diff: {args.article}: no such article file", file=sys.stderr)
        return 2
    try:
        changes = diff_article(file.resolve(), layout)
    except (PreviewError, FrontMatterError) as e:
        print(f"medkb diff: {e}", file=sys.stderr)
        return 1
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    sys.stdout.write(changes + "\n" if isinstance(changes, str) else changes_text(changes, colour))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Scaffold a new knowledge base in an empty or new folder (see medkb.scaffold)."""
    import shlex

    from medkb.scaffold import InitError, init_knowledge_base

    try:
        created = init_knowledge_base(Path(args.dir), today_utc())
    except InitError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"Created a new knowledge base in {args.dir} ({len(created)} files). Next:")
    print(f"  cd {shlex.quote(args.dir)} && mkdocs serve    # preview it at http://127.0.0.1:8000/")
    print("  add your board's members and their SSH public keys to board.yml")
    print('  medkb new "Your clinical question?"         # write an article')
    return 0


def cmd_desk(args: argparse.Namespace) -> int:
    """Serve the reviewer's desk on 127.0.0.1 until Ctrl-C (see medkb.desk)."""
    from medkb.desk.run import DeskStartError, run_desk

    try:
        return run_desk(Path(args.config), args.port, not args.no_browser, args.as_member, Path(args.key).expanduser() if args.key else None)
    except DeskStartError as e:
        print(f"medkb desk: {e}", file=sys.stderr)
        return 1


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number; allowed: 1 to 65535")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="medkb", description="Tools for editors and reviewers of a medkb knowledge base.")
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="start a new knowledge base in an empty folder (builds with mkdocs build --strict)")
    init.add_argument("dir", metavar="DIR", help="the folder to create (or an empty one)")
    init.set_defaults(func=cmd_init)
    new = sub.add_parser("new", help="create an article with valid front matter (status: submitted)")
    new.add_argument("title", help="the clinical question the article answers")
    new.add_argument("--dir", default="content/articles", help="articles folder (default: content/articles)")
    new.add_argument("--date", help="'Last updated' date, YYYY-MM-DD (default: today)")
    new.add_argument("--by", help="who submits it (default: git user.email)")
    new.set_defaults(func=cmd_new)
    check = sub.add_parser("check", help="validate articles; print path:line: message; exit 1 on problems")
    check.add_argument("paths", nargs="*", help="articles or folders (default: every article)")
    check.add_argument("--config", default="mkdocs.yml", help="site configuration (default: mkdocs.yml)")
    check.add_argument("--dir", default="content/articles", help="articles folder when there is no mkdocs.yml")
    check.add_argument("--no-build", action="store_true", help="skip the trial build (run when checking the whole site)")
    check.set_defaults(func=cmd_check)
    review = sub.add_parser("review", help="move an article to another review step (board members)")
    review.add_argument("article", help="the article's Markdown file")
    review.add_argument(
        "--to", required=True, choices=["submitted", "returned", "under-review", "approved"],
        help="the new step; 'returned' (or 'submitted') from under-review sends it back to the editor",
    )
    review.add_argument("--as", dest="as_member", required=True, metavar="MEMBER", help="your board member id")
    review.add_argument("--key", help="your SSH private key (required to approve when signatures are required)")
    review.add_argument("--note", help="a note for the history (why it was returned, what was checked)")
    review.add_argument("--date", help="date of the action, YYYY-MM-DD (default: today, UTC)")
    review.add_argument("--config", default="mkdocs.yml", help="site configuration (default: mkdocs.yml)")
    review.set_defaults(func=cmd_review)
    verify = sub.add_parser("verify", help="for CI: check, plus board changes since --base must be approved")
    verify.add_argument("--base", help="git revision the change is compared with (e.g. origin/main)")
    verify.add_argument("--config", default="mkdocs.yml", help="site configuration (default: mkdocs.yml)")
    verify.set_defaults(func=cmd_verify)
    preview = sub.add_parser("preview", help="build the reviewer's preview: every current text, with 'Changes since approval' pages")
    preview.add_argument("-d", "--dir", help="where to build it (default: site-preview beside mkdocs.yml)")
    preview.add_argument("--config", default="mkdocs.yml", help="site configuration (default: mkdocs.yml)")
    preview.set_defaults(func=cmd_preview)
    diff = sub.add_parser("diff", help="print what changed in an article since it was approved")
    diff.add_argument("article", help="the article's Markdown file")
    diff.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the changes (default: on a terminal)")
    diff.add_argument("--config", default="mkdocs.yml", help="site configuration (default: mkdocs.yml)")
    diff.set_defaults(func=cmd_diff)
    approve_board = sub.add_parser("approve-board", help="sign the current board roster (a member of the roster at --base)")
    approve_board.add_argument("--as", dest="as_member", required=True, metavar="MEMBER")
    approve_board.add_argument("--key", required=True, help="your SSH private key")
    approve_board.add_argument("--base", default="HEAD", help="the revision whose roster you belong to (default: HEAD)")
    approve_board.add_argument("--date", help="YYYY-MM-DD (default: today, UTC)")
    approve_board.add_argument("--config", default="mkdocs.yml")
    approve_board.set_defaults(func=cmd_approve_board)
    desk = sub.add_parser("desk", help="the reviewer's desk: review and approve in your browser (127.0.0.1 only)")
    desk.add_argument("--port", type=_port, default=0, help="port on 127.0.0.1 (default: a free one)")
    desk.add_argument("--no-browser", action="store_true", help="print the address only; do not open a browser")
    desk.add_argument("--as", dest="as_member", metavar="MEMBER", help="your board member id (default: the member whose key ssh-agent holds, or whose e-mail git uses)")
    desk.add_argument("--key", help="your SSH private key, when ssh-agent does not hold it (a key without passphrase)")
    desk.add_argument("--config", default="mkdocs.yml", help="site configuration (default: mkdocs.yml)")
    desk.set_defaults(func=cmd_desk)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``medkb`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
