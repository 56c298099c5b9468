"""LaTeX in bibliography fields as rich text: formatting, links, logos and math.

BibTeX values are LaTeX. pybtex reads them with ``Text.from_latex``:
latexcodec decodes accents and symbols (``{\\"O}`` → ``Ö``, ``$\\alpha$`` →
``α``) and braces become protected groups. Everything else stays as written
(``\\textit {Staphylococcus aureus}``), and adjacent groups are merged, which
loses the arguments of ``\\href{url}{text}``. So latexcodec still decodes,
and what it leaves is read — commands, groups, ``$...$``
(:mod:`medkb.citations.latex_reader`) — into pybtex rich text (``Tag``,
``HRef``, ``String``), rendered here as plain text and as escaped HTML:

- ``\\textit``, ``\\emph``, ``\\textbf``, ``\\textsc``, ``\\textsuperscript``,
  ``\\textsubscript``, ``\\texttt`` and the declarations ``{\\it …}``,
  ``{\\em …}``, ``{\\bf …}``… become ``<i>``, ``<em>``, ``<b>``, small caps,
  ``<sup>``, ``<sub>``, ``<code>``;
- ``\\url{…}``, ``\\href{…}{…}`` and ``\\doi{…}`` become links when the address
  is http or https, text otherwise; the address is read verbatim (latexcodec
  would read ``%`` as a comment and ``~`` as a space);
- logos (``\\TeX``, ``\\LaTeX``, ``\\BibTeX``…), ``\\mbox``, ``\\relax``, ``\\,``
  and their like become text;
- inline math becomes readable text: ``$O(n \\log n)$`` → ``O(n log n)``,
  ``$x^2$`` → ``x<sup>2</sup>``, symbols through latexcodec;
- any other command is dropped to its arguments and reported, never shown.

A value with no backslash and no ``$`` takes a fast path (no latexcodec):
most values of a real bibliography are plain text.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

from pybtex.plugin import find_plugin
from pybtex.richtext import BaseText, HRef, Protected, String, Symbol, Tag, Text

from medkb.citations.latex_reader import BACKSLASH, DOLLAR, LBRACE, PLANE15, RBRACE, build, decode, is_web, read

_TEXT_BACKEND = find_plugin("pybtex.backends", "text")()
_HTML_BACKEND = find_plugin("pybtex.backends", "html")()

#: Characters that may change meaning under LaTeX decoding; a value without
#: any of them decodes to itself.
_LATEX_SPECIAL = re.compile(r"[\\{}~%$]|--|``|''")
# Bidirectional controls could make a reference read as another.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# LaTeX would read an unescaped % as the start of a comment and drop the rest
# of the value; in a reference ("reduced by 50%") it is always text.
_BARE_PERCENT = re.compile(r"(?<!\\)%")

# Private-use characters (latex_reader) carry what latexcodec must not see.
_OURS = re.compile("[\ue000-\ue003\U000f0000-\U000ffffd]")
_VERBATIM = re.compile(r"\\(url|href|doi)\s*\{([^{}]*)\}")
_ESCAPES = re.compile(r"\\\\|\\[${}]|\\textbackslash(?![A-Za-z])\s*(?:\{\})?")
_LIGATURES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"), ("~", "\u00a0"))

_HTML_TAGS = {
    "em": ("<em>", "</em>"), "i": ("<i>", "</i>"), "b": ("<b>", "</b>"), "strong": ("<strong>", "</strong>"),
    "sup": ("<sup>", "</sup>"), "sub": ("<sub>", "</sub>"), "code": ("<code>", "</code>"),
    "sc": ('<span class="kb-smallcaps">', "</span>"),
}
_SYMBOLS = {"ndash": "\u2013", "nbsp": "\u00a0", "newblock": " "}
_LATEX_OF_TAG = {"em": "emph", "i": "textit", "b": "textbf", "strong": "textbf", "sup": "textsuperscript",
                 "sub": "textsubscript", "code": "texttt", "sc": "textsc"}
@dataclass(frozen=True)
class Rich:
    """A piece of a reference as plain text and as escaped HTML.

    ``unknown`` names the LaTeX commands that were dropped to their
    arguments; ``node`` is the pybtex rich text when there was markup.
    """

    text: str
    html: str
    unknown: tuple[str, ...] = ()
    node: BaseText | None = None

    @classmethod
    def plain(cls, text: str) -> Rich:
        """Text with no markup."""
        return cls(text, html.escape(text))

    def __bool__(self) -> bool:
        return bool(self.text)

    def __add__(self, other: Rich | str) -> Rich:
        other = Rich.plain(other) if isinstance(other, str) else other
        node = None if self.node is None and other.node is None else Text(self.as_pybtex(), other.as_pybtex())
        return Rich(self.text + other.text, self.html + other.html, _merge(self.unknown, other.unknown), node)

    def __radd__(self, other: str) -> Rich:
        return Rich.plain(other) + self

    def strip(self) -> Rich:
        """Without white space at either end."""
        if self.text == self.text.strip():
            return self
        return Rich(self.text.strip(), self.html.strip(), self.unknown, self.node)

    def sentence(self) -> Rich:
        """Ending with a period unless it ends with ``.``, ``?`` or ``!``; empty stays empty."""
        stripped = self.strip()
        if not stripped.text or stripped.text[-1] in ".?!":
            return stripped
        return stripped + "."

    def as_pybtex(self) -> BaseText:
        """pybtex rich text (for pybtex's own backends)."""
        return self.node if self.node is not None else Text(self.text)


def _merge(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return a + tuple(x for x in b if x not in a) if b else a


@functools.lru_cache(maxsize=65536)
def latex_value(value: str) -> Rich:
    """A BibTeX field value as text and HTML (memoised: the same journal recurs)."""
    if _BIDI.search(value):
        value = _BIDI.sub("", value)
    if not _LATEX_SPECIAL.search(value):
        return Rich.plain(value)
    if "\\" not in value and "%" not in value and "$" not in value:
        return Rich.plain(_decode_without_commands(value))
    decoded = decode(protect(value))
    return _rich(read(decoded), None)


def decode_latex(value: str) -> str:
    """LaTeX in a BibTeX value as Unicode text (``{\\"O}`` → ``Ö``, ``--`` → ``–``, ``\\emph{x}`` → ``x``)."""
    return latex_value(value).text


def protect(value: str) -> str:
    """The value with what latexcodec must not decode hidden: link addresses, ``\\$``, ``\\{``, ``\\}``, a bare ``%``."""
    if _OURS.search(value):
        value = _OURS.sub("", value)
    if "\\" in value:
        value = _VERBATIM.sub(lambda m: f"\\{m.group(1)}{{{_encode(m.group(2))}}}", value)
        value = _ESCAPES.sub(_escape, value)
    return _BARE_PERCENT.sub(r"\\%", value)


def _escape(match: re.Match[str]) -> str:
    found = match.group(0)
    if found == "\\\\":
        return found
    return {"\\$": DOLLAR, "\\{": LBRACE, "\\}": RBRACE}.get(found, BACKSLASH)


def _encode(address: str) -> str:
    return "".join(chr(PLANE15 + ord(c)) if ord(c) < 0xFFFE else c for c in address)


def _decode_without_commands(value: str) -> str:
    # Without a backslash, LaTeX decoding only drops grouping braces and
    # turns dash, quote and tie ligatures into characters: the result pybtex
    # gives (tests compare the two over many generated strings), 10x faster.
    parts = []
    for part in re.split(r"[{}]", value):  # a brace ends a ligature
        for ligature, char in _LIGATURES:
            part = part.replace(ligature, char)
        parts.append(part)
    return "".join(parts)


def latex_escape(text: str) -> str:
    """Plain text (CSL-JSON, RIS) as a BibTeX value that decodes back to it."""
    if not _PLAIN_SPECIAL.search(text):
        return text
    return _PLAIN_SPECIAL.sub(lambda m: _PLAIN_ESCAPES[m.group(0)], text)


_PLAIN_SPECIAL = re.compile(r"[\\{}$%~]|-(?=-)|`(?=`)|'(?=')")
_PLAIN_ESCAPES = {
    "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "$": "\\$", "%": "\\%", "~": "\\textasciitilde{}",
    "-": "-{}", "`": "`{}", "'": "'{}",
}


# --- Rendering -----------------------------------------------------------------


def _rich(items: list[object], protected_class: str | None) -> Rich:
    node, unknown = build(items)
    text = _collapse(str(node.render(_TEXT_BACKEND)))
    body = _collapse(render_html(node, protected_class))
    return Rich(text, body, unknown, node)


def _collapse(value: str) -> str:
    return re.sub(r" {2,}", " ", value) if "  " in value else value


def render_html(node: BaseText, protected_class: str | None = None) -> str:
    """Escaped HTML of pybtex rich text; links only to http(s) addresses.

    pybtex's own HTML backend writes link addresses unescaped and knows no
    small caps; ``protected_class`` wraps protected groups in a span.
    """
    if isinstance(node, String):
        return html.escape(node.value)
    if isinstance(node, Symbol):
        return str(_HTML_BACKEND.symbols.get(node.name, ""))
    inner = "".join(render_html(part, protected_class) for part in node.parts)  # type: ignore[attr-defined]
    if not inner:
        return ""
    if isinstance(node, Tag):
        start, end = _HTML_TAGS.get(node.name, ("", ""))
        return start + inner + end
    if isinstance(node, HRef):
        return f'<a href="{html.escape(node.url)}">{inner}</a>' if is_web(node.url) else inner
    if isinstance(node, Protected) and protected_class:
        return f'<span class="{protected_class}">{inner}</span>'
    return inner


def resolve_pybtex_text(node: BaseText, protected_class: str | None = "bibtex-protected") -> Rich:
    """What a pybtex style formatted from :func:`protect`-ed fields, with the commands pybtex left resolved."""
    return _rich(read(_as_latex(node)), protected_class)


def _as_latex(node: BaseText) -> str:
    # pybtex's strings hold what latexcodec left (commands, private-use
    # characters); its groups and tags become LaTeX again, to be read once.
    if isinstance(node, String):
        return node.value
    if isinstance(node, Symbol):
        return _SYMBOLS.get(node.name, " ")
    inner = "".join(_as_latex(part) for part in node.parts)  # type: ignore[attr-defined]
    if isinstance(node, Tag):
        command = _LATEX_OF_TAG.get(node.name)
        return f"\\{command}{{{inner}}}" if command else inner
    if isinstance(node, HRef):
        return f"\\href{{{_encode(node.url)}}}{{{inner}}}"
    if isinstance(node, Protected):
        return "{" + inner + "}"
    return inner
