"""Scale benchmark: plain Material (flat navigation) against medkb, same content, one run.

    python bench/scale.py [--articles 100 1000]

For each size: build time, peak memory of the build process, site size,
average article page size, and the search index every reader downloads
(Material's single search_index.json). medkb runs every plugin (review with
browse pages and articles out of the navigation, citations, audience,
disclaimer); plain Material lists every article in its navigation.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

OUT = HERE / "out"
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
BOARD = (HERE.parent / "board.yml").read_text()


def build(kb: Path, name: str, cfg: dict[str, object]) -> dict[str, float]:
    site = kb / f"site-{name}"
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(kb / ".cache", ignore_errors=True)
    config = kb / f"mkdocs-{name}.yml"
    config.write_text(yaml.safe_dump({"site_name": "Bench", "docs_dir": "content", "site_dir": site.name, **cfg}, sort_keys=False))
    start = time.perf_counter()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "-f", str(config)], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{name} build failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    pages = list((site / "articles").rglob("index.html"))
    return {
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,
        "site_mb": sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / 2**20,
        "page_kb": sum(p.stat().st_size for p in pages) / len(pages) / 1024,
        "search_kb": (site / "search" / "search_index.json").stat().st_size / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    theme = {"name": "material", "font": False}
    print(f"{'articles':>8}  {'build':<16} {'seconds':>8} {'peak MB':>8} {'site MB':>8} {'page KB':>8} {'search KB':>9}")
    for n in args.articles:
        kb = OUT / f"scale-{n}"
        if not (kb / "references.bib").exists():
            generate(kb, n)
        (kb / "board.yml").write_text(BOARD)
        plain = build(kb, "plain", {"theme": theme, "plugins": ["search"]})
        medkb = build(kb, "medkb", {
            "theme": {**theme, "custom_dir": str(HERE.parent / "overrides")},
            "plugins": ["search", "tags", "medkb/review", "medkb/citations", "medkb/audience",
                        {"medkb/disclaimer": {"disclaimers": {"pro": {"title": "Professional Medical Disclaimer", "body": "For professionals."}}}}],
            "not_in_nav": "/articles/\n",
            "nav": ["index.md", "browse/index.md"],
        })
        for name, r in (("plain Material", plain), ("medkb", medkb)):
            print(f"{n:>8}  {name:<16} {r['seconds']:>8.1f} {r['peak_mb']:>8.0f} {r['site_mb']:>8.1f} {r['page_kb']:>8.1f} {r['search_kb']:>9.0f}")
        print(f"{n:>8}  {'medkb / plain':<16} {medkb['seconds'] / plain['seconds']:>7.2f}x")


if __name__ == "__main__":
    main()
