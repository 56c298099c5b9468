"""Changes to what decides approval: the board roster and the site's governed files.

A pull request must not add its own reviewer, lower the bar
(``require_signatures: false``) or change the theme to say "Approved": a
change to any governed file (:mod:`medkb.review.governance`) since the base
revision needs an approval of the new state's digest, signed by a member of
the roster at the base revision (read with ``git show``). Nothing here
loads ``mkdocs.yml`` through MkDocs, so a pull request's hooks do not run.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from medkb.articles.frontmatter import FrontMatterError
from medkb.review.board import Board, parse_board
from medkb.review.edit import history_record_lines
from medkb.review.governance import (
    Governed,
    GovernanceError,
    changed,
    governance_digest,
    read_governed,
    require_revision,
    snapshot,
)
from medkb.review.signatures import ssh_sign, ssh_verify
from medkb.review.workflow import WorkflowError, approval_message


def board_message(by: str, on: dt.date, digest: str) -> bytes:
    """What a member signs to approve the board and the governed files."""
    return approval_message("board", by, on, digest)


def _governed_now(config_file: Path) -> Governed:
    root = config_file.parent
    try:
        text = config_file.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise GovernanceError(f"{config_file.name}: cannot read ({e.strerror})") from None
    return read_governed(text, config_file.name, lambda rel: (root / rel).read_text(encoding="utf-8-sig"))


def _governed_at(config_file: Path, base: str) -> Governed | None:
    import subprocess

    root = config_file.parent

    def show(rel: str) -> str:
        out = subprocess.run(["git", "-C", str(root), "show", f"{base}:./{rel}"], capture_output=True, text=True)
        if out.returncode != 0:
            raise GovernanceError(f"{rel}: not in {base}")
        return out.stdout

    try:
        return read_governed(show(config_file.name), config_file.name, show)
    except GovernanceError:
        return None


def _board_at(root: Path, governed: Governed, base: str) -> Board | None:
    import subprocess

    shown = subprocess.run(["git", "-C", str(root), "show", f"{base}:./{governed.board}"], capture_output=True, text=True)
    if shown.returncode != 0:
        return None
    return parse_board(shown.stdout, f"{base}:{governed.board}", False)


def verify_trusted_change(config_file: Path, base: str) -> list[str]:
    """Problems with a change to the board or the governed files since ``base`` (a git revision)."""
    config_file = config_file.resolve()
    root = config_file.parent
    try:
        require_revision(root, base)
        now = _governed_now(config_file)
        then = _governed_at(config_file, base)
        if then is None:
            return [f"{config_file.name}: not in {base}; the site's settings must exist in the base revision to be compared"]
        old = _board_at(root, then, base)
        if old is None:
            return [f"{then.board}: not in {base}; a new board cannot be approved by a roster that did not exist (start the board in its own reviewed commit)"]
        before, after = snapshot(root, then, base), snapshot(root, now)
        new = parse_board((root / now.board).read_text(encoding="utf-8-sig"), now.board, False)
    except (GovernanceError, FrontMatterError, OSError) as e:
        return [str(e)]
    differences = changed(before, after)
    if not differences:
        return []
    digest = governance_digest(after)
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
    detail = "; ".join(reasons) or "no approval of the new state"
    what = "the board" if differences == [now.board] else "the board or the site's governed settings (" + ", ".join(differences) + ")"
    return [f"{now.board}: {what} changed since {base} without an approval by a member of the roster at {base} ({detail}); "
            f"a member runs: medkb approve-board --as MEMBER --key KEY"]


def plan_board_approval(config_file: Path, member_id: str, key: Path, base: str, on: dt.date) -> tuple[Path, bytes, str]:
    """``board.yml`` (path, new bytes) with ``member_id``'s signed approval of the current governed state, and its digest.

    Raises :class:`WorkflowError`, :class:`GovernanceError` or :class:`FrontMatterError` when refused.
    """
    config_file = config_file.resolve()
    root = config_file.parent
    now = _governed_now(config_file)
    board_file = root / now.board
    raw = board_file.read_bytes()
    board = parse_board(raw.decode("utf-8-sig"), now.board, False)
    then = _governed_at(config_file, base)
    old = (_board_at(root, then, base) if then is not None else None) or board
    if old.get(member_id) is None:
        raise WorkflowError(f"'{member_id}' is not on the roster at {base}; only existing members approve a new roster")
    digest = governance_digest(snapshot(root, now))
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
    return board_file, data, digest
