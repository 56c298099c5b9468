"""What of a BibTeX entry an approval's digest covers."""

from __future__ import annotations

import json

from pybtex.database import Entry


def entry_fingerprint(key: str, entry: Entry) -> str:
    """A BibTeX entry as text for the digest: type, key and fields sorted, names as written."""
    fields = sorted((k.lower(), v) for k, v in entry.fields.items())
    return json.dumps([entry.type.lower(), key.lower(), fields], ensure_ascii=False)
