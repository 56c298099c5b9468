"""The review workflow with real SSH keys, real files and real builds."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Callable

import pytest
from bs4 import BeautifulSoup
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from conftest import LATEST, BuiltSite, build_site, write_site
from medkb.articles.model import parse_article
from medkb.cli import main
from medkb.review.board import BoardError, parse_board

Make = Callable[..., BuiltSite]
BIB = "@article{src, title={Source}, journal={J}, year={2020}}\n"
BODY = "## Answer\n\nA claim [@src].\n"




def board_yaml(keys: dict[str, Path], **overrides: str) -> str:
    def pub(name: str) -> str:
        return " ".join(keys[name].with_suffix(".pub").read_text().split()[:2])

    alice = overrides.get("alice_name", "Alice Adams")
    return (
        "members:\n"
        f"  - id: alice\n    name: {alice}\n    credentials: {overrides.get('alice_credentials', 'MD')}\n    role: Chair\n    key: {pub('alice')}\n"
        f"  - id: bob\n    name: Bob Brown\n    credentials: PharmD\n    role: Reviewer\n    key: {pub('bob')}\n"
    )


def submitted(status: str = "under-review", extra_history: str = "") -> str:
    history = "    - status: submitted\n      by: editor\n      on: 2025-01-02\n"
    if status != "submitted":
        history += "    - status: under-review\n      by: alice\n      on: 2025-01-03\n"
    return (
        "---\ntitle: Is the claim true?\nreview:\n"
        f"  status: {status}\n  updated: 2025-01-02\n  history:\n{history}{extra_history}---\n\n{BODY}"
    )


@pytest.fixture
def site(tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    # publish: latest: an edit of approved text is published as it is (no git
    # history here); tests/build/test_stable_versions.py builds the default.
    write_site(tmp_path, {"articles/a.md": submitted()}, bib=BIB, board=board_yaml(keys), config=LATEST)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def review(*args: str) -> int:
    return main(["review", "content/articles/a.md", *args])


def approve(keys: dict[str, Path], who: str = "bob", key: str | None = None, date: str = "2025-01-05") -> int:
    return review("--to", "approved", "--as", who, "--key", str(keys[key or who]), "--date", date)


def status_of(root: Path, strict: bool = False) -> str:
    return build_site(root, strict=strict).soup("articles/a").select_one(".kb-review")["data-kb-status"]


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def test_approval_by_a_board_member_is_approved(site: Path, keys: dict[str, Path]) -> None:
    before = (site / "content/articles/a.md").read_bytes()
    assert approve(keys) == 0
    after = (site / "content/articles/a.md").read_bytes()
    # Only the status and updated lines change; the record is appended.
    old, new = before.decode().splitlines(), after.decode().splitlines()
    ops = [op for op in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes() if op[0] != "equal"]
    assert [(tag, old[i1:i2], [line.strip() for line in new[j1:j2]][:4]) for tag, i1, i2, j1, j2 in ops] == [
        ("replace", ["  status: under-review", "  updated: 2025-01-02"], ["status: approved", "updated: 2025-01-05"]),
        ("insert", [], ["- status: approved", "by: bob", "on: 2025-01-05", new[ops[1][3] + 3].strip()]),
    ]
    assert after.endswith(before[before.index(b"---\n\n## Answer"):])
    soup = build_site(site, strict=True).soup("articles/a")
    header = soup.select_one(".kb-review")
    assert header["data-kb-status"] == "approved"
    assert soup.select_one(".kb-pending-banner") is None
    assert "Reviewed by Bob Brown, PharmD on January 5, 2025" in " ".join(header.get_text().split())
    assert header.select_one(".kb-reviewed-by a")["href"] == "../../board/#member-bob"
    board = build_site(site, strict=False).soup("board")
    assert [a.get_text() for a in board.select("#member-bob a")] == ["Is the claim true?"]


def test_hand_written_approved_is_not_approved(site: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = site / "content/articles/a.md"
    path.write_text(path.read_text().replace("status: under-review", "status: approved", 1))
    with pytest.raises(Abort):
        build_site(site, strict=True)
    assert any("says approved but the history has no approval" in w for w in warnings(caplog))
    assert status_of(site) == "under-review"


def test_edit_after_approval_is_changes_pending(site: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    assert approve(keys) == 0
    path = site / "content/articles/a.md"
    path.write_text(path.read_text().replace("A claim", "A stronger claim"))
    with pytest.raises(Abort):
        build_site(site, strict=True)
    assert any("changed since approval" in w and "medkb review ARTICLE --to under-review" in w for w in warnings(caplog))
    soup = build_site(site, strict=False).soup("articles/a")
    assert soup.select_one(".kb-review")["data-kb-status"] == "changes-pending"
    assert soup.select_one(".kb-changes-pending").get_text() == "Changes pending review"
    assert soup.select_one(".kb-pending-banner") is not None
    # The way out: back to review, then a fresh approval.
    assert review("--to", "under-review", "--as", "alice", "--date", "2025-01-06") == 0
    assert approve(keys, date="2025-01-07") == 0
    assert status_of(site, strict=True) == "approved"


def test_cited_entry_edited_after_approval(site: Path, keys: dict[str, Path]) -> None:
    assert approve(keys) == 0
    (site / "references.bib").write_text(BIB.replace("year={2020}", "year={2021}"))
    assert status_of(site) == "changes-pending"


def test_pure_rename_keeps_the_approval(site: Path, keys: dict[str, Path]) -> None:
    assert approve(keys) == 0
    (site / "content/articles/a.md").rename(site / "content/articles/renamed.md")
    soup = build_site(site, strict=True).soup("articles/renamed")
    assert soup.select_one(".kb-review")["data-kb-status"] == "approved"


def test_key_not_on_the_board_is_refused(site: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert approve(keys, who="bob", key="mallory") == 1
    assert "is not the key board.yml lists for 'bob'" in capsys.readouterr().err
    assert "status: under-review" in (site / "content/articles/a.md").read_text()


def forge(site: Path, keys: dict[str, Path], signer: str, named: str) -> None:
    """Write an approval record by hand: signed with ``signer``'s key, naming ``named``."""
    from medkb.review.edit import apply_review_edit
    from medkb.review.signatures import ssh_sign
    from medkb.review.workflow import approval_message
    from medkb.site import assess_file, load_layout, site_board, site_catalog

    path = site / "content/articles/a.md"
    art = parse_article(path.read_text(), "a.md")
    layout = load_layout(site / "mkdocs.yml")
    board = site_board(layout)
    assert board is not None
    digest = assess_file(art, path, layout, site_catalog(layout), board, dt.date(2025, 1, 5))[0].digest
    on = dt.date(2025, 1, 5)
    signature = ssh_sign(approval_message("approved", named, on, digest), keys[signer])
    record = {"status": "approved", "by": named, "on": on.isoformat(), "digest": digest, "signature": signature}
    data, _ = apply_review_edit(path.read_bytes(), "a.md", status="approved", updated=on, record=record)
    path.write_bytes(data)


