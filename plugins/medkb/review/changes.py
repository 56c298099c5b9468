"""What changed in an article since the board approved it: the reviewer's "Changes since approval".

Both sides are the article as the site renders it: the approved revision
(:mod:`medkb.review.versions`) and the current text. :func:`article_changes`
compares them; :func:`changes_html` marks the rendered body word by word
(``<ins>``/``<del>``, inside the current text's structure), and
:func:`changes_text` prints the same for a terminal (``medkb diff``).

The HTML comes from the site's own rendering, already sanitised: the marked
body keeps the current text's tags and adds only ``ins``/``del`` and the
audience labels; removed words are the approved text's escaped words,
never its tags.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from html import escape, unescape
from html.parser import HTMLParser

from medkb.articles.frontmatter import Value
from medkb.articles.model import Article
from medkb.review.assess import shown_front_matter

#: Front matter shown first, with these names; the other keys follow by name.
FIELD_LABELS = {"title": "Title", "description": "Description", "tags": "Tags", "review.due": "Next review due"}

#: Elements whose end starts a new line in the terminal's text.
_BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "tr", "pre", "blockquote", "dt", "dd", "table", "ul", "ol", "figure", "figcaption", "br"})


@dataclass(frozen=True)
class Side:
    """One version of an article as rendered: the article, its body HTML and what it cites.

    ``sources`` maps each cited key, in number order, to its entry's fields
    (``type`` first) and ``references`` to its formatted reference (plain text).
    """

    article: Article
    html: str
    sources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    references: Mapping[str, str] = field(default_factory=dict)
    commit: str | None = None


@dataclass(frozen=True)
class FieldChange:
    """A front matter value that changed (``None``: absent on that side)."""

    key: str
    label: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class SourceChange:
    """A cited source added, removed or changed; ``fields`` are ``(name, old, new)`` of a changed one."""

    key: str
    kind: str  # "added", "removed" or "changed"
    reference: str
    fields: tuple[tuple[str, str | None, str | None], ...] = ()


@dataclass(frozen=True)
class ArticleChanges:
    """Everything that differs between the approved version and the current text."""

    path: str
    approved_commit: str | None
    front_matter: tuple[FieldChange, ...]
    sources: tuple[SourceChange, ...]
    body: tuple[tuple[str, str], ...]
    """The body as ``(op, html)`` pieces, op ``=``, ``+`` or ``-`` (see :func:`changes_html`)."""
    body_changed: bool
    old: Side
    new: Side

    @property
    def changed(self) -> bool:
        """Whether anything an approval covers differs."""
        return bool(self.front_matter or self.sources or self.body_changed)


def entry_fields(entry: object) -> dict[str, str]:
    """A cited entry's fields as compared: its type, then each field (lower-case names) as written."""
    fields: dict[str, str] = {"type": str(getattr(entry, "type", "")).lower()}
    for name, value in sorted(getattr(entry, "fields", {}).items(), key=lambda item: item[0].lower()):
        fields[name.lower()] = str(value)
    return fields


def side_of(article: Article, html: str, keys: Iterable[str], catalog: Any, commit: str | None = None) -> Side:
    """One version as compared: ``keys`` cited in ``catalog`` (a :class:`~medkb.citations.references.ReferenceCatalog`)
    give each source's fields and its formatted reference as plain text."""
    sources: dict[str, dict[str, str]] = {}
    references: dict[str, str] = {}
    for key in keys:
        entry = catalog.bibliography.get(key) if catalog is not None else None
        if entry is None:
            continue
        sources[key] = entry_fields(entry)
        formatted = catalog.lookup(key)
        references[key] = formatted.text if formatted is not None else ""
    return Side(article, html, sources, references, commit)


def _value_text(value: Value | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value_text(v)}" for k, v in value.items())
    return str(value)


