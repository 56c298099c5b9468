"""Formatting references: the Vancouver/AMA style, type labels and safe links.

:class:`VancouverStyle` is a real pybtex formatting style (registered as the
``vancouver`` entry point of ``pybtex.style.formatting``), but it builds each
entry directly instead of through pybtex's template engine: templates cost
about a millisecond per entry, which a 1,000-article site would feel.
pybtex stays the parser; LaTeX in the fields is rendered by
:mod:`medkb.citations.latex` (latexcodec, then the commands it leaves).

Every style formats an entry with the fields it inherits through
``crossref`` (:mod:`medkb.citations.inheritance`). What cannot be shown as
written — an unknown LaTeX command, a name pybtex cannot split, a field a
pybtex style requires — is in :attr:`FormattedReference.warnings`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from pybtex.database import Entry, Person
from pybtex.plugin import find_plugin
from pybtex.richtext import Tag, Text
from pybtex.scanner import PybtexError
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle
from pybtex.style.template import FieldIsMissing

from medkb.citations.bibliography import BibEntry
from medkb.citations.inheritance import inherited_entry
from medkb.citations.latex import _TEXT_BACKEND, Rich, decode_latex, latex_value, protect, resolve_pybtex_text
from medkb.citations.names import persons_of

__all__ = [
    "DEFAULT_TYPE_LABELS", "ENTRY_TYPE_KINDS", "FormattedReference", "Link", "VancouverStyle", "_TEXT_BACKEND",
    "decode_latex", "format_names", "format_person", "format_reference", "reference_kind", "safe_links", "type_label",
]

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
#: Fields a pybtex style is not given: links (medkb shows them itself) and inheritance.
_NOT_FOR_PYBTEX = _LINK_FIELDS | {"author", "editor", "crossref", "xdata"}
_EMPTY = Rich("", "")


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
    warnings: tuple[str, ...] = ()
    """What could not be shown as written (``entry 'k': ...``), for the build to warn about."""


# A segment of a formatted reference: rich text and an optional HTML tag name.
Segment = tuple[Rich, "str | None"]


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


def _field(entry: Entry, *names: str) -> Rich:
    for name in names:
        value = entry.fields.get(name)
        if value:
            return latex_value(value).strip()
    return _EMPTY


def _year(entry: Entry) -> Rich:
    year = _field(entry, "year")
    if year:
        return year
    date = re.match(r"\s*(\d{4})", entry.fields.get("date", ""))  # biblatex: date = {2020-05-31}
    return Rich.plain(date.group(1)) if date else _field(entry, "date")


def _pages(entry: Entry) -> Rich:
    raw = entry.fields.get("pages", "")
    return latex_value(re.sub(r"\s*-+\s*", "-", raw).strip()) if raw else _EMPTY


def vancouver_segments(entry: Entry, problems: list[str] | None = None) -> list[Segment]:
    """The reference as rich segments; the journal is the one tagged (``em``)."""
    segments: list[Segment] = []

    def add(piece: Rich | str, tag: str | None = None) -> None:
        piece = Rich.plain(piece) if isinstance(piece, str) else piece
        if piece:
            segments.append((piece, tag))

    authors = format_names(persons_of(entry, "author", problems))
    editors = format_names(persons_of(entry, "editor", problems))
    if authors:
        add(Rich.plain(authors).sentence() + " ")
    elif editors:
        add(Rich.plain(editors + ", editors").sentence() + " ")
    title = _field(entry, "title")
    kind = entry.type.lower()
    year = _year(entry)
    if kind == "article":
        add(title.sentence() + " ")
        journal = _field(entry, "journal_abbrev", "shortjournal", "journalabbrev", "journal", "journaltitle")
        if journal:
            add(journal, "em")
            add(". ")
        volume, number, pages = _field(entry, "volume"), _field(entry, "number", "issue"), _pages(entry)
        detail = year
        if volume or number or pages:
            detail = detail + ";" + volume
            if number:
                detail = detail + "(" + number + ")"
            if pages:
                detail = detail + ":" + pages
        add(detail.sentence())
    elif kind in ("inproceedings", "incollection", "inbook", "conference"):
        add(title.sentence() + " ")
        book = _field(entry, "booktitle")
        if book:
            add("In: " + (editors + ", editors. " if authors and editors else ""))
            add(book.sentence() + " ")
        add(_publisher(entry, year).sentence())
        pages = _pages(entry)
        if pages:
            add(" p. " + pages + ".")
    else:
        suffix = ""
        if kind in ("phdthesis", "mastersthesis", "thesis"):
            suffix = " [dissertation]" if kind == "phdthesis" else " [thesis]"
        elif kind in ("online", "webpage", "electronic") or (kind == "misc" and entry.fields.get("url")):
            suffix = " [Internet]"
        edition = _field(entry, "edition")
        add((title + suffix).sentence() + " ")
        if edition:
            add((edition + " ed").sentence() + " ")
        add(_publisher(entry, year).sentence())
        number = _field(entry, "number")
        if kind in ("techreport", "report") and number:
            add(" Report No.: " + number + ".")
        urldate = _field(entry, "urldate")
        if urldate:
            add(" [cited " + urldate + "].")
    note = _field(entry, "note")
    if note:
        add(" " + note.sentence())
    return segments


def _publisher(entry: Entry, year: Rich) -> Rich:
    who = _field(entry, "publisher", "institution", "organization", "school", "howpublished")
    where = _field(entry, "address", "location")
    place = where + ": " + who if where and who else who or where
    return place + "; " + year if place and year else place or year


def segments_html(segments: list[Segment]) -> str:
    """Escaped HTML of a reference's segments."""
    return "".join(f"<{tag}>{r.html}</{tag}>" if tag else r.html for r, tag in segments).strip()


