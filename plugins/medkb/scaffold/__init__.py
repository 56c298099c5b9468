"""``medkb init``: a new knowledge base that builds with ``mkdocs build --strict`` at once.

The files of a new knowledge base ship in ``files/`` beside this module:
``mkdocs.yml`` with every medkb plugin, a home page, an editorial policy, one
example article citing one real source, ``references.bib``, a ``board.yml``
with no members, a ``.gitignore`` and a CI workflow. Dotfiles are stored
without their leading dot (``gitignore``, ``github/``), because package-data
globs may skip them, and get it back when written. The only thing filled in
is today's date, in the example article's review history.

Nothing is half-written: a new folder is assembled beside its destination and
renamed into place; in an existing empty folder every file is written
atomically and all of them are removed again if one fails.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from pathlib import Path

FILES_DIR = Path(__file__).resolve().parent / "files"
"""The scaffold's files, as shipped in the package."""

#: Top-level names stored without their leading dot.
_DOTTED = ("gitignore", "github")
#: The placeholder of today's date (YYYY-MM-DD) in the scaffold's files.
_TODAY = "__TODAY__"


class InitError(Exception):
    """Why a knowledge base could not be created: one line that names the path."""


def scaffold_files() -> dict[str, bytes]:
    """The scaffold's files by their path in the new knowledge base (dots restored), unfilled."""
    found: dict[str, bytes] = {}
    for path in sorted(FILES_DIR.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(FILES_DIR).as_posix()
        top, _, rest = rel.partition("/")
        if top in _DOTTED:
            rel = "." + top + ("/" + rest if rest else "")
        found[rel] = path.read_bytes()
    return found


def init_knowledge_base(target: Path, today: dt.date) -> list[Path]:
    """Create a new knowledge base in ``target``, a new or empty folder.

    ``today`` is written as the submission date of the example article.
    Returns the files created (paths under ``target``). Raises
    :class:`InitError` when ``target`` is not empty, is not a folder, or
    cannot be written; nothing is left behind then.
    """
    if target.exists() and not target.is_dir():
        raise InitError(f"{target}: not a folder; medkb init starts a new knowledge base in an empty folder")
    try:
        files = {rel: data.replace(_TODAY.encode(), today.isoformat().encode()) for rel, data in scaffold_files().items()}
    except OSError as e:
        raise InitError(f"{e.filename or FILES_DIR}: cannot read medkb's scaffold ({e.strerror}); reinstall medkb") from None
    if "mkdocs.yml" not in files:
        raise InitError(f"{FILES_DIR}: medkb's scaffold is missing from this installation; reinstall medkb")
    if target.is_dir():
        try:
            if any(target.iterdir()):
                raise InitError(f"{target}: not empty; medkb init starts a new knowledge base in an empty folder")
        except OSError as e:
            raise InitError(f"{target}: cannot read the folder ({e.strerror})") from None
        _write_into_empty(target, files)
    else:
        _write_new(target, files)
    return [target / rel for rel in files]


def _write_new(target: Path, files: dict[str, bytes]) -> None:
    """Assemble the knowledge base in a hidden folder beside ``target``, then rename it into place."""
    parent = target.parent
    if not parent.is_dir():
        raise InitError(f"{parent}: no such folder; create it first, or choose another place for the knowledge base")
    staging = _make_staging(parent, target.name)
    try:
        _write_files(staging, files, created=[])
        # Fails (and leaves nothing) if target appeared meanwhile.
        os.rename(staging, target)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        if target.exists():
            raise InitError(f"{target}: not empty; medkb init starts a new knowledge base in an empty folder") from None
        raise InitError(f"{target}: cannot create the knowledge base ({e.strerror})") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _make_staging(parent: Path, name: str) -> Path:
    """A new empty folder in ``parent``, with the permissions of a folder made by ``mkdir``."""
    for _ in range(100):
        staging = parent / f".{name}.medkb-init-{secrets.token_hex(4)}"
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        except OSError as e:
            raise InitError(f"{parent}: cannot create a folder here ({e.strerror})") from None
        return staging
    raise InitError(f"{parent}: cannot create a folder here (too many leftover .{name}.medkb-init-* folders)")


def _write_into_empty(target: Path, files: dict[str, bytes]) -> None:
    """Write into an existing empty folder (it may be the current one); on failure, empty it again."""
    created: list[Path] = []
    try:
        _write_files(target, files, created)
    except BaseException as e:
        for path in reversed(created):
            try:
                if path.is_dir():
                    path.rmdir()
                else:
                    path.unlink()
            except OSError:
                pass
        if isinstance(e, OSError):
            raise InitError(f"{target}: cannot write the knowledge base ({e.strerror})") from None
        raise


def _write_files(root: Path, files: dict[str, bytes], created: list[Path]) -> None:
    """Write each file under ``root`` atomically, recording in ``created`` every file and folder made."""
    for rel, data in files.items():
        path = root / rel
        missing = [p for p in reversed(path.parents) if p.is_relative_to(root) and p != root and not p.exists()]
        for folder in missing:
            folder.mkdir()
            created.append(folder)
        partial = path.with_name(f".{path.name}.medkb-init-{secrets.token_hex(4)}")
        try:
            with open(partial, "xb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        created.append(path)
