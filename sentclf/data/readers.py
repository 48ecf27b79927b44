"""Reading labelled datasets: CSV/TSV, JSONL, fastText lines, Parquet, folders of files, stdin, ``.gz``.

Every reader reports problems as :class:`~sentclf.errors.DataError` naming the file and line.
A row whose text field is *missing* or whose label is missing or blank is a bad row (an error, or
skipped and counted with ``skip_bad``); a row whose text is present but blank is an *empty
document*, kept here and dropped (and counted) by ``train``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import hashlib
import io
import json
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sentclf.errors import DataError

FORMATS = ("csv", "tsv", "jsonl", "fasttext", "parquet", "dir")
TEXT_COLUMNS = ("text", "sentence", "review", "tweet", "content", "document", "body", "comment", "message")
LABEL_COLUMNS = ("label", "sentiment", "polarity", "class", "target", "category", "y")
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".ft": "fasttext",
    ".fasttext": "fasttext",
    ".parquet": "parquet",
}
FASTTEXT_PREFIX = "__label__"
# The csv module's per-field limit is 128 KiB; a long review or a whole book chapter is a document
# too. A field past this is not a document (and memory is bounded by it): an error naming the line.
MAX_CSV_FIELD = 1 << 28
SEMICOLON = ";"  # what spreadsheets in many locales separate CSV fields with


@dataclass
class Dataset:
    """Documents with string labels, and where they came from."""

    texts: list
    labels: list
    source: str
    sha256: str
    format: str
    n_bad: int = 0
    notes: list = field(default_factory=list)
    confidence: list = field(default_factory=list)  # the annotators' agreement per label, where a corpus has it

    def __len__(self) -> int:
        return len(self.texts)


GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)  # what reading a truncated or corrupt .gz raises


def unreadable_gzip(name: str, exc: Exception) -> DataError:
    return DataError(f"{name}: not a readable gzip file, or it is truncated ({exc})")


def unknown_encoding(encoding: str) -> DataError:
    return DataError(f"unknown encoding '{encoding}': use a Python codec name such as utf-8 or latin-1")


def check_encoding(encoding: str) -> None:
    """A Python codec name, or a DataError saying what to pass (before any file is opened)."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise unknown_encoding(encoding) from None


def read_bytes(path: str) -> bytes:
    """The raw bytes of a file (``-`` is stdin; ``.gz`` is decompressed)."""
    if path == "-":
        return sys.stdin.buffer.read()
    file = Path(path)
    if file.is_dir():
        raise DataError(f"{path}: is a folder, not a file")
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from None
    if file.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, *GZIP_ERRORS) as exc:
            raise unreadable_gzip(path, exc) from None
    return raw


def decode(raw: bytes, name: str, encoding: str = "utf-8") -> str:
    """Decode strictly; an undecodable byte is an error naming the line, suggesting ``--encoding``."""
    if b"\x00" in raw[:8192] and not encoding.lower().startswith("utf-16"):
        raise DataError(f"{name}: looks like a binary file (it holds NUL bytes), not text")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{name} line {line}: bytes that are not valid {encoding}: pass --encoding (for example --encoding latin-1)"
        ) from None
    except LookupError:
        raise unknown_encoding(encoding) from None
    return text.removeprefix("\ufeff")


def detect_format(path: str, text: str | None = None) -> str:
    """Guess the format from a folder, the file extension, then the first non-blank line."""
    if path != "-" and Path(path).is_dir():
        return "dir"
    suffix = Path(path.removesuffix(".gz")).suffix.lower() if path != "-" else ""
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    first = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    if first.startswith("{"):
        return "jsonl"
    if first.startswith(FASTTEXT_PREFIX):
        return "fasttext"
    return "tsv" if "\t" in first else "csv"


