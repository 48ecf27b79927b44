"""The ``ft`` model: fine-tuning a tiny random BERT of the real layout on a learnable toy task, the
weights kept in the model file as plain arrays (and hostile ones refused), training-time and
prediction-time networks agreeing, and the CLI's train, predict, info and explain on it."""

from __future__ import annotations

import json
import pickle
import zipfile

import numpy as np
import pytest
from click.testing import CliRunner

from sentclf.classify import modelfile
from sentclf.classify.encoder.sentence import SentenceEncoder
from sentclf.classify.encoder.tuning import TunableEncoder, windows_of
from sentclf.classify.models.finetuned import FineTunedEncoder
from sentclf.cli import cli
from sentclf.errors import ConfigError, ModelFileError
from tests.classify.encoder.test_encoder import make_fake_bert

POSITIVE = ["good movie", "great movie !", "good good", "great !", "a good great movie", "good !"]
NEGATIVE = ["bad movie", "not good", "bad bad !", "not great movie", "bad", "not a good movie"]


def toy(n: int = 8) -> tuple:
    texts = (POSITIVE + NEGATIVE) * n
    return texts, ["pos"] * len(POSITIVE) * 0 + (["pos"] * len(POSITIVE) + ["neg"] * len(NEGATIVE)) * n


def fit(**params) -> FineTunedEncoder:
    texts, labels = toy()
    settings = {"layers": 1, "epochs": 10, "lr": 3e-3, "batch_size": 8, "random_state": 0, **params}
    return FineTunedEncoder(encoder=SentenceEncoder(), **settings).fit(texts, labels)


def test_fine_tuning_learns_the_toy_task_and_its_loss_falls(bert):
    model = fit(probe=False, validation=0.0)
    losses = [point["train_loss"] for point in model.curve_]
    assert losses[-1] < 0.5 * losses[0]
    assert model.predict(["good great movie", "not bad movie bad"]).tolist() == ["pos", "neg"]
    assert model.layers_tuned_ == ["l1"]


def test_fine_tuning_is_reproducible_with_its_seed(bert):
    texts = ["good", "bad movie", "not great"]
    one, two, other = fit().predict_proba(texts), fit().predict_proba(texts), fit(random_state=1).predict_proba(texts)
    np.testing.assert_array_equal(one, two)
    assert not np.allclose(one, other)


def test_early_stopping_keeps_the_best_checks_weights(bert):
    model = fit(validation=0.25, epochs=3)
    scored = [p for p in model.curve_ if "val_accuracy" in p]
    assert len(scored) == len(model.curve_) > 0 and model.n_validation_ == 24
    assert model.summary()["best"] == max(scored, key=lambda p: (p["val_accuracy"], -p["val_loss"]))


@pytest.mark.parametrize("params", [{"layers": 2}, {"tune_embeddings": True}])
def test_every_depth_trains_and_the_graph_predicts_what_training_computed(bert, params):
    """The network training runs (numpy, from cached lower layers) and the one prediction runs (the
    graph built from the saved arrays) give the same logits."""
    model = fit(**params)
    texts = ["good movie", "bad", "great great movie ! not bad " * 30]  # the last one: several windows
    encoder = SentenceEncoder()
    network = TunableEncoder(encoder.weights, 2, 2, tune_embeddings=params.get("tune_embeddings", False))
    network.params.update(model.tensors_.arrays)
    windows = network.prepare(windows_of(encoder, texts))
    want = network.pooled_all(windows, np.arange(len(texts))) @ network.params["head.w"] + network.params["head.b"]
    np.testing.assert_allclose(model.decision_function(texts), want, rtol=1e-4, atol=1e-4)
    expected = {"l0.qkv", "l1.qkv", "head.w"} | ({"word", "position"} if "tune_embeddings" in params else set())
    assert expected <= set(model.tensors_.arrays)


def test_too_many_layers_or_one_class_is_a_config_error(bert):
    with pytest.raises(ConfigError, match="at most 2"):
        fit(layers=3)
    with pytest.raises(ValueError, match="two classes"):
        FineTunedEncoder(encoder=SentenceEncoder()).fit(["good", "great"], ["pos", "pos"])


