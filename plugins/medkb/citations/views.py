"""Reading views: the citations each audience sees, numbered in its own reading order.

A page with audience passages is read differently by each audience: a
patient sees the shared text and the patient passages, a professional the
shared text and the professional passages. Each reader's citations are
numbered 1…n in the order *they* meet them, their reference list holds
exactly the sources *their* text cites, and back links lead only to
citations they can see. Audiences whose text cites the same sources at the
same places share one view (and one list); a page without passages has a
single view, rendered exactly as before views existed.

Pure data in, data out: the tree processor finds which citations each
audience sees; this module groups audiences and numbers the views.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SeenCitation:
    """One citation as the views need it: its id, its known keys, who sees it."""

    anchor: str
    """The citation's element id (``cite-N``)."""
    keys: tuple[str, ...]
    """Canonical keys it cites that the bibliography has, as written."""
    audiences: frozenset[str] | None
    """Audience ids whose text holds it; ``None``: every reader (no passage around it)."""


@dataclass
class ReadingView:
    """What one group of audiences sees of a page's citations."""

    audiences: tuple[str, ...]
    """The audience ids reading this view, in the site's order; ``()`` when every reader has this view."""
    suffix: str
    """Added to this view's entry anchors (``ref-<slug><suffix>``); empty for the default audience's view."""
    order: list[str] = field(default_factory=list)
    """Canonical keys in this view's number order."""
    backlinks: dict[str, list[str]] = field(default_factory=dict)
    """Per key, the ids of the visible citations citing it, in reading order."""

    def number(self, key: str) -> int:
        """The key's number in this view (1-based)."""
        return self.order.index(key) + 1

    def sees(self, citation: SeenCitation) -> bool:
        """Whether this view's readers see the citation."""
        return citation.audiences is None or not self.audiences or bool(citation.audiences.intersection(self.audiences))


def reading_views(citations: list[SeenCitation], audiences: list[str], default: str | None) -> list[ReadingView]:
    """Group the audiences by what they see and number each group's citations.

    ``audiences`` are the site's ids in order (empty: the page has no
    audiences, one view); ``default`` the audience shown without JavaScript,
    whose view keeps the plain anchors.
    """
    if not audiences or all(c.audiences is None for c in citations):
        return [_numbered(ReadingView((), ""), citations, None)]
    groups: dict[tuple[tuple[str, tuple[str, ...]], ...], list[str]] = {}
    for audience in audiences:
        view = _numbered(ReadingView((audience,), ""), citations, audience)
        signature = tuple((key, tuple(view.backlinks[key])) for key in view.order)
        groups.setdefault(signature, []).append(audience)
    if len(groups) == 1:
        return [_numbered(ReadingView((), ""), citations, None)]
    views = []
    for members in groups.values():
        suffix = "" if default in members or (default not in audiences and members[0] == audiences[0]) else f"-{members[0]}"
        views.append(_numbered(ReadingView(tuple(members), suffix), citations, members[0]))
    return views


def _numbered(view: ReadingView, citations: list[SeenCitation], audience: str | None) -> ReadingView:
    for citation in citations:
        if audience is not None and citation.audiences is not None and audience not in citation.audiences:
            continue
        for key in citation.keys:
            if key not in view.backlinks:
                view.order.append(key)
                view.backlinks[key] = []
            if citation.anchor not in view.backlinks[key]:
                view.backlinks[key].append(citation.anchor)
    return view
