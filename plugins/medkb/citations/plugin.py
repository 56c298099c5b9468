"""The ``medkb/citations`` MkDocs plugin: ``[@key]`` numbered from BibTeX."""

from __future__ import annotations

from collections.abc import Callable
import os
import posixpath
from pathlib import Path

from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext
from mkdocs.structure.toc import AnchorLink
from pybtex.plugin import PluginNotFound, find_plugin

from medkb.strict import StrictLogger
from medkb.theme import use_medkb_theme
from medkb.citations.bibliography import BibliographyError, load_bibliography
from medkb.citations.cache import load_catalog
from medkb.citations.cite_article import ArticleCitation, CiteView, bibtex_key, write_citation_files
from medkb.citations.config import CitationsConfig
from medkb.citations.extension import CitationsExtension
from medkb.citations.numbering import line_of_key
from medkb.citations.references import ReferenceCatalog, article_catalog
from medkb.citations.render import ReferenceEntry, ReferenceList, template_renderer
from medkb.pages import locate, outside_site, page_source_path, set_context
from medkb.record import page_record
from medkb.review.versions import Revision

log = StrictLogger(__name__)


class CitationsPlugin(BasePlugin[CitationsConfig]):
    """Registers the citations extension and reports citation problems per page."""

    def __init__(self) -> None:
        self.catalog: ReferenceCatalog | None = None
        self.extension: CitationsExtension | None = None
        self._root = Path(".")
        self._markdown = ""
        self._renderer: Callable[[ReferenceList], str] | None = None
        self._reported: set[tuple[str, str]] = set()
        self._cite_files: list[tuple[str, CiteView]] = []
        self._cite_names: set[tuple[str, str]] = set()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Load the bibliography and register the extension, rendering lists with the theme's partial."""
        log.start_build()
        self._reported = set()
        self._cite_files, self._cite_names = [], set()
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
        use_medkb_theme(config, "medkb/citations")
        self._root = Path(os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml")))
        files = [Path(p) for p in self.config.bibliography]
        _refuse_outside(files, config, self._root)
        display = {f: _relative(f, self._root) for f in files}
        try:
            self.catalog, origin = load_catalog(files, self.config.style, self.config.type_labels, display)
        except BibliographyError as e:
            raise PluginError(str(e)) from None
        log.debug(f"bibliography: {len(self.catalog.bibliography.keys)} entries ({origin})")
        self._renderer = None
        self.extension = CitationsExtension(
            self.catalog,
            compress=self.config.compress,
            marker=self.config.marker,
            heading=self.config.heading,
            number_label=self.config.number_label,
            missing_label=self.config.missing_label,
            back_label=self.config.back_label,
            back_section_label=self.config.back_section_label,
            # The theme's templates, so a site's custom_dir partial is used;
            # the environment is made on first use, when every plugin has
            # put its folders on the theme's path.
            render_references=lambda refs: self._render(config, refs),
        )
        config.markdown_extensions.append(self.extension)  # type: ignore[arg-type]
        return config

    def _render(self, config: MkDocsConfig, refs: ReferenceList) -> str:
        if self._renderer is None:
            self._renderer = template_renderer(config.theme.get_env())
        return self._renderer(refs)

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Choose the page's catalog (its own ``bibliography:`` files added) and remember its text for warnings."""
        if not self.config.enabled or self.extension is None or self.catalog is None:
            return None
        self.extension.catalog = self._catalog_for(page, config)
        self._markdown = markdown
        return None

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Warn about bad citations; record what the page cites; list the references in its TOC."""
        if not self.config.enabled or self.extension is None:
            return None
        state = self.extension.state
        for problem in state.problems:
            log.warning(f"{locate(page, config, self._markdown, line_of_key(self._markdown, problem.key))}: {problem.message}")
        self._report_bibliography_warnings(state.entries)
        record = page_record(page)
        record.cited_keys = list(state.order)
        record.catalog = self.extension.catalog
        # What an approval's digest covers, from this page's own catalog.
        record.cited_fingerprints = [self.extension.catalog.fingerprint(k) for k in state.order]
        anchor = state.references_anchor
        if anchor is not None:
            # The list is raw HTML to Python-Markdown: MkDocs learns its
            # anchors and its heading here.
            if page.present_anchor_ids is not None:
                page.present_anchor_ids.update([anchor, *(entry.anchor for entry in state.entries)])
            if page.toc is not None:
                # Material prints TOC titles unescaped.
                page.toc.items.append(AnchorLink(Markup(escape(self.config.heading)), anchor, 2))
        return None

    def _report_bibliography_warnings(self, entries: list[ReferenceEntry]) -> None:
        # What an entry's formatting could not show as written, once a build,
        # at the entry's file and line (the first page citing it shows it).
        assert self.extension is not None
        sources = self.extension.catalog.bibliography.sources
        for entry in entries:
            path, line = sources.get(entry.reference.key.lower(), ("?", 0))
            for warning in entry.reference.warnings:
                if (path, warning) not in self._reported:
                    self._reported.add((path, warning))
                    log.warning(f"{path}:{line}: {warning}")

    # After medkb/review (default priority), whose review header says which
    # text this is: the citation names that version.
    @event_priority(-10)
    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        """Give an article its "Cite this article" block and meta, and note its BibTeX and RIS files."""
        if not self.config.enabled or not self.config.cite_article:
            return None
        record = page_record(page)
        if not record.is_article or record.article is None:
            return None
        catalog = record.catalog if isinstance(record.catalog, ReferenceCatalog) else self.catalog
        references = [ref.text for ref in (catalog.lookup(k) for k in record.cited_keys) if ref is not None] if catalog else []
        revision = record.revision.short if record.revision is not None else None
        review = context.get("kb_review")
        article = record.article
        date_text = getattr(review, "updated_text", None) or article.review.updated.isoformat()
        if getattr(review, "status", "") == "approved" and getattr(review, "reviewed_on_text", None):
            version = f"{review.status_label}, {review.reviewed_on_text}"  # type: ignore[union-attr]
        else:
            version = f"{getattr(review, 'status_label', article.review.status.value)}, {date_text}"
        if revision:
            version += f", revision {revision}"
        # With use_directory_urls: false, articles of one folder share it:
        # "a b.md" and "a-b.md" must not write the same .bib.
        folder, key = posixpath.dirname(page.file.dest_path), bibtex_key(Path(page.file.src_uri).stem)
        n = 1
        while (folder, key if n == 1 else f"{key}-{n}") in self._cite_names:
            n += 1
        key = key if n == 1 else f"{key}-{n}"
        self._cite_names.add((folder, key))
        citation = ArticleCitation(
            key=key, title=article.title, site_name=config.site_name,
            author=config.site_author or config.site_name, date=article.review.updated, date_text=date_text,
            url=page.canonical_url if config.site_url else None, version=version, references=tuple(references),
        )
        c = self.config
        view = CiteView(
            citation, c.cite_heading, citation.text(c.cite_version_label, c.cite_available_label), c.cite_download_label,
            c.print_version_label, c.print_date_label,
        )
        set_context(context, "kb_cite", view)
        self._cite_files.append((page.file.dest_path, view))
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write each article's BibTeX and RIS files; stop a strict build that had citation warnings (also under ``-q``)."""
        if self.config.enabled:
            write_citation_files(Path(config.site_dir), self._cite_files)
        self._cite_files, self._cite_names = [], set()
        log.check(config, "medkb/citations")

    def _catalog_for(self, page: Page, config: MkDocsConfig) -> ReferenceCatalog:
        assert self.catalog is not None
        record = page_record(page)
        site_files = [str(Path(p)) for p in self.config.bibliography]
        extra = page.meta.get("bibliography") if isinstance(page.meta, dict) else None
        if isinstance(extra, str):
            extra = [extra]
        base = Path(page.file.abs_src_path or ".").parent
        files = [base / str(name) for name in extra or []]
        record.bibliography_files = [*site_files, *(str(f) for f in files)]
        # An approved revision being published: its sources as they were then.
        revision = record.revision
        read = None if revision is None else revision.read
        catalog = self.catalog if revision is None else self._catalog_at(revision)
        if not extra:
            return catalog
        _refuse_outside(files, config, self._root, page_source_path(page, config))
        for file in files:
            if not file.is_file() if read is None else read(file) is None:
                raise PluginError(
                    f"{page_source_path(page, config)}: bibliography file '{_relative(file, self._root)}' does not exist "
                    "(paths are relative to the article)"
                )
        try:
            return article_catalog(catalog, base, [str(name) for name in extra], lambda f: _relative(f, self._root), read)
        except BibliographyError as e:
            raise PluginError(str(e)) from None

    def _catalog_at(self, revision: Revision) -> ReferenceCatalog:
        # The site's bibliography in a commit of its history; the current
        # catalog when its files are unchanged since (the usual case).
        assert self.catalog is not None
        files = [Path(p) for p in self.config.bibliography]
        if all(revision.unchanged(f) for f in files):
            return self.catalog
        display = {f: _relative(f, self._root) for f in files}
        try:
            bib = load_bibliography(files, display, revision.read)
        except BibliographyError as e:
            raise PluginError(str(e)) from None
        return ReferenceCatalog(bib, self.catalog.style, self.catalog.labels, self.catalog.cache)


def _refuse_outside(files: list[Path], config: MkDocsConfig, root: Path, where: str = "medkb/citations") -> None:
    # A bibliography linked in from outside the site's folder would publish
    # whatever file the link names as references.
    for file in files:
        real = outside_site(str(file), config)
        if real is not None:
            raise PluginError(f"{where}: bibliography '{_relative(file, root)}' is a symbolic link to {real}, outside the site's folder")


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)

