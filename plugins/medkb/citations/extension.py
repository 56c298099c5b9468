"""The ``[@key]`` Markdown extension, after Python-Markdown's footnotes.

An inline processor turns each citation into a placeholder ``<sup>``; a tree
processor that runs after all inline processing numbers them in reading
order (the document tree, walked depth first), renders each number as a link
to its entry and appends the reference list.  Inline processing never sees
code spans, code blocks or escaped brackets, so ``[@x]`` there stays text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.toc import unique
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from medkb.citations.numbering import CiteItem, compress_numbers, format_locator, key_slug, parse_citation
from medkb.citations.references import ReferenceCatalog
from medkb.citations.style import FormattedReference

# `[@...]` not followed by `(` or `[` (a link or a reference link; link
# definitions never reach inline processing); parse_citation checks the inside.
CITATION_RE = r"\[(@[^\[\]\n]*)\](?![(\[])"
_PENDING = "data-kb-pending"
_BACKLINK_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass
class CitationProblem:
    """Something to warn about: an unknown key or a key in the wrong case."""

    key: str
    message: str


@dataclass
class CitationState:
    """What one document cited; read by the plugin after conversion."""

    pending: list[list[CiteItem]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    """Canonical keys in number order."""
    problems: list[CitationProblem] = field(default_factory=list)
    citations: int = 0


class CitationInlineProcessor(InlineProcessor):
    """Replaces ``[@a; @b, p. 3]`` with a placeholder the tree processor fills."""

    def __init__(self, pattern: str, state: CitationState) -> None:
        super().__init__(pattern)
        self.state = state

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element | None, int | None, int | None]:  # type: ignore[override]
        items = parse_citation(m.group(1))
        if items is None:
            return None, None, None
        sup = etree.Element("sup", {"class": "kb-cite", _PENDING: str(len(self.state.pending))})
        self.state.pending.append(items)
        return sup, m.start(0), m.end(0)


class CitationTreeprocessor(Treeprocessor):
    """Numbers citations in reading order and builds the reference list."""

    def __init__(self, md: Markdown, ext: CitationsExtension, state: CitationState) -> None:
        super().__init__(md)
        self.ext = ext
        self.state = state

    def run(self, root: etree.Element) -> None:
        sups = [el for el in root.iter("sup") if _PENDING in el.attrib]
        if not sups:
            return
        catalog = self.ext.catalog
        numbers: dict[str, int] = {}
        slugs: dict[str, str] = {}
        used_slugs: set[str] = set()
        backlinks: dict[str, list[str]] = {}
        for occurrence, sup in enumerate(sups, start=1):
            items = self.state.pending[int(sup.attrib.pop(_PENDING))]
            sup.set("id", f"cite-{occurrence}")
            resolved: list[tuple[int, str, str | None]] = []
            missing: list[str] = []
            for item in items:
                canonical = catalog.canonical_key(item.key)
                if canonical is None:
                    missing.append(item.key)
                    self.state.problems.append(CitationProblem(item.key, f"unknown citation key '{item.key}'"))
                    continue
                if canonical != item.key:
                    self.state.problems.append(
                        CitationProblem(item.key, f"citation key '{item.key}' differs in case from the entry '{canonical}'; write '{canonical}'")
                    )
                if canonical not in numbers:
                    numbers[canonical] = len(numbers) + 1
                    slug = unique(key_slug(canonical), used_slugs)
                    used_slugs.add(slug)
                    slugs[canonical] = slug
                    self.state.order.append(canonical)
                refs = backlinks.setdefault(canonical, [])
                if f"cite-{occurrence}" not in refs:
                    refs.append(f"cite-{occurrence}")
                resolved.append((numbers[canonical], canonical, item.locator))
            self._fill(sup, resolved, missing, slugs)
        self.state.citations = len(sups)
        _attach_to_preceding_text(root, set(sups))
        self._fix_headings(root)
        self._insert_references(root, numbers, slugs, backlinks)

    def _number_link(self, number: int, key: str, slugs: dict[str, str], locator: str | None = None) -> etree.Element:
        ref = self.ext.catalog.lookup(key)
        assert ref is not None
        a = etree.Element("a", {"href": f"#ref-{slugs[key]}", "title": ref.text})
        a.set("aria-label", f"Reference {number}" + (f", {locator}" if locator else ""))
        a.text = str(number) + (f"({format_locator(locator)})" if locator else "")
        return a

    def _fill(self, sup: etree.Element, resolved: list[tuple[int, str, str | None]], missing: list[str], slugs: dict[str, str]) -> None:
        parts: list[etree.Element | str] = []
        plain = {n: key for n, key, loc in resolved if loc is None}
        key_of = {n: key for n, key, _ in resolved}
        for first, last in compress_numbers(list(plain), self.ext.compress):
            if parts:
                parts.append(", ")
            parts.append(self._number_link(first, key_of[first], slugs))
            if last != first:
                parts.append("\u2013")
                parts.append(self._number_link(last, key_of[last], slugs))
        for number, key, locator in sorted((r for r in resolved if r[2] is not None), key=lambda r: r[0]):
            if parts:
                parts.append(", ")
            parts.append(self._number_link(number, key, slugs, locator))
        for key in missing:
            if parts:
                parts.append(", ")
            span = etree.Element("span", {"class": "kb-cite-missing", "title": f"Unknown citation key: {key}"})
            span.text = f"?{key}"
            parts.append(span)
        last_el: etree.Element | None = None
        for part in parts:
            if isinstance(part, str):
                if last_el is None:
                    sup.text = (sup.text or "") + part
                else:
                    last_el.tail = (last_el.tail or "") + part
            else:
                sup.append(part)
                last_el = part

    def _fix_headings(self, root: etree.Element) -> None:
        # The number belongs in the heading, not in its slug or the table of
        # contents: give such headings an id and a TOC label without it.
        toc = self.md.treeprocessors["toc"] if "toc" in self.md.treeprocessors else None
        used = {el.get("id") for el in root.iter() if el.get("id")}
        for el in root.iter():
            if not (isinstance(el.tag, str) and re.fullmatch(r"h[1-6]", el.tag)):
                continue
            if el.find(".//sup[@class='kb-cite']") is None:
                continue
            text = _text_without_citations(el).strip()
            if "data-toc-label" not in el.attrib:
                el.set("data-toc-label", text)
            if toc is not None and "id" not in el.attrib:
                slug = unique(toc.slugify(text, toc.sep), used)  # type: ignore[attr-defined]
                used.add(slug)
                el.set("id", slug)

    def _insert_references(
        self, root: etree.Element, numbers: dict[str, int], slugs: dict[str, str], backlinks: dict[str, list[str]]
    ) -> None:
        if not numbers:
            return
        section = etree.Element("div", {"class": "kb-references-section"})
        used = {el.get("id") for el in root.iter() if el.get("id")}
        heading = etree.SubElement(section, "h2", {"id": unique("references", used)})
        heading.text = self.ext.heading
        ol = etree.SubElement(section, "ol", {"class": "kb-references"})
        for key in sorted(numbers, key=numbers.__getitem__):
            ref = self.ext.catalog.lookup(key)
            assert ref is not None
            ol.append(self._entry(ref, slugs[key], backlinks[key]))
        marker = next(
            (p for p in root.iter("p") if len(p) == 0 and (p.text or "").strip() == self.ext.marker), None
        )
        if marker is not None:
            parent = next(el for el in root.iter() if marker in list(el))
            index = list(parent).index(marker)
            parent.remove(marker)
            parent.insert(index, section)
            return
        footnotes = next((el for el in root if el.get("class") == "footnote"), None)
        if footnotes is not None:
            root.insert(list(root).index(footnotes), section)
        else:
            root.append(section)

    def _entry(self, ref: FormattedReference, slug: str, cited_at: list[str]) -> etree.Element:
        li = etree.Element("li", {"id": f"ref-{slug}", "data-kb-type": ref.kind})
        label = etree.SubElement(li, "span", {"class": "kb-ref-type"})
        label.text = ref.type_label
        label.tail = " "
        body = etree.SubElement(li, "span", {"class": "kb-ref-text"})
        # The formatted reference is escaped HTML made by style.py.
        body.text = self.md.htmlStash.store(ref.html)
        for link in ref.links:
            body.tail = (body.tail or "") + " "
            a = etree.SubElement(li, "a", {"class": "kb-ref-link", "href": link.href})
            a.text = link.label
            body = a
        back = etree.SubElement(li, "span", {"class": "kb-backrefs"})
        back.text = " "
        if len(cited_at) == 1:
            a = etree.SubElement(back, "a", {"href": f"#{cited_at[0]}", "aria-label": "Back to citation"})
            a.text = "\u2191"
        else:
            arrow = etree.SubElement(back, "span", {"aria-hidden": "true"})
            arrow.text = "\u2191"
            arrow.tail = " "
            for i, anchor in enumerate(cited_at):
                a = etree.SubElement(back, "a", {"href": f"#{anchor}", "aria-label": f"Back to citation {i + 1}"})
                a.text = _backlink_label(i)
                a.tail = " " if i < len(cited_at) - 1 else ""
        return li


def _backlink_label(index: int) -> str:
    """``a``…``z``, then ``aa``, ``ab``… for the n-th place an entry is cited."""
    letters = _BACKLINK_LETTERS
    label = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, len(letters))
        label = letters[rem] + label
    return label


def _attach_to_preceding_text(root: etree.Element, sups: set[etree.Element]) -> None:
    """Drop the space before a citation: the number sits on the word, as in print."""
    for parent in root.iter():
        previous: etree.Element | None = None
        for child in parent:
            if child in sups:
                if previous is None:
                    if parent.text and parent.text.strip():
                        parent.text = parent.text.rstrip()
                elif previous.tail and previous.tail.strip():
                    previous.tail = previous.tail.rstrip()
            previous = child


def _text_without_citations(el: etree.Element) -> str:
    parts = [el.text or ""]
    for child in el:
        if not (child.tag == "sup" and child.get("class") == "kb-cite"):
            parts.append(_text_without_citations(child))
        parts.append(child.tail or "")
    return "".join(parts)


class CitationsExtension(Extension):
    """Pandoc-style citations numbered from a BibTeX bibliography."""

    def __init__(
        self,
        catalog: ReferenceCatalog,
        *,
        compress: bool = True,
        heading: str = "References",
        marker: str = "[references]",
        **kwargs: Any,
    ) -> None:
        self.catalog = catalog
        self.compress = compress
        self.heading = heading
        self.marker = marker
        self.state = CitationState()
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        """Register the inline and tree processors on a new Markdown instance."""
        md.registerExtension(self)
        self.state = CitationState()
        # Below links (160), autolinks (120) and raw inline HTML (90), so a
        # `[@x]` inside a URL or an HTML attribute is never touched; above
        # emphasis (60), which may wrap a citation.
        md.inlinePatterns.register(CitationInlineProcessor(CITATION_RE, self.state), "kb-citation", 85)
        # After inline processing (20) and footnote placement, before
        # prettify (10) and the table of contents (5).
        md.treeprocessors.register(CitationTreeprocessor(md, self, self.state), "kb-citations", 14)

    def reset(self) -> None:
        """Forget the previous document's citations."""
        self.state.pending.clear()
        self.state.order.clear()
        self.state.problems.clear()
        self.state.citations = 0
