"""medkb: publish a board-reviewed medical knowledge base with MkDocs.

The core (articles, review, citations, audience and disclaimer logic) is
plain Python and never imports MkDocs; ``medkb.citations`` and
``medkb.audience`` are Python-Markdown extensions by name. The MkDocs
plugins (``*/plugin.py``) are thin adapters over them.
"""

from pathlib import Path

__version__ = "0.1.0"

#: The partials, stylesheets and scripts medkb ships (a theme folder, no Python inside).
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