def front_matter_changes(old: Article, new: Article) -> list[FieldChange]:
    """The shown front matter that differs (title, description, tags, review date first; then by key)."""
    a, b = shown_front_matter(old), shown_front_matter(new)
    keys = [k for k in FIELD_LABELS if k in a or k in b] + sorted((set(a) | set(b)) - set(FIELD_LABELS))
    return [
        FieldChange(k, FIELD_LABELS.get(k, k), _value_text(a.get(k)), _value_text(b.get(k)))
        for k in keys
        if a.get(k) != b.get(k)
    ]


def source_changes(old: Side, new: Side) -> list[SourceChange]:
    """Sources the new text cites and the old did not, those it no longer cites, and those whose entry changed."""
    changes: list[SourceChange] = []
    for key, fields in new.sources.items():
        before = old.sources.get(key)
        if before is None:
            changes.append(SourceChange(key, "added", new.references.get(key, "")))
        elif before != fields:
            names = [n for n in fields if n in before] + [n for n in fields if n not in before] + [n for n in before if n not in fields]
            diff = tuple((n, before.get(n), fields.get(n)) for n in dict.fromkeys(names) if before.get(n) != fields.get(n))
            changes.append(SourceChange(key, "changed", new.references.get(key, ""), diff))
    for key in old.sources:
        if key not in new.sources:
            changes.append(SourceChange(key, "removed", old.references.get(key, "")))
    return changes


# -- the body, word by word ---------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "tag", "word" or "space"
    raw: str
    name: str = ""  # the tag's name, "/name" for an end tag

    @property
    def key(self) -> str:
        # Tags compare by name and attributes; a changed citation number is a changed word.
        return self.raw if self.kind != "space" else " "


