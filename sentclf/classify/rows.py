"""The rows ``predict`` and ``features`` give, one schema per verb, and the writers of each form.

A prediction row: ``file``, ``line``, the table's carried columns (its id and ``--keep-cols``),
``label``, ``p_<label>`` for every class in the model's order, ``empty``, ``text``. A feature row:
``file``, ``line``, the carried columns, ``x1``..``x6``, ``n_tokens``, ``empty``, the matched tokens
space-joined per list (``positive``, ``negative``, ``pronouns``), with embeddings ``oov`` (the tokens
without a vector), ``no_vectors`` and the pooled vectors (``emb_mean``, ``emb_max``), then ``text``.
A carried column named like an output column is renamed ``in_NAME`` (a kept gold ``label`` survives
beside the predicted one).

Every machine form (``--jsonl`` and ``--csv`` on stdout; ``-o`` .jsonl, .csv and .parquet; a Dask
dataset) holds the same columns with the same values, floats rounded to :data:`DECIMALS` places;
the stdout forms lead with ``file`` and ``line``, which a file of rows in input order does not
need. CSV has no lists, so a pooled vector is one column per dimension there (``emb_mean_0``...).
The default stdout form is a table for people: tab-separated, 4 decimals, long texts shortened.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sentclf import sinks
from sentclf.classify.features import SIX_ALIASES, SIX_NAMES
from sentclf.errors import ConfigError, OptionConflictError

DECIMALS = 6  # every machine form: enough for a log loss over millions of rows, and short to print
TABLE_DECIMALS = 4
TABLE_TEXT = 70  # characters of text a table line shows
WHERE = ("file", "line")
MATCHED = ("positive", "negative", "pronouns")
FEATURE_COLUMNS = (*SIX_NAMES, "n_tokens", "empty", *MATCHED)
STDOUT_FORMATS = ("table", "jsonl", "csv")
WRITE_BATCH = 1000  # lines a write: one write per row costs a quarter of predict's time


def carried(fields: dict, outputs) -> dict:
    """A table row's carried columns, renamed ``in_NAME`` where NAME is also an output column."""
    return {f"in_{k}" if k in outputs else k: v for k, v in fields.items()}


def probability_columns(labels: list) -> list:
    return [f"p_{label}" for label in labels]


def prediction_outputs(labels: list) -> list:
    return ["label", *probability_columns(labels), "empty", "text"]


def prediction_row(doc, label: str, probabilities: dict, empty: bool, labels: list) -> dict:
    """One prediction row; ``probabilities`` maps the model's classes to P (a label the pipeline has
    no column for gets None)."""
    outputs = prediction_outputs(labels)
    return {
        "file": doc.file,
        "line": doc.line,
        **carried(doc.fields, outputs),
        "label": label,
        **{f"p_{x}": probabilities.get(x) for x in labels},
        "empty": empty,
        "text": doc.text,
    }


def prediction_columns(fields: list, labels: list) -> list:
    """The columns of a prediction file (no file and line) for a table carrying ``fields``."""
    outputs = prediction_outputs(labels)
    return [*carried(dict.fromkeys(fields), outputs), *outputs]


def feature_outputs(pools: tuple = (), embeddings: bool = False) -> list:
    extra = ["oov", "no_vectors", *(f"emb_{p}" for p in pools)] if embeddings else []
    return [*FEATURE_COLUMNS, *extra, "text"]


def feature_row(doc, trace, vectors: dict | None = None, oov: list | None = None, no_vectors: bool = False) -> dict:
    """One feature row from a document's :class:`~sentclf.classify.features.six.FeatureTrace` and,
    with embeddings, its pooled vectors ({pool: list}), its tokens without a vector and whether no
    token had one."""
    row = {"file": doc.file, "line": doc.line}
    outputs = feature_outputs(tuple(vectors or ()), vectors is not None)
    row.update(carried(doc.fields, outputs))
    row.update(trace.as_dict())
    row.update(n_tokens=trace.n_tokens, empty=trace.empty)
    row.update({kind: " ".join(trace.matched[kind]) for kind in MATCHED})
    if vectors is not None:
        row.update(oov=" ".join(oov or []), no_vectors=no_vectors)
        row.update({f"emb_{pool}": values for pool, values in vectors.items()})
    row["text"] = doc.text
    return row


def feature_columns(fields: list, pools: tuple = (), embeddings: bool = False) -> list:
    """The columns of a feature file (no file and line) for a table carrying ``fields``."""
    outputs = feature_outputs(pools, embeddings)
    return [*carried(dict.fromkeys(fields), outputs), *outputs]


