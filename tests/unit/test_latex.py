"""LaTeX in reference fields rendered as text and escaped HTML, never printed raw."""

from __future__ import annotations

import random
import re

import pytest

from medkb.citations.bibliography import parse_bibtex
from medkb.citations.latex import latex_escape, latex_value
from medkb.citations.style import format_reference


@pytest.mark.parametrize(
    ("latex", "text", "html"),
    [
        (r"\textit{Staphylococcus aureus} bacteraemia", "Staphylococcus aureus bacteraemia", "<i>Staphylococcus aureus</i> bacteraemia"),
        (r"{\it Liber} de {\em anima}", "Liber de anima", "<i>Liber</i> de <em>anima</em>"),
        (r"\emph{a \textbf{b}} \textsc{mcxcviii}", "a b mcxcviii", '<em>a <b>b</b></em> <span class="kb-smallcaps">mcxcviii</span>'),
        (r"{\bf x}, \texttt{y}", "x, y", "<b>x</b>, <code>y</code>"),
        (r"HbA\textsubscript{1c} 10\textsuperscript{6}", "HbA1c 106", "HbA<sub>1c</sub> 10<sup>6</sup>"),
        (r"see \url{https://example.org/a_b~c%20d--e}", "see https://example.org/a_b~c%20d--e",
         'see <a href="https://example.org/a_b~c%20d--e">https://example.org/a_b~c%20d--e</a>'),
        (r"\href{https://example.org/?a=1&b=2}{the \emph{site}}", "the site", '<a href="https://example.org/?a=1&amp;b=2">the <em>site</em></a>'),
        (r"\href{javascript:alert(1)}{click}", "click", "click"),
        (r"\url{ftp://example.org/x}", "ftp://example.org/x", "ftp://example.org/x"),
        (r"\doi{10.1056/NEJMoa1511939}", "10.1056/NEJMoa1511939", '<a href="https://doi.org/10.1056/NEJMoa1511939">10.1056/NEJMoa1511939</a>'),
        (r"\TeX\ and \LaTeX{} with \BibTeX", "TeX and LaTeX with BibTeX", "TeX and LaTeX with BibTeX"),
        (r"The {\TeX book}", "The TeXbook", "The TeXbook"),
        (r"\mbox{AB}\relax{} 5\,mg", "AB 5\u202fmg", "AB 5\u202fmg"),
        (r"$O(n \log n)$ sorting", "O(n log n) sorting", "O(n log n) sorting"),
        (r"$\alpha$-blockers and $x \le 5$", "\u03b1-blockers and x \u2264 5", "\u03b1-blockers and x \u2264 5"),
        (r"$x^2 + y_{ij}$, $\mathrm{CO}_2$, $^{13}$C", "x2 + yij, CO2, 13C", "x<sup>2</sup> + y<sub>ij</sub>, CO<sub>2</sub>, <sup>13</sup>C"),
        (r"$\frac{1}{2}$ and $\sqrt{x+1}$", "1/2 and \u221a(x+1)", "1/2 and \u221a(x+1)"),
        (r"Karada{\c{s}} {\"O}mer -- Savovi{\'c}, D\'{\i}az", "Karada\u015f \u00d6mer \u2013 Savovi\u0107, D\u00edaz", "Karada\u015f \u00d6mer \u2013 Savovi\u0107, D\u00edaz"),
        (r"\$5 for \{braces\}, 50\% \& \#1", "$5 for {braces}, 50% & #1", "$5 for {braces}, 50% &amp; #1"),
        (r"\mkbibquote{Intention} \noopsort{1973a}1973", "\u201cIntention\u201d 1973", "\u201cIntention\u201d 1973"),
        (r"<script>\emph{x}</script>", "<script>x</script>", "&lt;script&gt;<em>x</em>&lt;/script&gt;"),
    ],
)
def test_latex_becomes_text_and_html(latex: str, text: str, html: str) -> None:
    value = latex_value(latex)
    assert (value.text, value.html, value.unknown) == (text, html, ())


def test_unknown_command_shows_its_argument_and_is_reported() -> None:
    value = latex_value(r"\foo{bar} and \acro{NASA} \TUB")
    assert value.text == "bar and NASA "
    assert value.unknown == ("foo", "acro", "TUB")


def test_plain_values_take_the_fast_path_unchanged() -> None:
    assert latex_value("Plain title: 5 < 6 & more").html == "Plain title: 5 &lt; 6 &amp; more"
    assert latex_value("{DNA} repair -- a ``review''").text == "DNA repair \u2013 a \u201creview\u201d"


def test_unknown_command_is_a_warning_naming_the_entry() -> None:
    entry = parse_bibtex(r"@article{k, title={\foo{Bar} study of \baz}, journal={J}, year=2020}", "r.bib").entries["k"]
    ref = format_reference(entry, "vancouver", {})
    assert ref.html == "Bar study of. <em>J</em>. 2020."
    assert ref.warnings == (
        "entry 'k': LaTeX commands \\foo, \\baz are not ones medkb renders: they are left out and their arguments shown",
    )


def test_pybtex_styles_render_latex_too() -> None:
    entry = parse_bibtex(
        "@article{k, author={Tong, Steven}, title={\\textit{Staphylococcus aureus} and {\\LaTeX}},"
        " journal={Clin {\\em Microbiol} Rev}, year=2015, note={See \\url{https://example.org/x%20y}}}",
        "r.bib",
    ).entries["k"]
    ref = format_reference(entry, "unsrt", {})
    assert ref.html == (
        "Steven Tong. <i>Staphylococcus aureus</i> and <span class=\"bibtex-protected\">LaTeX</span>. "
        "<em>Clin <span class=\"bibtex-protected\"><em>Microbiol</em></span> Rev</em>, 2015. "
        'See <a href="https://example.org/x%20y">https://example.org/x%20y</a>.'
    )
    assert ref.text == "Steven Tong. Staphylococcus aureus and LaTeX. Clin Microbiol Rev, 2015. See https://example.org/x%20y."
    assert ref.warnings == ()


def test_latex_escape_round_trips_plain_text() -> None:
    for text in ["50% of $5 {x} a\\b ~ -- ``q''", "Plain", "C:\\path\\to {file}"]:
        assert latex_value(latex_escape(text)).text == text


def test_no_input_raises_or_leaks_markup() -> None:
    # Random LaTeX-like values: every one renders, and the HTML holds only
    # the tags medkb writes (everything else escaped).
    rng = random.Random(17)
    alphabet = ["\\textit", "\\emph", "\\url", "\\href", "\\foo", "\\'", "\\\\", "{", "}", "$", "^", "_", "%", "~", "<b>", "&", "\\", " ", "a", "--", "\\it ", "\\$"]
    allowed = re.compile(r"</?(?:i|em|b|code|sup|sub)>|<span class=\"kb-smallcaps\">|</span>|<a href=\"https?://[^\"<>]*\">|</a>")
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        rich = latex_value(value)
        assert "<" not in allowed.sub("", rich.html), (value, rich.html)
