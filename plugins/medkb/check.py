"""What ``medkb check`` verifies, as plain functions over a site's files."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown

from medkb.article import is_article, parse_article
from medkb.citations.bibliography import BibliographyError, load_bibliography
from medkb.citations.extension import CitationsExtension
from medkb.citations.numbering import line_of_key
from medkb.citations.references import ReferenceCatalog
from medkb.frontmatter import FrontMatterError, decode_source, split_front_matter
from medkb.review.board import load_board
from medkb.review.workflow import ReviewState, article_digest, review_state, today_utc


@dataclass
class SiteLayout:
    """The parts of ``mkdocs.yml`` that checking needs."""

    root: Path
    docs_dir: Path
    articles_dir: str = "articles"
    bibliography: list[Path] = field(default_factory=list)
    markdown_extensions: list[Any] = field(default_factory=list)
    mdx_configs: dict[str, Any] = field(default_factory=dict)
    citations: bool = True
    board: Path | None = None
    require_signatures: bool = True
    approvals_required: int = 1


@dataclass
class CheckReport:
    """Problems (fail the check) and notes (informational), as ``path:line: message``."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0
    states: dict[str, ReviewState] = field(default_factory=dict)


def load_layout(config_file: Path) -> SiteLayout:
    """Read ``mkdocs.yml`` through MkDocs itself (plugins, extensions, paths)."""
    from mkdocs.config import load_config

    cfg = load_config(str(config_file))
    root = config_file.resolve().parent
    layout = SiteLayout(
        root=root,
        docs_dir=Path(cfg.docs_dir),
        markdown_extensions=list(cfg.markdown_extensions),
        mdx_configs=dict(cfg.mdx_configs),
    )
    review = cfg.plugins.get("medkb/review")
    if review is not None:
        rc = review.config
        layout.articles_dir = rc.articles_dir  # type: ignore[attr-defined]
        layout.board = root / rc.board  # type: ignore[attr-defined]
        layout.require_signatures = rc.require_signatures  # type: ignore[attr-defined]
        layout.approvals_required = rc.approvals_required  # type: ignore[attr-defined]
    citations = cfg.plugins.get("medkb/citations")
    layout.citations = citations is not None and bool(citations.config.enabled)  # type: ignore[attr-defined]
    if citations is not None:
        layout.bibliography = [Path(p) for p in citations.config.bibliography]  # type: ignore[attr-defined]
    return layout


def _display(path: Path, root: Path) -> str:
    rel = os.path.relpath(path, root)
    return path.as_posix() if rel.startswith("..") else Path(rel).as_posix()



def cite(body: str, layout: SiteLayout, catalog: ReferenceCatalog) -> CitationsExtension:
    """Convert a body as the site does; the extension's state holds what it cites."""
    ext = CitationsExtension(catalog)
    md = markdown.Markdown(extensions=[*layout.markdown_extensions, ext], extension_configs=layout.mdx_configs)
    md.convert(body)
    return ext


def check_site(layout: SiteLayout, only: Iterable[Path] | None = None) -> CheckReport:
    """Validate articles and citations; list uncited entries when checking everything."""
    report = CheckReport()
    catalog: ReferenceCatalog | None = None
    if layout.citations:
        try:
            catalog = ReferenceCatalog(load_bibliography(layout.bibliography, {p: _display(p, layout.root) for p in layout.bibliography}))
        except BibliographyError as e:
            report.problems.append(str(e))
    docs = layout.docs_dir.resolve()
    pages = sorted(docs.rglob("*.md")) if only is None else [p.resolve() for p in only]
    cited: set[str] = set()
    board = None
    if layout.board is not None:
        try:
            board = load_board(layout.board, _display(layout.board, layout.root), layout.require_signatures)
        except FrontMatterError as e:
            report.problems.append(str(e))
    for file in pages:
        path = _display(file, layout.root)
        src_uri = file.relative_to(docs).as_posix() if file.is_relative_to(docs) else file.name
        art = None
        try:
            text = decode_source(file.read_bytes(), path)
            if is_article(src_uri, layout.articles_dir):
                report.checked += 1
                art = parse_article(text, path)
                report.problems.extend(str(w) for w in art.warnings)
                body, body_line, extra = art.body, art.body_line, art.bibliography
            else:
                _, body, body_line = split_front_matter(text, path)
                extra = []
        except FrontMatterError as e:
            report.problems.append(str(e))
            continue
        except OSError as e:
            report.problems.append(f"{path}: cannot read ({e.strerror})")
            continue
        keys: list[str] = []
        page_catalog = catalog
        if catalog is not None and "[@" in body:
            if extra:
                try:
                    page_catalog = catalog.with_bibliography(load_bibliography([file.parent / b for b in extra]))
                except BibliographyError as e:
                    report.problems.append(str(e))
                    continue
            assert page_catalog is not None
            ext = cite(body, layout, page_catalog)
            keys = list(ext.state.order)
            cited.update(key.lower() for key in keys)
            for problem in ext.state.problems:
                line = line_of_key(body, problem.key)
                report.problems.append(f"{path}:{body_line + line - 1}: {problem.message}" if line else f"{path}: {problem.message}")
        if art is not None and board is not None:
            prints = [page_catalog.fingerprint(k) for k in keys] if page_catalog is not None else []
            digest = article_digest(art, prints)
            state = review_state(
                art, board, digest, today=today_utc(),
                require_signatures=layout.require_signatures, approvals_required=layout.approvals_required,
            )
            report.problems.extend(f"{path}:{line}: {message}" if line else f"{path}: {message}" for line, message in state.problems)
            report.states[path] = state
            if state.overdue:
                report.notes.append(f"{path}:{art.front_matter.line_of('review.due')}: warning: review overdue since {state.due}")
    if catalog is not None and only is None:
        bib = catalog.bibliography
        for key, (bib_path, line) in sorted(bib.sources.items(), key=lambda kv: kv[1]):
            if key not in cited:
                report.notes.append(f"{bib_path}:{line}: note: entry '{bib.keys[key]}' is not cited by any page")
    return report


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        # Drop the plugin prefix ("medkb: ") so lines read path:line: message.
        self.messages.append(re.sub(r"^medkb: ", "", message))


def build_problems(config_file: Path) -> list[str]:
    """Build the site with ``--strict`` into a temporary folder; its warnings and errors.

    What only a build can show, such as an article page whose template drops
    a disclaimer, is found this way.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        with tempfile.TemporaryDirectory(prefix="medkb-check-") as out:
            try:
                build(load_config(str(config_file), site_dir=out, strict=True))
            except Abort:
                pass
    finally:
        logger.removeHandler(handler)
    return [m for m in handler.messages if not m.startswith(("Aborted with", "Error reading page"))]
