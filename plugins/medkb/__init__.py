"""medkb: publish a board-reviewed medical knowledge base with MkDocs.

The core (``article``, ``frontmatter``, ``citations`` and ``review`` logic) is
plain Python; the MkDocs plugins in the sub-packages are thin adapters.
"""

__version__ = "0.1.0"
