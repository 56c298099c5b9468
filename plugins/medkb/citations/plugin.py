"""The ``medkb/citations`` MkDocs plugin: ``[@key]`` numbered from BibTeX."""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from pybtex.plugin import PluginNotFound, find_plugin

from medkb.citations.bibliography import BibliographyError, load_bibliography
from medkb.citations.cache import catalog_key, load_catalog, save_catalog
from medkb.citations.config import CitationsConfig
from medkb.citations.extension import CitationsExtension
from medkb.citations.numbering import line_of_key
from medkb.citations.references import ReferenceCatalog
from medkb.pages import page_source_path, read_page_bytes

log = get_plugin_logger(__name__)


class CitationsPlugin(BasePlugin[CitationsConfig]):
    """Registers the citations extension and reports citation problems per page."""

    def __init__(self) -> None:
        self.catalog: ReferenceCatalog | None = None
        self.extension: CitationsExtension | None = None
        self.cited: dict[str, list[str]] = {}
        self._root = Path(".")
        self._page_source: tuple[str, str, int] | None = None
        self._key = ""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        if self.config.style != "vancouver":
            try:
                find_plugin("pybtex.style.formatting", self.config.style)
            except PluginNotFound:
                raise PluginError(
                    f"medkb/citations: style '{self.config.style}' is not a pybtex formatting style; "
                    "use vancouver, unsrt, plain, alpha or unsrtalpha"
                ) from None
        self._root = Path(os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml")))
        files = [Path(p) for p in self.config.bibliography]
        display = {f: _relative(f, self._root) for f in files}
        try:
            self.catalog, origin = load_catalog(files, self.config.style, self.config.type_labels, self._cache_dir(), display)
        except BibliographyError as e:
            raise PluginError(str(e)) from None
        self._key = catalog_key(files, self.config.style, self.config.type_labels)
        log.debug(f"bibliography: {len(self.catalog.bibliography.entries)} entries ({origin})")
        self.extension = CitationsExtension(
            self.catalog, compress=self.config.compress, heading=self.config.heading, marker=self.config.marker
        )
        config.markdown_extensions.append(self.extension)  # type: ignore[arg-type]
        self.cited = {}
        return config

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled or self.extension is None or self.catalog is None:
            return None
        self.extension.catalog = self._catalog_for(page, config)
        path = page_source_path(page, config)
        # Where the body starts in the file, to turn a problem into a line.
        raw = read_page_bytes(page).decode("utf-8-sig", "replace").replace("\r\n", "\n")
        index = raw.find(markdown) if markdown else -1
        offset = raw.count("\n", 0, index) + 1 if index >= 0 else 1
        self._page_source = (path, markdown, offset)
        return None

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled or self.extension is None or self._page_source is None:
            return None
        path, markdown, offset = self._page_source
        state = self.extension.state
        for problem in state.problems:
            line = line_of_key(markdown, problem.key)
            where = f"{path}:{offset + line - 1}" if line else path
            log.warning(f"{where}: {problem.message}")
        self.cited[page.file.src_uri] = list(state.order)
        page.meta["kb_citations"] = list(state.order)
        return None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self.catalog is None:
            return
        cache_dir = self._cache_dir()
        if cache_dir is not None:
            try:
                save_catalog(self.catalog, self._key, cache_dir)
            except OSError as e:
                log.info(f"could not write the citations cache in {cache_dir}: {e}")

    def _cache_dir(self) -> Path | None:
        return self._root / self.config.cache_dir if self.config.cache_dir else None

    def _catalog_for(self, page: Page, config: MkDocsConfig) -> ReferenceCatalog:
        assert self.catalog is not None
        extra = page.meta.get("bibliography") if isinstance(page.meta, dict) else None
        if not extra:
            return self.catalog
        if isinstance(extra, str):
            extra = [extra]
        base = Path(page.file.abs_src_path or ".").parent
        files = [base / str(name) for name in extra]
        for file in files:
            if not file.is_file():
                raise PluginError(
                    f"{page_source_path(page, config)}: bibliography file '{_relative(file, self._root)}' does not exist "
                    "(paths are relative to the article)"
                )
        try:
            return self.catalog.with_bibliography(load_bibliography(files, {f: _relative(f, self._root) for f in files}))
        except BibliographyError as e:
            raise PluginError(str(e)) from None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)

