"""Running Pagefind over a built site: no MkDocs needed."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence


class SearchIndexError(Exception):
    """Pagefind is missing or failed; the message says which and why."""


@dataclass(frozen=True)
class IndexReport:
    """What Pagefind reported for one run."""

    pages: int
    words: int


def pagefind_executable() -> Path:
    """The Pagefind binary the ``pagefind[bin]`` package installs."""
    try:
        import pagefind_bin  # type: ignore[import-untyped]
    except ImportError:
        raise SearchIndexError("Pagefind is not installed: pip install 'pagefind[bin]'") from None
    try:
        return Path(pagefind_bin.get_executable())
    except FileNotFoundError as e:
        raise SearchIndexError(f"the Pagefind binary is missing ({e}): reinstall 'pagefind[bin]'") from None


_COUNT = re.compile(r"Indexed (\d+) (page|word)s?\b")


def parse_report(output: str) -> IndexReport:
    """Page and word counts from Pagefind's summary (zero when it printed none)."""
    counts = {kind: int(n) for n, kind in _COUNT.findall(output)}
    return IndexReport(counts.get("page", 0), counts.get("word", 0))


def check_output_subdir(output_subdir: str) -> None:
    """The index must go to a folder inside the site."""
    if not output_subdir or Path(output_subdir).is_absolute() or ".." in Path(output_subdir).parts:
        raise SearchIndexError(f"output_subdir is {output_subdir!r}; it must be a folder inside the site, like 'pagefind'")


def build_index(
    site_dir: Path, output_subdir: str, exclude_selectors: Sequence[str] = (), executable: Path | None = None
) -> IndexReport:
    """Index ``site_dir`` into ``site_dir/output_subdir``, replacing any older index.

    Pagefind writes into a fresh folder beside the old index, which is then
    swapped in: a reader (or a live-reloading browser) never sees half an index.
    """
    check_output_subdir(output_subdir)
    exe = executable or pagefind_executable()
    target = site_dir / output_subdir
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=target.parent))
    try:
        proc = subprocess.run(
            [str(exe), "--site", str(site_dir), "--output-path", str(fresh),
             *(arg for selector in exclude_selectors for arg in ("--exclude-selectors", selector))],
            capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, check=False,
        )
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            raise SearchIndexError(f"Pagefind failed (exit {proc.returncode}): " + " / ".join(detail))
        swap_in(fresh, target)
        return parse_report(proc.stdout)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def swap_in(fresh: Path, target: Path) -> None:
    """Replace ``target`` with the finished index in ``fresh`` (two renames)."""
    old = target.with_name(fresh.name + "-old")
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def excluded(src_uri: str, meta: Mapping[str, Any], patterns: list[str]) -> bool:
    """Whether a page stays out of the index: by glob, or ``search: {exclude: true}`` in its front matter.

    Raises ``ValueError`` naming the value when ``search.exclude`` is neither true nor false.
    """
    search = meta.get("search")
    if isinstance(search, Mapping) and "exclude" in search:
        value = search["exclude"]
        if value in (True, "true"):
            return True
        if value not in (False, "false"):
            raise ValueError(f"search.exclude is {value!r}; allowed: true, false")
    return any(fnmatch.fnmatchcase(src_uri, pattern) for pattern in patterns)
