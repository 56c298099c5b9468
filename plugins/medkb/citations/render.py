"""The reference list as HTML, from the ``partials/kb-references.html`` partial.

Plain Python-Markdown renders it from the package's own partial; the
MkDocs plugin passes a renderer over the theme's templates, so a site's
``custom_dir`` partial of the same name is used instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, Template

from medkb import TEMPLATES_DIR
from medkb.citations.style import FormattedReference

_BACKLINK_LETTERS = "abcdefghijklmnopqrstuvwxyz"

#: The partial that renders a reference list.
REFERENCES_TEMPLATE = "partials/kb-references.html"


@dataclass(frozen=True)
class ReferenceEntry:
    """One item of a page's reference list, for the ``kb-references`` partial."""

    number: int
    anchor: str
    """The entry's element id (``ref-<slug>``)."""
    reference: FormattedReference
    backlinks: tuple[str, ...]
    """Ids of the citations that cite it, in reading order."""
    sections: tuple[str, ...] = ()
    """The heading each of those citations stands under (``""`` before the first heading)."""

    def backlink_labels(self) -> list[tuple[str, str]]:
        """``(citation id, label)`` pairs: ``a``, ``b``… when cited more than once."""
        return [(anchor, backlink_label(i)) for i, anchor in enumerate(self.backlinks)]

    def backlink_section(self, index: int) -> str:
        """The heading the ``index``-th citation stands under, or ``""``."""
        return self.sections[index] if index < len(self.sections) else ""


def backlink_label(index: int) -> str:
    """``a``…``z``, then ``aa``, ``ab``… for the n-th place an entry is cited."""
    letters = _BACKLINK_LETTERS
    label = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, len(letters))
        label = letters[rem] + label
    return label


@dataclass(frozen=True)
class ReferenceView:
    """The reference list one group of audiences reads (see :mod:`medkb.citations.views`)."""

    audiences: tuple[str, ...]
    """Its readers' audience ids; ``()``: every reader (a page without audience passages)."""
    entries: list[ReferenceEntry]


@dataclass(frozen=True)
class ReferenceList:
    """Data of the ``kb-references`` partial."""

    heading: str
    anchor: str
    back_label: str
    entries: list[ReferenceEntry]
    """Every view's entries (their anchors), in order."""
    views: list[ReferenceView] = field(default_factory=list)
    """One list per reading view; empty means one list of ``entries`` for everyone."""
    audiences: tuple[str, ...] = ()
    """Who sees the section: ``()`` everyone, else the audiences whose view cites something."""
    section_label: str = "in"
    """Joins a link back to its citation's heading ("Back to citation 2, in Treatment")."""

    @property
    def lists(self) -> list[ReferenceView]:
        """The lists to render: each view's, or one of every entry."""
        return self.views or [ReferenceView((), self.entries)]



RenderReferences = Callable[[ReferenceList], str]


@lru_cache(maxsize=1)
def _package_template() -> Template:
    # No autoescape, as in MkDocs: the partial escapes every value itself.
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=False)
    return env.get_template(REFERENCES_TEMPLATE)


def render_reference_list(refs: ReferenceList) -> str:
    """The list rendered from the package's partial."""
    return _package_template().render(kb_references=refs)


def template_renderer(env: Environment) -> RenderReferences:
    """A renderer over another template environment (a theme's, with its overrides)."""
    template: list[Template] = []

    def render(refs: ReferenceList) -> str:
        if not template:
            template.append(env.get_template(REFERENCES_TEMPLATE))
        return template[0].render(kb_references=refs)

    return render
