"""The reviewer's desk in real Chromium: queue, an article with changes and its diff, approve with the key in ssh-agent, commit (issue 15).

A real ``medkb desk`` subprocess on a temporary git repository; Alice's key
is protected by a passphrase and added to an ``ssh-agent`` the test starts
(``ssh-add`` reads the passphrase through ``SSH_ASKPASS``). The article was
approved by Bob (``medkb review`` with his key file), then edited and
committed. The file the desk writes is compared byte for byte with what
``medkb review`` writes on a copy of the repository, and the next build
shows the article approved.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from conftest import build_site
from deskkit import (
    SUBMITTED,
    UNDER_REVIEW,
    Agent,
    Desk,
    cli_review,
    copy_repo,
    git,
    make_keys,
    make_repo,
    start_agent,
    start_desk,
)

pytestmark = pytest.mark.browser

ARTICLE = "content/articles/c.md"
CHANGED = UNDER_REVIEW.replace("Is the claim true?", "Is the changed claim true?")
NOTE = "Checked the dose against the 2020 trial."


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    return make_keys(tmp_path / "keys")


@pytest.fixture
def agent(tmp_path: Path, keys: dict[str, Path]) -> Iterator[Agent]:
    started = start_agent(tmp_path, keys["alice"])
    yield started
    started.stop()


@pytest.fixture
def repo(tmp_path: Path, keys: dict[str, Path], agent: Agent) -> Path:
    root = make_repo(tmp_path / "kb", keys, {"articles/a.md": UNDER_REVIEW, "articles/new.md": SUBMITTED, "articles/c.md": CHANGED})
    approved = cli_review(root, agent.env(), ARTICLE, "--to", "approved", "--as", "bob", "--key", str(keys["bob"]))
    assert approved.returncode == 0, approved.stderr
    git(root, "commit", "-q", "-am", "Bob approves c.md")
    path = root / ARTICLE
    path.write_text(path.read_text().replace("A claim [@src].", "A claim, now for adults only [@src]."))
    git(root, "commit", "-q", "-am", "An editor's change to approved text")
    return root


@pytest.fixture
def desk(repo: Path, agent: Agent) -> Iterator[Desk]:
    # No --as: the desk finds Alice by the key the agent holds.
    started = start_desk(repo, agent.env())
    yield started
    code, err = started.stop()
    assert code == 0 and "Traceback" not in err, err


def wait_for_preview(page: Page) -> None:
    """Reload until the preview is built from the files as they are (the desk waits a few seconds, then says it is building)."""
    for _ in range(360):
        if page.locator(".building").count() == 0:
            return
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError("the preview was not rebuilt in 3 minutes")


def no_violations(page: Page) -> None:
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []


def test_review_approve_and_commit_in_the_browser(page: Page, desk: Desk, repo: Path, agent: Agent, keys: dict[str, Path],
                                                  tmp_path: Path) -> None:
    expected = copy_repo(repo, tmp_path / "cli-copy")
    page.set_viewport_size({"width": 1366, "height": 768})  # a laptop screen
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(desk.url)
    expect(page).to_have_url(f"http://127.0.0.1:{desk.port}/")  # the secret left the address bar
    expect(page.locator("h1")).to_have_text("Review queue")
    expect(page.locator(".desk-who")).to_contain_text("You are Alice Example, MD (alice); approvals are signed by your key in ssh-agent")
    rows = page.locator("tr.queue-row")
    expect(rows).to_have_count(3)
    for index, status in enumerate(["changes-pending", "under-review", "submitted"]):
        expect(rows.nth(index)).to_have_attribute("data-status", status)
    expect(rows.nth(0)).to_contain_text("approved by Bob Example, MD")
    no_violations(page)

    # Keyboard only: tab to the changed article's link and follow it.
    link = page.get_by_role("link", name="Is the changed claim true?")
    for _ in range(20):
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Is the changed claim true?")
    expect(page.locator(".status").first).to_have_text("Changes pending")
    wait_for_preview(page)

    # The diff: the inserted words, nothing removed.
    changes = page.locator("section.changes")
    expect(changes.locator("#changes-h")).to_have_text("Changes since approval")
    expect(changes.locator(".changes-body h4")).to_have_text(["Answer"])  # the article's h2, under the page's h2 and h3
    expect(changes.locator(".changes-body ins")).to_have_text(["claim, now for adults only"])
    expect(changes.locator(".changes-body del")).to_have_text(["claim"])

    # The site's own rendering of the current text, per audience, from the working tree.
    frame = page.frame_locator("iframe.preview-frame")
    expect(frame.locator(".kb-review")).to_have_attribute("data-kb-status", "changes-pending")
    expect(frame.locator(".md-content")).to_contain_text("now for adults only")
    expect(frame.locator('div.kb-audience[data-kb-audience~="patient"]')).to_be_visible()
    expect(frame.locator('div.kb-audience[data-kb-audience~="professional"]')).to_be_hidden()
    page.get_by_role("link", name="Healthcare professional").click()
    expect(frame.locator("html")).to_have_attribute("data-kb-audience", "professional")
    expect(frame.locator('div.kb-audience[data-kb-audience~="professional"]')).to_be_visible()
    expect(page.locator(".sources li")).to_contain_text("A trial of the claim")
    expect(page.locator(".history li")).to_have_count(3)
    no_violations(page)

    # Approve with the keyboard: the note, then the Approve button.
    page.get_by_label("Note for the history").focus()
    page.keyboard.type(NOTE)
    approve = page.get_by_role("button", name="Approve")
    for _ in range(5):
        page.keyboard.press("Tab")
        if approve.evaluate("e => e === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.locator(".flash-done")).to_contain_text("You approved it, signed with your key in ssh-agent.")
    expect(page.locator(".status").first).to_have_text("Approved")
    wait_for_preview(page)
    expect(frame.locator(".kb-review")).to_have_attribute("data-kb-status", "approved")
    expect(page.locator("section.changes")).to_have_count(0)

    # Byte for byte what `medkb review` writes (Ed25519 signatures are deterministic).
    made = cli_review(expected, agent.env(), ARTICLE, "--to", "approved", "--as", "alice", "--key", str(keys["alice"]), "--note", NOTE)
    assert made.returncode == 0, made.stderr
    assert (repo / ARTICLE).read_bytes() == (expected / ARTICLE).read_bytes()

    page.get_by_role("button", name="Commit").press("Enter")
    expect(page.locator(".flash-done")).to_contain_text("Committed as")
    expect(page.locator(".flash-done")).to_contain_text("Nothing was pushed")
    expect(page.get_by_role("button", name="Commit")).to_have_count(0)
    assert git(repo, "status", "--porcelain") == ""
    subject, author = git(repo, "log", "-1", "--format=%s%n%ae").splitlines()
    assert (subject, author) == (f"Approve {ARTICLE}", "alice@example.org")
    assert "approved by alice on" in git(repo, "log", "-1", "--format=%b")
    assert git(repo, "log", "-1", "--format=%H", "--", ARTICLE).strip() == git(repo, "rev-parse", "HEAD").strip()

    # The queue has moved it: approved articles come last.
    page.get_by_role("navigation", name="Desk").get_by_role("link", name="Review queue").click()
    expect(rows.nth(2)).to_have_attribute("data-status", "approved")
    expect(rows.nth(2)).to_contain_text("approved by Alice Example, MD")

    # Who you are and which key signs: accessible too.
    page.get_by_role("link", name="Your key").click()
    expect(page.locator("h1")).to_have_text("Your key")
    expect(page.locator("#member")).to_have_value("alice")
    no_violations(page)

    # The next build says approved.
    built = build_site(repo, strict=True)
    page_html = built.soup("articles/c")
    assert page_html.select_one(".kb-review")["data-kb-status"] == "approved"
    assert "now for adults only" in page_html.get_text() and page_html.select_one(".kb-revision-notice") is None
    assert errors == []
