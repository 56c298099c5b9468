"""The article model shared by the plugins and the ``medkb`` command.

An article is a Markdown file with YAML front matter under the articles
folder.  :func:`load_article` reads the file itself (never MkDocs' lenient
reader), validates it and returns an :class:`Article`, or raises
:class:`~medkb.articles.frontmatter.FrontMatterError` naming file, line, key, value
and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from medkb.articles.frontmatter import FrontMatter, FrontMatterError, Value, decode_source, parse_yaml, split_front_matter

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Bidirectional controls can make a title read as something else.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_METADATA_LINE = re.compile(r"^[A-Za-z0-9_-]+:\s")


class ReviewStatus(str, Enum):
    """The steps of the review workflow, in order."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under-review"
    APPROVED = "approved"


STATUSES = tuple(s.value for s in ReviewStatus)

#: Top-level keys medkb reads, plus those Material for MkDocs understands.
KNOWN_KEYS: frozenset[str] = frozenset(
    {
        "title",
        "description",
        "tags",
        "review",
        "bibliography",
        "disclaimers",
        # Material for MkDocs page options, passed through untouched.
        "hide",
        "search",
        "icon",
        "status",
        "subtitle",
        "template",
    }
)
REVIEW_KEYS: frozenset[str] = frozenset({"status", "updated", "due", "history"})


@dataclass(frozen=True)
class ArticleWarning:
    """A problem that does not stop the build on its own (``--strict`` does)."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class Review:
    """The ``review:`` block of an article."""

    status: ReviewStatus
    updated: dt.date
    due: dt.date | None = None
    history: list[dict[str, Value]] = field(default_factory=list)


@dataclass
class Article:
    """A validated article."""

    path: str
    title: str
    review: Review
    body: str
    body_line: int
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    bibliography: list[str] = field(default_factory=list)
    disclaimers: list[str] = field(default_factory=list)
    front_matter: FrontMatter = field(default_factory=lambda: FrontMatter(data={}))
    warnings: list[ArticleWarning] = field(default_factory=list)

    @property
    def meta(self) -> dict[str, Value]:
        """The raw front matter mapping."""
        return self.front_matter.data


def parse_date(value: Value, key: str, path: str, line: int | None) -> dt.date:
    """Parse a strict ISO ``YYYY-MM-DD`` date or raise naming key and value."""
    hint = "write it as YYYY-MM-DD, e.g. 2025-12-17"
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        shown = value if isinstance(value, str) else type(value).__name__
        raise FrontMatterError(path, line, f"{key}: {shown!r} is not a date; {hint}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise FrontMatterError(path, line, f"{key}: {value!r} is not a valid date ({e}); {hint}") from None


def _require_text(fm: FrontMatter, key: str, path: str, *, required: bool) -> str | None:
    value = fm.data.get(key)
    line = fm.line_of(key)
    if value is None:
        if required:
            raise FrontMatterError(path, line or 1, f"missing required key '{key}': every article needs a {key}")
        return None
    if not isinstance(value, str):
        raise FrontMatterError(path, line, f"{key} must be text, not a {'list' if isinstance(value, list) else 'mapping'}")
    text = value.strip()
    if required and not text:
        raise FrontMatterError(path, line, f"{key} is empty; write the article's {key}")
    if "\n" in text:
        raise FrontMatterError(path, line, f"{key} must be a single line")
    _refuse_bidi(text, key, path, line)
    return text


def _refuse_bidi(text: str, key: str, path: str, line: int | None) -> None:
    match = _BIDI.search(text)
    if match:
        raise FrontMatterError(
            path, line, f"{key} contains the bidirectional control U+{ord(match.group(0)):04X}; text must read as written"
        )


def _string_list(fm: FrontMatter, key: str, path: str) -> list[str]:
    value = fm.data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise FrontMatterError(path, fm.line_of(key), f"{key} must be a list of non-empty strings, e.g. {key}: [a, b]")
    for v in value:
        _refuse_bidi(v, key, path, fm.line_of(key))  # type: ignore[arg-type]
    return [v.strip() for v in value]  # type: ignore[union-attr]


def _unknown_key_warning(path: str, line: int | None, key: str, known: frozenset[str], where: str) -> ArticleWarning:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    allowed = ", ".join(sorted(known))
    return ArticleWarning(path, line, f"unknown {where} key '{key}'{hint}; allowed: {allowed}")


def _comment_warning(lines: list[str], fm: FrontMatter, key: str, path: str) -> ArticleWarning | None:
    """``title: Is 5 # safe?``: YAML reads `` #`` as a comment and the title as ``Is 5``."""
    line = fm.line_of(key)
    value = fm.data.get(key)
    if line is None or not isinstance(value, str) or line > len(lines):
        return None
    match = re.match(rf"^{re.escape(key)}[ \t]*:(?P<rest>.*)$", lines[line - 1])
    if match is None:
        return None
    written = match.group("rest").strip()
    if not written or written[0] in "\"'|>#" or not re.search(r"[ \t]#", written):
        return None
    quoted = f'"{written}"' if '"' not in written and "\\" not in written else "'" + written.replace("'", "''") + "'"
    return ArticleWarning(
        path, line, f"{key} is cut short at ' #', which starts a YAML comment: it reads {value.strip()!r}; "
        f"put it in quotes ({key}: {quoted}) or move the comment to a line of its own",
    )


