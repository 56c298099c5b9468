"""Stable versions: readers get the approved revision from git history; reviewers see what changed.

Real git repositories, real ssh-keygen keys, real MkDocs builds parsed with
an HTML parser, the real ``medkb`` command.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from mkdocs.exceptions import Abort, PluginError

from conftest import build_site, write_site
from medkb.cli import main

BIB = "@article{src, author={Smith, Jane}, title={Original source title}, journal={J Test}, year={2020}}\n"
BODY = "## Answer\n\nA claim about dosing [@src].\n\n## Detail\n\nThe usual dose is five milligrams.\n"
NEW = "brand-new-unapproved-wording"


def board_yaml(keys: dict[str, Path]) -> str:
    def pub(name: str) -> str:
        return " ".join(keys[name].with_suffix(".pub").read_text().split()[:2])

    return (
        "members:\n"
        f"  - id: alice\n    name: Alice Adams\n    credentials: MD\n    role: Chair\n    key: {pub('alice')}\n"
        f"  - id: bob\n    name: Bob Brown\n    credentials: PharmD\n    role: Reviewer\n    key: {pub('bob')}\n"
    )


ARTICLE = (
    "---\ntitle: Is the claim true?\ndescription: What the evidence says.\ntags: [dosing]\nreview:\n"
    "  status: under-review\n  updated: 2025-01-02\n  history:\n"
    "    - status: submitted\n      by: editor\n      on: 2025-01-02\n"
    "    - status: under-review\n      by: alice\n      on: 2025-01-03\n"
    "---\n\n" + BODY
)


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Ed Itor", "GIT_AUTHOR_EMAIL": "ed@example.org",
           "GIT_COMMITTER_NAME": "Ed Itor", "GIT_COMMITTER_EMAIL": "ed@example.org"}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "kb"
    write_site(root, {"articles/a.md": ARTICLE}, bib=BIB, board=board_yaml(keys))
    (root / ".gitignore").write_text("site/\nsite-preview/\n")
    git(root, "init", "-q", "-b", "main")
    commit(root, "submit")
    monkeypatch.chdir(root)
    return root


def review(*args: str, article: str = "content/articles/a.md") -> None:
    assert main(["review", article, *args]) == 0


def approve(keys: dict[str, Path], who: str = "bob", date: str = "2025-01-05", article: str = "content/articles/a.md") -> None:
    review("--to", "approved", "--as", who, "--key", str(keys[who]), "--date", date, article=article)


def edit(root: Path, old: str, new: str, name: str = "content/articles/a.md") -> None:
    path = root / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def site_text(site_dir: Path) -> str:
    """Every file the build wrote, as text; Pagefind's gzipped fragments decompressed."""
    parts = []
    for path in site_dir.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".pf_fragment" or "fragment" in path.parts:
            data = gzip.decompress(data)
        parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


def approved_then_edited(root: Path, keys: dict[str, Path]) -> None:
    approve(keys)
    commit(root, "approve")
    edit(root, "five milligrams", f"ten milligrams, {NEW}")
    commit(root, "edit after approval")


def test_an_edit_after_approval_publishes_the_approved_text(repo: Path, keys: dict[str, Path]) -> None:
    approved_then_edited(repo, keys)
    built = build_site(repo, strict=True)  # a pending change is a normal state
    soup = built.soup("articles/a")
    assert soup.select_one(".kb-review")["data-kb-status"] == "approved"
    assert "five milligrams" in soup.select_one("article").get_text()
    notice = soup.select_one(".kb-revision-notice")
    assert notice is not None and notice.get_text(strip=True) == "A revised version of this article is under review"
    assert soup.select_one(".kb-pending-banner") is None
    everything = site_text(built.site_dir)
    assert NEW not in everything and "ten milligrams" not in everything  # pages, search index, sitemap
    assert "five milligrams" in everything
    queue = built.soup("review-queue")
    row = queue.select_one(".kb-article-list li")
    assert row.select_one(".kb-badge").get_text(strip=True) == "Changes pending review"
    home = built.soup("")
    assert home.select_one(".kb-article-list .kb-badge").get_text(strip=True) == "Approved"
    jsonld = json.loads(soup.select_one('script[type="application/ld+json"]').string)
    assert jsonld["lastReviewed"] == "2025-01-05"


