"""``predict -o PATH``: predictions as flat rows (one column per probability), so they load straight
into a data frame: the table's id and kept columns, label, p_<label>..., empty, text. The file's
format comes from its extension; :mod:`sentclf.data.sinks` writes it atomically, in batches."""

from __future__ import annotations

from sentclf.data.sinks import write_rows


def record(row: dict, labels: list) -> dict:
    """One flat output row."""
    probabilities = {f"p_{label}": row["probabilities"].get(label) for label in labels}
    return {**row["fields"], "label": row["label"], **probabilities, "empty": row["empty"], "text": row["text"]}


def write_predictions(predictions, path, force: bool = False, inputs=()) -> dict:
    """Write every prediction to ``path``; returns {"path", "rows", "format"}."""
    labels = [str(label) for label in predictions.labels]
    return write_rows(predictions, path, force, inputs, flat=lambda row, fmt: record(row, labels))
