"""Shared fixtures: real MkDocs builds of small sites in ``tmp_path``."""

from __future__ import annotations

import functools
import gzip
import json
import http.server
import os
import shutil
import textwrap
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from mkdocs.commands.build import build
from mkdocs.config import load_config

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@dataclass
class BuiltSite:
    """A site built in a temporary folder."""

    root: Path
    site_dir: Path

    def html(self, url_path: str) -> str:
        """The HTML of a built page, e.g. ``articles/x/``."""
        return (self.site_dir / url_path / "index.html").read_text(encoding="utf-8")

    def soup(self, url_path: str) -> BeautifulSoup:
        """The parsed HTML of a built page."""
        return BeautifulSoup(self.html(url_path), "html.parser")


def article(title: str = "Is this a test article?", status: str = "submitted", body: str = "## Section\n\nText.\n", **extra: Any) -> str:
    """Markdown of a valid article with the given front matter."""
    fm: dict[str, Any] = {"title": title, "review": {"status": status, "updated": "2025-12-17"}}
    fm.update(extra)
    return "---\n" + yaml.safe_dump(fm, sort_keys=False, allow_unicode=True) + "---\n\n" + body


DEMO_KEY = (REPO / "tests" / "fixtures" / "demo-board-keys" / "a.moreno.pub").read_text().split()
TEST_BOARD = (
    "members:\n"
    "  - id: reviewer\n"
    "    name: Rea Viewer\n"
    "    credentials: MD\n"
    "    role: Reviewer\n"
    f"    key: {DEMO_KEY[0]} {DEMO_KEY[1]}\n"
)


def plugins(**review: Any) -> list[Any]:
    """The test sites' plugins, with options for ``medkb/review`` (e.g. ``publish="latest"``)."""
    return ["medkb/search", {"medkb/review": review} if review else "medkb/review", "medkb/citations", "medkb/audience", "medkb/disclaimer"]


#: A site that publishes every current text (``publish: latest``): no git history is needed to build an edit
#: of approved text, which is published with the pending banner and a warning.
LATEST = {"plugins": plugins(publish="latest")}


def write_site(
    root: Path, pages: dict[str, str | bytes], config: dict[str, Any] | None = None, bib: str | None = None, board: str | None = None
) -> Path:
    """Write ``mkdocs.yml``, ``content/``, ``references.bib`` and ``board.yml``."""
    cfg: dict[str, Any] = {
        "site_name": "Test KB",
        "docs_dir": "content",
        "site_dir": "site",
        "theme": {"name": "material", "font": False},
        "plugins": plugins(),
        "markdown_extensions": ["attr_list", "admonition", "tables", {"toc": {"permalink": True}}],
    }
    if config:
        cfg.update(config)
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    pages = {"index.md": "# Home\n", **pages}
    for name, text in pages.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
    (root / "references.bib").write_text(bib or "", encoding="utf-8")
    (root / "board.yml").write_text(TEST_BOARD if board is None else board, encoding="utf-8")
    return root


def pagefind_fragments(site: Path) -> dict[str, dict[str, Any]]:
    """Pagefind's per-page records (gzip, then a 12-byte signature, then JSON), by URL."""
    records = {}
    for path in (site / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd"):])
        records[record["url"]] = record
    return records


def build_site(root: Path, strict: bool = True) -> BuiltSite:
    """Build with MkDocs' own API, as ``mkdocs build [--strict]`` does."""
    cfg = load_config(str(root / "mkdocs.yml"), strict=strict)
    build(cfg)
    return BuiltSite(root=root, site_dir=Path(cfg.site_dir))


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real ed25519 keys made by ssh-keygen (no passphrase): alice, bob, carol and mallory."""
    import subprocess

    folder = tmp_path_factory.mktemp("keys")
    for name in ("alice", "bob", "carol", "mallory"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(folder / name)], check=True)
    return {name: folder / name for name in ("alice", "bob", "carol", "mallory")}


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., BuiltSite]:
    """Write and build a site in ``tmp_path``: ``make_site({"articles/a.md": ...})``."""

    def _make(
        pages: dict[str, str | bytes], config: dict[str, Any] | None = None, bib: str | None = None, strict: bool = True, board: str | None = None
    ) -> BuiltSite:
        write_site(tmp_path, pages, config, bib, board)
        return build_site(tmp_path, strict=strict)

    return _make


def copy_example(root: Path) -> Path:
    """A copy of the example knowledge base (content, config, bibliography, theme)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "references.bib", "board.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "overrides", root / "overrides")
    return root


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The example knowledge base, built once with --strict."""
    return build_site(copy_example(tmp_path_factory.mktemp("example")), strict=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="session")
def site_url(example_site: BuiltSite) -> Iterator[str]:
    """The example site served over http on 127.0.0.1 (a free port)."""
    handler = functools.partial(_QuietHandler, directory=str(example_site.site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def find_chromium() -> str | None:
    """Debian's Chromium (apt-get install -y chromium), or CHROMIUM_PATH."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches the system Chromium (never a downloaded browser)."""
    exe = find_chromium()
    if exe is None:
        pytest.fail("Chromium not found: run 'apt-get install -y chromium' (make test does) or set CHROMIUM_PATH")
    return {**browser_type_launch_args, "executable_path": exe, "args": CHROMIUM_ARGS}
