"""Strict loading of bibliographies: BibTeX with pybtex, CSL-JSON and RIS.

pybtex's lenient mode invents keys for broken entries, replaces undefined
``@string`` macros with nothing and keeps entries an editor commented out with
``%``.  Here the first problem stops the load with the file and line, and a
line whose first character is ``%`` outside a field value is a comment.

``load_bibliography`` reads a file by its suffix: ``.json`` is CSL-JSON
(:mod:`medkb.citations.csljson`), ``.ris`` is RIS (:mod:`medkb.citations.ris`),
anything else BibTeX. All three become the same pybtex entries.
"""

from __future__ import annotations

from collections.abc import Callable

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from pybtex.database import BibliographyData, BibliographyDataError, Entry
from pybtex.database.input.bibtex import DuplicateField, LowLevelParser, Parser
from pybtex.scanner import PybtexError, PybtexSyntaxError
from pybtex.textutils import normalize_whitespace

from medkb.articles.frontmatter import FrontMatterError, decode_source
from medkb.citations.inheritance import InheritanceError, resolve
from medkb.citations.names import persons_of

__all__ = ["BibEntry", "Bibliography", "BibliographyError", "load_bibliography", "parse_bibtex", "persons_of"]


_STRAY = re.compile(r"[{}=]")


class BibliographyError(FrontMatterError):
    """A problem in a bibliography file, located by path and line."""


