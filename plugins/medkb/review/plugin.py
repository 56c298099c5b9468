"""The ``medkb/review`` MkDocs plugin: validated articles and their review header."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from medkb.article import Article, is_article, parse_article
from medkb.frontmatter import FrontMatterError, decode_source
from medkb.pages import page_source_path, read_page_body, read_page_bytes
from medkb.review.config import ReviewConfig
from medkb.review.view import review_view

log = get_plugin_logger(__name__)


class ReviewPlugin(BasePlugin[ReviewConfig]):
    """Validates article front matter and feeds the review header partial."""

    def __init__(self) -> None:
        self.articles: dict[str, Article] = {}
        self.files: Files | None = None

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        self.files = files
        self.articles = {}
        return files

    def on_page_read_source(self, /, *, page: Page, config: MkDocsConfig) -> str | None:
        # MkDocs' own read fails on bad UTF-8 with a traceback; ours names the
        # file and line, and drops a byte-order mark.
        if not self.config.enabled:
            return None
        try:
            return decode_source(read_page_bytes(page), page_source_path(page, config))
        except FrontMatterError as e:
            raise PluginError(str(e)) from None

    # Runs before every other medkb plugin: they all rely on the validated
    # article, whose body replaces what MkDocs' lenient meta reader left.
    @event_priority(100)
    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled:
            return None
        path = page_source_path(page, config)
        try:
            if not is_article(page.file.src_uri, self.config.articles_dir):
                return read_page_body(page, path)
            article = parse_article(decode_source(read_page_bytes(page), path), path)
        except FrontMatterError as e:
            raise PluginError(str(e)) from None
        for warning in article.warnings:
            log.warning(str(warning))
        self.articles[page.file.src_uri] = article
        page.meta = dict(article.meta)
        # MkDocs and Material print titles and descriptions without escaping;
        # Markup carries the escaped text and is not escaped a second time.
        page.meta["title"] = Markup(escape(article.title))
        if article.description is not None:
            page.meta["description"] = Markup(escape(article.description))
        page.meta["tags"] = article.tags
        page.meta["kb_article"] = article
        return article.body

    def on_page_context(
        self, context: dict[str, Any], /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> dict[str, Any] | None:
        if not self.config.enabled:
            return None
        article = self.articles.get(page.file.src_uri)
        if article is not None and self.files is not None:
            context["kb_review"] = review_view(article, self.config, page, self.files)
        return context
