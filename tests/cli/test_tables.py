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


def test_tables_features_carry_ids_and_write_flat_files(table, tmp_path):
    args = ["features", table, "--text-col", "body", "--id-col", "review_id", "--keep-cols", "stars"]
    rows = [json.loads(line) for line in run(*args, "--jsonl").stdout.splitlines()]
    assert [(r["review_id"], r["stars"], r["text"]) for r in rows] == [(i, str(s), t) for i, t, s in ROWS]
    assert (rows[0]["x1"], rows[1]["x2"], rows[2]["empty"]) == (3, 2, True)  # great fun thank / lost awful
    header, first = run(*args, "--csv").stdout.splitlines()[:2]
    assert header.startswith("file,line,review_id,stars,x1,") and first.split(",")[2:5] == ["r1", "5", "3"]
    out = tmp_path / "features.csv"
    result = run(*args, "-o", out)
    assert result.exit_code == 0 and result.stdout == "" and "wrote 3 feature row(s)" in result.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "review_id,stars,x1,x2,x3,x4,x5,x6,n_tokens,empty,positive,negative,pronouns,text"
    assert lines[1].startswith("r1,5,3,0,0,1,0,") and lines[2].split(",")[11] == "lost awful"
    refused = run(*args, "-o", out)
    assert refused.exit_code == 1 and "already exists: pass --force" in refused.stderr
    assert run("features", table, "-o", tmp_path / "f.jsonl", "--text-col", "nope").exit_code == 1
    assert not (tmp_path / "f.jsonl").exists()


def test_tables_features_to_parquet_keep_vectors_as_lists(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    vectors = tmp_path / "vec.txt"
    vectors.write_text("great 1 0\nawful 0 1\n")
    lines = tmp_path / "docs.txt"
    lines.write_text("great great\nawful day\n")
    base = ["features", lines, "--embeddings", vectors, "--pool", "mean"]
    assert run(*base, "-o", tmp_path / "f.parquet").exit_code == 0
    rows = pq.read_table(tmp_path / "f.parquet").to_pylist()
    assert [r["text"] for r in rows] == ["great great", "awful day"] and rows[0]["emb_mean"] == [1.0, 0.0]
    assert rows[1]["emb_mean"] == [0.0, 1.0] and rows[1]["oov"] == "day"
    assert run(*base, "-o", tmp_path / "f.csv").exit_code == 0
    header = (tmp_path / "f.csv").read_text().splitlines()[0].split(",")
    assert header[-3:] == ["emb_mean_0", "emb_mean_1", "text"]


def test_tables_train_and_evaluate_read_labelled_parquet(trained_model, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    texts = ["great fun", "awful mess", "lovely day", "terrible food"] * 6
    labels = ["pos", "neg"] * 12
    path = tmp_path / "labelled.parquet"
    pq.write_table(pa.table({"review": texts, "stars": [5, 1] * 12, "sentiment": labels}), path)
    evaluated = run("evaluate", path, "-m", trained_model, "--json")
    assert evaluated.exit_code == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["n_documents"] == 24
    model = tmp_path / "m.sentclf"
    trained = run("train", path, "-o", model, "--json")
    assert trained.exit_code == 0, trained.stderr and model.exists()
    assert json.loads(trained.stdout)["data"]["format"] == "parquet"
    missing = run("evaluate", path, "-m", trained_model, "--label-col", "nope")
    assert missing.exit_code == 1 and "no column 'nope'" in missing.stderr
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    bad = run("evaluate", broken, "-m", trained_model)
    assert bad.exit_code == 1 and "not a readable Parquet file" in bad.stderr


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs named pipes")
def test_tables_predict_writes_its_first_rows_before_the_input_ends(trained_model, tmp_path):
    """A CSV arriving through a named pipe: the first predictions come out while the writer still holds
    the pipe open, so predict never waits for the whole input."""
    import os
    import subprocess
    import sys
    import threading

    pipe = tmp_path / "incoming.csv"
    os.mkfifo(pipe)
    child = subprocess.Popen(
        [sys.executable, "-m", "sentclf", "predict", "-m", str(trained_model), str(pipe), "--csv", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first_lines: list = []
    with open(pipe, "w") as writer:
        writer.write("id,text\n" + "".join(f"{i},great fun\n" for i in range(3000)))
        writer.flush()
        reader = threading.Thread(target=lambda: first_lines.extend([child.stdout.readline(), child.stdout.readline()]))
        reader.start()
        reader.join(timeout=60)  # the pipe is still open: the rest of the input has not been written
        assert not reader.is_alive() and first_lines[1].split(b",")[2:4] == [b"0", b"pos"]
        writer.write("".join(f"{i},awful\n" for i in range(3000, 3010)))
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert out.decode().splitlines()[-1].split(",")[2:4] == ["3009", "neg"]