class BibEntry(Entry):
    """A pybtex entry and the fields it inherits from its ``crossref`` parent.

    ``fields`` are the entry's own (with its ``xdata`` merged in): what the
    approval digest covers; ``inherited`` the parent's, which the digest
    covers through the parent's fingerprint.
    """

    def __init__(self, type_: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(type_, fields)
        self.inherited: dict[str, str] = {}


@dataclass
class Bibliography:
    """Entries of one or more bibliography files, looked up case-insensitively."""

    entries: dict[str, Entry] = field(default_factory=dict)
    """Entries by lower-cased key."""
    sources: dict[str, tuple[str, int]] = field(default_factory=dict)
    """``(path, line)`` of each entry, by lower-cased key."""
    digest: str = ""
    """SHA-256 over the files' bytes: changes whenever any entry can change."""
    keys: dict[str, str] = field(default_factory=dict)
    """Keys as the files spell them, by lower-cased key."""
    file_digests: dict[str, str] = field(default_factory=dict)
    """SHA-256 of each file's text, by path: memoised formatting is keyed by it."""

    def get(self, key: str) -> Entry | None:
        """The entry for ``key`` (case-insensitive), or ``None``."""
        lower = key.lower()
        if lower not in self.keys:
            return None
        return self.entries.get(lower)

    def canonical_key(self, key: str) -> str | None:
        """The key as the ``.bib`` spells it."""
        return self.keys.get(key.lower())

    def merged(self, other: Bibliography) -> Bibliography:
        """This bibliography plus ``other``; a key defined in both is an error."""
        for key, (path, line) in other.sources.items():
            if key in self.sources:
                first_path, first_line = self.sources[key]
                raise BibliographyError(
                    path, line, f"duplicate entry key '{other.keys[key]}' (also defined at {first_path}:{first_line})"
                )
        digest = hashlib.sha256((self.digest + other.digest).encode()).hexdigest()
        merged = Bibliography(
            {**self.entries, **other.entries},
            {**self.sources, **other.sources},
            digest,
            {**self.keys, **other.keys},
            {**self.file_digests, **other.file_digests},
        )
        return merged


def blank_comment_lines(text: str) -> str:
    """Blank ``%`` comment lines outside field values, keeping line numbers.

    A ``%`` line at brace depth 0 (between entries) or 1 (between the fields
    of an entry) is a comment; inside a braced value it is text.
    """
    if "%" not in text:
        return text
    out: list[str] = []
    depth = 0
    for line in text.split("\n"):
        if depth <= 1 and line.lstrip().startswith("%"):
            out.append("")
            continue
        out.append(line)
        if "{" in line or "}" in line:
            escaped = line.count("\\{") - line.count("\\}")
            depth = max(depth + line.count("{") - line.count("}") - escaped, 0)
    return "\n".join(out)


class _StrictParser(Parser):
    """pybtex's BibTeX parser that stops at the first problem, with its line."""

    def __init__(self, path: str) -> None:
        super().__init__(encoding="utf-8")
        self.path = path
        self.entry_line = 1
        self.lines: dict[str, int] = {}

    def handle_error(self, error: Exception) -> None:
        if isinstance(error, PybtexSyntaxError):
            message = str(error.args[0]) if error.args else str(error)
            line = error.lineno or self.entry_line
            if error.error_type == "syntax error" and line != self.entry_line:
                message += f" (in the entry starting on line {self.entry_line}: are its braces balanced?)"
            if error.error_type == "undefined string":
                message = f"undefined @string macro '{message}'; define it with @string{{{message} = {{...}}}} or put the value in braces"
            raise BibliographyError(self.path, line, f"BibTeX {error.error_type}: {message}")
        if isinstance(error, DuplicateField):
            raise BibliographyError(self.path, self._field_line(error), f"{error}; keep one")
        raise BibliographyError(self.path, self.entry_line, str(error))

    def _field_line(self, error: DuplicateField) -> int:
        # pybtex names the field but not its line: the second occurrence is it.
        name = str(error).rsplit(" duplicate ", 1)[-1].removesuffix(" field")
        lines = self.text.split("\n")
        seen = 0
        for number in range(self.entry_line, len(lines) + 1):
            if re.match(rf"\s*{re.escape(name)}\s*=", lines[number - 1], re.IGNORECASE) or re.search(
                rf"[{{,]\s*{re.escape(name)}\s*=", lines[number - 1], re.IGNORECASE
            ):
                seen += 1
                if seen == 2:
                    return number
        return self.entry_line

    def _check_between(self, text: str, start: int, end: int) -> None:
        # Text between entries is a comment to BibTeX, so a stray '}' that
        # closed an entry early would silently drop the fields after it.
        match = _STRAY.search(text, start, end)
        if match is not None:
            line = text.count("\n", 0, match.start()) + 1
            raise BibliographyError(
                self.path, line, f"'{match.group(0)}' outside any entry: an earlier entry was closed too soon (unbalanced braces?)"
            )

    def process_entry(self, entry_type: str, key: str, fields: list[tuple[str, list[str]]]) -> None:
        # Names are split by pybtex when an entry is formatted (persons_of),
        # not here: most entries of a shared bibliography are never cited.
        entry = BibEntry(entry_type)
        seen: set[str] = set()
        for name, value_list in fields:
            if name.lower() in seen:
                self.handle_error(DuplicateField(key, name))
            seen.add(name.lower())
            entry.fields[name] = normalize_whitespace(self.flatten_value_list(value_list))
        self.data.add_entry(key, entry)

    def parse_string(self, text: str) -> BibliographyData:
        self.text = text
        self.unnamed_entry_counter = 1
        entries = LowLevelParser(
            text,
            keyless_entries=False,
            handle_error=self.handle_error,
            want_entry=self.data.want_entry,
            filename=self.path,
            macros=self.macros,
        )
        iterator = iter(entries)
        previous_end = 0
        line, counted_to = 1, 0
        while True:
            try:
                command, body = next(iterator)
            except StopIteration:
                self._check_between(text, previous_end, len(text))
                break
            self._check_between(text, previous_end, entries.command_start)
            # Count lines incrementally: counting from the start for every
            # entry made a 2,000-entry file take seconds.
            line += text.count("\n", counted_to, entries.command_start)
            counted_to = entries.command_start
            previous_end = entries.pos
            self.entry_line = line
            kind = command.lower()
            if kind == "string":
                continue
            if kind == "preamble":
                self.process_preamble(*body)
                continue
            key = body[0]
            if key.lower() in self.lines:
                raise BibliographyError(
                    self.path,
                    self.entry_line,
                    f"duplicate entry key '{key}' (first defined on line {self.lines[key.lower()]}; keys are case-insensitive)",
                )
            self.lines[key.lower()] = self.entry_line
            try:
                self.process_entry(command, *body)
            except BibliographyDataError as e:
                raise BibliographyError(self.path, self.entry_line, str(e)) from None
        return self.data


def parse_bibtex(text: str, path: str) -> Bibliography:
    """Parse BibTeX text strictly; every error names ``path`` and a line."""
    parser = _StrictParser(path)
    try:
        data = parser.parse_string(blank_comment_lines(text))
    except BibliographyError:
        raise
    except PybtexError as e:  # pragma: no cover - every known error is located above
        raise BibliographyError(path, None, str(e)) from None
    bib = bibliography_of(text, path, [(entry.key, entry, parser.lines[key.lower()]) for key, entry in data.entries.items()])
    for key, entry in bib.entries.items():
        target = entry.fields.get("crossref")
        if target is not None and target.lower() not in bib.entries:
            path_, line = bib.sources[key]
            raise BibliographyError(path_, line, f"entry '{entry.key}' has crossref '{target}', which is not in the file")
    try:
        inherited = resolve(bib.entries)
    except InheritanceError as e:
        raise BibliographyError(path, bib.sources[e.key][1], str(e)) from None
    for key, fields in inherited.items():
        entry = bib.entries[key]
        if isinstance(entry, BibEntry):
            entry.inherited = fields
    return bib


def bibliography_of(text: str, path: str, entries: list[tuple[str, Entry, int]]) -> Bibliography:
    """One file's entries (``(key, entry, line)``); a key defined twice (in any case) is an error."""
    bib = Bibliography(digest=hashlib.sha256(text.encode()).hexdigest())
    bib.file_digests[path] = bib.digest
    for key, entry, line in entries:
        lower = key.lower()
        if lower in bib.sources:
            raise BibliographyError(
                path, line, f"duplicate entry key '{key}' (first defined on line {bib.sources[lower][1]}; keys are case-insensitive)"
            )
        entry.key = key
        bib.entries[lower] = entry
        bib.keys[lower] = key
        bib.sources[lower] = (path, line)
    return bib


def load_bibliography(
    files: list[Path], display: dict[Path, str] | None = None, read: Callable[[Path], bytes | None] | None = None
) -> Bibliography:
    """Load and merge bibliography files (BibTeX, ``.json`` CSL-JSON, ``.ris`` RIS); a key defined twice is an error.

    ``read`` gives a file's bytes (``None``: it does not exist), e.g. as they
    were in a commit of the site's history; by default the files are read from disk.
    """
    from medkb.citations.csljson import parse_csl_json
    from medkb.citations.ris import parse_ris

    result = Bibliography(digest=hashlib.sha256(b"").hexdigest())
    for file in files:
        path = (display or {}).get(file, str(file))
        try:
            raw = file.read_bytes() if read is None else read(file)
        except OSError as e:
            raise BibliographyError(path, None, f"cannot read bibliography ({e.strerror})") from None
        if raw is None:
            raise BibliographyError(path, None, "bibliography file does not exist in this revision")
        try:
            text = decode_source(raw, path)
        except FrontMatterError as e:
            raise BibliographyError(e.path, e.line, e.message) from None
        suffix = file.suffix.lower()
        parse = parse_csl_json if suffix == ".json" else parse_ris if suffix == ".ris" else parse_bibtex
        result = result.merged(parse(text, path))
    return result
