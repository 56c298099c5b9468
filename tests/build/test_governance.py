"""Settings that decide approval belong to the board: medkb verify --base with real git and real keys."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, article, write_site
from medkb.cli import main

KEY = FIXTURES / "demo-board-keys" / "a.moreno"  # the test board's 'reviewer'


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=root, check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_site(tmp_path, {"articles/a.md": article()}, config={"theme": {"name": "material", "font": False, "custom_dir": "overrides"}})
    (tmp_path / "overrides" / "partials").mkdir(parents=True)
    (tmp_path / "overrides" / "partials" / "kb-review.html").write_text('{% include "partials/kb-review-original.html" ignore missing %}\n')
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _edit_config(root: Path, change) -> None:  # type: ignore[no-untyped-def]
    cfg = yaml.safe_load((root / "mkdocs.yml").read_text())
    change(cfg)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(cfg, sort_keys=False))


def _no_signatures(cfg: dict) -> None:  # type: ignore[type-arg]
    cfg["plugins"] = [{"medkb/review": {"require_signatures": False}} if p == "medkb/review" else p for p in cfg["plugins"]]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda root: _edit_config(root, _no_signatures), "mkdocs.yml"),
        (lambda root: _edit_config(root, lambda c: c.update(plugins=[p for p in c["plugins"] if p != "medkb/review"])), "mkdocs.yml"),
        (lambda root: (root / "overrides/partials/kb-review.html").write_text("Approved\n"), "overrides/partials/kb-review.html"),
        (lambda root: (root / "overrides/partials/kb-disclaimers.html").write_text(""), "overrides/partials/kb-disclaimers.html"),
    ],
)
def test_a_change_to_governed_settings_needs_the_board(repo: Path, capsys: pytest.CaptureFixture[str], change, named: str) -> None:  # type: ignore[no-untyped-def]
    change(repo)
    assert main(["verify", "--base", "HEAD"]) == 1
    out = capsys.readouterr().out
    assert "board.yml: the board or the site's governed settings (" in out and named in out
    assert "without an approval by a member of the roster at HEAD" in out
    # A member of the board at the base approves the new state; then it passes.
    assert main(["approve-board", "--as", "reviewer", "--key", str(KEY)]) == 0
    assert main(["verify", "--base", "HEAD"]) == 0


def test_a_pull_requests_hook_is_not_run_by_verify(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = repo / "hook-ran"
    (repo / "hook.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    _edit_config(repo, lambda c: c.update(hooks=["hook.py"]))
    assert main(["verify", "--base", "HEAD"]) == 1
    assert "mkdocs.yml" in capsys.readouterr().out
    assert not marker.exists()


def test_editing_an_existing_hook_or_site_script_is_a_governed_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "hook.py").write_text("x = 1\n")
    (repo / "content" / "js").mkdir()
    (repo / "content" / "js" / "site.js").write_text("// site\n")
    _edit_config(repo, lambda c: c.update(hooks=["hook.py"], extra_javascript=["js/site.js"]))
    assert main(["approve-board", "--as", "reviewer", "--key", str(KEY)]) == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "approved settings")
    (repo / "content" / "js" / "site.js").write_text("document.querySelector('.kb-pending-banner').remove()\n")
    assert main(["verify", "--base", "HEAD"]) == 1
    assert "content/js/site.js" in capsys.readouterr().out
    (repo / "content" / "js" / "site.js").write_text("// site\n")
    (repo / "hook.py").write_text("x = 2\n")
    assert main(["verify", "--base", "HEAD"]) == 1
    assert "hook.py" in capsys.readouterr().out


def test_an_unsigned_approval_in_the_same_pull_request_does_not_pass(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit_config(repo, _no_signatures)
    board = repo / "board.yml"
    board.write_text(board.read_text() + "approvals:\n  - status: board\n    by: reviewer\n    on: 2025-01-01\n    digest: sha256:0\n")
    assert main(["verify", "--base", "HEAD"]) == 1


def test_unchanged_settings_pass_and_an_unknown_revision_says_fetch_history(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--base", "HEAD"]) == 0
    capsys.readouterr()
    assert main(["verify", "--base", "origin/main"]) == 1
    assert "revision 'origin/main' not found — fetch full history (git fetch --unshallow, or fetch-depth: 0 in CI)" in capsys.readouterr().out


def test_a_shallow_clone_is_named(repo: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "content/articles/a.md").write_text(article(body="Second.\n"))
    git(repo, "commit", "-qam", "second")
    clone = tmp_path_factory.mktemp("shallow") / "kb"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    monkeypatch.chdir(clone)
    assert main(["verify", "--base", "HEAD~1"]) == 1
    assert "revision 'HEAD~1' not found — this is a shallow clone: fetch full history" in capsys.readouterr().out



# --- Holes found by a hostile tester: each passed medkb verify --base and mkdocs build --strict before the fix. ---

SECOND_KEY = FIXTURES / "demo-board-keys" / "j.okafor"


def _member(member_id: str, key: Path) -> str:
    pub = " ".join(Path(f"{key}.pub").read_text().split()[:2])
    return f"  - id: {member_id}\n    name: {member_id.title()}\n    credentials: MD\n    key: {pub}\n"


def _commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD").strip()


def test_a_symlinked_folder_in_the_theme_is_governed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """F2: Jinja follows a link in custom_dir; governance sees the link and the files it reaches."""
    (repo / "theme-extras" / "partials").mkdir(parents=True)
    (repo / "theme-extras" / "partials" / "kb-review.html").write_text("Approved\n")
    for child in (repo / "overrides" / "partials").iterdir():
        child.unlink()
    (repo / "overrides" / "partials").rmdir()
    (repo / "overrides" / "partials").symlink_to("../theme-extras/partials")
    _commit(repo, "link the partials")
    assert main(["verify", "--base", "HEAD~1"]) == 1
    out = capsys.readouterr().out
    assert "overrides/partials" in out and "without an approval" in out
    # Approved and committed, the same tree at the base and in the work tree is no change.
    assert main(["approve-board", "--as", "reviewer", "--key", str(KEY), "--base", "HEAD~1"]) == 0
    assert main(["verify", "--base", "HEAD~1"]) == 0
    _commit(repo, "approved")
    assert main(["verify", "--base", "HEAD"]) == 0
    capsys.readouterr()
    # Editing a file the link reaches is a change...
    (repo / "theme-extras" / "partials" / "kb-review.html").write_text("Approved!\n")
    assert main(["verify", "--base", "HEAD"]) == 1
    assert "overrides/partials/kb-review.html" in capsys.readouterr().out
    (repo / "theme-extras" / "partials" / "kb-review.html").write_text("Approved\n")
    # ...and so is retargeting the link, even to identical files.
    (repo / "theme-extras" / "copy").mkdir()
    (repo / "theme-extras" / "copy" / "kb-review.html").write_text("Approved\n")
    _commit(repo, "a copy")
    (repo / "overrides" / "partials").unlink()
    (repo / "overrides" / "partials").symlink_to("../theme-extras/copy")
    assert main(["verify", "--base", "HEAD"]) == 1
    assert "overrides/partials" in capsys.readouterr().out


def test_a_link_cycle_in_the_theme_is_listed_once(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "overrides" / "partials" / "loop").symlink_to("..")
    assert main(["verify", "--base", "HEAD"]) == 1
    assert "overrides/partials/loop" in capsys.readouterr().out
    assert main(["approve-board", "--as", "reviewer", "--key", str(KEY)]) == 0
    _commit(repo, "a loop")
    assert main(["verify", "--base", "HEAD"]) == 0


@pytest.mark.parametrize("where", ["overrides/partials/outside", "overrides"])
def test_a_theme_reaching_outside_the_site_is_a_problem(repo: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], where: str) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "partials").mkdir()
    (elsewhere / "partials" / "kb-review.html").write_text("Approved\n")
    link = repo / where
    if where == "overrides":
        for child in sorted(link.rglob("*"), reverse=True):
            child.rmdir() if child.is_dir() else child.unlink()
        link.rmdir()
    link.symlink_to(elsewhere)
    assert main(["verify", "--base", "HEAD"]) == 1
    out = capsys.readouterr().out
    assert f"{where}: the theme's custom_dir reaches {elsewhere}, outside the site's folder" in out
    # Not even an approval makes it acceptable: approve-board refuses too.
    assert main(["approve-board", "--as", "reviewer", "--key", str(KEY)]) == 1
    assert "outside the site's folder" in capsys.readouterr().err


def test_an_old_board_approval_cannot_be_replayed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """F5: S1 adds m.former, S2 removes it; a pull request restoring S1's board.yml (with its approval) fails."""
    board = repo / "board.yml"
    base_roster = board.read_text()
    former = _member("m.former", SECOND_KEY)
    board.write_text(base_roster + former)
    assert main(["approve-board", "--as", "reviewer", "--key", str(KEY), "--date", "2025-01-02"]) == 0
    assert "    from: sha256:" in board.read_text()
    s1 = _commit(repo, "S1: m.former joins")
    assert main(["verify", "--base", "HEAD~1"]) == 0
    board.write_text(board.read_text().replace(former, ""))
    assert main(["approve-board", "--as", "reviewer", "--key", str(KEY), "--base", s1, "--date", "2025-01-03"]) == 0
    s2 = _commit(repo, "S2: m.former leaves")
    assert main(["verify", "--base", s1]) == 0
    capsys.readouterr()
    # The pull request: S1's board.yml, its approval included.
    board.write_bytes(subprocess.run(["git", "show", f"{s1}:board.yml"], cwd=repo, capture_output=True, check=True).stdout)
    assert main(["verify", "--base", s2]) == 1
    out = capsys.readouterr().out
    assert "board.yml: the board changed since" in out and "is of a change from another state" in out
    assert "approvals changed since" in out and "records are only ever added" in out
    # Keeping S2's approvals and adding S1's roster back does not help either.
    text = subprocess.run(["git", "show", f"{s2}:board.yml"], cwd=repo, capture_output=True, check=True, text=True).stdout
    members, approvals = text.split("approvals:")
    board.write_text(members + former + "approvals:" + approvals)
    assert main(["verify", "--base", s2]) == 1
    assert "is of a change from another state" in capsys.readouterr().out


