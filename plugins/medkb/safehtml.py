"""Raw HTML and attributes from article content, cleaned by an allow-list (nh3, the Ammonia sanitizer).

Python-Markdown passes raw HTML through and ``attr_list`` lets Markdown set
any attribute. In a clinical page that lets content hide medkb's banner and
disclaimers (``<style>``), imitate its review header (``class="kb-review"
data-kb-status="approved"``) or run script (``onerror=``). This extension,
after every other tree processor that content can steer:

- cleans each raw HTML block and inline tag with an allow-list of tags,
  attributes and URL schemes (no script, style, frames, forms, meta,
  event handlers, ``javascript:``/``data:`` URLs, ``data-*`` attributes);
- removes from every element that medkb did not make the ``kb-`` classes,
  ``data-kb-*`` attributes, ids medkb uses (``cite-*``, ``ref-*``, ``kb-*``),
  event handlers and styles other than table alignment;
- with ``mode: refuse``, drops raw HTML entirely.

Each removal is recorded (what, and a snippet to find its line); the
``medkb/review`` plugin warns with file and line. Works by name:
``markdown.Markdown(extensions=["medkb.safehtml"])``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from html import escape as html_escape
from html.parser import HTMLParser
from typing import Any

import nh3
from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

#: Tags raw HTML in an article may use.
ALLOWED_TAGS = frozenset(
    "a abbr b blockquote br caption cite code col colgroup dd del details dfn div dl dt em figcaption figure "
    "h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strong sub summary sup "
    "table tbody td tfoot th thead time tr u ul var".split()
)
#: Attributes raw HTML may use (``*``: every allowed tag).
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type", "reversed"},
    "time": {"datetime"},
    "details": {"open"},
    "col": {"span"},
    "colgroup": {"span"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_DROPPED_ATTRIBUTES = frozenset({"srcdoc", "formaction", "ping", "action", "background", "dynsrc", "lowsrc"})
_URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href", "poster", "data", "cite", "srcset", "longdesc"})
_RESERVED_ID = re.compile(r"^(?:kb-|cite-|ref-|__)")
_ALIGN_STYLE = re.compile(r"^\s*text-align:\s*(?:left|right|center|justify);?\s*$")


@dataclass(frozen=True)
class SanitizeProblem:
    """Something removed from the page, and text to find it in the source by."""

    message: str
    needle: str
    in_attributes: bool = False
    """Set by an attribute list (``{: …}``): look for the needle inside braces."""


@dataclass
class SanitizeState:
    """What one document lost to cleaning; read by the plugin after conversion."""

    problems: list[SanitizeProblem] = field(default_factory=list)
    trusted: dict[int, dict[str, str]] = field(default_factory=dict)
    """Attributes of the elements medkb's own extensions made, by ``id()``, as they made them."""


def made_attribute(md: Markdown, element: etree.Element, name: str) -> str | None:
    """An attribute as medkb made it: ``None`` when content (attr_list, raw HTML) added it to an element medkb did not
    mark with :func:`trust`, which the cleaner will remove. Without the cleaner, the attribute as it stands."""
    state = getattr(md, "medkb_safehtml", None)
    if not isinstance(state, SanitizeState):
        return element.get(name)
    made = state.trusted.get(id(element))
    return None if made is None else made.get(name)


def trust(md: Markdown, element: etree.Element) -> None:
    """Mark an element medkb made: the attributes it has now stay; any added later (attr_list) is cleaned."""
    state = getattr(md, "medkb_safehtml", None)
    if isinstance(state, SanitizeState):
        state.trusted[id(element)] = dict(element.attrib)


def _keep_class(value: str) -> str:
    return " ".join(token for token in value.split() if not token.startswith("kb-"))


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        return _keep_class(value) or None
    if attribute == "id" and _RESERVED_ID.match(value):
        return None
    return value


_SINGLE_TAG = re.compile(r"^\s*<[^<>]*>\s*$")


def _allowed_url(value: str) -> bool:
    scheme = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):", re.sub(r"[\x00-\x20]", "", value))
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def clean_tag(tag_html: str) -> str:
    """One inline tag (Python-Markdown stashes ``<b>`` and ``</b>`` apart) through the same allow-list."""
    parsed = _StartTags(tag_html)
    end = re.match(r"^\s*</\s*([a-zA-Z][\w-]*)\s*>\s*$", tag_html)
    if end is not None:
        return f"</{end.group(1).lower()}>" if end.group(1).lower() in ALLOWED_TAGS else ""
    if len(parsed.tags) != 1 or parsed.tags[0][0] not in ALLOWED_TAGS:
        return ""
    tag, attrs = parsed.tags[0]
    allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())
    kept = []
    for name, value in attrs.items():
        if name not in allowed or (name in ("href", "src") and not _allowed_url(value)):
            continue
        filtered = _attribute_filter(tag, name, value)
        if filtered is not None:
            kept.append(f' {name}="{html_escape(filtered, quote=True)}"')
    return f"<{tag}{''.join(kept)}>"


def clean_html(html: str) -> str:
    """Raw HTML through the allow-list (a lone tag by :func:`clean_tag`)."""
    if _SINGLE_TAG.match(html):
        return clean_tag(html)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "template", "textarea", "iframe", "object", "svg", "math", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


