"""``predict -o PATH``: predictions written to a file whose format the extension gives (``.jsonl``,
``.csv``, ``.parquet``), streamed in batches as they are made, to a temporary name renamed at the
end: nothing half-written is ever left at PATH. Rows are flat (one column per probability) so they
load straight into a data frame: the table's id and kept columns, label, p_<label>..., empty, text.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

from sentclf import archive
from sentclf.errors import ConfigError, DataError

OUTPUT_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
BATCH = 4096


def output_format(path) -> str:
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ConfigError(f"{path}: -o takes a .jsonl, .csv or .parquet path (the extension gives the format)")
    return fmt


def record(row: dict, labels: list) -> dict:
    """One flat output row."""
    probabilities = {f"p_{label}": row["probabilities"].get(label) for label in labels}
    return {**row["fields"], "label": row["label"], **probabilities, "empty": row["empty"], "text": row["text"]}


def write_predictions(predictions, path, force: bool = False, inputs=()) -> dict:
    """Write every prediction to ``path``; returns {"path", "rows"}."""
    fmt = output_format(path)
    archive.check_writable(Path(path), force, inputs)
    labels = [str(label) for label in predictions.labels]
    records = (record(row, labels) for row in predictions)
    sink = ParquetSink() if fmt == "parquet" else None
    rows = 0

    def write(raw):
        nonlocal rows
        for batch in iter(lambda: list(itertools.islice(records, BATCH)), []):
            if sink is not None:
                sink.write(raw, batch)
            else:
                raw.write(_text(batch, fmt, header=rows == 0).encode("utf-8"))
            rows += len(batch)
        if sink is not None:
            sink.close()

    archive.atomic_write(path, write, replace=force)
    return {"path": str(path), "rows": rows}


def _text(batch: list, fmt: str, header: bool) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in batch)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(batch[0]), lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerows(batch)
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
