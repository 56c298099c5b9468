"""``medkb review`` and ``medkb new`` refuse what they cannot do right, and never lose a record (issue 13).

Real ``ssh-keygen`` keys, real git, real files and real builds; the command
runs in subprocesses where a traceback or a race would show.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from conftest import build_site, write_site
from medkb.articles.model import parse_article
from medkb.cli import main, review_lock

BIB = "@article{src, title={Source}, journal={J}, year={2020}}\n"
BODY = "## Answer\n\nA claim [@src].\n"
ARTICLE = "content/articles/a.md"
MEDKB = [sys.executable, "-m", "medkb.cli"]
UNDER_REVIEW = (
    "---\ntitle: Is the claim true?\nreview:\n  status: under-review\n  updated: 2025-01-02\n  history:\n"
    "    - status: submitted\n      by: editor\n      on: 2025-01-02\n"
    "    - status: under-review\n      by: alice\n      on: 2025-01-03\n"
    f"---\n\n{BODY}"
)




def board_yaml(keys: dict[str, Path]) -> str:
    text = "members:\n"
    for name in ("alice", "bob"):
        key = " ".join(keys[name].with_suffix(".pub").read_text().split()[:2])
        text += f"  - id: {name}\n    name: {name.title()}\n    key: {key}\n    emails: [{name}@example.org]\n"
    return text


@pytest.fixture
def site(tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    write_site(tmp_path, {"articles/a.md": UNDER_REVIEW}, bib=BIB, board=board_yaml(keys))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MEDKB, *args], cwd=cwd, capture_output=True, text=True, env={**os.environ})


def start(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*MEDKB, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})


def approve_args(keys: dict[str, Path], who: str, date: str = "2025-01-05", article: str = ARTICLE) -> list[str]:
    return ["review", article, "--to", "approved", "--as", who, "--key", str(keys[who]), "--date", date]


def history(root: Path, article: str = ARTICLE) -> list[tuple[str, str]]:
    art = parse_article((root / article).read_text(), "a.md")
    return [(str(h["status"]), str(h["by"])) for h in art.review.history]


def one_line_error(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert needle in result.stderr, result.stderr


def status_of(root: Path, strict: bool = True, page: str = "articles/a") -> str:
    return build_site(root, strict=strict).soup(page).select_one(".kb-review")["data-kb-status"]


# -- lost updates --


def test_two_concurrent_reviews_never_lose_a_record(site: Path, keys: dict[str, Path]) -> None:
    for attempt in range(5):
        name = f"content/articles/c{attempt}.md"
        (site / name).write_text(UNDER_REVIEW.replace("Is the claim true?", f"Is claim {attempt} true?"))
        first, second = start(site, *approve_args(keys, "alice", article=name)), start(site, *approve_args(keys, "bob", article=name))
        outs = [p.communicate(timeout=120) for p in (first, second)]
        # Both wait their turn and both apply: under-review → approved → approved.
        assert (first.returncode, second.returncode) == (0, 0), outs
        approvals = sorted(by for status, by in history(site, name) if status == "approved")
        assert approvals == ["alice", "bob"], (attempt, (site / name).read_text())
    assert status_of(site, page="articles/c4") == "approved"


def test_approve_and_return_at_once_one_applies_the_other_refuses(site: Path, keys: dict[str, Path]) -> None:
    for _ in range(5):
        (site / ARTICLE).write_text(UNDER_REVIEW)
        approving = start(site, *approve_args(keys, "bob"))
        returning = start(site, "review", ARTICLE, "--to", "submitted", "--as", "alice", "--date", "2025-01-05")
        (_, approve_err), (_, return_err) = approving.communicate(timeout=120), returning.communicate(timeout=120)
        kinds = [s for s, _ in history(site)][2:]
        # Whichever ran first applied; the second saw the new status and refused with one line.
        assert sorted([approving.returncode, returning.returncode]) == [0, 1]
        if approving.returncode == 0:
            assert kinds == ["approved"]
            assert "cannot move from approved to submitted" in return_err
        else:
            assert kinds == ["returned"]
            assert "cannot move from submitted to approved" in approve_err


def test_a_review_waits_for_the_lock_then_applies_to_the_new_text(site: Path, keys: dict[str, Path]) -> None:
    path = site / ARTICLE
    with FileLock(review_lock(path)):
        waiting = start(site, *approve_args(keys, "bob"))
        time.sleep(3)
        assert waiting.poll() is None, waiting.communicate()  # it waits
        # What another review (or editor) wrote meanwhile...
        path.write_text(UNDER_REVIEW.replace("title: Is the claim true?\n", "title: Is the claim true?\ndescription: Yes.\n"))
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    # ...is kept: the approval was made on the new text.
    text = path.read_text()
    assert "description: Yes.\n" in text and history(site)[-1] == ("approved", "bob")


def test_a_file_changed_between_read_and_write_is_not_overwritten(site: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import medkb.review.apply

    path = site / ARTICLE
    changed = UNDER_REVIEW.replace("A claim", "An edited claim")
    real = medkb.review.apply.plan_review

    def plan_while_an_editor_saves(*args: object, **kwargs: object) -> object:
        edit = real(*args, **kwargs)  # type: ignore[arg-type]
        path.write_text(changed)  # an editor's save (no lock) while the approval was signed
        return edit

    monkeypatch.setattr(medkb.review.apply, "plan_review", plan_while_an_editor_saves)
    assert main(approve_args(keys, "bob")) == 1
    err = capsys.readouterr().err
    assert err == "content/articles/a.md: the file changed while the review was prepared; nothing was written: run medkb review again\n"
    assert path.read_text() == changed


# -- dates --


@pytest.mark.parametrize(
    ("date", "needle"),
    [
        ("2025-02-30", "--date '2025-02-30' is not a valid date (day is out of range for month); write it as YYYY-MM-DD"),
        ("2025/01/05", "--date '2025/01/05' is not a date; write it as YYYY-MM-DD"),
        ("20250105", "--date '20250105' is not a date"),
        ("2999-01-01", "the date 2999-01-01 is in the future"),
        ("2025-01-01", "the date 2025-01-01 is before the last history entry (2025-01-03)"),
    ],
)
def test_bad_review_dates_are_one_line_errors(site: Path, keys: dict[str, Path], date: str, needle: str) -> None:
    before = (site / ARTICLE).read_bytes()
    one_line_error(run(site, *approve_args(keys, "bob", date=date)), needle)
    assert (site / ARTICLE).read_bytes() == before


# -- which files --


def test_pages_outside_the_articles_folder_are_refused(site: Path, keys: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> None:
    (site / "content/notes.md").write_text(UNDER_REVIEW)
    outside = tmp_path_factory.mktemp("elsewhere") / "x.md"
    outside.write_text(UNDER_REVIEW)
    for page, needle in [
        ("content/index.md", "content/index.md: not an article: medkb review edits Markdown files under content/articles/ (the site's articles_dir)"),
        ("content/notes.md", "content/notes.md: not an article"),
        (str(outside), f"{outside.as_posix()}: not an article"),
        ("content/articles/../notes.md", "not an article"),
        ("content/articles/missing.md", "content/articles/missing.md: no such article file"),
    ]:
        before = (site / "content/notes.md").read_bytes(), outside.read_bytes()
        result = run(site, "review", page, "--to", "submitted", "--as", "alice", "--date", "2025-01-05")
        one_line_error(result, needle)
        assert ((site / "content/notes.md").read_bytes(), outside.read_bytes()) == before


def test_a_symlinked_article_is_refused_unless_its_target_is_an_article(site: Path, keys: dict[str, Path],
                                                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "x.md"
    outside.write_text(UNDER_REVIEW)
    link = site / "content/articles/link.md"
    link.symlink_to(outside)
    result = run(site, *approve_args(keys, "bob", article="content/articles/link.md"))
    one_line_error(result, f"content/articles/link.md: is a symbolic link to {outside}, outside content/articles/ (the site's articles_dir)")
    assert outside.read_text() == UNDER_REVIEW
    # A link to an article of the site: the article is edited, the link stays a link.
    link.unlink()
    link.symlink_to("a.md")
    result = run(site, *approve_args(keys, "bob", article="content/articles/link.md"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("content/articles/a.md: under-review -> approved by bob")
    assert link.is_symlink() and history(site)[-1] == ("approved", "bob")
    link.unlink()
    assert status_of(site) == "approved"


# -- line endings --


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda t: t.replace("\n", "\r"), "content/articles/a.md: the file's line endings are CR only (classic Mac); save it with LF or CRLF"),
        (lambda t: t.replace("\n", "\r\n", 3), "content/articles/a.md:4: mixed line endings (3 CRLF, "),
        (lambda t: t.replace("\n", "\r\n").replace("A claim", "A claim\rmore"), "mixed line endings ("),
    ],
)
def test_cr_only_and_mixed_line_endings_are_refused(site: Path, keys: dict[str, Path], make: object, needle: str) -> None:
    path = site / ARTICLE
    data = make(UNDER_REVIEW).encode()  # type: ignore[operator]
    path.write_bytes(data)
    one_line_error(run(site, *approve_args(keys, "bob")), needle)
    assert path.read_bytes() == data


# -- where the record goes --


def test_an_article_without_history_gets_a_valid_one(site: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = site / ARTICLE
    original = "---\ntitle: Is the claim true?\nreview:\n  status: submitted\n  updated: 2025-01-02\n  # reviewers: see the policy\ntags: [A]\n---\n\n" + BODY
    path.write_text(original)
    assert main(["review", ARTICLE, "--to", "under-review", "--as", "alice", "--date", "2025-01-03"]) == 0
    text = path.read_text()
    digest = next(line for line in text.splitlines() if "digest:" in line)
    assert text == original.replace("status: submitted\n  updated: 2025-01-02\n", "status: under-review\n  updated: 2025-01-03\n").replace(
        "  # reviewers: see the policy\n",
        "  history:\n"
        "    - status: submitted\n      by: unknown\n      on: 2025-01-02\n      note: \"recorded by medkb review: the article had no history\"\n"
        "    - status: under-review\n      by: alice\n      on: 2025-01-03\n"
        f"{digest}\n"
        "  # reviewers: see the policy\n",
    )
    assert main(approve_args(keys, "bob")) == 0
    assert status_of(site) == "approved"
    assert main(["check", "--no-build"]) == 0
    # Without history, a later status cannot be given one: who reviewed it?
    path.write_text(original.replace("status: submitted", "status: under-review"))
    capsys.readouterr()
    assert main(approve_args(keys, "bob")) == 1
    assert "review.status is under-review but the article has no review.history" in capsys.readouterr().err


def test_the_implied_submitter_is_the_git_author_so_self_approval_stays_refused(site: Path, keys: dict[str, Path],
                                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = site / ARTICLE
    path.write_text("---\ntitle: Is the claim true?\nreview:\n  status: submitted\n  updated: 2025-01-02\n---\n\n" + BODY)
    git = lambda *a: subprocess.run(["git", *a], cwd=site, check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=Alice", "-c", "user.email=Alice@example.org", "commit", "-qm", "An article by alice")
    assert main(["review", ARTICLE, "--to", "under-review", "--as", "bob", "--date", "2025-01-03"]) == 0
    assert history(site)[0] == ("submitted", "Alice@example.org")
    capsys.readouterr()
    assert main(approve_args(keys, "alice")) == 1
    assert "'alice' submitted this text (as 'Alice@example.org') and may not approve it" in capsys.readouterr().err


def test_the_record_goes_inside_the_history_whatever_comments_follow(site: Path, keys: dict[str, Path]) -> None:
    path = site / ARTICLE
    commented = UNDER_REVIEW.replace(
        "      on: 2025-01-03\n---",
        "      on: 2025-01-03\n    # history ends here\n\n  # due is set by the editor\n  due: 2026-06-01\n# top-level comment\n\ntags: [A]  # topics\n# end of the front matter\n---",
    )
    path.write_text(commented)
    assert main(approve_args(keys, "bob")) == 0
    old, new = commented.splitlines(), path.read_text().splitlines()
    ops = [op for op in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes() if op[0] != "equal"]
    assert [(tag, i1, old[i1:i2], new[j1:j2][:3]) for tag, i1, i2, j1, j2 in ops] == [
        ("replace", 3, ["  status: under-review", "  updated: 2025-01-02"], ["  status: approved", "  updated: 2025-01-05"]),
        # Right after the last record's last line, before every comment that follows.
        ("insert", 12, [], ["    - status: approved", "      by: bob", "      on: 2025-01-05"]),
    ]
    assert old[11] == "      on: 2025-01-03"
    art = parse_article(path.read_text(), "a.md")
    assert art.review.due is not None and art.tags == ["A"]
    assert status_of(site) == "approved"


def test_the_record_goes_inside_the_history_when_it_ends_the_front_matter(site: Path, keys: dict[str, Path]) -> None:
    path = site / ARTICLE
    commented = UNDER_REVIEW.replace("      on: 2025-01-03\n---", "      on: 2025-01-03\n\n# end of the front matter\n---")
    path.write_text(commented)
    assert main(approve_args(keys, "bob")) == 0
    text = path.read_text()
    head, tail = text.split("      on: 2025-01-03\n", 1)
    assert tail.startswith("    - status: approved\n      by: bob\n      on: 2025-01-05\n")
    assert tail.endswith("\n\n# end of the front matter\n---\n\n" + BODY)
    assert status_of(site) == "approved"


# -- medkb new validates before it writes --


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["", "--date", "2025-01-02"], "medkb new: title is empty; write the article's title"),
        (["   ", "--date", "2025-01-02"], "title is empty"),
        (["Is it safe?\nIgnore this line", "--date", "2025-01-02"], "medkb new: title must be a single line"),
        (["Is it safe?\rNo", "--date", "2025-01-02"], "title must be a single line"),
        (["Is it \u202esafe?", "--date", "2025-01-02"], "medkb new: title contains the bidirectional control U+202E"),
        (["Is it \x07safe?", "--date", "2025-01-02"], "medkb new: the title contains the control character U+0007"),
        (["Is it safe?", "--date", "2025-02-30"], "medkb new: --date '2025-02-30' is not a valid date (day is out of range for month)"),
        (["Is it safe?", "--date", "17/12/2025"], "medkb new: --date '17/12/2025' is not a date; write it as YYYY-MM-DD"),
        (["Is it safe?", "--date", "2999-01-01"], "medkb new: --date 2999-01-01 is in the future"),
        (["Is it safe?", "--by", "", "--date", "2025-01-02"], "medkb new: --by must be one line"),
        (["Is it safe?", "--by", "a\nb", "--date", "2025-01-02"], "medkb new: --by must be one line"),
    ],
)
def test_new_validates_before_it_writes(tmp_path: Path, args: list[str], needle: str) -> None:
    result = run(tmp_path, "new", *args)
    one_line_error(result, needle)
    assert not (tmp_path / "content").exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("note", "needle"), [
    ("x\x7fy", "the note contains the control character U+007F"),
    ("x\x1b[8my", "the note contains the control character U+001B"),
    ("x\u202ey", "the note contains the bidirectional control U+202E"),
])
def test_a_note_that_is_not_plain_text_is_one_line_and_nothing_written(site: Path, keys: dict[str, Path], note: str, needle: str) -> None:
    before = (site / ARTICLE).read_bytes()
    one_line_error(run(site, *approve_args(keys, "bob"), "--note", note), needle)
    assert (site / ARTICLE).read_bytes() == before


def test_a_note_with_bytes_that_are_not_utf8_is_refused(site: Path, keys: dict[str, Path]) -> None:
    before = (site / ARTICLE).read_bytes()
    result = subprocess.run([*MEDKB, *approve_args(keys, "bob"), "--note", b"x\xffy"], cwd=site, capture_output=True, env={**os.environ})
    assert result.returncode == 1 and b"Traceback" not in result.stderr and b"a byte that is not UTF-8" in result.stderr
    assert (site / ARTICLE).read_bytes() == before
