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
from collections.abc import Iterable
from dataclasses import dataclass, field

from medkb.articles.model import Article
from medkb.review.board import Board
from medkb.review.workflow import ReviewState, review_state


@dataclass(frozen=True)
class ReviewRules:
    """The site's rules for what counts as approved."""

    require_signatures: bool = True
    approvals_required: int = 1


@dataclass(frozen=True)
class Problem:
    """Something wrong with an article, at a line of its file when known."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class ArticleReport:
    """What an article is, for readers and reviewers: its digest, its state and what is wrong."""

    article: Article
    digest: str
    state: ReviewState
    problems: list[Problem] = field(default_factory=list)
    """Front matter warnings, then review problems; each fails a strict build."""


def content_digest(title: str, body: str, cited: Iterable[str]) -> str:
    """``sha256:…`` over the title, the body (LF endings) and the cited entries' fingerprints."""
    h = hashlib.sha256()
    h.update(b"medkb-content-v1\0")
    h.update(title.strip().encode() + b"\0")
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
    digest = content_digest(article.title, article.body, [p for p in cited if p is not None])
    state = review_state(
        article, board, digest, today=today,
        require_signatures=rules.require_signatures, approvals_required=rules.approvals_required, verified=verified,
    )
    problems = [Problem(w.path, w.line, w.message) for w in article.warnings]
    problems += [Problem(article.path, line, message) for line, message in state.problems]
    return ArticleReport(article, digest, state, problems)
