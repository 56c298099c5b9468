"""Warnings that fail ``mkdocs build --strict`` whatever the log level.

MkDocs counts warnings for ``--strict`` with a logging handler; ``-q`` sets
the ``mkdocs`` logger to ERROR, so warnings are dropped before that handler
and a quiet strict build of a page with approved text edited exits 0. Each
medkb plugin logs through a :class:`StrictLogger`, which also keeps this
build's warnings; the plugin's ``on_post_build`` calls :meth:`StrictLogger.check`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

_SHOWN = 20

_holding: list[Held] = []


class StrictLogger:
    """A plugin logger (``mkdocs.plugins.*``) that remembers the warnings of the current build."""

    def __init__(self, name: str) -> None:
        self._log = get_plugin_logger(name)
        self.warnings: list[str] = []

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """Log a warning and keep it for the strict check (held instead inside :func:`held_warnings`)."""
        if _holding:
            _holding[-1].strict.append((self, msg))
        else:
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


class Held:
    """Warnings held back by :func:`held_warnings`."""

    def __init__(self) -> None:
        self.records: list[logging.LogRecord] = []
        self.strict: list[tuple[StrictLogger, str]] = []


class _Hold(logging.Filter):
    def __init__(self, into: Held) -> None:
        super().__init__()
        self.into = into

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        if not any(r is record for r in self.into.records):
            self.into.records.append(record)
        return False


@contextmanager
def held_warnings() -> Iterator[Held]:
    """Hold back every warning and error logged inside (MkDocs' and medkb's); :func:`release` logs them after all.

    For a trial render whose warnings count only if its result is kept
    (a revision searched for the approved text).
    """
    held = Held()
    hold = _Hold(held)
    handlers = [*logging.getLogger("mkdocs").handlers, *logging.getLogger().handlers]
    for handler in handlers:
        handler.addFilter(hold)
    _holding.append(held)
    try:
        yield held
    finally:
        _holding.pop()
        for handler in handlers:
            handler.removeFilter(hold)


def release(held: Held) -> None:
    """Log held warnings now, as if they had not been held (they count for ``--strict``)."""
    for logger, msg in held.strict:
        logger.warnings.append(msg)
    for record in held.records:
        logging.getLogger(record.name).handle(record)
