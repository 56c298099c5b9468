"""The approval workflow: digests, SSH signatures, history and effective status.

An approval is a history record ``{status: approved, by, on, digest,
signature}``. ``digest`` (computed by :mod:`medkb.review.assess`) covers the
article's title, its body (LF line endings) and the BibTeX entries it cites; ``signature`` is an SSH signature
(``ssh-keygen -Y sign``, namespace ``medkb-approval``) by the member's key
over the record. The status a reader sees is derived from these, never
taken from the front matter alone.

People in the history are compared as members (:func:`identity`): a ``by:``
that is a member's id or one of the member's ``emails`` in ``board.yml`` is
that member. A ``returned`` record (a reviewer sent the article back to its
editor; ``review.status`` becomes ``submitted``) is not a submission: the
reviewer who returned it may approve it later. Only approvals are checked
against the current roster: a record that moved an article along stays valid
history when its member leaves the board, but an approval counts only while
its member is on the board.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field, replace
from enum import Enum

from medkb.articles.model import Article, parse_date
from medkb.articles.frontmatter import FrontMatterError, Value
from medkb.review.board import Board, Member
from medkb.review.signatures import ssh_verify

#: The kinds of history record; ``returned`` sets ``review.status`` to ``submitted``.
RECORD_KINDS = ("submitted", "under-review", "approved", "returned")

#: Allowed moves between history records (``returned`` behaves as ``submitted``).
TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"under-review"}),
    "returned": frozenset({"under-review"}),
    "under-review": frozenset({"approved", "returned"}),
    "approved": frozenset({"under-review", "approved"}),
}


def status_after(kind: str) -> str:
    """The ``review.status`` a history record of this kind leaves the article in."""
    return "submitted" if kind == "returned" else kind


def identity(who: str, board: Board) -> str:
    """Who a history ``by:`` is: a member's id (by id or e-mail), else the text itself (e-mails in any case)."""
    member = board.member_for(who)
    if member is not None:
        return member.id
    return who.strip().casefold() if "@" in who else who.strip()


class Effective(str, Enum):
    """What the reader is told."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under-review"
    APPROVED = "approved"
    CHANGES_PENDING = "changes-pending"


class WorkflowError(ValueError):
    """A refused review action, with what to do instead."""


@dataclass(frozen=True)
class HistoryEntry:
    """One validated ``review.history`` record."""

    status: str
    by: str
    on: dt.date
    line: int | None
    note: str = ""
    digest: str = ""
    signature: str = ""

    def message(self) -> bytes:
        """The bytes an approval's signature covers."""
        return approval_message(self.status, self.by, self.on, self.digest, self.note)


@dataclass
class ReviewState:
    """The derived review state of one article."""

    effective: Effective
    history: list[HistoryEntry]
    problems: list[tuple[int | None, str]] = field(default_factory=list)
    approvals: list[HistoryEntry] = field(default_factory=list)
    """Approvals valid for the current text."""
    reviewed_by: Member | None = None
    reviewed_on: dt.date | None = None
    due: dt.date | None = None
    overdue: bool = False
    pending_problem: tuple[int | None, str] | None = None
    """The problem "changed since approval" among ``problems``: a normal state, not an error, when the
    approved version is published instead."""


def approval_message(status: str, by: str, on: dt.date, digest: str, note: str = "") -> bytes:
    """Canonical text of a history record, as signed."""
    return (
        "medkb-approval-v1\n"
        f"status: {status}\nby: {by}\non: {on.isoformat()}\ndigest: {digest}\nnote: {json.dumps(note, ensure_ascii=False)}\n"
    ).encode()


