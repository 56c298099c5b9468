"""What the ``medkb desk`` tests share: a git repository with a board and real keys, an ssh-agent, a desk subprocess.

Nothing is mocked: keys are made by ``ssh-keygen`` (Alice's is protected by a
passphrase and added to an ``ssh-agent`` the test starts, through
``SSH_ASKPASS``), the repository is real git, the desk is ``python -m
medkb.cli desk`` in a subprocess, and its pages are fetched over HTTP.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from conftest import write_site

MEDKB = [sys.executable, "-m", "medkb.cli"]
PASSPHRASE = "correct horse battery staple"
BIB = "@article{src, title={A trial of the claim}, journal={J Test}, year={2020}, doi={10.1000/test}}\n"
BODY = "## Answer\n\nA claim [@src].\n\n/// audience | patient\nPlain words for patients.\n///\n\n/// audience | professional\nClinical detail for professionals.\n///\n"


def article_text(title: str, history: list[tuple[str, str, str]], status: str | None = None, body: str = BODY) -> str:
    """An article whose history is ``(status, by, on)`` records, written as medkb writes them."""
    last = history[-1][0]
    status = status or ("submitted" if last == "returned" else last)
    lines = [f"    - status: {s}\n      by: {by}\n      on: {on}\n" for s, by, on in history]
    return f"---\ntitle: {title}\nreview:\n  status: {status}\n  updated: {history[0][2]}\n  history:\n{''.join(lines)}---\n\n{body}"


UNDER_REVIEW = article_text("Is the claim true?", [("submitted", "editor@example.org", "2025-01-02"), ("under-review", "bob", "2025-01-03")])
SELF_SUBMITTED = article_text("Did Alice write this?", [("submitted", "alice@example.org", "2025-01-02"), ("under-review", "bob", "2025-01-03")])
SUBMITTED = article_text("Is a new claim true?", [("submitted", "editor@example.org", "2025-01-04")])


def make_keys(folder: Path) -> dict[str, Path]:
    """Alice's key has a passphrase (it signs through the agent); Bob's has none (a key file)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", PASSPHRASE, "-C", "alice", "-f", str(folder / "alice")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob", "-f", str(folder / "bob")], check=True)
    return {"alice": folder / "alice", "bob": folder / "bob"}


def board_yaml(keys: dict[str, Path]) -> str:
    text = "members:\n"
    for name in ("alice", "bob"):
        key = " ".join(keys[name].with_suffix(".pub").read_text().split()[:2])
        text += f"  - id: {name}\n    name: {name.title()} Example\n    credentials: MD\n    role: Reviewer\n    key: {key}\n    emails: [{name}@example.org]\n"
    return text


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
    return done.stdout


def make_repo(root: Path, keys: dict[str, Path], pages: dict[str, str]) -> Path:
    """A knowledge base in a fresh git repository (Alice's identity in its git config), everything committed."""
    write_site(root, pages, bib=BIB, board=board_yaml(keys))
    (root / ".gitignore").write_text("site/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "alice@example.org")
    git(root, "config", "user.name", "Alice Example")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The knowledge base")
    return root


@dataclass
class Agent:
    """An ssh-agent this test started, holding Alice's passphrase-protected key."""

    process: subprocess.Popen[bytes]
    socket: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, "SSH_AUTH_SOCK": str(self.socket)}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_agent(folder: Path, key: Path) -> Agent:
    """``ssh-agent -D`` (foreground, so the test ends it by its pid), then ``ssh-add`` with the passphrase from SSH_ASKPASS."""
    socket = folder / "agent.sock"
    process = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if socket.exists():
            break
        time.sleep(0.05)
    askpass = folder / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\necho '{PASSPHRASE}'\n")
    askpass.chmod(0o700)
    env = {**os.environ, "SSH_AUTH_SOCK": str(socket), "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"}
    subprocess.run(["ssh-add", str(key)], env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True, start_new_session=True)
    return Agent(process, socket)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Desk:
    """A running ``medkb desk`` and an HTTP client holding its cookie."""

    process: subprocess.Popen[str]
    url: str
    port: int
    root: Path
    cookie: str = ""
    stderr_lines: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, *, host: str | None = None, cookie: bool = True, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None, port: int | None = None) -> Response:
        """One request on a fresh connection; ``host`` replaces the Host header."""
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=120)
        sent = {"Host": host or f"127.0.0.1:{port or self.port}", **(headers or {})}
        if cookie and self.cookie:
            sent["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
            sent.setdefault("Origin", f"http://127.0.0.1:{self.port}")
        conn.request(method, path, body=body, headers=sent)
        answer = conn.getresponse()
        result = Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read().decode("utf-8", "replace"))
        conn.close()
        return result

    def log_in(self) -> None:
        """Open the printed address: the desk sets its cookie and redirects to the same page without the secret."""
        split = urlsplit(self.url)
        answer = self.request("GET", f"{split.path}?{split.query}", cookie=False)
        assert answer.status == 303, answer
        assert answer.headers["location"] == "/"
        set_cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
        self.cookie = set_cookie.split(";")[0]

    def built_page(self, path: str, timeout: float = 180) -> Response:
        """GET ``path`` until its preview is of the files as they are (the desk waits a few seconds, then says a build is under way)."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.request("GET", path)
            if 'class="building"' not in answer.body or time.monotonic() > deadline:
                return answer
            time.sleep(0.5)

    def form_fields(self, page: str) -> dict[str, str]:
        """The hidden fields of a page's review form (csrf, article, opened)."""
        return dict(re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)">', page))

    def stop(self) -> tuple[int, str]:
        """Ctrl-C (SIGINT to the desk's pid); its exit status and what it wrote to stderr."""
        self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return self.process.returncode, err


def start_desk(root: Path, env: dict[str, str], *args: str, browser: bool = False) -> Desk:
    """``medkb desk --no-browser`` in ``root`` (``browser``: without ``--no-browser``); waits for its first line, the address."""
    process = subprocess.Popen(
        [*MEDKB, "desk", *([] if browser else ["--no-browser"]), *args], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**env, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 60)
    if not ready:
        process.kill()
        raise AssertionError(f"medkb desk printed nothing in 60 s: {process.communicate()}")
    first = process.stdout.readline().strip()
    match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]{32,})", first)
    if match is None:
        process.kill()
        raise AssertionError(f"first line is not the desk's address: {first!r} {process.communicate()}")
    return Desk(process, first, int(match.group(1)), root)


def today() -> str:
    """The date review actions record (UTC, as medkb's today_utc)."""
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def cli_review(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``medkb review`` in ``root``."""
    return subprocess.run([*MEDKB, "review", *args], cwd=root, capture_output=True, text=True, env={**env, "NO_MKDOCS_2_WARNING": "1"})


def copy_repo(root: Path, to: Path) -> Path:
    """A copy of the working tree (for what the command would write)."""
    shutil.copytree(root, to, symlinks=True, ignore=shutil.ignore_patterns("site"))
    return to
