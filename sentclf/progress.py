"""Progress reports from the library, as log records on the ``sentclf.progress`` logger.

The library never draws: a long step calls :func:`start`, :func:`advance` and :func:`finish`, which
cost one disabled-logger check when nobody listens. The CLI listens (``cli/progress.py``) and draws
a bar on stderr, or nothing with ``-q``; a Python caller may attach its own handler.
"""

from __future__ import annotations

import logging

LOGGER = "sentclf.progress"
log = logging.getLogger(LOGGER)


def start(task: str, total: int, label: str) -> None:
    """A step of ``total`` units begins (a new bar for ``task``)."""
    log.debug(label, extra={"progress": (task, "start", total)})


def advance(task: str, units: int = 1) -> None:
    log.debug("", extra={"progress": (task, "advance", units)})


def finish(task: str) -> None:
    log.debug("", extra={"progress": (task, "finish", 0)})