def save(tmp_path, model) -> str:
    meta = {"labels": ["neg", "pos"], "best_model": "ft"}
    from sklearn.pipeline import Pipeline

    from sentclf.classify.models.pipeline import Tokenizer

    pipeline = Pipeline([("tokens", Tokenizer()), ("clf", model)])
    return str(modelfile.save(tmp_path / "ft.sentclf", {"ft": pipeline}, meta))


def test_the_weights_are_plain_arrays_beside_the_pickle(bert, tmp_path):
    model = fit(layers=2)
    path = save(tmp_path, model)
    with zipfile.ZipFile(path) as archive:
        meta = json.loads(archive.read("metadata.json"))
        payload, tensors = archive.getinfo("model.joblib"), archive.getinfo("tensors.f32")
    size = sum(a.size for a in model.tensors_.arrays.values()) * 4
    assert tensors.file_size == size == meta["extra"]["bytes"]
    assert payload.file_size < size / 4  # the arrays are not in the pickle
    assert {name for _, name, _ in meta["tensors"]} == set(model.tensors_.arrays)
    loaded = modelfile.load(path)
    texts = ["good movie", "not good"]
    np.testing.assert_allclose(loaded.pipelines["ft"].predict_proba(texts), model.predict_proba(texts), rtol=1e-6)


def rewrite(path: str, meta_change=None, tensor_bytes=None) -> None:
    """Rewrite a model file's metadata or tensors member (as a hostile writer would)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(members["metadata.json"])
    if meta_change is not None:
        meta_change(meta)
    if tensor_bytes is not None:
        members["tensors.f32"] = tensor_bytes(members["tensors.f32"])
    members["metadata.json"] = json.dumps(meta).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def shape_of(meta, name: str, shape: list) -> None:
    for entry in meta["tensors"]:
        if entry[1] == name:
            entry[2] = shape


@pytest.mark.parametrize(
    "meta_change, tensor_bytes, message",
    [
        (None, lambda b: b[:-4] + b"\0\0\0\0", "sha256"),  # one float changed
        (None, lambda b: b + b"\0" * 8, "larger than"),  # longer than recorded
        (lambda m: shape_of(m, "head.b", [3]), None, "take"),  # sizes no longer add up
        (lambda m: shape_of(m, "head.b", [1, 1, 2]), None, "manifest is corrupt"),  # three axes
        (lambda m: m.update(tensors="all of them"), None, "manifest is corrupt"),
        (lambda m: m["extra"].update(bytes=1 << 40), None, "take"),  # a terabyte declared
        (lambda m: m["tensors"].reverse(), None, "do not match|do not fit"),  # names moved around
    ],
)
def test_hostile_weight_files_are_refused(bert, tmp_path, meta_change, tensor_bytes, message):
    path = save(tmp_path, fit())
    rewrite(path, meta_change, tensor_bytes)
    with pytest.raises(ModelFileError, match=message):
        model = modelfile.load(path)
        model.pipelines["ft"].predict_proba(["good"])


def test_weights_of_another_shape_are_refused_before_prediction(bert, tmp_path):
    """Arrays that add up but do not fit the installed encoder's layers."""
    path = save(tmp_path, fit())

    def swap(meta):
        shape_of(meta, "l1.qkv", [48, 16])

    rewrite(path, swap)
    model = modelfile.load(path)
    with pytest.raises(ModelFileError, match="do not fit"):
        model.pipelines["ft"].predict_proba(["good"])


def test_a_model_of_another_base_encoder_is_refused(bert, tmp_path, monkeypatch):
    path = save(tmp_path, fit())
    monkeypatch.setenv("SENTCLF_MINILM_DIR", str(make_fake_bert(tmp_path / "other", width=16, layers=2, seed=5)))
    with pytest.raises(Exception, match="not the one this model was fine-tuned from"):
        modelfile.load(path).pipelines["ft"].predict_proba(["good"])


def write_toy_csv(path, n: int = 4) -> str:
    texts, labels = toy(n)
    path.write_text("text,label\n" + "".join(f"{t},{y}\n" for t, y in zip(texts, labels)))
    return str(path)


