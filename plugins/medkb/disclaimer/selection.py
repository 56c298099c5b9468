"""Which disclaimers a page carries, and their bodies: plain functions."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import markdown
from markupsafe import Markup

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_UNSAFE_HREF = re.compile(r"""(?:href|src)\s*=\s*["']?\s*(?:javascript|vbscript|data):""", re.IGNORECASE)


class DisclaimerError(ValueError):
    """A bad disclaimer configuration or request, with what is allowed."""


@dataclass(frozen=True)
class DisclaimerSpec:
    """One configured block, validated."""

    name: str
    title: str
    body_html: Markup
    link: str | None
    link_text: str | None
    audiences: tuple[str, ...]
    position: str
    pages: tuple[str, ...] | None
    opt_out: bool
    kind: str


def render_body(text: str, extensions: Iterable[Any], configs: Mapping[str, Any], name: str) -> Markup:
    """Markdown to HTML with the site's extensions; raw HTML stays text.

    Configuration is trusted less than we think: a ``<script>`` in a body is
    shown as text, and a ``javascript:`` (or ``data:``) link is refused.
    """
    md = markdown.Markdown(extensions=list(extensions), extension_configs=dict(configs))
    for name_ in ("html_block",):
        if name_ in md.preprocessors:
            md.preprocessors.deregister(name_)
    for name_ in ("html",):
        if name_ in md.inlinePatterns:
            md.inlinePatterns.deregister(name_)
    html = md.convert(text)
    match = _UNSAFE_HREF.search(html)
    if match:
        raise DisclaimerError(f"disclaimer '{name}': body links to '{match.group(0)}…'; use an http(s) URL or a page path")
    return Markup(html)


def validate_link(link: str | None, name: str) -> None:
    """A link is a page path in docs_dir or an http(s) URL."""
    if link is None:
        return
    parts = urlsplit(link)
    if parts.scheme and parts.scheme.lower() not in ("http", "https", "mailto"):
        raise DisclaimerError(f"disclaimer '{name}': link {link!r} is not allowed; use a page path (contact.md) or an http(s) URL")


def build_specs(
    items: Mapping[str, Any], audiences: list[str] | None, extensions: Iterable[Any], configs: Mapping[str, Any]
) -> list[DisclaimerSpec]:
    """Validate the configured disclaimers and render their bodies once."""
    specs = []
    extensions = list(extensions)
    for name, item in items.items():
        if not _NAME.match(name):
            raise DisclaimerError(f"disclaimer name {name!r} must be lowercase letters, digits and hyphens")
        title = (item["title"] or "").strip()
        if not title:
            raise DisclaimerError(f"disclaimer '{name}': title is empty; every disclaimer needs a title")
        validate_link(item["link"], name)
        specs.append(
            DisclaimerSpec(
                name=name,
                title=title,
                body_html=render_body(item["body"], extensions, configs, name),
                link=item["link"],
                link_text=item["link_text"],
                audiences=tuple(item["audiences"]),
                position=item["position"],
                pages=None if item["pages"] is None else tuple(item["pages"]),
                opt_out=bool(item["opt_out"]),
                kind=item["kind"],
            )
        )
    if audiences is not None:
        check_audiences(specs, audiences)
    return specs


def check_audiences(specs: Iterable[DisclaimerSpec], audiences: Iterable[str]) -> None:
    """Every audience a disclaimer names must be one the site defines (else it never shows)."""
    known = list(audiences)
    for spec in specs:
        for audience in spec.audiences:
            if audience not in known:
                raise DisclaimerError(f"disclaimer '{spec.name}': unknown audience '{audience}'; allowed: {', '.join(known)}")


def _matches(spec: DisclaimerSpec, src_uri: str, is_article: bool) -> bool:
    if spec.pages is None:
        return is_article
    return any(fnmatch.fnmatchcase(src_uri, pattern) for pattern in spec.pages)


def select_disclaimers(
    specs: list[DisclaimerSpec], src_uri: str, is_article: bool, requested: Iterable[str]
) -> list[DisclaimerSpec]:
    """The disclaimers a page carries: by ``pages`` globs, plus ``name``, minus ``-name`` requests.

    A request for an unknown name, or to drop one that does not allow
    opting out, raises :class:`DisclaimerError`.
    """
    by_name = {spec.name: spec for spec in specs}
    chosen = {spec.name for spec in specs if _matches(spec, src_uri, is_article)}
    allowed = ", ".join(by_name) or "(none configured)"
    for request in requested:
        drop = request.startswith("-")
        name = request[1:] if drop else request
        spec = by_name.get(name)
        if spec is None:
            raise DisclaimerError(f"disclaimers: unknown disclaimer {name!r}; allowed: {allowed}")
        if drop:
            if not spec.opt_out:
                raise DisclaimerError(
                    f"disclaimers: {request!r} would remove the '{name}' disclaimer, which articles may not drop "
                    "(the site configuration must set opt_out: true for it)"
                )
            chosen.discard(name)
        else:
            chosen.add(name)
    return [spec for spec in specs if spec.name in chosen]


def count_disclaimers(html: str, name: str) -> int:
    """How many elements of a built page carry ``data-kb-disclaimer="name"``."""
    # str.count, not a regex: this runs over every built page.
    return html.count(f'data-kb-disclaimer="{name}"')