def test_signature_by_an_outsider_key(site: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    forge(site, keys, signer="mallory", named="bob")
    assert status_of(site) == "under-review"
    assert any("approval by 'bob': the signature does not verify as bob's key" in w for w in warnings(caplog))


def test_board_key_naming_another_member(site: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    forge(site, keys, signer="alice", named="bob")
    assert status_of(site) == "under-review"
    assert any("does not verify as bob's key" in w for w in warnings(caplog))


@pytest.mark.parametrize("damage", ["truncate", "garble"])
def test_malformed_signature(site: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture, damage: str) -> None:
    assert approve(keys) == 0
    path = site / "content/articles/a.md"
    text = path.read_text()
    if damage == "truncate":
        text = re.sub(r"\n *-----END SSH SIGNATURE-----", "", text)
    else:
        start = text.index("-----BEGIN SSH SIGNATURE-----") + 40
        text = text[:start] + ("A" if text[start] != "A" else "B") + text[start + 1 :]
    path.write_text(text)
    assert status_of(site) == "under-review"
    assert any("approval by 'bob'" in w for w in warnings(caplog))


def test_self_approval_is_refused(tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    text = submitted().replace("by: editor", "by: bob", 1)
    write_site(tmp_path, {"articles/a.md": text}, bib=BIB, board=board_yaml(keys))
    monkeypatch.chdir(tmp_path)
    assert approve(keys) == 1
    assert "'bob' submitted this text and may not approve it" in capsys.readouterr().err


def test_self_approval_written_by_hand_does_not_count(tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    text = submitted().replace("by: editor", "by: bob", 1)
    write_site(tmp_path, {"articles/a.md": text}, bib=BIB, board=board_yaml(keys))
    forge(tmp_path, keys, signer="bob", named="bob")
    assert status_of(tmp_path) == "under-review"
    assert any("'bob' submitted this text and may not approve it" in w for w in warnings(caplog))


def test_non_member_and_illegal_transition(site: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert review("--to", "approved", "--as", "mallory", "--key", str(keys["mallory"])) == 1
    assert "'mallory' is not a member of the board" in capsys.readouterr().err
    assert approve(keys) == 0
    assert review("--to", "submitted", "--as", "alice") == 1
    assert "cannot move from approved to submitted; allowed from approved: approved, under-review" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("    - status: approved\n      by: carol\n      on: 2025-01-04\n", "'carol' is not a member of the board"),
        ("    - status: approved\n      by: bob\n      on: 2999-01-01\n", "history date 2999-01-01 is in the future"),
        ("    - status: approved\n      by: bob\n      on: 2025-01-01\n", "is before the submission"),
        ("    - status: submitted\n      by: editor\n      on: 2024-12-01\n", "history is out of order"),
        ("    - status: under-review\n      by: alice\n      on: 2025-01-04\n", "illegal transition under-review → under-review"),
    ],
)
def test_bad_history(tmp_path: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture, extra: str, needle: str) -> None:
    status = "approved" if "approved" in extra else "submitted" if "submitted" in extra else "under-review"
    write_site(tmp_path, {"articles/a.md": submitted(status, extra)}, bib=BIB, board=board_yaml(keys))
    with pytest.raises(Abort):
        build_site(tmp_path, strict=True)
    assert any(needle in w for w in warnings(caplog)), warnings(caplog)


@pytest.mark.parametrize(
    ("board", "needle"),
    [
        ("members:\n  - {id: a, name: A, key: ssh-ed25519 AAAA}\n  - {id: a, name: B, key: ssh-ed25519 AAAB}\n", "duplicate member id 'a'"),
        ("members:\n  - {id: a, name: A}\n", "member 'a' has no 'key'"),
        ("members:\n  - {id: '*', name: Anyone, key: ssh-ed25519 AAAA}\n", "member id '*' must be lowercase"),
        ("members:\n  - {id: 'a,b', name: Two, key: ssh-ed25519 AAAA}\n", "no wildcards or spaces"),
        ("members:\n  - {id: a, name: \"Eve\\u202eM\", key: ssh-ed25519 AAAA}\n", "control character U+202E"),
        ("members:\n  - {id: a, name: A, key: not-a-key}\n", "is not an SSH public key line"),
    ],
)
def test_bad_board(board: str, needle: str) -> None:
    with pytest.raises(BoardError, match=re.escape(needle)):
        parse_board(board, "board.yml")


def test_html_in_names_notes_and_credentials_is_escaped(tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    board = board_yaml(keys, alice_name='"<script>alert(1)</script>"', alice_credentials='"<b>MD</b>"')
    write_site(tmp_path, {"articles/a.md": submitted()}, bib=BIB, board=board)
    monkeypatch.chdir(tmp_path)
    assert review("--to", "submitted", "--as", "alice", "--note", "<img src=x onerror=alert(1)>", "--date", "2025-01-04") == 0
    site = build_site(tmp_path, strict=True)
    html = site.html("board")
    assert "<script>alert(1)" not in html and "<b>MD</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in site.html("articles/a")


def test_byte_exact_edit_keeps_crlf_bom_and_comments(site: Path, keys: dict[str, Path]) -> None:
    path = site / "content/articles/a.md"
    text = path.read_text().replace("title: Is the claim true?", "title: Is the claim true?  # the question")
    original = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    path.write_bytes(original)
    assert approve(keys) == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert b"title: Is the claim true?  # the question\r\n" in data
    assert data.endswith(original[original.index(b"---\r\n\r\n## Answer"):])
    assert not list(path.parent.glob(".*tmp"))
    assert parse_article(data.decode("utf-8-sig").replace("\r\n", "\n"), "a.md").review.status.value == "approved"


def test_flow_style_review_is_refused_not_mangled(site: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = site / "content/articles/a.md"
    path.write_text("---\ntitle: T\nreview: {status: under-review, updated: 2025-01-02}\n---\n\n" + BODY)
    before = path.read_bytes()
    assert review("--to", "submitted", "--as", "alice") == 1
    assert path.read_bytes() == before


def test_digest_only_mode(tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    config = {"plugins": ["medkb/search", {"medkb/review": {"require_signatures": False}}, "medkb/citations", "medkb/audience", "medkb/disclaimer"]}
    write_site(tmp_path, {"articles/a.md": submitted()}, config=config, bib=BIB, board="members:\n  - {id: alice, name: Alice}\n  - {id: bob, name: Bob}\n")
    monkeypatch.chdir(tmp_path)
    assert review("--to", "approved", "--as", "bob", "--date", "2025-01-05") == 0
    assert status_of(tmp_path, strict=True) == "approved"


def test_overdue_review(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = site / "content/articles/a.md"
    path.write_text(path.read_text().replace("  updated: 2025-01-02\n", "  updated: 2025-01-02\n  due: 2025-06-01\n"))
    soup = build_site(site, strict=True).soup("articles/a")
    assert soup.select_one(".kb-due--overdue").get_text(" ", strip=True) == "Review overdue since June 1, 2025"
    assert main(["check", "--no-build"]) == 0
    assert "warning: review overdue since 2025-06-01" in capsys.readouterr().out


def test_verify_refuses_a_board_change_without_approval(site: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    git = lambda *a: subprocess.run(["git", *a], cwd=site, check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    # A pull request that adds its own reviewer.
    board = site / "board.yml"
    pub = " ".join(keys["mallory"].with_suffix(".pub").read_text().split()[:2])
    board.write_text(board.read_text() + f"  - id: mallory\n    name: Mal Lory\n    key: {pub}\n")
    assert main(["verify", "--base", "HEAD"]) == 1
    assert "board.yml: the board changed since HEAD without an approval" in capsys.readouterr().out
    # Mallory cannot approve her own addition...
    assert main(["approve-board", "--as", "mallory", "--key", str(keys["mallory"])]) == 1
    assert "'mallory' is not on the roster at HEAD" in capsys.readouterr().err
    # ...a member of the roster at HEAD can.
    assert main(["approve-board", "--as", "alice", "--key", str(keys["alice"])]) == 0
    assert main(["verify", "--base", "HEAD"]) == 0


def test_a_forged_verified_approvals_cache_does_not_approve(site: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    import json

    from medkb.review.signatures import verification_key
    from medkb.review.workflow import parse_history

    # Mallory's signature in bob's name, and the "already verified" entry
    # for it that the old verified-approvals cache would have trusted.
    forge(site, keys, signer="mallory", named="bob")
    entry = parse_history(parse_article((site / "content/articles/a.md").read_text(), "a.md"))[0][-1]
    board = parse_board((site / "board.yml").read_text(), "board.yml")
    forged = verification_key(entry.message(), entry.signature, "bob", board)
    cache = site / ".cache" / "medkb" / "verified-approvals.json"
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps([forged]))
    assert status_of(site) == "under-review"
    assert any("approval by 'bob': the signature does not verify as bob's key" in w for w in warnings(caplog))
    # Nothing about signatures is written either: the file is as forged, and alone.
    assert json.loads(cache.read_text()) == [forged]
    assert [p.name for p in cache.parent.iterdir()] == ["verified-approvals.json"]


def test_a_valid_approval_writes_no_cache(site: Path, keys: dict[str, Path]) -> None:
    assert approve(keys) == 0
    assert status_of(site, strict=True) == "approved"
    assert status_of(site, strict=True) == "approved"
    assert not (site / ".cache").exists()


def test_new_article_through_the_whole_workflow(site: Path, keys: dict[str, Path]) -> None:
    assert main(["new", "Does the new article pass review?", "--by", "editor@example.org", "--date", "2025-01-04"]) == 0
    path = "content/articles/does-the-new-article-pass-review.md"
    assert main(["review", path, "--to", "under-review", "--as", "alice", "--date", "2025-01-05"]) == 0
    assert main(["review", path, "--to", "approved", "--as", "bob", "--key", str(keys["bob"]), "--date", "2025-01-06"]) == 0
    assert main(["check", "--no-build"]) == 0
    soup = build_site(site, strict=True).soup("articles/does-the-new-article-pass-review")
    assert soup.select_one(".kb-review")["data-kb-status"] == "approved"


def test_generated_pages_need_no_nav_entry(tmp_path: Path, keys: dict[str, Path]) -> None:
    write_site(tmp_path, {"articles/a.md": submitted()}, config={"nav": ["index.md", "articles/a.md"]}, bib=BIB, board=board_yaml(keys))
    site = build_site(tmp_path, strict=True)
    assert site.soup("board").select(".kb-board__member")
    assert site.soup("review-queue").select(".kb-article-list li")


def test_approval_of_an_article_with_its_own_bibliography(tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    text = submitted().replace("title: Is the claim true?\n", "title: Is the claim true?\nbibliography: [local.bib]\n")
    text = text.replace("A claim [@src].", "A claim [@src] and [@local].")
    write_site(tmp_path, {"articles/a.md": text}, config={"exclude_docs": "*.bib", **LATEST}, bib=BIB, board=board_yaml(keys))
    (tmp_path / "content/articles/local.bib").write_text("@book{local, title={Local}, year={2001}}\n")
    monkeypatch.chdir(tmp_path)
    assert approve(keys) == 0
    assert status_of(tmp_path, strict=True) == "approved"
    (tmp_path / "content/articles/local.bib").write_text("@book{local, title={Local, revised}, year={2001}}\n")
    assert status_of(tmp_path) == "changes-pending"


def test_dirty_rebuild_lists_the_articles_it_did_not_render(site: Path, keys: dict[str, Path]) -> None:
    # mkdocs serve --dirty renders only changed files; the review queue, board
    # and browse lists still show every article with its right status.
    assert approve(keys) == 0
    (site / "content/articles/b.md").write_text(submitted("submitted").replace("Is the claim true?", "Is the second claim true?"))
    build_site(site, strict=True)
    page_a = site / "site/articles/a/index.html"
    before = page_a.stat().st_mtime_ns
    b = site / "content/articles/b.md"
    b.write_text(b.read_text().replace("A claim", "A revised claim"))
    later = time.time() + 5
    os.utime(b, (later, later))
    # Not strict: MkDocs warns that every dirty build may have stale links.
    mkdocs_build(load_config(str(site / "mkdocs.yml")), dirty=True)
    assert page_a.stat().st_mtime_ns == before  # not rendered again
    assert "A revised claim" in (site / "site/articles/b/index.html").read_text()
    soup = BeautifulSoup((site / "site/review-queue/index.html").read_text(), "html.parser")
    rows = {a.get_text(strip=True): a.find_parent("li").select_one(".kb-badge").get_text(strip=True) for a in soup.select(".kb-article-list > li > a")}
    assert rows == {"Is the claim true?": "Approved", "Is the second claim true?": "Submitted"}
    board = BeautifulSoup((site / "site/board/index.html").read_text(), "html.parser")
    assert [a.get_text() for a in board.select("#member-bob a")] == ["Is the claim true?"]
    az = BeautifulSoup((site / "site/browse/a-z/index.html").read_text(), "html.parser")
    assert len(az.select(".kb-article-list > li")) == 2
