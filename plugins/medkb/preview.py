"""The reviewer's tools for an edit of approved text: ``medkb preview`` and ``medkb diff``.

``medkb preview`` builds the site as it would be with every current text
published (the review plugin's ``preview`` setting: a banner and
``noindex`` on every page, and a "Changes since approval" page per changed
article). ``medkb diff`` prints an article's changes since approval; both
compare the same two renderings (:mod:`medkb.review.changes`).
"""

from __future__ import annotations

from pathlib import Path

from medkb.articles.frontmatter import FrontMatterError, decode_source
from medkb.articles.model import parse_article
from medkb.review.changes import ArticleChanges, Side, article_changes, side_of
from medkb.review.versions import HistoryUnavailable, open_history
from medkb.review.workflow import Effective, today_utc
from medkb.site import SiteLayout, Version, approved_version, assess_file, catalog_for, site_board, site_catalog


class PreviewError(Exception):
    """A preview or diff that cannot be made: one line saying why."""


def _side(version: Version) -> Side:
    return side_of(version.article, version.sources.html, version.sources.keys, version.catalog,
                   version.revision.commit if version.revision else None)


def diff_article(file: Path, layout: SiteLayout) -> ArticleChanges | str:
    """The changes since approval of one article, or a sentence saying why there is nothing to compare."""
    path = layout.display(file)
    board = site_board(layout)
    if board is None:
        raise PreviewError(f"{path}: the site has no medkb/review plugin: there are no approvals to compare with")
    catalog = site_catalog(layout)
    try:
        current = parse_article(decode_source(file.read_bytes(), path), path)
    except OSError as e:
        raise PreviewError(f"{path}: cannot read ({e.strerror})") from None
    report, sources = assess_file(current, file, layout, catalog, board, today_utc())
    now = Version(current, sources, catalog_for(current, file, layout, catalog))
    if report.state.effective is Effective.APPROVED:
        return f"{path}: no changes: the current text is the approved one"
    try:
        with open_history(layout.root, path) as history:
            found = approved_version(file, report, layout, catalog, board, history)
    except HistoryUnavailable as e:
        raise PreviewError(str(e)) from None
    if found is None:
        return f"{path}: nothing to compare with: no committed version of it is approved text (it was never approved, or its approved text is not in git history)"
    then, _ = found
    return article_changes(_side(then), _side(now), path, layout.audience_labels)


def build_preview(config_file: Path, site_dir: Path) -> Path:
    """Build the reviewer's preview into ``site_dir``; the path of its home page."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    try:
        config = load_config(str(config_file), site_dir=str(site_dir))
    except ConfigurationError as e:
        raise PreviewError(f"{config_file}: {e}") from None
    review = config.plugins.get("medkb/review")
    if review is None:
        raise PreviewError(f"{config_file}: the site has no medkb/review plugin: there is nothing to preview for review")
    review.config["preview"] = True  # type: ignore[attr-defined]
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    except (PluginError, Abort, FrontMatterError) as e:
        raise PreviewError(str(e).strip() or "the preview build failed (see the messages above)") from None
    finally:
        config.plugins.on_shutdown()
    return site_dir / "index.html"
