"""Helpers that connect MkDocs pages to medkb's plain-Python core."""

from __future__ import annotations

import os
from typing import Any, cast

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from medkb.articles.frontmatter import decode_source, split_front_matter, yaml_error
from medkb.limits import PageBudgetError, PageLimitsExtension


def page_source_path(page: Page, config: MkDocsConfig) -> str:
    """The page's path as an editor sees it: relative to the ``mkdocs.yml`` folder."""
    return display_path(page.file.abs_src_path, config) or page.file.src_uri


def display_path(abs_path: str | None, config: MkDocsConfig) -> str | None:
    """A file's path relative to the ``mkdocs.yml`` folder (absolute if outside it)."""
    if abs_path is None:
        return None
    rel = os.path.relpath(abs_path, site_root(config))
    return abs_path if rel.startswith("..") else rel.replace(os.sep, "/")


def site_root(config: MkDocsConfig) -> str:
    """The site's folder: where ``mkdocs.yml`` is."""
    return os.path.dirname(os.path.abspath(config.config_file_path or "mkdocs.yml"))


def outside_site(path: str, config: MkDocsConfig) -> str | None:
    """The real path of ``path`` when a symbolic link takes it outside the site's folder (or into ``.git``), else ``None``."""
    root = os.path.realpath(site_root(config))
    real = os.path.realpath(path)
    inside = real == root or real.startswith(root + os.sep)
    return None if inside and ".git" not in real[len(root):].split(os.sep) else real


def read_page_bytes(page: Page) -> bytes:
    """The raw bytes of a page's source (generated pages included)."""
    if page.file.abs_src_path is None:
        return page.file.content_bytes
    with open(page.file.abs_src_path, "rb") as f:
        return f.read()


def read_page_body(page: Page, path: str, raw: bytes | None = None) -> str:
    """The body of a non-article page, never losing a line to MkDocs' meta reader.

    MkDocs treats ``Key: value`` lines at the top of a page without ``---`` as
    metadata and drops them; here such a page keeps its whole text.  Front
    matter that YAML cannot read is an error instead of being ignored.
    """
    text = decode_source(read_page_bytes(page) if raw is None else raw, path)
    yaml_text, body, body_line = split_front_matter(text, path)
    if yaml_text is None:
        page.meta = {}
        return text
    try:
        yaml.safe_load(yaml_text)
    except yaml.MarkedYAMLError as e:
        raise yaml_error(e, path, 1, yaml_text.count("\n")) from None
    return body


def body_offset(page: Page, markdown: str) -> int:
    """The file line on which ``markdown`` (the page body) starts."""
    raw = read_page_bytes(page).decode("utf-8-sig", "replace").replace("\r\n", "\n")
    index = raw.find(markdown) if markdown else -1
    return raw.count("\n", 0, index) + 1 if index >= 0 else 1


def locate(page: Page, config: MkDocsConfig, markdown: str, line: int | None) -> str:
    """``path:line`` of a line of the page body, as warnings start.

    Called only when there is something to report: it reads the file again
    to find where the body starts.
    """
    path = page_source_path(page, config)
    return f"{path}:{body_offset(page, markdown) + line - 1}" if line else path


def line_containing(markdown: str, needle: str, in_braces: bool = False) -> int | None:
    """1-based line of the first line of ``markdown`` holding ``needle`` (inside ``{…}`` when ``in_braces``)."""
    if not needle:
        return None
    for number, line in enumerate(markdown.split("\n"), start=1):
        if needle in line and (not in_braces or "{" in line[: line.index(needle)]):
            return number
    return None


def set_context(context: TemplateContext, key: str, value: Any) -> None:
    """Add a medkb value to a page's template context.

    MkDocs types the context as a TypedDict of its own keys; plugins add theirs.
    """
    cast("dict[str, Any]", context)[key] = value


def page_limits(config: MkDocsConfig) -> PageLimitsExtension:
    """medkb's per-page budget (:mod:`medkb.limits`); a page over it stops the build with one line naming it."""

    def fail(error: PageBudgetError) -> PluginError:
        # MkDocs sets the page it is rendering on its config.
        page = getattr(config, "_current_page", None)
        where = locate(page, config, page.markdown or "", error.line) if isinstance(page, Page) else "a page"
        return PluginError(f"{where}: {error}")

    return PageLimitsExtension(fail)
