"""CSL-JSON bibliographies (Zotero's native export), read strictly into pybtex entries.

A CSL-JSON file is an array of items, each cited by its ``id`` and typed by
a CSL ``type``. Items become the entries BibTeX gives (``article-journal`` →
``@article``, ``chapter`` → ``@incollection``… see :data:`CSL_TYPES`), their
names BibTeX name lists and their text BibTeX values, so formatting,
fingerprints and the approval digest work as for a ``.bib`` file. CSL's
rich-text tags (``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small caps,
``<span class="nocase">``) become the LaTeX commands they stand for; any
other markup is text.

Strict like the BibTeX reader: invalid JSON, an item without ``id``, a
duplicate ``id`` (in any case), an unknown type, a duplicate field, a date
that is no date, names that are not CSL names — each stops the build with
the file and line.
"""

from __future__ import annotations

import calendar
import difflib
import json
import re
from typing import Any

from medkb.citations.bibliography import BibEntry, Bibliography, BibliographyError, bibliography_of
from medkb.citations.latex import latex_escape

#: CSL 1.0.2 item types and the BibTeX entry type each becomes.
CSL_TYPES: dict[str, str] = {
    "article-journal": "article", "article": "article", "article-magazine": "article",
    "article-newspaper": "article", "review": "article", "review-book": "article",
    "book": "book", "classic": "book", "collection": "book", "periodical": "book",
    "chapter": "incollection", "entry": "incollection", "entry-dictionary": "incollection",
    "entry-encyclopedia": "incollection",
    "paper-conference": "inproceedings",
    "report": "report", "standard": "report",
    "thesis": "thesis",
    "webpage": "online", "post": "online", "post-weblog": "online",
    **dict.fromkeys(
        "bill broadcast dataset document event figure graphic hearing interview legal_case legislation manuscript map "
        "motion_picture musical_score pamphlet patent performance personal_communication regulation software song "
        "speech treaty".split(),
        "misc",
    ),
}
#: CSL variables copied as they are, and the BibTeX field each becomes.
_TEXT_FIELDS = {
    "title": "title", "collection-title": "series", "volume": "volume", "page": "pages", "edition": "edition",
    "publisher": "publisher", "publisher-place": "address", "DOI": "doi", "PMID": "pmid", "PMCID": "pmcid",
    "URL": "url", "ISBN": "isbn", "ISSN": "issn", "genre": "type", "medkb_type": "medkb_type",
}
_NAME_FIELDS = {"author": "author", "editor": "editor", "container-author": "bookauthor", "translator": "translator"}
_DATE_FIELDS = ("issued", "accessed", "original-date", "event-date", "submitted")
#: ``Name: value`` lines of a note (Zotero's "Extra") read as fields.
_NOTE_FIELD = re.compile(r"^\s*(medkb_type|PMID|PMCID|DOI)\s*:\s*(\S.*?)\s*$", re.IGNORECASE)
_KEY = re.compile(r"^[^\s,;\[\]{}]+$")
_MARKUP = re.compile(r'<(/?)(i|b|sup|sub|sc|span)((?:\s+[a-z-]+="[^"]*")*)\s*>', re.IGNORECASE)
_LATEX_OF_MARKUP = {"i": "\\textit{", "b": "\\textbf{", "sup": "\\textsuperscript{", "sub": "\\textsubscript{", "sc": "\\textsc{"}


