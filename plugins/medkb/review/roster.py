"""Changes to the board roster: what a change since a base revision needs, and a member's approval of one.

A pull request must not add its own reviewer: a changed ``board.yml`` needs
an approval of the new roster's digest, signed by a member of the roster at
the base revision (read with ``git show``).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

from medkb.articles.frontmatter import FrontMatterError
from medkb.review.board import Board, load_board, parse_board
from medkb.review.edit import history_record_lines
from medkb.review.signatures import ssh_sign, ssh_verify
from medkb.review.workflow import WorkflowError, approval_message
from medkb.site import SiteLayout


def board_message(by: str, on: dt.date, digest: str) -> bytes:
    """What a member signs to approve a new roster."""
    return approval_message("board", by, on, digest)


def _roster_at(layout: SiteLayout, base: str, rel: str) -> str | None:
    shown = subprocess.run(["git", "-C", str(layout.root), "show", f"{base}:./{rel}"], capture_output=True, text=True)
    return shown.stdout if shown.returncode == 0 else None


def verify_board_change(layout: SiteLayout, base: str) -> list[str]:
    """Problems with a change to the board roster since ``base`` (a git revision)."""
    if layout.board is None:
        return []
    rel = layout.display(layout.board)
    old_text = _roster_at(layout, base, rel)
    if old_text is None:
        return [f"{rel}: not in {base}; a new board cannot be approved by a roster that did not exist (start the board in its own reviewed commit)"]
    try:
        old = parse_board(old_text, f"{base}:{rel}", layout.rules.require_signatures)
        new = load_board(layout.board, rel, layout.rules.require_signatures)
    except FrontMatterError as e:
        return [str(e)]
    if old.digest() == new.digest():
        return []
    digest = new.digest()
    reasons = []
    for approval in new.approvals:
        by, on, sig, dig = (str(approval.get(k) or "") for k in ("by", "on", "signature", "digest"))
        if dig != digest:
            continue
        if old.get(by) is None:
            reasons.append(f"approval by '{by}', who is not on the roster at {base}")
            continue
        try:
            on_date = dt.date.fromisoformat(on)
        except ValueError:
            reasons.append(f"approval by '{by}' has no valid date")
            continue
        why = ssh_verify(board_message(by, on_date, digest), sig, by, old)
        if why is None:
            return []
        reasons.append(f"approval by '{by}': {why}")
    detail = "; ".join(reasons) or "no approval of the new roster"
    return [f"{rel}: the board changed since {base} without an approval by a member of the roster at {base} ({detail}); "
            f"a member runs: medkb approve-board --as MEMBER --key KEY"]


def plan_board_approval(layout: SiteLayout, member_id: str, key: Path, base: str, on: dt.date) -> tuple[bytes, str]:
    """``board.yml``'s new bytes with ``member_id``'s signed approval of the current roster, and its digest.

    Raises :class:`WorkflowError` or :class:`FrontMatterError` when refused.
    """
    if layout.board is None:
        raise WorkflowError("the site has no medkb/review plugin, so no board")
    rel = layout.display(layout.board)
    raw = layout.board.read_bytes()
    board = load_board(layout.board, rel, layout.rules.require_signatures)
    old_text = _roster_at(layout, base, rel)
    old: Board = parse_board(old_text, f"{base}:{rel}", layout.rules.require_signatures) if old_text is not None else board
    if old.get(member_id) is None:
        raise WorkflowError(f"'{member_id}' is not on the roster at {base}; only existing members approve a new roster")
    digest = board.digest()
    signature = ssh_sign(board_message(member_id, on, digest), key)
    why = ssh_verify(board_message(member_id, on, digest), signature, member_id, old)
    if why is not None:
        raise WorkflowError(f"{why}: --key is not the key the roster at {base} lists for '{member_id}'")
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    top_keys = re.findall(r"^([A-Za-z_][\w-]*):", text, re.MULTILINE)
    if board.approvals and top_keys[-1:] != ["approvals"]:
        raise WorkflowError("'approvals:' must be the last key of the file to add an approval")
    lines = [] if board.approvals else ["approvals:"]
    lines += history_record_lines("board", member_id, on, digest, "", signature, "  ")
    if not text.endswith(newline):
        text += newline
    data = (raw[:3] if raw.startswith(b"\xef\xbb\xbf") else b"") + (text + newline.join(lines) + newline).encode()
    return data, digest