def parse_history(article: Article) -> tuple[list[HistoryEntry], list[tuple[int | None, str]]]:
    """Validate the records of ``review.history``; problems are ``(line, message)``."""
    entries: list[HistoryEntry] = []
    problems: list[tuple[int | None, str]] = []
    fm = article.front_matter
    for index, raw in enumerate(article.review.history):
        base = f"review.history[{index}]"
        line = fm.line_of(f"{base}.status") or fm.line_of("review.history")
        status = raw.get("status")
        if status not in RECORD_KINDS:
            problems.append((line, f"{base}.status: {status!r} is not a history record; allowed: {', '.join(RECORD_KINDS)}"))
            continue
        by = raw.get("by")
        if not isinstance(by, str) or not by.strip():
            problems.append((line, f"{base}: missing 'by' (who made this change)"))
            continue
        try:
            on = parse_date(raw.get("on"), f"{base}.on", article.path, fm.line_of(f"{base}.on"))
        except FrontMatterError as e:
            problems.append((e.line, e.message))
            continue
        entries.append(
            HistoryEntry(
                status=str(status),
                by=by.strip(),
                on=on,
                line=line,
                note=_str(raw.get("note")),
                digest=_str(raw.get("digest")),
                signature=_str(raw.get("signature")),
            )
        )
    return entries, problems


def _str(value: Value) -> str:
    return value.strip() if isinstance(value, str) else ""


def check_history(entries: list[HistoryEntry], board: Board, today: dt.date) -> list[tuple[int | None, str]]:
    """Order, transitions and dates of the history.

    Members are not checked here: who moved an article along is history even
    after they leave the board; approvals are checked against the current
    roster where they count (:func:`approval_problem`). ``board`` is kept for
    callers.
    """
    problems: list[tuple[int | None, str]] = []
    previous: HistoryEntry | None = None
    submitted_on: dt.date | None = None
    for entry in entries:
        if entry.on > today:
            problems.append((entry.line, f"history date {entry.on} is in the future"))
        if previous is None:
            if entry.status != "submitted":
                problems.append((entry.line, f"history must start with 'submitted', not {entry.status!r}"))
        else:
            if entry.on < previous.on:
                problems.append((entry.line, f"history is out of order: {entry.on} comes after {previous.on}"))
            if entry.status not in TRANSITIONS[previous.status]:
                hint = ""
                if previous.status == "under-review" and entry.status == "submitted":
                    hint = " (a return to the editor is recorded as 'returned': change this record's status to returned)"
                problems.append(
                    (entry.line, f"illegal transition {previous.status} → {entry.status}; allowed from {previous.status}: "
                     + ", ".join(sorted(TRANSITIONS[previous.status])) + hint)
                )
        if entry.status == "submitted":
            submitted_on = entry.on
        if entry.status == "approved" and submitted_on is not None and entry.on < submitted_on:
            problems.append((entry.line, f"approval dated {entry.on} is before the submission on {submitted_on}"))
        previous = entry
    return problems


def last_submitter(entries: list[HistoryEntry]) -> str | None:
    """Who submitted the text under review, as written (self-approval is refused for them).

    A ``returned`` record is not a submission. Compare with :func:`identity`.
    """
    for entry in reversed(entries):
        if entry.status == "submitted":
            return entry.by
    return None


def approval_problem(
    entry: HistoryEntry,
    entries: list[HistoryEntry],
    board: Board,
    digest: str | None,
    require_signatures: bool,
    verified: set[str] | None = None,
) -> str | None:
    """Why an approval record does not approve the text of ``digest``, or ``None``.

    ``removed`` (a reason starting ``"removed:"``) means its member is not on
    the current board: the approval does not count. ``digest`` ``None``:
    whether the approval is valid for the text it names.
    """
    member = board.member_for(entry.by)
    if member is None:
        return (f"removed: approval by '{entry.by}' does not count: '{entry.by}' is not a member of the board ({board.path}); "
                "an approval counts only while its member is on the board")
    earlier = entries[: next(i for i, e in enumerate(entries) if e is entry)]
    if any(e.status == "approved" and e.message() == entry.message() for e in earlier):
        # A signature covers the record, not its place: a copy appended later
        # would bring back the text of an approval since replaced.
        return (f"approval by '{entry.by}' on {entry.on} repeats an earlier approval record word for word; a copy "
                "cannot approve again: a board member approves anew with medkb review")
    submitter = last_submitter(earlier)
    if submitter is not None and identity(submitter, board) == member.id:
        alias = "" if submitter == entry.by else f" (as '{submitter}')"
        return f"'{entry.by}' submitted this text{alias} and may not approve it (no self-approval)"
    if require_signatures:
        if not entry.signature:
            return f"approval by '{entry.by}' has no signature"
        # The record signed names ``by`` as written; the key is the member's.
        why = ssh_verify(entry.message(), entry.signature, member.id, board, verified)
        if why is not None:
            return f"approval by '{entry.by}': {why}"
    if digest is not None and entry.digest != digest:
        return "changed"
    return None


