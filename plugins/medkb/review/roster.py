"""Changes to what decides approval: the board roster and the site's governed files.

A pull request must not add its own reviewer, lower the bar
(``require_signatures: false``) or change the theme to say "Approved": a
change to any governed file (:mod:`medkb.review.governance`) since the base
revision needs approvals of that change, signed by as many members of the
roster at the base revision (read with ``git show``) as the base's
``approvals_required``. An approval signs the new state's digest *and* the
digest of the base state it changes from (``from:``, which covers the base's
earlier approvals too), so an old approval cannot be replayed to restore an
older state; approval records are only ever added. Nothing here loads
``mkdocs.yml`` through MkDocs, so a pull request's hooks do not run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

from medkb.articles.frontmatter import FrontMatterError
from medkb.articles.model import MARKDOWN_SUFFIXES
from medkb.review.board import Board, parse_board
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
from medkb.review.workflow import WorkflowError


def board_message(by: str, on: dt.date, digest: str, base: str) -> bytes:
    """What a member signs to approve the change of the board and the governed files from the state ``base`` to ``digest``."""
    return f"medkb-board-approval-v2\nstatus: board\nby: {by}\non: {on.isoformat()}\nfrom: {base}\ndigest: {digest}\n".encode()


def _records(board: Board) -> list[str]:
    """The board's approval records, comparable across files (parsed values, keys sorted)."""
    return [json.dumps(a, sort_keys=True, default=str, ensure_ascii=False) for a in board.approvals]


def base_state_digest(before: dict[str, str], base_board: Board) -> str:
    """The ``from:`` of an approval: the governed state at the base, and the approvals recorded there.

    The approvals make each base distinct even when a later change restores
    an earlier roster or setting, so an approval of a change from that earlier
    state does not apply again.
    """
    approvals = "sha256:" + hashlib.sha256("\n".join(_records(base_board)).encode()).hexdigest()
    return governance_digest({**before, "board approvals": approvals})


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
    problems = []
    old_records, new_records = _records(old), _records(new)
    if new_records[: len(old_records)] != old_records:
        first = next((i for i, r in enumerate(old_records) if i >= len(new_records) or new_records[i] != r), 0)
        problems.append(f"{now.board}: approvals changed since {base} (approvals[{first}] is removed or changed): "
                        f"records are only ever added; restore them")
    differences = changed(before, after)
    if not differences:
        return problems
    digest, frm = governance_digest(after), base_state_digest(before, old)
    needed = then.approvals_required
    reasons, approved = [], []
    for approval in new.approvals:
        by, on, sig, dig, since = (str(approval.get(k) or "") for k in ("by", "on", "signature", "digest", "from"))
        if dig != digest or str(approval.get("status") or "") != "board":
            continue
        if since != frm:
            reasons.append(f"approval by '{by}' on {on} is of a change from another state than {base}'s (an old approval cannot be reused)")
            continue
        if old.get(by) is None:
            reasons.append(f"approval by '{by}', who is not on the roster at {base}")
            continue
        try:
            on_date = dt.date.fromisoformat(on)
        except ValueError:
            reasons.append(f"approval by '{by}' has no valid date")
            continue
        why = ssh_verify(board_message(by, on_date, digest, frm), sig, by, old)
        if why is not None:
            reasons.append(f"approval by '{by}': {why}")
        elif by not in approved:
            approved.append(by)
    if len(approved) >= needed:
        return problems
    if approved:
        reasons.insert(0, f"approved by {len(approved)} of the {needed} members required at {base} ({', '.join(approved)})")
    detail = "; ".join(reasons) or "no approval of the new state"
    what = "the board" if differences == [now.board] else "the board or the site's governed settings (" + ", ".join(differences) + ")"
    who = "a member" if needed == 1 else f"{needed} different members"
    problems.append(f"{now.board}: {what} changed since {base} without an approval by {who} of the roster at {base} ({detail}); "
                    f"a member runs: medkb approve-board --as MEMBER --key KEY --base {base}")
    return problems


def plan_board_approval(config_file: Path, member_id: str, key: Path, base: str, on: dt.date) -> tuple[Path, bytes, str]:
    """``board.yml`` (path, new bytes) with ``member_id``'s signed approval of the change from ``base`` to the current governed state, and its digest.

    Raises :class:`WorkflowError`, :class:`GovernanceError` or :class:`FrontMatterError` when refused.
    """
    config_file = config_file.resolve()
    root = config_file.parent
    now = _governed_now(config_file)
    board_file = root / now.board
    raw = board_file.read_bytes()
    board = parse_board(raw.decode("utf-8-sig"), now.board, False)
    require_revision(root, base)
    then = _governed_at(config_file, base)
    at_base = _board_at(root, then, base) if then is not None else None
    old = at_base or board
    if old.get(member_id) is None:
        raise WorkflowError(f"'{member_id}' is not on the roster at {base}; only existing members approve a new roster")
    digest = governance_digest(snapshot(root, now))
    # Without settings and a roster at the base nothing can be verified (medkb verify says why); sign what there is.
    frm = base_state_digest(snapshot(root, then, base), at_base) if then is not None and at_base is not None else "none"
    message = board_message(member_id, on, digest, frm)
    signature = ssh_sign(message, key)
    why = ssh_verify(message, signature, member_id, old)
    if why is not None:
        raise WorkflowError(f"{why}: --key is not the key the roster at {base} lists for '{member_id}'")
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
    top_keys = re.findall(r"^([A-Za-z_][\w-]*):", text, re.MULTILINE)
    if board.approvals and top_keys[-1:] != ["approvals"]:
        raise WorkflowError("'approvals:' must be the last key of the file to add an approval")
    lines = [] if board.approvals else ["approvals:"]
    lines += ["  - status: board", f"    by: {member_id}", f"    on: {on.isoformat()}", f"    from: {frm}", f"    digest: {digest}", "    signature: |"]
    lines += [f"      {part}" for part in signature.strip().splitlines()]
    if not text.endswith(newline):
        text += newline
    data = (raw[:3] if raw.startswith(b"\xef\xbb\xbf") else b"") + (text + newline.join(lines) + newline).encode()
    return board_file, data, digest


