"""Grades of a recommendation, GRADE-style: strength and direction, and certainty of evidence.

``weak for, low certainty`` → :class:`Grade` ``("weak", "for", "low")``.
The words are GRADE's (the GRADE Working Group's terms, used by WHO, NICE,
ACP and most guideline bodies): a recommendation is *strong* or *weak*
(also called conditional), *for* or *against* an intervention; the
certainty of the evidence is *high*, *moderate*, *low* or *very low*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STRENGTHS = ("strong", "weak")
DIRECTIONS = ("for", "against")
CERTAINTIES = ("high", "moderate", "low", "very-low")
# "conditional" is GRADE's other word for weak.
_STRENGTH_ALIASES = {"strong": "strong", "weak": "weak", "conditional": "weak"}

#: How to write a grade, for messages.
GRADE_SYNTAX = (
    "write '/// recommendation | <strength> <direction>, <certainty> certainty' with strength strong or weak "
    "(or conditional), direction for or against, certainty high, moderate, low or very low; "
    "e.g. '/// recommendation | weak for, low certainty'"
)


@dataclass(frozen=True)
class Grade:
    """A recommendation's grade."""

    strength: str
    """``strong`` or ``weak``."""
    direction: str
    """``for`` or ``against``."""
    certainty: str
    """``high``, ``moderate``, ``low`` or ``very-low``."""

    @property
    def recommendation_id(self) -> str:
        """Anchor of the recommendation's grade on the legend page: ``weak-for``."""
        return f"{self.strength}-{self.direction}"

    @property
    def certainty_id(self) -> str:
        """Anchor of the certainty on the legend page: ``certainty-low``."""
        return f"certainty-{self.certainty}"


def parse_grade(argument: str) -> Grade | None:
    """``"weak for, low certainty"`` (also ``"Strong against; moderate"``) → a :class:`Grade`; ``None`` if it is none."""
    parts = [p.strip().lower() for p in re.split(r"[,;]", argument) if p.strip()]
    if len(parts) != 2:
        return None
    recommendation, certainty = parts
    words = recommendation.split()
    if len(words) != 2 or words[0] not in _STRENGTH_ALIASES or words[1] not in DIRECTIONS:
        return None
    certainty = re.sub(r"\s+(certainty|evidence|certainty of evidence)$", "", certainty).strip()
    certainty = re.sub(r"[\s-]+", "-", certainty)
    if certainty not in CERTAINTIES:
        return None
    return Grade(_STRENGTH_ALIASES[words[0]], words[1], certainty)
