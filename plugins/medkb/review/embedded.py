"""Files an article's page embeds (images, video, audio): part of what an approval covers.

An approved article that shows ``dosing.svg`` must stop being approved
when the drawing changes. The rendered page's ``src``-like attributes are
read, local ones resolved to files of ``docs_dir``, and each becomes a
fingerprint (``file:<path in docs_dir>@sha256:…``) that the digest covers
with the cited entries. The plugin and the commands resolve paths their
own way (page URL, source folder) and share these functions.
"""

from __future__ import annotations

import hashlib
import posixpath
from html import escape as html_escape
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

#: Elements and attributes that embed a file in the page.
EMBEDDING = {"img": ("src", "srcset"), "source": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",),
             "track": ("src",), "embed": ("src",), "object": ("data",), "input": ("src",)}


class _Embeds(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = EMBEDDING.get(tag)
        if not names:
            return
        for name, value in attrs:
            if name in names and value:
                parts = value.split(",") if name == "srcset" else [value]
                self.found.extend(part.strip().split(" ")[0] for part in parts if part.strip())


def local_sources(html: str) -> list[str]:
    """The embedded addresses of a page that point to this site (no scheme, not ``//host``), in order, once each."""
    if "src" not in html and "data=" not in html and "poster" not in html:
        return []
    parser = _Embeds()
    parser.feed(html)
    parser.close()
    local = []
    for value in parser.found:
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        local.append(unquote(parts.path))
    return list(dict.fromkeys(local))


def resolve_from(folder: str, address: str) -> str:
    """A relative address resolved against a folder of ``docs_dir`` (posix, no leading slash)."""
    return posixpath.normpath(posixpath.join(folder, address)).lstrip("/")


def absent_fingerprint(src_uri: str) -> str:
    """What a revision's page embeds that did not exist in that revision: no approval covers it."""
    return f"file:{src_uri}@absent"


def file_fingerprint(src_uri: str, data: bytes) -> str:
    """What the digest covers of an embedded file."""
    return f"file:{src_uri}@sha256:{hashlib.sha256(data).hexdigest()}"


class _Rewriter(HTMLParser):
    # Finds the start tags whose embedding attributes name a replaced address.
    def __init__(self, html: str, replace: dict[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.replace = replace
        self.edits: list[tuple[int, int, str]] = []
        self._starts = [0]
        for line in html.splitlines(keepends=True):
            self._starts.append(self._starts[-1] + len(line))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = EMBEDDING.get(tag)
        text = self.get_starttag_text()
        if not names or text is None:
            return
        changed = False
        out = []
        for name, value in attrs:
            if name in names and value:
                new = ",".join(self._swap(part) for part in value.split(",")) if name == "srcset" else self._swap(value)
                changed = changed or new != value
                value = new
            out.append(name if value is None else f'{name}="{html_escape(value, quote=True)}"')
        if changed:
            line, col = self.getpos()
            start = self._starts[line - 1] + col
            close = "/>" if text.rstrip().endswith("/>") else ">"
            self.edits.append((start, start + len(text), f"<{tag} {' '.join(out)}{close}"))

    handle_startendtag = handle_starttag

    def _swap(self, part: str) -> str:
        bare = part.strip()
        address, _, rest = bare.partition(" ")
        target = self.replace.get(unquote(urlsplit(address).path))
        if target is None:
            return part
        return target + (" " + rest if rest else "")


def rewrite_sources(html: str, replace: dict[str, str]) -> str:
    """``html`` with the embedded addresses in ``replace`` (as :func:`local_sources` finds them) changed to their values.

    Only the start tags that embed one of them are rewritten; everything else stays as it was, byte for byte.
    """
    if not replace:
        return html
    parser = _Rewriter(html, replace)
    parser.feed(html)
    parser.close()
    for start, end, text in reversed(parser.edits):
        html = html[:start] + text + html[end:]
    return html
