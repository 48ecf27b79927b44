"""Rows written to a file whose format the extension gives (``.jsonl``, ``.csv``, ``.parquet``),
streamed in batches as they are made, to a temporary name renamed at the end: nothing half-written
is ever left at the path, and an existing file is replaced only when asked (``force``).

``predict -o`` and ``features -o`` write their rows (:mod:`sentclf.classify.rows`) through :func:`write_rows`.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

from sentclf import atomic
from sentclf.errors import ConfigError, DataError

OUTPUT_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
BATCH = 4096


def output_format(path) -> str:
    """'jsonl', 'csv' or 'parquet' from the path's extension; anything else is a ConfigError."""
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ConfigError(f"{path}: -o takes a .jsonl, .csv or .parquet path (the extension gives the format)")
    return fmt


def write_rows(rows, path, force: bool = False, inputs=(), flat=None) -> dict:
    """Write every row (a dict) of the iterable ``rows`` to ``path``; returns {"path", "rows", "format"}.

    ``flat(row, fmt)``, when given, turns a row into the flat dict written for that format. Where it
    leaves a list in a CSV row, the list is written as one JSON value."""
    fmt = output_format(path)
    atomic.check_writable(Path(path), force, inputs)
    records = (flat(row, fmt) for row in rows) if flat is not None else iter(rows)
    sink = ParquetSink() if fmt == "parquet" else None
    count = 0

    def write(raw):
        nonlocal count
        for batch in iter(lambda: list(itertools.islice(records, BATCH)), []):
            if sink is not None:
                sink.write(raw, batch)
            else:
                raw.write(format_records(batch, fmt, header=count == 0).encode("utf-8"))
            count += len(batch)
        if sink is not None:
            sink.close()

    atomic.atomic_write(path, write, replace=force)
    return {"path": str(path), "rows": count, "format": fmt}


def format_records(batch: list, fmt: str, header: bool) -> str:
    """A batch of records as JSON lines or CSV lines (the columns, and with ``header`` the header
    line, from the first record), each line ending in a newline: files and standard output alike."""
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in batch)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(batch[0]), lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerows(
        {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in r.items()}
        for r in batch
    )
    return out.getvalue()


class ParquetSink:
    """Record batches into one Parquet file, the schema taken from the first batch."""

    def __init__(self):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise DataError("writing Parquet needs pyarrow: pip install 'sentclf[parquet]'") from None
        self.pa, self.pq, self.writer = pa, pq, None

    def write(self, raw, batch: list) -> None:
        table = self.pa.Table.from_pylist(batch)
        if self.writer is None:
            self.writer = self.pq.ParquetWriter(raw, table.schema)
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
