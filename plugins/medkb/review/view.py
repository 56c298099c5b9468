"""Data for the review partials (header, board) and the article's JSON-LD: small views of strings.

No MkDocs here: the plugin passes the URLs in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medkb.articles.model import Article, ReviewStatus
from medkb.review.board import Board, Member
from medkb.review.workflow import Effective, ReviewState

if TYPE_CHECKING:
    from medkb.clinical.blocks import Recommendation


@dataclass(frozen=True)
class ReviewLabels:
    """The reader-facing words of the review partials (from the plugin's configuration)."""

    board_line_title: str
    board_line_text: str
    tracker_title: str
    updated_label: str
    policy_label: str
    pending_banner: str
    date_format: str
    status_labels: Mapping[str, str]
    reviewed_by_label: str
    due_label: str
    overdue_label: str
    changes_title: str = "Changes since approval"

@dataclass(frozen=True)
class TrackerStep:
    """One step of the "Article Review Status" tracker."""

    status: str
    label: str
    state: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class HistoryRow:
    """One record of the "Review history" (plain text; templates escape)."""

    status: str
    label: str
    by: str
    by_url: str | None
    on_iso: str
    on_text: str
    note: str


@dataclass(frozen=True)
class ReviewView:
    """Everything the review header shows; strings are plain text (templates escape)."""

    status: str
    status_label: str
    steps: tuple[TrackerStep, ...]
    pending: bool
    changes_pending: bool
    updated_iso: str
    updated_text: str
    policy_url: str | None
    board_url: str | None
    reviewed_by: Member | None
    reviewed_by_url: str | None
    reviewed_on_iso: str | None
    reviewed_on_text: str | None
    due_iso: str | None
    due_text: str | None
    overdue: bool
    labels: ReviewLabels
    revision_notice: str | None = None
    """Shown when the page is the approved revision and a newer text awaits review."""
    history: tuple[HistoryRow, ...] = ()
    """The "Review history", oldest first (empty when the site does not show it)."""
    history_title: str = ""
    changes_url: str | None = None
    """The reviewer's preview: the article's "Changes since approval" page."""


def history_rows(
    state: ReviewState, board: Board, fmt: str, board_url: str | None, labels: Mapping[str, str],
) -> tuple[HistoryRow, ...]:
    """The article's history as readers see it: the step (``labels``, by record kind), when, who (a member's name, else as written).

    Only the approvals of the text published are signed by their members:
    they alone link to the member and show their note. Other records
    (submitted, taken under review, returned) are unsigned text anyone
    editing the file could write, so their notes are not published.
    """
    signed = {(a.on, a.digest, a.signature) for a in state.approvals}
    rows = []
    for entry in state.history:
        member = board.member_for(entry.by)
        verified = entry.status == "approved" and (entry.on, entry.digest, entry.signature) in signed
        rows.append(HistoryRow(
            entry.status, labels.get(entry.status, entry.status),
            member.display if member is not None else entry.by,
            f"{board_url}#member-{member.id}" if verified and member is not None and board_url else None,
            entry.on.isoformat(), entry.on.strftime(fmt), entry.note if verified else "",
        ))
    return tuple(rows)


def tracker_steps(effective: Effective, labels: Mapping[str, str]) -> tuple[TrackerStep, ...]:
    """The three steps; earlier ones done, the current one marked.

    "Changes pending review" sits on Under Review: the approved text changed.
    """
    current = {
        Effective.SUBMITTED: ReviewStatus.SUBMITTED,
        Effective.UNDER_REVIEW: ReviewStatus.UNDER_REVIEW,
        Effective.CHANGES_PENDING: ReviewStatus.UNDER_REVIEW,
        Effective.APPROVED: ReviewStatus.APPROVED,
    }[effective]
    order = list(ReviewStatus)
    index = order.index(current)
    return tuple(
        TrackerStep(s.value, labels[s.value], "done" if i < index else "current" if i == index else "todo")
        for i, s in enumerate(order)
    )


def review_view(
    article: Article, state: ReviewState, labels: ReviewLabels, board_url: str | None, policy_url: str | None,
    **extra: object,
) -> ReviewView:
    """Build the header's data for one article page (URLs relative to it); ``extra``: the optional fields of :class:`ReviewView`."""
    fmt = labels.date_format
    member = state.reviewed_by
    return ReviewView(
        status=state.effective.value,
        status_label=labels.status_labels[state.effective.value],
        steps=tracker_steps(state.effective, labels.status_labels),
        pending=state.effective is not Effective.APPROVED,
        changes_pending=state.effective is Effective.CHANGES_PENDING,
        updated_iso=article.review.updated.isoformat(),
        updated_text=article.review.updated.strftime(fmt),
        policy_url=policy_url,
        board_url=board_url,
        reviewed_by=member,
        reviewed_by_url=f"{board_url}#member-{member.id}" if member and board_url else None,
        reviewed_on_iso=state.reviewed_on.isoformat() if state.reviewed_on else None,
        reviewed_on_text=state.reviewed_on.strftime(fmt) if state.reviewed_on else None,
        due_iso=state.due.isoformat() if state.due else None,
        due_text=state.due.strftime(fmt) if state.due else None,
        overdue=state.overdue,
        labels=labels,
        **extra,  # type: ignore[arg-type]
    )


def json_for_script(data: object) -> str:
    """JSON that cannot end a ``<script>`` element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def medical_web_page(
    article: Article, state: ReviewState, board: Board, url: str | None, audiences: list[str], recommendations: Sequence[Recommendation] = ()
) -> str:
    """schema.org ``MedicalWebPage`` JSON-LD for an article (its graded recommendations as ``MedicalGuidelineRecommendation`` parts)."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "dateModified": article.review.updated.isoformat(),
    }
    if article.description:
        data["description"] = article.description
    if url:
        data["url"] = url
    if state.effective is Effective.APPROVED and state.reviewed_on:
        data["lastReviewed"] = state.reviewed_on.isoformat()
        data["reviewedBy"] = [
            {"@type": "Person", "name": m.name, "honorificSuffix": m.credentials, "jobTitle": m.role}
            for m in (board.get(a.by) for a in state.approvals)
            if m is not None
        ]
    if audiences:
        data["audience"] = [{"@type": "MedicalAudience", "audienceType": a} for a in audiences]
    if recommendations:
        data["hasPart"] = [
            {"@type": "MedicalGuidelineRecommendation", "recommendationStrength": r.strength_label,
             "evidenceOrigin": r.certainty_label, "text": r.text}
            for r in recommendations
        ]
    return json_for_script(data)
