"""Byte-exact edits of an article's review data.

``medkb review`` changes ``review.status`` and ``review.updated`` and appends
one ``review.history`` record (two when the article had no history: its
submission first). Every other byte of the file stays as it was:
comments, quoting, key order, line endings (LF or CRLF) and a byte-order
mark. The edit is made on the lines the strict parser located, then the
result is parsed again to prove it says what was meant. A file whose line
endings are CR only or mixed is refused: the new lines could not match.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence

from medkb.articles.model import Article, parse_article
from medkb.articles.frontmatter import FrontMatterError, decode_source
from medkb.review.workflow import WorkflowError


def history_record_lines(
    status: str, by: str, on: dt.date, digest: str, note: str, signature: str, indent: str
) -> list[str]:
    """YAML lines of one history record, as a block sequence item."""
    lines = [f"{indent}- status: {status}", f"{indent}  by: {by}", f"{indent}  on: {on.isoformat()}"]
    if digest:
        lines.append(f"{indent}  digest: {digest}")
    if note:
        # JSON strings are valid YAML double-quoted scalars.
        lines.append(f"{indent}  note: {json.dumps(note, ensure_ascii=False)}")
    if signature:
        lines.append(f"{indent}  signature: |")
        lines.extend(f"{indent}    {part}" for part in signature.strip().splitlines())
    return lines


def _replace_value(line: str, key: str, value: str, where: str) -> str:
    pattern = re.compile(rf"(^|[\s{{,])({re.escape(key)}\s*:\s*)(['\"]?)([^'\",}}\s#]*)(\3)")
    new, count = pattern.subn(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{value}{m.group(5)}", line, count=1)
    if count != 1:
        raise WorkflowError(f"{where}: cannot find '{key}:' to update on its line")
    return new


def line_ending(text: str, path: str) -> str:
    """The file's one kind of line ending (LF or CRLF); CR-only or mixed endings are refused."""
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    lone_lf = text.count("\n") - crlf
    if lone_cr and not crlf and not lone_lf:
        raise WorkflowError(
            f"{path}: the file's line endings are CR only (classic Mac); save it with LF or CRLF line endings to use medkb review; nothing was written"
        )
    if lone_cr or (crlf and lone_lf):
        endings = re.findall(r"\r\n|\n|\r", text)
        first = next(i for i, ending in enumerate(endings, start=1) if ending != endings[0])
        raise WorkflowError(
            f"{path}:{first}: mixed line endings ({crlf} CRLF, {lone_lf} LF, {lone_cr} CR): line {first} ends unlike line 1; "
            "save the file with one kind (LF or CRLF) to use medkb review; nothing was written"
        )
    return "\r\n" if crlf else "\n"