def latest_approval_run(entries: list[HistoryEntry], board: Board, *, trailing: bool = False) -> list[HistoryEntry]:
    """The approvals that count: the last run of consecutive approvals, each member's latest only.

    ``trailing``: only a run that ends the history (the article is approved
    now); otherwise the last run anywhere (its text may since have been
    moved back under review). Only each member's latest approval counts: an
    older one that still matches would approve text the member later
    replaced (a rollback).
    """
    end = len(entries)
    if not trailing:
        while end and entries[end - 1].status != "approved":
            end -= 1
    start = end
    while start and entries[start - 1].status == "approved":
        start -= 1
    run = entries[start:end]
    latest_of: dict[str, int] = {}
    for index, entry in enumerate(run):
        member = board.member_for(entry.by)
        latest_of[member.id if member is not None else f"\0{index}"] = index
    return [run[i] for i in sorted(latest_of.values())]


@dataclass(frozen=True)
class ApprovedText:
    """The text the board last approved: its digest and the approvals (by member id) that approve it."""

    digest: str
    approvals: list[HistoryEntry]


def approved_text(
    article: Article, board: Board, *, require_signatures: bool = True, approvals_required: int = 1,
    verified: set[str] | None = None,
) -> ApprovedText | None:
    """What the last run of approvals approves, whatever the current text and status; ``None`` if nothing.

    Each member's latest approval in the run counts once. It fails closed:
    when one of those approvals does not hold (a bad signature, the
    submitter's own, a record repeating an earlier one), nothing is approved
    — an earlier approval of the same member never stands in for it, so a
    forged record cannot bring back text the member replaced. Approvals by
    people not on the board are ignored. Several digests may each have
    enough approvals: the one approved last wins. :func:`approval_problems`
    says what does not hold.
    """
    entries, _ = parse_history(article)
    by_digest: dict[str, dict[str, HistoryEntry]] = {}
    for entry in latest_approval_run(entries, board):
        why = _approval_holds(entry, entries, board, require_signatures, verified)
        if why is not None:
            if why.startswith("removed: "):
                continue
            return None
        member = board.member_for(entry.by)
        assert member is not None
        by_digest.setdefault(entry.digest, {})[member.id] = replace(entry, by=member.id)
    enough = [(max(e.on for e in v.values()), digest, list(v.values())) for digest, v in by_digest.items() if len(v) >= approvals_required]
    if not enough:
        return None
    # The latest date, then the latest in the record (dict order is history order).
    _, digest, approvals = max(enumerate(enough), key=lambda item: (item[1][0], item[0]))[1]
    return ApprovedText(digest, approvals)


def approval_problems(article: Article, board: Board, *, require_signatures: bool = True, verified: set[str] | None = None) -> list[tuple[int | None, str]]:
    """Why approvals of the last run do not hold, as ``(line, message)`` (members who left the board aside)."""
    entries, _ = parse_history(article)
    problems = []
    for entry in latest_approval_run(entries, board):
        why = _approval_holds(entry, entries, board, require_signatures, verified)
        if why is not None and not why.startswith("removed: "):
            problems.append((entry.line, why))
    return problems


def _approval_holds(
    entry: HistoryEntry, entries: list[HistoryEntry], board: Board, require_signatures: bool, verified: set[str] | None,
) -> str | None:
    if not entry.digest:
        return f"approval by '{entry.by}' has no digest"
    return approval_problem(entry, entries, board, None, require_signatures, verified)


