"""What the desk shows of articles: the queue and one article, as plain data.

Everything is computed by medkb's own pipeline (:func:`medkb.site.assess_file`,
the one assessment the build and ``medkb check`` use); this module only
arranges it for the templates. Values are plain strings and dates: the
templates escape them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from medkb.articles.frontmatter import FrontMatterError, decode_source
from medkb.articles.lists import QUEUE_ORDER
from medkb.articles.model import MARKDOWN_SUFFIXES, Article, parse_article
from medkb.citations.bibliography import BibliographyError
from medkb.citations.references import ReferenceCatalog
from medkb.review.actions import article_file
from medkb.review.apply import file_sha256
from medkb.review.assess import ArticleReport
from medkb.review.board import Board
from medkb.review.workflow import TRANSITIONS, HistoryEntry, WorkflowError
from medkb.site import SiteLayout, assess_file, catalog_for

#: What the desk calls each state an article can be in.
STATUS_LABELS = {
    "changes-pending": "Changes pending",
    "under-review": "Under review",
    "submitted": "Submitted",
    "approved": "Approved",
    "unreadable": "Cannot be read",
}

#: The moves the desk offers, in the order of its buttons: (``--to`` of medkb review, button label).
MOVE_LABELS = {"under-review": "Take under review", "returned": "Return to the editor", "approved": "Approve"}


class DeskError(ValueError):
    """A request the desk refuses, in plain words (shown to the reviewer; nothing written)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status the refusal is sent with."""


@dataclass(frozen=True)
class QueueRow:
    """One article in the queue."""

    ref: str
    """The article's path inside articles_dir (``x.md``), as the desk's addresses name it."""
    display: str
    title: str
    status: str
    status_label: str
    submitted_on: dt.date | None
    updated: dt.date | None
    due: dt.date | None
    overdue: bool
    last_status: str = ""
    last_by: str = ""
    last_on: dt.date | None = None
    problem: str = ""
    """Why the article cannot be read, for an unreadable one."""


@dataclass(frozen=True)
class HistoryRow:
    """One record of the review history."""

    status: str
    by: str
    by_name: str
    on: dt.date
    note: str
    counts: bool | None = None
    """For approvals: whether it approves the current text (``None`` for other records)."""


@dataclass(frozen=True)
class SourceRow:
    """A source the article cites, in citation order."""

    number: int
    key: str
    type_label: str
    text: str
    links: tuple[tuple[str, str], ...] = ()
    """``(label, address)``; only http and https addresses."""


@dataclass(frozen=True)
class Move:
    """A review action the article's status allows."""

    to: str
    label: str
    needs_key: bool


