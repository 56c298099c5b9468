"""Pages ``medkb/review`` adds to an MkDocs site when the site has no file for them."""

from __future__ import annotations

import html

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel


def add_generated_page(files: Files, config: MkDocsConfig, src_uri: str, title: str) -> None:
    """A page holding only its heading (the plugin adds its list); outside the navigation unless listed there."""
    if files.get_file_from_path(src_uri) is None:
        files.append(File.generated(config, src_uri, content=f"# {html.escape(title)}\n", inclusion=InclusionLevel.NOT_IN_NAV))
