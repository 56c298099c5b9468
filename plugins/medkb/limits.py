"""medkb's per-page budget: a page Python-Markdown would take minutes over stops the build at once.

Python-Markdown parses nested lists and blockquotes recursively, and looks
for the end of every ``[`` (and of every ``(`` after ``]``) again from where
it opened. A list nested 1,000 levels deep ran 58 s and then failed with a
2,500-line ``RecursionError``; 40 KB of ``[[[[…`` ran 82 s. This extension
measures the page before any other preprocessor reads it, and refuses it
with one message when it is over the budget:

- **nesting**: at most 50 levels of lists and blockquotes on a line (a list
  marker, a ``>`` and four spaces of indentation are one level each);
- **brackets**: at most 20 ``[`` open at once in a paragraph, and 20 ``(``
  (code spans and escaped brackets do not count; code blocks do);
- **size**: at most 500,000 characters.

Clinical articles need a few levels and a few brackets; within this budget
the slowest page measured converts in about 3 s (500,000 characters nested
50 levels), far from Python's recursion limit. Works by name:
``markdown.Markdown(extensions=["medkb.limits"])`` raises
:class:`PageBudgetError`; the ``medkb/review`` plugin makes it a build error
naming the page (``medkb.pages.page_limits``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import BACKTICK_RE, BacktickInlineProcessor
from markdown.preprocessors import Preprocessor

MAX_NESTING = 50
MAX_BRACKETS = 20
MAX_CHARS = 500_000
_BUDGET = "medkb's per-page budget"

# What may open a line before its text: blockquote markers, list markers, indentation.
_PREFIX = re.compile(r"(?:[ \t]*(?:>|(?:[-*+]|[0-9]{1,9}[.)])(?=[ \t]|$)))*[ \t]*")
_MARKER = re.compile(r"(?:[-*+]|[0-9]{1,9}[.)])(?=[ \t]|$)")
_SPACES = re.compile(r"[ \t]+")
_RULE = re.compile(r"^[ \t>]*(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_BRACKET = re.compile(r"[\[\]()]")
_ESCAPE = re.compile(r"\\.")


class PageBudgetError(ValueError):
    """A page over medkb's per-page budget; ``line`` is 1-based in the converted text."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class PageBudget:
    """How much one page may nest and weigh."""

    max_nesting: int = MAX_NESTING
    max_brackets: int = MAX_BRACKETS
    max_chars: int = MAX_CHARS