def _round(value):
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, list) and value and isinstance(value[0], float):
        return [round(v, DECIMALS) for v in value]
    return value


def machine_row(row: dict, where: bool) -> dict:
    """A row as the machine forms write it: floats rounded, ``file`` and ``line`` only on stdout."""
    return {k: _round(v) for k, v in row.items() if where or k not in WHERE}


def csv_row(row: dict) -> dict:
    """Lists spread into one column each (``emb_mean_0``, ...): CSV has no lists."""
    out: dict = {}
    for key, value in row.items():
        if isinstance(value, list):
            out.update({f"{key}_{i}": v for i, v in enumerate(value)})
        else:
            out[key] = value
    return out


def write_file(rows, path, force: bool = False, inputs=()) -> dict:
    """Every row to ``path`` in the format its extension names, atomically: {"path", "rows", "format"}."""

    def flat(row: dict, fmt: str) -> dict:
        record = machine_row(row, where=False)
        return csv_row(record) if fmt == "csv" else record

    return sinks.write_rows(rows, path, force, inputs, flat=flat)


def write_stream(rows, stream, fmt: str, table) -> int:
    """Every row to the text ``stream``: ``jsonl``, ``csv`` (a header from the first row) or ``table``
    (``table`` renders a header and one line per row). Returns the number of rows."""
    rows = iter(rows)
    count = 0
    for batch in iter(lambda: list(itertools.islice(rows, WRITE_BATCH)), []):
        if fmt == "table":
            lines = [table.header(batch[0])] if count == 0 else []
            text = "".join(f"{line}\n" for line in [*lines, *(table.line(row) for row in batch)])
        else:
            records = [machine_row(row, where=True) for row in batch]
            text = sinks.format_records([csv_row(r) for r in records] if fmt == "csv" else records, fmt, count == 0)
        stream.write(text)
        count += len(batch)
    if count == 0 and fmt == "table":
        stream.write(table.header(None) + "\n")
    stream.flush()
    return count


def fixed_strings(digits: int) -> tuple:
    """The 10**digits + 1 strings of [0, 1] with ``digits`` decimals, for :func:`fixed`."""
    return tuple(f"{i / 10**digits:.{digits}f}" for i in range(10**digits + 1))