class _DuplicateField(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise _DuplicateField(name)
        found[name] = value
    return found


def parse_csl_json(text: str, path: str) -> Bibliography:
    """Parse CSL-JSON text strictly; every error names ``path`` and a line."""
    decoder = json.JSONDecoder(object_pairs_hook=_no_duplicates)
    items = list(_items(text, path, decoder))
    entries = []
    for item, start, end in items:
        line = _line(text, start)
        located = _Item(text, path, start, end)
        key = _key(item, located)
        entries.append((key, _entry(item, key, located), line))
    return bibliography_of(text, path, entries)


class _Item:
    """Where an item is in the file: errors name the line of the field at fault."""

    def __init__(self, text: str, path: str, start: int, end: int) -> None:
        self.text, self.path, self.start, self.end = text, path, start, end

    def error(self, message: str, field: str | None = None) -> BibliographyError:
        position = self.start
        if field is not None:
            found = self.text.find(json.dumps(field), self.start, self.end)
            position = found if found >= 0 else position
        return BibliographyError(self.path, _line(self.text, position), message)


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _items(text: str, path: str, decoder: json.JSONDecoder) -> list[tuple[Any, int, int]]:
    # The array's items one by one, with their offsets (json gives none).
    ws = re.compile(r"\s*")
    pos = ws.match(text, 0).end()  # type: ignore[union-attr]
    if text[pos : pos + 1] != "[":
        raise BibliographyError(path, _line(text, pos), "CSL-JSON must be an array of items ([{...}, ...])")
    pos = ws.match(text, pos + 1).end()  # type: ignore[union-attr]
    found: list[tuple[Any, int, int]] = []
    if text[pos : pos + 1] == "]":
        pos += 1
    else:
        while True:
            start = pos
            try:
                item, pos = decoder.raw_decode(text, pos)
            except _DuplicateField as e:
                end = _item_end(text, start)
                located = _Item(text, path, start, end)
                raise located.error(f"duplicate field '{e.name}'; keep one", e.name) from None
            except json.JSONDecodeError as e:
                raise BibliographyError(path, e.lineno, f"not valid JSON: {e.msg}") from None
            if not isinstance(item, dict):
                raise BibliographyError(path, _line(text, start), "each CSL-JSON item must be an object ({...})")
            found.append((item, start, pos))
            pos = ws.match(text, pos).end()  # type: ignore[union-attr]
            if text[pos : pos + 1] == ",":
                pos = ws.match(text, pos + 1).end()  # type: ignore[union-attr]
                continue
            if text[pos : pos + 1] == "]":
                pos += 1
                break
            raise BibliographyError(path, _line(text, pos), "not valid JSON: expected ',' or ']' after an item")
    if text[pos:].strip():
        raise BibliographyError(path, _line(text, pos), "not valid JSON: text after the array")
    return found


def _item_end(text: str, start: int) -> int:
    # The end of an object that failed to decode (for locating its fields).
    try:
        _, end = json.JSONDecoder().raw_decode(text, start)
        return end
    except json.JSONDecodeError:
        return len(text)


def _key(item: dict[str, Any], located: _Item) -> str:
    key = item.get("id")
    if isinstance(key, bool) or not isinstance(key, (str, int)) or not str(key).strip():
        raise located.error("CSL-JSON item without an 'id' (its citation key)")
    key = str(key).strip()
    if not _KEY.match(key):
        raise located.error(f"id '{key}' cannot be cited: white space, commas, semicolons, brackets and braces are not allowed", "id")
    return key


def _entry(item: dict[str, Any], key: str, located: _Item) -> BibEntry:
    kind = item.get("type")
    if not isinstance(kind, str) or kind not in CSL_TYPES:
        swapped = "-".join(reversed(str(kind).split("-")))  # journal-article
        near = [swapped] if swapped in CSL_TYPES else difflib.get_close_matches(str(kind), CSL_TYPES, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else f" (CSL types: {', '.join(sorted(CSL_TYPES))})"
        raise located.error(f"item '{key}': unknown CSL type {json.dumps(kind)}{hint}", "type")
    bibtex_type = CSL_TYPES[kind]
    fields: dict[str, str] = {}
    for name, field in _TEXT_FIELDS.items():
        if name in item:
            fields[field] = _text(item[name], name, key, located)
    if fields.get("title"):
        fields["title"] = "{" + fields["title"] + "}"  # as written: no BibTeX style changes its case
    custom = item.get("custom")
    if isinstance(custom, dict) and "medkb_type" in custom and "medkb_type" not in fields:
        fields["medkb_type"] = _text(custom["medkb_type"], "medkb_type", key, located)
    container = item.get("container-title")
    if container is not None:
        target = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle"}.get(bibtex_type, "howpublished")
        fields[target] = _text(container, "container-title", key, located)
    for short in ("container-title-short", "journalAbbreviation"):
        if short in item and bibtex_type == "article":
            fields.setdefault("journal_abbrev", _text(item[short], short, key, located))
    for event in ("event-title", "event"):
        if event in item and isinstance(item[event], str):
            fields.setdefault("booktitle" if bibtex_type == "inproceedings" else "eventtitle", _text(item[event], event, key, located))
    if "issue" in item:
        fields["number"] = _text(item["issue"], "issue", key, located)
    elif "number" in item:
        fields["number"] = _text(item["number"], "number", key, located)
    if "note" in item:
        _note_fields(item["note"], fields, key, located)
    for name, field in _NAME_FIELDS.items():
        if name in item:
            fields[field] = _names(item[name], name, key, located)
    for name in _DATE_FIELDS:
        if name in item:
            year, iso = _date(item[name], name, key, located)
            if name == "issued":
                fields["year"], fields["date"] = year, iso
            elif name == "accessed":
                fields["urldate"] = iso
    return BibEntry(bibtex_type, {k: v for k, v in fields.items() if v})


def _text(value: Any, name: str, key: str, located: _Item) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise located.error(f"item '{key}': '{name}' must be text or a number, not {type(value).__name__}", name)
    return csl_markup_to_latex(" ".join(str(value).split()))


def csl_markup_to_latex(text: str) -> str:
    """CSL rich text (``<i>S. aureus</i>``) as a BibTeX value; other tags stay text."""
    if "<" not in text:
        return latex_escape(text)
    out: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (element, what it became: a command, "{", or "" for text)
    pos = 0
    for match in _MARKUP.finditer(text):
        out.append(latex_escape(text[pos : match.start()]))
        pos = match.end()
        closing, element, attributes = match.group(1), match.group(2).lower(), match.group(3).lower().replace(" ", "")
        if closing:
            if open_tags and open_tags[-1][0] == element:
                _, opened = open_tags.pop()
                out.append("}" if opened else latex_escape(match.group(0)))
            else:
                out.append(latex_escape(match.group(0)))
            continue
        if element == "span":
            opened = "\\textsc{" if "small-caps" in attributes else "{" if 'class="nocase"' in attributes else ""
        else:
            opened = _LATEX_OF_MARKUP[element]
        open_tags.append((element, opened))
        out.append(opened or latex_escape(match.group(0)))
    out.append(latex_escape(text[pos:]))
    out.append("".join("}" for _, opened in open_tags if opened))
    return "".join(out)


def _note_fields(note: Any, fields: dict[str, str], key: str, located: _Item) -> None:
    # Zotero's "Extra" is exported as the note, one "Name: value" per line.
    kept = []
    for line in (note.split("\n") if isinstance(note, str) else [note]):
        match = _NOTE_FIELD.match(line) if isinstance(line, str) else None
        if match:
            fields.setdefault(match.group(1).lower(), _text(match.group(2), "note", key, located))
        else:
            kept.append(_text(line, "note", key, located))
    fields["note"] = " ".join(k for k in kept if k)


def _names(value: Any, name: str, key: str, located: _Item) -> str:
    if not isinstance(value, list) or not all(isinstance(n, dict) for n in value):
        raise located.error(f"item '{key}': '{name}' must be a list of names ({{\"family\": ..., \"given\": ...}})", name)
    names = []
    for person in value:
        parts = {p: " ".join(str(person[p]).split()) for p in ("family", "given", "suffix", "literal", "non-dropping-particle", "dropping-particle")
                 if isinstance(person.get(p), (str, int)) and str(person[p]).strip()}
        if "literal" in parts or ("family" not in parts and "given" in parts and len(parts) == 1):
            names.append("{" + latex_escape(parts.get("literal", parts.get("given", ""))) + "}")
            continue
        if "family" not in parts:
            raise located.error(f"item '{key}': a name in '{name}' has neither 'family' nor 'literal'", name)
        particle = " ".join(parts[p] for p in ("dropping-particle", "non-dropping-particle") if p in parts)
        pieces = [name_part(f"{particle} {parts['family']}".strip())]
        if "suffix" in parts:
            pieces.append(name_part(parts["suffix"]))
        if "given" in parts or "suffix" in parts:
            pieces.append(name_part(parts.get("given", "")))
        names.append(", ".join(pieces))
    return " and ".join(names)


def name_part(text: str) -> str:
    """A part of a name (family, given, suffix) for a BibTeX name list: braced only when a comma or "and" would split it."""
    escaped = latex_escape(text)
    return "{" + escaped + "}" if "," in text or re.search(r"\band\b", text, re.IGNORECASE) else escaped


def _date(value: Any, name: str, key: str, located: _Item) -> tuple[str, str]:
    """``(year, ISO date)`` of a CSL date; anything else is an error."""
    bad = located.error(
        f"item '{key}': '{name}' is not a CSL date: write {{\"date-parts\": [[2020, 5, 31]]}} (month and day optional), "
        f"{{\"raw\": \"2020-05-31\"}} or {{\"literal\": \"...\"}}",
        name,
    )
    if not isinstance(value, dict):
        raise bad
    if "date-parts" in value:
        parts = value["date-parts"]
        if not isinstance(parts, list) or not 1 <= len(parts) <= 2 or not all(isinstance(p, list) and 1 <= len(p) <= 3 for p in parts):
            raise bad
        numbers = []
        for part in parts[0]:
            if isinstance(part, bool) or not (isinstance(part, int) or (isinstance(part, str) and re.fullmatch(r"-?\d+", part.strip()))):
                raise bad
            numbers.append(int(part))
        for other in parts[1:]:
            _valid_date(other, bad)
        return _valid_date(numbers, bad)
    if isinstance(value.get("raw"), str):
        match = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", value["raw"])
        if match is None:
            raise bad
        return _valid_date([int(g) for g in match.groups() if g is not None], bad)
    if isinstance(value.get("literal"), str) and value["literal"].strip():
        year = re.search(r"\b(\d{4})\b", value["literal"])
        literal = latex_escape(" ".join(value["literal"].split()))
        return (year.group(1) if year else literal), literal
    raise bad


def _valid_date(numbers: list[Any], bad: BibliographyError) -> tuple[str, str]:
    try:
        numbers = [int(n) for n in numbers]
    except (TypeError, ValueError):
        raise bad from None
    year, *rest = numbers
    if not 0 < year <= 9999:
        raise bad
    if rest:
        month = rest[0]
        if 13 <= month <= 16 or 21 <= month <= 24:  # seasons
            return str(year), f"{year:04d}"
        if not 1 <= month <= 12:
            raise bad
        if len(rest) > 1 and not 1 <= rest[1] <= calendar.monthrange(year, month)[1]:
            raise bad
    return str(year), "-".join([f"{year:04d}", *(f"{n:02d}" for n in rest)])
