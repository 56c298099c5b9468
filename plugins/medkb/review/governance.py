"""The files that decide what counts as approved, and what a change to them needs.

Whoever can open a pull request can edit ``mkdocs.yml`` (``require_signatures:
false``, ``approvals_required``, removing ``medkb/review``), the theme's
``custom_dir`` (a partial that always says "Approved"), MkDocs hooks (code
run by the build), the site's own scripts and styles, and the board roster.
Those are *governed files*: ``medkb verify --base REV`` fails when any of
them differs from the base revision unless a member of the board at the
base signed the new state (``medkb approve-board``).

The check reads ``mkdocs.yml`` as plain YAML, never through MkDocs: loading
the configuration imports its hooks, which would run the pull request's code
before it is checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from medkb.articles.frontmatter import FrontMatterError
from medkb.review.board import parse_board


class _TolerantLoader(yaml.SafeLoader):
    """Safe YAML that reads MkDocs' ``!!python/name:…`` and ``!ENV`` tags as plain values (never imports anything)."""


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_TolerantLoader.add_multi_constructor("", _unknown_tag)


class GovernanceError(ValueError):
    """The governed files cannot be read (bad YAML, unknown revision)."""


@dataclass(frozen=True)
class Governed:
    """Where the governed files are, from ``mkdocs.yml`` (paths relative to its folder)."""

    config_files: tuple[str, ...]
    board: str
    hooks: tuple[str, ...]
    custom_dir: str | None
    assets: tuple[str, ...]
    approvals_required: int = 1
    """``medkb/review``'s ``approvals_required``: how many members must approve a change to these files."""
    docs_dir: str = "docs"
    articles_dir: str = "articles"


def read_governed(config_text: str, name: str = "mkdocs.yml", read: Any = None) -> Governed:
    """The governed paths named by a ``mkdocs.yml`` text (``read(path)`` gives an ``INHERIT`` parent's text)."""
    chain = [name]
    try:
        data = yaml.load(config_text, Loader=_TolerantLoader) or {}  # noqa: S506 - a SafeLoader subclass
        while isinstance(data, dict) and isinstance(data.get("INHERIT"), str) and read is not None:
            parent = str(PurePosixPath(chain[-1]).parent / data["INHERIT"])
            if parent in chain:
                break
            chain.append(parent)
            data = {**(yaml.load(read(parent), Loader=_TolerantLoader) or {}), **{k: v for k, v in data.items() if k != "INHERIT"}}  # noqa: S506
    except yaml.YAMLError as e:
        raise GovernanceError(f"{chain[-1]}: cannot read it as YAML ({str(e).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise GovernanceError(f"{name}: the configuration is not a mapping")
    board, required, articles = "board.yml", 1, "articles"
    plugins = data.get("plugins") or []
    for plugin in [plugins] if isinstance(plugins, dict) else plugins:
        if isinstance(plugin, dict) and isinstance(plugin.get("medkb/review"), dict):
            options = plugin["medkb/review"]
            board = str(options.get("board") or board)
            if isinstance(options.get("articles_dir"), str):
                articles = options["articles_dir"]
            value = options.get("approvals_required")
            if isinstance(value, int) and not isinstance(value, bool) and value > 1:
                required = value
    theme = data.get("theme") if isinstance(data.get("theme"), dict) else {}
    docs = str(data.get("docs_dir") or "docs")
    assets = []
    for key in ("extra_css", "extra_javascript"):
        for item in data.get(key) or []:
            path = item.get("path") if isinstance(item, dict) else item
            if isinstance(path, str) and "://" not in path and not path.startswith("//"):
                assets.append(str(PurePosixPath(docs) / path))
    hooks = tuple(str(h) for h in data.get("hooks") or [] if isinstance(h, str))
    custom = theme.get("custom_dir") if isinstance(theme.get("custom_dir"), str) else None
    return Governed(tuple(chain), board, hooks, custom, tuple(assets), approvals_required=required, docs_dir=docs, articles_dir=articles)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)


def require_revision(root: Path, base: str) -> None:
    """Stop with a clear message when ``base`` is not in this clone (a shallow clone, a typo)."""
    if _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").returncode != 0:
        shallow = _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
        hint = "this is a shallow clone: " if shallow else ""
        raise GovernanceError(
            f"revision '{base}' not found — {hint}fetch full history (git fetch --unshallow, or fetch-depth: 0 in CI)"
        )


def _file_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def snapshot(root: Path, governed: Governed, base: str | None = None) -> dict[str, str]:
    """``{path: digest}`` of every governed file, in the work tree or at ``base``; the board by its roster."""

    def read(rel: str) -> bytes | None:
        if base is None:
            path = root / rel
            return path.read_bytes() if path.is_file() else None
        shown = _git(root, "show", f"{base}:./{rel}")
        return shown.stdout if shown.returncode == 0 else None

    found: dict[str, str] = {}
    for rel in (*governed.config_files, *governed.hooks, *governed.assets):
        data = read(rel)
        found[rel] = _file_digest(data) if data is not None else "missing"
    roster = read(governed.board)
    if roster is None:
        found[governed.board] = "missing"
    else:
        try:
            found[governed.board] = parse_board(roster.decode("utf-8-sig"), governed.board, False).digest()
        except (FrontMatterError, UnicodeDecodeError) as e:
            found[governed.board] = f"unreadable: {e}"
    if governed.custom_dir:
        found.update(_theme_files(root, governed.custom_dir) if base is None else _theme_files_at(root, governed.custom_dir, base))
    return found


