"""A board member's review action on one article file, as plain functions.

``medkb review`` (and any other front end) plans the edit here: which file
may be edited (:func:`article_file`), the rules of the workflow, the digest
from :func:`medkb.site.assess_file` (the plugin's pipeline), the signature,
and the byte-exact new file. Nothing is written: the caller writes the
returned bytes atomically (under a lock, after checking the file did not
change since it was read).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from medkb.articles.model import MARKDOWN_SUFFIXES, parse_article
from medkb.articles.frontmatter import decode_source
from medkb.review.board import _BIDI, Member
from medkb.review.edit import apply_review_edit
from medkb.review.signatures import ssh_sign, ssh_verify
from medkb.review.workflow import (
    WorkflowError,
    approval_message,
    identity,
    last_submitter,
    parse_history,
    record_kind,
    status_after,
    today_utc,
)
from medkb.site import SiteLayout, assess_file, site_board, site_catalog

#: Who a synthesised submission names when nobody can be found.
UNKNOWN_SUBMITTER = "unknown"
_PLAIN_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$")


@dataclass(frozen=True)
class ReviewEdit:
    """The planned result of a review action."""

    data: bytes
    """The article file's new bytes."""
    previous: str
    """The review status before the action."""
    member: Member
    on: dt.date
    digest: str
    kind: str = ""
    """The history record written (``returned`` for a return to the editor)."""


def article_file(path: Path, layout: SiteLayout) -> Path:
    """The article file ``medkb review`` may edit for ``path``, resolved; refuses anything else.

    It must be a Markdown file under the site's articles folder
    (``docs_dir``/``articles_dir``). A symbolic link is refused unless its
    target is such a file (then the target is edited and the link kept).
    """
    shown = path.as_posix()
    folder = (layout.docs_dir / layout.articles_dir) if layout.articles_dir.strip("/") else layout.docs_dir
    root = folder.resolve()
    where = f"{layout.display(folder)}/ (the site's articles_dir)"
    try:
        target = path.resolve()
    except (RuntimeError, OSError):  # a loop of symbolic links
        raise WorkflowError(f"{shown}: a symbolic link that leads to no file (a loop); medkb review edits only articles") from None
    if not target.is_relative_to(root):
        if path.is_symlink():
            raise WorkflowError(f"{shown}: is a symbolic link to {target}, outside {where}; medkb review edits only articles, not what links point to")
        raise WorkflowError(f"{shown}: not an article: medkb review edits Markdown files under {where}")
    if not target.name.lower().endswith(MARKDOWN_SUFFIXES):
        raise WorkflowError(f"{shown}: not an article: articles are Markdown files ({', '.join(MARKDOWN_SUFFIXES)}) under {where}")
    if not target.is_file():
        raise WorkflowError(f"{shown}: no such article file")
    return target


def check_note(note: str) -> None:
    """Refuse a note that YAML or a signature cannot carry as written: control characters, unpaired surrogates, bidi overrides."""
    for c in note:
        bad = None
        if 0xD800 <= ord(c) <= 0xDFFF:
            bad = "a byte that is not UTF-8"
        elif c not in "\n\t" and unicodedata.category(c) == "Cc":
            bad = f"the control character U+{ord(c):04X}"
        elif c in _BIDI:
            bad = f"the bidirectional control U+{ord(c):04X}"
        if bad is not None:
            raise WorkflowError(f"the note contains {bad}; a note is plain text (letters, punctuation, line breaks)")


def plan_review(
    raw: bytes,
    file: Path,
    display: str,
    layout: SiteLayout,
    *,
    member_id: str,
    to: str,
    on: dt.date,
    note: str = "",
    key: Path | None = None,
    today: dt.date | None = None,
) -> ReviewEdit:
    """Move the article in ``raw`` to ``to`` as ``member_id``; raises :class:`WorkflowError` when refused.

    ``to`` is a review status, or ``returned``; ``submitted`` from under-review
    is a return too (a ``returned`` record; the status becomes submitted).
    """
    check_note(note)
    board = site_board(layout)
    if board is None:
        raise WorkflowError("the site has no medkb/review plugin, so no board")
    member = board.member_for(member_id)
    if member is None:
        raise WorkflowError(f"'{member_id}' is not a member of the board ({board.path}); only members review and approve")
    today = today or today_utc()
    if on > today:
        raise WorkflowError(f"the date {on} is in the future (today is {today}, UTC); record a review on the day it is made")
    article = parse_article(decode_source(raw, display), display)
    current = article.review.status.value
    kind = record_kind(current, to)
    entries, _ = parse_history(article)
    prior: list[dict[str, str]] = []
    if not article.review.history:
        prior = [_implied_submission(article.review.updated, current, file, display)]
    submitter = last_submitter(entries) or (prior[0]["by"] if prior else None)
    if kind == "approved" and submitter is not None and identity(submitter, board) == member.id:
        alias = "" if submitter == member.id else f" (as '{submitter}')"
        raise WorkflowError(f"'{member.id}' submitted this text{alias} and may not approve it (no self-approval)")
    last_on = entries[-1].on if entries else (article.review.updated if prior else None)
    if last_on is not None and on < last_on:
        raise WorkflowError(f"the date {on} is before the last history entry ({last_on})")
    report, _ = assess_file(article, file, layout, site_catalog(layout), board, on)
    signature = ""
    if kind == "approved" and layout.rules.require_signatures:
        if key is None:
            raise WorkflowError("approvals must be signed: pass --key with your SSH private key")
        message = approval_message("approved", member.id, on, report.digest, note)
        signature = ssh_sign(message, key)
        why = ssh_verify(message, signature, member.id, board)
        if why is not None:
            raise WorkflowError(f"{why}: --key is not the key {board.path} lists for '{member.id}'")
    record = {"status": kind, "by": member.id, "on": on.isoformat(), "digest": report.digest, "note": note, "signature": signature}
    data, _ = apply_review_edit(raw, display, status=status_after(kind), updated=on, record=record, prior=prior)
    return ReviewEdit(data, current, member, on, report.digest, kind)


def _implied_submission(updated: dt.date, current: str, file: Path, display: str) -> dict[str, str]:
    """The ``submitted`` record an article without history starts with, so the history written is valid.

    Only a submitted article can be given one: for a later status medkb cannot
    tell who reviewed it. The submitter is the git author who added the file
    (so self-approval is still refused by e-mail), else ``unknown``.
    """
    if current != "submitted":
        raise WorkflowError(
            f"{display}: review.status is {current} but the article has no review.history, so nobody can tell who submitted "
            "and reviewed it; restore its history from git, or set review.status to submitted and move it on with medkb review"
        )
    return {
        "status": "submitted", "by": _git_author(file) or UNKNOWN_SUBMITTER, "on": updated.isoformat(),
        "note": "recorded by medkb review: the article had no history",
    }


def _git_author(file: Path) -> str | None:
    """The e-mail of the commit that added ``file`` (its first author), if git knows it."""
    try:
        found = subprocess.run(
            ["git", "-C", str(file.parent), "log", "--diff-filter=A", "--format=%ae", "--", file.name],
            capture_output=True, text=True, timeout=30, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    authors = [line.strip() for line in found.stdout.splitlines() if line.strip()] if found.returncode == 0 else []
    # Written as a plain YAML scalar: only a plain address is taken.
    return authors[-1] if authors and _PLAIN_EMAIL.match(authors[-1]) else None
