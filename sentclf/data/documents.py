"""Unlabelled documents to score: one per line of a text file (or of stdin), or one per file.

Lines are read lazily and split on ``\\n`` only, so memory stays flat on any input size and a 0x85
byte or U+2028 inside a line never splits it.
"""

from __future__ import annotations

import gzip
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sentclf.data.readers import GZIP_ERRORS, decode, read_bytes, unreadable_gzip
from sentclf.errors import DataError


@dataclass
class Document:
    """One unlabelled document to score: where it came from, and its text."""

    file: str
    line: int
    text: str
    fields: dict = field(default_factory=dict)  # a table row's id and kept columns
    label: str | None = None  # a labelled table row's label (train --stream)


def iter_documents(paths: list, whole_file: bool = False, encoding: str = "utf-8", skipped: list | None = None):
    """Yield documents lazily: one per line (memory stays flat on huge files), or one per file.
    With a ``skipped`` list, a line that is not valid ``encoding`` is left out and its (file, line)
    appended there, instead of stopping everything."""
    for path in paths:
        name = "<stdin>" if path == "-" else path
        if whole_file:
            yield Document(name, 1, decode(read_bytes(path), name, encoding).strip())
            continue
        for number, raw in enumerate(_open_binary_lines(path), start=1):
            try:
                line = raw.decode(encoding)
            except UnicodeDecodeError:
                if skipped is not None:
                    skipped.append((name, number))
                    continue
                raise DataError(
                    f"{name} line {number}: bytes that are not valid {encoding}: "
                    "pass --encoding (for example --encoding latin-1), or --skip-bad to leave such lines out"
                ) from None
            if number == 1:
                line = line.removeprefix("\ufeff")
            yield Document(name, number, line.rstrip("\r\n"))


def _open_binary_lines(path: str):
    """Binary lines split on b'\\n' only (so 0x85 or U+2028 inside a line never splits it)."""
    if path == "-":
        yield from sys.stdin.buffer
        return
    file = Path(path)
    if file.is_dir():
        raise DataError(f"{path}: is a folder: pass files, or use --whole-file with the files inside it")
    opener = gzip.open if file.suffix == ".gz" else open
    try:
        with opener(file, "rb") as handle:
            yield from handle
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except GZIP_ERRORS as exc:
        raise unreadable_gzip(path, exc) from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
