"""What of ``docs_dir`` may be published, and what pages may do: the checks ``medkb/review`` runs.

MkDocs copies every file of ``docs_dir`` into the site, follows symbolic
links, lets a ``docs_dir`` file take the place of a theme file of the same
path, and publishes ``.html`` files as they are. Any of these lets a pull
request change what every page shows (a ``kb.js`` that marks pages
approved, a partial-free fake article page) or publish files that are not
content (``.git/config``). Each is refused with the file named.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from medkb.articles.model import MARKDOWN_SUFFIXES
from medkb.pages import display_path

#: Files a browser runs as a page of the site's origin when opened.
DOCUMENT_SUFFIXES = (".html", ".htm", ".xhtml", ".xht", ".shtml", ".mht", ".mhtml", ".xml", ".xsl", ".xslt")
# Fail closed on anything that could run or pull in a document: a script or
# foreignObject under any namespace prefix, event handlers, script URLs, and
# DTDs or character references (which could spell any of these).
_ACTIVE_SVG = re.compile(
    rb"<\s*(?:[\w.-]+:)?(?:script|foreignObject|iframe|embed|object|handler|listener)\b|\bon[a-z]+\s*=|javascript:|<!DOCTYPE|<!ENTITY|&#|data:",
    re.IGNORECASE,
)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def unsafe_site_files(files: Iterable[File], config: MkDocsConfig) -> list[str]:
    """``path: why`` for each ``docs_dir`` file that must not be published."""
    docs = os.path.abspath(config.docs_dir)
    real_docs = os.path.realpath(docs)
    theme_dirs = [d for d in config.theme.dirs if os.path.isdir(d)]
    found = []
    for file in files:
        src = file.abs_src_path
        if src is None or not _inside(os.path.abspath(src), docs) or file.inclusion.is_excluded():
            continue  # theme files (Material's, medkb's), generated and excluded files
        shown = display_path(src, config) or file.src_uri
        real = os.path.realpath(src)
        if not os.path.exists(src):
            # A link in a loop, or to a file that is not there: nothing can be read.
            found.append(f"{shown}: a symbolic link that leads to no file (a loop, or its target is missing); remove it")
            continue
        if not _inside(real, real_docs) or ".git" in real.split(os.sep):
            found.append(f"{shown}: a symbolic link to {real}; only files inside docs_dir are published")
            continue
        shadowed = next((d for d in theme_dirs if os.path.isfile(os.path.join(d, file.src_uri))), None)
        if shadowed is not None:
            found.append(f"{shown}: would replace the theme's {file.src_uri} on every page; rename it")
            continue
        lower = file.src_uri.lower()
        if lower.endswith(MARKDOWN_SUFFIXES) and not file.is_documentation_page():
            found.append(f"{shown}: MkDocs copies it as a plain file, not a page (no review header); name it with a lowercase .md")
        elif lower.endswith(DOCUMENT_SUFFIXES):
            found.append(f"{shown}: an HTML document is published as it is, without medkb's review header or checks; "
                         "write the page in Markdown")
        elif lower.endswith((".svg", ".svgz")) and _active_svg(src):
            found.append(f"{shown}: an SVG with scripts, event handlers or embedded documents runs in the site when opened; "
                         "remove them (export a plain drawing)")
    return found


def _active_svg(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    if path.lower().endswith(".svgz"):
        return True  # compressed: not inspected, refused
    return bool(_ACTIVE_SVG.search(data))


#: Ways to pull other files into a page: the approval digest covers the
#: article's own text, so a page that includes a file could change after
#: approval without its digest changing.
INCLUDING_EXTENSIONS = ("pymdownx.snippets", "markdown_include.include", "mdx_include")
INCLUDING_PLUGINS = ("macros", "include-markdown", "mkdocs-simple-hooks")


def refuse_inclusion(config: MkDocsConfig) -> None:
    """Stop when the site can include files into pages (the approval digest cannot cover them)."""
    for ext in config.markdown_extensions:
        name = ext if isinstance(ext, str) else type(ext).__module__
        if any(name == known or name.startswith(known + ".") for known in INCLUDING_EXTENSIONS):
            raise PluginError(
                f"medkb/review: markdown extension '{name}' includes other files into pages, which an approval "
                "cannot cover (the digest covers the article's own text); remove it from mkdocs.yml"
            )
    for name in INCLUDING_PLUGINS:
        if name in config.plugins:
            raise PluginError(
                f"medkb/review: plugin '{name}' can include other files or generate text in pages, which an approval "
                "cannot cover; remove it from mkdocs.yml"
            )


def escaped_meta(meta: dict[str, Any], path: str) -> dict[str, Any]:
    """A page's front matter with its text escaped once (Material prints description, author... raw).

    A redirect page (Material's ``redirect.html`` reads ``location``) could
    send readers anywhere: refused.
    """
    if "location" in meta or str(meta.get("template", "")).endswith("redirect.html"):
        raise PluginError(f"{path}: redirect pages (template: redirect.html, location:) are not allowed; link to the page instead")

    def escape_value(value: Any) -> Any:
        if isinstance(value, str) and not isinstance(value, Markup):
            return Markup(escape(value))
        if isinstance(value, list):
            return [escape_value(item) for item in value]
        return value

    return {key: escape_value(value) if key != "medkb" else value for key, value in meta.items()}
