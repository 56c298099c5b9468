"""Citing an article of the knowledge base: the formatted citation, BibTeX, RIS and Highwire meta.

Pure data: the plugin passes the article's title, site, date, address and
version in; templates and files get plain strings (templates escape; the
BibTeX and RIS writers escape for their own formats).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

# BibTeX's special characters, as LaTeX writes them in a field.
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "%": r"\%", "&": r"\&", "#": r"\#",
                   "$": r"\$", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclass(frozen=True)
class ArticleCitation:
    """What a reader needs to cite one article."""

    key: str
    """A citation key (the article's file name): ``low-back-pain-imaging``."""
    title: str
    site_name: str
    author: str
    """Who is cited as the author: the site's ``site_author``, else its name."""
    date: dt.date
    """The date the cited text was last updated."""
    date_text: str
    url: str | None
    """The article's address, when the site has a ``site_url``."""
    version: str
    """Which text is cited: its review status and date (and the revision published)."""
    references: tuple[str, ...] = ()
    """Plain text of each source the article cites, for ``citation_reference``."""

    def text(self, version_label: str, available_label: str) -> str:
        """The formatted citation (Vancouver-style, for a web page)."""
        parts = [f"{one_line(self.author)}. {one_line(self.title)} [Internet]. {one_line(self.site_name)}; {self.date_text}"]
        parts.append(f" ({version_label} {one_line(self.version)}).")
        if self.url:
            parts.append(f" {available_label} {self.url}")
        return "".join(parts)

    def bibtex(self) -> str:
        """An ``@online`` entry (biblatex; BibTeX reads it as ``@misc``)."""
        fields = [
            ("title", "{" + bibtex_text(self.title) + "}"),
            ("author", "{" + bibtex_text(self.author) + "}"),
            ("organization", bibtex_text(self.site_name)),
            ("date", self.date.isoformat()),
            ("year", str(self.date.year)),
            ("version", bibtex_text(self.version)),
        ]
        if self.url:
            fields.append(("url", bibtex_text(self.url, url=True)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@online{{{bibtex_key(self.key)},\n{body},\n}}\n"

    def ris(self) -> str:
        """A RIS record (``ELEC``), as EndNote, Zotero and Mendeley import it."""
        lines = [("TY", "ELEC"), ("TI", self.title), ("AU", self.author), ("PB", self.site_name),
                 ("DA", self.date.strftime("%Y/%m/%d")), ("PY", str(self.date.year)), ("ET", self.version)]
        if self.url:
            lines.append(("UR", self.url))
        lines.append(("ER", ""))
        return "".join(f"{tag}  - {one_line(value)}\n" for tag, value in lines)

    def highwire(self) -> list[tuple[str, str]]:
        """Google Scholar's ``citation_*`` meta tags, as (name, content) pairs."""
        meta = [("citation_title", self.title), ("citation_author", self.author),
                ("citation_publication_date", self.date.strftime("%Y/%m/%d")), ("citation_publisher", self.site_name)]
        if self.url:
            meta.append(("citation_public_url", self.url))
        meta.extend(("citation_reference", reference) for reference in self.references)
        return [(name, one_line(value)) for name, value in meta]


def one_line(text: str) -> str:
    """Text on one line: control characters and line breaks become a space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def bibtex_text(text: str, url: bool = False) -> str:
    """A field value BibTeX reads as the text itself (braces, backslashes and specials escaped)."""
    text = one_line(text)
    if url:
        # biblatex reads a URL verbatim: only what would end the field is encoded.
        return text.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in text)


def bibtex_key(key: str) -> str:
    """A key BibTeX accepts: letters, digits and ``-_:.``."""
    return re.sub(r"[^A-Za-z0-9_:.-]+", "-", key).strip("-") or "article"


@dataclass(frozen=True)
class CiteView:
    """Data of ``partials/kb-cite.html`` and ``partials/kb-cite-meta.html``."""

    citation: ArticleCitation
    heading: str
    text: str
    """The formatted citation."""
    download_label: str
    version_label: str = "Version:"
    printed_label: str = "Printed"

    @property
    def bibtex_name(self) -> str:
        """The BibTeX file's name, beside the article's page (links are relative to it)."""
        return f"{bibtex_key(self.citation.key)}.bib"

    @property
    def ris_name(self) -> str:
        """The RIS file's name, beside the article's page."""
        return f"{bibtex_key(self.citation.key)}.ris"

    @property
    def meta(self) -> list[tuple[str, str]]:
        """The ``citation_*`` meta tags."""
        return self.citation.highwire()


def write_citation_files(site_dir: Path, pages: list[tuple[str, CiteView]]) -> None:
    """Write each article's ``.bib`` and ``.ris`` beside its page (``dest_path``).

    Into the build's output, as MkDocs writes pages: plainly (a temporary
    file and a rename per file cost 2 s at 1,000 articles).
    """
    for dest_path, view in pages:
        folder = site_dir / posixpath.dirname(dest_path)
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in ((view.bibtex_name, view.citation.bibtex()), (view.ris_name, view.citation.ris())):
            with open(folder / name, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
