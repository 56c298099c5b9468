"""Warnings that fail ``mkdocs build --strict`` whatever the log level.

MkDocs counts warnings for ``--strict`` with a logging handler; ``-q`` sets
the ``mkdocs`` logger to ERROR, so warnings are dropped before that handler
and a quiet strict build of a page with approved text edited exits 0. Each
medkb plugin logs through a :class:`StrictLogger`, which also keeps this
build's warnings; the plugin's ``on_post_build`` calls :meth:`StrictLogger.check`.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

_SHOWN = 20


class StrictLogger:
    """A plugin logger (``mkdocs.plugins.*``) that remembers the warnings of the current build."""

    def __init__(self, name: str) -> None:
        self._log = get_plugin_logger(name)
        self.warnings: list[str] = []

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """Log a warning and keep it for the strict check."""
        self.warnings.append(msg)
        self._log.warning(msg, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        # debug, info, error...: as the plugin logger does them.
        return getattr(self._log, name)

    def start_build(self) -> None:
        """Forget the previous build's warnings (``mkdocs serve`` rebuilds)."""
        self.warnings = []

    def check(self, config: MkDocsConfig, plugin: str) -> None:
        """Stop a strict build that had warnings, also when ``-q`` hid them from MkDocs' counter."""
        if not config.strict or not self.warnings:
            return
        shown = "\n".join(self.warnings[:_SHOWN])
        more = f"\n… and {len(self.warnings) - _SHOWN} more" if len(self.warnings) > _SHOWN else ""
        raise PluginError(f"{plugin}: {len(self.warnings)} warning(s) in strict mode:\n{shown}{more}")
