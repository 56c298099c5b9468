"""The MkDocs adapter of the desk: what it needs of ``mkdocs.yml`` beyond :class:`medkb.site.SiteLayout`.

The audiences readers can pick (id and label, so the desk can show the
article as each of them sees it) and the address MkDocs gives a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from medkb.site import SiteLayout, load_layout


@dataclass(frozen=True)
class Audience:
    """An audience of the site's picker."""

    id: str
    label: str


@dataclass
class DeskSite:
    """The knowledge base the desk serves."""

    config_file: Path
    layout: SiteLayout
    site_name: str = ""
    use_directory_urls: bool = True
    audiences: list[Audience] = field(default_factory=list)
    default_audience: str | None = None

    def page_url(self, src_uri: str) -> str:
        """The address of a page of ``docs_dir`` in the built site, relative to its root (``articles/x/``)."""
        from mkdocs.structure.files import File

        return File(src_uri, str(self.layout.docs_dir), "/", self.use_directory_urls).url


def load_desk_site(config_file: Path) -> DeskSite:
    """Read ``mkdocs.yml`` through MkDocs (as the other commands do, :func:`medkb.site.load_layout`)."""
    from mkdocs.config import load_config

    layout = load_layout(config_file)
    cfg = load_config(str(config_file))
    site = DeskSite(config_file.resolve(), layout, str(cfg.site_name or ""), bool(cfg.use_directory_urls))
    audience = cfg.plugins.get("medkb/audience")
    if audience is not None and audience.config.enabled:  # type: ignore[attr-defined]
        site.audiences = [Audience(a.id, a.label) for a in audience.config.audiences]  # type: ignore[attr-defined]
        site.default_audience = audience.config.default or (site.audiences[0].id if site.audiences else None)  # type: ignore[attr-defined]
    return site
