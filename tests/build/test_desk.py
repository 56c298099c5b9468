"""``medkb desk`` refuses what it must, over plain HTTP, against a real desk subprocess (issue 15).

A real git repository, real ``ssh-keygen`` keys (Alice's behind a passphrase,
in an ``ssh-agent`` this module starts), a real desk. Every refusal is
checked to have written nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from deskkit import SELF_SUBMITTED, SUBMITTED, UNDER_REVIEW, Agent, Desk, article_text, make_keys, make_repo, start_agent, start_desk

HOSTILE = article_text(
    'Is <script>alert("x")</script> & <b>bold</b> safe?',
    [("submitted", "editor@example.org", "2025-01-02"), ("under-review", "bob", "2025-01-03")],
    body="## Answer\n\nText.\n",
).replace("      on: 2025-01-03\n", '      on: 2025-01-03\n      note: "<img src=x onerror=alert(1)> see </textarea>"\n')


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_keys(tmp_path_factory.mktemp("desk-keys"))


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory, keys: dict[str, Path]) -> Iterator[Agent]:
    started = start_agent(tmp_path_factory.mktemp("desk-agent"), keys["alice"])
    yield started
    started.stop()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, keys: dict[str, Path]) -> Path:
    root = tmp_path_factory.mktemp("desk-repo")
    make_repo(root, keys, {
        "articles/a.md": UNDER_REVIEW, "articles/mine.md": SELF_SUBMITTED, "articles/new.md": SUBMITTED,
        "articles/hostile.md": HOSTILE, "notes.md": "# Notes\n",
    })
    return root


@pytest.fixture(scope="module")
def desk(repo: Path, agent: Agent) -> Iterator[Desk]:
    started = start_desk(repo, agent.env())
    started.log_in()
    yield started
    code, err = started.stop()
    assert code == 0 and "Traceback" not in err, err


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the site (links as themselves), to show that nothing was written."""
    found = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.parts or "site" in path.relative_to(root).parts:
            continue
        if path.is_symlink():
            found[path.relative_to(root).as_posix()] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def refused_reason(page: str) -> str:
    reason = BeautifulSoup(page, "html.parser").select_one(".refused-reason, .flash-error")
    assert reason is not None, page
    return reason.get_text(" ", strip=True)


def open_form(desk: Desk, ref: str) -> dict[str, str]:
    page = desk.request("GET", f"/article/{ref}")
    assert page.status == 200, page.body
    return desk.form_fields(page.body)


# -- the first line, the stop --


def test_first_line_is_the_address_and_ctrl_c_stops_cleanly(repo: Path, agent: Agent) -> None:
    started = start_desk(repo, agent.env(), "--as", "bob")
    assert started.url.startswith("http://127.0.0.1:")
    started.log_in()
    assert started.request("GET", "/").status == 200
    code, err = started.stop()
    assert code == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().splitlines()[-1] == "medkb desk: stopped"


def test_it_opens_the_browser_unless_told_not_to(repo: Path, agent: Agent, tmp_path: Path) -> None:
    import time

    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}\n')
    browser.chmod(0o700)
    started = start_desk(repo, {**agent.env(), "BROWSER": str(browser)}, "--as", "bob", browser=True)
    try:
        for _ in range(100):
            if opened.exists() and opened.read_text():
                break
            time.sleep(0.1)
        assert opened.read_text() == started.url  # Python's webbrowser runs $BROWSER with the address
    finally:
        started.stop()
    opened.unlink()
    quiet = start_desk(repo, {**agent.env(), "BROWSER": str(browser)}, "--as", "bob")
    quiet.log_in()  # it serves: opening a browser, which comes first, would be done
    quiet.stop()
    assert not opened.exists()


def test_a_port_in_use_is_one_line(repo: Path, agent: Agent, desk: Desk) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "medkb.cli", "desk", "--no-browser", "--port", str(desk.port)], cwd=repo,
                            capture_output=True, text=True, env=agent.env(), timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines()[-1].startswith(f"medkb desk: cannot listen on 127.0.0.1:{desk.port} (")
    assert "Traceback" not in result.stderr


# -- the secret, the Host, the token --


