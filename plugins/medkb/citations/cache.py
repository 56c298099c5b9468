"""Keeping parsed and formatted references between builds.

The key covers everything the result depends on: the bytes of every
``.bib`` file, the style, the type labels and the versions of medkb and
pybtex.  A changed file gives a new key, so a cached result is never stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path

from medkb import __version__
from medkb.citations.bibliography import Bibliography, load_bibliography
from medkb.citations.references import ReferenceCatalog

# A `mkdocs serve` rebuild loads the configuration (and so the plugins) anew;
# this keeps the catalog of the last build in the process.
_MEMORY: dict[str, ReferenceCatalog] = {}


def catalog_key(files: list[Path], style: str, labels: Mapping[str, str]) -> str:
    """A digest of everything a catalog depends on."""
    h = hashlib.sha256()
    h.update(json.dumps([__version__, version("pybtex"), style, sorted(labels.items())]).encode())
    for file in files:
        h.update(str(file).encode() + b"\0")
        h.update(hashlib.sha256(file.read_bytes()).digest())
    return h.hexdigest()


def load_catalog(
    files: list[Path], style: str, labels: Mapping[str, str], cache_dir: Path | None, display: dict[Path, str]
) -> tuple[ReferenceCatalog, str]:
    """The catalog for these files: from memory, from ``cache_dir``, or parsed."""
    key = catalog_key(files, style, labels)
    if key in _MEMORY:
        return _MEMORY[key], "memory"
    if cache_dir is not None:
        path = cache_dir / f"citations-{key[:32]}.pickle"
        try:
            with open(path, "rb") as f:
                keys, sources, digest, file_digests, formatted = pickle.load(f)
            # Entries are parsed only if a page cites one not formatted yet.
            bib = Bibliography({}, sources, digest, keys, file_digests, loader=lambda: load_bibliography(files, display))
            catalog = ReferenceCatalog(bib, style, dict(labels), formatted, saved=0)
            _MEMORY.clear()
            _MEMORY[key] = catalog
            return catalog, "disk"
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
            pass
    catalog = ReferenceCatalog(load_bibliography(files, display), style, dict(labels))
    _MEMORY.clear()
    _MEMORY[key] = catalog
    return catalog, "parsed"


def save_catalog(catalog: ReferenceCatalog, key: str, cache_dir: Path) -> None:
    """Write the catalog (with every reference formatted so far) atomically."""
    if catalog.saved == catalog.formatted and (cache_dir / f"citations-{key[:32]}.pickle").exists():
        return  # nothing new since it was read or written
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"citations-{key[:32]}.pickle"
    for old in cache_dir.glob("citations-*.pickle"):
        if old != target:
            old.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            bib = catalog.bibliography
            # Keys and formatted references only: pybtex's entries are large
            # to pickle and are not needed while every cited entry is formatted.
            # Memo keys carry each file's content digest, so entries of
            # per-article files can be kept too: they never go stale.
            pickle.dump((bib.keys, bib.sources, bib.digest, bib.file_digests, catalog.cache), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
        catalog.saved = catalog.formatted
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
