"""The ``[@key]`` Markdown extension, after Python-Markdown's footnotes.

An inline processor turns each citation into a placeholder ``<sup>``; a tree
processor that runs after all inline processing numbers them in reading
order (the document tree, walked depth first) and renders each number as a
link to its entry; a last tree processor, after the table of contents has
given headings their ids, puts the rendered reference list in place.
Inline processing never sees code spans, code blocks or escaped brackets,
so ``[@x]`` there stays text.

Works by name in plain Python-Markdown, with no MkDocs::

    markdown.Markdown(extensions=["medkb.citations"],
                      extension_configs={"medkb.citations": {"bibliography": ["references.bib"]}})
"""

from __future__ import annotations

import re
from html import unescape as html_unescape
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.toc import strip_tags, unique
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from medkb.citations.numbering import (
    CiteItem, as_written, attach_to_preceding_text, compress_numbers, format_locator, key_slug, malformed_citation, parse_citation,
    text_without_citations,
)
from medkb.citations.references import ReferenceCatalog
from medkb.audience.blocks import document_audiences
from medkb.citations.render import ReferenceEntry, ReferenceList, ReferenceView, render_reference_list
from medkb.citations.views import ReadingView, SeenCitation, reading_views
from medkb.safehtml import made_attribute, trust

# `[@...]` (or `[ @...]`, a mistake) not followed by `(` or `[` (a link or a
# reference link; link definitions never reach inline processing); `[@ x]`
# is prose. parse_citation checks the inside; what is no citation is a warning.
CITATION_RE = r"\[([ \t]*@(?![ \t])[^\[\]\n]*)\](?![(\[])"
_PENDING = "data-kb-pending"
_PLACEHOLDER = re.compile("\x02wzxhzdk:(\\d+)\x03")
# Marks the reference list's place between the two tree processors.
_SLOT = "data-kb-references"
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@dataclass
class CitationProblem:
    """Something to warn about: an unknown key, a key in the wrong case, a malformed citation."""

    key: str
    """The key as written; for a malformed citation the citation itself, ``[@a; b]``."""
    message: str


