"""RIS bibliographies (EndNote's export, and most databases'), read strictly into pybtex entries.

rispy reads each record's tags and values (continued lines, repeated
tags such as ``AU``); records are found and checked here, line by line, so
every error names its line: a record must start with ``TY  -`` and end with
``ER  -``, have an ``ID`` (its citation key, unique in any case) and a RIS
type rispy knows, give a tag such as ``TI`` or ``PY`` once, and dates
(``PY``, ``DA``, ``Y1``, ``Y2``) must be dates. Records become the entries
BibTeX gives (``JOUR`` → ``@article``, ``CHAP`` → ``@incollection``… see
:data:`RIS_TYPES`), so formatting, fingerprints and the digest work as for
a ``.bib`` file. RIS has no tag for a PubMed id or a medkb type: a note line
(``N1  - PMID: 12345``, ``N1  - medkb_type: guideline``) gives them.
"""

from __future__ import annotations

import calendar
import difflib
import re

import rispy
from rispy.config import TYPE_OF_REFERENCE_MAPPING

from medkb.citations.bibliography import BibEntry, Bibliography, BibliographyError, bibliography_of
from medkb.citations.csljson import name_part
from medkb.citations.latex import latex_escape

_ARTICLE = {"JOUR", "EJOUR", "MGZN", "NEWS", "JFULL", "INPR", "ABST"}
_BOOK = {"BOOK", "EBOOK", "EDBOOK", "CLSWK", "ANCIENT", "SER"}
_IN_BOOK = {"CHAP", "ECHAP", "DICT", "ENCYC"}
_IN_PROCEEDINGS = {"CONF", "CPAPER"}
_REPORT = {"RPRT", "GOVDOC", "STAND"}
_ONLINE = {"ELEC", "BLOG", "ICOMM", "DBASE", "MULTI"}
#: RIS reference types (rispy's list) and the BibTeX entry type each becomes.
RIS_TYPES: dict[str, str] = {
    ris: (
        "article" if ris in _ARTICLE else "book" if ris in _BOOK else "incollection" if ris in _IN_BOOK
        else "inproceedings" if ris in _IN_PROCEEDINGS else "report" if ris in _REPORT
        else "thesis" if ris == "THES" else "online" if ris in _ONLINE else "misc"
    )
    for ris in TYPE_OF_REFERENCE_MAPPING
}
#: Tags that give one value: a second one is an error, as a duplicate BibTeX field is.
_SINGLE = frozenset("TY ID TI T1 T2 T3 JO JF JA J2 PY Y1 DA Y2 VL IS SP EP DO PB CY ET".split())
_DATES = ("PY", "Y1", "DA", "Y2")
_NOTE_FIELD = re.compile(r"^\s*(medkb_type|PMID|PMCID)\s*:\s*(\S.*?)\s*$", re.IGNORECASE)
_KEY = re.compile(r"^[^\s,;\[\]{}]+$")
_PARSER = rispy.RisParser()


def parse_ris(text: str, path: str) -> Bibliography:
    """Parse RIS text strictly; every error names ``path`` and a line."""
    entries = []
    for start, lines, tags in _records(text, path):
        key, entry = _entry(rispy.loads("\n".join(lines)), tags, start, path)
        entries.append((key, entry, start))
    return bibliography_of(text, path, entries)


def _records(text: str, path: str) -> list[tuple[int, list[str], dict[str, list[tuple[str, int]]]]]:
    """Each record: its first line, its lines, and its tags' values with their lines."""
    records = []
    start = 0
    lines: list[str] = []
    tags: dict[str, list[tuple[str, int]]] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        tag, content = _PARSER.parse_line(line)
        if not start:
            if tag == "TY":
                start, lines, tags = number, [line], {"TY": [(content, number)]}
            elif line.strip():
                what = f"'{tag}' tag" if tag else "text"
                raise BibliographyError(path, number, f"{what} outside a record: a RIS record starts with 'TY  - ' and ends with 'ER  - '")
            continue
        if tag == "TY":
            raise BibliographyError(path, start, "RIS record has no end: add an 'ER  - ' line before the next 'TY  - '")
        lines.append(line)
        if tag == "ER":
            records.append((start, lines, tags))
            start = 0
            continue
        if tag is not None:
            if tag in _SINGLE and tag in tags:
                raise BibliographyError(path, number, f"duplicate {tag} tag (first on line {tags[tag][0][1]}); keep one")
            tags.setdefault(tag, []).append((content, number))
    if start:
        raise BibliographyError(path, start, "RIS record has no end: add an 'ER  - ' line")
    return records


