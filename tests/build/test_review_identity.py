"""Who did what in a review history: members by id or e-mail, returns, members who left (issue 13).

Real ``ssh-keygen`` keys, real files, real builds.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import build_site, write_site
from medkb.articles.model import parse_article
from medkb.cli import main
from medkb.review.board import BoardError, parse_board

BIB = "@article{src, title={Source}, journal={J}, year={2020}}\n"
BODY = "## Answer\n\nA claim [@src].\n"
ARTICLE = "content/articles/a.md"




def pub(keys: dict[str, Path], name: str) -> str:
    return " ".join(keys[name].with_suffix(".pub").read_text().split()[:2])


def board_yaml(keys: dict[str, Path], members: tuple[str, ...] = ("alice", "bob", "carol")) -> str:
    """The board; alice lists two e-mails."""
    text = "members:\n"
    for name in members:
        text += f"  - id: {name}\n    name: {name.title()} Example\n    credentials: MD\n    key: {pub(keys, name)}\n"
        if name == "alice":
            text += "    emails: [alice@example.org, a.example@hospital.example]\n"
    return text


def history(*records: tuple[str, str, str]) -> str:
    return "".join(f"    - status: {s}\n      by: {b}\n      on: {o}\n" for s, b, o in records)


def article(status: str, records: str) -> str:
    return f"---\ntitle: Is the claim true?\nreview:\n  status: {status}\n  updated: 2025-01-02\n  history:\n{records}---\n\n{BODY}"


@pytest.fixture
def site(tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    text = article("under-review", history(("submitted", "editor@example.org", "2025-01-02"), ("under-review", "carol", "2025-01-03")))
    write_site(tmp_path, {"articles/a.md": text}, bib=BIB, board=board_yaml(keys))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def review(*args: str) -> int:
    return main(["review", ARTICLE, *args])


def approve(keys: dict[str, Path], who: str, date: str = "2025-01-05") -> int:
    return review("--to", "approved", "--as", who, "--key", str(keys[who]), "--date", date)


def status_of(root: Path, strict: bool = False) -> str:
    return build_site(root, strict=strict).soup("articles/a").select_one(".kb-review")["data-kb-status"]


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def records(root: Path) -> list[tuple[str, str]]:
    art = parse_article((root / ARTICLE).read_text(), "a.md")
    return [(str(h["status"]), str(h["by"])) for h in art.review.history]


def forge_approval(root: Path, keys: dict[str, Path], named: str, signer: str, on: dt.date = dt.date(2025, 1, 5)) -> None:
    """An approval record written by hand, in ``named``'s name, signed with ``signer``'s real key."""
    from medkb.review.edit import apply_review_edit
    from medkb.review.signatures import ssh_sign
    from medkb.review.workflow import approval_message
    from medkb.site import assess_file, load_layout, site_board, site_catalog

    path = root / ARTICLE
    art = parse_article(path.read_text(), "a.md")
    layout = load_layout(root / "mkdocs.yml")
    board = site_board(layout)
    assert board is not None
    digest = assess_file(art, path, layout, site_catalog(layout), board, on)[0].digest
    signature = ssh_sign(approval_message("approved", named, on, digest), keys[signer])
    record = {"status": "approved", "by": named, "on": on.isoformat(), "digest": digest, "signature": signature}
    data, _ = apply_review_edit(path.read_bytes(), "a.md", status="approved", updated=on, record=record)
    path.write_bytes(data)


# -- self-approval is refused by member, whatever name the submission used --


@pytest.mark.parametrize("submitted_as", ["alice@example.org", "Alice@Example.ORG", "a.example@hospital.example", "alice"])
def test_self_approval_by_email_is_refused(tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str], submitted_as: str) -> None:
    write_site(tmp_path, {}, bib=BIB, board=board_yaml(keys))
    monkeypatch.chdir(tmp_path)
    assert main(["new", "Is the claim true?", "--by", submitted_as, "--date", "2025-01-02"]) == 0
    path = "content/articles/is-the-claim-true.md"
    capsys.readouterr()
    assert main(["review", path, "--to", "under-review", "--as", "bob", "--date", "2025-01-03"]) == 0
    before = Path(path).read_bytes()
    assert main(["review", path, "--to", "approved", "--as", "alice", "--key", str(keys["alice"]), "--date", "2025-01-04"]) == 1
    err = capsys.readouterr().err
    assert "'alice' submitted this text" in err and "may not approve it (no self-approval)" in err
    if submitted_as != "alice":
        assert f"(as '{submitted_as}')" in err
    assert Path(path).read_bytes() == before
    # Another member may.
    assert main(["review", path, "--to", "approved", "--as", "bob", "--key", str(keys["bob"]), "--date", "2025-01-04"]) == 0


def test_self_approval_by_email_written_by_hand_does_not_count(tmp_path: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    text = article("under-review", history(("submitted", "ALICE@example.org", "2025-01-02"), ("under-review", "bob", "2025-01-03")))
    write_site(tmp_path, {"articles/a.md": text}, bib=BIB, board=board_yaml(keys))
    forge_approval(tmp_path, keys, named="alice", signer="alice")  # a real signature by alice
    assert status_of(tmp_path) == "under-review"
    assert any("'alice' submitted this text (as 'ALICE@example.org') and may not approve it" in w for w in warnings(caplog))
    with pytest.raises(Abort):
        build_site(tmp_path, strict=True)


def test_review_as_an_email_records_the_member_id(site: Path, keys: dict[str, Path]) -> None:
    assert review("--to", "approved", "--as", "alice@example.org", "--key", str(keys["alice"]), "--date", "2025-01-05") == 0
    assert records(site)[-1] == ("approved", "alice")
    assert status_of(site, strict=True) == "approved"


def test_an_approval_naming_a_members_email_counts_once_for_that_member(site: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    path = site / "mkdocs.yml"
    path.write_text(path.read_text().replace("- medkb/review\n", "- medkb/review:\n    approvals_required: 2\n"))
    assert approve(keys, "alice") == 0
    # A second, validly signed approval by the same person under her e-mail.
    forge_approval(site, keys, named="alice@example.org", signer="alice", on=dt.date(2025, 1, 6))
    assert records(site)[-2:] == [("approved", "alice"), ("approved", "alice@example.org")]
    assert status_of(site) == "under-review"
    assert any("it has 1 of the 2 valid approvals it needs" in w for w in warnings(caplog))
    # A second member makes two.
    assert approve(keys, "bob", date="2025-01-07") == 0
    soup = build_site(site, strict=True).soup("articles/a")
    assert soup.select_one(".kb-review")["data-kb-status"] == "approved"


# -- returning an article is its own record; the reviewer who returned it may approve it --


@pytest.mark.parametrize("word", ["submitted", "returned"])
def test_reviewer_who_returned_an_article_can_approve_it_later(site: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str], word: str) -> None:
    assert review("--to", word, "--as", "carol", "--note", "Cite the 2024 guideline.", "--date", "2025-01-04") == 0
    assert capsys.readouterr().out.strip() == f"content/articles/a.md: under-review -> {word}{' (returned)' if word == 'submitted' else ''} by carol on 2025-01-04"
    art = parse_article((site / ARTICLE).read_text(), "a.md")
    assert art.review.status.value == "submitted"
    assert {k: v for k, v in art.review.history[-1].items() if k != "digest"} == {
        "status": "returned", "by": "carol", "on": "2025-01-04", "note": "Cite the 2024 guideline."
    }
    assert status_of(site, strict=True) == "submitted"
    # Only under-review may follow a return, as after a submission.
    assert review("--to", "approved", "--as", "carol", "--key", str(keys["carol"]), "--date", "2025-01-05") == 1
    assert "cannot move from submitted to approved; allowed from submitted: under-review" in capsys.readouterr().err
    assert review("--to", "returned", "--as", "carol", "--date", "2025-01-05") == 1
    assert "cannot move from submitted to returned" in capsys.readouterr().err
    assert review("--to", "under-review", "--as", "bob", "--date", "2025-01-05") == 0
    # Carol returned it; she did not submit it: she may approve.
    assert approve(keys, "carol", date="2025-01-06") == 0
    assert [s for s, _ in records(site)] == ["submitted", "under-review", "returned", "under-review", "approved"]
    assert status_of(site, strict=True) == "approved"


def test_returned_from_approved_is_refused(site: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert approve(keys, "bob") == 0
    before = (site / ARTICLE).read_bytes()
    assert review("--to", "returned", "--as", "alice", "--date", "2025-01-06") == 1
    assert "cannot move from approved to returned; allowed from approved: approved, under-review" in capsys.readouterr().err
    assert (site / ARTICLE).read_bytes() == before


def test_a_return_written_as_submitted_is_an_illegal_transition_with_a_hint(tmp_path: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    old = history(("submitted", "editor", "2025-01-02"), ("under-review", "carol", "2025-01-03"), ("submitted", "carol", "2025-01-04"))
    write_site(tmp_path, {"articles/a.md": article("submitted", old)}, bib=BIB, board=board_yaml(keys))
    with pytest.raises(Abort):
        build_site(tmp_path, strict=True)
    assert any("illegal transition under-review → submitted" in w and "change this record's status to returned" in w for w in warnings(caplog))
    path = tmp_path / ARTICLE
    path.write_text(path.read_text().replace("    - status: submitted\n      by: carol", "    - status: returned\n      by: carol"))
    assert status_of(tmp_path, strict=True) == "submitted"


# -- members who leave the board --


def test_removing_a_member_who_only_moved_the_article_along_keeps_the_build(site: Path, keys: dict[str, Path]) -> None:
    assert review("--to", "returned", "--as", "carol", "--date", "2025-01-04") == 0
    assert review("--to", "under-review", "--as", "carol", "--date", "2025-01-05") == 0
    assert approve(keys, "bob", date="2025-01-06") == 0
    (site / "board.yml").write_text(board_yaml(keys, members=("alice", "bob")))  # carol leaves
    soup = build_site(site, strict=True).soup("articles/a")
    assert soup.select_one(".kb-review")["data-kb-status"] == "approved"
    assert main(["check", "--no-build"]) == 0


def test_removing_the_approver_unapproves_with_a_warning_naming_them(site: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert approve(keys, "bob") == 0
    assert status_of(site, strict=True) == "approved"
    (site / "board.yml").write_text(board_yaml(keys, members=("alice", "carol")))  # bob leaves
    caplog.clear()
    soup = build_site(site, strict=False).soup("articles/a")
    assert soup.select_one(".kb-review")["data-kb-status"] == "under-review"
    assert soup.select_one(".kb-pending-banner") is not None
    assert any(
        "approval by 'bob' does not count: 'bob' is not a member of the board (board.yml); an approval counts only while its member is on the board" in w
        for w in warnings(caplog)
    ), warnings(caplog)
    with pytest.raises(Abort):
        build_site(site, strict=True)
    assert main(["check", "--no-build"]) == 1
    assert "approval by 'bob' does not count" in capsys.readouterr().out
    # A current member's approval restores it; bob's record stays as history.
    assert review("--to", "under-review", "--as", "alice", "--date", "2025-01-06") == 0
    assert approve(keys, "alice", date="2025-01-07") == 0
    assert status_of(site, strict=True) == "approved"


def test_an_approval_by_a_removed_member_is_not_reported_when_others_suffice(site: Path, keys: dict[str, Path]) -> None:
    assert approve(keys, "bob") == 0
    assert approve(keys, "alice", date="2025-01-06") == 0
    (site / "board.yml").write_text(board_yaml(keys, members=("alice", "carol")))  # bob leaves
    assert status_of(site, strict=True) == "approved"


# -- board.yml: e-mails --


@pytest.mark.parametrize(
    ("emails", "needle"),
    [
        ("emails: alice@example.org", "'emails' must be a list of e-mail addresses"),
        ("emails: [alice]", "'alice' in 'emails' is not an e-mail address"),
        ("emails: ['alice @example.org']", "is not an e-mail address"),
        ("emails: ['<alice@example.org>']", "is not an e-mail address"),
        ("emails: [a@example.org, A@EXAMPLE.org]", "e-mail 'A@EXAMPLE.org' is listed twice for this member"),
        ("emails: [bob@example.org]", "member 'alice': e-mail 'bob@example.org' is listed also for member 'bob'"),
        ("emails: ['']", "'emails' is empty"),
    ],
)
def test_bad_member_emails(emails: str, needle: str) -> None:
    board = (
        "members:\n"
        "  - {id: bob, name: Bob, key: ssh-ed25519 AAAB, emails: [bob@example.org]}\n"
        f"  - {{id: alice, name: Alice, key: ssh-ed25519 AAAA, {emails}}}\n"
    )
    with pytest.raises(BoardError, match=re.escape(needle)):
        parse_board(board, "board.yml")


def test_member_emails_name_the_member_and_are_in_the_roster_digest() -> None:
    plain = "members:\n  - {id: alice, name: Alice, key: ssh-ed25519 AAAA}\n"
    listed = "members:\n  - {id: alice, name: Alice, key: ssh-ed25519 AAAA, emails: [Alice@Example.org]}\n"
    board = parse_board(listed, "board.yml")
    assert board.members["alice"].emails == ("Alice@Example.org",)
    assert board.member_for("alice@example.ORG") is board.members["alice"]
    assert board.member_for("alice") is board.members["alice"]
    assert board.member_for("bob@example.org") is None
    # Dropping an e-mail changes what the board must approve (medkb verify);
    # a roster without e-mails keeps the digest it had before they existed.
    assert parse_board(plain, "board.yml").digest() != board.digest()
    assert parse_board(plain, "board.yml").digest() == parse_board(plain.replace("}", ", emails: []}"), "board.yml").digest()
