"""medkb as another site installs it: a fresh venv, a non-editable ``pip install``.

Each plugin alone, and all six, in a plain Material site with no
``theme.custom_dir``: everything medkb shows must come from the package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO, TEST_BOARD, article

pytestmark = pytest.mark.packaging

_SKIP = shutil.ignore_patterns(".git", ".venv", "site", "node_modules", "bench", "tests", "*.egg-info", "build", ".cache", "__pycache__", "tools")


@pytest.fixture(scope="session")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with medkb installed from a copy of the source tree, not in editable mode."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "medkb-src"
    shutil.copytree(REPO, source, ignore=_SKIP)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source)], check=True)
    return venv


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True)


def test_installed_package_is_not_the_source_tree(fresh_venv: Path, tmp_path: Path) -> None:
    result = _run(fresh_venv, "python", "-c", "import medkb, medkb.theme as t; print(medkb.__file__); print(t.TEMPLATES_DIR)", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    module, templates = result.stdout.split()
    assert Path(module).is_relative_to(fresh_venv) and not Path(module).is_relative_to(REPO)
    shipped = {p.relative_to(templates).as_posix() for p in Path(templates).rglob("*") if p.is_file()}
    expected = {p.relative_to(REPO / "plugins/medkb/templates").as_posix() for p in (REPO / "plugins/medkb/templates").rglob("*") if p.is_file()}
    assert shipped == expected


def test_installed_package_ships_the_desk_templates(fresh_venv: Path, tmp_path: Path) -> None:
    result = _run(fresh_venv, "python", "-c", "import medkb.desk.views as v; print(v.TEMPLATES); print(v.STATIC)", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for installed, source in zip(result.stdout.split(), ("templates", "static")):
        assert Path(installed).is_relative_to(fresh_venv)
        shipped = {p.name for p in Path(installed).iterdir()}
        assert shipped == {p.name for p in (REPO / "plugins/medkb/desk" / source).iterdir()}, source
    help_text = _run(fresh_venv, "medkb", "desk", "--help", cwd=tmp_path)
    assert help_text.returncode == 0 and "--no-browser" in help_text.stdout


BIB = "@article{smith2020,\n  author = {Smith, Jane},\n  title = {A trial of dosing},\n  journal = {J Test},\n  year = {2020},\n}\n"
BODY = textwrap.dedent(
    """\
    /// key-points
    - The answer.
    ///

    ## Answer

    A cited claim [@smith2020].

    /// audience | patient
    Plain words for patients.
    ///
    """
)
PAGES = {
    "index.md": "# Home\n",
    "articles/a.md": article(status="under-review", body=BODY),
}
DISCLAIMER = {"medkb/disclaimer": {"disclaimers": {"pro": {"title": "Professional Medical Disclaimer", "body": "Verify it."}}}}
#: What each plugin must show on the article page when it runs alone.
ALONE = {
    "medkb/citations": ("medkb/citations", "ol.kb-references li#ref-smith2020"),
    "medkb/audience": ("medkb/audience", '.kb-audience[data-kb-audience="patient"]'),
    "medkb/disclaimer": (DISCLAIMER, 'aside.kb-disclaimer[data-kb-disclaimer="pro"]'),
    "medkb/review": ("medkb/review", '.kb-review[data-kb-status="under-review"] .kb-tracker'),
    "medkb/search": ("medkb/search", "[data-pagefind-body]"),
    "medkb/clinical": ("medkb/clinical", "section.kb-key-points h2#key-points"),
}


def _write_plain_site(root: Path, plugins: list[object]) -> None:
    config = {"site_name": "Plain KB", "docs_dir": "content", "theme": {"name": "material", "font": False}, "plugins": plugins}
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    for name, text in PAGES.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "references.bib").write_text(BIB, encoding="utf-8")
    (root / "board.yml").write_text(TEST_BOARD, encoding="utf-8")


@pytest.mark.parametrize("name", list(ALONE))
def test_each_plugin_alone_in_a_plain_material_site(fresh_venv: Path, tmp_path: Path, name: str) -> None:
    plugin, selector = ALONE[name]
    _write_plain_site(tmp_path, [plugin])
    result = _run(fresh_venv, "mkdocs", "build", "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((tmp_path / "site/articles/a/index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one(selector) is not None, f"{name} alone: nothing matches {selector}"
    assert soup.select_one('link[href$="assets/stylesheets/kb.css"]') is not None
    assert (tmp_path / "site/assets/stylesheets/kb.css").is_file()
    assert (tmp_path / "site/assets/javascripts/kb.js").is_file()
    if name == "medkb/search":
        assert (tmp_path / "site/pagefind/pagefind.js").is_file()


def test_all_six_plugins_in_a_plain_material_site(fresh_venv: Path, tmp_path: Path) -> None:
    _write_plain_site(tmp_path, [ALONE[name][0] for name in ALONE])
    result = _run(fresh_venv, "mkdocs", "build", "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((tmp_path / "site/articles/a/index.html").read_text(encoding="utf-8"), "html.parser")
    for name, (_, selector) in ALONE.items():
        assert soup.select_one(selector) is not None, f"{name}: nothing matches {selector}"
    assert soup.select_one(".kb-picker") is not None
    assert soup.select_one("#kb-search") is not None or soup.select_one(".kb-search") is not None


def test_init_then_strict_build_with_the_installed_package(fresh_venv: Path, tmp_path: Path) -> None:
    result = _run(fresh_venv, "medkb", "init", "kb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    kb = tmp_path / "kb"
    # Every scaffold file reached the installed package (package-data globs), dotfiles renamed.
    written = {p.relative_to(kb).as_posix() for p in kb.rglob("*") if p.is_file()}
    scaffold = REPO / "plugins/medkb/scaffold/files"
    shipped = {p.relative_to(scaffold).as_posix() for p in scaffold.rglob("*") if p.is_file()}
    assert written == {("." + s if s.split("/")[0] in ("gitignore", "github") else s) for s in shipped}
    result = _run(fresh_venv, "mkdocs", "build", "--strict", cwd=kb)
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((kb / "site/articles/how-much-physical-activity-should-adults-do-each-week/index.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.select_one(".kb-review") is not None and soup.select_one("ol.kb-references li") is not None
    assert (kb / "site/pagefind/pagefind.js").is_file()
