"""The review workflow's rules as pure functions: identities, returns, members who left (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import article
from medkb.articles.model import parse_article
from medkb.review.assess import ReviewRules, assess_article
from medkb.review.board import parse_board
from medkb.review.workflow import Effective, WorkflowError, identity, last_submitter, parse_history, record_kind, review_state

TODAY = dt.date(2026, 1, 10)
BOARD = parse_board(
    "members:\n"
    "  - {id: rea, name: Rea, emails: [Rea@Example.org]}\n"
    "  - {id: sam, name: Sam}\n",
    "board.yml",
    require_keys=False,
)


def _article(history: list[dict[str, str]], status: str):
    return parse_article(article(status=status, review={"status": status, "updated": "2026-01-02", "history": history}), "a.md")


def _digest(history: list[dict[str, str]], status: str) -> str:
    return assess_article(_article(history, status), [], BOARD, ReviewRules(require_signatures=False), today=TODAY).digest


def _state(history: list[dict[str, str]], status: str, **rules: object):
    digest = _digest(history, status)
    for record in history:
        if record["status"] == "approved":
            record.setdefault("digest", digest)
    return review_state(_article(history, status), BOARD, digest, today=TODAY, require_signatures=False, **rules)  # type: ignore[arg-type]


def test_identity_maps_ids_and_emails_to_the_member() -> None:
    assert identity("rea", BOARD) == identity("rea@example.ORG", BOARD) == identity(" Rea@Example.org ", BOARD) == "rea"
    assert identity("Editor@Example.org", BOARD) == "editor@example.org"
    assert identity("editor", BOARD) == "editor"


@pytest.mark.parametrize(
    ("current", "target", "kind"),
    [("under-review", "submitted", "returned"), ("under-review", "returned", "returned"), ("submitted", "under-review", "under-review"),
     ("approved", "approved", "approved"), ("approved", "under-review", "under-review")],
)
def test_record_kind(current: str, target: str, kind: str) -> None:
    assert record_kind(current, target) == kind


@pytest.mark.parametrize(("current", "target"), [("submitted", "submitted"), ("submitted", "returned"), ("approved", "returned"), ("submitted", "approved")])
def test_record_kind_refuses(current: str, target: str) -> None:
    with pytest.raises(WorkflowError, match=f"cannot move from {current} to {target}"):
        record_kind(current, target)


def test_a_return_is_not_a_submission() -> None:
    history = [
        {"status": "submitted", "by": "editor", "on": "2026-01-01"},
        {"status": "under-review", "by": "rea", "on": "2026-01-02"},
        {"status": "returned", "by": "rea", "on": "2026-01-03"},
        {"status": "under-review", "by": "sam", "on": "2026-01-04"},
        {"status": "approved", "by": "rea", "on": "2026-01-05"},
    ]
    entries, problems = parse_history(_article(history, "approved"))
    assert problems == [] and last_submitter(entries) == "editor"
    state = _state(history, "approved")
    assert state.effective is Effective.APPROVED and state.problems == []
    returned = _state(history[:3], "submitted")
    assert returned.effective is Effective.SUBMITTED and returned.problems == []


def test_self_approval_by_email_does_not_count() -> None:
    history = [
        {"status": "submitted", "by": "REA@example.org", "on": "2026-01-01"},
        {"status": "under-review", "by": "sam", "on": "2026-01-02"},
        {"status": "approved", "by": "rea", "on": "2026-01-03"},
    ]
    state = _state(history, "approved")
    assert state.effective is Effective.UNDER_REVIEW
    assert any("'rea' submitted this text (as 'REA@example.org') and may not approve it" in m for _, m in state.problems)


def test_approvals_by_id_and_email_are_one_member() -> None:
    history = [
        {"status": "submitted", "by": "editor", "on": "2026-01-01"},
        {"status": "under-review", "by": "sam", "on": "2026-01-02"},
        {"status": "approved", "by": "rea", "on": "2026-01-03"},
        {"status": "approved", "by": "rea@example.org", "on": "2026-01-04"},
    ]
    state = _state(history, "approved", approvals_required=2)
    assert state.effective is Effective.UNDER_REVIEW
    assert "it has 1 of the 2 valid approvals it needs" in state.problems[-1][1]
    one = _state(history, "approved")
    assert [a.by for a in one.approvals] == ["rea"]  # readers see member ids


def test_movers_who_left_are_history_approvers_who_left_do_not_count() -> None:
    history = [
        {"status": "submitted", "by": "editor", "on": "2026-01-01"},
        {"status": "under-review", "by": "gone", "on": "2026-01-02"},
        {"status": "returned", "by": "gone", "on": "2026-01-03"},
        {"status": "under-review", "by": "gone", "on": "2026-01-04"},
        {"status": "approved", "by": "sam", "on": "2026-01-05"},
    ]
    assert _state([dict(r) for r in history], "approved").problems == []
    history[-1]["by"] = "gone"
    state = _state(history, "approved")
    assert state.effective is Effective.UNDER_REVIEW
    assert any("approval by 'gone' does not count: 'gone' is not a member of the board (board.yml)" in m for _, m in state.problems)
