"""Reading what latexcodec leaves of a LaTeX value: commands, groups, ``$...$``, into pybtex rich text.

The tables say what each command becomes (:mod:`medkb.citations.latex`
renders the result). A command in none of them is dropped to its arguments
and named in the result's ``unknown``.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import latexcodec  # noqa: F401 - registers the "ulatex" codec
from pybtex.richtext import BaseText, HRef, Protected, String, Tag, Text

# Private-use characters carry what latexcodec must not see: escaped
# specials, and link addresses (one character each, shifted to plane 15).
DOLLAR, LBRACE, RBRACE, BACKSLASH = "\ue000", "\ue001", "\ue002", "\ue003"
_RESTORE = str.maketrans({DOLLAR: "$", LBRACE: "{", RBRACE: "}", BACKSLASH: "\\"})
PLANE15 = 0xF0000

_TOKEN = re.compile(
    r"\\([A-Za-z@]+)([ \t\n]?)"  # a control word and the one space that ends it
    r"|\\(.?)"  # a control symbol (\, \' \%...)
    r"|([{}$^_])"
    r"|([\U000f0000-\U000ffffd]+)"  # a link address, verbatim
    r"|([^\\{}$^_\U000f0000-\U000ffffd]+)",
    re.DOTALL,
)

#: One argument, shown in an HTML element (``sc``: small caps).
STYLE_COMMANDS: dict[str, str] = {
    "textit": "i", "textsl": "i", "mkbibitalic": "i", "mathit": "i",
    "emph": "em", "mkbibemph": "em",
    "textbf": "b", "mkbibbold": "b", "mathbf": "b", "boldsymbol": "b",
    "textsc": "sc",
    "textsuperscript": "sup", "mkbibsuperscript": "sup",
    "textsubscript": "sub",
    "texttt": "code", "mathtt": "code",
}
#: Declarations that style the rest of their group: ``{\it Liber}``.
DECLARATIONS: dict[str, str | None] = {
    "it": "i", "itshape": "i", "sl": "i", "slshape": "i", "em": "em",
    "bf": "b", "bfseries": "b", "sc": "sc", "scshape": "sc", "tt": "code", "ttfamily": "code",
    **dict.fromkeys(
        "rm rmfamily sf sffamily upshape mdseries normalfont tiny scriptsize footnotesize small "
        "normalsize large Large LARGE huge Huge".split()
    ),
}
#: One argument, shown as it is.
TRANSPARENT = frozenset(
    "mbox hbox fbox text textrm textup textnormal textmd textsf mathrm mathsf mathcal mathbb mathfrak "
    "operatorname ensuremath NoCaseChange nocase".split()
)
#: No argument, replaced by text.
TEXT_COMMANDS: dict[str, str] = {
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2\u03b5", "BibTeX": "BibTeX", "AmSTeX": "AMS-TeX",
    "AmSLaTeX": "AMS-LaTeX", "AmS": "AMS", "MF": "METAFONT", "MP": "METAPOST", "METAFONT": "METAFONT",
    "METAPOST": "METAPOST", "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX",
    "LuaLaTeX": "LuaLaTeX", "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX", "ConTeXt": "ConTeXt",
    "eTeX": "\u03b5-TeX", "SliTeX": "SliTeX", "BibLaTeX": "BibLaTeX", "biblatex": "biblatex",
    "relax": "", "protect": "", "noindent": "", "unskip": "", "nobreak": "", "ignorespaces": "",
    "/": "", "-": "", "@": "", "!": "", ",": "\u202f", ";": " ", ":": " ", " ": " ", "\\": " ",
    "quad": " ", "qquad": " ", "newline": " ", "linebreak": " ", "par": " ", "break": " ",
    "dots": "\u2026", "ldots": "\u2026", "textellipsis": "\u2026", "hyphen": "-", "slash": "/",
    "textendash": "\u2013", "textemdash": "\u2014", "&": "&", "%": "%", "#": "#", "_": "_",
    "$": "$", "{": "{", "}": "}", "~": "\u00a0",
}
#: One argument, not shown (sort keys).
SILENT = frozenset({"noopsort", "sortkey", "phantom", "hphantom", "vphantom", "label", "index"})
_QUOTES = frozenset({"mkbibquote", "enquote", "textquote"})
_UPPER = frozenset({"MakeUppercase", "uppercase", "MakeTextUppercase"})
_LOWER = frozenset({"MakeLowercase", "lowercase", "MakeTextLowercase"})
#: Accents latexcodec left (``\'{\i}``, ``\'ı``), as combining characters.
ACCENTS: dict[str, str] = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331", "t": "\u0361",
}
_DOTLESS = str.maketrans({"\u0131": "i", "\u0237": "j"})
MATH_FUNCTIONS = frozenset(
    "log ln lg exp sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth max min sup inf lim "
    "liminf limsup det dim ker deg gcd hom arg Pr".split()
)
_MATH_SPACING = frozenset(
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr displaystyle textstyle scriptstyle limits nolimits".split()
)
_MATH_SYMBOLS = {"le": "\u2264", "ge": "\u2265", "to": "\u2192", "prime": "\u2032", "ne": "\u2260", "neq": "\u2260",
                 "cdots": "\u22ef", "lbrace": "{", "rbrace": "}", "colon": ":", "mid": "|", "vert": "|"}
_KNOWN = {
    name.lower(): name
    for name in (*STYLE_COMMANDS, *DECLARATIONS, *TRANSPARENT, *TEXT_COMMANDS, *SILENT, *_QUOTES, *_UPPER, *_LOWER,
                 "url", "href", "doi")
}



def decode(value: str) -> str:
    try:
        return codecs.decode(value, "ulatex")  # type: ignore[arg-type]
    except (UnicodeError, ValueError, TypeError):  # pragma: no cover - latexcodec leaves what it cannot read
        return value


@dataclass
class _Command:
    name: str
    spaced: bool


@dataclass
class _Group:
    items: list[object]


@dataclass
class _Plain:
    text: str
    verbatim: bool = False


@dataclass
class _Mark:
    char: str  # $ ^ _


def read(decoded: str) -> list[object]:
    """Commands, groups, marks and text of a decoded value."""
    stack: list[list[object]] = [[]]
    for m in _TOKEN.finditer(decoded):
        word, space, symbol, special, address, plain = m.groups()
        top = stack[-1]
        if word is not None:
            top.append(_Command(word, bool(space)))
        elif symbol is not None:
            top.append(_Mark("$") if symbol in "()" and symbol else _Command(symbol, False))
        elif special == "{":
            group = _Group([])
            top.append(group)
            stack.append(group.items)
        elif special == "}":
            if len(stack) > 1:
                stack.pop()
        elif special is not None:
            top.append(_Mark(special))
        elif address is not None:
            top.append(_Plain("".join(chr(ord(c) - PLANE15) for c in address), verbatim=True))
        else:
            top.append(_Plain(plain.translate(_RESTORE)))
    return stack[0]


class _Builder:
    """Turns read items into pybtex rich text, noting unknown commands."""

    def __init__(self) -> None:
        self.unknown: list[str] = []

    def build(self, items: list[object], math: bool = False) -> list[BaseText]:
        out: list[BaseText] = []
        i = 0
        while i < len(items):
            item = items[i]
            i += 1
            if isinstance(item, _Plain):
                out.append(String(item.text))
            elif isinstance(item, _Group):
                built = self.build(item.items, math)
                if math:
                    out.extend(built)
                elif built:
                    out.append(Protected(*built))
            elif isinstance(item, _Mark):
                if item.char == "$" and not math:
                    end = next((j for j in range(i, len(items)) if isinstance(items[j], _Mark) and items[j].char == "$"), None)  # type: ignore[attr-defined]
                    if end is None:
                        out.append(String("$"))
                        continue
                    out.extend(self.build(items[i:end], math=True))
                    i = end + 1
                elif math and item.char in "^_":
                    argument, i = self.argument(items, i, math)
                    out.append(Tag("sup" if item.char == "^" else "sub", *argument))
                elif item.char != "$":
                    out.append(String(item.char))
            else:
                assert isinstance(item, _Command)
                i = self.command(item, items, i, out, math)
        return out

    def argument(self, items: list[object], i: int, math: bool) -> tuple[list[BaseText], int]:
        """TeX's undelimited argument: the next group, else the next character."""
        while i < len(items) and isinstance(items[i], _Plain) and not items[i].text.strip():  # type: ignore[attr-defined]
            i += 1
        if i >= len(items):
            return [], i
        item = items[i]
        if isinstance(item, _Group):
            return self.build(item.items, math), i + 1
        if isinstance(item, _Plain):
            text = item.text.lstrip()
            if len(text) > 1:
                items[i] = _Plain(text[1:], item.verbatim)
                return [String(text[0])], i
            return [String(text)], i + 1
        if isinstance(item, _Command):
            out: list[BaseText] = []
            return out, self.command(item, items, i + 1, out, math)
        return [], i + 1

    def command(self, cmd: _Command, items: list[object], i: int, out: list[BaseText], math: bool) -> int:
        """Append what ``cmd`` shows; the index after its arguments."""
        name = cmd.name if cmd.name in TEXT_COMMANDS or cmd.name in ACCENTS else _KNOWN.get(cmd.name.lower(), cmd.name)
        if math:
            done = self.math_command(name, items, i, out)
            if done is not None:
                if cmd.spaced and _is_word_next(items, done):
                    out.append(String(" "))  # spaces are kept in math: "n log n"
                return done
        if name in ACCENTS:
            argument, i = self.argument(items, i, math)
            out.extend(_accented(argument, ACCENTS[name]))
            return i
        if name in STYLE_COMMANDS:
            argument, i = self.argument(items, i, math)
            out.append(Tag(STYLE_COMMANDS[name], *argument))
        elif name in DECLARATIONS:
            rest = self.build(items[i:], math)
            tag = DECLARATIONS[name]
            out.append(Tag(tag, *rest)) if tag else out.extend(rest)
            return len(items)
        elif name in TRANSPARENT:
            argument, i = self.argument(items, i, math or name == "ensuremath")
            out.extend(argument)
        elif name in SILENT:
            _, i = self.argument(items, i, math)
        elif name in _QUOTES:
            argument, i = self.argument(items, i, math)
            out.extend([String("\u201c"), *argument, String("\u201d")])
        elif name in _UPPER or name in _LOWER:
            argument, i = self.argument(items, i, math)
            text = Text(*argument)
            out.append(text.upper() if name in _UPPER else text.lower())
        elif name in ("url", "href", "doi"):
            i = self.link(name, items, i, out)
        elif name in TEXT_COMMANDS:
            # The space after a control word ends it, as in TeX: "\TeX\ and",
            # "\TeX{} and" and "{\TeX} and" keep one, "The {\TeX book}" none.
            out.append(String(TEXT_COMMANDS[name]))
        else:
            self.unknown.append(cmd.name)
            while i < len(items) and isinstance(items[i], _Group):
                out.extend(self.build(items[i].items, math))  # type: ignore[attr-defined]
                i += 1
        return i

    def math_command(self, name: str, items: list[object], i: int, out: list[BaseText]) -> int | None:
        """A command inside ``$...$``; ``None`` when it is no math command."""
        if name in MATH_FUNCTIONS:
            out.append(String(name))
        elif name in _MATH_SPACING:
            pass
        elif name == "frac":
            numerator, i = self.argument(items, i, True)
            denominator, i = self.argument(items, i, True)
            out.extend([*numerator, String("/"), *denominator])
        elif name == "sqrt":
            radicand, i = self.argument(items, i, True)
            long = len(str(Text(*radicand))) > 1
            out.extend([String("\u221a(" if long else "\u221a"), *radicand, *([String(")")] if long else [])])
        else:
            symbol = _math_symbol(name)
            if symbol is None:
                return None
            out.append(String(symbol))
        return i

    def link(self, name: str, items: list[object], i: int, out: list[BaseText]) -> int:
        """``\\url{a}``, ``\\href{a}{text}``, ``\\doi{10...}``: a link when http(s), else text."""
        if i >= len(items) or not isinstance(items[i], _Group):
            argument, i = self.argument(items, i, False)
            out.extend(argument)
            return i
        group = items[i].items  # type: ignore[attr-defined]
        i += 1
        address = "".join(p.text for p in _plains(group))
        label: list[BaseText] = [String(address)]
        if name == "href":
            if i < len(items) and isinstance(items[i], _Group):
                label = self.build(items[i].items)  # type: ignore[attr-defined]
                i += 1
            elif len(group) > 1 and isinstance(group[0], _Plain) and group[0].verbatim:
                # pybtex merged {address}{text} into one group.
                address, label = group[0].text, self.build(group[1:])
        elif name == "doi":
            address = "https://doi.org/" + address
        out.append(HRef(address, *label) if is_web(address) else Text(*label))
        return i


