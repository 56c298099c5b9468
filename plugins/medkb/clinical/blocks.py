"""The ``/// key-points`` and ``/// recommendation | weak for, low certainty`` blocks (pymdownx Blocks).

Key points are the article's answer in a few bullets, shown first: a box
with its own heading (so the table of contents starts with it). A
recommendation is a passage with a labelled grade: strength and direction
(strong/weak, for/against) and the certainty of its evidence
(high/moderate/low/very low), each a badge linking to the legend page when
the site has one. A grade medkb does not know is a problem the plugin warns
about with the block's line; the passage still shows, with a visible
"grade not recognised" badge, never silently ungraded.

Works by name in plain Python-Markdown: ``markdown.Markdown(extensions=["medkb.clinical"])``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Any

from markdown import Markdown
from markdown.preprocessors import Preprocessor
from pymdownx.blocks import BlocksExtension, BlocksProcessor
from pymdownx.blocks.block import Block

from medkb.clinical.grades import GRADE_SYNTAX, Grade, parse_grade
from medkb.safehtml import trust

_OPENING = re.compile(r"^[ \t>]*(/{3,})[ \t]*recommendation[ \t]*(?:\|[ \t]*(.*?)[ \t]*)?$", re.IGNORECASE)

#: Reader-facing words of the grades (the plugin's ``labels`` replace any of them).
DEFAULT_LABELS: dict[str, str] = {
    "key_points": "Key points",
    "strong-for": "Strong recommendation for",
    "strong-against": "Strong recommendation against",
    "weak-for": "Weak recommendation for",
    "weak-against": "Weak recommendation against",
    "certainty-high": "High certainty evidence",
    "certainty-moderate": "Moderate certainty evidence",
    "certainty-low": "Low certainty evidence",
    "certainty-very-low": "Very low certainty evidence",
    "ungraded": "Grade not recognised",
}


@dataclass(frozen=True)
class Recommendation:
    """A graded recommendation of a page, for its JSON-LD."""

    grade: Grade
    strength_label: str
    certainty_label: str
    text: str
    """The recommendation's text, plain."""


@dataclass
class ClinicalProblem:
    """A grade medkb does not know, at its block's line."""

    message: str
    line: int | None


@dataclass
class ClinicalState:
    """What one document's clinical blocks held; read by the plugin."""

    problems: list[ClinicalProblem] = field(default_factory=list)
    recommendations: list[tuple[Grade, etree.Element]] = field(default_factory=list)
    openings: list[tuple[int, str]] = field(default_factory=list)
    """``(line, argument)`` of each recommendation block's first line in the source."""
    _cursor: int = 0

    def line_of(self, argument: str) -> int | None:
        """The source line of the next recommendation block with this argument (blocks are made in reading order)."""
        for index in range(self._cursor, len(self.openings)):
            line, text = self.openings[index]
            if text == argument:
                self._cursor = index + 1
                return line
        return None

    def clear(self) -> None:
        """Forget the previous document."""
        self.problems.clear()
        self.recommendations.clear()
        self.openings.clear()
        self._cursor = 0


class KeyPointsBlock(Block):
    """``<section class="kb-key-points">`` with a "Key points" heading."""

    NAME = "key-points"
    ARGUMENT = False

    def on_create(self, parent: etree.Element) -> etree.Element:
        labels: dict[str, str] = self.config["labels"]
        section = etree.SubElement(parent, "section", {"class": "kb-key-points", "aria-labelledby": "key-points"})
        trust(self.md, section)
        heading = etree.SubElement(section, "h2", {"id": "key-points"})
        heading.text = labels["key_points"]
        trust(self.md, heading)
        return section


