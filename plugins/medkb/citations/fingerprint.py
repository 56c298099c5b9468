"""What of a BibTeX entry an approval's digest covers."""

from __future__ import annotations

import json

from pybtex.database import Entry


def entry_fingerprint(key: str, entry: Entry, parent: str | None = None) -> str:
    """A BibTeX entry as text for the digest: type, key and fields sorted, names as written.

    ``parent`` is the fingerprint of the entry's ``crossref`` parent, whose
    fields the child inherits (so editing the parent changes the child's).
    Macros are already expanded in the fields.
    """
    fields = sorted((k.lower(), v) for k, v in entry.fields.items())
    data: list[object] = [entry.type.lower(), key.lower(), fields]
    if parent is not None:
        data.append(json.loads(parent))
    return json.dumps(data, ensure_ascii=False)