def review_state(
    article: Article,
    board: Board,
    digest: str,
    *,
    today: dt.date | None = None,
    require_signatures: bool = True,
    approvals_required: int = 1,
    verified: set[str] | None = None,
) -> ReviewState:
    """Derive what readers are told from the front matter, history and board."""
    today = today or dt.date.today()
    entries, problems = parse_history(article)
    problems += check_history(entries, board, today)
    claimed = article.review.status.value
    status_line = article.front_matter.line_of("review.status")
    state = ReviewState(Effective(claimed) if claimed != "approved" else Effective.UNDER_REVIEW, entries, problems)
    state.due = article.review.due
    state.overdue = state.due is not None and state.due < today
    if entries and status_after(entries[-1].status) != claimed:
        problems.append((status_line, f"review.status is {claimed!r} but the last history entry is {entries[-1].status!r}; change it with medkb review"))
    if claimed != "approved":
        return state
    # The approvals after the last move away from approved count.
    run = latest_approval_run(entries, board, trailing=True)
    if not run:
        problems.append((status_line, "review.status says approved but the history has no approval; only a board member can approve (medkb review --to approved)"))
        return state
    valid: dict[str, HistoryEntry] = {}
    removed: list[tuple[int | None, str]] = []
    stale = False
    for entry in run:
        why = approval_problem(entry, entries, board, digest, require_signatures, verified)
        if why is None:
            # One member, one approval, whichever of their names it used;
            # readers of ``approvals`` see member ids.
            member = board.member_for(entry.by)
            assert member is not None
            valid[member.id] = replace(entry, by=member.id)  # the latest approval of each member
        elif why == "changed":
            stale = True
        elif why.startswith("removed: "):
            removed.append((entry.line, why.removeprefix("removed: ")))
        else:
            problems.append((entry.line, why))
    if len(valid) < approvals_required:
        # Named only where it matters: the article is not approved without it.
        problems.extend(removed)
    if len(valid) >= approvals_required:
        state.effective = Effective.APPROVED
        state.approvals = list(valid.values())
        latest = max(state.approvals, key=lambda e: e.on)
        state.reviewed_by, state.reviewed_on = board.get(latest.by), latest.on
    elif stale:
        state.effective = Effective.CHANGES_PENDING
        state.pending_problem = (
            status_line, "the text or its cited sources changed since approval: move the article to under-review "
            "(medkb review ARTICLE --to under-review) or have a board member approve it again"
        )
        problems.append(state.pending_problem)
    else:
        needed = f"{approvals_required} valid approval{'s' if approvals_required > 1 else ''}"
        problems.append((status_line, f"review.status says approved but it has {len(valid)} of the {needed} it needs"))
    return state


def record_kind(current: str, target: str) -> str:
    """The history record ``medkb review --to target`` writes from ``review.status`` ``current``.

    ``--to submitted`` (or ``returned``) from under-review returns the article
    to its editor: a ``returned`` record. Raises :class:`WorkflowError` for a
    move the workflow does not allow.
    """
    kind = "returned" if target in ("submitted", "returned") and current == "under-review" else target
    check_transition(current, kind, target)
    return kind


def check_transition(current: str, target: str, shown: str | None = None) -> None:
    """Refuse a move the workflow does not allow (``current`` is a status or a record kind)."""
    allowed_kinds = TRANSITIONS.get(current, frozenset())
    if target not in allowed_kinds:
        allowed = ", ".join(sorted("submitted (returned)" if k == "returned" else k for k in allowed_kinds)) or "none"
        raise WorkflowError(f"cannot move from {current} to {shown or target}; allowed from {current}: {allowed}")


def today_utc() -> dt.date:
    """Today's date (UTC), or ``MEDKB_TODAY`` (YYYY-MM-DD) for reproducible runs."""
    fixed = os.environ.get("MEDKB_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.datetime.now(dt.timezone.utc).date()
