"""Where sentclf's own reports go on the command line: its log and Python's warnings on stderr (info
and up; ``-q`` keeps only errors), and the library's progress reports drawn as bars (:class:`TaskBars`,
silent with ``-q``)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from sentclf.progress import LOGGER as PROGRESS_LOGGER


class StderrFormatter(logging.Formatter):
    def format(self, record):
        prefix = "Warning: " if record.levelno >= logging.WARNING else ""
        return prefix + record.getMessage()


def setup_logging(quiet: bool) -> None:
    """sentclf's log (and Python warnings) on stderr: info and up, or nothing but errors when quiet
    (the ``Error:`` line of a failure is click's, and comes either way)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(StderrFormatter())
    logging.captureWarnings(True)
    level = logging.ERROR if quiet else logging.INFO
    logging.getLogger("pooch").setLevel(logging.ERROR if quiet else logging.INFO)
    for name in ("sentclf", "py.warnings"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
    bars = logging.getLogger(PROGRESS_LOGGER)
    bars.handlers[:] = [] if quiet else [TaskBars()]
    bars.setLevel(logging.WARNING if quiet else logging.DEBUG)
    bars.propagate = False


def is_quiet() -> bool:
    return logging.getLogger("sentclf").level > logging.INFO


# tasks whose bar counts the steps inside them: while one is drawn, the steps draw no bar of their own
COVERING = {"teach"}


class TaskBars(logging.Handler):
    """Draws the library's progress reports (:mod:`sentclf.progress`): one bar per running task."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.bars: dict = {}

    def emit(self, record: logging.LogRecord) -> None:
        report = getattr(record, "progress", None)
        if report is None:
            return
        task, what, units = report
        if what == "start":
            if any(open_task in COVERING for open_task in self.bars) and task not in self.bars:
                return  # a step inside one whose bar already counts it (the teacher's batches)
            self.end(task)
            bar: Any = click.progressbar(length=units, label=record.getMessage(), file=sys.stderr)
            self.bars[task] = bar.__enter__()
        elif what == "advance" and task in self.bars:
            self.bars[task].update(units)
        elif what == "finish":
            self.end(task)

    def end(self, task: str) -> None:
        bar = self.bars.pop(task, None)
        if bar is not None:
            bar.__exit__(None, None, None)
