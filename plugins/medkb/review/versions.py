"""The published version of an article: the revision in git history that the board approved.

With ``publish: approved`` an article whose current text is not approved,
but whose last run of approvals approves an earlier text
(:func:`medkb.review.workflow.approved_text`), is published as that text:
the revision of its file in git history (renames followed) whose digest,
computed with the bibliography and embedded files *as they were in that
commit*, equals the approved digest. The build and the commands each
render a revision their own way; :func:`find_approved_revision` is the one
search both use, and the digest is always recomputed from the revision,
never taken from git or a cache.

Only articles with pending changes read history. When it is needed and
missing (no repository, a shallow clone) the search raises
:class:`HistoryUnavailable`: the caller stops rather than publish the
pending text.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from itertools import islice
from dataclasses import dataclass, field
from pathlib import Path

#: How many committed versions of one article are read, newest first, and how many may be rendered.
MAX_REVISIONS = 5000
MAX_RENDERS = 50


class HistoryUnavailable(Exception):
    """Git history is needed and missing: the message says what to do."""


@dataclass(frozen=True)
class Revision:
    """One committed version of an article file."""

    commit: str
    path: str
    """The file's path in the repository at that commit (posix, from the top level)."""
    data: bytes
    history: GitHistory = field(repr=False, compare=False)

    def read(self, file: Path) -> bytes | None:
        """A file of the work tree as it was at this commit (``None`` if it did not exist or is outside the repository)."""
        rel = self.history.relative(file)
        return None if rel is None else self.history.blob(self.commit, rel)

    @property
    def short(self) -> str:
        """The abbreviated commit id readers and editors see."""
        return self.commit[:10]


