"""Pure helpers of citation numbering: parsing a citation, ranges, anchors."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# BibTeX keys may hold almost anything but white space, commas and braces
# (d'Aspremont-1998, smith:2020, Tèst); a trailing period ends a sentence.
_ITEM = re.compile(r"^@(?P<key>[^\s,;\[\]{}]+?)\.?\s*(?:,\s*(?P<locator>.+?))?\s*$", re.DOTALL)


@dataclass(frozen=True)
class CiteItem:
    """One source in a citation: its key as written and an optional locator."""

    key: str
    locator: str | None = None


def parse_citation(text: str) -> list[CiteItem] | None:
    """Parse the inside of ``[@a; @b, p. 12]``; ``None`` if it is not a citation."""
    items = []
    for part in text.split(";"):
        match = _ITEM.match(part.strip())
        if match is None:
            return None
        locator = match.group("locator")
        items.append(CiteItem(match.group("key"), locator.strip() if locator else None))
    return items or None


def compress_numbers(numbers: list[int], compress: bool = True) -> list[tuple[int, int]]:
    """Sorted, de-duplicated numbers as ranges: ``[1, 2, 3, 5]`` → ``[(1, 3), (5, 5)]``.

    A run of two stays two singles (``1, 2``), as Vancouver and AMA print it.
    """
    ordered = sorted(set(numbers))
    if not compress:
        return [(n, n) for n in ordered]
    runs: list[list[int]] = []
    for n in ordered:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    result: list[tuple[int, int]] = []
    for run in runs:
        if len(run) >= 3:
            result.append((run[0], run[-1]))
        else:
            result.extend((n, n) for n in run)
    return result


_LOCATOR_LABELS = {
    "p": "p",
    "p.": "p",
    "page": "p",
    "pp": "pp",
    "pp.": "pp",
    "pages": "pp",
    "chap.": "ch",
    "chap": "ch",
    "chapter": "ch",
    "ch.": "ch",
    "sec.": "sec",
    "section": "sec",
    "fig.": "fig",
    "figure": "fig",
    "tab.": "tab",
    "table": "tab",
}


def format_locator(locator: str) -> str:
    """A locator as AMA superscripts show it: ``p. 12`` → ``p12``, ``chap. 3`` → ``ch3``."""
    match = re.match(r"^([A-Za-z]+\.?)\s*(.*)$", locator.strip())
    if match and match.group(1).lower() in _LOCATOR_LABELS:
        label = _LOCATOR_LABELS[match.group(1).lower()]
        return label + re.sub(r"\s+", "", match.group(2)).replace("--", "-")
    return re.sub(r"\s+", " ", locator.strip())


def key_slug(key: str) -> str:
    """An anchor-safe slug of a citation key: ``d'Aspremont-1998`` → ``d-aspremont-1998``."""
    ascii_key = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_key.lower()).strip("-")
    return slug or "ref"


def line_of_key(markdown: str, key: str) -> int | None:
    """1-based line of the first ``@key`` in Markdown source, to locate a warning."""
    match = re.search(r"@" + re.escape(key) + r"(?![^\s,;\]\[{}.])", markdown)
    return markdown.count("\n", 0, match.start()) + 1 if match else None