def read_examples(
    path: str,
    fmt: str | None = None,
    text_col: str | None = None,
    label_col: str | None = None,
    encoding: str = "utf-8",
    skip_bad: bool = False,
) -> Dataset:
    """Read a labelled dataset in any supported format (detected unless ``fmt`` is given)."""
    if fmt is not None and fmt not in FORMATS:
        raise DataError(f"unknown format '{fmt}': choose one of {', '.join(FORMATS)}")
    if (fmt or detect_format(path)) == "dir":
        return read_folder(path, encoding)
    if (fmt or detect_format(path)) == "parquet":
        return read_parquet(path, text_col, label_col, skip_bad)
    raw = read_bytes(path)
    name = "<stdin>" if path == "-" else path
    text = decode(raw, name, encoding)
    if not text.strip():
        raise DataError(f"{name}: is empty: it holds no examples")
    fmt = fmt or detect_format(path, text)
    rows = ROW_READERS[fmt](text, name, text_col, label_col)
    texts, labels, n_bad = _collect(rows, name, skip_bad)
    if not texts:
        raise DataError(f"{name}: holds no usable examples ({n_bad} bad rows skipped)")
    return Dataset(texts, labels, source=name, sha256=hashlib.sha256(raw).hexdigest(), format=fmt, n_bad=n_bad)


def _collect(rows, name: str, skip_bad: bool) -> tuple:
    """Gather (line, text, label, problem) rows; a problem is an error unless ``skip_bad``."""
    texts, labels, n_bad = [], [], 0
    for line, text, label, problem in rows:
        if problem is None and (label is None or not str(label).strip()):
            problem = "no label"
        if problem is not None:
            if not skip_bad:
                raise DataError(f"{name} line {line}: {problem} (fix the row, or pass --skip-bad to skip such rows)")
            n_bad += 1
            continue
        texts.append(text)
        labels.append(str(label).strip())
    return texts, labels, n_bad


def _pick_column(fields: Sequence[str], wanted: str | None, candidates: tuple, what: str, name: str) -> str:
    if wanted is not None:
        if wanted not in fields:
            raise DataError(f"{name}: no column '{wanted}' (columns: {column_list(fields)})")
        return wanted
    lowered = {f.strip().lower(): f for f in fields}
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    raise DataError(
        f"{name}: cannot tell which column holds the {what} (columns: {column_list(fields)}): "
        + column_hint(fields, what)
    )


def column_list(fields, names: int = 20, width: int = 40) -> str:
    """A table's columns as an error message shows them: long names and long lists shortened."""
    shown = [str(f) if len(str(f)) <= width else str(f)[: width - 1] + "…" for f in list(fields)[:names]]
    more = len(fields) - len(shown)
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def column_hint(fields: Sequence[str], what: str) -> str:
    """What to do when no column is recognized; a header read as one column names its separator."""
    if len(fields) == 1 and any(sep in str(fields[0]) for sep in ("|", ";", "\t")):
        return (
            f"the header '{column_list(fields)}' is one column: sentclf separates CSV fields with ',' (or ';' when the "
            "header has no comma) and TSV with tabs: convert the file, or pass --format tsv for tabs"
        )
    return f"pass --{what}-col"


@contextlib.contextmanager
def wide_csv_fields():
    """The csv module's field limit raised to MAX_CSV_FIELD while a file is read, then put back (it
    is one setting for the whole process)."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, MAX_CSV_FIELD))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def csv_delimiter(header: str, delimiter: str) -> str:
    """The delimiter of a CSV file from its header line: ',' unless the header holds no comma but a
    semicolon, as CSV files saved by spreadsheets in many locales do."""
    if delimiter == "," and "," not in header and SEMICOLON in header:
        return SEMICOLON
    return delimiter


def field_error(name: str, line: int, exc: csv.Error, delimiter: str) -> DataError:
    """A malformed CSV/TSV row as a DataError naming the line (and the limit, for an oversized field)."""
    kind = "TSV" if delimiter == "\t" else "CSV"
    if "field larger than field limit" in str(exc):
        return DataError(
            f"{name} line {line}: a field larger than {MAX_CSV_FIELD:,} bytes: that is not one document "
            "(a quote left open swallows the rest of the file): check the quoting, or split the text"
        )
    return DataError(f"{name} line {line}: malformed {kind} ({exc})")


def _delimited_rows(text: str, name: str, text_col, label_col, delimiter: str):
    delimiter = csv_delimiter(text.split("\n", 1)[0], delimiter)
    with wide_csv_fields():
        yield from _delimited_fields(text, name, text_col, label_col, delimiter)


def _delimited_fields(text: str, name: str, text_col, label_col, delimiter: str):
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        fields = reader.fieldnames or []
    except csv.Error as exc:
        raise field_error(name, 1, exc, delimiter) from None
    tcol = _pick_column(fields, text_col, TEXT_COLUMNS, "text", name)
    lcol = _pick_column(fields, label_col, LABEL_COLUMNS, "label", name)
    try:
        for row in reader:
            if not any((value or "").strip() for key, value in row.items() if key is not None):
                continue
            problem = f"no text in column '{tcol}'" if row.get(tcol) is None else None
            label = row.get(lcol)
            if problem is None and not (label or "").strip():
                problem = f"no label in column '{lcol}'"
            yield reader.line_num, row.get(tcol), label, problem
    except csv.Error as exc:
        raise field_error(name, reader.line_num, exc, delimiter) from None


def _csv_rows(text, name, text_col, label_col):
    return _delimited_rows(text, name, text_col, label_col, ",")


def _tsv_rows(text, name, text_col, label_col):
    return _delimited_rows(text, name, text_col, label_col, "\t")


def json_lines(lines, name: str):
    """(line number, parsed value) of each non-blank line; a line that is not JSON is a DataError."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{name} line {number}: not valid JSON ({exc.msg})") from None


