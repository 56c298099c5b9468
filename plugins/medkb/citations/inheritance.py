"""Fields an entry takes from others: BibTeX's ``crossref``, biblatex's ``xdata``.

BibTeX copies every field the child lacks from its ``crossref`` parent.
biblatex (biber's default inheritance rules) does the same, but maps the
parent's title to the field it is for the child: a ``@proceedings`` title is
an ``@inproceedings``'s ``booktitle``, a ``@book`` title an ``@inbook``'s,
(or an ``@incollection``'s), an ``@mvbook`` title the ``maintitle``, a ``@periodical`` title an
``@article``'s ``journaltitle``; and it never copies identifiers such as
``ids``, ``crossref`` or ``shorthand``. A parent's own ``booktitle`` (what
BibTeX files write) is copied as it is.

``xdata = {a, b}`` names entries whose fields are the entry's own, as if
written in it (so the approval digest covers them): they are merged into the
entry's fields when the file is loaded. ``crossref`` fields stay the
parent's (the digest covers the parent's fingerprint) and are found through
:func:`inherited_fields`.
"""

from __future__ import annotations

from collections.abc import Mapping

from pybtex.database import Entry

#: Fields biblatex never inherits.
NOT_INHERITED = frozenset(
    "ids crossref xref xdata entryset entrysubtype execute label options presort related relatedoptions "
    "relatedstring relatedtype shorthand shorthandintro sortkey".split()
)
_TITLES = ("title", "subtitle", "titleaddon")
_NOT_WITH_TITLE = frozenset({"title", "subtitle", "titleaddon", "shorttitle", "sorttitle", "indextitle", "indexsorttitle"})
_BOOKS = frozenset({"book", "collection", "reference"})
#: (parent types, child types, prefix of the fields the parent's title becomes).
_TITLE_RULES: tuple[tuple[frozenset[str], frozenset[str], str], ...] = (
    (frozenset({"mvbook"}), frozenset({"book", "inbook", "bookinbook", "suppbook"}), "main"),
    (frozenset({"mvcollection", "mvreference"}), frozenset({"collection", "reference", "incollection", "inreference", "suppcollection"}), "main"),
    (frozenset({"mvproceedings"}), frozenset({"proceedings", "inproceedings", "conference"}), "main"),
    # biblatex pairs book with inbook and collection with incollection;
    # BibTeX files give an @incollection a @book parent: both are books.
    (_BOOKS, frozenset({"inbook", "bookinbook", "suppbook", "incollection", "inreference", "suppcollection"}), "book"),
    (frozenset({"proceedings"}), frozenset({"inproceedings", "conference"}), "book"),
    (frozenset({"periodical"}), frozenset({"article", "suppperiodical"}), "journal"),
)


class InheritanceError(ValueError):
    """A ``crossref`` or ``xdata`` cycle, or an ``xdata`` key not in the file."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def crossref_fields(child_type: str, parent_type: str, parent: Mapping[str, str]) -> dict[str, str]:
    """The fields a ``child_type`` entry takes from a parent of ``parent_type`` (all of them; the child's own win)."""
    child_type, parent_type = child_type.lower(), parent_type.lower()
    prefix = next((p for parents, children, p in _TITLE_RULES if parent_type in parents and child_type in children), None)
    fields: dict[str, str] = {}
    for name, value in parent.items():
        lower = name.lower()
        if lower in NOT_INHERITED or (prefix is not None and lower in _NOT_WITH_TITLE):
            continue
        fields[lower] = value
    if prefix is not None:
        for name in _TITLES:
            value = _get(parent, name)
            if value is not None:
                fields.setdefault(prefix + name, value)
        if prefix == "book" and _get(parent, "author") is not None:
            fields.setdefault("bookauthor", _get(parent, "author"))  # type: ignore[arg-type]
    return fields


def _get(fields: Mapping[str, str], name: str) -> str | None:
    for key, value in fields.items():
        if key.lower() == name:
            return value
    return None


def resolve(entries: Mapping[str, Entry]) -> dict[str, dict[str, str]]:
    """Merge ``xdata`` into the entries' fields; the fields each entry inherits through ``crossref``, by lower-cased key.

    ``entries`` are by lower-cased key; a missing ``crossref`` target is
    reported by the loader, before this.
    """
    _merge_xdata(entries)
    inherited: dict[str, dict[str, str]] = {}

    def effective(key: str, chain: tuple[str, ...]) -> dict[str, str]:
        entry = entries[key]
        own = {k.lower(): v for k, v in entry.fields.items()}
        parent_key = own.get("crossref", "").lower()
        if not parent_key or parent_key not in entries:
            return own
        if parent_key in chain:
            raise InheritanceError(chain[0], "crossref cycle: " + " -> ".join((*chain, parent_key)))
        if key not in inherited:
            parent = entries[parent_key]
            inherited[key] = crossref_fields(entry.type, parent.type, effective(parent_key, (*chain, parent_key)))
        return {**inherited[key], **own}

    for key in entries:
        effective(key, (key,))
    return {key: fields for key, fields in inherited.items() if fields}


def _merge_xdata(entries: Mapping[str, Entry]) -> None:
    done: set[str] = set()

    def merge(key: str, chain: tuple[str, ...]) -> None:
        if key in done:
            return
        entry = entries[key]
        names = [n.strip() for n in entry.fields.get("xdata", "").split(",") if n.strip()]
        for name in names:
            source = name.lower()
            if source not in entries:
                raise InheritanceError(chain[0], f"entry '{entry.key}' has xdata '{name}', which is not in the file")
            if source in chain:
                raise InheritanceError(chain[0], "xdata cycle: " + " -> ".join((*chain, source)))
            merge(source, (*chain, source))
            for field, value in entries[source].fields.items():
                if field.lower() not in NOT_INHERITED and field not in entry.fields:
                    entry.fields[field] = value
        done.add(key)

    for key in entries:
        merge(key, (key,))


def inherited_entry(entry: Entry, inherited: Mapping[str, str] | None) -> Entry:
    """``entry`` with the fields it inherits (its own win); the entry itself when it inherits none."""
    if not inherited:
        return entry
    merged = Entry(entry.type, fields={**inherited, **entry.fields})
    merged.key = entry.key
    return merged
