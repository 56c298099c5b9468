"""A board member's review action on one article file, as plain functions.

``medkb review`` (and any other front end) plans the edit here: the rules of
the workflow, the digest from :func:`medkb.site.assess_file` (the plugin's
pipeline), the signature, and the byte-exact new file. Nothing is written:
the caller writes the returned bytes atomically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from medkb.articles.model import parse_article
from medkb.articles.frontmatter import decode_source
from medkb.review.board import Member
from medkb.review.edit import apply_review_edit
from medkb.review.signatures import ssh_sign, ssh_verify
from medkb.review.workflow import WorkflowError, approval_message, identity, last_submitter, parse_history, record_kind, status_after
from medkb.site import SiteLayout, assess_file, site_board, site_catalog


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
) -> ReviewEdit:
    """Move the article in ``raw`` to ``to`` as ``member_id``; raises :class:`WorkflowError` when refused.

    ``to`` is a review status, or ``returned``; ``submitted`` from under-review
    is a return too (a ``returned`` record; the status becomes submitted).
    """
    board = site_board(layout)
    if board is None:
        raise WorkflowError("the site has no medkb/review plugin, so no board")
    member = board.member_for(member_id)
    if member is None:
        raise WorkflowError(f"'{member_id}' is not a member of the board ({board.path}); only members review and approve")
    article = parse_article(decode_source(raw, display), display)
    current = article.review.status.value
    kind = record_kind(current, to)
    entries, _ = parse_history(article)
    submitter = last_submitter(entries)
    if kind == "approved" and submitter is not None and identity(submitter, board) == member.id:
        alias = "" if submitter == member.id else f" (as '{submitter}')"
        raise WorkflowError(f"'{member.id}' submitted this text{alias} and may not approve it (no self-approval)")
    if entries and on < entries[-1].on:
        raise WorkflowError(f"the date {on} is before the last history entry ({entries[-1].on})")
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
    data, _ = apply_review_edit(raw, display, status=status_after(kind), updated=on, record=record)
    return ReviewEdit(data, current, member, on, report.digest, kind)
