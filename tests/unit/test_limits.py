"""medkb's per-page budget (``medkb.limits``) without MkDocs."""

from __future__ import annotations

import markdown
import pytest

from medkb.limits import PageBudget, PageBudgetError, PageLimitsExtension, check_page, nesting


def problem(src: str, budget: PageBudget = PageBudget()) -> tuple[int | None, str] | None:
    error = check_page(src.split("\n"), budget)
    return None if error is None else (error.line, str(error))


@pytest.mark.parametrize(
    ("line", "levels"),
    [
        ("text", (0, 0, 0)),
        ("- item", (1, 0, 0)),
        ("        - item", (1, 2, 0)),
        ("\t- item", (1, 1, 0)),
        ("> > - 1. item", (2, 0, 2)),
        ("- - - - -", (0, 0, 0)),  # a rule
        ("* * *", (0, 0, 0)),
        ("1.5 mg twice a day", (0, 0, 0)),
        ("    ", (0, 0, 0)),
        (">>>", (0, 0, 3)),
    ],
)
def test_nesting_of_a_line(line: str, levels: tuple[int, int, int]) -> None:
    assert nesting(line) == levels


def test_the_budget_exactly() -> None:
    assert problem("".join("    " * i + "- x\n" for i in range(50))) is None
    assert problem("".join("    " * i + "- x\n" for i in range(51))) == (
        51, "page nests lists 51 levels deep; the limit is 50 (medkb's per-page budget)"
    )
    assert problem("> " * 30 + "- " * 21 + "x") == (
        1, "page nests lists and blockquotes 51 levels deep; the limit is 50 (medkb's per-page budget)"
    )
    assert problem("[" * 20 + "\n\n" + "(" * 20) is None
    assert problem("ok\n\n" + "[" * 21) == (
        3, "page nests brackets '[' 21 levels deep (unclosed ones count); the limit is 20 (medkb's per-page budget)"
    )
    assert problem("[a](" * 21) == (
        1, "page nests brackets '(' 21 levels deep (unclosed ones count); the limit is 20 (medkb's per-page budget)"
    )
    assert problem("x" * 500_000) is None
    assert problem("x" * 500_001) == (None, "page is 500,001 characters long; the limit is 500,000 (medkb's per-page budget)")


def test_brackets_close_and_paragraphs_end() -> None:
    assert problem(" ".join(f"[link {i}](x.md) (see [{i}])" for i in range(100))) is None
    assert problem("\n\n".join("[" * 15 for _ in range(10))) is None


def test_code_spans_and_escapes_do_not_count() -> None:
    assert problem("`" + "[" * 30 + "` and ``[[[[[[[[[[[[[[[[[[[[[[[[`` and " + "\\[" * 30) is None
    # A bracket closed inside a code span closes nothing.
    assert problem("[`]`" * 21) is not None


def test_a_smaller_budget() -> None:
    assert problem("- - - x", PageBudget(max_nesting=2)) == (
        1, "page nests lists 3 levels deep; the limit is 2 (medkb's per-page budget)"
    )


def test_extension_by_name_refuses_before_conversion() -> None:
    md = markdown.Markdown(extensions=["medkb.limits"])
    with pytest.raises(PageBudgetError) as info:
        md.convert("# T\n\n" + "- " * 1000 + "x\n")
    assert (info.value.line, str(info.value)) == (3, "page nests lists 1000 levels deep; the limit is 50 (medkb's per-page budget)")
    assert md.convert("- a\n    - b\n") == "<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>"


def test_configured_budget_and_error() -> None:
    md = markdown.Markdown(extensions=[PageLimitsExtension(lambda e: RuntimeError(f"x.md: {e}"), max_brackets=2)])
    with pytest.raises(RuntimeError, match=r"^x.md: page nests brackets '\[' 3 levels deep"):
        md.convert("[[[")
