"""The desk's optional commit of one article after a review action: never a push.

``git commit`` runs as the member would run it, so their own configuration
applies: author, and signing (``commit.gpgsign``, ``gpg.format ssh``).
Only the article's file is committed; whatever else is staged stays staged.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: The commit subject for each history record the desk writes ({} is the article's path).
ACTION_SUBJECTS = {"under-review": "Take {} under review", "returned": "Return {} to the editor", "approved": "Approve {}"}


class CommitError(ValueError):
    """The commit could not be made, with git's own words."""


@dataclass(frozen=True)
class DeskAction:
    """A review action the desk wrote, remembered so the commit can name it."""

    display: str
    """The article's path from the site's folder (``content/articles/x.md``)."""
    title: str
    kind: str
    """The history record written: under-review, returned or approved."""
    member: str
    on: dt.date
    note: str
    data: bytes
    """The bytes written: the commit is offered only while the file still holds them."""


def commit_message(action: DeskAction) -> str:
    """``Approve content/articles/x.md``, then who, when and the note."""
    subject = ACTION_SUBJECTS.get(action.kind, action.kind + " {}").format(action.display)
    body = f"{action.title}\n\nReview record: {action.kind} by {action.member} on {action.on.isoformat()} (medkb desk)."
    if action.note:
        body += f"\n\nNote: {action.note}"
    return f"{subject}\n\n{body}\n"


def _git(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
    except FileNotFoundError:
        raise CommitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise CommitError(f"git {args[0]} did not finish in {timeout:.0f} s (is it waiting for a passphrase? add your key to ssh-agent)") from None


def commit_article(root: Path, file: Path, action: DeskAction) -> str:
    """Commit ``file`` alone with :func:`commit_message`; the new commit's short hash.

    Raises :class:`CommitError` when the folder is not a git work tree, the
    file is outside it, or git refuses (its message is kept, one line).
    """
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise CommitError(f"{root} is not in a git repository: {_first_line(top.stderr)}")
    if not file.resolve().is_relative_to(Path(top.stdout.strip()).resolve()):
        raise CommitError(f"{file} is outside the git repository {top.stdout.strip()}")
    # An absolute path: git -C ROOT reads relative pathspecs from ROOT, not from the top.
    relative = str(file.resolve())
    added = _git(root, "add", "--", relative)
    if added.returncode != 0:
        raise CommitError(f"git add {relative} failed: {_first_line(added.stderr)}")
    made = _git(root, "commit", "--quiet", "-m", commit_message(action), "--", relative)
    if made.returncode != 0:
        raise CommitError(f"git commit failed: {_first_line(made.stderr or made.stdout)}")
    head = _git(root, "rev-parse", "--short", "HEAD")
    return head.stdout.strip()


def has_uncommitted_change(root: Path, file: Path) -> bool:
    """Whether ``file`` differs from the last commit (or is not committed yet)."""
    found = _git(root, "status", "--porcelain", "--", str(file))
    return found.returncode == 0 and bool(found.stdout.strip())


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(lines[:3]) or "no message"
