"""The ``/// audience | id[, id…]`` block (pymdownx Blocks).

Two mistakes must never hide text that is meant for everyone, so both make
the passage plain text shown to every audience, and a problem the plugin
warns about (``--strict`` fails):

- a block that is never closed: pymdownx Blocks, without a word, keeps it
  open to the end of its container (for a block at the top, the end of the
  article), so a safety warning after it would be for one audience only;
- a block that names no audience (``/// audience``, ``/// audience |``,
  ``/// audience | ,``): it restricts nothing.

A block naming only unknown ids is different: the editor did restrict it,
so it stays hidden from every reader until the id is fixed.

Works by name in plain Python-Markdown, with no MkDocs:
``markdown.Markdown(extensions=["medkb.audience"], extension_configs={"medkb.audience": {"audiences": ["patient", "professional"]}})``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Any

from markdown import Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from pymdownx.blocks import BlocksExtension, BlocksProcessor
from pymdownx.blocks.block import Block

from medkb.safehtml import trust

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# A block's first line as pymdownx Blocks reads it, inside lists and quotes too.
_OPENING = re.compile(r"^[ \t>]*(/{3,})[ \t]*audience[ \t]*(?:\|[ \t]*(.*?)[ \t]*)?$", re.IGNORECASE)

#: The audiences of a site that names none: (id, label, description).
DEFAULT_AUDIENCES: tuple[tuple[str, str, str], ...] = (
    ("patient", "Patient or caregiver", "Plain language"),
    ("student", "Medical student", "Concepts and terms explained"),
    ("professional", "Healthcare professional", "Clinical detail"),
)


@dataclass
class AudienceProblem:
    """A mistake in an audience block: an unknown id, no id, no closing line."""

    audience: str
    message: str
    line: int | None = None
    """The block's line in the converted text (1-based), when known."""


@dataclass
class AudiencePassage:
    """One audience block as parsed."""

    element: etree.Element
    ids: list[str]
    opening: str
    line: int | None
    closed: bool = False


@dataclass
class AudienceState:
    """What one document's audience blocks used; read by the plugin."""

    used: list[str] = field(default_factory=list)
    problems: list[AudienceProblem] = field(default_factory=list)
    openings: list[tuple[int, int, str]] = field(default_factory=list)
    """``(line, fence length, argument)`` of each block's first line in the source."""
    passages: list[AudiencePassage] = field(default_factory=list)
    _cursor: int = 0

    def line_of(self, fence: int, argument: str) -> int | None:
        """The source line of the next block with this fence and argument (blocks are made in reading order)."""
        for index in range(self._cursor, len(self.openings)):
            line, length, text = self.openings[index]
            if length == fence and text == argument:
                self._cursor = index + 1
                return line
        return None

    def clear(self) -> None:
        """Forget the previous document."""
        self.used.clear()
        self.problems.clear()
        self.openings.clear()
        self.passages.clear()
        self._cursor = 0


def parse_audience_ids(argument: str) -> list[str]:
    """``"patient, student"`` → ``["patient", "student"]`` (commas or spaces)."""
    return [part for part in re.split(r"[\s,]+", argument.strip()) if part]


class AudienceBlock(Block):
    """A passage for some audiences only: ``<div class="kb-audience" data-kb-audience="…">``."""

    NAME = "audience"
    # Optional, so that a block naming no audience is a block (and a
    # warning), not a paragraph showing "/// audience |" to readers.
    ARGUMENT = None

    def on_create(self, parent: etree.Element) -> etree.Element:
        known: list[str] = self.config["audiences"]
        state: AudienceState = self.config["state"]
        argument = self.argument or ""
        ids = parse_audience_ids(argument)
        line = state.line_of(self.length, argument)
        opening = "/" * self.length + " audience" + (f" | {argument}" if argument else "")
        kept = []
        for audience in ids:
            if audience not in known:
                state.problems.append(
                    AudienceProblem(audience, f"unknown audience '{audience}' in an audience block; allowed: {', '.join(known)}", line)
                )
            if _ID.match(audience):
                kept.append(audience)
            state.used.append(audience)
        if not ids:
            state.problems.append(AudienceProblem(
                "", f"'{opening}' names no audience; write the ids, e.g. /// audience | {known[0]} "
                "(until then the passage is shown to every audience)", line,
            ))
        # An unknown id stays in the attribute: it matches no reader's choice,
        # so the passage is never shown; the warning fails --strict.
        div = etree.SubElement(parent, "div", {"class": "kb-audience", "data-kb-audience": " ".join(kept) or "none"})
        trust(self.md, div)
        self.passage = AudiencePassage(div, ids, opening, line)
        state.passages.append(self.passage)
        return div

    def on_end(self, block: etree.Element) -> None:
        self.passage.closed = True


