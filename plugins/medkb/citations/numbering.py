"""Pure helpers of citation numbering: parsing a citation, ranges, anchors."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Markdown
from markdown.util import HTML_PLACEHOLDER_RE

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


def as_written(text: str, md: Markdown) -> str:
    """The inside of a citation as the editor wrote it, from text inline patterns have been through.

    Raw inline HTML (``[@a<b>]``) and backslash escapes are placeholders by
    then; a placeholder must never reach a key, a warning or the page.
    """
    def raw_html(match: re.Match[str]) -> str:
        index = int(match.group(1))
        blocks = md.htmlStash.rawHtmlBlocks
        block = blocks[index] if index < len(blocks) else ""
        return block if isinstance(block, str) else "".join(block.itertext())

    text = HTML_PLACEHOLDER_RE.sub(raw_html, text)
    return re.sub("\x02([0-9]+)\x03", lambda m: chr(int(m.group(1))), text)


def malformed_citation(text: str) -> str:
    """What is wrong with ``[text]``, which looks like a citation but is none, and how to write it."""
    suggestion = _suggest(text)
    if suggestion is not None:
        return f"malformed citation '[{text}]': write [{suggestion}]"
    return (
        f"malformed citation '[{text}]': write [@key] with a key from the bibliography, "
        "[@a; @b] for several sources, [@a, p. 5] for a page"
    )


def _suggest(text: str) -> str | None:
    fixed = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue  # [@a;]
        if not part.startswith("@"):
            if re.search(r"[\s,]", part):
                return None  # not a lone key: "see p. 5"
            part = "@" + part  # [@a; b]
        match = re.match(r"^@([^\s,;\[\]{}]*)\s*,?\s*(.*)$", part, re.DOTALL)
        if match is None or not match.group(1):
            return None  # [@], [@, p. 5]
        key, locator = match.group(1), match.group(2).strip()
        if locator and not _looks_like_locator(locator):
            return None  # [@a b]: a second key or a locator?
        fixed.append(f"@{key}, {locator}" if locator else f"@{key}")
    suggestion = "; ".join(fixed)
    return suggestion if fixed and parse_citation(suggestion) is not None else None


def _looks_like_locator(locator: str) -> bool:
    match = re.match(r"^([A-Za-z]+\.?)\s*\S", locator)
    return locator[0].isdigit() or bool(match and match.group(1).lower() in _LOCATOR_LABELS)


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
    """1-based line of the first ``@key`` in Markdown source, to locate a warning.

    A malformed citation's problem names the whole citation (``[@a; b]``),
    which is looked for as written.
    """
    if key.startswith("["):
        index = markdown.find(key)
        return markdown.count("\n", 0, index) + 1 if index >= 0 else None
    match = re.search(r"@" + re.escape(key) + r"(?![^\s,;\]\[{}.])", markdown)
    return markdown.count("\n", 0, match.start()) + 1 if match else None


def attach_to_preceding_text(root: etree.Element, sups: set[etree.Element]) -> None:
    """Drop the space before a citation: the number sits on the word, as in print (and Pandoc).

    Also after an element (``**bold** [@a]``); but not between two
    citations, whose numbers would run together (``1`` ``2`` read as 12).
    """
    for parent in root.iter():
        previous: etree.Element | None = None
        for child in parent:
            if child in sups:
                if previous is None:
                    if parent.text and parent.text.strip():
                        parent.text = parent.text.rstrip()
                elif previous.tail and (previous.tail.strip() or previous not in sups):
                    previous.tail = previous.tail.rstrip()
            previous = child


def text_without_citations(el: etree.Element) -> str:
    """An element's text without its citation numbers (a heading's TOC label and slug)."""
    parts = [el.text or ""]
    for child in el:
        if not (child.tag == "sup" and child.get("class") == "kb-cite"):
            parts.append(text_without_citations(child))
        parts.append(child.tail or "")
    return "".join(parts)
