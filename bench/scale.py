"""Scale benchmark: plain Material (flat navigation) against medkb, same content, one run.

    python bench/scale.py [--articles 100 1000 10000] [--plain-max 3000] [--sections 0]

For each size: build time, peak memory of the MkDocs process and,
separately, of the Pagefind indexer it runs, site size, average article page size, and
what a reader downloads for one search. Plain Material lists every article
in its navigation and ships one search_index.json; medkb runs every plugin
(review with browse pages and articles out of the navigation, citations,
audience, disclaimer, search on Pagefind). For medkb the search is measured
in Chromium on a freshly opened page: the terms an article's title names
("search KB") and then its whole title ("title KB") are typed into the
dialog, every byte fetched under /pagefind/ is counted as a gzip-serving host
sends it, and the first result must be that article. Plain Material's
reader downloads its whole search_index.json (gzipped) before any search.

Plain Material is quadratic: above --plain-max its row is extrapolated from
the measured sizes (a quadratic through the last three) and marked "(extrap.)".
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

OUT = HERE / "out"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
BOARD = (HERE.parent / "board.yml").read_text()
METRICS = ("seconds", "peak_mb", "indexer_mb", "site_mb", "page_kb", "search_kb", "title_kb")
# `mkdocs build` in a fresh interpreter that then records its own peak
# memory and that of the processes it ran (Pagefind), separately.
RUNNER = """
import json, resource, sys
from mkdocs.__main__ import cli
try:
    cli(sys.argv[2:], standalone_mode=False)
