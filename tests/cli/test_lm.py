"""`sentclf lm ...` through click's CliRunner: exit codes, stdout, stderr."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from sentclf.cli import cli
from sentclf.lm import lmfile
from sentclf.lm import network as nnlm

FAST = ["--dim", "8", "--hidden", "16", "--epochs", "4", "--batch-size", "32", "--min-count", "1"]


def run(*args, input=None):
    return CliRunner().invoke(cli, list(map(str, args)), input=input)


@pytest.fixture(scope="module")
def pets_lm(tmp_path_factory):
    from tests.conftest import FIXTURES

    path = tmp_path_factory.mktemp("lm") / "pets.lm"
    result = run(
        "lm",
        "train",
        FIXTURES / "pets.txt",
        "-o",
        path,
        "--epochs",
        "25",
        "--min-count",
        "1",
        "--dim",
        "16",
        "--hidden",
        "32",
        "--batch-size",
        "32",
    )
    assert result.exit_code == 0, result.stderr
    return path, result


def test_lm_train_reports_both_perplexities_and_logs_epochs(pets_lm):
    path, result = pets_lm
    assert path.exists()
    assert "held-out perplexity" in result.stdout
    assert "neural LM (window 3)" in result.stdout and "Kneser-Ney 3-gram (interpolated)" in result.stdout
    assert "epoch 1: training loss" in result.stderr and "training loss" not in result.stdout
    assert "40 documents" in result.stderr


def test_lm_train_json_quiet_and_refuses_to_overwrite(tmp_path, fixtures):
    out = tmp_path / "p.lm"
    result = run("lm", "train", fixtures / "pets.txt", "-o", out, *FAST, "--json", "-q")
    assert result.exit_code == 0 and result.stderr == ""
    report = json.loads(result.stdout)
    assert report["path"] == str(out) and report["complete"] and not report["interrupted"]
    metrics = report["metrics"]
    assert metrics["heldout_perplexity"] > 1 and metrics["baseline"]["perplexity"] > 1
    assert len(report["history"]) == metrics["epochs"] <= 4
    again = run("lm", "train", fixtures / "pets.txt", "-o", out, *FAST)
    assert again.exit_code == 1 and "already exists: pass --force" in again.stderr


def test_lm_train_batch_size_defaults_to_32_steps_an_epoch_on_small_text(tmp_path, fixtures):
    """No --batch-size: 512 tokens a step, or ⌈training tokens / 32⌉ on small text; the batch used
    is what the report and the file's metadata say. A given --batch-size is used as it is."""
    fast = [option for option in FAST if option not in ("--batch-size", "32")]
    out = tmp_path / "auto.lm"
    report = json.loads(run("lm", "train", fixtures / "pets.txt", "-o", out, *fast, "--json", "-q").stdout)
    tokens = report["data"]["train_tokens"]  # a few hundred: far under 32 steps of 512
    assert report["config"]["batch_size"] == -(-tokens // 32) < 512
    assert lmfile.load(out).config.batch_size == report["config"]["batch_size"]
    given = json.loads(run("lm", "train", fixtures / "pets.txt", "-o", out, *FAST, "--json", "-q", "--force").stdout)
    assert given["config"]["batch_size"] == 32


def test_lm_train_reads_a_labelled_dataset_ignoring_labels(tmp_path, fixtures):
    out = tmp_path / "tiny.lm"
    result = run("lm", "train", fixtures / "tiny.csv", fixtures / "tiny.jsonl", "-o", out, *FAST, "--json", "-q")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["data"]["source"].endswith("tiny.jsonl")


def test_lm_train_reads_stdin(tmp_path):
    text = "the cat gets fed\nthe dog gets fed\nthe cat sat\nthe dog sat\n" * 5
    result = run("lm", "train", "-", "-o", tmp_path / "s.lm", *FAST, "-q", input=text)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    "text, options, message",
    [
        ("", [], "the training text is empty"),
        ("good film", [], "fewer than the window (3)"),
        ("so so so so so", [], "vocabulary has 1 word"),
        ("a b c d e f", ["--window", "1"], "--window must be at least 2"),
        ("a b c d e f", ["--dropout", "1.5"], "--dropout must be a fraction"),
        ("a b c d e f", ["--batch-size", "0"], "--batch-size must be at least 1, not 0"),
    ],
)
def test_lm_train_bad_input_is_one_line_exit_1(tmp_path, text, options, message):
    source = tmp_path / "in.txt"
    source.write_text(text)
    result = run("lm", "train", source, "-o", tmp_path / "x.lm", *FAST, *options)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "x.lm").exists()


