"""Configuration schema of the ``medkb/review`` plugin."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class ReviewConfig(Config):
    """Options of ``medkb/review``."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from ``mkdocs.yml``."""

    articles_dir = c.Type(str, default="articles")
    """Folder of ``docs_dir`` whose pages are articles (validated front matter)."""

    board = c.Type(str, default="board.yml")
    """The advisory board roster (path relative to ``mkdocs.yml``)."""

    require_signatures = c.Type(bool, default=True)
    """Approvals must carry a valid SSH signature by the approving member's key."""

    approvals_required = c.Type(int, default=1)
    """Distinct board members whose approval an article needs."""

    publish = c.Choice(("approved", "latest"), default="approved")
    """What readers get of an article whose current text awaits review: ``approved``, the revision the board
    approved (read from git history; the build stops when that history is missing), or ``latest``, the new
    text with the pending banner."""

    unapproved = c.Choice(("show", "hide"), default="show")
    """Articles never approved: ``show`` (with the pending banner) or ``hide`` (left out of the site, its lists,
    search and sitemap)."""

    revision_notice = c.Type(str, default="A revised version of this article is under review")
    """Shown on an article published as its approved revision while a newer text awaits review."""

    review_history = c.Type(bool, default=False)
    """Show a collapsible "Review history" (who moved the article when, with notes) on each article."""

    review_history_title = c.Type(str, default="Review history")
    history_labels = c.DictOfItems(
        c.Type(str),
        default={"submitted": "Submitted", "under-review": "Taken under review", "approved": "Approved", "returned": "Returned to the editor"},
    )
    """How each kind of history record reads in the "Review history"."""

    preview = c.Type(bool, default=False)
    """Build the reviewer's preview (``medkb preview`` sets this): every current text published, each page
    marked as a preview (banner, ``noindex``), and a "Changes since approval" page per changed article."""

    preview_banner = c.Type(str, default="Reviewer's preview: this text is not necessarily approved. Do not publish this build.")
    changes_dir = c.Type(str, default="changes")
    """Folder (in the preview's ``docs_dir``) of the "Changes since approval" pages."""

    changes_title = c.Type(str, default="Changes since approval")

    raw_html = c.Choice(("sanitize", "refuse"), default="sanitize")
    """Raw HTML in pages: ``sanitize`` cleans it by an allow-list (no scripts, styles, event handlers,
    frames, forms or medkb's own classes); ``refuse`` removes it all. Either way each removal is a warning."""

    review_queue_page = c.Type(str, default="review-queue.md")
    """The page listing every article by review status (generated if missing)."""

    browse = c.Type(bool, default=True)
    """Generate browse pages: A–Z and one per topic (tag), paginated."""

    browse_dir = c.Type(str, default="browse")
    """Folder (in ``docs_dir``) of the generated browse pages."""

    browse_page_size = c.Type(int, default=50)
    """Articles per browse page."""

    editorial_policy = c.Type(str, default="editorial-policy.md")
    """Page linked as "View editorial policy" (path in ``docs_dir``)."""

    board_page = c.Type(str, default="board.md")
    """Page linked from the board line, listing the members (path in ``docs_dir``; generated if missing)."""

    board_line_title = c.Type(str, default="Medical Advisory Board")
    board_line_text = c.Type(str, default="All articles are reviewed for accuracy by our Medical Advisory Board")
    tracker_title = c.Type(str, default="Article Review Status")
    updated_label = c.Type(str, default="Last updated:")
    policy_label = c.Type(str, default="View editorial policy")
    pending_banner = c.Type(
        str, default="Educational purpose only • Exercise caution as content is pending human review"
    )
    date_format = c.Type(str, default="%B %-d, %Y")
    """``strftime`` format of dates shown to readers (default: December 17, 2025)."""

    status_labels = c.DictOfItems(
        c.Type(str),
        default={
            "submitted": "Submitted",
            "under-review": "Under Review",
            "approved": "Approved",
            "changes-pending": "Changes pending review",
        },
    )
    """Reader-facing names of the review states (tracker steps, badges)."""
    review_queue_title = c.Type(str, default="Review queue")
    browse_title = c.Type(str, default="Browse articles")
    browse_az_title = c.Type(str, default="Articles A–Z")
    browse_page_title = c.Type(str, default="{title} (page {number})")
    """Title of the second and later pages of a browse list (``{title}``, ``{number}``)."""
    reviewed_by_label = c.Type(str, default="Reviewed by")
    due_label = c.Type(str, default="Next review due")
    overdue_label = c.Type(str, default="Review overdue since")