_RECORD_FIELDS = ("status", "by", "on", "digest", "signature", "note")
#: Every suffix MkDocs may treat as Markdown (more than the site uses is harmless: the check only compares histories).
_MARKDOWN = MARKDOWN_SUFFIXES


def _history(raw: bytes, path: str) -> list[tuple[str, ...]] | None:
    """An article's review history records (the compared fields as text), or ``None`` when it cannot be read."""
    from medkb.articles.frontmatter import decode_source
    from medkb.articles.model import parse_article

    try:
        article = parse_article(decode_source(raw, path), path)
    except (FrontMatterError, ValueError):
        return None
    return [tuple("" if r.get(k) is None else str(r.get(k)).strip() for k in _RECORD_FIELDS) for r in article.review.history]


def _describe(record: tuple[str, ...]) -> str:
    status, by, on = record[:3]
    return f"{status} by {by or '?'} on {on or '?'}"


def verify_histories_kept(config_file: Path, base: str) -> list[str]:
    """Problems with articles whose review history lost or changed records since ``base``.

    A history is append-only: restoring an older approved version of an
    article (whose old approval still verifies) would show readers text the
    board later corrected. Every article at ``base`` (under its new name when
    renamed; a deleted one is fine) must still begin with the base's records.
    A new article may not carry a base article's records unless it begins
    with all of them (a copy of the current version, not of an older one).
    """
    import subprocess

    config_file = config_file.resolve()
    root = config_file.parent
    try:
        require_revision(root, base)
    except GovernanceError as e:
        return [str(e)]
    then = _governed_at(config_file, base)
    if then is None:
        return []  # verify_trusted_change names the missing settings
    folder = str(Path(then.docs_dir) / then.articles_dir) if then.articles_dir.strip("/") else then.docs_dir

    def git(*args: str) -> bytes:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False).stdout

    listed = [p for p in git("ls-tree", "-r", "-z", "--name-only", base, "--", folder).decode("utf-8", "surrogateescape").split("\0") if p.lower().endswith(_MARKDOWN)]
    renamed: dict[str, str] = {}
    fields = git("diff", "--no-ext-diff", "--find-renames", "--name-status", "-z", "--relative", base).decode("utf-8", "surrogateescape").split("\0")
    i = 0
    while i < len(fields) - 1:
        status = fields[i]
        if status.startswith(("R", "C")):
            if status.startswith("R"):
                renamed[fields[i + 1]] = fields[i + 2]
            i += 3
        else:
            i += 2
    problems: list[str] = []
    compared: set[str] = set()
    by_signature: dict[str, tuple[str, list[tuple[str, ...]]]] = {}
    for old_path in listed:
        old = _history(git("show", f"{base}:./{old_path}"), old_path)
        if not old:
            continue
        for record in old:
            if record[4]:
                by_signature.setdefault(record[4], (old_path, old))
        path = renamed.get(old_path, old_path)
        file = root / path
        if not file.is_file():
            continue  # deleted
        compared.add(path)
        new = _history(file.read_bytes(), path)
        if new is None:
            continue  # medkb check reports an unreadable article
        if new[: len(old)] != old:
            first = next(n for n, r in enumerate(old) if n >= len(new) or new[n] != r)
            where = f" (renamed from {old_path})" if path != old_path else ""
            problems.append(f"{path}{where}: review history changed since {base}: records are only ever added; restore them "
                            f"(review.history[{first}], {_describe(old[first])}, is removed or changed)")
    try:
        now = _governed_now(config_file)
    except GovernanceError as e:
        return [*problems, str(e)]
    current = root / now.docs_dir / now.articles_dir if now.articles_dir.strip("/") else root / now.docs_dir
    for file in sorted(current.rglob("*")) if current.is_dir() else []:
        if not file.is_file() or not file.name.lower().endswith(_MARKDOWN):
            continue
        path = file.relative_to(root).as_posix()
        if path in compared:
            continue
        new = _history(file.read_bytes(), path) or []
        source = next((by_signature[r[4]] for r in new if r[4] in by_signature), None)
        if source is not None and new[: len(source[1])] != source[1]:
            problems.append(f"{path}: its review history copies records of {source[0]} at {base} but not all of them: "
                            f"an older version of an article cannot come back under another name; records are only ever added")
    return problems