def test_lm_perplexity_next_neighbors(pets_lm, fixtures):
    path, _ = pets_lm
    result = run("lm", "perplexity", path, fixtures / "pets.txt")
    assert result.exit_code == 0, result.stderr
    assert "neural LM" in result.stdout and "Kneser-Ney" in result.stdout
    report = json.loads(run("lm", "perplexity", path, fixtures / "pets.txt", "--json").stdout)
    assert report["tokens"] > 500 and report["perplexity"] < report["baseline"]["perplexity"] * 3
    nxt = run("lm", "next", path, "I forgot to make sure that the dog gets", "-k", "3")
    assert nxt.exit_code == 0 and nxt.stdout.splitlines()[0].split() == ["word", "probability"]
    assert len(nxt.stdout.strip().splitlines()) == 2 + 3
    rows = json.loads(run("lm", "next", path, "the dog gets", "--json").stdout)
    assert rows[0]["word"] == "fed" and len(rows) == 10
    near = json.loads(run("lm", "neighbors", path, "dog", "-k", "3", "--json").stdout)
    assert len(near) == 3 and all(-1 <= row["cosine"] <= 1 for row in near)


def test_lm_query_errors(pets_lm, tmp_path, fixtures):
    path, _ = pets_lm
    unknown = run("lm", "neighbors", path, "zebra")
    assert unknown.exit_code == 1 and "Error: 'zebra' is not in the model's vocabulary" in unknown.stderr
    missing = run("lm", "next", tmp_path / "none.lm", "the")
    assert missing.exit_code == 1 and "language model not found" in missing.stderr
    corrupt = tmp_path / "bad.lm"
    corrupt.write_bytes(b"PK\x03\x04 garbage")
    result = run("lm", "perplexity", corrupt, fixtures / "pets.txt")
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
    classifier = tmp_path / "m.sentclf"
    assert run("train", fixtures / "tiny.csv", "-o", classifier, "--model", "lr", "-q").exit_code == 0
    wrong = run("lm", "neighbors", classifier, "good")
    assert wrong.exit_code == 1 and "not a sentclf language model: it is a sentclf model file" in wrong.stderr


def test_lm_export_feeds_the_classifier(pets_lm, tmp_path, fixtures):
    path, _ = pets_lm
    vectors = tmp_path / "pets.vec"
    result = run("lm", "export", path, vectors)
    assert result.exit_code == 0 and "16 dimensions (word2vec text)" in result.stdout
    header, first = vectors.read_text().splitlines()[:2]
    count, dim = map(int, header.split())
    assert dim == 16 and len(first.split()) == 17 and count == len(vectors.read_text().splitlines()) - 1
    assert "<s>" not in vectors.read_text()
    assert run("lm", "export", path, vectors).exit_code == 1  # exists: needs --force
    model = tmp_path / "emb.sentclf"
    trained = run("train", fixtures / "tiny.csv", "-o", model, "--embeddings", vectors, "--model", "lr", "--json", "-q")
    assert trained.exit_code == 0, trained.stderr
    assert json.loads(trained.stdout)["embeddings"]["dim"] == 16


def test_info_reads_an_lm_file(pets_lm):
    path, _ = pets_lm
    result = run("info", path)
    assert result.exit_code == 0 and "language model" in result.stdout and "window 3" in result.stdout
    assert json.loads(run("info", path, "--json").stdout)["format"] == "sentclf-lm"


