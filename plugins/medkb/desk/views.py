"""The desk's pages: Jinja templates shipped in the package, every value escaped.

Autoescaping is on for every template: titles, notes, names and references
come from the repository and are treated as hostile text. The only markup
a template receives already built is :class:`markupsafe.Markup` made here
(none from the repository).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

#: The desk's templates and its stylesheet, shipped in the package (pyproject's package-data).
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def long_date(value: dt.date | None) -> str:
    """``1 December 2026`` (empty for no date)."""
    return f"{value.day} {value:%B %Y}" if value is not None else ""


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The desk's Jinja environment: autoescaped, strict about missing values."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["long_date"] = long_date
    return env


def render(template: str, **context: Any) -> str:
    """A page of the desk."""
    return environment().get_template(template).render(**context)


def static_file(name: str) -> tuple[bytes, str] | None:
    """A file of the desk's static folder and its content type, or ``None`` (only plain names)."""
    types = {".css": "text/css; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}
    path = STATIC / name
    if "/" in name or "\\" in name or name.startswith(".") or path.suffix not in types or not path.is_file():
        return None
    return path.read_bytes(), types[path.suffix]