finally:
    with open(sys.argv[1], "w") as out:
        json.dump({"mkdocs_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, out)
"""
# Zipf vocabulary: search indexes of real text, titles with their own terms.
VOCABULARY = 20_000


def medkb_config() -> dict[str, object]:
    """Every medkb plugin; articles out of the navigation, browse pages in it."""
    return {
        "theme": {"name": "material", "font": False},
        "plugins": ["medkb/search", "tags", "medkb/review", "medkb/citations", "medkb/audience",
                    {"medkb/disclaimer": {"disclaimers": {"pro": {"title": "Professional Medical Disclaimer", "body": "For professionals."}}}}],
        "not_in_nav": "/articles/\n",
        "nav": ["index.md", "browse/index.md"],
    }


def build(kb: Path, name: str, cfg: dict[str, object]) -> dict[str, float]:
    site = kb / f"site-{name}"
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(kb / ".cache", ignore_errors=True)
    config = kb / f"mkdocs-{name}.yml"
    config.write_text(yaml.safe_dump({"site_name": "Bench", "docs_dir": "content", "site_dir": site.name, **cfg}, sort_keys=False))
    memory = kb / f"memory-{name}.json"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(memory), "build", "-q", "-f", str(config)], env=ENV,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{name} build failed: {proc.stderr.decode()[-2000:]}")
    peaks = json.loads(memory.read_text())
    pages = list((site / "articles").rglob("index.html"))
    return {
        "seconds": seconds,
        "peak_mb": peaks["mkdocs_kb"] / 1024,
        "indexer_mb": peaks["children_kb"] / 1024,
        "site_mb": sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / 2**20,
        "page_kb": sum(p.stat().st_size for p in pages) / len(pages) / 1024,
    }


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def title_queries(kb: Path, n: int) -> tuple[str, str, str]:
    """Two searches for the middle article, as readers type them: its own
    terms (the condition and the intervention its title names) and its whole
    title; and that article's URL."""
    src = next((kb / "content" / "articles").rglob(f"article-{n // 2:05d}.md"))
    title = re.search(r"^title: Should adults with (\S+) receive (\S+)\?$", src.read_text(), re.M)
    assert title is not None, src
    whole = f"Should adults with {title.group(1)} receive {title.group(2)}"
    return f"{title.group(1)} {title.group(2)}", whole, "/" + src.relative_to(kb / "content").with_suffix("").as_posix() + "/"


def pagefind_search(site: Path, query: str, expected: str) -> tuple[float, float, bool]:
    """One search typed into the dialog of a freshly opened page: KB fetched
    under /pagefind/ as served (uncompressed) and as a server that gzips
    JavaScript and JSON sends it (Pagefind's index files are gzipped already);
    and whether ``expected`` came first."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    fetched: dict[str, bytes] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=["--disable-gpu"])
            page = browser.new_page()
            page.goto(url + expected)
            page.on("response", lambda r: fetched.__setitem__(r.url, r.body()) if "/pagefind/" in r.url else None)
            page.keyboard.press("/")
            page.keyboard.type(query, delay=80)
            page.wait_for_selector(".kb-search .md-search-result__item a", timeout=60_000)
            page.wait_for_load_state("networkidle")
            first = page.locator(".kb-search .md-search-result__item a").first.get_attribute("href") or ""
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    raw = sum(len(b) for b in fetched.values()) / 1024
    sent = sum(len(gzip.compress(b)) if u.split("?")[0].endswith((".js", ".json")) else len(b) for u, b in fetched.items()) / 1024
    return raw, sent, first.rstrip("/").endswith(expected.rstrip("/"))


def extrapolate(points: dict[int, dict[str, float]], n: int) -> dict[str, float]:
    """Quadratic (Lagrange) through the three largest measured sizes, for each metric."""
    xs = sorted(points)[-3:]
    out = {}
    for metric in METRICS:
        total = 0.0
        for i, xi in enumerate(xs):
            term = points[xi][metric]
            for j, xj in enumerate(xs):
                if i != j:
                    term *= (n - xj) / (xi - xj)
            total += term
        out[metric] = total
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--plain-max", type=int, default=3000, help="largest size plain Material is built at")
    parser.add_argument("--sections", type=int, default=0, help="articles in this many folders (articles/section-NN/)")
    args = parser.parse_args()
    sizes = sorted(set(args.articles))
    plain_sizes = sorted({n for n in sizes if n <= args.plain_max} | ({100, 1000, 3000} if max(sizes) > args.plain_max else set()))
    theme = {"name": "material", "font": False}
    plain: dict[int, dict[str, float]] = {}
    rows: list[tuple[int, str, dict[str, float], str]] = []
    for n in sorted(set(sizes) | set(plain_sizes)):
        kb = OUT / f"scale-{n}-v{VOCABULARY}" / (f"s{args.sections}" if args.sections else "flat")
        if not (kb / "references.bib").exists():
            generate(kb, n, sections=args.sections, vocabulary=VOCABULARY)
        (kb / "board.yml").write_text(BOARD)
        if n in plain_sizes:
            r = build(kb, "plain", {"theme": theme, "plugins": ["search"]})
            index = (kb / "site-plain" / "search" / "search_index.json").read_bytes()
            r["search_kb"] = r["title_kb"] = len(gzip.compress(index)) / 1024
            plain[n] = r
            shutil.rmtree(kb / "site-plain", ignore_errors=True)  # 3,000 plain articles: 3 GB
            rows.append((n, "plain Material", r, "" if n in sizes else "(measured for the extrapolation)"))
        if n not in sizes:
            continue
        r = build(kb, "medkb", medkb_config())
        terms, whole, expected = title_queries(kb, n)
        _, r["search_kb"], right_terms = pagefind_search(kb / "site-medkb", terms, expected)
        _, r["title_kb"], right_title = pagefind_search(kb / "site-medkb", whole, expected)
        wrong = [q for q, right in ((terms, right_terms), (whole, right_title)) if not right]
        rows.append((n, "medkb", r, f"first result for {wrong} is not {expected}" if wrong else ""))
    for n in sizes:
        if n not in plain:
            rows.append((n, "plain Material", extrapolate(plain, n), "(extrap.)"))
    rows.sort(key=lambda row: (row[0], row[1] != "plain Material"))

    print(f"{'articles':>8}  {'build':<16} {'seconds':>8} {'peak MB':>8} {'Pagefind MB':>11} {'site MB':>9} {'page KB':>8} "
          f"{'search KB':>9} {'title KB':>8}")
    for n, name, r, note in rows:
        print(f"{n:>8}  {name:<16} {r['seconds']:>8.1f} {r['peak_mb']:>8.0f} {r['indexer_mb']:>11.0f} {r['site_mb']:>9.1f} "
              f"{r['page_kb']:>8.1f} {r['search_kb']:>9.0f} {r['title_kb']:>8.0f}  {note}")
    medkb = {n: r for n, name, r, _ in rows if name == "medkb"}
    for n in sizes:
        plain_row = next(r for m, name, r, _ in rows if m == n and name == "plain Material")
        if n not in medkb:
            continue
        print(f"{n:>8}  medkb / plain    {medkb[n]['seconds'] / plain_row['seconds']:>7.2f}x")
    sizes_built = sorted(medkb)
    for small, large in zip(sizes_built, sizes_built[1:]):
        print(f"medkb build time {small:,} -> {large:,} articles: {medkb[large]['seconds'] / medkb[small]['seconds']:.2f}x "
              f"for {large / small:.0f}x the articles")
    (OUT / "scale-results.json").write_text(json.dumps({"rows": [[n, name, r, note] for n, name, r, note in rows]}, indent=1))


if __name__ == "__main__":
    main()
