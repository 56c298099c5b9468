"""Strict reading of YAML front matter.

MkDocs' own reader (``mkdocs.utils.meta``) drops front matter it cannot parse
without a word and treats ``Key: value`` lines at the top of a page as
MultiMarkdown metadata.  Clinical articles need the opposite: every problem is
reported with the file and line, and nothing is guessed.

The YAML subset accepted here is deliberately small.  Scalars stay strings
(``on`` is not ``True`` and ``2024-02-30`` is not a crash), empty values and
``null`` are ``None``, and anchors, aliases, merge keys, explicit tags,
duplicate keys and tab indentation are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Union

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

Value = Union[str, None, list["Value"], dict[str, "Value"]]

_NULLS = {"", "~", "null", "Null", "NULL"}
_FENCE = re.compile(r"^---[ \t]*$")
_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


class FrontMatterError(ValueError):
    """A problem in a file's front matter, located by path and line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class _Resolver(BaseResolver):
    """Resolves no implicit types: every plain scalar is a string."""


try:  # libyaml's scanner and parser (PyYAML's wheels ship it): ~10x faster
    from yaml._yaml import CParser as _EventSource  # type: ignore[import-not-found]

    def _init_events(loader: Any, stream: str) -> None:
        _EventSource.__init__(loader, stream)

except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _EventSource(Reader, Scanner, Parser):  # type: ignore[no-redef]
        pass

    def _init_events(loader: Any, stream: str) -> None:
        Reader.__init__(loader, stream)
        Scanner.__init__(loader)
        Parser.__init__(loader)


class _StrictLoader(Composer, _EventSource, SafeConstructor, _Resolver):
    """A composer that refuses YAML features front matter has no use for.

    Events come from libyaml when available; composing stays in Python
    (Composer first in the MRO) so every node passes through the checks below.
    """

    def __init__(self, stream: str, path: str, line_offset: int) -> None:
        _init_events(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        _Resolver.__init__(self)
        self._path = path
        self._offset = line_offset

    def _fail(self, mark: Any, message: str) -> FrontMatterError:
        return FrontMatterError(self._path, mark.line + 1 + self._offset, message)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise self._fail(event.start_mark, f"YAML alias '*{event.anchor}' is not allowed in front matter; write the value out")
        if isinstance(event, (ScalarEvent, CollectionStartEvent)):
            if event.anchor is not None:
                raise self._fail(event.start_mark, f"YAML anchor '&{event.anchor}' is not allowed in front matter; write the value out")
            tag = event.tag
            if tag is not None and tag != "!":
                raise self._fail(event.start_mark, f"YAML tag '{tag}' is not allowed in front matter; remove it")
        return super().compose_node(parent, index)


@dataclass
class FrontMatter:
    """Parsed front matter: plain values plus the line of every key."""

    data: dict[str, Value]
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key_path: str) -> int | None:
        """The 1-based file line of ``a.b.c``, or of its nearest parent."""
        parts = key_path.split(".")
        while parts:
            line = self.lines.get(".".join(parts))
            if line is not None:
                return line
            parts.pop()
        return None


def decode_source(raw: bytes, path: str) -> str:
    """Decode a file as UTF-8 (with or without BOM) and normalise line endings."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise FrontMatterError(
            path, line, f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start}); save the file as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, path: str) -> tuple[str | None, str, int]:
    """Split ``---`` fenced front matter from the body.

    Returns ``(yaml_text or None, body, body_first_line)``; the last is the
    1-based line of the file on which the body starts.
    """
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return None, text, 1
    for i in range(1, len(lines)):
        if _END.match(lines[i]):
            return "\n".join(lines[1:i]) + "\n", "\n".join(lines[i + 1 :]), i + 2
    raise FrontMatterError(path, 1, "front matter opened with '---' is never closed; end it with a '---' line")


def _node_value(node: Node, key_path: str, fm: FrontMatter, loader: _StrictLoader) -> Value:
    if isinstance(node, ScalarNode):
        if not node.style and node.value in _NULLS:  # plain: None (Python) or "" (libyaml)
            return None
        return str(node.value)
    if isinstance(node, SequenceNode):
        return [_node_value(item, f"{key_path}[{i}]", fm, loader) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[str, Value] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise loader._fail(key_node.start_mark, "mapping keys must be plain words")
            key = str(key_node.value)
            if key == "<<" and not key_node.style:
                raise loader._fail(key_node.start_mark, "YAML merge keys ('<<') are not allowed in front matter; write the keys out")
            path = f"{key_path}.{key}" if key_path else key
            if key in result:
                first = fm.lines.get(path)
                raise loader._fail(key_node.start_mark, f"duplicate key '{path}' (first defined on line {first}); keep one")
            fm.lines[path] = key_node.start_mark.line + 1 + loader._offset
            result[key] = _node_value(value_node, path, fm, loader)
        return result
    raise loader._fail(node.start_mark, "unsupported YAML node")  # pragma: no cover


def parse_yaml(source: str, path: str, line_offset: int = 0) -> FrontMatter:
    """Parse a YAML document strictly; ``line_offset`` maps YAML lines to file lines."""
    for number, line in enumerate(source.split("\n"), start=1):
        if line.startswith("\t") or re.match(r"^ *\t", line):
            raise FrontMatterError(
                path, number + line_offset, "tab used for indentation; YAML allows only spaces"
            )
    loader = _StrictLoader(source, path, line_offset)
    fm = FrontMatter(data={})
    try:
        node = loader.get_single_node()
        if node is None:
            return fm
        if not isinstance(node, MappingNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a single value"
            raise loader._fail(node.start_mark, f"front matter must be a mapping of keys to values, not {kind}")
        value = _node_value(node, "", fm, loader)
    except yaml.MarkedYAMLError as e:
        raise yaml_error(e, path, line_offset, source.count("\n")) from None
    assert isinstance(value, dict)
    fm.data = value
    return fm


def yaml_error(e: yaml.MarkedYAMLError, path: str, line_offset: int, yaml_lines: int) -> FrontMatterError:
    """Turn PyYAML's error into one located line, preferring where the construct opened.

    PyYAML reports an unclosed ``[`` or quote at the end of the stream, which
    is past the front matter; the line where it was opened is what to fix.
    """
    problem = e.problem or e.context or "cannot be read"
    mark = e.problem_mark
    line = mark.line + 1 if mark else None
    detail = ""
    if e.context_mark is not None:
        context_line = e.context_mark.line + 1
        detail = f" ({e.context} on line {context_line + line_offset})" if e.context else ""
        if line is None or line > yaml_lines:
            line = context_line
    return FrontMatterError(path, line + line_offset if line else None, f"invalid YAML: {problem}{detail}")
