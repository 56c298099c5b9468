"""The build's side of stable versions: an article whose text awaits review is published as its approved revision.

After every page is rendered and assessed (``on_env``), each article that
is not approved as it stands but whose last approvals approve an earlier
text is rendered again, through MkDocs' own page pipeline, from each
revision of its file in git history (newest first) until one renders to
the approved digest (:func:`medkb.review.versions.find_approved_revision`).
That render is what the page publishes: its text, its references as they
were, its embedded files as they were (a file changed since is published
under ``_approved/<commit>/``). A trial render that is not the approved one
leaves no warning and no page behind.

In the reviewer's preview the current text stays published; the approved
render becomes the "before" of the article's "Changes since approval" page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from medkb.articles.model import Article
from medkb.articles.parsing import file_digest
from medkb.record import page_record
from medkb.review.assess import ArticleReport, Problem, published_report, revision_digest, settled_problems
from medkb.review.changes import ArticleChanges, Side, article_changes, side_of
from medkb.review.versions import GitHistory, HistoryUnavailable, Revision, Search, find_approved_revision, open_history
from medkb.review.workflow import ApprovedText, Effective, approval_problems
from medkb.strict import Held, StrictLogger, held_warnings, release

if TYPE_CHECKING:
    from medkb.review.plugin import ReviewPlugin

log = StrictLogger(__name__)

#: Folder of the site where approved versions of changed embedded files are published.
APPROVED_FILES = "_approved"


@dataclass
class Trial:
    """One revision rendered by the build."""

    revision: Revision | None
    held: Held
    article: Article
    html: str
    covered: list[str | None]
    copies: list[File] = field(default_factory=list)
    catalog: Any = None
    keys: list[str] = field(default_factory=list)


def render_page(page: Page, config: MkDocsConfig, files: Files) -> None:
    """Read and render one page now, after the build's own pass (a page added or published late)."""
    _render(page, config, files)


def _render(page: Page, config: MkDocsConfig, files: Files) -> None:
    # MkDocs' own page pipeline (every plugin's page events), as a full
    # build runs it; MkDocs 1.6 has no public name for it.
    from mkdocs.commands.build import _populate_page

    _populate_page(page, config, files, dirty=False)


