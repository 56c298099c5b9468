"""People in an entry: BibTeX name lists split by pybtex, biblatex's extended names, names pybtex cannot read.

Names are split when an entry is formatted, not when a file is loaded: most
entries of a shared bibliography are never cited. So a name pybtex cannot
split (``Doe, John, Jr, III``: "too many commas") does not stop the build
where no file and line are known; it is shown as written and reported, and
the plugin warns with the entry's file and line.
"""

from __future__ import annotations

import re

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Entry, Person
from pybtex.scanner import PybtexError

#: biblatex's extended name format: ``family=Harman, given=Hans, prefix=van``.
_EXTENDED = re.compile(r"^\s*(?:family|given|prefix|suffix|useprefix|giveni|given-i|family-i)\s*=", re.IGNORECASE)
_PARTS = {"family": "last", "given": "first", "prefix": "prelast", "suffix": "lineage"}


def persons_of(entry: Entry, role: str, problems: list[str] | None = None) -> list[Person]:
    """The people in ``role`` (author, editor), split by pybtex on first use.

    A name that cannot be split is kept as written and described in
    ``problems``; such a list is split again next time, so every caller
    hears of the problem.
    """
    people = entry.persons.get(role)
    if people is not None:
        return list(people)
    raw = entry.fields.get(role)
    if not raw:
        return []
    found: list[str] = []
    parsed = [parse_person(name, found) for name in split_name_list(raw)]
    if found:
        if problems is not None:
            problems.extend(f"{role} {message}" for message in found)
        return parsed
    for person in parsed:
        entry.add_person(person, role)
    return parsed


def parse_person(name: str, problems: list[str]) -> Person:
    """One name: BibTeX's forms, or biblatex's ``family=…, given=…``; as written when neither."""
    if "=" in name and _EXTENDED.match(name):
        person = _extended(name)
        if person is not None:
            return person
        problems.append(f"'{name}' is not a biblatex name (family=..., given=...): shown as written")
        return Person(last="{" + name + "}")
    try:
        return Person(name)
    except PybtexError as e:
        problems.append(f"'{name}' cannot be read as a name ({e}): shown as written")
        return Person(last="{" + name.replace("{", "").replace("}", "") + "}")


def _extended(name: str) -> Person | None:
    parts: dict[str, str] = {}
    for item in _split_top_level(name, ","):
        key, sep, value = item.partition("=")
        if not sep:
            return None
        value = value.strip()
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            value = value[1:-1]
        key = key.strip().lower()
        if key in _PARTS and value:
            parts[_PARTS[key]] = value
    if "last" not in parts and "first" not in parts:
        return None
    return Person(**parts)


def _split_top_level(text: str, separator: str) -> list[str]:
    items, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == separator and depth == 0:
            items.append(text[start:index])
            start = index + 1
    items.append(text[start:])
    return [item for item in items if item.strip()]