def _jsonl_rows(text: str, name: str, text_col, label_col):
    tkey, lkey = text_col or "text", label_col or "label"
    for number, row in json_lines(text.split("\n"), name):
        if not isinstance(row, dict):
            yield number, None, None, "not a JSON object"
        elif not isinstance(row.get(tkey), str):
            yield number, None, None, f"no text in key '{tkey}'"
        else:
            label = row.get(lkey)
            yield number, row[tkey], label, None if label not in (None, "") else f"no label in key '{lkey}'"


def _fasttext_rows(text: str, name: str, text_col, label_col):
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        head, _, rest = line.strip().partition(" ")
        if not head.startswith(FASTTEXT_PREFIX) or head == FASTTEXT_PREFIX:
            yield number, None, None, f"no {FASTTEXT_PREFIX}LABEL at the start of the line"
            continue
        while rest.startswith(FASTTEXT_PREFIX):  # several labels: keep the first
            rest = rest.partition(" ")[2]
        yield number, rest, head[len(FASTTEXT_PREFIX) :], None


ROW_READERS = {"csv": _csv_rows, "tsv": _tsv_rows, "jsonl": _jsonl_rows, "fasttext": _fasttext_rows}


def read_folder(path: str, encoding: str = "utf-8") -> Dataset:
    """One sub-folder per label, one .txt file per document (the IMDB / Pang & Lee review layout)."""
    root = Path(path)
    if not root.is_dir():
        raise DataError(f"{path}: folder not found")
    digest = hashlib.sha256()
    texts, labels = [], []
    for label_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for file in sorted(label_dir.glob("*.txt")):
            raw = file.read_bytes()
            digest.update(f"{label_dir.name}/{file.name}\n".encode() + raw)
            texts.append(decode(raw, str(file), encoding))
            labels.append(label_dir.name)
    if not texts:
        raise DataError(
            f"{path}: holds no sub-folder with .txt files (want one sub-folder per label, e.g. pos/ and neg/)"
        )
    return Dataset(texts, labels, source=str(root), sha256=digest.hexdigest(), format="dir")


def read_parquet(path: str, text_col=None, label_col=None, skip_bad: bool = False) -> Dataset:
    """A labelled Parquet file (pyarrow), read column by column: only the text and label columns."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError("reading Parquet needs pyarrow: pip install 'sentclf[parquet]'") from None
    if path == "-":
        raise DataError("Parquet cannot be read from stdin: pass the file's path")
    if not Path(path).is_file():
        raise DataError(f"{path}: file not found")
    try:
        file = pq.ParquetFile(path)
        fields = list(file.schema_arrow.names)
        tcol = _pick_column(fields, text_col, TEXT_COLUMNS, "text", path)
        lcol = _pick_column(fields, label_col, LABEL_COLUMNS, "label", path)
        table = file.read(columns=list(dict.fromkeys([tcol, lcol])))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not a readable Parquet file ({exc})") from None
    rows = (
        (number, text, label, None if isinstance(text, str) else f"no text in column '{tcol}'")
        for number, (text, label) in enumerate(
            zip(table.column(tcol).to_pylist(), table.column(lcol).to_pylist()), start=1
        )
    )
    texts, labels, n_bad = _collect(rows, path, skip_bad)
    if not texts:
        raise DataError(f"{path}: holds no usable examples ({n_bad} bad rows skipped)")
    return Dataset(texts, labels, source=path, sha256=file_sha256(path), format="parquet", n_bad=n_bad)


def file_sha256(path) -> str:
    """The sha256 of a file, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