@dataclass
class CitationState:
    """What one document cited; read by the plugin after conversion."""

    pending: list[list[CiteItem]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    """Canonical keys in number order."""
    problems: list[CitationProblem] = field(default_factory=list)
    citations: int = 0
    entries: list[ReferenceEntry] = field(default_factory=list)
    """Every entry of the reference lists: each view's, in its number order."""
    views: list[ReferenceView] = field(default_factory=list)
    """The reference list of each reading view (one on a page without audience passages)."""
    list_audiences: tuple[str, ...] = ()
    """Who sees the reference list: ``()`` everyone, else the audiences whose text cites something."""
    has_marker: bool = False
    """Whether a line of the source is the reference list marker."""
    references_anchor: str | None = None
    """The id of the reference list's heading, when the document has a list."""


class MarkerPreprocessor(Preprocessor):
    """Notes whether the source has a reference list marker line (saves a tree walk)."""

    def __init__(self, md: Markdown, marker: str, state: CitationState) -> None:
        super().__init__(md)
        self.marker = marker
        self.state = state

    def run(self, lines: list[str]) -> list[str]:
        self.state.has_marker = any(line.strip() == self.marker for line in lines)
        return lines


class CitationInlineProcessor(InlineProcessor):
    """Replaces ``[@a; @b, p. 3]`` with a placeholder the tree processor fills."""

    def __init__(self, pattern: str, state: CitationState, md: Markdown) -> None:
        super().__init__(pattern, md)
        self.state = state

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element | None, int | None, int | None]:  # type: ignore[override]
        text = as_written(self.unescape(m.group(1)), self.md)
        items = None if text[:1].isspace() else parse_citation(text)
        if items is None:  # stays text, with a warning
            self.state.problems.append(CitationProblem(f"[{text}]", malformed_citation(text)))
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
        slugs: dict[str, str] = {}
        used_slugs: set[str] = set()
        audiences, default = document_audiences(self.md)
        seeing = _audiences_seeing(root, sups, frozenset(audiences), self.md)
        cited: list[tuple[etree.Element, list[tuple[str, str | None]], list[str]]] = []
        seen: list[SeenCitation] = []
        for occurrence, sup in enumerate(sups, start=1):
            items = self.state.pending[int(sup.attrib.pop(_PENDING))]
            sup.set("id", f"cite-{occurrence}")
            # Pagefind makes an element with an id a word boundary even when
            # it is excluded ("did ." in excerpts); ignored whole, it is not.
            sup.set("data-pagefind-ignore", "all")
            trust(self.md, sup)
            resolved: list[tuple[str, str | None]] = []
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
                if canonical not in slugs:
                    # The page's order over every passage: what the approval
                    # digest covers, whoever reads which passage.
                    slug = unique(key_slug(canonical), used_slugs)
                    used_slugs.add(slug)
                    slugs[canonical] = slug
                    self.state.order.append(canonical)
                resolved.append((canonical, item.locator))
            cited.append((sup, resolved, missing))
            seen.append(SeenCitation(f"cite-{occurrence}", tuple(dict.fromkeys(k for k, _ in resolved)), seeing.get(sup)))
        views = reading_views(seen, audiences, default)
        anchors = _view_anchors(views, slugs)
        for (sup, resolved, missing), citation in zip(cited, seen):
            showing = [i for i, view in enumerate(views) if citation.keys and view.sees(citation)]
            if len(showing) <= 1:
                # Seen by one view (or by none: a passage no audience reads).
                view = views[showing[0]] if showing else None
                self._fill(sup, resolved if view else [], missing, view, anchors[showing[0]] if showing else {})
                continue
            # Shared text read by several views: each gets its own numbers.
            for i in showing:
                variant = etree.SubElement(sup, "span", {"class": "kb-audience", "data-kb-audience": " ".join(views[i].audiences)})
                trust(self.md, variant)
                self._fill(variant, resolved, missing, views[i], anchors[i])
        self.state.citations = len(sups)
        attach_to_preceding_text(root, set(sups))
        self._fix_headings(root)
        self._sections = self._sections_of(root)
        self._insert_references(root, views, anchors)

    def _number_link(self, number: int, anchor: str, locator: str | None = None) -> etree.Element:
        # No title attribute: kb.js shows the entry as a preview on hover and
        # focus; repeating the reference text on every number would make
        # pages heavier and every build slower.
        a = etree.Element("a", {"href": f"#{anchor}"})
        a.set("aria-label", f"{self.ext.number_label} {number}" + (f", {locator}" if locator else ""))
        a.text = str(number) + (f"({format_locator(locator)})" if locator else "")
        return a

    def _fill(
        self, sup: etree.Element, cites: list[tuple[str, str | None]], missing: list[str], view: ReadingView | None, anchors: dict[str, str]
    ) -> None:
        resolved = [(view.number(key), key, locator) for key, locator in cites] if view else []
        parts: list[etree.Element | str] = []
        plain = {n: key for n, key, loc in resolved if loc is None}
        key_of = {n: key for n, key, _ in resolved}
        for first, last in compress_numbers(list(plain), self.ext.compress):
            if parts:
                parts.append(", ")
            parts.append(self._number_link(first, anchors[key_of[first]]))
            if last != first:
                parts.append("\u2013")
                parts.append(self._number_link(last, anchors[key_of[last]]))
        for number, key, locator in sorted((r for r in resolved if r[2] is not None), key=lambda r: r[0]):
            if parts:
                parts.append(", ")
            parts.append(self._number_link(number, anchors[key], locator))
        for key in missing:
            if parts:
                parts.append(", ")
            span = etree.Element("span", {"class": "kb-cite-missing", "title": f"{self.ext.missing_label}: {key}"})
            trust(self.md, span)
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

    def _plain(self, text: str) -> str:
        # Raw HTML in a heading is a stash placeholder here; Python-Markdown
        # would put the HTML back inside the attribute, unescaped. Its text only.
        def text_of(match: re.Match[str]) -> str:
            raw = self.md.htmlStash.rawHtmlBlocks[int(match.group(1))]
            return html_unescape(strip_tags(raw if isinstance(raw, str) else etree.tostring(raw, encoding="unicode")))

        return _PLACEHOLDER.sub(text_of, text)

    def _fix_headings(self, root: etree.Element) -> None:
        # The number belongs in the heading, not in its slug or the table of
        # contents: give such headings an id and a TOC label without it.
        toc = self.md.treeprocessors["toc"] if "toc" in self.md.treeprocessors else None
        used: set[str] | None = None
        for el in root.iter():
            if el.tag not in _HEADINGS or not any(sup.get("class") == "kb-cite" for sup in el.iter("sup")):
                continue
            text = self._plain(text_without_citations(el)).strip()
            if "data-toc-label" not in el.attrib:
                el.set("data-toc-label", text)
            if toc is not None and "id" not in el.attrib:
                if used is None:
                    used = {el.get("id") for el in root.iter() if el.get("id")}  # type: ignore[misc]
                slug = unique(toc.slugify(text, toc.sep), used)  # type: ignore[attr-defined]
                used.add(slug)
                el.set("id", slug)

    def _sections_of(self, root: etree.Element) -> dict[str, str]:
        # The heading each citation stands under, so a link back can say
        # where it goes ("Back to citation 2, in Treatment").
        # A heading inside a box (key points, a recommendation) names only
        # what is in that box; after it, the heading before the box applies.
        sections: dict[str, str] = {}

        def walk(parent: etree.Element, current: str) -> None:
            for el in parent:
                if el.tag in _HEADINGS:
                    current = self._plain(text_without_citations(el)).strip()
                if el.tag == "sup" and el.get("class") == "kb-cite" and el.get("id"):
                    sections[el.get("id") or ""] = current
                elif el.tag not in _HEADINGS:
                    walk(el, current)

        walk(root, "")
        return sections

    def _insert_references(self, root: etree.Element, views: list[ReadingView], anchors: list[dict[str, str]]) -> None:
        # The list itself is rendered by the plugin from a Jinja partial a site
        # can restyle; here it gets its data and its place: the marker
        # paragraph, else the end of the article (before any footnotes).
        for view, view_anchors in zip(views, anchors):
            entries = []
            for key in view.order:
                ref = self.ext.catalog.lookup(key)
                assert ref is not None
                backlinks = tuple(view.backlinks[key])
                sections = tuple(self._sections.get(anchor, "") for anchor in backlinks)
                entries.append(ReferenceEntry(view.number(key), view_anchors[key], ref, backlinks, sections))
            if entries:
                self.state.views.append(ReferenceView(view.audiences, entries))
                self.state.entries.extend(entries)
        if not self.state.entries:
            return
        readers = tuple(a for view in self.state.views for a in view.audiences)
        if all(view.audiences for view in self.state.views) and len(readers) < sum(len(v.audiences) for v in views):
            self.state.list_audiences = readers  # some audience's text cites nothing
        slot = etree.Element("p", {_SLOT: ""})
        trust(self.md, slot)
        marker = None
        if self.state.has_marker:
            marker = next((p for p in root.iter("p") if len(p) == 0 and (p.text or "").strip() == self.ext.marker), None)
        if marker is not None:
            parent = next(el for el in root.iter() if marker in list(el))
            index = list(parent).index(marker)
            parent.remove(marker)
            parent.insert(index, slot)
            return
        footnotes = next((el for el in root if el.get("class") == "footnote"), None)
        if footnotes is not None:
            root.insert(list(root).index(footnotes), slot)
        else:
            root.append(slot)


