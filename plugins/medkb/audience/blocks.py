"""The ``/// audience | id[, id…]`` block (pymdownx Blocks).

Works by name in plain Python-Markdown, with no MkDocs:
``markdown.Markdown(extensions=["medkb.audience"], extension_configs={"medkb.audience": {"audiences": ["patient", "professional"]}})``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Any

from markdown import Markdown
from pymdownx.blocks import BlocksExtension, BlocksProcessor
from pymdownx.blocks.block import Block

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

#: The audiences of a site that names none: (id, label, description).
DEFAULT_AUDIENCES: tuple[tuple[str, str, str], ...] = (
    ("patient", "Patient or caregiver", "Plain language"),
    ("student", "Medical student", "Concepts and terms explained"),
    ("professional", "Healthcare professional", "Clinical detail"),
)


@dataclass
class AudienceProblem:
    """An audience id a block names but the site does not define."""

    audience: str
    message: str


@dataclass
class AudienceState:
    """What one document's audience blocks used; read by the plugin."""

    used: list[str] = field(default_factory=list)
    problems: list[AudienceProblem] = field(default_factory=list)


def parse_audience_ids(argument: str) -> list[str]:
    """``"patient, student"`` → ``["patient", "student"]`` (commas or spaces)."""
    return [part for part in re.split(r"[\s,]+", argument.strip()) if part]


class AudienceBlock(Block):
    """A passage for some audiences only: ``<div class="kb-audience" data-kb-audience="…">``."""

    NAME = "audience"
    ARGUMENT = True

    def on_create(self, parent: etree.Element) -> etree.Element:
        known: list[str] = self.config["audiences"]
        state: AudienceState = self.config["state"]
        ids = parse_audience_ids(self.argument or "")
        kept = []
        for audience in ids:
            if audience not in known:
                state.problems.append(
                    AudienceProblem(audience, f"unknown audience '{audience}' in an audience block; allowed: {', '.join(known)}")
                )
            if _ID.match(audience):
                kept.append(audience)
            state.used.append(audience)
        if not ids:
            state.problems.append(AudienceProblem("", f"an audience block needs audience ids, e.g. /// audience | {known[0]}"))
        # An unknown id stays in the attribute: it matches no reader's choice,
        # so the passage is never shown; the warning fails --strict.
        return etree.SubElement(parent, "div", {"class": "kb-audience", "data-kb-audience": " ".join(kept) or "none"})


class AudienceExtension(BlocksExtension):
    """Registers the audience block with the site's audience ids."""

    def __init__(self, audiences: list[str] | None = None, **kwargs: Any) -> None:
        self.config = {"audiences": [[a[0] for a in DEFAULT_AUDIENCES], "The audience ids blocks may name"]}
        self.state = AudienceState()
        super().__init__(**kwargs)
        if audiences is not None:
            self.setConfig("audiences", list(audiences))

    @property
    def audiences(self) -> list[str]:
        """The audience ids blocks may name."""
        return list(self.getConfig("audiences"))

    def extendMarkdownBlocks(self, md: Markdown, block_mgr: BlocksProcessor) -> None:
        """Register the block on a new Markdown instance."""
        md.registerExtension(self)
        self.state = AudienceState()
        block_mgr.register(AudienceBlock, {"audiences": self.audiences, "state": self.state})

    def reset(self) -> None:
        """Forget the previous document's blocks."""
        self.state.used.clear()
        self.state.problems.clear()


def makeExtension(**kwargs: Any) -> AudienceExtension:  # noqa: N802 - Python-Markdown's name
    """``markdown.Markdown(extensions=["medkb.audience"])`` loads this."""
    return AudienceExtension(**kwargs)