def test_requests_without_the_secret_are_refused(desk: Desk) -> None:
    for path in ("/", "/article/a.md", "/setup", "/static/desk.css"):
        answer = desk.request("GET", path, cookie=False)
        assert answer.status == 403, (path, answer.status)
        assert "needs its secret" in refused_reason(answer.body)
        assert "Is the claim true?" not in answer.body
    wrong = desk.request("GET", "/?token=not-the-secret", cookie=False)
    assert wrong.status == 403 and "set-cookie" not in wrong.headers
    forged = desk.request("GET", "/", cookie=False, headers={"Cookie": f"medkb_desk_{desk.port}=guess"})
    assert forged.status == 403
    assert desk.request("GET", "/").status == 200  # with the cookie


def test_a_foreign_host_header_is_refused(desk: Desk) -> None:
    for host in (f"attacker.example:{desk.port}", "127.0.0.1", f"127.0.0.1:{desk.port + 1}", f"127.0.0.1.attacker.example:{desk.port}"):
        answer = desk.request("GET", "/", host=host)
        assert answer.status == 421, (host, answer.status)
        assert "answers only to 127.0.0.1 and localhost" in refused_reason(answer.body)
    assert desk.request("GET", "/", host=f"localhost:{desk.port}").status == 200


def test_the_preview_checks_its_host_and_its_secret(desk: Desk) -> None:
    page = desk.built_page("/article/a.md").body
    src = BeautifulSoup(page, "html.parser").select_one("iframe.preview-frame")["src"]
    match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)(/[^?]+)\?audience=patient", src)
    assert match, src
    port, path = int(match.group(1)), match.group(2)
    shown = desk.request("GET", path, port=port, cookie=False)
    assert shown.status == 200 and "Is the claim true?" in shown.body
    assert f"frame-ancestors http://127.0.0.1:{desk.port}" in shown.headers["content-security-policy"]
    assert "form-action 'self'" in shown.headers["content-security-policy"]
    assert "sandbox allow-scripts allow-same-origin;" in shown.headers["content-security-policy"]
    assert desk.request("GET", path, port=port, host=f"attacker.example:{port}").status == 421
    token = path.split("/")[1]
    assert desk.request("GET", path.replace(token, "x" * len(token)), port=port).status == 403
    assert desk.request("GET", f"/{token}/../../mkdocs.yml", port=port).status == 404


def test_a_post_without_its_csrf_token_is_refused(desk: Desk, repo: Path) -> None:
    fields = open_form(desk, "a.md")
    before = snapshot(repo)
    for form in ({k: v for k, v in fields.items() if k != "csrf"} | {"to": "returned"},
                 fields | {"csrf": "forged", "to": "returned"}):
        answer = desk.request("POST", "/action", form=form)
        assert answer.status == 403
        assert "security token is missing or wrong" in refused_reason(answer.body)
    # The right token from another site's page: refused by its Origin.
    answer = desk.request("POST", "/action", form=fields | {"to": "returned"}, headers={"Origin": "http://attacker.example"})
    assert answer.status == 403 and "not sent from the desk's own pages" in refused_reason(answer.body)
    # A state change is never a GET.
    assert desk.request("GET", "/action?" + "&".join(f"{k}={v}" for k, v in (fields | {"to": "returned"}).items())).status == 405
    assert snapshot(repo) == before


def test_only_articles_under_articles_dir_can_be_touched(desk: Desk, repo: Path, tmp_path: Path) -> None:
    fields = open_form(desk, "a.md")
    outside = tmp_path / "x.md"
    outside.write_text(UNDER_REVIEW)
    link = repo / "content/articles/link.md"
    link.symlink_to(outside)
    before = snapshot(repo), outside.read_bytes()
    for ref in ("../notes.md", "../../mkdocs.yml", "../index.md", "/etc/passwd", "link.md", "missing.md", "a.md/../../notes.md"):
        answer = desk.request("POST", "/action", form=fields | {"article": ref, "to": "under-review"})
        assert answer.status == 404, (ref, answer.status)
        reason = refused_reason(answer.body)
        assert "not an article" in reason or "symbolic link" in reason or "no such article" in reason, reason
    assert "symbolic link" in refused_reason(desk.request("GET", "/article/link.md").body)
    assert desk.request("GET", "/article/..%2Fnotes.md").status == 404
    assert desk.request("GET", "/article/%2E%2E/index.md").status == 404
    # The queue names the link, and what is wrong with it.
    first = BeautifulSoup(desk.request("GET", "/").body, "html.parser").select_one("tr.queue-row")
    assert first["data-status"] == "unreadable" and "link.md" in first.get_text() and "symbolic link" in first.get_text()
    assert (snapshot(repo), outside.read_bytes()) == before
    link.unlink()


# -- the workflow's refusals, in plain words --