class _StartTags(HTMLParser):
    """The start tags of a fragment with their attributes, in order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def removals(before: str, after: str) -> list[str]:
    """What cleaning took out: ``<tag>`` for a tag, ``attr= from <tag>`` for an attribute (tbody insertion is not a removal)."""
    kept = [t for t in _StartTags(after).tags if t[0] != "tbody"]
    lost: list[str] = []
    for tag, attrs in _StartTags(before).tags:
        match = next((i for i, (t, _) in enumerate(kept) if t == tag), None)
        if match is None:
            lost.append(f"<{tag}>")
            continue
        _, kept_attrs = kept.pop(match)
        for name, value in attrs.items():
            if kept_attrs.get(name) != value:
                lost.append(f"{name}= from <{tag}>")
    return list(dict.fromkeys(lost))


class SanitizeTreeprocessor(Treeprocessor):
    """Cleans stashed raw HTML and the attributes of elements content could steer."""

    def __init__(self, md: Markdown, ext: SafeHtmlExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        state = self.ext.state
        stash = self.md.htmlStash
        refuse = self.ext.getConfig("mode") == "refuse"
        for index, raw in enumerate(stash.rawHtmlBlocks):
            text = raw if isinstance(raw, str) else etree.tostring(raw, encoding="unicode")
            needle = text.strip().splitlines()[0][:60] if text.strip() else ""
            if refuse:
                if text.strip():
                    state.problems.append(SanitizeProblem(f"raw HTML removed ({needle!r}); this site allows no HTML in articles", needle))
                stash.rawHtmlBlocks[index] = ""
                continue
            cleaned = clean_html(text)
            if cleaned != text:
                lost = removals(text, cleaned)
                if lost:
                    state.problems.append(SanitizeProblem(f"raw HTML cleaned: removed {', '.join(lost)} (in {needle!r})", needle))
            stash.rawHtmlBlocks[index] = cleaned
        self._drop_emptied(root)
        for el in root.iter():
            self._clean_element(el, state.trusted.get(id(el), {}))

    def _drop_emptied(self, root: etree.Element) -> None:
        # A raw HTML block cleaned to nothing would leave an empty paragraph.
        stash = self.md.htmlStash
        empty = {stash.get_placeholder(i) for i, raw in enumerate(stash.rawHtmlBlocks) if isinstance(raw, str) and not raw.strip()}
        if not empty:
            return
        for parent in root.iter():
            for child in list(parent):
                if child.tag == "p" and len(child) == 0 and (child.text or "").strip() in empty:
                    parent.remove(child)

    def _clean_element(self, el: etree.Element, own: dict[str, str]) -> None:
        for name in list(el.attrib):
            value = el.attrib[name]
            if own.get(name) == value:
                continue  # as medkb made it
            lower = name.lower()
            reason = None
            if lower.startswith("on"):
                reason = f"event handler {name}"
            elif lower.startswith(("data-kb", "data-pagefind", "data-md")) or lower in _DROPPED_ATTRIBUTES:
                # medkb's, Pagefind's (search metadata) and Material's own attributes, and
                # ones that fetch or submit elsewhere: never from content.
                reason = f"attribute {name}"
            elif lower in _URL_ATTRIBUTES and not _allowed_url(value):
                reason = f"{name}={value!r} (only http(s), mailto and relative links)"
            elif lower == "style" and not _ALIGN_STYLE.match(value):
                reason = "a style attribute"
            elif lower == "class" and _keep_class(value) != " ".join(value.split()):
                kept = _keep_class(value)
                removed = " ".join(t for t in value.split() if t.startswith("kb-"))
                needle = "." + removed.split()[0]
                self.ext.state.problems.append(SanitizeProblem(f"class {removed!r} removed: kb- classes are medkb's own", needle, True))
                if kept:
                    el.set(name, kept)
                else:
                    del el.attrib[name]
                continue
            elif lower == "id" and _RESERVED_ID.match(value):
                reason = f"id {value!r} (reserved for medkb)"
            if reason is not None:
                del el.attrib[name]
                needle = f"#{value}" if lower == "id" else name
                self.ext.state.problems.append(SanitizeProblem(f"{reason} removed from <{el.tag}>", needle, True))


class SafeHtmlExtension(Extension):
    """Registers the cleaning tree processor."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {"mode": ["sanitize", "sanitize: clean raw HTML by an allow-list; refuse: drop all raw HTML"]}
        self.state = SanitizeState()
        super().__init__(**kwargs)
        if self.getConfig("mode") not in ("sanitize", "refuse"):
            raise ValueError(f"medkb.safehtml: mode {self.getConfig('mode')!r} is not allowed; use sanitize or refuse")

    def extendMarkdown(self, md: Markdown) -> None:
        """Register on a new Markdown instance (per page)."""
        md.registerExtension(self)
        self.state = SanitizeState()
        md.medkb_safehtml = self.state  # type: ignore[attr-defined]
        # After inline processing (20), medkb's citations (14) and attr_list
        # (8), which set what content asks for; before the table of contents
        # (5) and the reference list (4), which medkb renders itself.
        md.treeprocessors.register(SanitizeTreeprocessor(md, self), "kb-safe-html", 7)

    def reset(self) -> None:
        """Forget the previous document's removals."""
        self.state.problems.clear()
        self.state.trusted.clear()


def makeExtension(**kwargs: Any) -> SafeHtmlExtension:  # noqa: N802 - Python-Markdown's name
    """``markdown.Markdown(extensions=["medkb.safehtml"])`` loads this."""
    return SafeHtmlExtension(**kwargs)
