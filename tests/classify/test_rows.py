"""predict's stream writer formats a scored batch from its columns; its text must be what the rows'
schema says, row by row (prediction_row, then machine_row for the machine forms)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentclf import sinks
from sentclf.classify.prediction import ScoredBatch
from sentclf.classify.rows import (
    PredictionTable,
    csv_row,
    fixed,
    fixed_strings,
    machine_row,
    shortened,
    write_prediction_stream,
)
from sentclf.data.documents import Document

CLASSES = ["neg", "pos"]  # the pipeline's columns
LABELS = ["neg", "neutral", "pos"]  # the model's labels: one has no column


def batches():
    docs = [
        Document("a.csv", 2, "fine\tfilm\nreally", {"id": "r1", "label": "pos", "score": 0.123456789}),
        Document("a.csv", 3, "", {"id": "r2", "label": "neg", "score": 2.0}),
        Document("a.csv", 4, "x" * 100, {"id": "r3", "label": "neg", "score": None}),
    ]
    proba = np.array([[0.1234567891, 0.8765432109], [0.5, 0.5], [0.99, 0.01]])
    first = ScoredBatch(docs[:2], proba[:2], ["pos", "neg"], [False, True])
    return [first, ScoredBatch([], proba[:0], [], []), ScoredBatch(docs[2:], proba[2:], ["neg"], [False])]


def expected(fmt: str) -> str:
    rows = [row for batch in batches() for row in batch.rows(CLASSES, LABELS)]
    if fmt == "table":
        number = lambda v: "" if v is None else f"{v:.4f}"  # noqa: E731
        lines = ["file\tline\tlabel\tp(neg)\tp(neutral)\tp(pos)\ttext"] + [
            "\t".join(
                [
                    r["file"],
                    str(r["line"]),
                    r["label"],
                    *(number(r[f"p_{x}"]) for x in LABELS),
                    shortened(r["text"], r["empty"]),
                ]
            )
            for r in rows
        ]
        return "".join(f"{line}\n" for line in lines)
    records = [machine_row(r, where=True) for r in rows]
    return sinks.format_records([csv_row(r) for r in records] if fmt == "csv" else records, fmt, True)


@pytest.mark.parametrize("fmt", ["table", "jsonl", "csv"])
def test_the_batch_writer_writes_what_the_rows_say(fmt):
    out = io.StringIO()
    count = write_prediction_stream(iter(batches()), out, fmt, PredictionTable(CLASSES, LABELS))
    assert count == 3
    assert out.getvalue() == expected(fmt)


def test_the_rows_carry_rounded_values_and_rename_clashes():
    (record, *_) = PredictionTable(CLASSES, LABELS).records(batches()[0])
    assert record["in_label"] == "pos" and record["label"] == "pos"
    assert record["score"] == 0.123457 and record["p_pos"] == 0.876543 and record["p_neutral"] is None


def test_no_rows_still_gives_the_table_header():
    out = io.StringIO()
    assert write_prediction_stream(iter([]), out, "table", PredictionTable(CLASSES, LABELS)) == 0
    assert out.getvalue() == "file\tline\tlabel\tp(neg)\tp(neutral)\tp(pos)\ttext\n"


STRINGS = fixed_strings(4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0, 1) | st.integers(0, 20000).map(lambda i: i / 20000) | st.floats(-1, 2), max_size=50))
def test_fixed_gives_the_strings_of_f_format(values):
    """Exact halves (i / 20000) and values outside [0, 1] included: the table's probabilities are
    what f"{p:.4f}" would print."""
    values = [*values, -0.0, -1e-300]  # signed zeros print their sign
    array = np.array(values, dtype=np.float64)
    assert fixed(array, 4, STRINGS) == [f"{v:.4f}" for v in values]
