"""The references a page can cite: a bibliography plus formatting, memoised."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from medkb.citations.bibliography import Bibliography, BibliographyError, load_bibliography
from medkb.citations.style import FormattedReference, format_reference
from medkb.citations.fingerprint import entry_fingerprint


@dataclass
class ReferenceCatalog:
    """Looks up and formats entries; each entry is formatted at most once.

    ``cache`` may be shared between catalogs (the site's and a page's with
    extra ``.bib`` files) and survives rebuilds while the bibliography's
    digest, the style and the labels stay the same.
    """

    bibliography: Bibliography
    style: str = "vancouver"
    labels: Mapping[str, str] = field(default_factory=dict)
    cache: dict[tuple[str, str], FormattedReference | str] = field(default_factory=dict)
    formatted: int = 0
    """How many entries this catalog formatted (not served from the cache)."""

    def canonical_key(self, key: str) -> str | None:
        """The key as the ``.bib`` spells it, or ``None`` when unknown."""
        return self.bibliography.canonical_key(key)

    def lookup(self, key: str) -> FormattedReference | None:
        """The formatted reference for ``key`` (case-insensitive), or ``None``."""
        lower = key.lower()
        if lower not in self.bibliography.keys:
            return None
        cache_key = (self._source(lower), lower)
        cached = self.cache.get(cache_key)
        if not isinstance(cached, FormattedReference):
            entry = self.bibliography.get(key)
            assert entry is not None
            cached = format_reference(entry, self.style, self.labels)
            self.cache[cache_key] = cached
            self.formatted += 1
        return cached

    def fingerprint(self, key: str, _seen: frozenset[str] = frozenset()) -> str | None:
        """The entry as the review digest covers it, with its crossref parents (memoised by file content)."""
        lower = key.lower()
        if lower not in self.bibliography.keys or lower in _seen:
            return None
        chain = self._crossref_chain(lower)
        cache_key = ("fingerprint:" + "|".join(self._source(k) for k in chain), lower)
        cached = self.cache.get(cache_key)
        if cached is None:
            entry = self.bibliography.get(key)
            assert entry is not None
            parent_key = entry.fields.get("crossref")
            parent = self.fingerprint(parent_key, _seen | {lower}) if parent_key else None
            cached = entry_fingerprint(self.bibliography.keys[lower], entry, parent)
            self.cache[cache_key] = cached  # type: ignore[assignment]
            self.formatted += 1
        return cached  # type: ignore[return-value]

    def _crossref_chain(self, lower: str) -> list[str]:
        # The entry and its parents: the fingerprint depends on all their files.
        chain = [lower]
        entry = self.bibliography.get(lower)
        while entry is not None:
            parent = (entry.fields.get("crossref") or "").lower()
            if not parent or parent in chain or parent not in self.bibliography.keys:
                break
            chain.append(parent)
            entry = self.bibliography.get(parent)
        return chain

    def _source(self, lower: str) -> str:
        # The file and its content: a per-article .bib edited between two
        # `mkdocs serve` builds must not be served from the memo.
        path = self.bibliography.sources[lower][0]
        return f"{path}@{self.bibliography.file_digests.get(path, '')}"

    def with_bibliography(self, extra: Bibliography) -> ReferenceCatalog:
        """A catalog of these entries plus ``extra``, sharing the format cache."""
        return ReferenceCatalog(self.bibliography.merged(extra), self.style, self.labels, self.cache)


def article_catalog(
    catalog: ReferenceCatalog, folder: Path, names: list[str], display: Callable[[Path], str],
    read: Callable[[Path], bytes | None] | None = None,
) -> ReferenceCatalog:
    """``catalog`` plus an article's own ``bibliography:`` files (paths relative to the article's ``folder``).

    A missing file is a :class:`BibliographyError` naming it as ``display``
    shows paths. ``read`` reads the files another way than from disk (a
    revision of the site, :func:`medkb.citations.bibliography.load_bibliography`).
    """
    if not names:
        return catalog
    files = [folder / name for name in names]
    for file in files:
        if not file.is_file() if read is None else read(file) is None:
            raise BibliographyError(display(file), None, "bibliography file does not exist (an article's bibliography: paths are relative to the article)")
    return catalog.with_bibliography(load_bibliography(files, {f: display(f) for f in files}, read))
