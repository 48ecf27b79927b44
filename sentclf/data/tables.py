"""Documents to score from tables: CSV, TSV, JSONL (each possibly ``.gz``) and Parquet, read lazily.

A table row becomes a :class:`~sentclf.data.documents.Document` whose text comes from the text
column (``--text-col``; default ``text``, or the usual names, as for labelled data) and whose
``fields`` carry the row's id (an ``id`` column when there is one, or ``--id-col``) and the
``--keep-cols`` asked for, so the predictions can be joined back. Rows are read one at a time
(Parquet in record batches), so memory stays flat on any size. Plain text files keep their
meaning: one document per line.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

from sentclf.data.documents import Document
from sentclf.data.readers import (
    GZIP_ERRORS,
    LABEL_COLUMNS,
    TEXT_COLUMNS,
    column_hint,
    column_list,
    csv_delimiter,
    field_error,
    json_lines,
    unknown_encoding,
    unreadable_gzip,
    wide_csv_fields,
)
from sentclf.errors import DataError

TABLE_FORMATS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".parquet": "parquet"}
PARQUET_BATCH = 8192


@dataclass(frozen=True)
class Columns:
    """Which columns a table's rows give: the text, the id (None: ``id`` if present) and more to keep."""

    text: str | None = None
    id: str | None = None
    keep: tuple = ()
    label: str | None = None  # labelled rows (train --stream): the label column, or LABEL_AUTO to find it

    def given(self) -> list:
        """The column options given, as the CLI names them."""
        named = (("--text-col", self.text), ("--id-col", self.id), ("--keep-cols", self.keep or None))
        return [flag for flag, value in named if value is not None]


LABEL_AUTO = ""  # Columns.label: find the label column by its usual names (label, sentiment, ...)


def table_format(path: str) -> str | None:
    """'csv', 'tsv', 'jsonl' or 'parquet' by extension (after an optional .gz), else None (plain text)."""
    suffixes = Path(path).suffixes
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    fmt = TABLE_FORMATS.get(suffixes[-1].lower()) if suffixes else None
    if fmt == "parquet" and Path(path).suffix == ".gz":
        raise DataError(f"{path}: Parquet compresses itself: pass the .parquet file, not a .gz of it")
    return fmt


def _pick(fields: list, wanted: str | None, candidates: tuple, what: str, name: str) -> str | None:
    if wanted is not None:
        if wanted not in fields:
            raise DataError(f"{name}: no column '{wanted}' (columns: {column_list(fields)})")
        return wanted
    lowered = {str(f).strip().lower(): f for f in fields}
    found = next((lowered[c] for c in candidates if c in lowered), None)
    if found is None and what == "text":
        raise DataError(
            f"{name}: cannot tell which column holds the text (columns: {column_list(fields)}): "
            + column_hint(list(map(str, fields)), "text")
        )
    return found


def _fields(row: dict, id_col, keep: tuple) -> dict:
    extra = {id_col: row.get(id_col)} if id_col is not None else {}
    return {**extra, **{col: row.get(col) for col in keep}}


def _label(row: dict, columns: Columns):
    """The row's label as a string (None when it has none, or when no labels are read)."""
    if columns.label is None:
        return None
    value = row.get(columns.label)
    return None if value is None or not str(value).strip() else str(value).strip()


def _checked(fields: list, columns: Columns, name: str) -> tuple:
    text = _pick(fields, columns.text, TEXT_COLUMNS, "text", name)
    id_col = _pick(fields, columns.id, ("id",), "id", name)
    missing = [col for col in columns.keep if col not in fields]
    if missing:
        raise DataError(f"{name}: no column '{missing[0]}' to keep (columns: {column_list(fields)})")
    if columns.label is not None:
        label = _pick(fields, columns.label or None, LABEL_COLUMNS, "label", name)
        if label is None:
            raise DataError(
                f"{name}: cannot tell which column holds the label (columns: {column_list(fields)}): "
                + column_hint(list(map(str, fields)), "label")
            )
        return text, id_col, Columns(text, id_col, columns.keep, label)
    return text, id_col, columns


class _Counting(io.RawIOBase):
    """A binary file that reports the bytes read from it (progress over bytes, even under gzip)."""

    def __init__(self, raw, on_bytes):
        self.raw, self.on_bytes = raw, on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        if n:
            self.on_bytes(n)
        return n or 0


@contextlib.contextmanager
def _text_lines(path: str, encoding: str, on_bytes=None):
    """The file (or stdin) as text, decompressed if .gz; the file is closed on leaving."""
    with contextlib.ExitStack() as stack:
        raw = sys.stdin.buffer if path == "-" else stack.enter_context(open(path, "rb"))
        if on_bytes is not None:
            raw = io.BufferedReader(_Counting(raw, on_bytes), 1 << 16)
        if path.endswith(".gz"):
            raw = stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))
        yield io.TextIOWrapper(raw, encoding=encoding, newline="")


def _delimited(path: str, name: str, columns: Columns, encoding: str, delimiter: str, on_bytes=None):
    with _text_lines(path, encoding, on_bytes) as handle, wide_csv_fields():
        first = handle.readline()
        reader = csv.DictReader(itertools.chain([first], handle), delimiter=csv_delimiter(first, delimiter))
        try:
            text, id_col, columns = _checked(list(reader.fieldnames or []), columns, name)
            for row in reader:
                value = row.get(text)
                if value is None:
                    raise DataError(f"{name} line {reader.line_num}: no text in column '{text}'")
                yield Document(name, reader.line_num, value, _fields(row, id_col, columns.keep), _label(row, columns))
        except csv.Error as exc:
            raise field_error(name, max(reader.line_num, 1), exc, delimiter) from None