def fixed(values, digits: int, strings: tuple) -> list:
    """``f"{v:.{digits}f}"`` of each probability in the array ``values``, the same strings at a fraction
    of the cost: each value scaled and rounded to an index into ``strings`` (:func:`fixed_strings`).
    A value that is not in [0, 1] (nor -0.0, which prints a sign), or whose scaled value lies near a
    half (where the float product could round the other way than the exact decimal expansion), is
    formatted one by one."""
    import numpy as np

    scaled = np.asarray(values, dtype=np.float64) * 10**digits
    index = np.rint(scaled)
    outside = ~((scaled >= 0) & (scaled <= 10**digits)) | np.signbit(scaled)
    odd = outside | (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    out = [strings[i] for i in np.where(odd, 0, index).astype(np.int64).tolist()]
    for i in np.flatnonzero(odd).tolist():
        out[i] = f"{values[i]:.{digits}f}"
    return out


def shortened(text: str, empty: bool, width: int = TABLE_TEXT) -> str:
    text = text.replace("\t", " ").replace("\n", " ")
    if empty:
        return "(empty)"
    return text if len(text) <= width else text[: width - 1] + "…"


class PredictionTable:
    """``predict``'s rows a scored batch at a time: the table for people (where, the label, P(label)
    per class, the text shortened) and the records of the machine forms. ``classes``: the
    pipeline's probability columns; ``labels``: the model's, in its order (a label the pipeline has
    no column for gets None)."""

    def __init__(self, classes: list, labels: list):
        self.labels = labels
        self.columns = [classes.index(label) if label in classes else None for label in labels]
        self.outputs = prediction_outputs(labels)
        self.strings = fixed_strings(TABLE_DECIMALS)

    def header(self, row) -> str:
        return "\t".join(["file", "line", "label", *(f"p({label})" for label in self.labels), "text"])

    def probability_lists(self, proba) -> list:
        """Each label's probabilities over the batch (None where the pipeline has no column)."""
        columns = proba.T.tolist()
        return [columns[i] if i is not None else [None] * len(proba) for i in self.columns]

    def lines(self, batch) -> list:
        n = len(batch.documents)
        probs = [
            fixed(batch.proba[:, i], TABLE_DECIMALS, self.strings) if i is not None else [""] * n for i in self.columns
        ]
        return [
            "\t".join((doc.file, str(doc.line), label, *p, shortened(doc.text, empty)))
            for doc, label, empty, *p in zip(batch.documents, batch.labels, batch.empty, *probs)
        ]

    def records(self, batch) -> list:
        """The rows as the machine forms on stdout write them (machine_row of prediction_row)."""
        names = probability_columns(self.labels)
        outputs = self.outputs
        records = []
        for doc, label, empty, *p in zip(
            batch.documents, batch.labels, batch.empty, *self.probability_lists(batch.proba)
        ):
            record = {"file": doc.file, "line": doc.line}
            if doc.fields:
                record.update((k, _round(v)) for k, v in carried(doc.fields, outputs).items())
            record["label"] = label
            record.update(zip(names, [None if v is None else round(v, DECIMALS) for v in p]))
            record["empty"] = empty
            record["text"] = doc.text
            records.append(record)
        return records


def write_prediction_stream(batches, stream, fmt: str, table: PredictionTable) -> int:
    """``predict``'s rows to the text ``stream``, formatted a scored batch at a time from its columns
    (two dicts per row had cost more than scoring with a fast model): the same text
    :func:`write_stream` gives of the rows. Returns the number of rows."""
    count = 0
    for batch in batches:
        if not batch.documents:
            continue
        if fmt == "table":
            lines = ([table.header(None)] if count == 0 else []) + table.lines(batch)
            text = "".join(f"{line}\n" for line in lines)
        else:
            records = table.records(batch)
            text = sinks.format_records([csv_row(r) for r in records] if fmt == "csv" else records, fmt, count == 0)
        stream.write(text)
        count += len(batch.documents)
    if count == 0 and fmt == "table":
        stream.write(table.header(None) + "\n")
    stream.flush()
    return count


class FeatureTable:
    """``features``' table for people: where, x1..x6, the matched tokens (and the count of tokens
    without a vector, with embeddings)."""

    def __init__(self, embeddings: bool):
        self.embeddings = embeddings

    def header(self, row) -> str:
        names = [f"{name}:{SIX_ALIASES[name]}" for name in SIX_NAMES]
        return "\t".join(["file", "line", *names, *(["oov_tokens"] if self.embeddings else []), "matched"])

    def line(self, row: dict) -> str:
        values = [f"{row[name]:.2f}" if name == "x6" else str(int(row[name])) for name in SIX_NAMES]
        matched = " ".join(f"{kind}={','.join(row[kind].split())}" for kind in MATCHED if row[kind])
        extra = []
        if self.embeddings:
            oov = len(row["oov"].split())
            extra = [f"{oov}{' (no vectors)' if row['no_vectors'] else ''}"]
        return "\t".join([row["file"], str(row["line"]), *values, *extra, matched or "-"])


@dataclass(frozen=True)
class OutputConfig:
    """Where a scoring verb's rows go: standard output as a ``table`` (for people), ``jsonl`` or
    ``csv``; or a file, whose extension (.jsonl, .csv, .parquet) gives the format; or, with a
    ``scheduler``, a Parquet dataset the cluster writes. The rows are the same in every form."""

    path: str | None = None
    format: str | None = None  # stdout only: table (None), jsonl or csv
    force: bool = False
    scheduler: str | None = None

    @property
    def stdout_format(self) -> str:
        return self.format or "table"

    def validate(self) -> None:
        if self.format is not None and self.format not in STDOUT_FORMATS:
            raise ConfigError(f"the output format is {', '.join(STDOUT_FORMATS)}, not '{self.format}'")
        if self.path is None:
            if self.force:
                raise OptionConflictError("--force replaces the file -o names: pass -o PATH, or drop --force")
            if self.scheduler:
                raise OptionConflictError("--scheduler writes a Parquet dataset: pass -o PATH.parquet")
            return
        if self.format is not None:
            raise OptionConflictError(
                f"-o and --{self.format} cannot go together: -o writes the format its extension names "
                f"({', '.join(sinks.OUTPUT_FORMATS)}); drop --{self.format}, or drop -o to print to stdout"
            )
        if self.scheduler:
            from sentclf.classify.parallel.cluster import is_local

            is_local(self.scheduler)  # a bad address fails before any work
            if not self.path.lower().endswith(".parquet"):
                raise ConfigError(
                    f"{self.path}: with --scheduler, -o names a Parquet dataset (a folder): end it in .parquet"
                )
        else:
            sinks.output_format(self.path)