def _parse_review(fm: FrontMatter, path: str, warnings: list[ArticleWarning]) -> Review:
    raw = fm.data.get("review")
    line = fm.line_of("review")
    if raw is None:
        raise FrontMatterError(
            path, line or 1, "missing required key 'review' (with 'status' and 'updated'); e.g. review: {status: submitted, updated: 2025-12-17}"
        )
    if not isinstance(raw, dict):
        raise FrontMatterError(path, line, "review must be a mapping with 'status' and 'updated'")
    for key in raw:
        if key not in REVIEW_KEYS:
            warnings.append(_unknown_key_warning(path, fm.line_of(f"review.{key}"), key, REVIEW_KEYS, "review"))
    status_raw = raw.get("status")
    status_line = fm.line_of("review.status")
    allowed = ", ".join(STATUSES)
    if status_raw is None:
        raise FrontMatterError(path, status_line, f"missing review.status; allowed: {allowed}")
    if not isinstance(status_raw, str) or status_raw not in STATUSES:
        raise FrontMatterError(path, status_line, f"review.status: {status_raw!r} is not a review status; allowed: {allowed}")
    if "updated" not in raw or raw["updated"] is None:
        raise FrontMatterError(path, status_line, "missing review.updated (the 'Last updated' date, YYYY-MM-DD)")
    updated = parse_date(raw["updated"], "review.updated", path, fm.line_of("review.updated"))
    due = None
    if raw.get("due") is not None:
        due = parse_date(raw["due"], "review.due", path, fm.line_of("review.due"))
    history_raw = raw.get("history") or []
    if not isinstance(history_raw, list) or not all(isinstance(h, dict) for h in history_raw):
        raise FrontMatterError(path, fm.line_of("review.history"), "review.history must be a list of entries (mappings)")
    return Review(status=ReviewStatus(status_raw), updated=updated, due=due, history=history_raw)  # type: ignore[arg-type]


def parse_article(text: str, path: str) -> Article:
    """Validate decoded article text (LF line endings) and build an :class:`Article`."""
    yaml_text, body, body_line = split_front_matter(text, path)
    if yaml_text is None:
        first = text.split("\n", 1)[0]
        hint = ""
        if _METADATA_LINE.match(first):
            hint = f" (the first line {first!r} is body text, not metadata)"
        raise FrontMatterError(
            path, 1, f"no front matter: an article must start with a '---' line, then title and review, then '---'{hint}"
        )
    fm = parse_yaml(yaml_text, path, line_offset=1)
    warnings: list[ArticleWarning] = []
    for key in fm.data:
        if key not in KNOWN_KEYS:
            warnings.append(_unknown_key_warning(path, fm.line_of(key), key, KNOWN_KEYS, "front matter"))
    title = _require_text(fm, "title", path, required=True)
    assert title is not None
    description = _require_text(fm, "description", path, required=False)
    lines = text.split("\n")
    for key in ("title", "description"):
        warning = _comment_warning(lines, fm, key, path)
        if warning is not None:
            warnings.append(warning)
    return Article(
        path=path,
        title=title,
        description=description,
        tags=_string_list(fm, "tags", path),
        bibliography=_string_list(fm, "bibliography", path),
        disclaimers=_string_list(fm, "disclaimers", path),
        review=_parse_review(fm, path, warnings),
        body=body,
        body_line=body_line,
        front_matter=fm,
        warnings=warnings,
    )


def load_article(file: Path, display_path: str | None = None) -> Article:
    """Read and validate one article file."""
    path = display_path or str(file)
    return parse_article(decode_source(file.read_bytes(), path), path)


#: What MkDocs reads as Markdown pages (its utils.markdown_extensions): every one is an article under articles_dir.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")


def is_article(src_uri: str, articles_dir: str) -> bool:
    """Whether a page (by its path in ``docs_dir``) is an article."""
    folder = articles_dir.strip("/")
    return src_uri.lower().endswith(MARKDOWN_SUFFIXES) and (not folder or src_uri.startswith(folder + "/"))

