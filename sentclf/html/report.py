"""Writing a report: one self-contained HTML file, checked writable before the work that fills it
and written atomically, so a reader never sees half a report and an input is never overwritten."""

from __future__ import annotations

from pathlib import Path

from sentclf import atomic


def check(path, force: bool, inputs=()) -> Path:
    """Fail now (not after the evaluation) if ``path`` cannot be written."""
    path = Path(path)
    atomic.check_writable(path, force, inputs=tuple(p for p in inputs if p))
    return path


def write(path, page: str, force: bool, inputs=()) -> Path:
    path = check(path, force, inputs)
    return atomic.atomic_write(path, lambda handle: handle.write(page.encode("utf-8")))
