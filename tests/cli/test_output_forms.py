"""One row schema per verb: ``--jsonl`` and ``--csv`` on stdout, ``-o`` .jsonl, .csv and .parquet,
and a Dask dataset hold the same columns with the same values (stdout leads with file and line)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.cli.test_cli import run

pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture
def reviews(tmp_path):
    """A table with an id, a kept column named like an output column (a gold label), and an empty text."""
    path = tmp_path / "reviews.csv"
    path.write_text(
        "review_id,body,label,stars\n"
        'r1,"great fun, thank you!",pos,5\n'
        "r2,lost my bag. awful,neg,1\n"
        "r3,,neg,2\n"
        "r4,no regrets: wonderful!,pos,4\n"
    )
    return path


def typed(value: str):
    """A CSV cell as the value the other forms hold."""
    if value in ("True", "False"):
        return value == "True"
    if value == "":
        return ""
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def csv_rows(text: str) -> list:
    return [{k: typed(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


def jsonl_rows(text: str) -> list:
    return [json.loads(line) for line in text.splitlines()]


def every_form(command: list, tmp_path, typed_columns: dict) -> dict:
    """{form: rows} of one command in every output form; CSV cells typed as the columns' values are."""
    forms = {
        "--jsonl": jsonl_rows(run(*command, "--jsonl").stdout),
        "--csv": csv_rows(run(*command, "--csv").stdout),
    }
    for suffix in ("jsonl", "csv", "parquet"):
        out = tmp_path / f"out.{suffix}"
        result = run(*command, "-o", out)
        assert result.exit_code == 0, result.stderr
        if suffix == "jsonl":
            forms[f"-o .{suffix}"] = jsonl_rows(out.read_text())
        elif suffix == "csv":
            forms[f"-o .{suffix}"] = csv_rows(out.read_text())
        else:
            forms[f"-o .{suffix}"] = pq.read_table(out).to_pylist()
    for rows in (forms["--csv"], forms["-o .csv"]):  # CSV cannot tell "5" from 5, nor "" from a missing text
        for row in rows:
            for column, kind in typed_columns.items():
                row[column] = kind(row[column])
    return forms


def assert_same_columns_and_values(forms: dict) -> None:
    stdout, files = forms["--jsonl"], [rows for name, rows in forms.items() if name.startswith("-o")]
    assert list(stdout[0])[:2] == ["file", "line"]  # stdout says where each row came from
    columns = list(stdout[0])[2:]
    for name, rows in forms.items():
        got = [list(row) for row in rows]
        assert all(c == (["file", "line"] if not name.startswith("-o") else []) + columns for c in got), name
    for column in columns:  # column by column, every form against the first
        expected = [row[column] for row in stdout]
        for name, rows in forms.items():
            assert [row[column] for row in rows] == expected, (name, column)
    assert files  # the file forms were compared above too


def test_output_forms_predict_agree_column_by_column(trained_model, reviews, tmp_path):
    command = ["predict", "-m", trained_model, reviews, "--text-col", "body", "--id-col", "review_id"]
    command += ["--keep-cols", "label,stars", "-q"]
    forms = every_form(command, tmp_path, {"in_label": str, "stars": str, "review_id": str, "text": str})
    assert_same_columns_and_values(forms)
    first = forms["-o .parquet"][0]
    assert list(first) == ["review_id", "in_label", "stars", "label", "p_neg", "p_pos", "empty", "text"]
    assert first["in_label"] == "pos" and forms["--jsonl"][2]["empty"] is True
    assert all(len(str(row["p_pos"]).split(".")[-1]) <= 6 for row in forms["--jsonl"])  # six decimals at most


def test_output_forms_features_agree_column_by_column(reviews, tmp_path):
    command = ["features", reviews, "--text-col", "body", "--id-col", "review_id", "-q"]
    text_columns = dict.fromkeys(("review_id", "positive", "negative", "pronouns", "text"), str)
    forms = every_form(command, tmp_path, text_columns)
    assert_same_columns_and_values(forms)
    assert forms["--jsonl"][0]["positive"] == "great fun thank"


def test_output_forms_the_dask_dataset_holds_the_same_rows(trained_model, reviews, tmp_path):
    pytest.importorskip("distributed")
    command = ["predict", "-m", trained_model, reviews, "--text-col", "body", "--id-col", "review_id", "-q"]
    here = run(*command, "-o", tmp_path / "here.parquet")
    there = run(*command, "-o", tmp_path / "there.parquet", "--scheduler", "local:1")
    assert here.exit_code == there.exit_code == 0, there.stderr
    assert pq.read_table(tmp_path / "there.parquet").to_pylist() == pq.read_table(tmp_path / "here.parquet").to_pylist()
