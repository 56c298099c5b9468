"""Editor's loop: how long after saving one article the browser shows the change.

    python bench/rebuild.py [--articles 1000] [--edits 5] [--full]

Starts ``mkdocs serve --dirty`` (``--full``: plain ``mkdocs serve``, which
rebuilds every page) on the scale benchmark's synthetic knowledge base with
every medkb plugin, opens an article in Chromium, then edits that article
``--edits`` times: each time it appends a sentence and measures the time
until the sentence is on screen (file saved -> MkDocs notices -> rebuild ->
live reload -> page painted). It also prints MkDocs' own build time. The
search index is rebuilt in the background after each build; the next edit
waits for it, as an editor reading their change would.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from scale import BOARD, ENV, OUT, VOCABULARY, medkb_config  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(log: Path, pattern: str, count: int, timeout: float) -> None:
    """Until ``pattern`` has appeared ``count`` times in the server's log."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if len(re.findall(pattern, log.read_text(errors="replace"))) >= count:
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {pattern!r} in {log}:\n{log.read_text()[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="mkdocs serve without --dirty (every page rebuilt)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    kb = OUT / f"scale-{args.articles}-v{VOCABULARY}" / "flat"
    if not (kb / "references.bib").exists():
        generate(kb, args.articles, vocabulary=VOCABULARY)
    (kb / "board.yml").write_text(BOARD)
    config = kb / "mkdocs-serve.yml"
    config.write_text(yaml.safe_dump({"site_name": "Bench", "docs_dir": "content", **medkb_config()}, sort_keys=False))
    article = kb / "content" / "articles" / f"article-{args.articles // 2:05d}.md"
    original = article.read_bytes()
    port = free_port()
    log = kb / "serve.log"
    command = [str(Path(sys.executable).parent / "mkdocs"), "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"]
    if not args.full:
        command.append("--dirty")
    with open(log, "w") as out:
        server = subprocess.Popen(command, env=ENV, stdout=out, stderr=subprocess.STDOUT)
    times: list[float] = []
    builds: list[float] = []
    try:
        wait_for(log, r"Serving on", 1, 900)
        wait_for(log, r"Pagefind indexed", 1, 900)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=["--disable-gpu"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/articles/{article.stem}/")
            for i in range(1, args.edits + 1):
                marker = f"Edit marker {i} at {time.time_ns()}."
                with open(article, "ab") as f:
                    f.write(f"\n{marker}\n".encode())
                start = time.perf_counter()
                page.get_by_text(marker).wait_for(state="visible", timeout=600_000)
                times.append(time.perf_counter() - start)
                wait_for(log, r"Pagefind indexed", i + 1, 900)
            browser.close()
        builds = [float(s) for s in re.findall(r"Documentation built in ([\d.]+) seconds", log.read_text())]
    finally:
        article.write_bytes(original)
        server.terminate()
        server.wait(30)
    mode = "mkdocs serve" + ("" if args.full else " --dirty")
    print(f"{mode}, {args.articles:,} articles, {len(times)} edits of one article")
    print(f"  first build (start-up): {builds[0]:.1f} s")
    print(f"  rebuild (MkDocs' count): median {statistics.median(builds[1:]):.2f} s, max {max(builds[1:]):.2f} s")
    print(f"  save -> visible in Chromium: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
          f"({', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