def test_a_governed_change_needs_approvals_required_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import TEST_BOARD

    config = {"theme": {"name": "material", "font": False, "custom_dir": "overrides"},
              "plugins": ["medkb/search", {"medkb/review": {"approvals_required": 2}}, "medkb/citations", "medkb/audience", "medkb/disclaimer"]}
    write_site(tmp_path, {"articles/a.md": article()}, config=config, board=TEST_BOARD + _member("second", SECOND_KEY))
    (tmp_path / "overrides").mkdir()
    (tmp_path / "overrides" / "main.html").write_text('{% extends "base.html" %}\n')
    _commit_init(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "overrides" / "main.html").write_text('{% extends "base.html" %}\n{# Approved #}\n')
    assert main(["approve-board", "--as", "reviewer", "--key", str(KEY)]) == 0
    assert main(["verify", "--base", "HEAD"]) == 1
    out = capsys.readouterr().out
    assert "without an approval by 2 different members of the roster at HEAD (approved by 1 of the 2 members required at HEAD (reviewer))" in out
    # The same member twice is still one member.
    assert main(["approve-board", "--as", "reviewer", "--key", str(KEY)]) == 0
    assert main(["verify", "--base", "HEAD"]) == 1
    capsys.readouterr()
    assert main(["approve-board", "--as", "second", "--key", str(SECOND_KEY)]) == 0
    assert main(["verify", "--base", "HEAD"]) == 0