def test_a_non_member_is_refused(desk: Desk, repo: Path, agent: Agent) -> None:
    before = snapshot(repo)
    chosen = desk.request("POST", "/setup", form={"csrf": open_form(desk, "a.md")["csrf"], "member": "mallory"})
    assert chosen.status == 403 and "'mallory' is not a member of the board (board.yml)" in refused_reason(chosen.body)
    outsider = start_desk(repo, agent.env(), "--as", "mallory")
    try:
        outsider.log_in()
        fields = open_form(outsider, "a.md")
        answer = outsider.request("POST", "/action", form=fields | {"to": "approved"})
        assert answer.status == 409
        assert refused_reason(answer.body) == (
            "Nothing was written: content/articles/a.md: 'mallory' is not a member of the board (board.yml); only members review and approve"
        )
    finally:
        outsider.stop()
    assert snapshot(repo) == before


def test_self_approval_is_refused(desk: Desk, repo: Path) -> None:
    before = snapshot(repo)
    answer = desk.request("POST", "/action", form=open_form(desk, "mine.md") | {"to": "approved"})
    assert answer.status == 409
    assert refused_reason(answer.body) == (
        "Nothing was written: content/articles/mine.md: 'alice' submitted this text (as 'alice@example.org') and may not approve it (no self-approval)"
    )
    assert snapshot(repo) == before


def test_a_move_the_status_does_not_allow_is_refused(desk: Desk, repo: Path) -> None:
    before = snapshot(repo)
    answer = desk.request("POST", "/action", form=open_form(desk, "new.md") | {"to": "approved"})
    assert answer.status == 409
    assert "cannot move from submitted to approved; allowed from submitted: under-review" in refused_reason(answer.body)
    assert snapshot(repo) == before


def test_a_file_changed_under_the_open_page_is_not_written(desk: Desk, repo: Path) -> None:
    fields = open_form(desk, "a.md")
    path = repo / "content/articles/a.md"
    original = path.read_bytes()
    edited = original.replace(b"A claim [@src].", b"An edited claim [@src].")
    path.write_bytes(edited)  # an editor saves while the reviewer reads
    try:
        answer = desk.request("POST", "/action", form=fields | {"to": "approved", "note": "Checked."})
        assert answer.status == 409
        assert refused_reason(answer.body) == (
            "Nothing was written: content/articles/a.md: the file changed since you opened it (it was saved meanwhile); "
            "nothing was written: open the article again and review the new text"
        )
        assert path.read_bytes() == edited
        # What the reviewer typed is kept, and the page now offers the new text.
        soup = BeautifulSoup(answer.body, "html.parser")
        assert soup.select_one("textarea#note").get_text() == "Checked."
        assert desk.form_fields(answer.body)["opened"] != fields["opened"]
    finally:
        path.write_bytes(original)


# -- hostile content --


def test_everything_from_the_repository_is_escaped(desk: Desk) -> None:
    for path in ("/", "/article/hostile.md"):
        page = desk.request("GET", path).body
        soup = BeautifulSoup(page, "html.parser")
        assert soup.find("script") is None and soup.find("img") is None and soup.find("b") is None, path
        assert 'Is <script>alert("x")</script> & <b>bold</b> safe?' in soup.get_text(), path
    note = BeautifulSoup(desk.request("GET", "/article/hostile.md").body, "html.parser").select_one(".history .note")
    assert note is not None and note.get_text() == "<img src=x onerror=alert(1)> see </textarea>"
    assert "&lt;script&gt;" in desk.request("GET", "/").body


def test_pages_forbid_scripts_and_framing(desk: Desk) -> None:
    answer = desk.request("GET", "/")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "script-src" not in policy
    assert answer.headers["cache-control"] == "no-store"


def test_the_desks_pages_are_valid_html(desk: Desk, tmp_path: Path) -> None:
    from quality import vnu_errors

    pages = {"queue": "/", "article": "/article/a.md", "hostile": "/article/hostile.md", "setup": "/setup", "refused": "/nowhere"}
    files = []
    for name, path in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(desk.request("GET", path).body, encoding="utf-8")
    assert vnu_errors(files) == []


# -- the queue --


