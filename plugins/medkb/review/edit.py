"""Byte-exact edits of an article's review data.

``medkb review`` changes ``review.status`` and ``review.updated`` and appends
one ``review.history`` record. Every other byte of the file stays as it was:
comments, quoting, key order, line endings (LF or CRLF) and a byte-order
mark. The edit is made on the lines the strict parser located, then the
result is parsed again to prove it says what was meant.
"""

from __future__ import annotations

import datetime as dt
import json
import re

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


def apply_review_edit(
    raw: bytes, path: str, *, status: str, updated: dt.date, record: dict[str, str]
) -> tuple[bytes, Article]:
    """The file with the new status, date and history record; and the re-parsed article."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    newline = "\r\n" if "\r\n" in text else "\n"
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
    else:
        history_text = lines[history_line - 1]
        if re.search(r"history\s*:\s*\[\s*\]\s*(#.*)?$", history_text):
            lines[history_line - 1] = re.sub(r"(history\s*:)\s*\[\s*\]", r"\1", history_text, count=1)
        elif not re.search(r"history\s*:\s*(#.*)?$", history_text):
            raise WorkflowError(f"{path}:{history_line}: review.history is written inline; write it as an indented list to use medkb review")
        insert_at = _block_end(fm.lines, "review.history", front_end)
        new = []
        item_indent = _item_indent(lines, history_line, insert_at) or key_indent + "  "
    new += history_record_lines(
        record["status"], record["by"], dt.date.fromisoformat(record["on"]), record.get("digest", ""),
        record.get("note", ""), record.get("signature", ""), item_indent,
    )
    # Keep blank lines that separate the block from the next key after it.
    while insert_at - 1 > (history_line or review_line) and not lines[insert_at - 2].strip():
        insert_at -= 1
    lines[insert_at - 1 : insert_at - 1] = new
    result = newline.join(lines)
    data = (b"\xef\xbb\xbf" if bom else b"") + result.encode("utf-8")
    try:
        edited = parse_article(decode_source(data, path), path)
    except FrontMatterError as e:  # pragma: no cover - a bug here must never write a file
        raise WorkflowError(f"{path}: the edit would break the front matter ({e}); nothing was written") from None
    last = edited.review.history[-1] if edited.review.history else {}
    if edited.review.status.value != status or last.get("by") != record["by"] or last.get("status") != record["status"]:
        raise WorkflowError(f"{path}: the edit did not read back as intended; nothing was written")  # pragma: no cover
    return data, edited


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