class _Tokenizer(HTMLParser):
    """Splits rendered HTML into tags, words and spaces, keeping each as written (entities too)."""

    def __init__(self, audience_labels: Mapping[str, str], anchors_on: str | None = None) -> None:
        super().__init__(convert_charrefs=False)
        self.tokens: list[_Token] = []
        self.skip = 0  # inside a removed element (the reference list, permalinks)
        self.labels = audience_labels
        self.anchors_on = anchors_on

    def _text(self, text: str) -> None:
        if self.skip:
            return
        for part in re.split(r"(\s+)", text):
            if part:
                self.tokens.append(_Token("space" if part.isspace() else "word", part))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.skip:
            self.skip += 0 if tag in _VOID else 1
            return
        if "kb-references-section" in classes or "headerlink" in classes:
            self.skip = 1
            return
        raw = self.get_starttag_text() or f"<{tag}>"
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("#") and self.anchors_on is not None:
            # A citation or cross-reference: its target is on the article's page.
            rest = " ".join(f'{n}="{escape(v or "", quote=True)}"' for n, v in attrs if n != "href")
            raw = f'<a href="{escape(self.anchors_on + href, quote=True)}"{" " + rest if rest else ""}>'
        self.tokens.append(_Token("tag", raw, tag))
        if tag == "div" and "kb-audience" in classes:
            # The passage's readers, shown as a label: every audience's text is on the page.
            ids = (dict(attrs).get("data-kb-audience") or "").split()
            names = ", ".join(self.labels.get(i, i) for i in ids)
            self.tokens.append(_Token("tag", f'<p class="kb-changes__audience">{escape(names)}</p>', "p"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skip:
            self.tokens.append(_Token("tag", self.get_starttag_text() or f"<{tag}>", tag))

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1
            return
        self.tokens.append(_Token("tag", f"</{tag}>", "/" + tag))

    def handle_data(self, data: str) -> None:
        self._text(data)

    def handle_entityref(self, name: str) -> None:
        if not self.skip:
            self.tokens.append(_Token("word", f"&{name};"))

    def handle_charref(self, name: str) -> None:
        if not self.skip:
            self.tokens.append(_Token("word", f"&#{name};"))


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


def _tokens(html: str, audience_labels: Mapping[str, str], anchors_on: str | None = None) -> list[_Token]:
    parser = _Tokenizer(audience_labels, anchors_on)
    parser.feed(html)
    parser.close()
    return parser.tokens


def diff_body(
    old_html: str, new_html: str, audience_labels: Mapping[str, str] | None = None, anchors_on: str | None = None,
) -> list[tuple[str, str]]:
    """The new body with the old one's words: ``(op, html)`` pieces, op ``=`` (same), ``+`` (inserted words), ``-`` (removed words) or ``<`` (a tag of the new body).

    Every tag of the new body is kept, in order, so the result nests as the
    new body does; the old body's tags are dropped, its words kept where they stood.
    ``anchors_on``: the article page's URL, for links to anchors of it
    (citations), which are not on the page showing the changes.
    """
    labels = audience_labels or {}
    a, b = _tokens(old_html, labels, anchors_on), _tokens(new_html, labels, anchors_on)
    pieces: list[tuple[str, str]] = []

    def add(op: str, raw: str) -> None:
        if pieces and pieces[-1][0] == op and op != "<":
            pieces[-1] = (op, pieces[-1][1] + raw)
        else:
            pieces.append((op, raw))

    def words(op: str, tokens: Iterable[_Token]) -> None:
        for token in tokens:
            if token.kind == "tag":
                if op == "+":
                    add("<", token.raw)
            else:
                add(op, token.raw)

    matcher = difflib.SequenceMatcher(None, [t.key for t in a], [t.key for t in b], autojunk=False)
    for tag, i1, i2, j1, j2 in _coalesced(matcher.get_opcodes(), b):
        if tag == "equal":
            for token in b[j1:j2]:
                add("<" if token.kind == "tag" else "=", token.raw)
        else:
            if tag in ("delete", "replace"):
                words("-", a[i1:i2])
            if tag in ("insert", "replace"):
                words("+", b[j1:j2])
    # A removed or inserted run that is only spaces is no change.
    return [("=", raw) if op in "+-" and not raw.strip() else (op, raw) for op, raw in pieces]


def _coalesced(opcodes: list[tuple[str, int, int, int, int]], b: list[_Token]) -> list[tuple[str, int, int, int, int]]:
    # Two changes with only a space between them read as one ("five
    # milligrams" replaced, not "five" and "milligrams" apart).
    out: list[tuple[str, int, int, int, int]] = []
    for op in opcodes:
        tag, i1, i2, j1, j2 = op
        if out and tag != "equal" and len(out) >= 2 and out[-1][0] == "equal" and out[-2][0] != "equal" \
                and all(t.kind == "space" for t in b[out[-1][3]:out[-1][4]]):
            out.pop()
            first = out.pop()
            op = ("replace", first[1], i2, first[3], j2)
        elif out and tag != "equal" and out[-1][0] != "equal":
            first = out.pop()
            op = ("replace", first[1], i2, first[3], j2)
        out.append(op)
    return out


def changes_html(pieces: Iterable[tuple[str, str]]) -> str:
    """The marked body: inserted words in ``<ins>``, removed ones in ``<del>`` (each run's spaces kept outside)."""
    out: list[str] = []
    for op, raw in pieces:
        if op in "=<":
            out.append(raw)
            continue
        lead = raw[: len(raw) - len(raw.lstrip())]
        trail = raw[len(raw.rstrip()):]
        element = "ins" if op == "+" else "del"
        out.append(f"{lead}<{element}>{raw.strip()}</{element}>{trail}")
    return "".join(out)


def article_changes(
    old: Side, new: Side, path: str, audience_labels: Mapping[str, str] | None = None, anchors_on: str | None = None,
) -> ArticleChanges:
    """Compare the approved version (``old``) with the current text (``new``); ``anchors_on`` as for :func:`diff_body`."""
    body = diff_body(old.html, new.html, audience_labels, anchors_on)
    return ArticleChanges(
        path=path,
        approved_commit=old.commit,
        front_matter=tuple(front_matter_changes(old.article, new.article)),
        sources=tuple(source_changes(old, new)),
        body=tuple(body),
        body_changed=any(op in "+-" for op, _ in body),
        old=old,
        new=new,
    )


# -- the terminal -------------------------------------------------------------

_COLOURS = {"+": ("\x1b[32m", "\x1b[0m"), "-": ("\x1b[31m", "\x1b[0m")}
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def visible(text: str) -> str:
    """``text`` with control characters and bidirectional overrides shown as ``\\uXXXX``.

    What an article or a BibTeX file holds must not drive the reviewer's
    terminal: an escape sequence could hide or rewrite the changes shown.
    """
    return "".join(f"\\u{ord(c):04x}" if (c in _BIDI or (unicodedata.category(c) == "Cc" and c not in "\n\t")) else c for c in text)
_PLAIN = {"+": ("{+", "+}"), "-": ("[-", "-]")}


def _marked(op: str, text: str, colour: bool) -> str:
    text = visible(text)
    if op not in "+-" or not text.strip():
        return text
    start, end = (_COLOURS if colour else _PLAIN)[op]
    if colour:
        start, end = start + _PLAIN[op][0], _PLAIN[op][1] + end
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return f"{lead}{start}{text.strip()}{end}{trail}"


def _body_lines(pieces: Iterable[tuple[str, str]], colour: bool) -> list[str]:
    # Blocks of text (one per paragraph, item, heading...), each with its marks.
    lines: list[str] = [""]
    changed: list[bool] = [False]
    for op, raw in pieces:
        if op == "<":
            name = re.match(r"</?([a-zA-Z0-9]+)", raw)
            if name and name.group(1).lower() in _BLOCKS:
                lines.append("")
                changed.append(False)
            elif "kb-changes__audience" in raw:
                lines.append("[" + visible(unescape(re.sub(r"<[^>]*>", "", raw))) + "]")
                changed.append(True)
            continue
        text = re.sub(r"\s+", " ", unescape(raw))
        lines[-1] += _marked(op, text, colour)
        changed[-1] = changed[-1] or (op in "+-" and bool(text.strip()))
    shown: list[str] = []
    for line, did in zip(lines, changed):
        if did and line.strip() and not line.startswith("["):
            shown.append(line.strip())
        elif line.startswith("[") and line.strip():
            shown.append(line)
    # An audience label with no change under it says nothing.
    return [s for i, s in enumerate(shown) if not (s.startswith("[") and (i + 1 == len(shown) or shown[i + 1].startswith("[")))]


def changes_text(changes: ArticleChanges, colour: bool = False) -> str:
    """``medkb diff``'s report: front matter, body paragraphs that changed (``[-removed-]``, ``{+inserted+}``), sources."""
    out = [f"{visible(changes.path)}: changes since approval" + (f" (approved version: commit {changes.approved_commit[:10]})" if changes.approved_commit else "")]
    if not changes.changed:
        out.append("  no changes: the current text is the approved one")
        return "\n".join(out) + "\n"
    if changes.front_matter:
        out.append("")
        out.append("Front matter")
        for f in changes.front_matter:
            out.append(f"  {visible(f.label)}: " + _marked("-", f.old or "(none)", colour) + " → " + _marked("+", f.new or "(none)", colour))
    if changes.body_changed:
        out.append("")
        out.append("Text")
        for line in _body_lines(changes.body, colour):
            out.append("  " + line)
    if changes.sources:
        out.append("")
        out.append("Cited sources")
        for s in changes.sources:
            out.append(visible(f"  {s.kind} [{s.key}] {s.reference}".rstrip()))
            for name, old, new in s.fields:
                out.append(f"      {visible(name)}: " + _marked("-", old or "(none)", colour) + " → " + _marked("+", new or "(none)", colour))
    return "\n".join(out) + "\n"
