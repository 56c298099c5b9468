"""The article pipeline as pure functions: digest, history checks, review state, assessment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import TEST_BOARD, article
from medkb.articles.model import parse_article
from medkb.review.assess import ReviewRules, assess_article, content_digest, shown_front_matter
from medkb.review.board import parse_board
from medkb.review.signatures import ssh_sign
from medkb.review.workflow import Effective, HistoryEntry, approval_message, check_history, last_submitter, parse_history

TODAY = dt.date(2026, 1, 10)
BOARD = parse_board(TEST_BOARD, "board.yml", require_keys=True)
UNSIGNED = ReviewRules(require_signatures=False)


def _article(history: list[dict[str, str]], status: str = "approved", body: str = "## A\n\nText.\n", **extra: object):
    return parse_article(article(status=status, body=body, review={"status": status, "updated": "2026-01-02", "history": history}, **extra), "a.md")


def _history(digest: str, approver: str = "reviewer") -> list[dict[str, str]]:
    return [
        {"status": "submitted", "by": "editor", "on": "2026-01-01"},
        {"status": "under-review", "by": "reviewer", "on": "2026-01-02"},
        {"status": "approved", "by": approver, "on": "2026-01-03", "digest": digest},
    ]


def test_content_digest_covers_front_matter_body_and_cited_entries_not_line_endings() -> None:
    shown = {"title": "Q?", "description": "A.", "tags": ["T"]}
    base = content_digest(shown, "Body\n", ["entry-a"])
    assert base.startswith("sha256:") and len(base) == len("sha256:") + 64
    assert content_digest(shown, "Body\r\n", ["entry-a"]) == base
    assert content_digest(shown, "\nBody\n\n", ["entry-a"]) == base
    assert content_digest(dict(reversed(list(shown.items()))), "Body\n", ["entry-a"]) == base
    assert content_digest({**shown, "title": "Q!"}, "Body\n", ["entry-a"]) != base
    assert content_digest({**shown, "description": "B."}, "Body\n", ["entry-a"]) != base
    assert content_digest({**shown, "tags": ["T", "U"]}, "Body\n", ["entry-a"]) != base
    assert content_digest({**shown, "hide": ["toc"]}, "Body\n", ["entry-a"]) != base
    assert content_digest(shown, "Body.\n", ["entry-a"]) != base
    assert content_digest(shown, "Body\n", ["entry-b"]) != base
    assert content_digest(shown, "Body\n", ["x", "y"]) == content_digest(shown, "Body\n", ["y", "x"])


def test_review_block_is_outside_the_digest_and_the_rest_inside() -> None:
    art = _article(_history("sha256:0"), description="An answer.")
    shown = shown_front_matter(art)
    assert "review" not in shown and shown["description"] == "An answer." and shown["title"] == art.title


def test_assess_approves_the_text_its_digest_names() -> None:
    probe = _article(_history("sha256:0"))
    digest = content_digest(shown_front_matter(probe), probe.body, [])
    report = assess_article(_article(_history(digest)), [], BOARD, UNSIGNED, today=TODAY)
    assert report.digest == digest
    assert report.state.effective is Effective.APPROVED
    assert report.problems == []


def test_assess_marks_changed_text_and_sources_as_pending() -> None:
    probe = _article(_history("sha256:0"))
    digest = content_digest(shown_front_matter(probe), probe.body, [])
    changed = _article(_history(digest), body="## A\n\nText, edited.\n")
    report = assess_article(changed, [], BOARD, UNSIGNED, today=TODAY)
    assert report.state.effective is Effective.CHANGES_PENDING
    assert [str(p) for p in report.problems] == [
        "a.md:4: the text or its cited sources changed since approval: move the article to under-review "
        "(medkb review ARTICLE --to under-review) or have a board member approve it again"
    ]
    # A cited entry that changed counts too; an unknown key (None) is left out.
    assert assess_article(_article(_history(digest)), ["entry"], BOARD, UNSIGNED, today=TODAY).state.effective is Effective.CHANGES_PENDING
    assert assess_article(_article(_history(digest)), [None], BOARD, UNSIGNED, today=TODAY).state.effective is Effective.APPROVED


def test_assess_reports_front_matter_warnings_first_with_lines() -> None:
    report = assess_article(_article(_history("sha256:0"), reivew="x"), [], BOARD, UNSIGNED, today=TODAY)
    assert str(report.problems[0]).startswith("a.md:") and "unknown front matter key 'reivew'" in str(report.problems[0])
    assert report.state.effective is Effective.CHANGES_PENDING


def test_signed_approval_verifies_with_the_members_key(tmp_path: Path) -> None:
    key = Path(__file__).resolve().parents[1] / "fixtures" / "demo-board-keys" / "a.moreno"
    probe = _article(_history("sha256:0"))
    digest = content_digest(shown_front_matter(probe), probe.body, [])
    signature = ssh_sign(approval_message("approved", "reviewer", dt.date(2026, 1, 3), digest), key)
    history = _history(digest)
    history[-1]["signature"] = signature
    signed = assess_article(_article(history), [], BOARD, ReviewRules(), today=TODAY)
    assert signed.state.effective is Effective.APPROVED
    history[-1]["on"] = "2026-01-04"  # the signed record said the 3rd
    forged = assess_article(_article(history), [], BOARD, ReviewRules(), today=TODAY)
    assert forged.state.effective is Effective.UNDER_REVIEW
    assert "the signature does not verify as reviewer's key" in " ".join(str(p) for p in forged.problems)


def test_approvals_required_counts_distinct_members() -> None:
    probe = _article(_history("sha256:0"))
    digest = content_digest(shown_front_matter(probe), probe.body, [])
    history = _history(digest) + [{"status": "approved", "by": "reviewer", "on": "2026-01-04", "digest": digest}]
    report = assess_article(_article(history), [], BOARD, ReviewRules(require_signatures=False, approvals_required=2), today=TODAY)
    assert report.state.effective is Effective.UNDER_REVIEW
    assert "it has 1 of the 2 valid approvals it needs" in str(report.problems[-1])


def _entry(status: str, by: str, on: str, line: int) -> HistoryEntry:
    return HistoryEntry(status, by, dt.date.fromisoformat(on), line)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([_entry("under-review", "reviewer", "2026-01-01", 7)], "history must start with 'submitted', not 'under-review'"),
        ([_entry("submitted", "e", "2026-01-02", 7), _entry("under-review", "reviewer", "2026-01-01", 10)], "history is out of order"),
        ([_entry("submitted", "e", "2026-01-01", 7), _entry("approved", "reviewer", "2026-01-02", 10)], "illegal transition submitted → approved"),
        ([_entry("submitted", "e", "2026-01-01", 7), _entry("returned", "reviewer", "2026-01-02", 10)], "illegal transition submitted → returned"),
        ([_entry("submitted", "e", "2026-01-01", 7), _entry("under-review", "r", "2026-01-02", 8), _entry("submitted", "r", "2026-01-03", 10)],
         "change this record's status to returned"),
        ([_entry("submitted", "e", "2026-02-01", 7)], "history date 2026-02-01 is in the future"),
    ],
)
def test_check_history_names_the_line_and_the_rule(entries: list[HistoryEntry], message: str) -> None:
    problems = check_history(entries, BOARD, TODAY)
    assert any(message in text and line == entries[-1].line for line, text in problems), problems


def test_history_records_parse_with_their_lines_and_last_submitter() -> None:
    art = _article(_history("sha256:1"))
    entries, problems = parse_history(art)
    assert problems == []
    assert [(e.status, e.by) for e in entries] == [("submitted", "editor"), ("under-review", "reviewer"), ("approved", "reviewer")]
    assert all(isinstance(e.line, int) for e in entries)
    assert last_submitter(entries) == "editor"


def test_one_key_listed_for_two_members_is_an_error() -> None:
    key = TEST_BOARD.split("key: ", 1)[1].strip()
    twice = TEST_BOARD + f"  - id: other\n    name: O Ther\n    key: {key} other@example\n"
    with pytest.raises(Exception) as e:
        parse_board(twice, "board.yml")
    assert str(e.value) == "board.yml:7: member 'other' has the same key as 'reviewer'; each member signs with a key of their own"


def test_only_each_members_latest_approval_counts() -> None:
    old = _article(_history("sha256:0"))
    old_digest = content_digest(shown_front_matter(old), old.body, [])
    # The member approved this text, then approved other text: restoring the first does not approve.
    history = _history(old_digest) + [{"status": "approved", "by": "reviewer", "on": "2026-01-04", "digest": "sha256:" + "1" * 64}]
    assert assess_article(_article(history), [], BOARD, UNSIGNED, today=TODAY).state.effective is Effective.CHANGES_PENDING


def test_affiliation_and_disclosures_are_read_and_bad_ones_named() -> None:
    board = parse_board(TEST_BOARD.rstrip("\n") + "\n    affiliation: Example Hospital\n    disclosures: [Speaker fees, Grant]\n", "board.yml")
    member = board.get("reviewer")
    assert member is not None and member.affiliation == "Example Hospital" and member.disclosures == ("Speaker fees", "Grant")
    assert parse_board(TEST_BOARD.rstrip("\n") + "\n    disclosures: []\n", "board.yml").get("reviewer").disclosures == ()  # type: ignore[union-attr]
    assert parse_board(TEST_BOARD, "board.yml").get("reviewer").disclosures is None  # type: ignore[union-attr]
    with pytest.raises(Exception) as e:
        parse_board(TEST_BOARD.rstrip("\n") + "\n    disclosures: none\n", "board.yml")
    assert str(e.value) == (
        "board.yml:2: member 'reviewer': 'disclosures' is 'none'; it must be a list of text "
        "(one line per interest declared; [] when the member declared none)"
    )
