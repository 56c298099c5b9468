"""Writing a planned review action to the article file: under the lock, atomically, never over a newer text.

``medkb review`` and ``medkb desk`` both call :func:`apply_review`, so a move
made in the browser writes the same bytes the command writes. Under a lock on
the article (:func:`review_lock`) the file is read, the edit planned (and
signed) by :func:`medkb.review.actions.plan_review`, the file read again and,
only if its bytes are unchanged, the new bytes written (:func:`write_atomic`):
two reviews at once never lose a record; the second waits and applies its
move to the new text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path

from medkb.articles.frontmatter import FrontMatterError
from medkb.review.actions import ReviewEdit, plan_review
from medkb.review.signatures import SignatureError
from medkb.review.workflow import WorkflowError
from medkb.site import SiteLayout

#: How long a review waits for another review of the same article to finish.
REVIEW_LOCK_TIMEOUT = 120.0


class ReviewNotWritten(WorkflowError):
    """A review action that wrote nothing; the message is one line naming the file."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code
        """The exit status ``medkb review`` gives: 1 refused, 2 the file could not be read, locked or written."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def review_lock(file: Path) -> Path:
    """The lock file that serialises reviews of one article file (read, plan, write).

    It lives in the system's temporary folder, named after the resolved
    file, so nothing is added to the site (its folder or ``.cache``).
    """
    name = hashlib.sha256(str(file.resolve()).encode()).hexdigest()[:32]
    return Path(tempfile.gettempdir()) / f"medkb-review-{name}.lock"


def file_sha256(data: bytes) -> str:
    """The hex SHA-256 of a file's bytes, as a page sends it back to say which text it showed."""
    return hashlib.sha256(data).hexdigest()


def apply_review(
    file: Path,
    layout: SiteLayout,
    *,
    member_id: str,
    to: str,
    on: dt.date,
    note: str = "",
    key: Path | None = None,
    expected_sha256: str | None = None,
    expected_digest: str | None = None,
    lock_timeout: float = REVIEW_LOCK_TIMEOUT,
) -> ReviewEdit:
    """Plan the move with :func:`plan_review` and write it; :class:`ReviewNotWritten` when nothing was written.

    ``file`` is the resolved article (:func:`medkb.review.actions.article_file`).
    ``expected_sha256`` is the hash of the bytes the caller showed the
    reviewer (:func:`file_sha256`): when the file no longer holds them, the
    move is refused, so nobody approves a text they have not seen.
    ``expected_digest`` is the approval digest of what was shown: the file's
    bytes are not all it covers (cited entries, embedded figures), so an
    approval is refused when the digest it would sign is another.
    """
    from filelock import FileLock, Timeout

    display = layout.display(file)
    lock_file = review_lock(file)
    try:
        with FileLock(lock_file, timeout=lock_timeout):
            try:
                raw = file.read_bytes()
            except OSError as e:
                raise ReviewNotWritten(f"{display}: cannot read ({e.strerror})", 2) from None
            if expected_sha256 is not None and file_sha256(raw) != expected_sha256:
                raise ReviewNotWritten(
                    f"{display}: the file changed since you opened it (it was saved meanwhile); nothing was written: "
                    "open the article again and review the new text"
                )
            try:
                edit = plan_review(raw, file, display, layout, member_id=member_id, to=to, on=on, note=note, key=key)
            except (WorkflowError, SignatureError, FrontMatterError) as e:
                raise ReviewNotWritten(str(e) if str(e).startswith(display) else f"{display}: {e}") from None
            if expected_digest is not None and edit.digest != expected_digest:
                raise ReviewNotWritten(
                    f"{display}: its cited sources or embedded files changed since you opened it (the text to sign is now "
                    f"{edit.digest[:19]}…, you were shown {expected_digest[:19]}…); nothing was written: open the article again"
                )
            if file.read_bytes() != raw:
                raise ReviewNotWritten(f"{display}: the file changed while the review was prepared; nothing was written: run medkb review again")
            write_atomic(file, edit.data)
    except Timeout:
        raise ReviewNotWritten(
            f"{display}: another medkb review of this article has held its lock ({lock_file}) for {lock_timeout:.0f} s; "
            "nothing was written: try again when it has finished"
        ) from None
    except OSError as e:
        raise ReviewNotWritten(f"{display}: cannot lock or write ({e.strerror}: {e.filename}); nothing was written", 2) from None
    return edit