def test_the_queue_lists_every_article_by_status(desk: Desk) -> None:
    soup = BeautifulSoup(desk.request("GET", "/").body, "html.parser")
    rows = [(tr["data-status"], tr.select_one("th").get_text(" ", strip=True)) for tr in soup.select("tr.queue-row")]
    statuses = [status for status, _ in rows]
    assert statuses == ["under-review", "under-review", "under-review", "submitted"], rows
    assert rows[-1][1].startswith("Is a new claim true?")
    last_move = soup.select("tr.queue-row")[0].select("td")[3].get_text(" ", strip=True)
    assert last_move == "under-review by Bob Example, MD, 3 January 2025"


# -- a key file instead of the agent --


def test_without_an_agent_a_key_file_signs_and_a_protected_one_is_refused(tmp_path: Path, keys: dict[str, Path]) -> None:
    import os

    root = make_repo(tmp_path / "kb", keys, {"articles/a.md": UNDER_REVIEW})
    no_agent = {k: v for k, v in os.environ.items() if k != "SSH_AUTH_SOCK"}
    path = root / "content/articles/a.md"
    before = path.read_bytes()
    protected = start_desk(root, no_agent, "--as", "alice", "--key", str(keys["alice"]))
    try:
        protected.log_in()
        answer = protected.request("POST", "/action", form=open_form(protected, "a.md") | {"to": "approved"})
        assert answer.status == 409
        assert refused_reason(answer.body) == (
            f"Nothing was written: the key {keys['alice']} is protected by a passphrase and ssh-agent does not hold it: "
            f"run ssh-add {keys['alice']} in a terminal (the agent then signs without asking here), then approve again"
        )
        assert path.read_bytes() == before
    finally:
        protected.stop()
    plain = start_desk(root, no_agent, "--as", "bob", "--key", str(keys["bob"]))
    try:
        plain.log_in()
        answer = plain.request("POST", "/action", form=open_form(plain, "a.md") | {"to": "approved", "note": "Fine."})
        assert answer.status == 303
        shown = plain.request("GET", answer.headers["location"])
        assert f"You approved it, signed with {keys['bob']}." in shown.body
        assert "approves the current text" in shown.body
    finally:
        plain.stop()
    text = path.read_text()
    assert "    - status: approved\n      by: bob\n" in text and 'note: "Fine."' in text and "BEGIN SSH SIGNATURE" in text


# -- the other moves, byte for byte as medkb review --


def test_take_under_review_and_return_write_what_medkb_review_writes(tmp_path: Path, keys: dict[str, Path], agent: Agent) -> None:
    from deskkit import cli_review, copy_repo, git

    root = make_repo(tmp_path / "kb", keys, {"articles/new.md": SUBMITTED})
    expected = copy_repo(root, tmp_path / "cli")
    started = start_desk(root, agent.env(), "--as", "bob")
    try:
        started.log_in()
        for to, note in (("under-review", ""), ("returned", 'Cite the 2024 guideline; "dose" needs a unit.')):
            answer = started.request("POST", "/action", form=open_form(started, "new.md") | {"to": to, "note": note})
            assert answer.status == 303, refused_reason(answer.body)
            made = cli_review(expected, agent.env(), "content/articles/new.md", "--to", to, "--as", "bob", "--note", note)
            assert made.returncode == 0, made.stderr
            assert (root / "content/articles/new.md").read_bytes() == (expected / "content/articles/new.md").read_bytes(), to
        page = started.request("GET", "/article/new.md").body
        assert "Cite the 2024 guideline; &#34;dose&#34; needs a unit." in page
        commit = started.request("POST", "/commit", form={"csrf": started.form_fields(page)["csrf"], "article": "new.md"})
        assert commit.status == 303
        assert git(root, "log", "-1", "--format=%s").strip() == "Return content/articles/new.md to the editor"
        again = started.request("POST", "/commit", form={"csrf": started.form_fields(page)["csrf"], "article": "new.md"})
        assert again.status == 409 and "has not changed this article" in refused_reason(again.body)
    finally:
        started.stop()


def test_a_site_that_does_not_build_shows_why(tmp_path: Path, keys: dict[str, Path], agent: Agent) -> None:
    root = make_repo(tmp_path / "kb", keys, {"articles/a.md": UNDER_REVIEW})
    (root / "content/oops.md").symlink_to(tmp_path / "elsewhere.md")  # outside the site's folder: the build stops
    (tmp_path / "elsewhere.md").write_text("# <b>outside</b>\n")
    started = start_desk(root, agent.env(), "--as", "bob")
    try:
        started.log_in()
        soup = BeautifulSoup(started.built_page("/article/a.md").body, "html.parser")
        shown = soup.select_one(".preview .flash-error")
        assert shown is not None and "The site did not build" in shown.get_text()
        assert "oops.md" in shown.select_one("pre").get_text()
        assert soup.select_one("iframe") is None and soup.select_one(".preview b") is None
    finally:
        started.stop()


