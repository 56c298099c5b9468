"""Stable versions as plain functions: which text is approved, git history read, changes compared (issue 14)."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
from pathlib import Path

import pytest

from conftest import article
from medkb.articles.model import parse_article
from medkb.review.board import parse_board
from medkb.review.changes import Side, article_changes, changes_html, changes_text, diff_body
from medkb.review.versions import GitHistory, HistoryUnavailable, Search, _parse_log, find_approved_revision
from medkb.review.workflow import approved_text
from medkb.strict import StrictLogger, held_warnings, release

BOARD = parse_board("members:\n  - {id: rea, name: Rea}\n  - {id: sam, name: Sam}\n  - {id: tom, name: Tom}\n", "board.yml", require_keys=False)
SUBMIT = [{"status": "submitted", "by": "ed", "on": "2026-01-01"}, {"status": "under-review", "by": "rea", "on": "2026-01-02"}]


def _article(history: list[dict[str, str]], status: str = "approved"):
    return parse_article(article(status=status, review={"status": status, "updated": "2026-01-01", "history": history}), "a.md")


def _approval(by: str, digest: str, on: str = "2026-01-03") -> dict[str, str]:
    return {"status": "approved", "by": by, "on": on, "digest": digest}


def test_the_last_run_of_approvals_names_the_approved_text() -> None:
    history = [*SUBMIT, _approval("sam", "sha256:one"), {"status": "under-review", "by": "rea", "on": "2026-01-04"}]
    approved = approved_text(_article(history, "under-review"), BOARD, require_signatures=False)
    assert approved is not None and approved.digest == "sha256:one" and [a.by for a in approved.approvals] == ["sam"]


def test_only_each_members_latest_approval_counts() -> None:
    # sam approved one text, then another: the first is not approved any more.
    history = [*SUBMIT, _approval("sam", "sha256:one"), _approval("sam", "sha256:two", "2026-01-04")]
    approved = approved_text(_article(history), BOARD, require_signatures=False)
    assert approved is not None and approved.digest == "sha256:two"


def test_two_approvals_required_need_two_members_on_one_digest() -> None:
    split = [*SUBMIT, _approval("sam", "sha256:one"), _approval("tom", "sha256:two")]
    assert approved_text(_article(split), BOARD, require_signatures=False, approvals_required=2) is None
    same = [*SUBMIT, _approval("sam", "sha256:one"), _approval("tom", "sha256:one")]
    approved = approved_text(_article(same), BOARD, require_signatures=False, approvals_required=2)
    assert approved is not None and sorted(a.by for a in approved.approvals) == ["sam", "tom"]


def test_approvals_that_do_not_count_approve_nothing() -> None:
    not_member = [*SUBMIT, _approval("mallory", "sha256:one")]
    assert approved_text(_article(not_member), BOARD, require_signatures=False) is None
    self_approved = [{"status": "submitted", "by": "sam", "on": "2026-01-01"}, SUBMIT[1], _approval("sam", "sha256:one")]
    assert approved_text(_article(self_approved), BOARD, require_signatures=False) is None
    unsigned = [*SUBMIT, _approval("sam", "sha256:one")]
    assert approved_text(_article(unsigned), BOARD, require_signatures=True) is None
    assert approved_text(_article(SUBMIT, "under-review"), BOARD, require_signatures=False) is None


def test_git_log_with_renames_is_parsed() -> None:
    a, b, c = "a" * 40, "b" * 40, "c" * 40
    out = f"\0{a}\0\nM\0d/new.md\0\0{b}\0\nR100\0d/old.md\0d/new.md\0\0{c}\0\nA\0d/old.md\0".encode()
    assert _parse_log(out) == [(a, "d/new.md"), (b, "d/new.md"), (c, "d/old.md")]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@x", *args], check=True, capture_output=True)


def test_history_follows_renames_and_finds_the_newest_matching_revision(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.md").write_text("one\n")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "1")
    _git(tmp_path, "mv", "a.md", "b.md")
    _git(tmp_path, "commit", "-qm", "2")
    (tmp_path / "b.md").write_text("two\n")
    _git(tmp_path, "commit", "-qam", "3")
    with GitHistory(tmp_path) as history:
        assert [(r.path, r.data) for r in history.revisions(tmp_path / "b.md")] == [("b.md", b"two\n"), ("b.md", b"one\n"), ("a.md", b"one\n")]
        search = Search()
        found = find_approved_revision(history, tmp_path / "b.md", "one", lambda r: r.data.decode().strip(), "b.md", search=search)
        # The oldest version holding the approved digest is tried first (where medkb review recorded the approval).
        assert found is not None and found.path == "a.md" and found.data == b"one\n" and search.checked == 1
        assert find_approved_revision(history, tmp_path / "b.md", "three", lambda r: r.data.decode().strip(), "b.md") is None
        assert history.blob(found.commit, "nope.md") is None


def test_a_shallow_history_that_lacks_the_approved_text_fails_closed(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    _git(origin, "init", "-q")
    for text in ("approved", "edited"):
        (origin / "a.md").write_text(text)
        _git(origin, "add", "-A")
        _git(origin, "commit", "-qm", text)
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(tmp_path / "clone")], check=True)
    with GitHistory(tmp_path / "clone") as history:
        assert history.shallow
        with pytest.raises(HistoryUnavailable, match=r"^content/a\.md: .*shallow.*fetch-depth: 0"):
            find_approved_revision(history, tmp_path / "clone" / "a.md", "approved", lambda r: r.data.decode(), "content/a.md")
    with pytest.raises(HistoryUnavailable, match="not in a git repository"):
        GitHistory(tmp_path)


def test_a_word_diff_keeps_the_new_structure_and_marks_words() -> None:
    html = changes_html(diff_body("<p>Take 5 mg daily.</p><p>Gone paragraph.</p>", "<p>Take 10 mg daily, <em>with food</em>.</p>"))
    assert html == "<p>Take <del>5</del><ins>10</ins> mg <del>daily.</del><ins>daily,</ins> <em><ins>with food</ins></em><ins>.</ins></p><del>Gone paragraph.</del>"


def test_removed_markup_is_never_kept_only_its_escaped_words() -> None:
    html = changes_html(diff_body('<p>Old <a href="https://x.example">link &amp; text</a></p>', "<p>New</p>"))
    assert "<a" not in html and "&amp;" in html and html.startswith("<p><del>")


def test_the_reference_list_and_permalinks_are_not_compared() -> None:
    old = '<h2 id="a">Answer<a class="headerlink" href="#a">¶</a></h2><section class="kb-references-section"><ol><li>Ref <br> old</li></ol></section>'
    new = '<h2 id="a">Answer<a class="headerlink" href="#a">¶</a></h2><section class="kb-references-section"><ol><li>Ref new</li></ol></section>'
    assert [op for op, _ in diff_body(old, new)] == ["<", "=", "<"]


def _side(title: str, html: str, sources: dict[str, dict[str, str]]) -> Side:
    return Side(parse_article(article(title=title), "a.md"), html, sources, {k: f"Ref {k}" for k in sources})


def test_article_changes_lists_front_matter_and_sources_field_by_field() -> None:
    old = _side("Is it safe?", "<p>Yes.</p>", {"a": {"type": "article", "year": "2020"}, "b": {"type": "book"}})
    new = _side("Is it still safe?", "<p>Yes.</p>", {"a": {"type": "article", "year": "2021"}, "c": {"type": "misc"}})
    changes = article_changes(old, new, "a.md")
    assert [(f.label, f.old, f.new) for f in changes.front_matter] == [("Title", "Is it safe?", "Is it still safe?")]
    assert [(s.key, s.kind, s.fields) for s in changes.sources] == [("a", "changed", (("year", "2020", "2021"),)), ("c", "added", ()), ("b", "removed", ())]
    assert not changes.body_changed and changes.changed
    text = changes_text(changes)
    assert "Title: [-Is it safe?-] → {+Is it still safe?+}" in text and "      year: [-2020-] → {+2021+}" in text


def test_held_warnings_count_only_when_released(caplog: pytest.LogCaptureFixture) -> None:
    log = StrictLogger("medkb.test")
    log.start_build()
    with caplog.at_level(logging.WARNING):
        with held_warnings() as kept:
            log.warning("trial render")
        with held_warnings():
            log.warning("discarded")
        assert log.warnings == []
        release(kept)
    assert log.warnings == ["trial render"]
    assert not any("discarded" in r.getMessage() for r in caplog.records)


def test_many_commits_after_the_approval_do_not_push_it_out_of_reach(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.md").write_text("text\ndigest: sha256:approved\n")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "approved")
    for i in range(80):  # more than MAX_RENDERS, each still holding the approval record
        (tmp_path / "a.md").write_text(f"text {i}\ndigest: sha256:approved\n")
        _git(tmp_path, "commit", "-qam", f"edit {i}")
    rendered: list[bytes] = []

    def digest_of(revision) -> str:  # type: ignore[no-untyped-def]
        rendered.append(revision.data)
        return "sha256:approved" if revision.data.startswith(b"text\n") else "sha256:other"

    with GitHistory(tmp_path) as history:
        found = find_approved_revision(history, tmp_path / "a.md", "sha256:approved", digest_of, "a.md")
    assert found is not None and rendered == [b"text\ndigest: sha256:approved\n"]


def test_medkb_diff_never_sends_the_articles_control_characters_to_the_terminal() -> None:
    old = _side("Is it safe?", "<p>Take five.</p>", {"a": {"title": "A"}})
    new = _side("Is it \x1b[8msafe?", "<p>Take \x1b[8mFIFTY\x1b[0m \u202eeno.</p>", {"a": {"title": "A\x9b2J"}})
    text = changes_text(article_changes(old, new, "a.md"), colour=False)
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert "\\u001b[8mFIFTY" in text and "\\u202eeno" in text