def _audiences_seeing(
    root: etree.Element, sups: list[etree.Element], known: frozenset[str], md: Markdown,
) -> dict[etree.Element, frozenset[str]]:
    """Per citation inside audience passages, the audiences that read it (nested passages: all of them must).

    Only passages the audience blocks made count: ``{: .kb-audience }`` from
    content is removed by the cleaner after this runs, so the text it marks
    is read by everyone.
    """
    def passage_of(el: etree.Element) -> str | None:
        if "kb-audience" not in (made_attribute(md, el, "class") or "").split():
            return None
        return made_attribute(md, el, "data-kb-audience")

    if not known or not any(passage_of(el) is not None for el in root.iter("div")):
        return {}
    parents = {child: parent for parent in root.iter() for child in parent}
    seeing: dict[etree.Element, frozenset[str]] = {}
    for sup in sups:
        readers: frozenset[str] | None = None
        el = sup
        while el in parents:
            el = parents[el]
            passage = passage_of(el)
            if passage is not None:
                ids = frozenset(passage.split()) & known
                readers = ids if readers is None else readers & ids
        if readers is not None:
            seeing[sup] = readers
    return seeing


def _view_anchors(views: list[ReadingView], slugs: dict[str, str]) -> list[dict[str, str]]:
    """Each view's entry ids: ``ref-<slug>`` in the default view, ``ref-<slug>-<audience>`` in the others."""
    used = {f"ref-{slug}" for slug in slugs.values()}
    result = []
    for view in views:
        if not view.suffix:
            result.append({key: f"ref-{slugs[key]}" for key in view.order})
            continue
        mine = {}
        for key in view.order:
            anchor = unique(f"ref-{slugs[key]}{view.suffix}", used)
            used.add(anchor)
            mine[key] = anchor
        result.append(mine)
    return result


class ReferencesTreeprocessor(Treeprocessor):
    """Renders the reference list into its place, once every heading has its id."""

    def __init__(self, md: Markdown, ext: CitationsExtension, state: CitationState) -> None:
        super().__init__(md)
        self.ext = ext
        self.state = state

    def run(self, root: etree.Element) -> None:
        if not self.state.entries:
            return
        slot = next((el for el in root.iter("p") if _SLOT in el.attrib), None)
        if slot is None:
            return
        used = {el.get("id") for el in root.iter() if el.get("id")}
        anchor = unique("references", cast("set[str]", used))
        self.state.references_anchor = anchor
        refs = ReferenceList(
            self.ext.getConfig("heading"), anchor, self.ext.getConfig("back_label"), list(self.state.entries), list(self.state.views),
            self.state.list_audiences, self.ext.getConfig("back_section_label"),
        )
        html = self.ext.render_references(refs)
        # A block of raw HTML: Python-Markdown puts it in place of the
        # paragraph holding the placeholder.
        del slot.attrib[_SLOT]
        slot.text = self.md.htmlStash.store(html.strip())


