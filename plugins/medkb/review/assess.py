"""The one article assessment: digest, review state and problems.

The review plugin, ``medkb check``, ``medkb review`` and ``medkb verify`` all
call :func:`assess_article`; the approval digest is computed here and
nowhere else. The cited entries come from rendering the article's
citations (the plugin's page render, or :func:`medkb.site.cited_sources`
for the commands), as fingerprints (:func:`medkb.citations.fingerprint.entry_fingerprint`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from medkb.articles.frontmatter import Value
from medkb.articles.model import Article, ArticleWarning
from medkb.review.board import Board
from medkb.review.workflow import ApprovedText, Effective, ReviewState, review_state


@dataclass(frozen=True)
class ReviewRules:
    """The site's rules for what counts as approved."""

    require_signatures: bool = True
    approvals_required: int = 1
    publish: str = "approved"
    """``approved``: an article whose text awaits review is published as its approved revision; ``latest``: as it is."""


#: Something wrong with an article, at a line of its file when known (``path:line: message``).
Problem = ArticleWarning


@dataclass
class ArticleReport:
    """What an article is, for readers and reviewers: its digest, its state and what is wrong."""

    article: Article
    digest: str
    state: ReviewState
    problems: list[Problem] = field(default_factory=list)
    """Front matter warnings, then review problems; each fails a strict build."""


def shown_front_matter(article: Article) -> dict[str, Value]:
    """The front matter an approval covers: every key but the review record, plus "Next review due".

    Title, description, tags, page options...; of ``review:``, the ``due``
    date (an editor pushing it back would hide "Review overdue"), but not the
    status, history and ``updated``, which each review action changes (a
    second approval would otherwise undo the first). ``updated`` is bounded
    by the approvals instead (:func:`assess_article`).
    """
    shown: dict[str, Value] = {key: value for key, value in article.meta.items() if key != "review"}
    if article.review.due is not None:
        shown["review.due"] = article.review.due.isoformat()
    return shown


def content_digest(front_matter: Mapping[str, Value], body: str, cited: Iterable[str]) -> str:
    """``sha256:…`` over the shown front matter, the body (LF endings) and the cited entries' fingerprints.

    The body holds every audience's passages. Version 2 added the front
    matter beyond the title (a changed description is the page's summary,
    meta description and search excerpt) and crossref parents of cited entries.
    """
    h = hashlib.sha256()
    h.update(b"medkb-content-v2\0")
    h.update(json.dumps(front_matter, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\0")
    h.update(body.replace("\r\n", "\n").replace("\r", "\n").strip("\n").encode() + b"\0")
    h.update("\n".join(sorted(cited)).encode())
    return "sha256:" + h.hexdigest()


def assess_article(
    article: Article,
    cited: Iterable[str | None],
    board: Board,
    rules: ReviewRules,
    *,
    today: dt.date,
    verified: set[str] | None = None,
) -> ArticleReport:
    """Digest the article with the entries it cites, derive its review state, collect its problems.

    ``cited`` holds the fingerprint of each cited entry (``None`` for an
    unknown key, which the digest leaves out and a citation warning reports).
    ``verified`` remembers signature checks already done in this process.
    """
    digest = content_digest(shown_front_matter(article), article.body, [p for p in cited if p is not None])
    state = review_state(
        article, board, digest, today=today,
        require_signatures=rules.require_signatures, approvals_required=rules.approvals_required, verified=verified,
    )
    if state.effective is Effective.APPROVED and state.reviewed_on is not None and article.review.updated > state.reviewed_on:
        # "Last updated" later than the last approval: the date was edited after it.
        state.effective = Effective.CHANGES_PENDING
        state.pending_problem = (
            article.front_matter.line_of("review.updated"),
            f"review.updated {article.review.updated} is later than the last approval ({state.reviewed_on}): "
            "the date changed after approval; restore it or have a board member approve again",
        )
        state.problems.append(state.pending_problem)
    problems = list(article.warnings)
    problems += [Problem(article.path, line, message) for line, message in state.problems]
    return ArticleReport(article, digest, state, problems)


def revision_digest(article: Article, cited: Iterable[str | None], approved: ApprovedText) -> str | None:
    """The digest of a committed version of an article, for finding the approved one; ``None`` if it cannot be it.

    A revision whose "Last updated" is later than the approval it would be
    published under cannot be it (the date was changed after approval).
    """
    if approved.approvals and article.review.updated > max(a.on for a in approved.approvals):
        return None
    return content_digest(shown_front_matter(article), article.body, [p for p in cited if p is not None])


def published_report(revision: Article, current: ArticleReport, approved: ApprovedText, board: Board, today: dt.date) -> ArticleReport:
    """What readers are told of an article published as its approved revision (its digest was checked to be ``approved``).

    The history and problems are the current file's; "changed since
    approval" is not among the problems: it is the state the revision notice
    tells readers about.
    """
    shown = current.state
    state = ReviewState(Effective.APPROVED, shown.history, [p for p in shown.problems if p != shown.pending_problem], list(approved.approvals))
    latest = max(approved.approvals, key=lambda e: e.on)
    state.reviewed_by, state.reviewed_on = board.get(latest.by), latest.on
    state.due = revision.review.due
    state.overdue = state.due is not None and state.due < today
    return ArticleReport(revision, approved.digest, state, settled_problems(current))


def settled_problems(report: ArticleReport) -> list[Problem]:
    """The report's problems but "changed since approval", when readers get the approved version instead."""
    pending = report.state.pending_problem
    if pending is None:
        return list(report.problems)
    return [p for p in report.problems if (p.line, p.message) != pending]