def _plains(items: list[object]) -> list[_Plain]:
    found: list[_Plain] = []
    for item in items:
        if isinstance(item, _Plain):
            found.append(item)
        elif isinstance(item, _Group):
            found.extend(_plains(item.items))
    return found


def _is_word_next(items: list[object], i: int) -> bool:
    nxt = items[i] if i < len(items) else None
    return isinstance(nxt, _Plain) and nxt.text[:1].isalnum()


def _accented(argument: list[BaseText], mark: str) -> list[BaseText]:
    text = str(Text(*argument))
    if not text:
        return []
    first = text[0].translate(_DOTLESS) if mark not in ("\u0327", "\u0328", "\u0323", "\u0331") else text[0]
    return [String(unicodedata.normalize("NFC", first + mark) + text[1:])]


@functools.lru_cache(maxsize=1024)
def _math_symbol(name: str) -> str | None:
    if name in _MATH_SYMBOLS:
        return _MATH_SYMBOLS[name]
    decoded = decode(f"$\\{name}$")
    return decoded if "\\" not in decoded and "$" not in decoded else None


def is_web(address: str) -> bool:
    try:
        parts = urlsplit(address.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def build(items: list[object]) -> tuple[Text, tuple[str, ...]]:
    """Rich text of read items, and the commands that were unknown."""
    builder = _Builder()
    node = Text(*builder.build(items))
    return node, tuple(dict.fromkeys(builder.unknown))
