"""The ``medkb/review`` MkDocs plugin: validated articles, their review state, the board and the lists.

A thin adapter: articles are read by :mod:`medkb.articles`, assessed by
:func:`medkb.review.assess.assess_article` (the same pipeline as the
``medkb`` commands), and shown through the views of :mod:`medkb.review.view`
and :mod:`medkb.articles.lists`.
"""

from __future__ import annotations

import os
from urllib.parse import unquote
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from jinja2 import Environment
from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.templates import TemplateContext

from medkb.articles.browse import BrowsePage, count_topics, page_slice, plan_browse_pages
from medkb.articles.frontmatter import FrontMatterError, decode_source
from medkb.articles.generated import add_generated_page
from medkb.articles.lists import ArticleStatus, ArticleSummary, queue_order, summarize, topic_rows
from medkb.articles.model import Article, is_article
from medkb.articles.parsing import ArticleParser
from medkb.pages import (
    display_path,
    line_containing,
    locate,
    outside_site,
    page_limits,
    page_source_path,
    read_page_body,
    read_page_bytes,
    set_context,
)
from medkb.publishing import escaped_meta, refuse_inclusion, unsafe_site_files
from medkb.record import keep_record, page_record
from medkb.review.embedded import absent_fingerprint, file_fingerprint, local_sources, resolve_from, rewrite_sources
from medkb.review.assess import ArticleReport, ReviewRules, assess_article
from medkb.review.board import Board, load_board
from medkb.review.config import ReviewConfig
from medkb.review.changes import changes_html
from medkb.review.view import ReviewLabels, history_rows, medical_web_page, review_view
from medkb.review.published import APPROVED_FILES, BuildVersions
from medkb.review.versions import Revision
from medkb.review.workflow import ApprovedText, Effective, approved_text, today_utc
from medkb.safehtml import SafeHtmlExtension
from medkb.safelinks import SafeLinksExtension
from medkb.strict import StrictLogger
from medkb.theme import use_medkb_theme

log = StrictLogger(__name__)


