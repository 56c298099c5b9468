"""The ``medkb/audience`` MkDocs plugin: per-audience passages and the picker."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from medkb.strict import StrictLogger
from medkb.theme import use_medkb_theme
from medkb.audience.blocks import AudienceExtension
from medkb.audience.config import AudienceConfig
from medkb.pages import locate, set_context
from medkb.record import page_record

log = StrictLogger(__name__)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class AudienceChoice:
    """One audience as the picker offers it."""

    id: str
    label: str
    description: str


@dataclass(frozen=True)
class PickerLabels:
    """The picker's words."""

    picker_title: str
    picker_subtitle: str
    picker_question: str
    picker_note: str
    reading_as: str
    change_label: str


@dataclass(frozen=True)
class AudienceView:
    """Data of the audience partials (``kb-audience-head.html``, ``kb-audience-picker.html``)."""

    audiences: list[AudienceChoice]
    ids: list[str]
    default: str
    storage_key: str
    show_picker: bool
    labels: PickerLabels


def validate_audiences(config: AudienceConfig) -> tuple[list[str], str]:
    """The audience ids and the default, or a PluginError naming the bad value."""
    ids: list[str] = []
    for item in config.audiences:
        if not _ID.match(item.id):
            raise PluginError(
                f"medkb/audience: audience id {item.id!r} must be lowercase letters, digits and hyphens (e.g. 'patient')"
            )
        if item.id in ids:
            raise PluginError(f"medkb/audience: audience id {item.id!r} is listed twice")
        if not item.label.strip():
            raise PluginError(f"medkb/audience: audience {item.id!r} needs a label")
        ids.append(item.id)
    if not ids:
        raise PluginError("medkb/audience: 'audiences' is empty; list at least one audience")
    default = config.default or ids[0]
    if default not in ids:
        raise PluginError(f"medkb/audience: default {default!r} is not one of the audiences: {', '.join(ids)}")
    return ids, default


def line_of_audience(markdown: str, audience: str) -> int | None:
    """1-based line of the first audience block naming ``audience``."""
    for number, line in enumerate(markdown.split("\n"), start=1):
        if re.match(r"^\s*/{3,}\s*audience\s*\|", line) and (not audience or re.search(rf"(?<![\w-]){re.escape(audience)}(?![\w-])", line)):
            return number
    return None


class AudiencePlugin(BasePlugin[AudienceConfig]):
    """Registers the audience block and feeds the picker and head partials."""

    def __init__(self) -> None:
        self.extension: AudienceExtension | None = None
        self.ids: list[str] = []
        self.default = ""
        self._markdown = ""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Validate the audiences and register the audience block."""
        log.start_build()
        if not self.config.enabled:
            return None
        use_medkb_theme(config, "medkb/audience")
        self.ids, self.default = validate_audiences(self.config)
        self.extension = AudienceExtension(self.ids, default=self.default)
        config.markdown_extensions.append(self.extension)  # type: ignore[arg-type]
        return config

    # After medkb/review (100), which replaces page.meta with the article's;
    # before medkb/disclaimer (50), which checks its blocks' audiences.
    @event_priority(90)
    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Tell the page's record the site's audiences; remember the text for warnings."""
        if self.config.enabled:
            self._markdown = markdown
            page_record(page).site_audiences = tuple(self.ids)
        return None

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Warn about unknown audiences; record which audiences the page speaks to."""
        if not self.config.enabled or self.extension is None:
            return None
        for problem in self.extension.state.problems:
            line = problem.line if problem.line is not None else line_of_audience(self._markdown, problem.audience)
            log.warning(f"{locate(page, config, self._markdown, line)}: {problem.message}")
        used = set(self.extension.state.used)
        record = page_record(page)
        record.audiences_used = [a.id for a in self.config.audiences if a.id in used]
        record.audience_labels = [a.label for a in self.config.audiences if a.id in used]
        return None

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        """Hand the picker and the head script their view (articles and pages with audience passages show the picker)."""
        if not self.config.enabled:
            return None
        record = page_record(page)
        show = bool(record.is_article) or bool(record.audiences_used)
        c = self.config
        choices = [AudienceChoice(a.id, a.label, a.description) for a in c.audiences]
        labels = PickerLabels(c.picker_title, c.picker_subtitle, c.picker_question, c.picker_note, c.reading_as_label, c.change_label)
        set_context(context, "kb_audience", AudienceView(choices, self.ids, self.default, c.storage_key, show, labels))
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Stop a strict build that had warnings, also under -q (see medkb.strict)."""
        log.check(config, "medkb/audience")