def apply_review_edit(
    raw: bytes,
    path: str,
    *,
    status: str,
    updated: dt.date,
    record: dict[str, str],
    prior: Sequence[dict[str, str]] = (),
) -> tuple[bytes, Article]:
    """The file with the new status, date and history record; and the re-parsed article.

    ``prior`` are records written before ``record`` (the submission, when the
    article had no history). The record goes right after the history's last
    record, before any comments or blank lines that follow it; when there is
    no ``history:``, the block is added at the end of ``review:``. The result
    is parsed again and must hold the old front matter with exactly these
    changes, or nothing is written.
    """
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    newline = line_ending(text, path)
    article = parse_article(decode_source(raw, path), path)
    fm = article.front_matter
    lines = text.split(newline)
    # Lines are 1-based in the parser; list indices are 0-based.
    status_line = fm.line_of("review.status")
    updated_line = fm.line_of("review.updated")
    review_line = fm.line_of("review")
    if status_line is None or updated_line is None or review_line is None:
        raise WorkflowError(f"{path}: review.status and review.updated must be present to record a review")
    if status_line == review_line:
        raise WorkflowError(f"{path}:{review_line}: 'review:' is written on one line ({{...}}); write it as an indented block to use medkb review")
    lines[status_line - 1] = _replace_value(lines[status_line - 1], "status", status, f"{path}:{status_line}")
    lines[updated_line - 1] = _replace_value(lines[updated_line - 1], "updated", updated.isoformat(), f"{path}:{updated_line}")

    front_end = _front_matter_end(lines)
    history_line = fm.lines.get("review.history")
    status_text = lines[status_line - 1]
    key_indent = status_text[: len(status_text) - len(status_text.lstrip(" "))]
    if history_line is None:
        insert_at = _block_end(fm.lines, "review", front_end)
        new = [f"{key_indent}history:"]
        item_indent = key_indent + "  "
        # Comments at the review keys' indent or less cannot be part of a value.
        comment_indent = len(key_indent)
    else:
        history_text = lines[history_line - 1]
        if re.search(r"history\s*:\s*\[\s*\]\s*(#.*)?$", history_text):
            lines[history_line - 1] = re.sub(r"(history\s*:)\s*\[\s*\]", r"\1", history_text, count=1)
        elif not re.search(r"history\s*:\s*(#.*)?$", history_text):
            raise WorkflowError(f"{path}:{history_line}: review.history is written inline; write it as an indented list to use medkb review")
        insert_at = _block_end(fm.lines, "review.history", front_end)
        new = []
        item_indent = _item_indent(lines, history_line, insert_at) or key_indent + "  "
        # A record's keys sit at the item indent + 2; its values (a block
        # scalar) deeper: a comment no deeper than the keys is a comment.
        comment_indent = len(item_indent) + 2
    for rec in [*prior, record]:
        new += history_record_lines(
            rec["status"], rec["by"], dt.date.fromisoformat(rec["on"]), rec.get("digest", ""),
            rec.get("note", ""), rec.get("signature", ""), item_indent,
        )
    # The record follows the block's last content line: blank lines and
    # comments after it stay after it (they separate or describe what follows).
    while insert_at - 1 > (history_line or review_line) and _is_trailing(lines[insert_at - 2], comment_indent):
        insert_at -= 1
    lines[insert_at - 1 : insert_at - 1] = new
    result = newline.join(lines)
    data = (b"\xef\xbb\xbf" if bom else b"") + result.encode("utf-8")
    try:
        edited = parse_article(decode_source(data, path), path)
    except FrontMatterError as e:  # pragma: no cover - a bug here must never write a file
        raise WorkflowError(f"{path}: the edit would break the front matter ({e}); nothing was written") from None
    if not _reads_back(article, edited, status, updated, [*prior, record]):
        raise WorkflowError(f"{path}: the edit did not read back as intended; nothing was written")
    return data, edited


def _is_trailing(line: str, comment_indent: int) -> bool:
    stripped = line.lstrip(" ")
    return not stripped.strip() or (stripped.startswith("#") and len(line) - len(stripped) <= comment_indent)


def _reads_back(before: Article, after: Article, status: str, updated: dt.date, records: list[dict[str, str]]) -> bool:
    """Whether ``after`` is ``before`` with the new status, date and records, and nothing else changed."""
    old_review, new_review = before.meta.get("review"), after.meta.get("review")
    if not isinstance(old_review, dict) or not isinstance(new_review, dict):
        return False  # pragma: no cover - parse_article checked both
    rest = {k: v for k, v in before.meta.items() if k != "review"}, {k: v for k, v in after.meta.items() if k != "review"}
    if rest[0] != rest[1] or after.body != before.body:
        return False
    keep = ("status", "updated", "history")
    if {k: v for k, v in old_review.items() if k not in keep} != {k: v for k, v in new_review.items() if k not in keep}:
        return False
    if new_review.get("status") != status or new_review.get("updated") != updated.isoformat():
        return False
    old_history = before.review.history
    new_history = after.review.history
    if new_history[: len(old_history)] != old_history or len(new_history) != len(old_history) + len(records):
        return False
    written = new_history[len(old_history) :]
    return all(_plain(w) == _plain(r) for w, r in zip(written, records))


def _plain(record: object) -> dict[str, str]:
    if not isinstance(record, dict):
        return {}
    return {k: str(v).strip() for k, v in record.items() if v not in (None, "")}


def _front_matter_end(lines: list[str]) -> int:
    """1-based line of the closing ``---``."""
    for number in range(2, len(lines) + 1):
        if re.match(r"^(?:---|\.\.\.)[ \t]*$", lines[number - 1]):
            return number
    raise WorkflowError("front matter is not closed")  # pragma: no cover - parse_article checked it


def _block_end(key_lines: dict[str, int], key: str, front_end: int) -> int:
    """1-based line before which a block ends: the next key that is not inside it."""
    start = key_lines[key]
    after = [
        line for path, line in key_lines.items() if line > start and not (path == key or path.startswith(key + ".") or path.startswith(key + "["))
    ]
    return min(after, default=front_end)


def _item_indent(lines: list[str], history_line: int, end: int) -> str | None:
    for number in range(history_line + 1, end):
        match = re.match(r"^(\s*)- ", lines[number - 1])
        if match:
            return match.group(1)
    return None
