"""The article page's "Changes since approval": issue 14's comparison, made safe for the desk's page.

:func:`medkb.preview.diff_article` compares the approved revision (from git
history) with the current text, as ``medkb diff`` does;
:func:`medkb.review.changes.changes_html` marks the current body with
``<ins>``/``<del>``. The commands render a body without the build's
sanitizer, so before it reaches the desk's page the marked body goes
through the same allow-list as raw HTML in articles (:mod:`medkb.safehtml`),
here also without ids (they would clash with the desk's own) and without
classes but the audience labels (content must not dress up as the desk's
messages). Everything else of the comparison is plain text the template escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nh3
from markupsafe import Markup

from medkb.articles.frontmatter import FrontMatterError
from medkb.citations.bibliography import BibliographyError
from medkb.review.changes import ArticleChanges, changes_html
from medkb.safehtml import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES
from medkb.site import SiteLayout

#: The only class the marked body keeps: the label naming an audience's passage.
_AUDIENCE_LABEL = "kb-changes__audience"


@dataclass(frozen=True)
class ChangesView:
    """What the article page shows under "Changes since approval"."""

    changes: ArticleChanges | None
    body: Markup
    """The current body with removed words in ``<del>`` and inserted ones in ``<ins>``, cleaned."""
    message: str = ""
    """Why there is nothing to compare, when there is not (then ``changes`` is ``None``)."""


def _keep(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        return _AUDIENCE_LABEL if _AUDIENCE_LABEL in value.split() else None
    return value


def clean_marked_body(html: str) -> Markup:
    """The marked body through medkb's allow-list for content, without ids and other classes; headings two levels down."""
    attributes = {tag: set(names) - {"id"} for tag, names in ALLOWED_ATTRIBUTES.items()}
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "template", "textarea", "iframe", "object", "svg", "math", "noscript"},
        attributes=attributes,
        attribute_filter=_keep,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # The article's headings sit under the page's "Changes since approval" (h2) and "Text" (h3).
    demoted = re.sub(r"<(/?)h([1-6])\b", lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}", cleaned)
    return Markup(demoted)  # noqa: S704 - cleaned by the allow-list above


def changes_since_approval(file: Path, layout: SiteLayout, status: str, has_approval: bool) -> ChangesView | None:
    """The changes of the article in ``file`` since its last approval.

    ``None`` when it was never approved (``has_approval``: its history holds
    an approval) or its current text is the approved one (``status``).
    """
    if not has_approval or status == "approved":
        return None
    from medkb.preview import PreviewError, diff_article

    try:
        found = diff_article(file, layout)
    except (PreviewError, FrontMatterError, BibliographyError) as e:
        return ChangesView(None, Markup(""), str(e))
    if isinstance(found, str):  # nothing to compare with, in main's words
        return ChangesView(None, Markup(""), found)
    return ChangesView(found, clean_marked_body(changes_html(found.body)))
