"""predict on tables: CSV, TSV, JSONL (and .gz) and Parquet in; ids and kept columns carried to the
output; -o with the format from the extension, atomic, never clobbering."""

import gzip
import json

import pytest

from tests.cli.test_cli import run

ROWS = [("r1", "great fun, thank you", 5), ("r2", "lost my bag, awful", 1), ("r3", "", 3)]


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text("review_id,body,stars\n" + "".join(f'{i},"{t}",{s}\n' for i, t, s in ROWS))
    return path


def test_tables_predict_carries_ids_and_kept_columns(trained_model, table, tmp_path):
    args = [
        "predict",
        "-m",
        trained_model,
        table,
        "--text-col",
        "body",
        "--id-col",
        "review_id",
        "--keep-cols",
        "stars",
    ]
    rows = [json.loads(line) for line in run(*args, "--jsonl").stdout.splitlines()]
    assert [(r["review_id"], r["stars"], r["text"]) for r in rows] == [(i, str(s), t) for i, t, s in ROWS]
    assert rows[0]["label"] == "pos" and rows[2]["empty"] is True
    csv_out = run(*args, "--csv").stdout.splitlines()
    assert csv_out[0].startswith("file,line,review_id,stars,label,p_neg,p_pos") and csv_out[1].split(",")[2] == "r1"
    jsonl = tmp_path / "reviews.jsonl.gz"
    jsonl.write_bytes(gzip.compress("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t, _ in ROWS).encode()))
    rows = [json.loads(line) for line in run("predict", "-m", trained_model, jsonl, "--jsonl").stdout.splitlines()]
    assert [r["id"] for r in rows] == ["r1", "r2", "r3"]  # an 'id' column is kept without being asked


def test_tables_output_file_by_extension_round_trips_through_parquet(trained_model, table, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    scored = tmp_path / "scored.parquet"
    base = ["predict", "-m", trained_model, table, "--text-col", "body", "--id-col", "review_id"]
    result = run(*base, "-o", scored)
    assert result.exit_code == 0 and result.stdout == "" and "wrote 3 prediction(s)" in result.stderr
    rows = pq.read_table(scored).to_pylist()
    assert [r["review_id"] for r in rows] == ["r1", "r2", "r3"] and set(rows[0]) >= {"label", "p_neg", "p_pos"}
    # Parquet in: the scored file is itself a table with text and id columns
    again = run("predict", "-m", trained_model, scored, "--id-col", "review_id", "-o", tmp_path / "again.csv")
    assert again.exit_code == 0, again.stderr
    lines = (tmp_path / "again.csv").read_text().splitlines()
    assert lines[0].startswith("review_id,label,") and lines[1].startswith("r1,pos,")
    refused = run(*base, "-o", scored)
    assert refused.exit_code == 1 and "already exists: pass --force" in refused.stderr
    assert run(*base, "-o", scored, "--force").exit_code == 0


def test_tables_bad_input_leaves_nothing_at_the_output(trained_model, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n' * 5000 + "not json\n")
    out = tmp_path / "out.jsonl"
    result = run("predict", "-m", trained_model, bad, "-o", out)
    assert result.exit_code == 1 and "bad.jsonl line 5001: not valid JSON" in result.stderr
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl.*"))
    missing = run("predict", "-m", trained_model, bad, "--text-col", "body", "-o", out)
    assert missing.exit_code == 1 and "no text in key 'body'" in missing.stderr
    wrong = run("predict", "-m", trained_model, bad, "-o", tmp_path / "out.xlsx")
    assert wrong.exit_code == 1 and "-o takes a .jsonl, .csv or .parquet path" in wrong.stderr