class CitationsExtension(Extension):
    """Pandoc-style citations numbered from a BibTeX bibliography.

    Give it a :class:`ReferenceCatalog`, or ``bibliography`` (paths of
    ``.bib`` files) in its configuration.
    """

    def __init__(self, catalog: ReferenceCatalog | None = None, **kwargs: Any) -> None:
        self.config = {
            "bibliography": [[], "BibTeX files every document may cite (when no catalog is given)"],
            "style": ["vancouver", "Reference style: vancouver, or a pybtex formatting style"],
            "type_labels": [{}, "Reader-facing labels by medkb_type"],
            "compress": [True, "Print three or more consecutive numbers as a range"],
            "marker": ["[references]", "A paragraph holding only this text is replaced by the reference list"],
            "heading": ["References", "Heading of the reference list"],
            "number_label": ["Reference", "Accessible name of a citation number"],
            "missing_label": ["Unknown citation key", "Tooltip of the marker shown for an unknown key"],
            "back_label": ["Back to citation", "Accessible name of the links back to the citations"],
            "back_section_label": ["in", "Joins a link back to the heading the citation stands under (Back to citation 2, in Treatment)"],
            "render_references": [render_reference_list, "Renders a ReferenceList as HTML (default: the package's partial)"],
        }
        self._catalog = catalog
        self.state = CitationState()
        super().__init__(**kwargs)

    @property
    def catalog(self) -> ReferenceCatalog:
        """The references documents cite (loaded from ``bibliography`` on first use)."""
        if self._catalog is None:
            files = [Path(p) for p in self.getConfig("bibliography")]
            # The last catalog is kept while the files' bytes, style and labels
            # stay the same: hosts that make an extension per page (Zensical)
            # then parse the bibliography once.
            from medkb.citations.cache import load_catalog

            self._catalog = load_catalog(files, self.getConfig("style"), dict(self.getConfig("type_labels")), {})[0]
        return self._catalog

    @catalog.setter
    def catalog(self, catalog: ReferenceCatalog) -> None:
        self._catalog = catalog

    @property
    def compress(self) -> bool:
        """Whether runs of three or more numbers print as a range."""
        return bool(self.getConfig("compress"))

    @property
    def marker(self) -> str:
        """The reference list marker paragraph."""
        return str(self.getConfig("marker"))

    @property
    def number_label(self) -> str:
        """Accessible name of a citation number."""
        return str(self.getConfig("number_label"))

    @property
    def missing_label(self) -> str:
        """Tooltip of an unknown key's marker."""
        return str(self.getConfig("missing_label"))

    @property
    def render_references(self) -> Callable[[ReferenceList], str]:
        """Renders the reference list."""
        return cast("Callable[[ReferenceList], str]", self.getConfig("render_references"))

    def extendMarkdown(self, md: Markdown) -> None:
        """Register the inline and tree processors on a new Markdown instance."""
        md.registerExtension(self)
        self.state = CitationState()
        # Below links (160), autolinks (120) and raw inline HTML (90), so a
        # `[@x]` inside a URL or an HTML attribute is never touched; above
        # emphasis (60), which may wrap a citation.
        md.preprocessors.register(MarkerPreprocessor(md, self.marker, self.state), "kb-citation-marker", 5)
        md.inlinePatterns.register(CitationInlineProcessor(CITATION_RE, self.state, md), "kb-citation", 85)
        # After inline processing (20) and footnote placement, before
        # prettify (10) and the table of contents (5).
        md.treeprocessors.register(CitationTreeprocessor(md, self, self.state), "kb-citations", 14)
        # After the table of contents (5) has given headings their ids, so
        # the list's own id is unique; before unescaping (0).
        md.treeprocessors.register(ReferencesTreeprocessor(md, self, self.state), "kb-references", 4)

    def reset(self) -> None:
        """Forget the previous document's citations."""
        self.state.pending.clear()
        self.state.order.clear()
        self.state.problems.clear()
        self.state.citations = 0
        self.state.entries.clear()
        self.state.views.clear()
        self.state.list_audiences = ()
        self.state.has_marker = False
        self.state.references_anchor = None


def makeExtension(**kwargs: Any) -> CitationsExtension:  # noqa: N802 - Python-Markdown's name
    """``markdown.Markdown(extensions=["medkb.citations"])`` loads this."""
    return CitationsExtension(**kwargs)
