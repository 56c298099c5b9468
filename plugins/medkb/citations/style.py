"""Formatting references: the Vancouver/AMA style, type labels and safe links.

:class:`VancouverStyle` is a real pybtex formatting style (registered as the
``vancouver`` entry point of ``pybtex.style.formatting``), but it builds each
entry directly instead of through pybtex's template engine: templates cost
about a millisecond per entry, which a 1,000-article site would feel.
pybtex stays the parser and the source of truth for LaTeX decoding.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from pybtex.database import Entry, Person
from pybtex.plugin import find_plugin
from pybtex.richtext import Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle

from medkb.citations.bibliography import persons_of

#: Characters that may change meaning under LaTeX decoding; a value without
#: any of them decodes to itself, so pybtex's (slow) decoder is skipped.
_LATEX_SPECIAL = re.compile(r"[\\{}~%$]|--|``|''")
# LaTeX would read an unescaped % as the start of a comment and drop the rest
# of the value; in a reference ("reduced by 50%") it is always text.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_BARE_PERCENT = re.compile(r"(?<!\\)%")

DEFAULT_TYPE_LABELS: dict[str, str] = {
    "guideline": "Guideline",
    "systematic-review": "Systematic review",
    "meta-analysis": "Meta-analysis",
    "research": "Research",
    "review": "Review",
    "consensus": "Consensus statement",
    "classification": "Classification",
    "book": "Book",
    "report": "Report",
    "website": "Website",
    "thesis": "Thesis",
    "conference": "Conference paper",
    "source": "Source",
}

#: Type label for an entry without ``medkb_type``, by BibTeX entry type.
ENTRY_TYPE_KINDS: dict[str, str] = {
    "article": "research",
    "book": "book",
    "inbook": "book",
    "incollection": "book",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "inproceedings": "conference",
    "conference": "conference",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "online": "website",
    "webpage": "website",
    "electronic": "website",
}

_LINK_FIELDS = frozenset({"url", "doi", "eprint", "pubmed", "pmid", "urldate"})

_TEXT_BACKEND = find_plugin("pybtex.backends", "text")()
_HTML_BACKEND = find_plugin("pybtex.backends", "html")()


@functools.lru_cache(maxsize=65536)
def decode_latex(value: str) -> str:
    """LaTeX in a BibTeX value as Unicode text (``{\\"O}`` → ``Ö``, ``--`` → ``–``)."""
    if _BIDI.search(value):
        # Bidirectional controls could make a reference read as another.
        value = _BIDI.sub("", value)
    if not _LATEX_SPECIAL.search(value):
        return value
    if "\\" not in value and "%" not in value and "$" not in value:
        return _decode_without_commands(value)
    return str(Text.from_latex(_BARE_PERCENT.sub(r"\\%", value)).render(_TEXT_BACKEND))


_LIGATURES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"), ("~", "\u00a0"))


def _decode_without_commands(value: str) -> str:
    # Without a backslash, LaTeX decoding only drops grouping braces and
    # turns dash, quote and tie ligatures into characters: the result pybtex
    # gives (tests compare the two over many generated strings), 10x faster.
    parts = []
    for part in re.split(r"[{}]", value):  # a brace ends a ligature
        for ligature, char in _LIGATURES:
            part = part.replace(ligature, char)
        parts.append(part)
    return "".join(parts)


@dataclass(frozen=True)
class Link:
    """A link shown with a reference."""

    label: str
    href: str


@dataclass(frozen=True)
class FormattedReference:
    """One reference, ready for the page: ``html`` is escaped markup."""

    key: str
    html: str
    text: str
    kind: str
    type_label: str
    links: tuple[Link, ...]


# A segment of a formatted reference: text and an optional HTML tag name.
Segment = tuple[str, "str | None"]


def _initials(names: Iterable[str]) -> str:
    letters = []
    for name in names:
        for part in re.split(r"[\s\-]+", decode_latex(name)):
            part = part.strip(".{} ")
            if part:
                letters.append(part[0].upper())
    return "".join(letters)


def format_person(person: Person) -> str:
    """A name in Vancouver order: ``van der Berg JM``; corporate names as written."""
    last = " ".join(decode_latex(n) for n in (*person.prelast_names, *person.last_names))
    initials = _initials((*person.first_names, *person.middle_names))
    lineage = " ".join(decode_latex(n) for n in person.lineage_names)
    return " ".join(p for p in (last, initials, lineage) if p)


def format_names(persons: list[Person], max_names: int = 6, truncate_to: int = 3) -> str:
    """Authors AMA-style: all up to ``max_names``, else the first ``truncate_to`` and "et al"."""
    others = bool(persons) and str(persons[-1]) == "others"
    people = [p for p in persons if str(p) != "others"]
    if len(people) > max_names:
        people, others = people[:truncate_to], True
    text = ", ".join(format_person(p) for p in people)
    if others:
        text += ", et al" if text else "et al"
    return text


def _field(entry: Entry, *names: str) -> str:
    for name in names:
        value = entry.fields.get(name)
        if value:
            return decode_latex(value).strip()
    return ""


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    return text if text[-1] in ".?!" else text + "."


def _pages(entry: Entry) -> str:
    return re.sub(r"\s*-+\s*", "-", entry.fields.get("pages", "")).strip()


def vancouver_segments(entry: Entry) -> list[Segment]:
    """The reference as text segments; the journal is the one tagged (``em``)."""
    segments: list[Segment] = []
    authors = format_names(persons_of(entry, "author"))
    editors = format_names(persons_of(entry, "editor"))
    if authors:
        segments.append((_sentence(authors) + " ", None))
    elif editors:
        segments.append((_sentence(editors + ", editors") + " ", None))
    title = _field(entry, "title")
    kind = entry.type.lower()
    year = _field(entry, "year")
    if kind == "article":
        segments.append((_sentence(title) + " ", None))
        journal = _field(entry, "journal_abbrev", "shortjournal", "journalabbrev", "journal")
        if journal:
            segments.append((journal, "em"))
            segments.append((". ", None))
        detail = year
        volume, number, pages = _field(entry, "volume"), _field(entry, "number", "issue"), _pages(entry)
        if volume or number or pages:
            detail += ";" + volume + (f"({number})" if number else "") + (f":{pages}" if pages else "")
        segments.append((_sentence(detail), None))
    elif kind in ("inproceedings", "incollection", "inbook", "conference"):
        segments.append((_sentence(title) + " ", None))
        book = _field(entry, "booktitle")
        intro = "In: " + (editors + ", editors. " if authors and editors else "")
        if book:
            segments.append((intro, None))
            segments.append((_sentence(book) + " ", None))
        segments.append((_sentence(_publisher(entry, year)), None))
        if _pages(entry):
            segments.append((f" p. {_pages(entry)}.", None))
    else:
        suffix = ""
        if kind in ("phdthesis", "mastersthesis", "thesis"):
            suffix = " [dissertation]" if kind == "phdthesis" else " [thesis]"
        elif kind in ("online", "webpage", "electronic") or (kind == "misc" and entry.fields.get("url")):
            suffix = " [Internet]"
        edition = _field(entry, "edition")
        segments.append((_sentence(title + suffix) + " ", None))
        if edition:
            segments.append((_sentence(f"{edition} ed") + " ", None))
        segments.append((_sentence(_publisher(entry, year)), None))
        number = _field(entry, "number")
        if kind in ("techreport", "report") and number:
            segments.append((f" Report No.: {number}.", None))
        urldate = _field(entry, "urldate")
        if urldate:
            segments.append((f" [cited {urldate}].", None))
    note = _field(entry, "note")
    if note:
        segments.append((" " + _sentence(note), None))
    return [(text, tag) for text, tag in segments if text]


def _publisher(entry: Entry, year: str) -> str:
    who = _field(entry, "publisher", "institution", "organization", "school", "howpublished")
    where = _field(entry, "address", "location")
    place = f"{where}: {who}" if where and who else who or where
    return f"{place}; {year}" if place and year else place or year


def segments_html(segments: list[Segment]) -> str:
    """Escaped HTML of a reference's segments."""
    return "".join(f"<{tag}>{html.escape(t)}</{tag}>" if tag else html.escape(t) for t, tag in segments).strip()


def safe_links(entry: Entry) -> tuple[Link, ...]:
    """DOI, PubMed and URL links; anything but http(s) is dropped."""
    links: list[Link] = []
    doi = entry.fields.get("doi", "").strip()
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", doi, flags=re.IGNORECASE)
    if re.fullmatch(r"10\.\d{4,9}/\S+", doi):
        links.append(Link(f"doi:{doi}", "https://doi.org/" + quote(doi, safe="/:;()._-")))
    pmid = entry.fields.get("pmid", "").strip()
    if pmid.isdigit():
        links.append(Link(f"PMID {pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"))
    url = entry.fields.get("url", "").strip()
    if url and not links:
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is not None and parts.scheme.lower() in ("http", "https") and parts.netloc:
            links.append(Link(parts.netloc, url))
    return tuple(links)


def reference_kind(entry: Entry) -> str:
    """The type of source: ``medkb_type`` if set, else from the entry type."""
    declared = entry.fields.get("medkb_type", "").strip().lower()
    if declared:
        return declared
    if entry.type.lower() == "misc" and entry.fields.get("url"):
        return "website"
    return ENTRY_TYPE_KINDS.get(entry.type.lower(), "source")


def type_label(kind: str, labels: Mapping[str, str]) -> str:
    """The reader-facing label of a kind of source."""
    return labels.get(kind) or DEFAULT_TYPE_LABELS.get(kind) or kind.replace("-", " ").capitalize()


class VancouverStyle(BaseStyle):
    """Vancouver/AMA references for pybtex: ``Smith J, Lee K, et al. Title. J Abbr. 2020;1(2):3-4.``"""

    default_sorting_style = "none"

    def format_entry(self, label: str, entry: Entry, bib_data: object = None) -> FormattedEntry:
        parts = [Tag(tag, text) if tag else text for text, tag in vancouver_segments(entry)]
        return FormattedEntry(entry.key, Text(*parts), label)


def format_reference(entry: Entry, style: str, labels: Mapping[str, str]) -> FormattedReference:
    """Format one entry with the named style (``vancouver``, or pybtex's ``unsrt``/``plain``...)."""
    if style == "vancouver":
        segments = vancouver_segments(entry)
        body, text = segments_html(segments), "".join(t for t, _ in segments).strip()
    else:
        # medkb shows links itself (http/https only); pybtex's own would
        # print any URL scheme, javascript: included.
        persons = {role: persons_of(entry, role) for role in ("author", "editor") if persons_of(entry, role)}
        stripped = Entry(
            entry.type,
            fields={k: v for k, v in entry.fields.items() if k.lower() not in _LINK_FIELDS | {"author", "editor"}},
            persons=persons,
        )
        stripped.key = entry.key
        rich = _pybtex_style(style).format_entry("", stripped).text
        body, text = str(rich.render(_HTML_BACKEND)), str(rich.render(_TEXT_BACKEND))
    kind = reference_kind(entry)
    return FormattedReference(entry.key, body, text, kind, type_label(kind, labels), safe_links(entry))


@functools.lru_cache(maxsize=8)
def _pybtex_style(name: str) -> BaseStyle:
    return find_plugin("pybtex.style.formatting", name)()