class GitHistory:
    """Reads the history of a repository's files with one long-lived ``git cat-file`` process.

    Raises :class:`HistoryUnavailable` when ``start`` is not in a git
    repository or git is not installed. Close it (or use ``with``) to stop
    the reader process.
    """

    def __init__(self, start: Path) -> None:
        self._git = shutil.which("git")
        if self._git is None:
            raise HistoryUnavailable("git is not installed")
        top = self._run(start, "rev-parse", "--show-toplevel")
        if top.returncode != 0:
            raise HistoryUnavailable(f"{start} is not in a git repository")
        self.top = Path(os.fsdecode(top.stdout).strip()).resolve()
        shallow = self._run(self.top, "rev-parse", "--is-shallow-repository")
        self.shallow = os.fsdecode(shallow.stdout).strip() == "true"
        self._reader: subprocess.Popen[bytes] | None = None
        self._log: dict[str, list[tuple[str, str]]] = {}

    def _run(self, cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
        assert self._git is not None
        env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
        return subprocess.run([self._git, "-C", str(cwd), *args], capture_output=True, env=env, check=False)

    def __enter__(self) -> GitHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the blob reader."""
        if self._reader is not None:
            assert self._reader.stdin is not None and self._reader.stdout is not None
            self._reader.stdin.close()
            self._reader.wait()
            self._reader.stdout.close()
            self._reader = None

    def relative(self, file: Path) -> str | None:
        """``file``'s path from the repository's top level, or ``None`` outside it."""
        try:
            return file.resolve().relative_to(self.top).as_posix()
        except ValueError:
            return None

    def log(self, file: Path) -> list[tuple[str, str]]:
        """``(commit, path at that commit)`` of each commit that changed ``file``, newest first, following renames."""
        rel = self.relative(file)
        if rel is None:
            return []
        if rel not in self._log:
            out = self._run(self.top, "log", "--follow", "--no-color", "--format=%x00%H", "--name-status", "-z", "--", rel)
            self._log[rel] = _parse_log(out.stdout) if out.returncode == 0 else []
        return self._log[rel]

    def blob(self, commit: str, rel: str) -> bytes | None:
        """The bytes of ``rel`` at ``commit`` (``None`` when absent or not a file)."""
        if self._reader is None:
            assert self._git is not None
            self._reader = subprocess.Popen(
                [self._git, "-C", str(self.top), "cat-file", "--batch"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            )
        assert self._reader.stdin is not None and self._reader.stdout is not None
        name = os.fsencode(rel)  # a path git printed in bytes no UTF-8 can spell round-trips
        if b"\n" in name:
            return None
        self._reader.stdin.write(commit.encode() + b":" + name + b"\n")
        self._reader.stdin.flush()
        header = self._reader.stdout.readline().split()
        if len(header) != 3:
            return None  # "<name> missing" (or ambiguous)
        size = int(header[2])
        data = self._reader.stdout.read(size)
        self._reader.stdout.read(1)  # the newline after the content
        return data if header[1] == b"blob" else None

    def revisions(self, file: Path) -> Iterator[Revision]:
        """The committed versions of ``file``, newest first (a commit that deleted it is skipped)."""
        for commit, path in self.log(file):
            data = self.blob(commit, path)
            if data is not None:
                yield Revision(commit, path, data, self)


def _parse_log(out: bytes) -> list[tuple[str, str]]:
    # -z output: "\0<commit>\n\n<status>\0<path>\0[<path>\0]" per commit
    # (renames and copies name the old path, then the new one).
    found: list[tuple[str, str]] = []
    fields = out.split(b"\0")
    i = 0
    commit = ""
    while i < len(fields):
        item = fields[i].strip(b"\n")
        i += 1
        if not item:
            continue
        if len(item) == 40 and all(c in b"0123456789abcdef" for c in item):
            commit = item.decode()
            continue
        status = item.decode()
        if status[:1] in ("R", "C"):
            new = fields[i + 1] if i + 1 < len(fields) else b""
            i += 2
        else:
            new = fields[i] if i < len(fields) else b""
            i += 1
        if commit and new and status[:1] != "D":
            found.append((commit, os.fsdecode(new)))
        commit = ""
    return found


@dataclass
class Search:
    """What :func:`find_approved_revision` looked at (for its messages)."""

    checked: int = 0
    skipped: int = 0


def find_approved_revision(
    history: GitHistory,
    file: Path,
    approved: str,
    digest_of: Callable[[Revision], str | None],
    display: str,
    *,
    same_as_current: Callable[[Revision], bool] = lambda revision: False,
    search: Search | None = None,
) -> Revision | None:
    """A revision of ``file`` whose digest (``digest_of``) is ``approved``; ``None`` if no revision is.

    The versions that recorded the approval are tried first (see
    :func:`_search_order`), then the others newest first; at most
    :data:`MAX_RENDERS` are rendered.

    ``digest_of`` renders the revision as its caller publishes it (``None``:
    it cannot be rendered, e.g. a broken front matter); ``same_as_current``
    skips a revision that is known to render as the current text (whose
    digest is not the approved one). Raises :class:`HistoryUnavailable`
    naming ``display`` when the history is shallow and the approved text was
    not found in the part of it that is here.
    """
    search = search if search is not None else Search()
    for revision in _search_order(list(islice(history.revisions(file), MAX_REVISIONS)), approved):
        if search.checked >= MAX_RENDERS:
            break
        if same_as_current(revision):
            search.skipped += 1
            continue
        search.checked += 1
        if digest_of(revision) == approved:
            return revision
    if history.shallow:
        raise HistoryUnavailable(
            f"{display}: its approved version is needed (the current text awaits review) but this clone's git history "
            "is shallow: fetch the full history (git fetch --unshallow; in CI, fetch-depth: 0) and build again"
        )
    return None


def _search_order(revisions: list[Revision], approved: str) -> list[Revision]:
    # The approval is recorded in the file with the text it approves
    # (medkb review writes both): the oldest version holding the approved
    # digest, or the one before it, is the approved text. Then the others,
    # newest first. Many commits after the approval cannot push it out of reach.
    marker = approved.encode()
    holding = [i for i, r in enumerate(revisions) if marker in r.data]
    first = [holding[-1], holding[-1] + 1] if holding else []
    first = [i for i in first if i < len(revisions)]
    return [revisions[i] for i in first] + [r for i, r in enumerate(revisions) if i not in first]


def open_history(start: Path, display: str) -> GitHistory:
    """The repository's history for publishing ``display``'s approved version; stops with what to do when there is none."""
    try:
        return GitHistory(start)
    except HistoryUnavailable as e:
        raise HistoryUnavailable(
            f"{display}: its approved version is needed (the current text awaits review) but there is no git history "
            f"({e}): build from a clone with full history (in CI, fetch-depth: 0); the pending text is never published instead"
        ) from None
