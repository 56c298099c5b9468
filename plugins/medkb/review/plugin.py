"""The ``medkb/review`` MkDocs plugin: validated articles, their review state, the board."""

from __future__ import annotations

import hashlib
import html
import json
import os
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment
from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext
from mkdocs.utils import get_relative_url

from medkb.theme import use_medkb_theme
from medkb.article import Article, is_article, parse_article
from medkb.frontmatter import FrontMatterError, decode_source
from medkb.record import keep_record, page_record
from medkb.pages import display_path, page_source_path, read_page_body, read_page_bytes, set_context
from medkb.safelinks import SafeLinksExtension
from medkb.review.board import Board, load_board
from medkb.review.browse import BrowsePage, count_topics, page_slice, plan_browse_pages, sort_key
from medkb.review.config import ReviewConfig
from medkb.review.view import ArticleSummary, medical_web_page, page_url, review_view
from medkb.review.workflow import Effective, ReviewState, article_digest, review_state, today_utc

log = get_plugin_logger(__name__)


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


_QUEUE_ORDER = {"changes-pending": 0, "under-review": 1, "submitted": 2, "approved": 3}


class ReviewPlugin(BasePlugin[ReviewConfig]):
    """Validates article front matter, derives review states and feeds the review partials."""

    def __init__(self) -> None:
        self.articles: dict[str, Article] = {}
        self.pages: dict[str, Page] = {}
        self.states: dict[str, ReviewState] = {}
        self.board: Board | None = None
        self.files: Files | None = None
        self.safe_links: SafeLinksExtension | None = None
        self.verified: set[str] = set()
        # Each article parsed in on_files, with the SHA-256 of its file (not
        # the bytes: at 10,000 articles those would be ~100 MB held to the end).
        self.preparsed: dict[str, tuple[str, Article]] = {}
        self._raw: dict[str, bytes] = {}
        self.browse_pages: dict[str, BrowsePage] = {}
        self._verified_file: Path | None = None
        # Citation fingerprints of each article as last rendered, by the
        # digest of its file: `mkdocs serve --dirty` renders only the files
        # that changed, and the review state of the others comes from here.
        self._last_rendered: dict[str, tuple[str, list[str | None]]] = {}
        self._parse_memo: dict[str, tuple[str, Article]] = {}
        self._last_docs_dir = ""
        self._summary_cache: list[ArticleSummary] | None = None
        self._browse_cache: dict[str | None, list[ArticleSummary]] = {}

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Defining on_startup keeps this instance across mkdocs serve's rebuilds.
        self._last_rendered, self._parse_memo = {}, {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        if config.docs_dir != self._last_docs_dir:
            self._last_rendered, self._parse_memo, self._last_docs_dir = {}, {}, config.docs_dir
        use_medkb_theme(config, "medkb/review")
        self.safe_links = SafeLinksExtension()
        config.markdown_extensions.append(self.safe_links)  # type: ignore[arg-type]
        missing = sorted({e.value for e in Effective} - set(self.config.status_labels))
        if missing:
            raise PluginError(f"medkb/review: status_labels needs a label for {', '.join(missing)}")
        if self.config.approvals_required < 1:
            raise PluginError("medkb/review: approvals_required must be 1 or more")
        root = Path(os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml")))
        # Successful signature checks are remembered between builds, keyed by
        # the message, the signature and the member's key: never stale.
        self._verified_file = root / ".cache" / "medkb" / "verified-approvals.json"
        try:
            self.verified = set(json.loads(self._verified_file.read_text()))
        except (OSError, ValueError, TypeError):
            self.verified = set()
        try:
            self.board = load_board(root / self.config.board, self.config.board, self.config.require_signatures)
        except FrontMatterError as e:
            raise PluginError(str(e)) from None
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        # The board and review-queue pages are generated unless the site
        # writes its own (their lists are added either way).
        for src, title in ((self.config.board_page, self.config.board_line_title), (self.config.review_queue_page, self.config.review_queue_title)):
            if files.get_file_from_path(src) is None:
                # Outside the navigation unless the site lists it there.
                files.append(File.generated(config, src, content=f"# {html.escape(title)}\n", inclusion=InclusionLevel.NOT_IN_NAV))
        self.files = files
        self.articles, self.pages, self.states = {}, {}, {}
        self.preparsed, self.browse_pages, self._raw = {}, {}, {}
        self._summary_cache, self._browse_cache = None, {}
        self._preparse(files, config)
        if self.config.browse:
            self._plan_browse(files, config)
        return files

    def _preparse(self, files: Files, config: MkDocsConfig) -> None:
        # Every article is parsed here once, before any page is read: browse
        # pages depend on how many articles and topics there are, and a dirty
        # build lists articles it does not render. on_page_markdown reuses
        # the result for unchanged bytes.
        for file in files.documentation_pages():
            if not is_article(file.src_uri, self.config.articles_dir):
                continue
            raw = file.content_bytes
            sha = _sha256(raw)
            memo = self._parse_memo.get(file.src_uri)
            if memo is not None and memo[0] == sha:
                self.preparsed[file.src_uri] = memo  # unchanged since the last build (mkdocs serve)
                continue
            path = display_path(file.abs_src_path, config) or file.src_uri
            try:
                article = parse_article(decode_source(raw, path), path)
            except FrontMatterError as e:
                raise PluginError(str(e)) from None
            self.preparsed[file.src_uri] = self._parse_memo[file.src_uri] = (sha, article)

    def _plan_browse(self, files: Files, config: MkDocsConfig) -> None:
        if self.config.browse_page_size < 1:
            raise PluginError("medkb/review: browse_page_size must be 1 or more")
        tags = [article.tags for _, article in self.preparsed.values()]
        plan = plan_browse_pages(
            self.config.browse_dir, len(tags), count_topics(tags), self.config.browse_page_size,
            index_title=self.config.browse_title, az_title=self.config.browse_az_title,
        )
        for browse_page in plan:
            self.browse_pages[browse_page.src_uri] = browse_page
            if files.get_file_from_path(browse_page.src_uri) is None:
                title = browse_page.title + (f" (page {browse_page.number})" if browse_page.number > 1 else "")
                files.append(File.generated(config, browse_page.src_uri, content=f"# {html.escape(title)}\n", inclusion=InclusionLevel.NOT_IN_NAV))

    def on_page_read_source(self, /, *, page: Page, config: MkDocsConfig) -> str | None:
        # MkDocs' own read fails on bad UTF-8 with a traceback; ours names the
        # file and line, and drops a byte-order mark.
        if not self.config.enabled:
            return None
        try:
            raw = read_page_bytes(page)
            self._raw[page.file.src_uri] = raw
            return decode_source(raw, page_source_path(page, config))
        except FrontMatterError as e:
            raise PluginError(str(e)) from None

    # Runs before every other medkb plugin: they all rely on the validated
    # article, whose body replaces what MkDocs' lenient meta reader left.
    @event_priority(100)
    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled:
            return None
        path = page_source_path(page, config)
        # The bytes on_page_read_source read a moment ago, not another read.
        raw = self._raw.pop(page.file.src_uri, None) or read_page_bytes(page)
        try:
            if not is_article(page.file.src_uri, self.config.articles_dir):
                body = read_page_body(page, path, raw)
                page_record(page).is_article = False
                return body
            cached = self.preparsed.get(page.file.src_uri)
            article = cached[1] if cached and cached[0] == _sha256(raw) else parse_article(decode_source(raw, path), path)
        except FrontMatterError as e:
            raise PluginError(str(e)) from None
        for warning in article.warnings:
            log.warning(str(warning))
        self.articles[page.file.src_uri] = article
        self.pages[page.file.src_uri] = page
        page.meta = keep_record(page, article.meta)
        # MkDocs and Material print titles and descriptions without escaping;
        # Markup carries the escaped text and is not escaped a second time.
        page.meta["title"] = Markup(escape(article.title))
        if article.description is not None:
            page.meta["description"] = Markup(escape(article.description))
        page.meta["tags"] = [Markup(escape(tag)) for tag in article.tags]
        record = page_record(page)
        record.is_article, record.article = True, article
        return article.body

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.config.enabled and self.safe_links is not None:
            for url in self.safe_links.removed:
                log.warning(f"{page_source_path(page, config)}: link to {url!r} removed; only http(s), mailto and relative links are allowed")
        return None

    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
        # Every page is rendered now, so every article's citations are known.
        if not self.config.enabled or self.board is None:
            return None
        today = today_utc()
        fingerprints: dict[str, list[str | None]] = {}
        for src_uri in self.articles:
            # The citations plugin left the cited entries' fingerprints, from
            # the catalog the page used (its own bibliography: included).
            fingerprints[src_uri] = list(page_record(self.pages[src_uri]).cited_fingerprints)
            parsed = self.preparsed.get(src_uri)
            if parsed is not None:
                self._last_rendered[src_uri] = (parsed[0], fingerprints[src_uri])
        self._add_unrendered(files, fingerprints)
        for src_uri, article in self.articles.items():
            digest = article_digest(article, fingerprints[src_uri])
            state = review_state(
                article, self.board, digest, today=today,
                require_signatures=self.config.require_signatures, approvals_required=self.config.approvals_required,
                verified=self.verified,
            )
            for line, message in state.problems:
                log.warning(f"{article.path}:{line}: {message}" if line else f"{article.path}: {message}")
            self.states[src_uri] = state
        return None

    def _add_unrendered(self, files: Files, fingerprints: dict[str, list[str | None]]) -> None:
        # A dirty build skipped the articles whose files did not change; they
        # are the articles rendered before, with the same bytes.
        for src_uri, (sha, article) in self.preparsed.items():
            if src_uri in self.articles:
                continue
            last = self._last_rendered.get(src_uri)
            file = files.get_file_from_path(src_uri)
            if last is None or last[0] != sha or file is None or file.page is None:
                log.debug(f"{article.path}: not rendered in this build; left out of the lists")
                continue
            self.articles[src_uri] = article
            self.pages[src_uri] = file.page
            fingerprints[src_uri] = last[1]

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self._verified_file is None or not self.verified:
            return
        try:
            self._verified_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._verified_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(sorted(self.verified)))
            os.replace(tmp, self._verified_file)
        except OSError as e:
            log.info(f"could not write {self._verified_file}: {e}")

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        if not self.config.enabled or self.files is None or self.board is None:
            return None
        src = page.file.src_uri
        article, state = self.articles.get(src), self.states.get(src)
        if article is not None and state is not None:
            set_context(context, "kb_review", review_view(article, state, self.config, page, self.files))
            url = (config.site_url or "").rstrip("/") + "/" + page.url if config.site_url else None
            jsonld = medical_web_page(article, state, self.board, url, page_record(page).audience_labels)
            set_context(context, "kb_jsonld", Markup(jsonld))
        if src == self.config.board_page:
            set_context(context, "kb_board", {"members": self._members(page), "labels": self.config})
        if src == self.config.review_queue_page:
            set_context(context, "kb_queue", {"articles": self._summaries(page, queue=True), "labels": self.config})
        browse_page = self.browse_pages.get(src)
        if browse_page is not None:
            set_context(context, "kb_browse", self._browse_view(browse_page, page))
        if page.is_homepage:
            set_context(context, "kb_article_list", {"articles": self._summaries(page, queue=False), "labels": self.config})
        return context

    def _all_summaries(self) -> list[ArticleSummary]:
        # Built once per build, after on_env has settled every state; each
        # list page then links only the rows it shows (no page x article work).
        if self._summary_cache is None:
            self._summary_cache = [
                ArticleSummary(
                    src_uri=src,
                    title=article.title,
                    description=article.description,
                    status=state.effective.value,
                    status_label=self.config.status_labels[state.effective.value],
                    updated=article.review.updated,
                    due=state.due,
                    overdue=state.overdue,
                )
                for src, article in self.articles.items()
                if (state := self.states.get(src)) is not None
            ]
            self._summary_cache.sort(key=lambda s: s.title.lower())
        return self._summary_cache

    def _linked(self, rows: list[ArticleSummary], page: Page) -> list[tuple[ArticleSummary, str]]:
        return [(s, get_relative_url(self.pages[s.src_uri].url, page.url)) for s in rows]

    def _summaries(self, page: Page, queue: bool) -> list[tuple[ArticleSummary, str]]:
        rows = list(self._all_summaries())
        if queue:
            rows.sort(key=lambda s: (_QUEUE_ORDER[s.status], not s.overdue, s.updated))
        return self._linked(rows, page)

    def _browse_rows(self, topic: str | None) -> list[ArticleSummary]:
        rows = self._browse_cache.get(topic)
        if rows is None:
            rows = [s for s in self._all_summaries() if topic is None or topic in self.articles[s.src_uri].tags]
            rows.sort(key=lambda s: sort_key(s.title))
            self._browse_cache[topic] = rows
        return rows

    def _browse_view(self, browse_page: BrowsePage, page: Page) -> dict[str, Any]:
        assert self.files is not None
        size = self.config.browse_page_size
        view: dict[str, Any] = {"kind": browse_page.kind, "labels": self.config}
        same_list = [b for b in self.browse_pages.values() if b.kind == browse_page.kind and b.topic == browse_page.topic]
        view["pager"] = [(b.number, page_url(self.files, b.src_uri, page), b.number == browse_page.number) for b in same_list]
        if browse_page.kind == "index":
            firsts = [b for b in self.browse_pages.values() if b.number == 1 and b.kind != "index"]
            counts = count_topics(a.tags for a in self.articles.values())
            view["lists"] = [
                (b.title, page_url(self.files, b.src_uri, page), len(self.articles) if b.kind == "a-z" else counts.get(b.topic or "", 0))
                for b in firsts
            ]
            return view
        shown = page_slice(self._browse_rows(browse_page.topic), browse_page.number, size)  # type: ignore[arg-type]
        view["items"] = self._linked(shown, page)  # type: ignore[arg-type]
        return view

    def _members(self, page: Page) -> list[tuple[Any, list[tuple[str, str]]]]:
        assert self.board is not None
        approved: dict[str, list[tuple[str, str]]] = {m: [] for m in self.board.members}
        for src, state in self.states.items():
            if state.effective is Effective.APPROVED:
                for approval in state.approvals:
                    approved[approval.by].append((self.articles[src].title, get_relative_url(self.pages[src].url, page.url)))
        return [(member, sorted(approved[member.id])) for member in self.board.members.values()]






__all__ = ["ReviewPlugin", "page_url"]