def test_the_preview_build_gets_no_way_to_the_agent(tmp_path: Path, keys: dict[str, Path], agent: Agent) -> None:
    import yaml

    root = make_repo(tmp_path / "kb", keys, {"articles/a.md": UNDER_REVIEW})
    seen = tmp_path / "seen.txt"
    (root / "hook.py").write_text(f"import os\n\ndef on_post_build(config):\n    open({str(seen)!r}, 'w').write(os.environ.get('SSH_AUTH_SOCK', 'none'))\n")
    config = yaml.safe_load((root / "mkdocs.yml").read_text())
    (root / "mkdocs.yml").write_text(yaml.safe_dump({**config, "hooks": ["hook.py"]}))
    started = start_desk(root, agent.env(), "--as", "bob")
    try:
        started.log_in()
        assert started.built_page("/article/a.md").status == 200
    finally:
        started.stop()
    assert seen.read_text() == "none"


def test_changes_since_approval_are_marked_and_cleaned(tmp_path: Path, keys: dict[str, Path], agent: Agent) -> None:
    from deskkit import cli_review, git

    root = make_repo(tmp_path / "kb", keys, {"articles/a.md": UNDER_REVIEW})
    approved = cli_review(root, agent.env(), "content/articles/a.md", "--to", "approved", "--as", "bob", "--key", str(keys["bob"]))
    assert approved.returncode == 0, approved.stderr
    git(root, "commit", "-q", "-am", "Bob approves")
    path = root / "content/articles/a.md"
    hostile = (
        "A claim [@src].\n\n## Note {#note}\n\n<script>alert(1)</script><img src=x onerror=alert(2)>\n\n"
        "You approved it, signed with your key in ssh-agent.\n{: .flash .flash-done #history-h }\n"
    )
    path.write_text(path.read_text().replace("A claim [@src].\n", hostile))
    started = start_desk(root, agent.env(), "--as", "alice")
    try:
        started.log_in()
        soup = BeautifulSoup(started.request("GET", "/article/a.md").body, "html.parser")
    finally:
        started.stop()
    section = soup.select_one("section.changes")
    assert section is not None and section.select_one("#changes-h").get_text() == "Changes since approval"
    body = section.select_one(".changes-body")
    assert [ins.get_text() for ins in body.select("ins")][:1] == ["Note"]
    assert soup.find("script") is None and not soup.select("[onerror]")
    # Content cannot dress up as the desk's messages nor take its ids.
    assert not body.select(".flash, .flash-done") and not body.select("[id]")
    assert len(soup.select("#note")) == 1 and soup.select_one("#note").name == "textarea"
    assert len(soup.select("#history-h")) == 1
    assert [h.name for h in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])] == ["h4", "h4"]  # Answer, Note


def test_a_broken_board_is_said_in_plain_words(tmp_path: Path, keys: dict[str, Path], agent: Agent) -> None:
    root = make_repo(tmp_path / "kb", keys, {"articles/a.md": UNDER_REVIEW})
    started = start_desk(root, agent.env(), "--as", "bob")
    try:
        started.log_in()
        (root / "board.yml").write_text("members:\n  - id: Not An Id\n    name: x\n")
        for path in ("/", "/article/a.md", "/setup"):
            answer = started.request("GET", path)
            assert answer.status in (200, 422), (path, answer.status)
            text = BeautifulSoup(answer.body, "html.parser").get_text(" ", strip=True)
            assert "board.yml:2" in text and "Traceback" not in answer.body, (path, text)
    finally:
        code, err = started.stop()
    assert code == 0 and "Traceback" not in err and "unexpected" not in err, err