def _entry(parsed: list[dict[str, object]], tags: dict[str, list[tuple[str, int]]], start: int, path: str) -> tuple[str, BibEntry]:
    (record,) = parsed

    def line_of(tag: str) -> int:
        return tags[tag][0][1] if tag in tags else start

    def value(*names: str) -> str:
        for name in names:
            found = record.get(name)
            if isinstance(found, list):
                found = found[0] if found else ""
            if isinstance(found, str) and found.strip():
                return " ".join(found.split())
        return ""

    key = value("id")
    if not key:
        raise BibliographyError(path, start, "RIS record without an 'ID  - ' line (its citation key)")
    if not _KEY.match(key):
        raise BibliographyError(path, line_of("ID"), f"ID '{key}' cannot be cited: white space, commas, semicolons, brackets and braces are not allowed")
    ris_type = value("type_of_reference")
    if ris_type not in RIS_TYPES:
        near = difflib.get_close_matches(ris_type, RIS_TYPES, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else f" (RIS types: {', '.join(sorted(RIS_TYPES))})"
        raise BibliographyError(path, start, f"record '{key}': unknown RIS type '{ris_type}'{hint}")
    kind = RIS_TYPES[ris_type]
    fields: dict[str, str] = {"title": value("title", "primary_title")}
    secondary, tertiary = value("secondary_title"), value("tertiary_title")
    if kind == "article":
        fields["journal"] = secondary or value("alternate_title3", "journal_name", "alternate_title2", "alternate_title1")
        abbreviation = value("alternate_title1", "alternate_title2") or value("journal_name")
        if abbreviation and abbreviation != fields["journal"]:
            fields["journal_abbrev"] = abbreviation
    elif kind in ("incollection", "inproceedings"):
        fields["booktitle"] = secondary
    elif kind == "online":
        fields["howpublished"] = secondary
    elif kind == "book" and secondary and not tertiary:
        tertiary = secondary
    fields["series"] = tertiary
    people = [_name(n) for n in _list(record, "authors") + _list(record, "first_authors")]
    editors = [_name(n) for n in _list(record, "secondary_authors")]
    if ris_type == "EDBOOK" and not editors:
        people, editors = [], people
    fields["author"], fields["editor"] = " and ".join(people), " and ".join(editors)
    for tag in _DATES:
        if tag in tags:
            _check_date(tags[tag][0][0], tag, tags[tag][0][1], path)
    issued = value("year") or value("publication_year") or value("date")
    fields["year"] = issued[:4]
    date = value("date")
    if date:
        fields["date"] = _iso(date)
    if value("access_date"):
        fields["urldate"] = _iso(value("access_date"))
    first_page, last_page = value("start_page"), value("end_page")
    fields["pages"] = f"{first_page}--{last_page}" if first_page and last_page and "-" not in first_page else first_page or last_page
    for field, name in (("volume", "volume"), ("number", "number"), ("doi", "doi"), ("publisher", "publisher"),
                        ("address", "place_published"), ("edition", "edition")):
        fields[field] = value(name)
    urls = _list(record, "urls")
    fields["url"] = urls[0] if urls else ""
    notes = []
    for note in _list(record, "notes"):
        match = _NOTE_FIELD.match(note)
        if match:
            fields.setdefault(match.group(1).lower(), match.group(2))
        else:
            notes.append(" ".join(note.split()))
    fields["note"] = " ".join(notes)
    escaped = {k: (v if k in ("author", "editor", "pages") else latex_escape(v)) for k, v in fields.items() if v}
    if "title" in escaped:
        escaped["title"] = "{" + escaped["title"] + "}"  # as written: no BibTeX style changes its case
    return key, BibEntry(kind, escaped)


def _list(record: dict[str, object], name: str) -> list[str]:
    found = record.get(name)
    if isinstance(found, str):
        return [found] if found.strip() else []
    return [str(v) for v in found if str(v).strip()] if isinstance(found, list) else []


def _name(name: str) -> str:
    """A RIS name (``Last, First[, Suffix]``; an organisation has no comma) as a BibTeX name."""
    parts = [" ".join(p.split()) for p in name.split(",")]
    parts = [p for p in parts if p] or [name.strip()]
    if len(parts) == 1:
        return "{" + latex_escape(parts[0]) + "}"
    last, first, *suffix = parts
    return ", ".join([name_part(last), *([name_part(" ".join(suffix))] if suffix else []), name_part(first)])


def _check_date(value: str, tag: str, line: int, path: str) -> None:
    # RIS dates: YYYY, or YYYY/MM/DD with optional parts and a trailing "/other".
    match = re.fullmatch(r"(\d{4})(?:/(\d{0,2})(?:/(\d{0,2})(?:/.*)?)?)?/?", value.strip())
    if match is not None:
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        if (month is None or 1 <= month <= 12) and (day is None or (month is not None and 1 <= day <= calendar.monthrange(year, month)[1])):
            return
    raise BibliographyError(path, line, f"{tag} '{value}' is not a RIS date: write YYYY or YYYY/MM/DD")


def _iso(value: str) -> str:
    parts = [p for p in value.strip().split("/")[:3] if p]
    return "-".join([parts[0], *(p.zfill(2) for p in parts[1:])])
