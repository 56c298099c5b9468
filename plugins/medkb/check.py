"""What ``medkb check`` verifies, as plain functions over a site's files."""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from medkb.articles.model import MARKDOWN_SUFFIXES, is_article, parse_article
from medkb.citations.bibliography import BibliographyError
from medkb.citations.numbering import line_of_key
from medkb.citations.references import ReferenceCatalog
from medkb.articles.frontmatter import FrontMatterError, decode_source, split_front_matter
from medkb.review.assess import ArticleReport, Problem, assess_article, settled_problems
from medkb.review.board import Board
from medkb.review.versions import GitHistory, HistoryUnavailable, Search, open_history
from medkb.review.workflow import Effective, ReviewState, approval_problems, approved_text, today_utc
from medkb.site import CitedSources, SiteLayout, approved_version, catalog_for, cited_sources, embedded_files, site_board, site_catalog


@dataclass
class CheckReport:
    """Problems (fail the check) and notes (informational), as ``path:line: message``."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checked: int = 0
    states: dict[str, ReviewState] = field(default_factory=dict)


def check_site(layout: SiteLayout, only: Iterable[Path] | None = None) -> CheckReport:
    """Validate articles and citations; list uncited entries when checking everything."""
    report = CheckReport()
    catalog: ReferenceCatalog | None = None
    try:
        catalog = site_catalog(layout)
    except BibliographyError as e:
        report.problems.append(str(e))
    board = None
    try:
        board = site_board(layout)
    except FrontMatterError as e:
        report.problems.append(str(e))
    docs = layout.docs_dir.resolve()
    pages = sorted(p for p in docs.rglob("*") if p.is_file() and p.name.lower().endswith(MARKDOWN_SUFFIXES)) if only is None else [p.resolve() for p in only]
    cited: set[str] = set()
    today = today_utc()
    histories = _Histories()
    try:
        _check_pages(layout, pages, docs, catalog, board, today, cited, histories, report)
    finally:
        histories.close()
    if catalog is not None and only is None:
        bib = catalog.bibliography
        for key, (bib_path, line) in sorted(bib.sources.items(), key=lambda kv: kv[1]):
            if key not in cited:
                report.notes.append(f"{bib_path}:{line}: note: entry '{bib.keys[key]}' is not cited by any page")
    return report


class _Histories:
    """The site's git history, opened when a pending article first needs it."""

    def __init__(self) -> None:
        self.history: GitHistory | None = None

    def close(self) -> None:
        if self.history is not None:
            self.history.close()

    def settle(self, file: Path, assessed: ArticleReport, layout: SiteLayout, catalog: ReferenceCatalog | None, board: Board, notes: list[str]) -> list[str]:
        """The problems of an article whose current text is not approved, as ``publish: approved`` builds it."""
        problems = [str(p) for p in assessed.problems]
        path = assessed.article.path
        if approved_text(assessed.article, board, require_signatures=layout.rules.require_signatures,
                         approvals_required=layout.rules.approvals_required) is None:
            # Never approved, or its last approvals do not hold: nothing to publish instead, no history needed.
            extra = [str(Problem(path, line, message)) for line, message in
                     approval_problems(assessed.article, board, require_signatures=layout.rules.require_signatures)]
            return problems + [p for p in extra if p not in problems]
        try:
            if self.history is None:
                self.history = open_history(layout.root, path)
            search = Search()
            found = approved_version(file, assessed, layout, catalog, board, self.history, search)
        except HistoryUnavailable as e:
            return [*problems, str(e)]
        except FrontMatterError as e:
            return [*problems, str(e)]
        if found is None:
            return [*problems, f"{path}: its approved text is in none of the {search.checked + search.skipped} committed versions "
                    "of the file; readers would get the current text: have a board member approve the current text"]
        version, _ = found
        assert version.revision is not None
        notes.append(f"{path}: note: readers get the approved version (commit {version.revision.short}); "
                     "the current text awaits review (medkb diff shows what changed)")
        return [str(p) for p in settled_problems(assessed)]


def _check_pages(
    layout: SiteLayout, pages: list[Path], docs: Path, catalog: ReferenceCatalog | None, board: Board | None,
    today: dt.date, cited: set[str], histories: _Histories, report: CheckReport,
) -> None:
    for file in pages:
        path = layout.display(file)
        src_uri = file.relative_to(docs).as_posix() if file.is_relative_to(docs) else file.name
        try:
            text = decode_source(file.read_bytes(), path)
            if not is_article(src_uri, layout.articles_dir):
                _, body, body_line = split_front_matter(text, path)
                sources = cited_sources(body, layout, catalog, path, body_line)
                report.problems.extend(_citation_problems(sources, body, body_line, path))
                cited.update(key.lower() for key in sources.keys)
                continue
            report.checked += 1
            art = parse_article(text, path)
            page_catalog = catalog_for(art, file, layout, catalog)
            sources = cited_sources(art.body, layout, page_catalog, path, art.body_line)
        except (FrontMatterError, BibliographyError) as e:
            report.problems.append(str(e))
            continue
        except OSError as e:
            report.problems.append(f"{path}: cannot read ({e.strerror})")
            continue
        cited.update(key.lower() for key in sources.keys)
        citation_problems = _citation_problems(sources, art.body, art.body_line, path)
        if board is None:
            report.problems.extend(str(w) for w in art.warnings)
            report.problems.extend(citation_problems)
            continue
        covered = [*sources.fingerprints, *embedded_files(sources, file, layout)]
        assessed = assess_article(art, covered, board, layout.rules, today=today)
        problems = [str(p) for p in assessed.problems]
        if layout.rules.publish == "approved" and assessed.state.effective is not Effective.APPROVED:
            problems = histories.settle(file, assessed, layout, catalog, board, report.notes)
        report.problems.extend(problems[: len(art.warnings)])
        report.problems.extend(citation_problems)
        report.problems.extend(problems[len(art.warnings):])
        report.states[path] = assessed.state
        if assessed.state.overdue:
            report.notes.append(f"{path}:{art.front_matter.line_of('review.due')}: warning: review overdue since {assessed.state.due}")


def _citation_problems(sources: CitedSources, body: str, body_line: int, path: str) -> list[str]:
    problems = []
    for problem in sources.problems:
        line = line_of_key(body, problem.key)
        problems.append(f"{path}:{body_line + line - 1}: {problem.message}" if line else f"{path}: {problem.message}")
    return problems


_STRICT_SUMMARY = re.compile(r"^medkb/[a-z]+: \d+ warning\(s\) in strict mode:")


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
    # The strict check repeats the build's warnings in one error (medkb.strict): shown once.
    return [m for m in handler.messages if not m.startswith(("Aborted with", "Error reading page")) and not _STRICT_SUMMARY.match(m)]