def _jsonl(path: str, name: str, columns: Columns, encoding: str, on_bytes=None):
    text = columns.text or "text"
    if columns.label is not None:
        columns = Columns(text, columns.id, columns.keep, columns.label or "label")
    with _text_lines(path, encoding, on_bytes) as handle:
        for number, row in json_lines(handle, name):
            if not isinstance(row, dict) or not isinstance(row.get(text), str):
                raise DataError(f"{name} line {number}: no text in key '{text}': pass --text-col")
            id_col = columns.id if columns.id is not None else ("id" if "id" in row else None)
            yield Document(name, number, row[text], _fields(row, id_col, columns.keep), _label(row, columns))


def _parquet(path: str, name: str, columns: Columns, on_bytes=None):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError("reading Parquet needs pyarrow: pip install 'sentclf[parquet]'") from None
    try:
        # pre_buffer=False: with it, iter_batches reads every row group's column chunks ahead (the
        # whole file in memory); without it, one row group at a time (bench/README.md, "Scale")
        table = pq.ParquetFile(path, pre_buffer=False)
    except (OSError, ValueError) as exc:
        raise DataError(f"{name}: not a readable Parquet file ({exc})") from None
    text, id_col, columns = _checked(list(table.schema_arrow.names), columns, name)
    wanted = list(dict.fromkeys([text, *([id_col] if id_col else []), *columns.keep, *filter(None, [columns.label])]))
    size, rows = Path(path).stat().st_size, max(1, table.metadata.num_rows)
    number = 0
    for batch in table.iter_batches(batch_size=PARQUET_BATCH, columns=wanted):
        for row in batch.to_pylist():
            number += 1
            if not isinstance(row[text], str):
                raise DataError(f"{name} row {number}: no text in column '{text}'")
            yield Document(name, number, row[text], _fields(row, id_col, columns.keep), _label(row, columns))
        if on_bytes is not None:  # Parquet is read by column chunks: the bytes are the rows' share of the file
            on_bytes(size * batch.num_rows // rows)


def resolve_columns(path: str, fmt: str, columns: Columns, encoding: str = "utf-8") -> tuple:
    """(text column, id column or None, kept columns, CSV delimiter) of a table file, from its header
    (CSV/TSV), its schema (Parquet) or its first row (JSONL), with the same checks and errors as
    reading it."""
    name = path
    delimiter = "\t" if fmt == "tsv" else ","
    if fmt == "parquet":
        try:
            import pyarrow.parquet as pq

            fields = list(pq.ParquetFile(path).schema_arrow.names)
        except ImportError:
            raise DataError("reading Parquet needs pyarrow: pip install 'sentclf[parquet]'") from None
        except (OSError, ValueError) as exc:
            raise DataError(f"{name}: not a readable Parquet file ({exc})") from None
    elif fmt == "jsonl":
        with _read_errors(name, encoding), _text_lines(path, encoding) as handle:
            first = next((row for _, row in json_lines(handle, name)), None)
        if not isinstance(first, dict):
            raise DataError(f"{name} line 1: not a JSON object with a text key")
        fields = list(first)
        columns = Columns(columns.text or "text", columns.id, columns.keep, columns.label)
    else:
        with _read_errors(name, encoding), _text_lines(path, encoding) as handle, wide_csv_fields():
            header = handle.readline()
            delimiter = csv_delimiter(header, delimiter)
            fields = next(csv.reader([header], delimiter=delimiter), [])
    text, id_col, checked = _checked(fields, columns, name)
    return text, id_col, checked.keep, delimiter


def iter_table(path: str, fmt: str, columns: Columns, encoding: str = "utf-8", on_bytes=None):
    """Documents of one table file, lazily; bad input raises DataError naming the file and line.
    With ``columns.label`` each document's ``fields`` carry its label under ``columns.label``;
    ``on_bytes(n)`` hears of the file's bytes as they are read (progress)."""
    name = "<stdin>" if path == "-" else path
    if path != "-" and (not Path(path).exists() or Path(path).is_dir()):  # a named pipe is fine
        raise DataError(f"{path}: file not found" if not Path(path).exists() else f"{path}: is a folder, not a table")
    with _read_errors(name, encoding):
        if fmt == "parquet":
            yield from _parquet(path, name, columns, on_bytes)
        elif fmt == "jsonl":
            yield from _jsonl(path, name, columns, encoding, on_bytes)
        else:
            yield from _delimited(path, name, columns, encoding, "," if fmt == "csv" else "\t", on_bytes)


@contextlib.contextmanager
def _read_errors(name: str, encoding: str):
    """What reading a table's text can raise, as one DataError naming the file (and what to pass)."""
    try:
        yield
    except UnicodeDecodeError:
        raise DataError(f"{name}: bytes that are not valid {encoding}: pass --encoding") from None
    except LookupError:
        raise unknown_encoding(encoding) from None
    except GZIP_ERRORS as exc:
        raise unreadable_gzip(name, exc) from None
    except csv.Error as exc:
        raise DataError(f"{name}: cannot read it ({exc})") from None