def test_an_uncommitted_edit_is_not_published_either(repo: Path, keys: dict[str, Path]) -> None:
    approve(keys)
    commit(repo, "approve")
    edit(repo, "five milligrams", NEW)
    built = build_site(repo, strict=True)
    assert NEW not in site_text(built.site_dir)
    assert built.soup("articles/a").select_one(".kb-revision-notice") is not None


def test_a_title_and_description_edit_stays_out_of_every_list_and_meta(repo: Path, keys: dict[str, Path]) -> None:
    approve(keys)
    commit(repo, "approve")
    edit(repo, "title: Is the claim true?", f"title: Is the {NEW} claim true?")
    edit(repo, "description: What the evidence says.", f"description: {NEW} summary.")
    commit(repo, "retitle")
    built = build_site(repo, strict=True)
    assert NEW not in site_text(built.site_dir)
    soup = built.soup("articles/a")
    assert soup.select_one('meta[name="description"]')["content"] == "What the evidence says."
    assert soup.title.get_text().startswith("Is the claim true?")


def test_a_cited_entry_edited_after_approval_shows_as_it_was(repo: Path, keys: dict[str, Path]) -> None:
    approve(keys)
    commit(repo, "approve")
    (repo / "references.bib").write_text(BIB.replace("Original source title", f"Changed {NEW} title"))
    commit(repo, "edit the source")
    built = build_site(repo, strict=True)
    refs = built.soup("articles/a").select_one(".kb-references").get_text()
    assert "Original source title" in refs and NEW not in refs
    assert built.soup("articles/a").select_one(".kb-revision-notice") is not None


def test_a_renamed_then_edited_article_publishes_its_approved_text(repo: Path, keys: dict[str, Path]) -> None:
    approve(keys)
    commit(repo, "approve")
    git(repo, "mv", "content/articles/a.md", "content/articles/b.md")
    commit(repo, "rename")
    edit(repo, "five milligrams", NEW, "content/articles/b.md")
    commit(repo, "edit")
    built = build_site(repo, strict=True)
    soup = built.soup("articles/b")
    assert "five milligrams" in soup.select_one("article").get_text()
    assert NEW not in site_text(built.site_dir)


def test_after_two_approvals_an_edit_publishes_the_second_approved_text(repo: Path, keys: dict[str, Path]) -> None:
    approve(keys)
    commit(repo, "approve v1")
    edit(repo, "five milligrams", "seven milligrams")
    commit(repo, "v2")
    review("--to", "under-review", "--as", "alice", "--date", "2025-01-06")
    approve(keys, date="2025-01-07")
    commit(repo, "approve v2")
    edit(repo, "seven milligrams", NEW)
    commit(repo, "v3")
    built = build_site(repo, strict=True)
    text = built.soup("articles/a").select_one("article").get_text()
    assert "seven milligrams" in text and "five milligrams" not in text and NEW not in text
    assert "January 7, 2025" in built.soup("articles/a").select_one(".kb-reviewed-by").get_text()


def test_an_approval_after_the_edit_publishes_the_new_text(repo: Path, keys: dict[str, Path]) -> None:
    approved_then_edited(repo, keys)
    review("--to", "under-review", "--as", "alice", "--date", "2025-01-06")
    approve(keys, date="2025-01-07")
    commit(repo, "approve the edit")
    built = build_site(repo, strict=True)
    soup = built.soup("articles/a")
    assert NEW in soup.select_one("article").get_text()
    assert soup.select_one(".kb-revision-notice") is None