def test_cli_trains_predicts_explains_and_describes_a_fine_tuned_model(bert, tmp_path):
    runner = CliRunner()
    data = write_toy_csv(tmp_path / "toy.csv", 20)
    model = str(tmp_path / "ft.sentclf")
    result = runner.invoke(
        cli,
        ["train", data, "--model", "ft", "--tune-layers", "1", "--tune-epochs", "12", "--tune-lr", "3e-3", "-o", model],
    )
    assert result.exit_code == 0, result.output
    assert "ft" in result.stdout

    result = runner.invoke(cli, ["predict", "-m", model, "--jsonl", "-"], input="good great movie\nbad bad movie\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["label"] for r in rows] == ["pos", "neg"]

    result = runner.invoke(cli, ["info", model])
    assert result.exit_code == 0
    assert "fine-tuned      ft: all-MiniLM-L6-v2" in result.stdout and "tuned l1" in result.stdout
    meta = json.loads(runner.invoke(cli, ["info", model, "--json"]).stdout)
    assert meta["finetune"]["ft"]["layers_tuned"] == ["l1"] and meta["models"] == {"ft": "fine-tuned encoder"}

    result = runner.invoke(cli, ["explain", "-m", model, "not a good movie"])
    assert result.exit_code == 0, result.output
    assert "left out (occlusion)" in result.stdout
    words = [line.split()[0] for line in result.stdout.splitlines()[4:8]]
    assert words == ["not", "a", "good", "movie"]
    explained = json.loads(runner.invoke(cli, ["explain", "-m", model, "--json", "not good"]).stdout)
    assert [w["word"] for w in explained["words"]] == ["not", "good"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "lr", "--tune-layers", "2"], "--tune-layers is an option of the fine-tuned encoder"),
        (["--model", "ft", "--features", "six"], "takes --features encoder"),
        (["--model", "ft", "--tune-layers", "some"], "--tune-layers takes a number of layers"),
        (["--model", "ft", "--tune-epochs", "0"], "--tune-epochs must be at least 1"),
    ],
)
def test_cli_refuses_fine_tuning_options_that_do_nothing_or_make_no_sense(bert, tmp_path, args, message):
    result = CliRunner().invoke(cli, ["train", write_toy_csv(tmp_path / "t.csv"), "-o", str(tmp_path / "m"), *args])
    assert result.exit_code in (1, 2) and message in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_compare_cross_validates_the_fine_tuned_encoder_inside_each_fold(bert, tmp_path):
    data = write_toy_csv(tmp_path / "toy.csv", 10)
    args = ["compare", data, "--models", "lr,ft", "--features", "six", "--cv", "2", "--tune-epochs", "2", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    cells = {(c["features"], c["model"]): c for c in json.loads(result.stdout)["cells"]}
    assert ("encoder", "ft") in cells and ("six", "lr") in cells
    assert len(cells[("encoder", "ft")]["folds"]) == 2 and 0 <= cells[("encoder", "ft")]["accuracy_mean"] <= 1


def test_info_shows_the_validation_curve_or_the_training_loss_when_nothing_was_held_out():
    from sentclf.cli.render import finetune_lines

    base = {"base": "all-MiniLM-L6-v2", "base_sha256": "a" * 64, "layers_tuned": ["l5"], "epochs": 3}
    base.update(n_train=90, n_validation=10, seconds=4.0)
    held = [
        {"epoch": 0.5, "train_loss": 0.6, "val_loss": 0.5, "val_accuracy": 0.7},
        {"epoch": 1, "train_loss": 0.4, "val_loss": 0.45, "val_accuracy": 0.8},
    ]
    lines = finetune_lines("ft", {**base, "curve": held, "best": held[1]})
    assert lines[1].startswith("best check      epoch 1: validation accuracy 0.800")
    assert lines[2] == "validation      0.5: 0.700; 1: 0.800 (epoch: accuracy)"
    lines = finetune_lines("ft", {**base, "curve": [{"epoch": 1, "train_loss": 0.25}], "best": None})
    assert lines[-1] == "training loss   1: 0.250 (epoch: loss)"


def test_a_stack_with_a_fine_tuned_member_learns_from_two_folds(bert):
    from sentclf.classify.features.lexicons import load_lexicon
    from sentclf.classify.models.pipeline import build_pipeline, fit_for_size, planned_fits
    from sentclf.classify.models.spec import EnsembleConfig, ModelConfig

    def folds(members: tuple) -> int:
        stack = build_pipeline(
            "ensemble",
            load_lexicon(),
            ModelConfig(),
            ensemble=EnsembleConfig(members, "stack"),
            encoder=SentenceEncoder(),
        )
        return fit_for_size(stack, 1000, 2).cv.get_n_splits(), planned_fits(stack)

    assert folds(("nbngrams:lr", "ngrams:nb")) == (5, 12)
    assert folds(("nbngrams:lr", "encoder:ft")) == (2, 6)  # the encoder fine-tuned 3 times, not 6


def test_by_default_the_epochs_stop_at_the_wordpiece_budget(bert, monkeypatch):
    import sentclf.classify.models.finetuned as finetuned

    whole = fit(epochs=None, validation=0.0, batch_size=12)  # 96 short documents: three epochs fit the budget
    assert whole.epochs_ == 3 and whole.curve_[-1]["step"] == 3 * 8
    monkeypatch.setattr(finetuned, "TOKEN_BUDGET", whole.tokens_seen_ // 2)  # half of it: 1.5 epochs
    cut = fit(epochs=None, validation=0.0, batch_size=12)
    assert cut.epochs_ == 1.5 and cut.curve_[-1]["step"] == 12 and cut.tokens_seen_ <= whole.tokens_seen_ // 2 + 200
    assert cut.summary()["epochs"] == 1.5
    monkeypatch.setattr(finetuned, "TOKEN_BUDGET", 1)  # never fewer steps than one check's worth
    assert fit(epochs=None, validation=0.0, batch_size=12).curve_[-1]["step"] == 4
    assert fit(epochs=2, validation=0.0, batch_size=12).curve_[-1]["step"] == 16  # told: no budget


def test_early_stopping_checks_the_validation_documents_it_is_given(bert):
    texts, labels = toy(4)
    held_texts, held_labels = ["good good movie", "bad bad movie", "great", "not good"], ["pos", "neg", "pos", "neg"]
    model = FineTunedEncoder(encoder=SentenceEncoder(), layers=1, epochs=2, lr=3e-3, batch_size=8)
    model.fit(texts, labels, X_val=held_texts, y_val=held_labels)
    assert (model.n_train_, model.n_validation_) == (len(texts), 4)
    assert all(p["val_accuracy"] in (0, 0.25, 0.5, 0.75, 1) for p in model.curve_)
    with pytest.raises(ValueError, match="together"):
        FineTunedEncoder(encoder=SentenceEncoder(), layers=1, epochs=1).fit(texts, labels, X_val=held_texts)
    with pytest.raises(ValueError, match="training classes"):
        FineTunedEncoder(encoder=SentenceEncoder(), layers=1, epochs=1).fit(texts, labels, X_val=["x"], y_val=["neu"])


def test_long_documents_are_tuned_and_read_sentence_by_sentence_and_old_files_by_window(bert):
    long_texts = ["good movie ! " * 90, "bad movie ! " * 90]  # 270 wordpieces and more: read in pieces
    texts, labels = toy(2)
    model = FineTunedEncoder(encoder=SentenceEncoder(), layers=1, epochs=2, batch_size=8)
    model.fit(texts + long_texts * 4, labels + ["pos", "neg"] * 4)
    assert model.reading == "sentences" and model.summary()["long_texts"] == "read by sentence"
    state = pickle.loads(pickle.dumps(model)).__getstate__()
    del state["reading"]
    old = FineTunedEncoder.__new__(FineTunedEncoder)
    old.__setstate__(state)  # a file from before readings: tuned on windows, so it reads in windows
    assert old.reading == "windows" and old.summary()["long_texts"] == "read by window"
    assert np.allclose(old.predict_proba(texts[:3]), model.predict_proba(texts[:3]), atol=1e-5)  # short: alike
    assert not np.allclose(old.decision_function(long_texts), model.decision_function(long_texts), atol=1e-4)