def nesting(line: str) -> tuple[int, int, int]:
    """``(list markers, indentation levels, blockquote markers)`` at the start of a line."""
    prefix = _PREFIX.match(line)
    assert prefix is not None  # the pattern matches the empty string
    text = prefix.group(0)
    quotes = text.count(">")
    if (prefix.end() == len(line) and not line.strip(" \t>")) or _RULE.match(line):
        return 0, 0, quotes  # blank, or a rule (`- - -`, `* * *`), not a list
    markers = len(_MARKER.findall(text.replace(">", " ")))
    indent = sum(len(run.expandtabs(4)) // 4 for run in _SPACES.findall(text))
    return markers, indent, quotes


def check_page(lines: list[str], budget: PageBudget = PageBudget()) -> PageBudgetError | None:
    """The first way ``lines`` are over the budget, or ``None``."""
    deepest, deepest_line, kind = 0, 0, ""
    for number, line in enumerate(lines, start=1):
        markers, indent, quotes = nesting(line)
        if markers + indent + quotes > deepest:
            deepest, deepest_line = markers + indent + quotes, number
            kinds = ["lists" if markers else "indented blocks"] if markers + indent else []
            kind = " and ".join(kinds + (["blockquotes"] if quotes else []))
    if deepest > budget.max_nesting:
        return PageBudgetError(
            f"page nests {kind} {deepest} levels deep; the limit is {budget.max_nesting} ({_BUDGET})", deepest_line
        )
    size = sum(len(line) + 1 for line in lines) - 1
    if size > budget.max_chars:
        return PageBudgetError(f"page is {size:,} characters long; the limit is {budget.max_chars:,} ({_BUDGET})")
    for first_line, paragraph in _paragraphs(lines):
        problem = _check_brackets(paragraph, first_line, budget.max_brackets)
        if problem is not None:
            return problem
    return None


def _paragraphs(lines: list[str]) -> Iterator[tuple[int, str]]:
    start, block = 1, []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, "\n".join(block)
            block = []
    if block:
        yield start, "\n".join(block)


def _check_brackets(text: str, first_line: int, limit: int) -> PageBudgetError | None:
    if "[" not in text and "(" not in text:
        return None
    text = _ESCAPE.sub("  ", _blank_code_spans(text))
    depth = {"[": 0, "(": 0}
    deepest = {"[": 0, "(": 0}
    over: dict[str, int] = {}  # where each first went over the limit
    for match in _BRACKET.finditer(text):
        char = match.group(0)
        if char in depth:
            depth[char] += 1
            deepest[char] = max(deepest[char], depth[char])
            if depth[char] > limit:
                over.setdefault(char, match.start())
        else:
            opening = "[" if char == "]" else "("
            depth[opening] = max(0, depth[opening] - 1)
    if not over:
        return None
    char = "[" if "[" in over else "("
    return PageBudgetError(
        f"page nests brackets '{char}' {deepest[char]} levels deep (unclosed ones count); the limit is {limit} ({_BUDGET})",
        first_line + text.count("\n", 0, over[char]),
    )


def _blank_code_spans(text: str) -> str:
    """``text`` with its code spans, as Python-Markdown finds them, replaced by spaces."""
    if "`" not in text:
        return text
    finder = BacktickInlineProcessor(BACKTICK_RE)
    spans: list[tuple[int, int]] = []
    position = 0
    while True:
        match = finder.compiled_re.search(text, position)
        if match is None:
            break
        if match.group(1):  # escaped backslashes before backticks
            position = match.end(0)
            continue
        begin = match.start(0)
        start, end = finder.find_code_spans(begin, text)
        if end is None:
            position = start
            continue
        position = end + (start - begin)
        spans.append((begin, position))
    if not spans:
        return text
    parts, last = [], 0
    for begin, end in spans:
        parts.append(text[last:begin])
        parts.append(re.sub(r"[^\n]", " ", text[begin:end]))
        last = end
    parts.append(text[last:])
    return "".join(parts)


class PageLimitsPreprocessor(Preprocessor):
    """Refuses a page over the budget before anything parses it."""

    def __init__(self, md: Markdown, budget: PageBudget, fail: Callable[[PageBudgetError], Exception]) -> None:
        super().__init__(md)
        self.budget = budget
        self.fail = fail

    def run(self, lines: list[str]) -> list[str]:
        problem = check_page(lines, self.budget)
        if problem is not None:
            raise self.fail(problem)
        return lines


class PageLimitsExtension(Extension):
    """medkb's per-page budget; ``fail`` turns a :class:`PageBudgetError` into what is raised."""

    def __init__(self, fail: Callable[[PageBudgetError], Exception] | None = None, **kwargs: Any) -> None:
        self.config = {
            "max_nesting": [MAX_NESTING, "Levels of lists and blockquotes a line may have"],
            "max_brackets": [MAX_BRACKETS, "Brackets '[' (and '(') a paragraph may have open at once"],
            "max_chars": [MAX_CHARS, "Characters a page may have"],
        }
        self.fail: Callable[[PageBudgetError], Exception] = fail or (lambda error: error)
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        """Measure every page before the other preprocessors.

        After ``pymdownx.snippets`` (32), so included files count; before
        everything that parses (``pymdownx.critic`` 31.1, normalising 30).
        """
        budget = PageBudget(int(self.getConfig("max_nesting")), int(self.getConfig("max_brackets")), int(self.getConfig("max_chars")))
        md.preprocessors.register(PageLimitsPreprocessor(md, budget, self.fail), "kb-page-limits", 31.5)


def makeExtension(**kwargs: Any) -> PageLimitsExtension:  # noqa: N802 - Python-Markdown's name
    """``markdown.Markdown(extensions=["medkb.limits"])`` loads this."""
    return PageLimitsExtension(**kwargs)