def test_moved_back_under_review_the_approved_text_stays_published(repo: Path, keys: dict[str, Path]) -> None:
    approved_then_edited(repo, keys)
    review("--to", "under-review", "--as", "alice", "--date", "2025-01-06")
    commit(repo, "back to review")
    built = build_site(repo, strict=True)
    soup = built.soup("articles/a")
    assert soup.select_one(".kb-review")["data-kb-status"] == "approved"
    assert NEW not in site_text(built.site_dir)
    assert built.soup("review-queue").select_one(".kb-badge").get_text(strip=True) == "Under Review"


def test_a_shallow_clone_stops_the_build_and_publishes_nothing_pending(
    repo: Path, keys: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    approved_then_edited(repo, keys)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    with pytest.raises((PluginError, Abort)):
        build_site(clone, strict=False)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1  # one line naming the article and what to do
    assert errors[0].startswith("content/articles/a.md: ") and "fetch-depth: 0" in errors[0] and "\n" not in errors[0]
    site = clone / "site"
    assert not site.exists() or NEW not in site_text(site)
    # medkb check says the same, in one line, and fails.
    os.chdir(clone)
    assert main(["check", "--no-build"]) == 1


def test_without_git_the_build_stops_when_history_is_needed(
    repo: Path, keys: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    approved_then_edited(repo, keys)
    copy = tmp_path / "no-git"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"))
    with pytest.raises((PluginError, Abort)):
        build_site(copy, strict=False)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].startswith("content/articles/a.md: ") and "no git history" in errors[0]
    assert not (copy / "site").exists() or NEW not in site_text(copy / "site")
    # A site with nothing pending needs no history at all.
    (copy / "content/articles/a.md").write_text((repo / "content/articles/a.md").read_text().replace("status: under-review", "status: submitted", 1).split("  history:")[0] + "---\n\n" + BODY)
    build_site(copy, strict=False)


def test_publish_latest_keeps_the_pending_text_with_its_banner(repo: Path, keys: dict[str, Path]) -> None:
    approved_then_edited(repo, keys)
    cfg = (repo / "mkdocs.yml").read_text().replace("- medkb/review\n", "- medkb/review:\n    publish: latest\n")
    (repo / "mkdocs.yml").write_text(cfg)
    with pytest.raises(Abort):
        build_site(repo, strict=True)  # latest: a pending change published is a warning
    soup = build_site(repo, strict=False).soup("articles/a")
    assert NEW in soup.select_one("article").get_text()
    assert soup.select_one(".kb-review")["data-kb-status"] == "changes-pending"


def test_a_hand_written_approval_stays_an_error(repo: Path) -> None:
    edit(repo, "status: under-review", "status: approved")
    commit(repo, "forge")
    with pytest.raises(Abort):
        build_site(repo, strict=True)
    assert build_site(repo, strict=False).soup("articles/a").select_one(".kb-review")["data-kb-status"] == "under-review"


def test_unapproved_hide_leaves_never_approved_articles_out(repo: Path, keys: dict[str, Path]) -> None:
    (repo / "content/articles/new.md").write_text(ARTICLE.replace("Is the claim true?", f"Is the {NEW} claim true?"))
    approve(keys)
    cfg = (repo / "mkdocs.yml").read_text().replace("- medkb/review\n", "- medkb/review:\n    unapproved: hide\n")
    (repo / "mkdocs.yml").write_text(cfg)
    commit(repo, "one approved, one new")
    built = build_site(repo, strict=True)
    assert not (built.site_dir / "articles/new").exists()
    assert (built.site_dir / "articles/a/index.html").exists()
    assert NEW not in site_text(built.site_dir)  # lists, queue, browse, sitemap, search


def test_an_embedded_file_changed_after_approval_is_published_as_approved(repo: Path, keys: dict[str, Path]) -> None:
    figure = repo / "content/articles/dose.svg"
    figure.write_text('<svg xmlns="http://www.w3.org/2000/svg"><text>five</text></svg>')
    edit(repo, "The usual dose", "![Dose chart](dose.svg)\n\nThe usual dose")
    commit(repo, "figure")
    approve(keys)
    commit(repo, "approve")
    figure.write_text(f'<svg xmlns="http://www.w3.org/2000/svg"><text>{NEW}</text></svg>')
    commit(repo, "change the figure")
    built = build_site(repo, strict=True)
    img = built.soup("articles/a").select_one("article img")
    shown = (built.site_dir / "articles/a" / img["src"]).resolve()
    assert "_approved" in img["src"] and shown.read_text().count("five") == 1
    assert NEW not in built.html("articles/a")


def test_the_review_history_is_on_the_page_when_configured(repo: Path, keys: dict[str, Path]) -> None:
    approve(keys)
    cfg = (repo / "mkdocs.yml").read_text().replace("- medkb/review\n", "- medkb/review:\n    review_history: true\n")
    (repo / "mkdocs.yml").write_text(cfg)
    soup = build_site(repo, strict=True).soup("articles/a")
    history = soup.select_one("details.kb-review-history")
    assert history.select_one("summary").get_text(strip=True) == "Review history"
    rows = [" ".join(li.get_text().split()) for li in history.select("li")]
    assert rows == [
        "January 2, 2025 Submitted by editor",
        "January 3, 2025 Taken under review by Alice Adams, MD",
        "January 5, 2025 Approved by Bob Brown, PharmD",
    ]
    (repo / "mkdocs.yml").write_text(cfg.replace("review_history: true", "review_history: false"))
    assert build_site(repo, strict=True).soup("articles/a").select_one(".kb-review-history") is None


def test_the_preview_shows_every_current_text_and_what_changed(repo: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    approve(keys)
    commit(repo, "approve")
    edit(repo, "five milligrams", f"ten milligrams, {NEW}")
    edit(repo, "title: Is the claim true?", "title: Is the claim still true?")
    (repo / "references.bib").write_text(BIB.replace("year={2020}", "year={2021}") + "@book{extra, title={Another book}, publisher={P}, year={2019}}\n")
    edit(repo, "A claim about dosing [@src].", "A claim about dosing [@src; @extra].")
    commit(repo, "edit")
    out = tmp_path / "preview"
    assert main(["preview", "-d", str(out)]) == 0
    page = BeautifulSoup((out / "articles/a/index.html").read_text(), "html.parser")
    assert page.select_one('meta[name="robots"]')["content"].startswith("noindex")
    assert page.select_one(".kb-preview-banner") is not None
    assert NEW in page.select_one("article").get_text()  # the current text
    link = page.select_one(".kb-changes-link a")
    changes_page = (out / "articles/a" / link["href"] / "index.html").resolve()
    changes = BeautifulSoup(changes_page.read_text(), "html.parser")
    assert changes.select_one(".kb-preview-banner") is not None
    body = changes.select_one(".kb-changes__body")
    assert [d.get_text() for d in body.select("del")] == ["five milligrams."]
    assert [i.get_text() for i in body.select("ins")][-1] == f"ten milligrams, {NEW}."
    fields = {tr.th.get_text(): [td.get_text(strip=True) for td in tr.select("td")] for tr in changes.select(".kb-changes__fields tbody tr")}
    assert fields["Title"] == ["Is the claim true?", "Is the claim still true?"]
    assert fields["year"] == ["2020", "2021"]
    kinds = {li.select_one("code").get_text(): li.select_one("strong").get_text() for li in changes.select(".kb-changes__source")}
    assert kinds == {"extra": "Added", "src": "Changed"}
    # Citation links lead to the article's reference list.
    assert body.select_one("sup a")["href"].endswith("articles/a/#ref-src")
    queue = BeautifulSoup((out / "review-queue/index.html").read_text(), "html.parser")
    assert queue.select_one(".kb-article-list__changes") is not None
    # The real site still publishes the approved text.
    assert NEW not in site_text(build_site(repo, strict=True).site_dir)


def test_medkb_diff_prints_the_changes(repo: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    approved_then_edited(repo, keys)
    capsys.readouterr()
    assert main(["diff", "content/articles/a.md"]) == 0
    out = capsys.readouterr().out
    assert "content/articles/a.md: changes since approval" in out
    assert "[-five milligrams.-]" in out and f"{{+ten milligrams, {NEW}.+}}" in out
    assert "\x1b[" not in out  # plain when piped
    assert main(["diff", "--color", "always", "content/articles/a.md"]) == 0
    assert "\x1b[32m{+ten" in capsys.readouterr().out
    review("--to", "under-review", "--as", "alice", "--date", "2025-01-06")
    approve(keys, date="2025-01-07")
    assert main(["diff", "content/articles/a.md"]) == 0
    assert "no changes" in capsys.readouterr().out


def test_medkb_check_treats_a_published_approved_version_as_normal(repo: Path, keys: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    approved_then_edited(repo, keys)
    assert main(["check"]) == 0
    assert "readers get the approved version" in capsys.readouterr().out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_mkdocs_serve_dirty_serves_the_approved_text_after_an_edit(repo: Path, keys: dict[str, Path]) -> None:
    approve(keys)
    commit(repo, "approve")
    port = _free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"],
                              cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/articles/a/"

    def page() -> str:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()

    def wait_for(check: str, timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                text = page()
                if check in text:
                    return text
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{check!r} never served")

    try:
        wait_for("five milligrams")
        edit(repo, "five milligrams", NEW)
        text = wait_for("kb-revision-notice")
        assert NEW not in text and "five milligrams" in text
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_file_where_approved_copies_are_published_is_refused(repo: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    planted = repo / "content/_approved/0123456789ab/articles/dose.svg"
    planted.parent.mkdir(parents=True)
    planted.write_text(f'<svg xmlns="http://www.w3.org/2000/svg"><text>{NEW}</text></svg>')
    with pytest.raises((PluginError, Abort)):
        build_site(repo, strict=False)
    assert any("_approved/0123456789ab/articles/dose.svg: _approved/ is medkb's" in r.getMessage() for r in caplog.records)


# -- what the hostile review found (each was a way around an approval) -------


def append_history(root: Path, records: str, status: str | None = None, name: str = "content/articles/a.md") -> None:
    """Append YAML history records (indented as the file's) and optionally set review.status."""
    path = root / name
    text = path.read_text()
    head, sep, body = text[4:].partition("\n---\n")
    if status is not None:
        head = "\n".join(f"  status: {status}" if line.startswith("  status: ") else line for line in head.split("\n"))
    path.write_text("---\n" + head.rstrip("\n") + "\n" + records.rstrip("\n") + sep + body)


def test_a_forged_approval_does_not_bring_back_text_a_member_replaced(repo: Path, keys: dict[str, Path]) -> None:
    approve(keys, who="alice")  # alice approves the first text
    commit(repo, "alice approves")
    edit(repo, "five milligrams", "seven milligrams")
    approve(keys, who="bob", date="2025-01-06")  # bob approves the correction (approved -> approved)
    commit(repo, "bob approves the correction")
    append_history(repo, "    - status: approved\n      by: bob\n      on: 2025-01-07\n      digest: sha256:" + "0" * 64
                   + "\n      signature: not-a-signature\n    - status: under-review\n      by: alice\n      on: 2025-01-07\n", "under-review")
    commit(repo, "forged record")
    with pytest.raises(Abort):
        build_site(repo, strict=True)  # the forged approval is reported
    soup = build_site(repo, strict=False).soup("articles/a")
    assert soup.select_one(".kb-review")["data-kb-status"] != "approved"
    assert "five milligrams" not in soup.select_one("article").get_text()


def test_a_copied_approval_record_cannot_approve_again(repo: Path, keys: dict[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    approve(keys)
    commit(repo, "approve v1")
    text = (repo / "content/articles/a.md").read_text()
    first = text[text.index("    - status: approved"):text.index("---\n", 4)]
    edit(repo, "five milligrams", "seven milligrams")
    review("--to", "under-review", "--as", "alice", "--date", "2025-01-05")
    approve(keys)  # the correction, the same day
    commit(repo, "approve v2")
    append_history(repo, first)
    commit(repo, "replay the first approval")
    with pytest.raises(Abort):
        build_site(repo, strict=True)
    assert any("repeats an earlier approval record" in r.getMessage() for r in caplog.records)
    soup = build_site(repo, strict=False).soup("articles/a")
    assert soup.select_one(".kb-review")["data-kb-status"] != "approved"
    assert "five milligrams" not in soup.select_one("article").get_text()


def test_a_figure_added_after_approval_is_not_shown_as_approved(repo: Path, keys: dict[str, Path]) -> None:
    edit(repo, "The usual dose", "![Dose chart](../img/later.svg)\n\nThe usual dose")
    commit(repo, "a figure still to come")
    approve(keys)
    commit(repo, "approve")
    figure = repo / "content/img/later.svg"
    figure.parent.mkdir(parents=True)
    figure.write_text(f'<svg xmlns="http://www.w3.org/2000/svg"><text>{NEW}</text></svg>')
    edit(repo, "five milligrams", "six milligrams")
    commit(repo, "add the figure")
    soup = build_site(repo, strict=False).soup("articles/a")
    assert soup.select_one(".kb-review")["data-kb-status"] != "approved"
    assert soup.select_one(".kb-pending-banner") is not None


def test_a_pending_tag_becomes_no_browse_page(repo: Path, keys: dict[str, Path]) -> None:
    approve(keys)
    commit(repo, "approve")
    edit(repo, "tags: [dosing]", f"tags: [safety, {NEW}]")
    commit(repo, "retag")
    built = build_site(repo, strict=True)
    assert NEW not in site_text(built.site_dir)
    assert (built.site_dir / "browse/dosing/index.html").exists()  # the approved version's tag keeps its page
    assert not (built.site_dir / "browse/safety").exists()


@pytest.mark.parametrize("approved_tags", ["tags: [dosing]\n", ""])
def test_material_tags_list_only_the_published_versions_tags(repo: Path, keys: dict[str, Path], approved_tags: str) -> None:
    cfg = (repo / "mkdocs.yml").read_text().replace("- medkb/search\n", "- medkb/search\n- tags\n", 1)
    (repo / "mkdocs.yml").write_text(cfg)
    (repo / "content/tags.md").write_text("# Tags\n\n<!-- material/tags -->\n")
    edit(repo, "tags: [dosing]\n", approved_tags)
    approve(keys)
    commit(repo, "approve")
    path = repo / "content/articles/a.md"
    path.write_text(path.read_text().replace("title: Is the claim true?\n", f"title: Is the claim true?\ntags: [{NEW}]\n" if not approved_tags else "title: Is the claim true?\n").replace("tags: [dosing]", f"tags: [dosing, {NEW}]"))
    commit(repo, "retag")
    built = build_site(repo, strict=True)
    assert NEW not in site_text(built.site_dir)


def test_unsigned_notes_are_not_published_in_the_review_history(repo: Path, keys: dict[str, Path]) -> None:
    cfg = (repo / "mkdocs.yml").read_text().replace("- medkb/review\n", "- medkb/review:\n    review_history: true\n")
    (repo / "mkdocs.yml").write_text(cfg)
    assert main(["review", "content/articles/a.md", "--to", "approved", "--as", "bob", "--key", str(keys["bob"]),
                 "--date", "2025-01-05", "--note", "Checked against the guideline."]) == 0
    commit(repo, "approve")
    append_history(repo, f"    - status: under-review\n      by: alice\n      on: 2025-01-06\n      note: {NEW} the dose is now 500 mg\n", "under-review")
    commit(repo, "forged note")
    history = build_site(repo, strict=True).soup("articles/a").select_one(".kb-review-history")
    text = history.get_text()
    assert NEW not in text and "Checked against the guideline." in text
    links = [a.get_text() for a in history.select("a")]
    assert links == ["Bob Brown, PharmD"]  # only the signed approval links to its member


def test_a_rename_through_a_non_utf8_name_is_followed(repo: Path, keys: dict[str, Path]) -> None:
    approve(keys)
    commit(repo, "approve")
    odd = os.fsdecode(b"content/articles/\xff.md")
    git(repo, "mv", "content/articles/a.md", odd)
    commit(repo, "odd name")
    git(repo, "mv", odd, "content/articles/a.md")
    edit(repo, "five milligrams", NEW)
    commit(repo, "back, edited")
    built = build_site(repo, strict=True)
    assert NEW not in site_text(built.site_dir) and "five milligrams" in built.html("articles/a")


def test_a_file_named_like_the_approved_folder_is_refused(repo: Path, caplog: pytest.LogCaptureFixture) -> None:
    (repo / "content/_approved").write_text("x")
    with pytest.raises((PluginError, Abort)):
        build_site(repo, strict=False)
    assert any("_approved: _approved/ is medkb's" in r.getMessage() for r in caplog.records)


def test_the_changes_page_keeps_a_title_outside_ascii(repo: Path, keys: dict[str, Path], tmp_path: Path) -> None:
    approve(keys)
    commit(repo, "approve")
    edit(repo, "title: Is the claim true?", "title: Is the claim true 😀?")
    commit(repo, "emoji")
    assert main(["preview", "-d", str(tmp_path / "p")]) == 0
    h1 = BeautifulSoup((tmp_path / "p/changes/articles/a/index.html").read_text(), "html.parser").h1.get_text()
    assert h1 == "Changes since approval: Is the claim true 😀?"


def test_the_commands_render_changes_from_cleaned_html(repo: Path, keys: dict[str, Path]) -> None:
    from medkb.preview import diff_article
    from medkb.review.changes import changes_html
    from medkb.site import load_layout

    approve(keys)
    commit(repo, "approve")
    edit(repo, "The usual dose", '<script>alert(1)</script><img src="x.png" onerror="alert(2)">\n\nThe usual dose')
    commit(repo, "hostile markup")
    changes = diff_article(repo / "content/articles/a.md", load_layout(repo / "mkdocs.yml"))
    assert not isinstance(changes, str)
    html = changes_html(changes.body)
    assert "<script" not in html and "onerror" not in html and "alert(2)" not in html


def test_the_review_history_words_are_the_sites(repo: Path, keys: dict[str, Path]) -> None:
    approve(keys)
    cfg = (repo / "mkdocs.yml").read_text().replace(
        "- medkb/review\n",
        "- medkb/review:\n    review_history: true\n    review_history_title: Versions\n"
        "    history_labels: {submitted: Sent in, under-review: Being checked, approved: Signed off, returned: Sent back}\n",
    )
    (repo / "mkdocs.yml").write_text(cfg)
    history = build_site(repo, strict=True).soup("articles/a").select_one(".kb-review-history")
    assert history.select_one("summary").get_text(strip=True) == "Versions"
    assert [a.get_text() for a in history.select(".kb-review-history__action")] == ["Sent in", "Being checked", "Signed off"]


@pytest.mark.parametrize("option", ["changes_dir", "browse_dir", "review_queue_page"])
def test_generated_pages_cannot_be_placed_outside_the_site(repo: Path, option: str, caplog: pytest.LogCaptureFixture) -> None:
    cfg = (repo / "mkdocs.yml").read_text().replace("- medkb/review\n", f"- medkb/review:\n    {option}: ../../outside\n")
    (repo / "mkdocs.yml").write_text(cfg)
    with pytest.raises((PluginError, Abort)):
        build_site(repo, strict=False)
    assert any(f"{option} '../../outside' must be a folder or page inside docs_dir" in r.getMessage() for r in caplog.records)
    assert not (repo.parent.parent / "outside").exists()
