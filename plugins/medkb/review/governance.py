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
    board = "board.yml"
    for plugin in data.get("plugins") or []:
        if isinstance(plugin, dict) and isinstance(plugin.get("medkb/review"), dict):
            board = str(plugin["medkb/review"].get("board") or board)
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
    return Governed(tuple(chain), board, hooks, custom, tuple(assets))


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
        if base is None:
            folder = root / governed.custom_dir
            names = [p.relative_to(root).as_posix() for p in sorted(folder.rglob("*")) if p.is_file()] if folder.is_dir() else []
        else:
            listed = _git(root, "ls-tree", "-r", "--name-only", base, "--", governed.custom_dir).stdout.decode()
            names = [line for line in listed.splitlines() if line]
        for rel in names:
            data = read(rel)
            found[rel] = _file_digest(data) if data is not None else "missing"
    return found


def governance_digest(files: dict[str, str]) -> str:
    """What ``medkb approve-board`` signs: the roster and every other governed file."""
    return "sha256:" + hashlib.sha256(b"medkb-governance-v1\0" + json.dumps(sorted(files.items())).encode()).hexdigest()


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The governed paths added, removed or changed."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