@dataclass
class ArticleDetail:
    """One article as the desk's article page shows it."""

    ref: str
    file: Path
    display: str
    src_uri: str
    """The article's path in docs_dir (what the built site's address is made from)."""
    title: str
    description: str
    status: str
    status_label: str
    updated: dt.date
    due: dt.date | None
    overdue: bool
    file_sha256: str
    digest: str
    history: list[HistoryRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    sources: list[SourceRow] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    raw: bytes = b""
    """The bytes shown (what ``file_sha256`` hashes)."""


def articles_folder(layout: SiteLayout) -> Path:
    """The site's articles folder (``docs_dir``/``articles_dir``)."""
    return (layout.docs_dir / layout.articles_dir) if layout.articles_dir.strip("/") else layout.docs_dir


def article_refs(layout: SiteLayout) -> list[str]:
    """Every Markdown file under the articles folder, as refs (``x.md``, ``sub/y.md``), sorted."""
    folder = articles_folder(layout)
    found = [p for p in folder.rglob("*") if p.name.lower().endswith(MARKDOWN_SUFFIXES) and (p.is_file() or p.is_symlink())]
    return sorted(p.relative_to(folder).as_posix() for p in found)


def resolve_ref(ref: str, layout: SiteLayout) -> Path:
    """The article file a ref names, resolved; :class:`DeskError` for anything but an article under articles_dir.

    The check is :func:`medkb.review.actions.article_file`'s (the one
    ``medkb review`` makes): the path is resolved, so ``..`` and symbolic
    links pointing out of the folder are refused.
    """
    pure = PurePosixPath(ref)
    if not ref or "\\" in ref or "\0" in ref or pure.is_absolute() or ".." in pure.parts:
        raise DeskError(f"{ref!r} is not an article: the desk opens Markdown files under {layout.display(articles_folder(layout))}/ only", 404)
    try:
        return article_file(articles_folder(layout) / pure, layout)
    except WorkflowError as e:
        raise DeskError(str(e), 404) from None


def _member_name(who: str, board: Board) -> str:
    member = board.member_for(who)
    return member.display if member is not None else who


def queue_rows(
    layout: SiteLayout, board: Board, catalog: ReferenceCatalog | None, today: dt.date,
    memo: dict[str, tuple[tuple[int, int], QueueRow]] | None = None,
) -> list[QueueRow]:
    """Every article, in the review queue's order: changes pending, under review, submitted, then approved.

    Within a status overdue articles come first, then the oldest update.
    Articles that cannot be read come before all others, with the reason.
    ``memo`` keeps each article's row by its file's size and modification
    time; the caller empties it when anything else an assessment reads
    changed (the bibliography, the board, the configuration, a figure) or the date.
    """
    rows: list[QueueRow] = []
    for ref in article_refs(layout):
        try:
            file = resolve_ref(ref, layout)
            stat = file.stat()
            known = memo.get(ref) if memo is not None else None
            if known is not None and known[0] == (stat.st_size, stat.st_mtime_ns):
                rows.append(known[1])
                continue
            article = parse_article(decode_source(file.read_bytes(), layout.display(file)), layout.display(file))
            report, _ = assess_file(article, file, layout, catalog, board, today)
        except (DeskError, FrontMatterError, BibliographyError, OSError) as e:
            message = e.strerror if isinstance(e, OSError) else str(e)
            rows.append(QueueRow(ref, ref, ref, "unreadable", STATUS_LABELS["unreadable"], None, None, None, False, problem=str(message)))
            continue
        row = _queue_row(ref, layout.display(file), article, report, board)
        if memo is not None:
            memo[ref] = ((stat.st_size, stat.st_mtime_ns), row)
        rows.append(row)
    return sorted(rows, key=lambda r: (r.status != "unreadable", QUEUE_ORDER.get(r.status, -1), not r.overdue, r.updated or dt.date.min))


def _queue_row(ref: str, display: str, article: Article, report: ArticleReport, board: Board) -> QueueRow:
    state = report.state
    submitted = next((e.on for e in reversed(state.history) if e.status == "submitted"), None)
    last = state.history[-1] if state.history else None
    return QueueRow(
        ref, display, article.title, state.effective.value, STATUS_LABELS[state.effective.value], submitted,
        article.review.updated, state.due, state.overdue,
        last_status=last.status if last else "", last_by=_member_name(last.by, board) if last else "", last_on=last.on if last else None,
    )


def article_detail(
    ref: str, layout: SiteLayout, board: Board, catalog: ReferenceCatalog | None, today: dt.date, require_signatures: bool,
) -> ArticleDetail:
    """The article ``ref`` names: its state, history, problems, cited sources and the moves its status allows.

    Raises :class:`DeskError` for a ref that is no article, and for a file
    that cannot be read or parsed (the message names the file and line).
    """
    file = resolve_ref(ref, layout)
    display = layout.display(file)
    try:
        raw = file.read_bytes()
        article = parse_article(decode_source(raw, display), display)
        page_catalog = catalog_for(article, file, layout, catalog)
        # assess_file adds the article's own bibliography itself (catalog_for).
        report, sources = assess_file(article, file, layout, catalog, board, today)
    except OSError as e:
        raise DeskError(f"{display}: cannot read ({e.strerror})", 500) from None
    except (FrontMatterError, BibliographyError) as e:
        raise DeskError(str(e), 422) from None
    state = report.state
    counted = {(a.on, a.digest, a.signature) for a in state.approvals}
    history = [_history_row(entry, board, counted) for entry in state.history]
    current = article.review.status.value
    moves = [
        Move(to, label, needs_key=to == "approved" and require_signatures)
        for to, label in MOVE_LABELS.items()
        if to in TRANSITIONS.get(current, frozenset())
    ]
    cited = []
    for number, key in enumerate(sources.keys, start=1):
        reference = page_catalog.lookup(key) if page_catalog is not None else None
        if reference is None:
            cited.append(SourceRow(number, key, "", f"unknown citation key '{key}'"))
            continue
        links = tuple((link.label, link.href) for link in reference.links if link.href.startswith(("https://", "http://")))
        cited.append(SourceRow(number, reference.key, reference.type_label, reference.text, links))
    docs = layout.docs_dir.resolve()
    src_uri = file.relative_to(docs).as_posix() if file.is_relative_to(docs) else file.name
    return ArticleDetail(
        ref=ref, file=file, display=display, src_uri=src_uri, title=article.title, description=article.description or "",
        status=state.effective.value, status_label=STATUS_LABELS[state.effective.value], updated=article.review.updated,
        due=state.due, overdue=state.overdue, file_sha256=file_sha256(raw), digest=report.digest, history=history,
        problems=[str(p) for p in report.problems], sources=cited, moves=moves, raw=raw,
    )


def _history_row(entry: HistoryEntry, board: Board, counted: set[tuple[dt.date, str, str]]) -> HistoryRow:
    counts = (entry.on, entry.digest, entry.signature) in counted if entry.status == "approved" else None
    return HistoryRow(entry.status, entry.by, _member_name(entry.by, board), entry.on, entry.note, counts)
