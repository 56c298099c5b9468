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