class RecommendationBlock(Block):
    """``<div class="kb-recommendation" data-kb-grade="weak-for" data-kb-certainty="low">`` with its badges."""

    NAME = "recommendation"
    # Optional, so that a recommendation without a grade is a block (and a
    # warning), not a paragraph showing "/// recommendation" to readers.
    ARGUMENT = None

    def on_create(self, parent: etree.Element) -> etree.Element:
        labels: dict[str, str] = self.config["labels"]
        state: ClinicalState = self.config["state"]
        argument = self.argument or ""
        line = state.line_of(argument)
        grade = parse_grade(argument)
        attrs = {"class": "kb-recommendation"}
        if grade is not None:
            attrs.update({"data-kb-grade": grade.recommendation_id, "data-kb-certainty": grade.certainty})
        div = etree.SubElement(parent, "div", attrs)
        trust(self.md, div)
        badges = etree.SubElement(div, "p", {"class": "kb-recommendation__grade"})
        trust(self.md, badges)
        legend = str(self.config["legend_url"]())
        if grade is None:
            shown = f"'/// recommendation | {argument}'" if argument else "'/// recommendation' without a grade"
            state.problems.append(ClinicalProblem(f"{shown}: grade not recognised; {GRADE_SYNTAX}", line))
            self._badge(badges, labels["ungraded"], "kb-grade kb-grade--ungraded", "")
        else:
            self._badge(badges, labels[grade.recommendation_id], f"kb-grade kb-grade--{grade.recommendation_id}",
                        f"{legend}#{grade.recommendation_id}" if legend else "")
            badges[-1].tail = " "
            self._badge(badges, labels[grade.certainty_id], f"kb-grade kb-grade--{grade.certainty_id}",
                        f"{legend}#{grade.certainty_id}" if legend else "")
            state.recommendations.append((grade, div))
        return div

    def _badge(self, parent: etree.Element, text: str, css: str, href: str) -> None:
        badge = etree.SubElement(parent, "a" if href else "span", {"class": css, **({"href": href} if href else {})})
        badge.text = text
        trust(self.md, badge)


class RecommendationLinesPreprocessor(Preprocessor):
    """Notes the line of each recommendation block's first line, before anything changes the lines."""

    def __init__(self, md: Markdown, state: ClinicalState) -> None:
        super().__init__(md)
        self.state = state

    def run(self, lines: list[str]) -> list[str]:
        for number, line in enumerate(lines, start=1):
            if "recommendation" in line.lower():
                match = _OPENING.match(line)
                if match:
                    self.state.openings.append((number, match.group(2) or ""))
        return lines


class ClinicalExtension(BlocksExtension):
    """Registers the key points and recommendation blocks."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "labels": [{}, "Reader-facing words, by key (see DEFAULT_LABELS)"],
            "legend_url": ["", "Address of the page explaining the grades (relative to the page; empty: no links)"],
        }
        self.state = ClinicalState()
        super().__init__(**kwargs)

    @property
    def labels(self) -> dict[str, str]:
        """The reader-facing words, defaults and configured ones."""
        return {**DEFAULT_LABELS, **dict(self.getConfig("labels"))}

    def extendMarkdownBlocks(self, md: Markdown, block_mgr: BlocksProcessor) -> None:
        """Register the blocks on a new Markdown instance."""
        md.registerExtension(self)
        self.state = ClinicalState()
        config = {"labels": self.labels, "state": self.state, "legend_url": lambda: self.getConfig("legend_url")}
        block_mgr.register(KeyPointsBlock, config)
        block_mgr.register(RecommendationBlock, config)
        # Before every other preprocessor (pymdownx's first is at 35), so lines are the source's.
        md.preprocessors.register(RecommendationLinesPreprocessor(md, self.state), "kb-recommendation-lines", 39)

    def recommendations(self) -> list[Recommendation]:
        """The document's graded recommendations, with their text (after conversion)."""
        labels = self.labels
        found = []
        for grade, div in self.state.recommendations:
            text = " ".join(_plain_text(child) for child in list(div)[1:])
            found.append(Recommendation(grade, labels[grade.recommendation_id], labels[grade.certainty_id], " ".join(text.split())))
        return found

    def reset(self) -> None:
        """Forget the previous document's blocks."""
        self.state.clear()


def _plain_text(element: etree.Element) -> str:
    """An element's text without citation numbers or stashed raw HTML."""
    parts = [element.text or ""]
    for child in element:
        if not (child.tag == "sup" and "kb-cite" in (child.get("class") or "")):
            parts.append(_plain_text(child))
        parts.append(child.tail or "")
    return _STASHED.sub("", "".join(parts))


_STASHED = re.compile("\x02[^\x03]*\x03")


def makeExtension(**kwargs: Any) -> ClinicalExtension:  # noqa: N802 - Python-Markdown's name
    """``markdown.Markdown(extensions=["medkb.clinical"])`` loads this."""
    return ClinicalExtension(**kwargs)
