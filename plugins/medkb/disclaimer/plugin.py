"""The ``medkb/disclaimer`` MkDocs plugin: disclaimers and calls to action on every article."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from mkdocs.utils.templates import TemplateContext

from medkb.strict import StrictLogger
from medkb.theme import use_medkb_theme
from medkb.articles.model import is_article
from medkb.disclaimer.config import DisclaimerConfig
from medkb.disclaimer.selection import (
    DisclaimerError,
    DisclaimerSpec,
    build_specs,
    check_audiences,
    count_disclaimers,
    select_disclaimers,
)
from medkb.pages import page_source_path, set_context
from medkb.record import page_record

log = StrictLogger(__name__)


@dataclass(frozen=True)
class DisclaimerBlock:
    """One block as the ``kb-disclaimers`` partial shows it."""

    spec: DisclaimerSpec
    href: str | None


class DisclaimerPlugin(BasePlugin[DisclaimerConfig]):
    """Adds the configured blocks to pages and checks every built page carries them."""

    def __init__(self) -> None:
        self.specs: list[DisclaimerSpec] = []
        self.expected: dict[str, list[str]] = {}
        self.missing: list[str] = []
        self.files: Files | None = None
        self._audiences_checked = False

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Validate the configured blocks and render their bodies once."""
        log.start_build()
        if not self.config.enabled:
            return None
        use_medkb_theme(config, "medkb/disclaimer")
        # Only the extensions the site names: medkb's own carry per-page state.
        extensions = [e for e in config.markdown_extensions if isinstance(e, str)]
        try:
            self.specs = build_specs(self.config.disclaimers, None, extensions, config.mdx_configs)
        except DisclaimerError as e:
            raise PluginError(f"medkb/disclaimer: {e}") from None
        self.expected = {}
        self.missing = []
        self._audiences_checked = False
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Check that each block's link is a page of the site."""
        if self.config.enabled:
            self.files = files
            for spec in self.specs:
                if spec.link and not urlsplit(spec.link).scheme and files.get_file_from_path(spec.link.split("#")[0]) is None:
                    raise PluginError(f"medkb/disclaimer: disclaimer '{spec.name}': link {spec.link!r} is not a page of the site")
        return None

    # After medkb/review (100), which has read the article's front matter,
    # and medkb/audience (90), which has told the record the site's audiences.
    @event_priority(50)
    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Choose the page's blocks: by the site's rules and the article's ``disclaimers:`` requests."""
        if not self.config.enabled:
            return None
        record = page_record(page)
        if not self._audiences_checked and record.site_audiences is not None:
            try:
                check_audiences(self.specs, record.site_audiences)
            except DisclaimerError as e:
                raise PluginError(f"medkb/disclaimer: {e}") from None
            self._audiences_checked = True
        requested = page.meta.get("disclaimers") or []
        if isinstance(requested, str):
            requested = [requested]
        article = record.is_article if record.is_article is not None else is_article(page.file.src_uri, self.config.articles_dir)
        try:
            chosen = select_disclaimers(self.specs, page.file.src_uri, article, [str(r) for r in requested])
        except DisclaimerError as e:
            raise PluginError(f"{page_source_path(page, config)}: {e}") from None
        self.expected[page.file.src_uri] = [spec.name for spec in chosen]
        return None

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        """Hand the page's blocks, before and after the body, to ``partials/kb-disclaimers.html``."""
        if not self.config.enabled:
            return None
        names = set(self.expected.get(page.file.src_uri, []))
        blocks = [DisclaimerBlock(spec, self._href(spec, page)) for spec in self.specs if spec.name in names]
        set_context(
            context,
            "kb_disclaimers",
            {
                "before": [b for b in blocks if b.spec.position == "before"],
                "after": [b for b in blocks if b.spec.position == "after"],
            },
        )
        return context

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        """Count each expected block in the built page: a template that drops one fails the build."""
        if not self.config.enabled:
            return None
        for name in self.expected.get(page.file.src_uri, []):
            count = count_disclaimers(output, name)
            if count != 1:
                self.missing.append(
                    f"{page_source_path(page, config)}: the built page carries the '{name}' disclaimer {count} times, "
                    "not once; its template must include partials/kb-disclaimers.html"
                )
        return None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Fail the build, naming every page that lost a block."""
        log.check(config, "medkb/disclaimer")
        if self.config.enabled and self.missing:
            raise PluginError("medkb/disclaimer: pages without their disclaimers:\n" + "\n".join(self.missing))

    def _href(self, spec: DisclaimerSpec, page: Page) -> str | None:
        if not spec.link:
            return None
        if urlsplit(spec.link).scheme:
            return spec.link
        path, _, fragment = spec.link.partition("#")
        target = self.files.get_file_from_path(path) if self.files else None
        if target is None:
            return None
        url = get_relative_url(target.url, page.url)
        return f"{url}#{fragment}" if fragment else url
