"""medkb's Markdown extensions by name, in plain Python-Markdown, without MkDocs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup

from conftest import REPO
from medkb.citations.bibliography import BibliographyError

BIB = "@article{smith2020,\n  author = {Smith, Jane},\n  title = {A trial of dosing},\n  journal = {J Test},\n  year = {2020},\n}\n"
SOURCE = "Claim [@smith2020].\n\n/// audience | patient\nPlain words [@smith2020].\n///\n"

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import markdown
    md = markdown.Markdown(
        extensions=["medkb.citations", "medkb.audience"],
        extension_configs={"medkb.citations": {"bibliography": ["references.bib"]}},
    )
    html = md.convert(sys.stdin.read())
    print(json.dumps({"html": html, "mkdocs": sorted(m for m in sys.modules if m == "mkdocs" or m.startswith("mkdocs."))}))
    """
)


def test_extensions_by_name_render_without_mkdocs(tmp_path: Path) -> None:
    (tmp_path / "references.bib").write_text(BIB, encoding="utf-8")
    env = {"PYTHONPATH": str(REPO / "plugins"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], input=SOURCE, cwd=tmp_path, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["mkdocs"] == []
    soup = BeautifulSoup(out["html"], "html.parser")
    # The shared citation is numbered in both reading views (patients see two
    # citations, the other audiences one), each linking to its own list.
    shared = soup.select("#cite-1 > span.kb-audience")
    assert [(s["data-kb-audience"], s.a["href"]) for s in shared] == [("patient", "#ref-smith2020"), ("student professional", "#ref-smith2020-student")]
    assert [a.get_text() for a in soup.select("sup.kb-cite a")] == ["1", "1", "1"]
    patient, others = soup.select("ol.kb-references")
    assert (patient["data-kb-audience"], others["data-kb-audience"]) == ("patient", "student professional")
    (entry,) = patient.select("li")
    assert entry["id"] == "ref-smith2020"
    assert "Smith J. A trial of dosing." in entry.get_text()
    assert [a["href"] for a in entry.select(".kb-backrefs a")] == ["#cite-1", "#cite-2"]
    (other,) = others.select("li")
    assert [a["href"] for a in other.select(".kb-backrefs a")] == ["#cite-1"]
    passage = soup.select_one('div.kb-audience[data-kb-audience="patient"]')
    assert passage is not None and "Plain words" in passage.get_text()


def test_audience_ids_from_extension_configs() -> None:
    md = markdown.Markdown(extensions=["medkb.audience"], extension_configs={"medkb.audience": {"audiences": ["lay", "expert"]}})
    html = md.convert("/// audience | expert\nDetail.\n///\n")
    assert html == '<div class="kb-audience" data-kb-audience="expert">\n<p>Detail.</p>\n</div>'


def test_unknown_bibliography_file_is_a_clear_error(tmp_path: Path) -> None:
    md = markdown.Markdown(extensions=["medkb.citations"], extension_configs={"medkb.citations": {"bibliography": [str(tmp_path / "none.bib")]}})
    with pytest.raises(BibliographyError) as e:
        md.convert("Claim [@a].")
    assert str(e.value) == f"{tmp_path / 'none.bib'}: cannot read bibliography (No such file or directory)"


def test_safelinks_by_name_drops_script_links() -> None:
    html = markdown.Markdown(extensions=["medkb.safelinks"]).convert("[x](javascript:alert(1)) [y](https://example.org)")
    assert html == '<p><span>x</span> <a href="https://example.org">y</a></p>'


def test_a_host_that_makes_an_extension_per_page_parses_the_bibliography_once(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text(BIB, encoding="utf-8")
    configs = {"medkb.citations": {"bibliography": [str(bib)]}}
    first, second = (markdown.Markdown(extensions=["medkb.citations"], extension_configs=configs) for _ in range(2))
    first.convert("A [@smith2020].")
    second.convert("B [@smith2020].")
    one, two = (md.registeredExtensions[0].catalog for md in (first, second))  # type: ignore[attr-defined]
    assert one is two
    bib.write_text(BIB.replace("A trial of dosing", "A changed title"), encoding="utf-8")
    third = markdown.Markdown(extensions=["medkb.citations"], extension_configs=configs)
    assert "A changed title" in third.convert("C [@smith2020].")
