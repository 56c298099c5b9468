"""Keeping the parsed and formatted references of the last build in this process.

``mkdocs serve`` loads the configuration (and so the plugins) anew for every
rebuild; the catalog of the last build is kept here, by a key covering
everything it depends on: the bytes of every ``.bib`` file, the style, the
type labels and the versions of medkb and pybtex. A changed file gives a new
key, so a kept catalog is never stale.

Nothing is kept on disk: a file under ``.cache/`` could be written by anyone
who can write the build's cache (CI caches are shared), and the catalog
supplies the reference HTML readers see and the fingerprints approvals are
digested with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path

from medkb import __version__
from medkb.citations.bibliography import load_bibliography
from medkb.citations.references import ReferenceCatalog

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
    files: list[Path], style: str, labels: Mapping[str, str], display: dict[Path, str]
) -> tuple[ReferenceCatalog, str]:
    """The catalog for these files: the last build's in this process (``"memory"``), or ``"parsed"``."""
    try:
        key = catalog_key(files, style, labels)
    except OSError:
        key = ""  # unreadable: load_bibliography names the file
    if key and key in _MEMORY:
        return _MEMORY[key], "memory"
    catalog = ReferenceCatalog(load_bibliography(files, display), style, dict(labels))
    _MEMORY.clear()
    if key:
        _MEMORY[key] = catalog
    return catalog, "parsed"
