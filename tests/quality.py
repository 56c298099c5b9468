"""Checkers over a built site: links, injection, HTML validity. Used by the tests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parent.parent
VNU_JAR = REPO / "tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Errors the Nu Html Checker reports in Material for MkDocs' own templates,
# which medkb does not override (it would mean copying them). Exact messages:
THEME_HTML_ERRORS = (
    # Material's hidden drawer and search toggles: <input type="checkbox" autocomplete="off">.
    re.compile(r"^Attribute “autocomplete” is only allowed when the input type is “color”, “date”, "),
    # Material's navigation section labels: <label ... tabindex="">.
    re.compile(r"^Bad value “” for attribute “tabindex” on element “label”: The empty string is not a valid integer\.$"),
)


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def _target_file(site: Path, page: Path, href: str) -> tuple[Path | None, str]:
    parts = urlsplit(href)
    if not parts.path:
        return page, parts.fragment
    base = site.resolve() if parts.path.startswith("/") else page.parent
    target = (base / unquote(parts.path).lstrip("/")).resolve()
    if target.is_dir() or parts.path.endswith("/"):
        target = target / "index.html"
    return (target if target.is_relative_to(site.resolve()) else None), parts.fragment


def broken_links(site: Path) -> list[str]:
    """Internal links whose page or anchor does not exist: ``page: href (why)``."""
    ids: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            ids[path] = {el["id"] for el in soup.find_all(id=True)} | {el["name"] for el in soup.find_all("a", attrs={"name": True})}
        return ids[path]

    problems = []
    for page in html_files(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for a in soup.find_all("a", href=True):
            href = a["href"]
            if urlsplit(href).scheme or href.startswith("//"):
                continue
            target, fragment = _target_file(site, page.resolve(), href)
            rel = page.relative_to(site)
            if target is None or not target.exists():
                problems.append(f"{rel}: {href} (no such page)")
            elif fragment and unquote(fragment) not in ids_of(target):
                problems.append(f"{rel}: {href} (no such anchor)")
    return problems


def injected_markup(site: Path, marker: str = "alert(") -> list[str]:
    """Markup that hostile input could have produced: event handlers, script URLs, stray scripts."""
    found = []
    for page in html_files(site):
        rel = page.relative_to(site)
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for el in soup.find_all(True):
            for attr, value in el.attrs.items():
                if attr.lower().startswith("on"):
                    found.append(f"{rel}: <{el.name} {attr}=…>")
                values = value if isinstance(value, list) else [value]
                if any(re.sub(r"[\x00-\x20]", "", v).lower().startswith(("javascript:", "vbscript:")) for v in values):
                    found.append(f"{rel}: <{el.name} {attr}={value!r}>")
        for script in soup.find_all("script"):
            text = script.string or ""
            if script.get("type") == "application/ld+json":
                try:
                    json.loads(text)
                except ValueError:
                    found.append(f"{rel}: JSON-LD that does not parse (was it cut short?)")
            elif marker in text:
                found.append(f"{rel}: <script> holding {marker!r}")
    # The search index holds page text as HTML: escaped text is fine, a tag is not.
    for data in site.rglob("*.json"):
        if re.search(r"<\s*(?:script|img|iframe|svg|object)\b", data.read_text(encoding="utf-8"), re.IGNORECASE):
            found.append(f"{data.relative_to(site)}: markup in JSON")
    return found


def vnu_errors(paths: list[Path]) -> list[str]:
    """Errors of the Nu Html Checker (vnu-jar on the system Java), theme errors excluded."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        raise RuntimeError(f"the Nu Html Checker needs java and {VNU_JAR} (make test installs it)")
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" and not any(p.search(m["message"]) for p in THEME_HTML_ERRORS)
    ]
