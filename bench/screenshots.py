"""Screenshots in Chromium: an article light, dark, patient, professional, on a phone (its first screen
and its table of contents from the menu), printed; search results; the grades, board, browse and 404 pages;
the reviewer's desk.

    python bench/screenshots.py [OUT_DIR]      (default: screenshots/; make screenshots)

Builds the example knowledge base, serves it on 127.0.0.1 and drives Debian's
Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through Playwright. The desk
shot runs ``medkb desk`` on a copy of the example, with an ssh-agent holding
the demo key of a.moreno (tests/fixtures/demo-board-keys), at a laptop's
1366 x 768.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "/articles/low-back-pain-imaging/"
SHOTS: dict[str, dict[str, object]] = {
    "article-light-patient": {"color_scheme": "light", "audience": "patient", "viewport": (1280, 1600)},
    "article-dark-professional": {"color_scheme": "dark", "audience": "professional", "viewport": (1280, 1600)},
    "article-mobile": {"color_scheme": "light", "audience": "patient", "viewport": (390, 1400)},
    # A phone's first screen (375 x 812), before a choice: the key points start on it.
    "article-phone-first-screen": {"color_scheme": "light", "viewport": (375, 812), "mobile": True},
    "article-phone-menu-toc": {"color_scheme": "light", "audience": "student", "viewport": (375, 812), "mobile": True, "menu": True},
    "article-print": {"color_scheme": "light", "audience": "professional", "viewport": (900, 1600), "print": True},
    "search-results": {"color_scheme": "light", "audience": "patient", "viewport": (1280, 700), "query": "imaging"},
    "grades": {"color_scheme": "light", "path": "/grades/", "viewport": (1280, 900)},
    "board": {"color_scheme": "light", "path": "/board/", "viewport": (1280, 1100)},
    "browse-topic": {"color_scheme": "light", "path": "/browse/primary-care/", "viewport": (1280, 800)},
    "not-found": {"color_scheme": "light", "path": "/404.html", "viewport": (1280, 700)},
}

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as site:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", site], check=True, env=env)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=site))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
            for name, shot in SHOTS.items():
                width, height = shot["viewport"]  # type: ignore[misc]
                mobile = bool(shot.get("mobile"))
                context = browser.new_context(
                    color_scheme=shot["color_scheme"], viewport={"width": width, "height": height},  # type: ignore[arg-type]
                    is_mobile=mobile, has_touch=mobile,
                )
                page = context.new_page()
                query = f"?audience={shot['audience']}" if "audience" in shot else ""
                page.goto(f"{base}{shot.get('path', ARTICLE)}{query}", wait_until="networkidle")
                if shot.get("menu"):  # the header menu, then the article's table of contents in it
                    page.locator('label.md-header__button[for="__drawer"]').click()
                    page.locator('.kb-nav-page label.md-nav__link[for="__toc"]').click()
                    page.wait_for_timeout(400)
                if shot.get("print"):
                    page.emulate_media(media="print")
                    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
                if "query" in shot:  # the search dialog with results for a query
                    page.keyboard.press("/")
                    page.keyboard.type(str(shot["query"]), delay=40)
                    page.wait_for_selector(".kb-search .md-search-result__item")
                    page.wait_for_timeout(300)
                page.screenshot(path=str(out / f"{name}.png"))
                print(out / f"{name}.png")
                context.close()
            desk_screenshot(browser, out / "desk-article.png")
            print(out / "desk-article.png")
            browser.close()
        server.shutdown()


DESK_ARTICLE = "hypertension-blood-pressure-target.md"
#: An editor's change to the approved example article, so the desk shows "Changes since approval".
DESK_EDIT = ("Measuring at home helps\nconfirm your readings", "Measuring at home twice a day for a week helps\nconfirm your readings")


def desk_screenshot(browser: object, path: Path) -> None:
    """The desk's page of an approved article an editor changed since, signed in through ssh-agent (as a.moreno)."""
    with tempfile.TemporaryDirectory() as tmp:
        kb = Path(tmp) / "kb"
        kb.mkdir()
        for name in ("mkdocs.yml", "references.bib", "board.yml"):
            shutil.copy(ROOT / name, kb / name)
        for name in ("content", "overrides"):
            shutil.copytree(ROOT / name, kb / name)
        git = ["git", "-C", str(kb), "-c", "user.name=Editor", "-c", "user.email=editor@example.org", "-c", "commit.gpgsign=false"]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", "The example"], check=True)
        article = kb / "content/articles" / DESK_ARTICLE
        article.write_text(article.read_text().replace(*DESK_EDIT))
        subprocess.run([*git, "commit", "-q", "-am", "An editor's change"], check=True)
        key = Path(tmp) / "a.moreno"
        shutil.copy(ROOT / "tests/fixtures/demo-board-keys/a.moreno", key)
        key.chmod(0o600)
        socket = Path(tmp) / "agent.sock"
        agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SSH_AUTH_SOCK": str(socket)}
        try:
            for _ in range(100):
                if socket.exists():
                    break
                time.sleep(0.05)
            subprocess.run(["ssh-add", "-q", str(key)], env=env, check=True, stdin=subprocess.DEVNULL)
            desk = subprocess.Popen([sys.executable, "-m", "medkb.cli", "desk", "--no-browser"], cwd=kb, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                url = desk.stdout.readline().strip()  # type: ignore[union-attr]
                context = browser.new_context(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
                page = context.new_page()
                page.goto(url)
                page.goto(url.split("?")[0] + f"article/{DESK_ARTICLE}", wait_until="networkidle")
                page.frame_locator("iframe.preview-frame").locator(".kb-review").wait_for()
                page.wait_for_timeout(300)
                # A laptop's width; tall enough for the preview, the review panel and the changes.
                page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": 1366, "height": 1240})
                context.close()
            finally:
                desk.send_signal(signal.SIGINT)
                desk.wait(timeout=30)
        finally:
            agent.terminate()
            agent.wait(timeout=10)


if __name__ == "__main__":
    main()
