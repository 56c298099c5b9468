"""The ``medkb/clinical`` MkDocs plugin: key points and graded recommendations, with the grades page."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from medkb.articles.generated import add_generated_page
from medkb.clinical.blocks import ClinicalExtension
from medkb.clinical.config import ClinicalConfig
from medkb.clinical.grades import CERTAINTIES, DIRECTIONS, STRENGTHS
from medkb.pages import locate, set_context
from medkb.record import page_record
from medkb.strict import StrictLogger
from medkb.theme import use_medkb_theme

log = StrictLogger(__name__)

#: What each grade means, in GRADE's sense (the Working Group's definitions, in our words).
DEFAULT_EXPLANATIONS: dict[str, str] = {
    "strong-for": "The guideline's authors are confident that the benefits clearly outweigh the harms and burdens: "
    "most people in this situation would want the intervention, and most should receive it.",
    "weak-for": "The benefits probably outweigh the harms, but the balance is less certain or depends on the person: "
    "many would want the intervention and some would not, so the choice is made with the person, on their values and preferences.",
    "weak-against": "The harms and burdens probably outweigh the benefits, but the balance is uncertain or depends on the person: "
    "most would not want the intervention, some would; decide together.",
    "strong-against": "The authors are confident that the harms and burdens clearly outweigh the benefits: "
    "most people in this situation would not want the intervention, and it should not be offered routinely.",
    "certainty-high": "There is high confidence that the true effect lies close to the estimate of the effect.",
    "certainty-moderate": "There is moderate confidence: the true effect is likely to be close to the estimate, but it may be substantially different.",
    "certainty-low": "Confidence in the estimate is limited: the true effect may be substantially different.",
    "certainty-very-low": "There is very little confidence in the estimate: the true effect is likely to be substantially different.",
}


@dataclass(frozen=True)
class GradeEntry:
    """One grade on the grades page."""

    id: str
    label: str
    explanation: str


@dataclass(frozen=True)
class GradesView:
    """Data of ``partials/kb-grades.html``: the recommendation grades and the certainty levels."""

    recommendations: list[GradeEntry]
    certainties: list[GradeEntry]
    intro: str = ""


class ClinicalPlugin(BasePlugin[ClinicalConfig]):
    """Registers the clinical blocks, warns about unknown grades, hands recommendations to the JSON-LD."""

    def __init__(self) -> None:
        self.extension: ClinicalExtension | None = None
        self._markdown = ""
        self._has_grades_page = False

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Register the blocks with the site's words."""
        log.start_build()
        if not self.config.enabled:
            return None
        use_medkb_theme(config, "medkb/clinical")
        self.extension = ClinicalExtension(labels={str(k): str(v) for k, v in self.config.labels.items()})
        config.markdown_extensions.append(self.extension)  # type: ignore[arg-type]
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        """Add the grades page when the site has no file for it."""
        if not self.config.enabled:
            return None
        add_generated_page(files, config, self.config.grades_page, self.config.grades_title)
        self._has_grades_page = files.get_file_from_path(self.config.grades_page) is not None
        return files

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Point the badges of this page at the grades page; remember the text for warnings."""
        if not self.config.enabled or self.extension is None:
            return None
        self._markdown = markdown
        here = posixpath.dirname(page.file.src_uri)
        legend = posixpath.relpath(self.config.grades_page, here or ".") if self._has_grades_page else ""
        self.extension.setConfig("legend_url", "" if page.file.src_uri == self.config.grades_page else legend)
        return None

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Warn about grades medkb does not know; record the page's recommendations; name the grades page's anchors."""
        if not self.config.enabled or self.extension is None:
            return None
        for problem in self.extension.state.problems:
            log.warning(f"{locate(page, config, self._markdown, problem.line)}: {problem.message}")
        page_record(page).recommendations = self.extension.recommendations()
        if page.file.src_uri == self.config.grades_page and page.present_anchor_ids is not None:
            # The entries are rendered by a partial: MkDocs learns their ids here.
            view = self._grades_view()
            page.present_anchor_ids.update(e.id for e in [*view.recommendations, *view.certainties])
        return None

    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        """Hand the grades page its entries."""
        if self.config.enabled and page.file.src_uri == self.config.grades_page:
            set_context(context, "kb_grades", self._grades_view())
        return context

    def _grades_view(self) -> GradesView:
        assert self.extension is not None
        labels = self.extension.labels
        explanations = {**DEFAULT_EXPLANATIONS, **{str(k): str(v) for k, v in self.config.explanations.items()}}
        recommendations = [f"{s}-{d}" for s in STRENGTHS for d in DIRECTIONS]
        certainties = [f"certainty-{c}" for c in CERTAINTIES]
        return GradesView(
            [GradeEntry(i, labels[i], explanations.get(i, "")) for i in recommendations],
            [GradeEntry(i, labels[i], explanations.get(i, "")) for i in certainties],
            self.config.grades_intro,
        )

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Stop a strict build that had warnings, also under -q (see medkb.strict)."""
        log.check(config, "medkb/clinical")
