"""Data for the review header partial (``overrides/partials/kb-review.html``)."""

from __future__ import annotations

from dataclasses import dataclass

from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from medkb.article import Article, ReviewStatus
from medkb.review.config import ReviewConfig


@dataclass(frozen=True)
class TrackerStep:
    """One step of the "Article Review Status" tracker."""

    status: str
    label: str
    state: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class ReviewView:
    """Everything the review header shows; strings are plain text (templates escape)."""

    status: str
    steps: tuple[TrackerStep, ...]
    pending: bool
    updated_iso: str
    updated_text: str
    policy_url: str | None
    board_url: str | None
    labels: ReviewConfig


def tracker_steps(status: ReviewStatus) -> tuple[TrackerStep, ...]:
    """The three steps with earlier ones done and the current one marked."""
    order = list(ReviewStatus)
    current = order.index(status)
    return tuple(
        TrackerStep(s.value, s.label, "done" if i < current else "current" if i == current else "todo")
        for i, s in enumerate(order)
    )


def _page_url(files: Files, src_path: str, page: Page) -> str | None:
    target = files.get_file_from_path(src_path)
    if target is None:
        return None
    return get_relative_url(target.url, page.url)


def review_view(article: Article, config: ReviewConfig, page: Page, files: Files) -> ReviewView:
    """Build the header's data for one article page."""
    status = article.review.status
    return ReviewView(
        status=status.value,
        steps=tracker_steps(status),
        pending=status is not ReviewStatus.APPROVED,
        updated_iso=article.review.updated.isoformat(),
        updated_text=article.review.updated.strftime(config.date_format),
        policy_url=_page_url(files, config.editorial_policy, page),
        board_url=_page_url(files, config.board_page, page),
        labels=config,
    )
