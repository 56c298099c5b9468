"""A knowledge base as the ``medkb`` commands see it: its layout, catalog and board.

The commands run the same pipeline as the review plugin: the article's
citations rendered with the site's Markdown extensions, then
:func:`medkb.review.assess.assess_article`. Only :func:`load_layout` reads
``mkdocs.yml`` (through MkDocs); everything else is plain Python.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown

from medkb.articles.frontmatter import FrontMatterError, decode_source
from medkb.articles.model import Article, parse_article
from medkb.audience.blocks import AudienceExtension
from medkb.citations.bibliography import load_bibliography
from medkb.citations.extension import CitationProblem, CitationsExtension
from medkb.citations.references import ReferenceCatalog, article_catalog
from medkb.limits import check_page
from medkb.review.embedded import absent_fingerprint, file_fingerprint, local_sources, resolve_from
from medkb.review.assess import ArticleReport, ReviewRules, assess_article, revision_digest
from medkb.review.board import Board, load_board
from medkb.review.versions import GitHistory, Revision, Search, find_approved_revision
from medkb.review.workflow import ApprovedText, approved_text

#: Reads a file as it was in a revision (``None``: it did not exist then).
Reader = Callable[[Path], "bytes | None"]


@dataclass
class SiteLayout:
    """The parts of ``mkdocs.yml`` that checking and reviewing need."""

    root: Path
    docs_dir: Path
    articles_dir: str = "articles"
    bibliography: list[Path] = field(default_factory=list)
    markdown_extensions: list[Any] = field(default_factory=list)
    mdx_configs: dict[str, Any] = field(default_factory=dict)
    citations: bool = True
    audiences: list[str] | None = None
    """The site's audience ids when it has ``medkb/audience`` (its blocks are rendered as a build does)."""
    board: Path | None = None
    rules: ReviewRules = field(default_factory=ReviewRules)

    def display(self, path: Path) -> str:
        """A path as editors see it: relative to the site's folder (absolute if outside it)."""
        rel = os.path.relpath(path, self.root)
        return path.as_posix() if rel.startswith("..") else Path(rel).as_posix()


@dataclass
class CitedSources:
    """What an article's body cites, as the site renders it."""

    keys: list[str] = field(default_factory=list)
    fingerprints: list[str | None] = field(default_factory=list)
    problems: list[CitationProblem] = field(default_factory=list)
    html: str = ""
    """The rendered body, when it cites or embeds anything (else empty)."""


def load_layout(config_file: Path) -> SiteLayout:
    """Read ``mkdocs.yml`` through MkDocs itself (plugins, extensions, paths)."""
    from mkdocs.config import load_config

    cfg = load_config(str(config_file))
    root = config_file.resolve().parent
    layout = SiteLayout(root=root, docs_dir=Path(cfg.docs_dir), markdown_extensions=list(cfg.markdown_extensions), mdx_configs=dict(cfg.mdx_configs))
    review = cfg.plugins.get("medkb/review")
    if review is not None:
        rc = review.config
        layout.articles_dir = rc.articles_dir  # type: ignore[attr-defined]
        layout.board = root / rc.board  # type: ignore[attr-defined]
        layout.rules = ReviewRules(rc.require_signatures, rc.approvals_required, rc.publish)  # type: ignore[attr-defined]
    audience = cfg.plugins.get("medkb/audience")
    if audience is not None and audience.config.enabled:  # type: ignore[attr-defined]
        layout.audiences = [a.id for a in audience.config.audiences]  # type: ignore[attr-defined]
    citations = cfg.plugins.get("medkb/citations")
    layout.citations = citations is not None and bool(citations.config.enabled)  # type: ignore[attr-defined]
    if citations is not None:
        layout.bibliography = [Path(p) for p in citations.config.bibliography]  # type: ignore[attr-defined]
    return layout


def site_catalog(layout: SiteLayout) -> ReferenceCatalog | None:
    """The references every page may cite; ``None`` when the site has no citations plugin."""
    if not layout.citations:
        return None
    return ReferenceCatalog(load_bibliography(layout.bibliography, {p: layout.display(p) for p in layout.bibliography}))


def site_board(layout: SiteLayout) -> Board | None:
    """The advisory board; ``None`` when the site has no review plugin."""
    if layout.board is None:
        return None
    return load_board(layout.board, layout.display(layout.board), layout.rules.require_signatures)