class BuildVersions:
    """Per build: which articles are published as an approved revision, and the preview's changes."""

    def __init__(self) -> None:
        self.published: dict[str, Revision] = {}
        self.changes: dict[str, ArticleChanges] = {}
        self.changes_pages: dict[str, str] = {}
        """Article src_uri → src_uri of its "Changes since approval" page (preview)."""
        self.changes_of: dict[str, str] = {}
        """The other way: a changes page's src_uri → its article's."""

    def publish(self, plugin: ReviewPlugin, files: Files, config: MkDocsConfig, today: Any) -> None:
        """Publish the approved revision of every article whose current text awaits review (or, in the preview, compare them)."""
        self.published, self.changes, self.changes_pages, self.changes_of = {}, {}, {}, {}
        assert plugin.board is not None
        history: GitHistory | None = None
        try:
            for src, report in list(plugin.reports.items()):
                if report.state.effective is Effective.APPROVED:
                    continue
                approved = plugin.approved_text(report.article)
                if approved is None:
                    # Never approved (shown with the banner, or hidden since
                    # on_files), or its last approvals do not hold: say why.
                    known = {(p.line, p.message) for p in report.problems}
                    report.problems.extend(
                        Problem(report.article.path, line, message)
                        for line, message in approval_problems(report.article, plugin.board, require_signatures=plugin.config.require_signatures, verified=plugin.verified)
                        if (line, message) not in known
                    )
                    continue
                if history is None:
                    try:
                        history = open_history(Path(config.docs_dir), report.article.path)
                    except HistoryUnavailable as e:
                        raise PluginError(str(e)) from None
                self._one(plugin, src, report, approved, history, files, config, today)
        finally:
            if history is not None:
                history.close()
        for src in self.changes:
            self._add_changes_page(plugin, src, files, config)

    def _one(
        self, plugin: ReviewPlugin, src: str, report: ArticleReport, approved: ApprovedText, history: GitHistory,
        files: Files, config: MkDocsConfig, today: Any,
    ) -> None:
        page = plugin.pages[src]
        assert page.file.abs_src_path is not None
        record = page_record(page)
        current = Trial(None, Held(), report.article, page.content or "", [], [], record.catalog, list(record.cited_keys))
        sha = plugin.preparsed[src][0]
        inputs = [*record.bibliography_files, *record.embedded_files]

        def same_as_current(revision: Revision) -> bool:
            # Renders exactly as the current text did, whose digest is not the approved one.
            return file_digest(revision.data) == sha and all(revision.unchanged(Path(p)) for p in inputs)

        trials: dict[str, Trial] = {}

        def digest_of(revision: Revision) -> str | None:
            trial = self._trial(plugin, page, revision, config, files)
            if trial is None:
                return None
            trials[revision.commit] = trial
            return revision_digest(trial.article, trial.covered, approved)

        search = Search()
        try:
            revision = find_approved_revision(
                history, Path(page.file.abs_src_path), approved.digest, digest_of, report.article.path,
                same_as_current=same_as_current, search=search,
            )
        except HistoryUnavailable as e:
            raise PluginError(str(e)) from None
        if revision is None or plugin.config.preview:
            if search.checked:
                self._restore(page, config, files)
        if revision is None:
            hide = plugin.config.unapproved == "hide" and not plugin.config.preview
            log.warning(
                f"{report.article.path}: its approved text ({approved.digest[:19]}…) is in none of the "
                f"{search.checked + search.skipped} committed versions of the file; "
                + ("it is left out of the site (unapproved: hide)" if hide else "readers get the current text with the pending banner")
                + ": have a board member approve the current text"
            )
            if hide:
                plugin.hide(src, files)
            return
        trial = trials[revision.commit]
        if plugin.config.preview:
            labels = dict(zip(record.audiences_used, record.audience_labels))
            # The changes page is changes_dir/<article's src_uri>: its links to the article's anchors go up to it.
            changes_url = File(f"{plugin.config.changes_dir.strip('/')}/{src}", "", "", config.use_directory_urls).url
            anchors_on = get_relative_url(page.url, changes_url)
            self.changes[src] = article_changes(self._side(trial), self._side(current), report.article.path, labels, anchors_on)
            plugin.reports[src] = replace(report, problems=settled_problems(report))
            return
        release(trial.held)
        for copy in trial.copies:
            if files.get_file_from_path(copy.src_uri) is None:
                files.append(copy)
        plugin.reports[src] = published_report(trial.article, report, approved, plugin.board, today)  # type: ignore[arg-type]
        self.published[src] = revision

    def _trial(self, plugin: ReviewPlugin, page: Page, revision: Revision, config: MkDocsConfig, files: Files) -> Trial | None:
        src = page.file.src_uri
        _forget_material_tags(config, page)
        plugin._revision_of[src] = revision
        plugin._made = []
        try:
            with held_warnings() as held:
                try:
                    _render(page, config, files)
                except Exception as e:  # noqa: BLE001 - an old text that no longer renders cannot be published
                    log.debug(f"{page.file.src_uri}: revision {revision.short} does not render: {e}")
                    return None
        finally:
            del plugin._revision_of[src]
        record = page_record(page)
        article = plugin._rendered[src]
        return Trial(revision, held, article, page.content or "", [*record.cited_fingerprints, *record.embedded],
                     list(plugin._made), record.catalog, list(record.cited_keys))

    @staticmethod
    def _restore(page: Page, config: MkDocsConfig, files: Files) -> None:
        # The current text again; its warnings were logged by the first render.
        with held_warnings():
            _render(page, config, files)

    @staticmethod
    def _side(trial: Trial) -> Side:
        return side_of(trial.article, trial.html, trial.keys, trial.catalog, trial.revision.commit if trial.revision else None)

    def _add_changes_page(self, plugin: ReviewPlugin, src: str, files: Files, config: MkDocsConfig) -> None:
        # A page added after every page was read: built with the others, outside the navigation.
        changes_src = f"{plugin.config.changes_dir.strip('/')}/{src}"
        title = f"{plugin.config.changes_title}: {self.changes[src].new.article.title}"
        # JSON is YAML: the title cannot break out of its front matter.
        file = File.generated(config, changes_src, content=f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n", inclusion=InclusionLevel.NOT_IN_NAV)
        if files.get_file_from_path(changes_src) is not None:
            raise PluginError(f"medkb/review: {changes_src} exists in docs_dir; the preview's changes pages need that folder ({plugin.config.changes_dir})")
        files.append(file)
        _render(Page(None, file, config), config, files)
        self.changes_pages[src] = changes_src
        self.changes_of[changes_src] = src


def _forget_material_tags(config: MkDocsConfig, page: Page) -> None:
    # Material's tags plugin keeps each page's tags by URL and replaces them
    # when the page is rendered again, but keeps the old ones when the new
    # version has none: the pending text's tags would stay on the page and in
    # its listings. (medkb/review's on_env runs before the tags plugin's.)
    for plugin in config.plugins.values():
        if type(plugin).__module__.startswith("material.plugins.tags"):
            data = getattr(getattr(plugin, "mappings", None), "data", None)
            if isinstance(data, dict):
                data.pop(page.url, None)
