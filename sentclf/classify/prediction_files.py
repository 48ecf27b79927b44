"""``predict -o PATH``: predictions as flat rows (one column per probability), so they load straight
into a data frame: the table's id and kept columns, label, p_<label>..., empty, text. The file's
format comes from its extension; :mod:`sentclf.sinks` writes it atomically, in batches."""

from __future__ import annotations

from sentclf.sinks import write_rows


def output_columns(fields, labels: list) -> list:
    """The columns of the flat rows: the carried columns (renamed ``in_NAME`` where NAME is also an
    output column, so a kept gold ``label`` survives beside the predicted one), label, p_<label>..., empty, text."""
    names = ["label", *[f"p_{label}" for label in labels], "empty", "text"]
    return [f"in_{f}" if f in names else f for f in fields] + names


def record(row: dict, labels: list) -> dict:
    """One flat output row."""
    outputs = {"label": row["label"], **{f"p_{x}": row["probabilities"].get(x) for x in labels}}
    outputs.update(empty=row["empty"], text=row["text"])
    carried = {f"in_{k}" if k in outputs else k: v for k, v in row["fields"].items()}
    return {**carried, **outputs}


def write_predictions(predictions, path, force: bool = False, inputs=()) -> dict:
    """Write every prediction to ``path``; returns {"path", "rows", "format"}."""
    labels = [str(label) for label in predictions.labels]
    return write_rows(predictions, path, force, inputs, flat=lambda row, fmt: record(row, labels))
