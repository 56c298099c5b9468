"""Each article parsed once per content, across ``mkdocs serve`` rebuilds."""

from __future__ import annotations

import hashlib

from medkb.articles.frontmatter import decode_source
from medkb.articles.model import Article, parse_article


def file_digest(raw: bytes) -> str:
    """SHA-256 of a file's bytes: what the memo and a dirty rebuild compare."""
    return hashlib.sha256(raw).hexdigest()


class ArticleParser:
    """Parses articles, remembering the result by file and SHA-256 of its bytes.

    Raises :class:`~medkb.articles.frontmatter.FrontMatterError` (file, line,
    key, value, what is allowed) for a broken article.
    """

    def __init__(self) -> None:
        self._memo: dict[str, tuple[str, Article]] = {}

    def clear(self) -> None:
        """Forget every article (another site, or a new ``mkdocs serve`` session)."""
        self._memo.clear()

    def parse(self, src_uri: str, raw: bytes, path: str) -> tuple[str, Article]:
        """``(sha256, article)`` for the file ``src_uri`` holding ``raw``, shown to editors as ``path``."""
        sha = file_digest(raw)
        memo = self._memo.get(src_uri)
        if memo is not None and memo[0] == sha and memo[1].path == path:
            return memo
        article = parse_article(decode_source(raw, path), path)
        self._memo[src_uri] = (sha, article)
        return sha, article