def cited_sources(body: str, layout: SiteLayout, catalog: ReferenceCatalog | None, path: str = "", body_line: int = 1) -> CitedSources:
    """Render the body's citations with the site's extensions, as a build does.

    A body over medkb's per-page budget raises :class:`FrontMatterError`
    naming ``path`` and the line, as the build stops on it.
    """
    # Rendered even without citations: the HTML tells which files the page
    # embeds (reference-style images have no tell-tale in the source).
    cites = catalog is not None and "[@" in body
    over = check_page(body.split("\n"))
    if over is not None:
        raise FrontMatterError(path or "page", body_line + over.line - 1 if over.line else None, str(over))
    extensions: list[Any] = list(layout.markdown_extensions)
    ext = CitationsExtension(catalog, render_references=lambda refs: "") if cites and catalog is not None else None
    if ext is not None:
        extensions.append(ext)
    if layout.audiences is not None:
        extensions.append(AudienceExtension(layout.audiences))
    md = markdown.Markdown(extensions=extensions, extension_configs=layout.mdx_configs)
    html = md.convert(body)
    if ext is None or catalog is None:
        return CitedSources(html=html)
    keys = list(ext.state.order)
    return CitedSources(keys, [catalog.fingerprint(k) for k in keys], list(ext.state.problems), html)



def embedded_files(sources: CitedSources, file: Path, layout: SiteLayout, read: Reader | None = None) -> list[str]:
    """Fingerprints of the files of docs_dir the article's rendered body embeds (a missing file is left to the build's warning).

    ``read``: the files as they were in a revision (the build resolves
    against the files that exist now, and so does this).
    """
    if not sources.html:
        return []
    docs = layout.docs_dir.resolve()
    try:
        folder = file.resolve().parent.relative_to(docs).as_posix()
    except ValueError:
        return []
    found = []
    for address in local_sources(sources.html):
        src_uri = resolve_from("" if folder == "." else folder, address)
        target = docs / src_uri
        if target.is_file():
            data = target.read_bytes() if read is None else read(target)
            found.append(file_fingerprint(src_uri, data) if data is not None else absent_fingerprint(src_uri))
    return found


def catalog_for(
    article: Article, file: Path, layout: SiteLayout, catalog: ReferenceCatalog | None, read: Reader | None = None,
) -> ReferenceCatalog | None:
    """The site's catalog plus the article's own ``bibliography:`` files (as they were in a revision, with ``read``)."""
    if catalog is not None and read is not None and not all(read(f) == f.read_bytes() for f in layout.bibliography):
        display = {p: layout.display(p) for p in layout.bibliography}
        catalog = ReferenceCatalog(load_bibliography(layout.bibliography, display, read), catalog.style, catalog.labels, catalog.cache)
    if catalog is None or not article.bibliography:
        return catalog
    return article_catalog(catalog, file.parent, article.bibliography, layout.display, read)


def assess_file(
    article: Article, file: Path, layout: SiteLayout, catalog: ReferenceCatalog | None, board: Board, today: Any,
) -> tuple[ArticleReport, CitedSources]:
    """The plugin's pipeline for one article file: its citations, then :func:`assess_article`."""
    sources = cited_sources(article.body, layout, catalog_for(article, file, layout, catalog), article.path, article.body_line)
    covered = [*sources.fingerprints, *embedded_files(sources, file, layout)]
    return assess_article(article, covered, board, layout.rules, today=today), sources


@dataclass
class Version:
    """One version of an article as the commands render it."""

    article: Article
    sources: CitedSources
    catalog: ReferenceCatalog | None
    revision: Revision | None = None


def approved_version(
    file: Path, report: ArticleReport, layout: SiteLayout, catalog: ReferenceCatalog | None, board: Board,
    history: GitHistory, search: Search | None = None,
) -> tuple[Version, ApprovedText] | None:
    """The approved revision of an article whose current text awaits review, as a build would publish it.

    ``None`` when nothing was ever approved or no committed version is the
    approved text; :class:`~medkb.review.versions.HistoryUnavailable` when
    the history is shallow and it was not found.
    """
    approved = approved_text(report.article, board, require_signatures=layout.rules.require_signatures,
                             approvals_required=layout.rules.approvals_required)
    if approved is None:
        return None
    found: dict[str, Version] = {}

    def digest_of(revision: Revision) -> str | None:
        try:
            article = parse_article(decode_source(revision.data, report.article.path), report.article.path)
            page_catalog = catalog_for(article, file, layout, catalog, revision.read)
            sources = cited_sources(article.body, layout, page_catalog, article.path, article.body_line)
        except FrontMatterError:
            return None
        found[revision.commit] = Version(article, sources, page_catalog, revision)
        return revision_digest(article, [*sources.fingerprints, *embedded_files(sources, file, layout, revision.read)], approved)

    revision = find_approved_revision(history, file, approved.digest, digest_of, report.article.path, search=search)
    return (found[revision.commit], approved) if revision is not None else None
