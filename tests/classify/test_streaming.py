"""train --stream: out-of-core training on tables, a batch at a time, with partial_fit learners."""

import csv
import gzip
import json
import random

import numpy as np
import pytest

from sentclf.classify.config import StreamConfig, TrainConfig
from sentclf.classify.modelfile import load
from sentclf.classify.streaming import check_streamable, is_held_out, shuffled
from sentclf.data.source import DataConfig
from sentclf.errors import ConfigError
from tests.cli.test_cli import run

GOOD = ["great", "lovely", "wonderful", "excellent", "fun", "brilliant", "enjoyed", "best"]
BAD = ["awful", "terrible", "boring", "worst", "bad", "dull", "hated", "poor"]
FILLER = ["the", "film", "plot", "cast", "was", "a", "and", "day", "food", "it", "this", "show"]


def synthetic(n: int, seed: int = 0) -> list:
    """(text, label) rows we make up: a few sentiment words among filler; labels sorted (pos first)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = "pos" if i < n // 2 else "neg"
        words = rng.sample(FILLER, 5) + rng.sample(GOOD if label == "pos" else BAD, 2)
        rng.shuffle(words)
        rows.append((" ".join(words), label))
    return rows


@pytest.fixture
def sorted_csv(tmp_path):
    path = tmp_path / "sorted.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "review", "sentiment"])
        writer.writerows((i, text, label) for i, (text, label) in enumerate(synthetic(600)))
    return path


def test_streaming_held_out_split_is_a_deterministic_hash():
    texts = [f"document number {i}" for i in range(20_000)]
    held = [is_held_out(t, 0.2, 0) for t in texts]
    assert abs(np.mean(held) - 0.2) < 0.01
    assert held == [is_held_out(t, 0.2, 0) for t in texts]  # the same rows every pass
    assert held != [is_held_out(t, 0.2, 1) for t in texts]  # another seed, another split
    assert not any(is_held_out(t, 0.0, 0) for t in texts[:100])


def test_streaming_shuffle_buffer_keeps_every_row_and_mixes_them():
    rows = list(range(1000))
    out = list(shuffled(iter(rows), 100, random.Random(0)))
    assert sorted(out) == rows
    # a row can come out up to a buffer's length early, and any time later
    assert np.mean(np.array(out[:100]) >= 100) > 0.2 and max(out[:100]) < 200
    assert np.mean(np.abs(np.array(out) - np.arange(1000))) > 50


def test_streaming_cli_trains_a_file_sorted_by_label_and_every_command_uses_it(sorted_csv, tmp_path):
    model = tmp_path / "s.sentclf"
    result = run(
        "train",
        sorted_csv,
        "--stream",
        "--features",
        "six+hashed",
        "--model",
        "lr",
        "--epochs",
        "2",
        "-o",
        model,
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    data = report["data"]
    assert data["format"] == "csv" and data["n_train"] + data["n_test"] == 600
    assert data["stream"]["epochs"] == 2 and report["config"]["stream"]["epochs"] == 2
    assert report["metrics"]["lr"]["accuracy"] >= 0.95  # sorted input: the shuffle buffer saves it
    assert report["feature_names"][-1] == "hashed[1048576]"
    assert "epoch 2 of 2" in result.stderr and "scoring the held-out rows" in result.stderr
    predicted = run("predict", "-m", model, "-", "--jsonl", input="wonderful brilliant day\nawful dull plot\n")
    assert [json.loads(line)["label"] for line in predicted.stdout.splitlines()] == ["pos", "neg"]
    explained = run("explain", "wonderful brilliant day", "-m", model)
    assert explained.exit_code == 0 and "hashed 1048576 columns, summed" in explained.stdout
    evaluated = run("evaluate", sorted_csv, "-m", model, "--json")
    assert evaluated.exit_code == 0 and json.loads(evaluated.stdout)["metrics"]["lr"]["accuracy"] >= 0.95
    info = run("info", model)
    assert info.exit_code == 0 and "sorted.csv (csv)" in info.stdout


def test_streaming_both_models_on_six_features_from_gzip_and_parquet(sorted_csv, tmp_path):
    gz = tmp_path / "sorted.csv.gz"
    gz.write_bytes(gzip.compress(sorted_csv.read_bytes()))
    # 480 training rows: partial_fit makes one pass over them per epoch, so the MLP needs several
    config = TrainConfig(DataConfig(str(gz)), stream=StreamConfig(epochs=15), output=str(tmp_path / "a.sentclf"))
    from sentclf.classify.training import train

    report = train(config).as_dict()
    assert set(report["metrics"]) == {"lr", "mlp"} and report["data"]["class_counts"]["pos"] > 200
    assert min(m["accuracy"] for m in report["metrics"].values()) >= 0.9
    model = load(tmp_path / "a.sentclf")
    assert type(model.pipelines["lr"].named_steps["clf"]).__name__ == "SGDClassifier"
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = synthetic(600)
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"text": [t for t, _ in rows], "label": [label for _, label in rows]}), path)
    again = train(
        TrainConfig(DataConfig(str(path)), stream=StreamConfig(), models=("lr",), output=str(tmp_path / "b.sentclf"))
    )
    assert again.metadata["data"]["format"] == "parquet"
    assert again.metadata["data"]["n_test"] == report["data"]["n_test"]  # the same texts: the same split


def test_streaming_given_labels_skip_the_survey_and_are_checked(sorted_csv, tmp_path):
    out = tmp_path / "h.sentclf"
    base = ["train", sorted_csv, "--stream", "--features", "hashed", "--model", "lr", "-o", out]
    given = run(*base, "--labels", "pos,neg")
    assert given.exit_code == 0, given.stderr
    assert "reading the labels" not in given.stderr
    wrong = run(*base, "--labels", "pos,neutral", "--features", "six", "--force")
    assert wrong.exit_code == 1 and "labels outside --labels: neg" in wrong.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--features", "ngrams"], "--stream and --features ngrams cannot go together: 'ngrams' learns"),
        (["--features", "six+hashed", "--model", "mlp"], "an MLP on 2**20 hashed columns"),
        (["--model", "ensemble"], "ensembles and nb need the data in memory"),
        (["--calibrate", "sigmoid"], "--stream and --calibrate cannot go together"),
        (["--min-label-confidence", "0.5"], "--stream and --min-label-confidence cannot go together"),
    ],
)
def test_streaming_refuses_what_cannot_be_fitted_a_batch_at_a_time(sorted_csv, tmp_path, args, message):
    """Each is a usage error (exit 2) naming both options."""
    result = run("train", sorted_csv, "--stream", "-o", tmp_path / "x.sentclf", *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.sentclf").exists()


def test_streaming_bad_input_is_one_error_line(tmp_path):
    missing = tmp_path / "missing.csv"
    missing.write_text("text,label\ngreat fun,pos\nawful,\n")
    result = run("train", missing, "--stream", "-o", tmp_path / "x.sentclf")
    assert result.exit_code == 1 and "missing.csv line 3: no label" in result.stderr
    with pytest.raises(ConfigError, match="pass a table file, not stdin"):
        check_streamable(TrainConfig(DataConfig("-"), stream=StreamConfig()))
    plain = tmp_path / "plain.txt"
    plain.write_text("great\n")
    assert "reads tables" in run("train", plain, "--stream").stderr
    epochs = run("train", plain, "--epochs", "3")
    assert epochs.exit_code == 2 and "--epochs is an option of --stream: add --stream" in epochs.stderr
    nolabel = tmp_path / "nolabel.csv"
    nolabel.write_text("text,stars\ngreat,5\n")
    assert "pass --label-col" in run("train", nolabel, "--stream", "-o", tmp_path / "y.sentclf").stderr