#: How many symbolic links are followed in a row before a path counts as unresolvable (as the kernel's ELOOP).
_MAX_LINKS = 40


def _theme_files(root: Path, custom_dir: str) -> dict[str, str]:
    """The theme folder as the theme loader reads it: symbolic links followed (and recorded by their target text).

    ``{path: digest}`` for files, ``{path: "symlink:TARGET"}`` for each link and
    ``{custom_dir: "dir:REAL"}`` for where the folder really is. Anything whose
    real path is outside the site's folder is a :class:`GovernanceError`.
    """
    top = Path(os.path.realpath(root))
    found: dict[str, str] = {}

    def inside(path: Path, shown: str) -> Path:
        real = Path(os.path.realpath(path))
        if real != top and top not in real.parents:
            raise GovernanceError(
                f"{shown}: the theme's custom_dir reaches {real}, outside the site's folder; governed files must be in the "
                "repository (copy the files into the site instead of linking to them)"
            )
        return real

    def walk(folder: Path, shown: str, ancestors: tuple[Path, ...]) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            rel = f"{shown}/{entry.name}"
            path = Path(entry.path)
            if entry.is_symlink():
                found[rel] = "symlink:" + os.readlink(path)
                real = inside(path, rel)
                if not real.exists():
                    continue  # a dangling link: nothing for the loader to read
                if real.is_dir():
                    if real not in ancestors:  # a cycle is listed once
                        walk(path, rel, (*ancestors, real))
                elif real.is_file():
                    found[rel + "@"] = _file_digest(real.read_bytes())
            elif entry.is_dir():
                walk(path, rel, (*ancestors, Path(os.path.realpath(path))))
            elif entry.is_file():
                found[rel] = _file_digest(path.read_bytes())

    folder = root / custom_dir
    shown = PurePosixPath(custom_dir).as_posix()
    if not os.path.lexists(folder):
        return {shown: "missing"}
    real = inside(folder, shown)
    found[shown] = "dir:" + real.relative_to(top).as_posix() if real.is_dir() else "not a folder"
    if real.is_dir():
        walk(folder, shown, (real,))
    return found


def _theme_files_at(root: Path, custom_dir: str, base: str) -> dict[str, str]:
    """:func:`_theme_files` at the revision ``base``, from git's trees (symbolic links are mode 120000 blobs)."""
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.decode().strip()
    listed = _git(root, "ls-tree", "-r", "-t", "-z", "--full-tree", base).stdout.decode("utf-8", "surrogateescape")
    entries: dict[str, tuple[str, str]] = {}  # site-relative path: (mode, object)
    children: dict[str, list[str]] = {}
    for record in listed.split("\0"):
        if not record or "\t" not in record:
            continue
        meta, path = record.split("\t", 1)
        mode, _kind, obj = meta.split()
        if prefix and not path.startswith(prefix):
            continue
        rel = path[len(prefix):]
        entries[rel] = (mode, obj)
        parent, _, name = rel.rpartition("/")
        children.setdefault(parent, []).append(name)

    def blob(obj: str) -> bytes:
        return _git(root, "cat-file", "blob", obj).stdout

    def resolve(rel: str, hops: int = 0) -> str | None:
        """The real site-relative path of ``rel`` at ``base`` (links in any component followed); ``None`` if unresolvable or outside."""
        current = ""
        for part in rel.split("/"):
            candidate = f"{current}/{part}" if current else part
            mode, obj = entries.get(candidate, ("", ""))
            if mode == "120000":
                if hops >= _MAX_LINKS:
                    return None
                target = blob(obj).decode("utf-8", "surrogateescape")
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(candidate), target))
                if target.startswith("/") or joined == ".." or joined.startswith("../"):
                    return None
                resolved = resolve(joined, hops + 1) if joined != "." else ""
                if resolved is None:
                    return None
                candidate = resolved
            elif not mode:
                return None
            current = candidate
        return current

    found: dict[str, str] = {}

    def walk(real: str, shown: str, ancestors: tuple[str, ...]) -> None:
        for name in sorted(children.get(real, [])):
            rel, child = f"{shown}/{name}", f"{real}/{name}" if real else name
            mode, obj = entries[child]
            if mode == "120000":
                found[rel] = "symlink:" + blob(obj).decode("utf-8", "surrogateescape")
                target = resolve(child)
                if target is None:
                    continue
                if target == "" or entries[target][0] == "040000":
                    if target not in ancestors:  # a cycle is listed once
                        walk(target, rel, (*ancestors, target))
                elif entries[target][0] in ("100644", "100755"):
                    found[rel + "@"] = _file_digest(blob(entries[target][1]))
            elif mode == "040000":
                walk(child, rel, (*ancestors, child))
            elif mode in ("100644", "100755"):
                found[rel] = _file_digest(blob(obj))

    shown = PurePosixPath(custom_dir).as_posix()
    real = resolve(shown)
    if real is None:
        return {shown: "missing"}
    is_dir = real == "" or entries.get(real, ("",))[0] == "040000"
    found[shown] = "dir:" + (real or ".") if is_dir else "not a folder"
    if is_dir:
        walk(real, shown, (real,))
    return found


def governance_digest(files: dict[str, str]) -> str:
    """What ``medkb approve-board`` signs: the roster and every other governed file."""
    return "sha256:" + hashlib.sha256(b"medkb-governance-v1\0" + json.dumps(sorted(files.items())).encode()).hexdigest()


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The governed paths added, removed or changed."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