def segments_text(segments: list[Segment]) -> str:
    """Plain text of a reference's segments."""
    return "".join(r.text for r, _ in segments).strip()


def _unknown_commands(unknown: Iterable[str]) -> str | None:
    names = list(dict.fromkeys(unknown))
    if not names:
        return None
    listed = ", ".join("\\" + n for n in names)
    if len(names) == 1:
        return f"LaTeX command {listed} is not one medkb renders: it is left out and its argument shown"
    return f"LaTeX commands {listed} are not ones medkb renders: they are left out and their arguments shown"


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
    wrapped = re.fullmatch(r"\\url\s*\{(.*)\}", url)  # url = {\url{https://...}}
    url = wrapped.group(1).strip() if wrapped else url
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
        entry = inherited_entry(entry, entry.inherited if isinstance(entry, BibEntry) else None)
        parts = [Tag(tag, r.as_pybtex()) if tag else r.as_pybtex() for r, tag in vancouver_segments(entry)]
        return FormattedEntry(entry.key, Text(*parts), label)


def format_reference(entry: Entry, style: str, labels: Mapping[str, str]) -> FormattedReference:
    """Format one entry with the named style (``vancouver``, or pybtex's ``unsrt``/``plain``...).

    The entry is formatted with the fields it inherits through ``crossref``;
    its links and its type label are its own.
    """
    problems: list[str] = []
    source = inherited_entry(entry, entry.inherited if isinstance(entry, BibEntry) else None)
    if style == "vancouver":
        segments = vancouver_segments(source, problems)
        body, text = segments_html(segments), segments_text(segments)
        unknown = [name for r, _ in segments for name in r.unknown]
    else:
        rich = _pybtex_reference(source, style, problems)
        body, text, unknown = rich.html.strip(), rich.text.strip(), list(rich.unknown)
    message = _unknown_commands(unknown)
    if message:
        problems.append(message)
    kind = reference_kind(entry)
    warnings = tuple(f"entry '{entry.key}': {p}" for p in problems)
    return FormattedReference(entry.key, body, text, kind, type_label(kind, labels), safe_links(entry), warnings)


def _pybtex_reference(entry: Entry, style: str, problems: list[str]) -> Rich:
    # medkb shows links itself (http/https only); pybtex's own would print
    # any URL scheme, javascript: included. Fields are protect()-ed, so
    # latexcodec inside pybtex leaves link addresses and escapes alone.
    persons = {role: people for role in ("author", "editor") if (people := persons_of(entry, role, problems))}
    fields = {k: protect(v) for k, v in entry.fields.items() if k.lower() not in _NOT_FOR_PYBTEX}
    formatter = _pybtex_style(style)
    # BibTeX's styles format an entry type they do not know as @misc.
    kind = entry.type if hasattr(formatter, f"get_{entry.type}_template") else "misc"
    for attempt in dict.fromkeys((kind, "misc")):
        stripped = Entry(attempt, fields=fields, persons=persons)
        stripped.key = entry.key
        try:
            return resolve_pybtex_text(formatter.format_entry("", stripped).text)
        except FieldIsMissing as e:
            problems.append(f"style '{style}' needs the {e.field_name} field of a @{attempt} entry: shown as @misc")
        except PybtexError as e:
            problems.append(f"style '{style}' cannot format it ({e}): shown as @misc")
    problems.append(f"style '{style}' cannot format it even as @misc: shown in the vancouver style")
    segments = vancouver_segments(entry)
    return Rich(segments_text(segments), segments_html(segments))


@functools.lru_cache(maxsize=8)
def _pybtex_style(name: str) -> BaseStyle:
    return find_plugin("pybtex.style.formatting", name)()