def test_ctrl_c_keeps_a_usable_checkpoint_and_exits_130(tmp_path, fixtures, monkeypatch):
    real, calls = nnlm.loss_and_grads, {"n": 0}

    def interrupted_later(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:  # inside the third epoch (two batches per epoch)
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(nnlm, "loss_and_grads", interrupted_later)
    out = tmp_path / "ctrl-c.lm"
    result = run("lm", "train", fixtures / "pets.txt", "-o", out, *FAST, "--epochs", "10")
    assert result.exit_code == 130
    assert "Interrupted" in result.stderr and str(out) in result.stderr
    model = lmfile.load(out)
    assert model.next_words("the dog", 1)
    assert "Kneser-Ney" not in result.stdout  # the baseline is skipped when interrupted
    assert list(Path(os.environ["SENTCLF_CACHE"]).glob("lm-*")) == []  # the token files are gone


def test_lm_train_keeps_its_token_ids_on_disk_and_removes_them(tmp_path, fixtures, monkeypatch):
    from sentclf.lm import training

    seen = {}
    real = training.fit

    def spy(config, vocab, counts, train, held, *args):
        seen["train"], seen["held"] = train.mapping, list(Path(os.environ["SENTCLF_CACHE"]).glob("lm-*/*"))
        return real(config, vocab, counts, train, held, *args)

    monkeypatch.setattr(training, "fit", spy)
    result = run("lm", "train", fixtures / "pets.txt", "-o", tmp_path / "p.lm", *FAST)
    assert result.exit_code == 0, result.stderr
    assert seen["train"] is not None  # memory-mapped
    assert sorted(p.name for p in seen["held"]) == ["heldout.i32", "provisional.i32", "train.i32"]
    assert list(Path(os.environ["SENTCLF_CACHE"]).glob("lm-*")) == []


def test_lm_train_no_baseline_keeps_no_training_text(tmp_path, fixtures):
    out = tmp_path / "nb.lm"
    assert run("lm", "train", fixtures / "pets.txt", "-o", out, *FAST, "--no-baseline").exit_code == 0
    result = run("lm", "perplexity", out, fixtures / "pets.txt")
    assert result.exit_code == 0 and "Kneser-Ney" not in result.stdout
    assert "keeps no training text (trained with --no-baseline" in result.stderr


def test_lm_export_leaves_out_tokens_with_blanks(tmp_path):
    text = "wait . . . what a film\nwait . . . what a show\n" * 3
    model, vectors = tmp_path / "dots.lm", tmp_path / "dots.vec"
    assert run("lm", "train", "-", "-o", model, *FAST, "-q", input=text).exit_code == 0
    result = run("lm", "export", model, vectors)
    assert result.exit_code == 0 and "left out 1 token" in result.stderr
    lines = vectors.read_text().splitlines()
    assert all(len(line.split()) == 9 for line in lines[1:]) and ". . ." not in vectors.read_text()
    assert run("features", "-", "--embeddings", vectors, input="what a film").exit_code == 0


def test_lm_train_sampled_softmax_learns_and_reports_exact_perplexity(tmp_path, fixtures):
    out = tmp_path / "s.lm"
    args = ["--dim", "8", "--hidden", "16", "--epochs", "6", "--batch-size", "16", "--min-count", "1", "--json"]
    result = run("lm", "train", fixtures / "pets.txt", "-o", out, *args, "--loss", "sampled", "--samples", "8")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["config"]["loss"] == "sampled" and report["config"]["samples"] == 8
    held = [epoch["heldout_perplexity"] for epoch in report["history"]]
    assert min(held) < held[0] < report["vocab_size"]  # it learns, measured by the full softmax
    exact = json.loads(run("lm", "perplexity", out, fixtures / "pets.txt", "--json", "--no-baseline").stdout)
    assert 1 < exact["perplexity"] < report["vocab_size"]  # the file scores like any other (full softmax)
    refused = run("lm", "train", fixtures / "pets.txt", "-o", tmp_path / "t.lm", "--loss", "sampled", "--tie")
    assert refused.exit_code == 2 and "--loss sampled and --tie cannot go together" in refused.stderr
    assert "Traceback" not in refused.stderr and not (tmp_path / "t.lm").exists()


def test_lm_train_says_when_kneser_ney_wins_and_what_to_try(tmp_path):
    """Formulaic text, where exact trigram counts beat a network trained for one epoch."""
    text = tmp_path / "formulaic.txt"
    text.write_text("thanks for flying with us today\n" * 200 + "the flight was delayed again\n" * 200)
    result = run("-q", "lm", "train", text, "-o", tmp_path / "f.lm", "--epochs", "1", "--hidden", "4", "--dim", "4")
    assert result.exit_code == 0, result.stderr
    report = result.stdout
    assert "Kneser-Ney beats the network here" in report and "try --tie --dropout 0.2" in report
