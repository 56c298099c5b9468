"""Configuration schema of the ``medkb/clinical`` plugin."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class ClinicalConfig(Config):
    """Options of ``medkb/clinical``."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from ``mkdocs.yml``."""

    grades_page = c.Type(str, default="grades.md")
    """The page explaining the grades (generated when the site has no such file); badges link to it."""

    grades_title = c.Type(str, default="Grades of recommendations")
    """Title of the generated grades page."""

    grades_intro = c.Type(str, default=(
        "Articles show a recommendation's grade as its source gives it, in the terms of the GRADE approach: "
        "how strong the recommendation is, for or against, and how certain the evidence behind it is."
    ))
    """The paragraph above the grades on the grades page."""

    labels = c.Type(dict, default={})
    """Reader-facing words by key: ``key_points``, ``strong-for``… ``certainty-very-low``, ``ungraded``."""

    explanations = c.Type(dict, default={})
    """What each grade means, by the same keys, shown on the grades page (defaults: GRADE's meanings)."""