class AudienceLinesPreprocessor(Preprocessor):
    """Notes the line of each block's first line, before anything changes the lines."""

    def __init__(self, md: Markdown, state: AudienceState) -> None:
        super().__init__(md)
        self.state = state

    def run(self, lines: list[str]) -> list[str]:
        for number, line in enumerate(lines, start=1):
            if "audience" in line.lower():
                match = _OPENING.match(line)
                if match:
                    self.state.openings.append((number, len(match.group(1)), match.group(2) or ""))
        return lines


class AudienceTreeprocessor(Treeprocessor):
    """Shows to everyone the passages of blocks that are never closed or name no audience."""

    def __init__(self, md: Markdown, state: AudienceState) -> None:
        super().__init__(md)
        self.state = state

    def run(self, root: etree.Element) -> None:
        passages = self.state.passages
        unclosed = [p for p in passages if not p.closed]
        plain = {id(p.element) for p in passages if not p.ids}
        if unclosed:
            # What follows an unclosed block lands inside it, and inside the
            # blocks around it (whose closing line it took): all are shown.
            parents = {child: parent for parent in root.iter() for child in parent}
            by_element = {id(p.element): p for p in passages}
            for passage in unclosed:
                outer = next((by_element[id(el)] for el in _ancestors(passage.element, parents) if id(el) in by_element), None)
                hint = f" (or close the audience block of line {outer.line} before it)" if outer and outer.line else ""
                self.state.problems.append(AudienceProblem(
                    "", f"audience block '{passage.opening}' is never closed; end it with a line '{passage.opening.split()[0]}'{hint}; "
                    "until then it and everything after it are shown to every audience",
                    passage.line,
                ))
                plain.update(id(el) for el in [passage.element, *_ancestors(passage.element, parents)])
        if not plain:
            return
        for passage in passages:
            if id(passage.element) in plain:
                _unwrap(root, passage.element)
        self.state.used[:] = [a for p in passages if id(p.element) not in plain for a in p.ids]


def _ancestors(element: etree.Element, parents: dict[etree.Element, etree.Element]) -> list[etree.Element]:
    found = []
    while element in parents:
        element = parents[element]
        found.append(element)
    return found


def _unwrap(root: etree.Element, element: etree.Element) -> None:
    """Put an element's children (and text) in its place."""
    parent = next((el for el in root.iter() if any(child is element for child in el)), None)
    if parent is None:
        return
    index = next(i for i, child in enumerate(parent) if child is element)
    children = list(element)
    parent.remove(element)
    _add_text(parent, index, element.text)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    _add_text(parent, index + len(children), element.tail)


def _add_text(parent: etree.Element, position: int, text: str | None) -> None:
    if not text:
        return
    if position == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[position - 1]
        previous.tail = (previous.tail or "") + text


class AudienceExtension(BlocksExtension):
    """Registers the audience block with the site's audience ids."""

    def __init__(self, audiences: list[str] | None = None, **kwargs: Any) -> None:
        self.config = {
            "audiences": [[a[0] for a in DEFAULT_AUDIENCES], "The audience ids blocks may name"],
            "default": ["", "The audience shown without JavaScript (default: the first)"],
        }
        self.state = AudienceState()
        super().__init__(**kwargs)
        if audiences is not None:
            self.setConfig("audiences", list(audiences))

    @property
    def audiences(self) -> list[str]:
        """The audience ids blocks may name."""
        return list(self.getConfig("audiences"))

    @property
    def default(self) -> str:
        """The audience readers without JavaScript get."""
        return str(self.getConfig("default") or (self.audiences or [""])[0])

    def extendMarkdownBlocks(self, md: Markdown, block_mgr: BlocksProcessor) -> None:
        """Register the block on a new Markdown instance."""
        md.registerExtension(self)
        self.state = AudienceState()
        block_mgr.register(AudienceBlock, {"audiences": self.audiences, "state": self.state})
        # Before every other preprocessor (pymdownx's first is at 35), so
        # lines are the source's; after Blocks has parsed the document.
        md.preprocessors.register(AudienceLinesPreprocessor(md, self.state), "kb-audience-lines", 40)
        md.treeprocessors.register(AudienceTreeprocessor(md, self.state), "kb-audience-plain", 21)

    def reset(self) -> None:
        """Forget the previous document's blocks."""
        self.state.clear()


def document_audiences(md: Markdown) -> tuple[list[str], str | None]:
    """The audience ids a document converted by ``md`` can be read by, and the default; ``([], None)`` without audience blocks."""
    for ext in md.registeredExtensions:
        if isinstance(ext, AudienceExtension):
            return ext.audiences, ext.default
    return [], None


def makeExtension(**kwargs: Any) -> AudienceExtension:  # noqa: N802 - Python-Markdown's name
    """``markdown.Markdown(extensions=["medkb.audience"])`` loads this."""
    return AudienceExtension(**kwargs)
