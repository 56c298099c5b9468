"""Citations benchmark: plain Material, medkb/citations and the archived plugin, one run.

    python bench/citations.py [--articles 100 1000] [--repeat 3] [--no-archived]

Builds the same synthetic knowledge base (bench/generate.py: ~1,200-word
articles, 15 citations each, a 2,000-entry .bib) with
  plain     Material + search, citations left as text (the baseline);
  medkb     Material + search + medkb/citations, cold (the first build) and
            rebuilt (a second fresh process; medkb keeps nothing on disk
            between builds, so it parses and formats again);
  archived  Material + search + mkdocs-bibtex 4.4.0 (the archived BibTeX
            plugin), in its own venv under bench/out/, when it installs.
Each build is a fresh `mkdocs build` process; times are wall-clock medians.
Prints the ratios against plain Material built in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
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


def write_config(kb: Path, name: str, plugins: list[object], extensions: list[object]) -> Path:
    theme: dict[str, object] = {"name": "material", "font": False}
    cfg = {
        "site_name": "Bench",
        "docs_dir": "content",
        "site_dir": f"site-{name}",
        "theme": theme,
        "plugins": plugins,
        "markdown_extensions": extensions,
    }
    path = kb / f"mkdocs-{name}.yml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    return path


def timed_build(mkdocs: Path, config: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(mkdocs), "build", "-q", "-f", str(config)], check=True, env=ENV, capture_output=True)
    return time.perf_counter() - start


def archived_mkdocs() -> Path | None:
    """mkdocs from a venv with mkdocs-bibtex 4.4.0, or None if it does not install."""
    venv = OUT / "venv-archived"
    mkdocs = venv / "bin" / "mkdocs"
    if mkdocs.exists():
        return mkdocs
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", "mkdocs==1.6.1", "mkdocs-material>=9.7.7,<10", "mkdocs-bibtex==4.4.0"],
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as e:
        print(f"archived plugin not measured: install failed ({e.stderr.decode()[-300:]})")
        return None
    return mkdocs


def bench(articles: int, repeat: int, archived: Path | None) -> list[tuple[str, float, float | None]]:
    kb = OUT / f"kb-{articles}"
    if not (kb / "references.bib").exists():
        generate(kb, articles)
    mkdocs = Path(sys.executable).parent / "mkdocs"
    plain = write_config(kb, "plain", ["search"], [])
    medkb = write_config(kb, "medkb", ["search", "medkb/citations"], [])
    # Left by medkb versions that kept a citations cache: never read now.
    cache = kb / ".cache"
    rows: list[tuple[str, float, float | None]] = []

    plain_times, cold_times, warm_times, archived_times = [], [], [], []
    for _ in range(repeat):
        plain_times.append(timed_build(mkdocs, plain))
        shutil.rmtree(cache, ignore_errors=True)
        cold_times.append(timed_build(mkdocs, medkb))
        warm_times.append(timed_build(mkdocs, medkb))
        if archived is not None:
            config = write_config(kb, "archived", ["search", {"bibtex": {"bib_file": "references.bib"}}], ["footnotes"])
            archived_times.append(timed_build(archived, config))
    base = statistics.median(plain_times)
    rows.append(("plain Material", base, None))
    rows.append(("medkb/citations, cold", statistics.median(cold_times), None))
    rows.append(("medkb/citations, rebuild", statistics.median(warm_times), None))
    if archived_times:
        rows.append(("archived mkdocs-bibtex", statistics.median(archived_times), None))
    return [(name, t, t / base) for name, t, _ in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, nargs="+", default=[100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-archived", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    archived = None if args.no_archived else archived_mkdocs()
    print(f"{'articles':>8}  {'build':<28} {'seconds':>8}  {'vs plain':>8}")
    for n in args.articles:
        for name, seconds, ratio in bench(n, args.repeat if n <= 100 else 1, archived):
            print(f"{n:>8}  {name:<28} {seconds:>8.2f}  {ratio:>7.2f}x")


if __name__ == "__main__":
    main()
