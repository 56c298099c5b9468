"""Configuration schema of the ``medkb/citations`` plugin."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class CitationsConfig(Config):
    """Options of ``medkb/citations``."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from ``mkdocs.yml``."""

    bibliography = c.ListOfItems(c.File(exists=True), default=["references.bib"])
    """Bibliography files every page may cite: BibTeX, CSL-JSON (``.json``) or RIS (``.ris``) (paths relative to ``mkdocs.yml``)."""

    style = c.Type(str, default="vancouver")
    """Reference style: ``vancouver`` (AMA-like), or a pybtex style such as ``unsrt`` or ``plain``."""

    compress = c.Type(bool, default=True)
    """Print three or more consecutive numbers as a range (``1–3``)."""

    heading = c.Type(str, default="References")
    """Heading of the reference list."""

    number_label = c.Type(str, default="Reference")
    """Accessible name of a citation number: "Reference 2"."""

    missing_label = c.Type(str, default="Unknown citation key")
    """Tooltip of the marker shown for a key with no entry."""

    back_label = c.Type(str, default="Back to citation")
    """Accessible name of the links from an entry back to where it is cited."""

    back_section_label = c.Type(str, default="in")
    """Joins that name to the heading the citation stands under ("Back to citation 2, in Treatment")."""

    marker = c.Type(str, default="[references]")
    """A paragraph holding only this text is replaced by the reference list."""

    type_labels = c.DictOfItems(c.Type(str), default={})
    """Reader-facing labels by ``medkb_type`` (``guideline: Clinical guideline``)."""

    cite_article = c.Type(bool, default=True)
    """Give each article a "Cite this article" block, BibTeX and RIS downloads and Google Scholar's ``citation_*`` meta."""

    cite_heading = c.Type(str, default="Cite this article")
    cite_version_label = c.Type(str, default="version:")
    cite_available_label = c.Type(str, default="Available from:")
    cite_download_label = c.Type(str, default="Download the citation:")
    print_version_label = c.Type(str, default="Version:")
    """On the printout: which text was printed ("Version: Approved, December 1, 2026")."""
    print_date_label = c.Type(str, default="Printed")
    """On the printout, before the date it was printed."""