def test_a_slow_build_does_not_hold_the_page(tmp_path: Path, keys: dict[str, Path], agent: Agent) -> None:
    import subprocess
    import time

    import yaml

    root = make_repo(tmp_path / "kb", keys, {"articles/a.md": UNDER_REVIEW})
    # A real build, made slow by a hook (a site of 1,000 articles takes about 80 s).
    (root / "slow.py").write_text("import time\n\ndef on_post_build(config):\n    time.sleep(8)\n")
    config = yaml.safe_load((root / "mkdocs.yml").read_text())
    (root / "mkdocs.yml").write_text(yaml.safe_dump({**config, "hooks": ["slow.py"]}))
    started = start_desk(root, agent.env(), "--as", "bob")
    try:
        started.log_in()
        asked = time.monotonic()
        first = BeautifulSoup(started.request("GET", "/article/a.md").body, "html.parser")
        assert time.monotonic() - asked < 7
        assert first.select_one(".building").get_text(" ", strip=True).startswith("The site is being built from your working tree.")
        assert first.select_one("iframe") is None and first.select_one(".history") is not None  # the rest of the page is there
        later = BeautifulSoup(started.built_page("/article/a.md").body, "html.parser")
        assert later.select_one(".building") is None and later.select_one("iframe.preview-frame") is not None
        # A change: the page shows the last build at once and says a new one is on its way.
        path = root / "content/articles/a.md"
        path.write_text(path.read_text().replace("A claim", "A changed claim"))
        again = BeautifulSoup(started.request("GET", "/article/a.md").body, "html.parser")
        assert again.select_one(".building").get_text(" ", strip=True).startswith("The site is being built again from your working tree")
        assert again.select_one("iframe.preview-frame") is not None
    finally:
        code, err = started.stop()
    assert code == 0 and "Traceback" not in err, err
    # No build outlives the desk (it was stopped in the middle of one).
    found = subprocess.run(["pgrep", "-f", f"medkb.cli preview -d .* --config {root}/mkdocs.yml"], capture_output=True, text=True)
    assert found.stdout.strip() == ""


def test_the_queue_follows_the_files(tmp_path: Path, keys: dict[str, Path], agent: Agent) -> None:
    from deskkit import cli_review

    root = make_repo(tmp_path / "kb", keys, {"articles/a.md": UNDER_REVIEW, "articles/new.md": SUBMITTED})
    approved = cli_review(root, agent.env(), "content/articles/a.md", "--to", "approved", "--as", "bob", "--key", str(keys["bob"]))
    assert approved.returncode == 0, approved.stderr
    started = start_desk(root, agent.env(), "--as", "bob")

    def queue() -> list[tuple[str, str]]:
        soup = BeautifulSoup(started.request("GET", "/").body, "html.parser")
        return [(tr["data-status"], tr.select_one("th a").get_text(" ", strip=True)) for tr in soup.select("tr.queue-row")]

    try:
        started.log_in()
        assert queue() == [("submitted", "Is a new claim true?"), ("approved", "Is the claim true?")]
        # An editor retitles one article (only it is assessed again) ...
        path = root / "content/articles/new.md"
        path.write_text(path.read_text().replace("Is a new claim true?", "Is a newer claim true?"))
        assert queue() == [("submitted", "Is a newer claim true?"), ("approved", "Is the claim true?")]
        # ... and a change to a cited source reaches the articles citing it.
        bib = root / "references.bib"
        bib.write_text(bib.read_text().replace("A trial of the claim", "A retracted trial of the claim"))
        assert queue() == [("changes-pending", "Is the claim true?"), ("submitted", "Is a newer claim true?")]
    finally:
        started.stop()


def test_a_source_changed_under_the_open_page_is_not_signed(desk: Desk, repo: Path) -> None:
    # The file's bytes are the same; what the approval signs is not (its cited entry).
    fields = open_form(desk, "a.md")
    bib = repo / "references.bib"
    original = bib.read_bytes()
    bib.write_bytes(original.replace(b"A trial of the claim", b"A trial that refutes the claim"))
    before = snapshot(repo)
    try:
        desk.built_page("/article/a.md")  # the preview has caught up: only the digest tells
        answer = desk.request("POST", "/action", form=fields | {"to": "approved"})
        assert answer.status == 409
        assert "its cited sources or embedded files changed since you opened it" in refused_reason(answer.body)
        assert snapshot(repo) == before
    finally:
        bib.write_bytes(original)


def test_the_preview_follows_files_in_a_folder_named_site(tmp_path: Path) -> None:
    from medkb.desk.preview import tree_fingerprint

    nested = tmp_path / "content/articles/site"
    nested.mkdir(parents=True)
    (nested / "s.md").write_text("one")
    (tmp_path / "site").mkdir()
    (tmp_path / "site/index.html").write_text("output")
    before = tree_fingerprint(tmp_path)
    (tmp_path / "site/index.html").write_text("output, rebuilt")
    assert tree_fingerprint(tmp_path) == before  # the build's own output is not an input
    (nested / "s.md").write_text("two, longer")
    assert tree_fingerprint(tmp_path) != before
