"""medkb's per-page budget in real builds: a pathological page stops the build at once, with one line naming it.

How long these builds take is measured apart (see the README's editor's
guide); the tests only check what is reported.
"""

from __future__ import annotations

from typing import Callable

import pytest
from mkdocs.exceptions import Abort

from conftest import BuiltSite, article

Make = Callable[..., BuiltSite]
BUDGET = "(medkb's per-page budget)"


def messages(caplog: pytest.LogCaptureFixture, level: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == level]


def test_list_nested_1000_levels_stops_the_build(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    body = "## Deep\n\n" + "".join("    " * i + "- item\n" for i in range(1000))
    with pytest.raises(Abort):
        make_site({"articles/x.md": article(body=body)}, strict=False)
    # The body starts on line 8; its deepest item is the last, on line 1009.
    assert f"content/articles/x.md:1009: page nests lists 1000 levels deep; the limit is 50 {BUDGET}" in messages(caplog, "ERROR")
    assert not any(r.exc_info for r in caplog.records)


def test_40_kb_of_nested_brackets_stop_the_build(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    body = "## Brackets\n\n" + "[" * 40_000 + "\n"
    with pytest.raises(Abort):
        make_site({"articles/x.md": article(body=body)}, strict=False)
    assert (
        f"content/articles/x.md:10: page nests brackets '[' 40000 levels deep (unclosed ones count); the limit is 20 {BUDGET}"
    ) in messages(caplog, "ERROR")
    assert not any(r.exc_info for r in caplog.records)


def test_every_page_has_the_budget(make_site: Make, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(Abort):
        make_site({"notes.md": "# Notes\n\n" + "> " * 60 + "deep\n"})
    assert f"content/notes.md:3: page nests blockquotes 60 levels deep; the limit is 50 {BUDGET}" in messages(caplog, "ERROR")


def test_a_page_within_the_budget_builds(make_site: Make) -> None:
    deep = "".join("    " * i + f"- level {i + 1}\n" for i in range(50))
    brackets = "[" * 20 + "twenty open brackets, and `[[[[[[[[[[[[[[[[[[[[[` in code\n"
    site = make_site({"articles/x.md": article(body=f"## List\n\n{deep}\n## Brackets\n\n{brackets}")})
    soup = site.soup("articles/x")
    assert len(soup.select(".md-content ul")) == 50 and "level 50" in soup.get_text()


def test_the_commands_apply_the_budget_too(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from conftest import write_site
    from medkb.cli import main

    deep = "".join("    " * i + "- x\n" for i in range(200)) + "\nA claim [@a].\n"
    write_site(tmp_path, {"articles/a.md": article(body=deep)}, bib="@article{a, title={T}, journal={J}, year={2020}}\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-build"]) == 1
    out = capsys.readouterr().out
    assert "content/articles/a.md:" in out and "the limit is 50 (medkb's per-page budget)" in out
    assert main(["review", "content/articles/a.md", "--to", "under-review", "--as", "reviewer"]) == 1
    assert "the limit is 50 (medkb's per-page budget)" in capsys.readouterr().err