def _commit_init(root: Path) -> None:
    git(root, "init", "-q")
    _commit(root, "base")


ARTICLE = "content/articles/a.md"


def _review(*args: str) -> None:
    assert main(["review", ARTICLE, *args]) == 0


def test_an_article_cannot_roll_back_to_a_superseded_approved_version(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """F9: the board corrected an approved article; restoring the old file (whose approval still verifies) fails."""
    history = {"history": [{"status": "submitted", "by": "editor@example.org", "on": "2025-01-01"}]}
    (repo / ARTICLE).write_text(article(body="## Answer\n\nTake 10 mg.\n", review={"status": "submitted", "updated": "2025-01-01", **history}))
    _review("--to", "under-review", "--as", "reviewer", "--date", "2025-01-02")
    _review("--to", "approved", "--as", "reviewer", "--key", str(KEY), "--date", "2025-01-03")
    _commit(repo, "approved")
    _review("--to", "under-review", "--as", "reviewer", "--note", "Correction: the dose is 1 mg.", "--date", "2025-01-04")
    (repo / ARTICLE).write_text((repo / ARTICLE).read_text().replace("Take 10 mg.", "Take 1 mg."))
    _review("--to", "approved", "--as", "reviewer", "--key", str(KEY), "--date", "2025-01-05")
    _commit(repo, "corrected")
    git(repo, "tag", "base")
    assert main(["verify", "--base", "base"]) == 0
    capsys.readouterr()
    old = subprocess.run(["git", "show", f"base~1:{ARTICLE}"], cwd=repo, capture_output=True, check=True).stdout
    (repo / ARTICLE).write_bytes(old)
    _commit(repo, "roll back")
    assert main(["verify", "--base", "base"]) == 1
    out = capsys.readouterr().out
    assert (f"{ARTICLE}: review history changed since base: records are only ever added; restore them "
            "(review.history[3], under-review by reviewer on 2025-01-04, is removed or changed)") in out
    # Under another name (a rename of the corrected file) it is compared with its old path.
    git(repo, "reset", "-q", "--hard", "base")
    git(repo, "mv", ARTICLE, "content/articles/b.md")
    (repo / "content/articles/b.md").write_bytes(old)
    _commit(repo, "rename and roll back")
    assert main(["verify", "--base", "base"]) == 1
    assert "content/articles/b.md (renamed from content/articles/a.md): review history changed since base" in capsys.readouterr().out
    # A copy of the old version next to the corrected one is refused too.
    git(repo, "reset", "-q", "--hard", "base")
    (repo / "content/articles/c.md").write_bytes(old)
    assert main(["verify", "--base", "base"]) == 1
    assert "content/articles/c.md: its review history copies records of content/articles/a.md" in capsys.readouterr().out
    # Deleting the article is fine (as far as histories go).
    (repo / "content/articles/c.md").unlink()
    (repo / ARTICLE).unlink()
    assert main(["verify", "--base", "base"]) == 0
