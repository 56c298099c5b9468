"""The ``medkb/search`` MkDocs plugin: Pagefind's chunked index instead of Material's single file."""

from __future__ import annotations

import threading
from dataclasses import dataclass
import time
from pathlib import Path
from typing import Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from medkb.strict import StrictLogger
from medkb.theme import use_medkb_theme
from medkb.pages import page_source_path, set_context
from medkb.search.config import SearchConfig
from medkb.search.index import SearchIndexError, build_index, check_output_subdir, excluded, pagefind_executable

log = StrictLogger(__name__)


@dataclass(frozen=True)
class SearchView:
    """Data of ``partials/kb-search.html`` and the page's index marker."""

    index: bool
    """Whether this page goes into the index."""
    output_subdir: str
    results_per_page: int
    more_label: str


class SearchPlugin(BasePlugin[SearchConfig]):
    """Marks what each page contributes to search and runs Pagefind after the build.

    Defining ``on_startup`` keeps one instance for all of ``mkdocs serve``'s
    rebuilds, so one background indexer serves them all.
    """

    def __init__(self) -> None:
        self.command: str = "build"
        self.indexed = 0
        self._worker: threading.Thread | None = None
        self._pending: tuple[Path, str, list[str]] | None = None
        self._lock = threading.Lock()

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Remember whether this is mkdocs serve (index in the background) or a build."""
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Check the options and that Pagefind is installed; warn when Material's search runs too."""
        log.start_build()
        if not self.config.enabled:
            return None
        use_medkb_theme(config, "medkb/search")
        if self.config.results_per_page < 1:
            raise PluginError(f"medkb/search: results_per_page is {self.config.results_per_page}; it must be 1 or more")
        try:
            check_output_subdir(self.config.output_subdir)
            pagefind_executable()
        except SearchIndexError as e:
            raise PluginError(f"medkb/search: {e}") from None
        material = config.plugins.get("material/search") or config.plugins.get("search")
        if material is not None and getattr(material.config, "enabled", True):
            log.warning("medkb/search replaces the theme's search plugin, which still writes its single index: "
                        "remove 'search' from plugins in mkdocs.yml")
        self.indexed = 0
        return config

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        """Mark whether the page goes into the index (partials/content.html reads it)."""
        if not self.config.enabled:
            return None
        try:
            index = page.file.generated_by is None and not excluded(page.file.src_uri, page.meta, self.config.exclude)
        except ValueError as e:
            log.warning(f"{page_source_path(page, config)}: {e}; the page is indexed")
            index = True
        self.indexed += index
        set_context(context, "kb_search", self._view(index))
        return context

    def on_template_context(self, context: TemplateContext, /, *, template_name: str, config: MkDocsConfig) -> TemplateContext | None:
        """Give pages without a source (404.html) the search dialog too; they are not indexed."""
        if self.config.enabled:
            set_context(context, "kb_search", self._view(False))
        return context

    def _view(self, index: bool) -> SearchView:
        return SearchView(index, self.config.output_subdir, self.config.results_per_page, self.config.more_label)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Index the built site with Pagefind (in the background during mkdocs serve)."""
        log.check(config, "medkb/search")
        if not self.config.enabled:
            return
        site_dir = Path(config.site_dir)
        if self.command == "serve" and self.config.background_in_serve:
            self._schedule(site_dir)
            return
        try:
            report = build_index(site_dir, self.config.output_subdir, self.config.exclude_selectors)
        except SearchIndexError as e:
            raise PluginError(f"medkb/search: {e}") from None
        if report.pages == 0 and self.indexed:
            log.warning(f"{self.indexed} pages are marked for search but Pagefind indexed none: "
                        "does the theme's partials/content.html carry data-pagefind-body?")
        log.info(f"search: Pagefind indexed {report.pages} pages, {report.words} words")

    def _schedule(self, site_dir: Path) -> None:
        # One indexer at a time; builds that finish meanwhile ask for one more run.
        with self._lock:
            self._pending = (site_dir, self.config.output_subdir, list(self.config.exclude_selectors))
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(target=self._index_pending, name="medkb-search", daemon=True)
            self._worker.start()

    def _index_pending(self) -> None:
        while True:
            with self._lock:
                job, self._pending = self._pending, None
                if job is None:
                    return
            start = time.perf_counter()
            try:
                report = build_index(*job)
            except (SearchIndexError, OSError) as e:
                with self._lock:
                    superseded = self._pending is not None
                # A newer build (which may have cleaned the site) runs next.
                (log.debug if superseded else log.error)(f"medkb/search: {e}")
                continue
            log.info(f"search: Pagefind indexed {report.pages} pages in {time.perf_counter() - start:.1f} s")