class ReviewPlugin(BasePlugin[ReviewConfig]):
    """Validates article front matter, derives review states and feeds the review partials."""

    def __init__(self) -> None:
        self.board: Board | None = None
        self.files: Files | None = None
        self.reports: dict[str, ArticleReport] = {}
        self.pages: dict[str, Page] = {}
        self.safe_links: SafeLinksExtension | None = None
        self.safe_html: SafeHtmlExtension | None = None
        self._markdown: dict[str, str] = {}
        self._by_url: dict[str, File] | None = None
        self._file_prints: dict[str, str] = {}
        # Signature checks that succeeded in this process (mkdocs serve's
        # rebuilds keep the instance); never read from or written to disk.
        self.verified: set[str] = set()
        self._parser = ArticleParser()
        # Each article parsed in on_files, by file, with the SHA-256 of its
        # bytes (not the bytes: at 10,000 articles those are ~100 MB).
        self.preparsed: dict[str, tuple[str, Article]] = {}
        self._raw: dict[str, bytes] = {}
        self._rendered: dict[str, Article] = {}
        # Cited entries of each article as last rendered, by file digest:
        # `mkdocs serve --dirty` renders only changed files, and the state
        # of the others comes from here.
        self._last_rendered: dict[str, tuple[str, list[str | None]]] = {}
        self._last_docs_dir = ""
        self.browse_pages: dict[str, BrowsePage] = {}
        self._summaries: list[ArticleSummary] | None = None
        self._topic_rows: dict[str | None, list[ArticleSummary]] = {}
        self.labels: ReviewLabels | None = None
        # Stable versions (medkb.review.published): the revision being
        # rendered in place of a page's file, the approved copies of embedded
        # files that changed since (all, and those of the current render).
        self.versions = BuildVersions()
        self.current: dict[str, ArticleReport] = {}
        """Each article's report for its current text (``reports`` holds what readers get)."""
        self._revision_of: dict[str, Revision] = {}
        self._copies: dict[str, File] = {}
        self._made: list[File] = []
        self._config: MkDocsConfig | None = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Start a session; defining this keeps one instance across mkdocs serve's rebuilds."""
        self._last_rendered = {}
        self._parser.clear()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Check the settings, load the board, register safe links."""
        log.start_build()
        if not self.config.enabled:
            return None
        if config.docs_dir != self._last_docs_dir:
            self._last_rendered, self._last_docs_dir = {}, config.docs_dir
            self._parser.clear()
        use_medkb_theme(config, "medkb/review")
        refuse_inclusion(config)
        self.safe_links = SafeLinksExtension()
        self.safe_html = SafeHtmlExtension(mode=self.config.raw_html)
        config.markdown_extensions.extend([self.safe_links, self.safe_html])  # type: ignore[list-item]
        config.markdown_extensions.append(page_limits(config))  # type: ignore[arg-type]
        missing = sorted({e.value for e in Effective} - set(self.config.status_labels))
        if missing:
            raise PluginError(f"medkb/review: status_labels needs a label for {', '.join(missing)}")
        if self.config.approvals_required < 1:
            raise PluginError("medkb/review: approvals_required must be 1 or more")
        if self.config.browse_page_size < 1:
            raise PluginError("medkb/review: browse_page_size must be 1 or more")
        for option in ("browse_dir", "changes_dir", "board_page", "review_queue_page"):
            # Generated pages are written where these say: never outside the site.
            value = str(self.config[option])
            parts = PurePosixPath(value.replace("\\", "/")).parts
            if not value.strip("/") or value.startswith("/") or ".." in parts:
                raise PluginError(f"medkb/review: {option} {value!r} must be a folder or page inside docs_dir (relative, without '..')")
        c = self.config
        self.labels = ReviewLabels(
            c.board_line_title, c.board_line_text, c.tracker_title, c.updated_label, c.policy_label, c.pending_banner,
            c.date_format, dict(c.status_labels), c.reviewed_by_label, c.due_label, c.overdue_label, c.changes_title,
        )
        root = Path(os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml")))
        real = outside_site(str(root / c.board), config)
        if real is not None:
            raise PluginError(f"{c.board}: a symbolic link to {real}, outside the site's folder; the board must be a file of the site")
        try:
            self.board = load_board(root / c.board, c.board, c.require_signatures)
        except FrontMatterError as e:
            raise PluginError(str(e)) from None
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Add the board, queue and browse pages the site does not write; parse every article once."""
        if not self.config.enabled:
            return None
        unsafe = unsafe_site_files(files, config)
        # The approved versions of changed figures are published there: a file
        # of docs_dir in their place would be shown as approved.
        unsafe += [f"{f.src_uri}: {APPROVED_FILES}/ is medkb's (approved versions of changed files); move it elsewhere"
                   for f in files if f.src_uri == APPROVED_FILES or f.src_uri.startswith(APPROVED_FILES + "/")]
        if unsafe:
            raise PluginError("medkb/review: files of docs_dir that must not be published:\n" + "\n".join(unsafe))
        add_generated_page(files, config, self.config.board_page, self.config.board_line_title)
        add_generated_page(files, config, self.config.review_queue_page, self.config.review_queue_title)
        self.files, self._config = files, config
        self.reports, self.pages, self._rendered, self._raw, self.browse_pages = {}, {}, {}, {}, {}
        self.current, self._copies = {}, {}
        self._summaries, self._topic_rows = None, {}
        self._by_url, self._file_prints = None, {}
        # Before any page is read: browse pages depend on how many articles
        # and topics there are, and a dirty build lists articles it does not render.
        self.preparsed = {}
        for file in files.documentation_pages():
            if is_article(file.src_uri, self.config.articles_dir):
                path = display_path(file.abs_src_path, config) or file.src_uri
                try:
                    self.preparsed[file.src_uri] = self._parser.parse(file.src_uri, file.content_bytes, path)
                except FrontMatterError as e:
                    raise PluginError(str(e)) from None
        if self.config.unapproved == "hide" and not self.config.preview:
            self._hide_never_approved(files)
        if self.config.browse:
            for browse_page in self._browse_plan([article.tags for _, article in self.preparsed.values()]):
                self.browse_pages[browse_page.src_uri] = browse_page
                add_generated_page(files, config, browse_page.src_uri, self._browse_title(browse_page))
        return files

    def _browse_plan(self, tags: list[list[str]]) -> list[BrowsePage]:
        return plan_browse_pages(
            self.config.browse_dir, len(tags), count_topics(tags), self.config.browse_page_size,
            index_title=self.config.browse_title, az_title=self.config.browse_az_title,
        )

    def _browse_title(self, browse_page: BrowsePage) -> str:
        if browse_page.number > 1:
            return self.config.browse_page_title.replace("{title}", browse_page.title).replace("{number}", str(browse_page.number))
        return browse_page.title

    def _replan_browse(self, files: Files, config: MkDocsConfig) -> None:
        # The browse pages were planned from the current texts; readers get
        # the published versions, whose tags may differ (a pending edit's
        # new tag must not become a page, an approved tag it removed must
        # keep its own). Usually nothing changes.
        plan = {b.src_uri: b for b in self._browse_plan([r.article.tags for r in self.reports.values()])}
        if plan.keys() == self.browse_pages.keys() and all(plan[k].title == b.title for k, b in self.browse_pages.items()):
            return
        from medkb.review.published import render_page

        for src_uri in set(self.browse_pages) - set(plan):
            file = files.get_file_from_path(src_uri)
            if file is not None and file.generated_by is not None:
                files.remove(file)
        for src_uri, browse_page in plan.items():
            if src_uri not in self.browse_pages and files.get_file_from_path(src_uri) is None:
                add_generated_page(files, config, src_uri, self._browse_title(browse_page))
                file = files.get_file_from_path(src_uri)
                assert file is not None
                render_page(Page(None, file, config), config, files)
        self.browse_pages = plan

    def _hide_never_approved(self, files: Files) -> None:
        # No approval that could be published, whatever the text: not a page
        # at all, so no list counts it and no link to it goes unnoticed.
        assert self.board is not None
        for src_uri, (_, article) in list(self.preparsed.items()):
            if self.approved_text(article) is None:
                file = files.get_file_from_path(src_uri)
                if file is not None:
                    files.remove(file)
                del self.preparsed[src_uri]

    def approved_text(self, article: Article) -> ApprovedText | None:
        """What the article's last approvals approve, under this site's rules (:func:`medkb.review.workflow.approved_text`)."""
        assert self.board is not None
        return approved_text(article, self.board, require_signatures=self.config.require_signatures,
                             approvals_required=self.config.approvals_required, verified=self.verified)

    def on_page_read_source(self, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """Read the page ourselves: MkDocs' reader fails on bad UTF-8 with a traceback; ours names file and line."""
        if not self.config.enabled:
            return None
        revision = self._revision_of.get(page.file.src_uri)
        try:
            # An approved revision being rendered in place of the file (on_env).
            raw = revision.data if revision is not None else read_page_bytes(page)
            self._raw[page.file.src_uri] = raw
            return decode_source(raw, page_source_path(page, config))
        except FrontMatterError as e:
            raise PluginError(str(e)) from None

    # Before every other medkb plugin (default 0, audience 90, disclaimer 50):
    # they read the validated article, whose body replaces what MkDocs'
    # lenient meta reader left.
    @event_priority(100)
    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Validate the page's front matter and put the article in its record; return the body to render."""
        if not self.config.enabled:
            return None
        path = page_source_path(page, config)
        raw = self._raw.pop(page.file.src_uri, None) or read_page_bytes(page)
        try:
            if not is_article(page.file.src_uri, self.config.articles_dir):
                body = read_page_body(page, path, raw)
                page.meta = escaped_meta(page.meta, path)
                page_record(page).is_article = False
                self._markdown[page.file.src_uri] = body
                return body
            _, article = self._parser.parse(page.file.src_uri, raw, path)
        except FrontMatterError as e:
            raise PluginError(str(e)) from None
        self._rendered[page.file.src_uri] = article
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
        record.revision = self._revision_of.get(page.file.src_uri)
        self._markdown[page.file.src_uri] = article.body
        return article.body

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Warn, with file and line, about links and markup the safe-links and safe-HTML extensions removed."""
        if self.config.enabled and self.safe_links is not None:
            for url in self.safe_links.removed:
                log.warning(f"{page_source_path(page, config)}: link to {url!r} removed; only http(s), mailto and relative links are allowed")
        record = page_record(page)
        if self.config.enabled and record.is_article:
            record.embedded, html = self._embedded(html, page, files)
        if self.config.enabled and self.safe_html is not None:
            markdown = self._markdown.pop(page.file.src_uri, "")
            for problem in self.safe_html.state.problems:
                log.warning(f"{locate(page, config, markdown, line_containing(markdown, problem.needle, problem.in_attributes))}: {problem.message}")
        return html

    def _embedded(self, html: str, page: Page, files: Files) -> tuple[list[str], str]:
        # The files the rendered page embeds, found by their URL (MkDocs has
        # made the addresses relative to the page's URL by now).
        record = page_record(page)
        record.embedded_files = []
        addresses = local_sources(html)
        if not addresses:
            return [], html
        if self._by_url is None:
            # MkDocs percent-encodes URLs; the addresses found are decoded.
            self._by_url = {unquote(f.url).strip("/"): f for f in files if f.abs_src_path is not None}
        revision = record.revision
        found, moved = [], {}
        for address in addresses:
            target = self._by_url.get(resolve_from(page.url[: page.url.rfind("/")], address))
            if target is None or target.abs_src_path is None:
                continue
            record.embedded_files.append(target.abs_src_path)
            if revision is not None:
                # An approved revision shows the file as it was then; when it
                # has changed since, that version is published beside it.
                data = revision.read(Path(target.abs_src_path))
                if data is None:
                    # Added since: not what was approved, and it cannot be left
                    # out of the page; this revision is not the approved text.
                    found.append(absent_fingerprint(target.src_uri))
                    continue
                found.append(file_fingerprint(target.src_uri, data))
                if not revision.unchanged(Path(target.abs_src_path)):
                    copy = self._approved_copy(target, data, revision)
                    moved[address] = get_relative_url(copy.url, page.url)
                continue
            # A figure shared by many articles is read once per build.
            if target.src_uri not in self._file_prints:
                with open(target.abs_src_path, "rb") as f:
                    self._file_prints[target.src_uri] = file_fingerprint(target.src_uri, f.read())
            found.append(self._file_prints[target.src_uri])
        return found, rewrite_sources(html, moved)

    def _approved_copy(self, target: File, data: bytes, revision: Revision) -> File:
        # The approved bytes of a file that changed since, under a name of
        # their own (kept for the build only if the revision is published).
        src_uri = f"{APPROVED_FILES}/{revision.commit[:12]}/{target.src_uri}"
        copy = self._copies.get(src_uri)
        if copy is None:
            assert self._config is not None
            copy = self._copies[src_uri] = File.generated(self._config, src_uri, content=data)
        self._made.append(copy)
        return copy

    def hide(self, src_uri: str, files: Files) -> None:
        """Leave an article out of the site, its lists, search and sitemap (``unapproved: hide``)."""
        file = files.get_file_from_path(src_uri)
        if file is not None:
            files.remove(file)
        for known in (self.reports, self.current, self.pages, self._rendered):
            known.pop(src_uri, None)  # type: ignore[attr-defined]

    # Before Material's tags plugin (100) lists tags: a page published as its
    # approved revision is rendered again here, with that revision's tags.
    @event_priority(150)
    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment | None:
        """Assess every article, now that every page is rendered and its citations are known."""
        if not self.config.enabled or self.board is None:
            return None
        cited: dict[str, list[str | None]] = {}
        for src_uri, article in self._rendered.items():
            record = page_record(self.pages[src_uri])
            cited[src_uri] = [*record.cited_fingerprints, *record.embedded]
            parsed = self.preparsed.get(src_uri)
            if parsed is not None:
                self._last_rendered[src_uri] = (parsed[0], cited[src_uri])
        articles = dict(self._rendered)
        self._add_unrendered(files, config, articles, cited)
        rules = self._rules()
        today = today_utc()
        for src_uri, article in articles.items():
            self.reports[src_uri] = assess_article(article, cited[src_uri], self.board, rules, today=today, verified=self.verified)
        self.current = dict(self.reports)
        if self.config.publish == "approved" or self.config.preview:
            self.versions.publish(self, files, config, today)
            if self.config.browse:
                self._replan_browse(files, config)
        for report in self.reports.values():
            for problem in report.problems:
                log.warning(str(problem))
        return None

    def _rules(self) -> ReviewRules:
        return ReviewRules(self.config.require_signatures, self.config.approvals_required, self.config.publish)

    def _add_unrendered(
        self, files: Files, config: MkDocsConfig, articles: dict[str, Article], cited: dict[str, list[str | None]]
    ) -> None:
        # A dirty build skipped the articles whose files did not change. Those
        # rendered earlier in this process with the same bytes are known;
        # the others are rendered now (Markdown only: their pages are not
        # written again), so every list stays complete and every state exact.
        for src_uri, (sha, article) in self.preparsed.items():
            if src_uri in articles:
                continue
            last = self._last_rendered.get(src_uri)
            file = files.get_file_from_path(src_uri)
            if file is None or file.page is None:
                continue
            if last is None or last[0] != sha:
                # MkDocs' own page pipeline (every plugin's page events), as a
                # full build runs it; MkDocs 1.6 has no public name for it.
                from mkdocs.commands.build import _populate_page

                _populate_page(file.page, config, files, dirty=False)
                rendered = self._rendered.get(src_uri)
                if rendered is None:
                    continue
                record = page_record(file.page)
                last = (sha, [*record.cited_fingerprints, *record.embedded])
                self._last_rendered[src_uri] = last
                article = rendered
            articles[src_uri] = article
            self.pages[src_uri] = file.page
            cited[src_uri] = last[1]

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Fail a strict build on medkb/review's warnings."""
        log.check(config, "medkb/review")

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        """Hand each page its views: the review header and JSON-LD, or the board, queue, browse and home lists."""
        if not self.config.enabled or self.files is None or self.board is None or self.labels is None:
            return None
        src = page.file.src_uri
        report = self.reports.get(src)
        if self.config.preview:
            set_context(context, "kb_preview", {"banner": self.config.preview_banner})
        if report is not None:
            board_url = self._url(self.config.board_page, page)
            extra: dict[str, Any] = {}
            if src in self.versions.published:
                extra["revision_notice"] = self.config.revision_notice
            if self.config.review_history:
                extra["history"] = history_rows(report.state, self.board, self.config.date_format, board_url, self.config.history_labels)
                extra["history_title"] = self.config.review_history_title
            if src in self.versions.changes_pages:
                extra["changes_url"] = self._url(self.versions.changes_pages[src], page)
            view = review_view(report.article, report.state, self.labels, board_url, self._url(self.config.editorial_policy, page), **extra)
            set_context(context, "kb_review", view)
            set_context(context, "kb_tag_links", self._tag_links(report.article.tags, page))
            url = (config.site_url or "").rstrip("/") + "/" + page.url if config.site_url else None
            record = page_record(page)
            jsonld = medical_web_page(report.article, report.state, self.board, url, record.audience_labels, record.recommendations)
            set_context(context, "kb_jsonld", Markup(jsonld))
        if src == self.config.board_page:
            set_context(context, "kb_board", {"members": self._members(page), "labels": self.labels})
        if src == self.config.review_queue_page:
            rows = self._linked(queue_order(self._queue_summaries()), page)
            changes = {a: self._url(c, page) for a, c in self.versions.changes_pages.items()}
            set_context(context, "kb_queue", {"articles": rows, "labels": self.labels, "changes": changes})
        article_src = self.versions.changes_of.get(src)
        if article_src is not None:
            changes = self.versions.changes[article_src]
            set_context(context, "kb_changes", {
                "changes": changes, "article_url": self._url(article_src, page), "html": Markup(changes_html(changes.body)), "labels": self.labels,
            })
        browse_page = self.browse_pages.get(src)
        if browse_page is not None:
            set_context(context, "kb_browse", self._browse_view(browse_page, page))
        if page.is_homepage:
            set_context(context, "kb_article_list", {"articles": self._linked(self._all_summaries(), page), "labels": self.labels})
        return context

    def _url(self, src_uri: str, page: Page) -> str | None:
        assert self.files is not None
        target = self.files.get_file_from_path(src_uri)
        return get_relative_url(target.url, page.url) if target is not None else None

    def _all_summaries(self) -> list[ArticleSummary]:
        # Built once per build, after on_env has settled every state; each
        # list page then links only the rows it shows (no page x article work).
        if self._summaries is None:
            labels = self.config.status_labels
            statuses = {
                src: ArticleStatus(r.state.effective.value, labels[r.state.effective.value], r.state.due, r.state.overdue)
                for src, r in self.reports.items()
            }
            self._summaries = summarize({src: r.article for src, r in self.reports.items()}, statuses)
        return self._summaries

    def _queue_summaries(self) -> list[ArticleSummary]:
        # The queue tells each article's current state (changes pending...)
        # under the title readers get.
        labels = self.config.status_labels
        statuses = {
            src: ArticleStatus(r.state.effective.value, labels[r.state.effective.value], r.state.due, r.state.overdue)
            for src, r in self.current.items() if src in self.reports
        }
        return summarize({src: r.article for src, r in self.reports.items()}, statuses)

    def _linked(self, rows: list[ArticleSummary], page: Page) -> list[tuple[ArticleSummary, str]]:
        return [(s, get_relative_url(self.pages[s.src_uri].url, page.url)) for s in rows]

    def _tag_links(self, tags: list[str], page: Page) -> list[tuple[str, str]]:
        # Each tag chip leads to its browse page (partials/kb-tags.html).
        firsts = {b.topic: b.src_uri for b in self.browse_pages.values() if b.kind == "topic" and b.number == 1}
        return [(tag, self._url(firsts[tag], page)) for tag in tags if tag in firsts]  # type: ignore[misc]

    def _browse_view(self, browse_page: BrowsePage, page: Page) -> dict[str, Any]:
        view: dict[str, Any] = {"kind": browse_page.kind, "labels": self.labels}
        index = next((b for b in self.browse_pages.values() if b.kind == "index"), None)
        if index is not None and browse_page.kind != "index":
            view["back"] = (index.title, self._url(index.src_uri, page))  # the way back to all lists
        same_list = [b for b in self.browse_pages.values() if b.kind == browse_page.kind and b.topic == browse_page.topic]
        view["pager"] = [(b.number, self._url(b.src_uri, page), b.number == browse_page.number) for b in same_list]
        if browse_page.kind == "index":
            firsts = [b for b in self.browse_pages.values() if b.number == 1 and b.kind != "index"]
            counts = count_topics(r.article.tags for r in self.reports.values())
            view["lists"] = [
                (b.title, self._url(b.src_uri, page), len(self.reports) if b.kind == "a-z" else counts.get(b.topic or "", 0))
                for b in firsts
            ]
            return view
        rows = self._topic_rows.get(browse_page.topic)
        if rows is None:
            rows = self._topic_rows[browse_page.topic] = topic_rows(
                self._all_summaries(), {src: r.article for src, r in self.reports.items()}, browse_page.topic
            )
        shown = page_slice(rows, browse_page.number, self.config.browse_page_size)  # type: ignore[arg-type]
        view["items"] = self._linked(shown, page)  # type: ignore[arg-type]
        return view

    def _members(self, page: Page) -> list[tuple[Any, list[tuple[str, str]]]]:
        assert self.board is not None
        approved: dict[str, list[tuple[str, str]]] = {m: [] for m in self.board.members}
        for src, report in self.reports.items():
            if report.state.effective is Effective.APPROVED:
                for approval in report.state.approvals:
                    approved[approval.by].append((report.article.title, get_relative_url(self.pages[src].url, page.url)))
        return [(member, sorted(approved[member.id])) for member in self.board.members.values()]
