import itertools
import logging
from dataclasses import replace

import numpy as np
import pytest

from sentclf import archive
from sentclf.classify.config import FeatureMeansConfig, ModelSource, PredictConfig, TrainConfig
from sentclf.classify.explain import explain_text
from sentclf.classify.featuredump import feature_means, feature_rows
from sentclf.classify.features.lexicons import LexiconConfig, load_lexicon
from sentclf.classify.modelfile import load as load_model
from sentclf.classify.models.spec import ModelConfig
from sentclf.classify.prediction import Scorer, predictions
from sentclf.classify.training import train
from sentclf.data.documents import Document
from sentclf.data.inputs import Inputs
from sentclf.data.source import DataConfig
from sentclf.errors import ConfigError, DataError, LexiconError
from tests.conftest import TEXTBOOK_REVIEW


def fit(config: TrainConfig, path, force: bool = False) -> dict:
    """train() writing to ``path``; the report as a dict."""
    return train(replace(config, output=str(path), force=force)).as_dict()


def probabilities(row: dict) -> dict:
    """{label: P} of a prediction row (its p_<label> columns)."""
    return {key[2:]: value for key, value in row.items() if key.startswith("p_")}


def scored(model, docs, use=None, **options) -> list:
    return list(Scorer.of(model, use, **options).rows(docs))


def predicted(model_path, texts, use=None, **options) -> list:
    config = PredictConfig(Inputs(texts=texts), ModelSource(str(model_path), use=use), **options)
    return list(predictions(config))


def test_training_train_saves_both_models_with_metadata(trained_model, fixtures):
    meta = archive.read_metadata(trained_model)
    assert meta["labels"] == ["neg", "pos"]
    assert set(meta["models"]) == {"lr", "mlp"} and meta["best_model"] in {"lr", "mlp"}
    assert meta["data"]["n_train"] == 18 and meta["data"]["n_test"] == 6
    assert meta["data"]["source"].endswith("tiny.csv") and len(meta["data"]["sha256"]) == 64
    assert meta["lexicon"]["sha256"] == load_lexicon().sha256()
    assert meta["config"]["model"]["seed"] == 0 and meta["config"]["test_size"] == 0.25
    for kind in ("lr", "mlp"):
        metrics = meta["metrics"][kind]
        assert 0 <= metrics["accuracy"] <= 1 and metrics["predict_docs_per_s"] > 0
        assert set(metrics["per_class"]) == {"neg", "pos"}


def test_training_train_is_deterministic(tmp_path, fixtures):
    config = TrainConfig(data=DataConfig(str(fixtures / "three_class.jsonl")), test_size=0.25)
    a = fit(config, tmp_path / "a.sentclf")
    b = fit(config, tmp_path / "b.sentclf")
    for kind in ("lr", "mlp"):
        assert a["metrics"][kind]["accuracy"] == b["metrics"][kind]["accuracy"]
    docs = [Document("-", 1, "great crew, thank you!"), Document("-", 2, "lost bag, awful")]
    pa = [probabilities(r) for r in scored(load_model(tmp_path / "a.sentclf"), docs, use="mlp")]
    pb = [probabilities(r) for r in scored(load_model(tmp_path / "b.sentclf"), docs, use="mlp")]
    assert pa == pb


def test_training_train_skips_empty_documents_and_says_so(tmp_path, fixtures, caplog):
    data = tmp_path / "d.csv"
    data.write_text((fixtures / "tiny.csv").read_text() + '"   ",pos\n"",neg\n')
    with caplog.at_level(logging.WARNING, logger="sentclf"):
        report = fit(TrainConfig(data=DataConfig(str(data)), models=("lr",), test_size=0.25), tmp_path / "m")
    assert report["data"]["empty_skipped"] == 2
    assert "skipped 2 empty document(s)" in caplog.text


def test_training_train_one_class_is_an_error(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("text,label\ngood,pos\nnice,pos\nfine,pos\n")
    with pytest.raises(DataError, match="one class only \\(pos\\)"):
        fit(TrainConfig(data=DataConfig(str(data))), tmp_path / "m")


def test_training_train_too_few_examples_is_an_error(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("text,label\ngood,pos\nbad,neg\nnice,pos\n")
    with pytest.raises(DataError, match="too few examples for a stratified"):
        fit(TrainConfig(data=DataConfig(str(data))), tmp_path / "m")


@pytest.mark.parametrize(
    "config, error",
    [
        (TrainConfig(test_size=1.5), ConfigError),
        (TrainConfig(models=("svm",)), ConfigError),
        (TrainConfig(lexicon=LexiconConfig(directory="/nonexistent")), LexiconError),
        (TrainConfig(data=DataConfig("/nonexistent.csv")), DataError),
    ],
)
def test_training_failed_train_leaves_existing_model_untouched(model_copy, config, error):
    before = model_copy.read_bytes()
    with pytest.raises(error):
        fit(config, model_copy, force=True)
    assert model_copy.read_bytes() == before


def test_training_train_refuses_overwrite_before_training(model_copy, monkeypatch):
    monkeypatch.setattr(LexiconConfig, "load", lambda *a: pytest.fail("work done before the check"))
    with pytest.raises(Exception, match="already exists: pass --force"):
        fit(TrainConfig(), model_copy)


def test_training_predict_streams_in_batches(trained_model):
    pulled = []

    def documents():
        for i in itertools.count(1):
            pulled.append(i)
            yield Document("gen", i, "great fun!" if i % 2 else "awful")

    results = Scorer.of(load_model(trained_model)).rows(documents(), batch_size=10)
    first = next(results)
    assert first["line"] == 1 and first["label"] in {"neg", "pos"}
    assert len(pulled) == 10  # only one batch was read for the first result
    assert abs(sum(probabilities(first).values()) - 1) < 1e-9


def test_training_predict_flags_empty_and_picks_model(trained_model):
    model = load_model(trained_model)
    scorer = Scorer.of(model, "lr")
    results = list(scorer.rows([Document("f", 1, ""), Document("f", 2, "nice")]))
    assert [r["empty"] for r in results] == [True, False]
    assert scorer.kind == "lr" and scorer.pipeline is model.pipelines["lr"]


def test_training_predict_unknown_model_kind(tmp_path, fixtures):
    path = tmp_path / "lr.sentclf"
    fit(TrainConfig(data=DataConfig(str(fixtures / "tiny.csv")), models=("lr",), test_size=0.25), path)
    with pytest.raises(ConfigError, match="holds no 'mlp' model"):
        Scorer.of(load_model(path), "mlp")
    assert Scorer.of(load_model(path)).kind == "lr"


@pytest.mark.parametrize("fixture", ["trained_model", "trained_model_3class"])
def test_training_explain_matches_predict_proba(request, fixture):
    model = load_model(request.getfixturevalue(fixture))
    result = explain_text(model, TEXTBOOK_REVIEW)
    expected = model.pipelines["lr"].predict_proba([TEXTBOOK_REVIEW])[0]
    assert [result["probabilities"][c] for c in result["classes"]] == pytest.approx(expected)
    for label in result["scored_classes"]:
        total = sum(row["contributions"][label] for row in result["features"]) + result["bias"][label]
        assert total == pytest.approx(result["z"][label])
    assert result["link"] == ("sigmoid" if len(result["classes"]) == 2 else "softmax")
    assert result["features"][5]["value"] == pytest.approx(np.log(66))


def test_training_feature_rows_and_means(fixtures, lecture_lexicon):
    row = next(feature_rows([Document("f", 1, TEXTBOOK_REVIEW)], lecture_lexicon))
    assert [row[x] for x in ("x1", "x2", "x3", "x4", "x5")] == [3, 2, 1, 3, 0]
    means = feature_means(FeatureMeansConfig(DataConfig(str(fixtures / "tiny.csv")), LexiconConfig()))
    assert means["classes"]["pos"]["x1"] > means["classes"]["neg"]["x1"]
    assert means["classes"]["neg"]["x2"] > means["classes"]["pos"]["x2"]


def test_training_class_weight_balanced_reaches_both_models(tmp_path, fixtures):
    data = tmp_path / "d.csv"
    rows = (fixtures / "tiny.csv").read_text().splitlines()
    data.write_text("\n".join(rows[:1] + rows[1:13] + rows[13:17]) + "\n")  # 12 pos, 4 neg
    config = TrainConfig(data=DataConfig(str(data)), test_size=0.25, model=ModelConfig(class_weight="balanced"))
    report = fit(config, tmp_path / "m.sentclf")
    model = load_model(tmp_path / "m.sentclf")
    assert model.pipelines["lr"].named_steps["clf"].class_weight == "balanced"
    assert report["config"]["model"]["class_weight"] == "balanced"
    assert report["data"]["class_counts"] == {"neg": 4, "pos": 12}


def test_training_predict_verb_takes_one_config(trained_model, tmp_path):
    doc = tmp_path / "d.txt"
    doc.write_text("great fun!\n\nawful\n")
    found = predictions(PredictConfig(Inputs((str(doc),), ("nice",)), ModelSource(str(trained_model), use="lr")))
    rows = list(found)
    assert [r["line"] for r in rows] == [1, 2, 3, 1] and rows[-1]["file"] == "<text>"
    assert found.labels == ["neg", "pos"] and found.kind == "lr"
    assert found.n == 4 and found.n_empty == 1
    with pytest.raises(ConfigError, match="give at least one FILE"):
        predictions(PredictConfig(model=ModelSource(str(trained_model))))


def test_training_scoring_verbs_without_a_stream_say_which_call_to_make(trained_model, lecture_lexicon):
    """predict(config) and features(config) with nowhere to write name the calls that work, and those calls do."""
    from sentclf.classify.config import FeaturesConfig
    from sentclf.classify.featuredump import features
    from sentclf.classify.prediction import predict

    inputs = Inputs(texts=("I loved it, no regrets!",))
    with pytest.raises(ConfigError, match=r"predict\(config, sys\.stdout\).*sentclf\.predictions\(config\)"):
        predict(PredictConfig(inputs, ModelSource(str(trained_model))))
    with pytest.raises(ConfigError, match=r"features\(config, sys\.stdout\).*feature_rows\(documents, lexicon\)"):
        features(FeaturesConfig(inputs))
    assert next(feature_rows(inputs.documents(), lecture_lexicon))["x3"] == 1  # the call the message names


def test_training_with_a_feature_set_records_it(tmp_path, fixtures):
    report = fit(
        TrainConfig(data=DataConfig(str(fixtures / "tiny.csv")), models=("lr",), test_size=0.25, features="six+ngrams"),
        tmp_path / "n.sentclf",
    )
    assert report["feature_set"] == "six+ngrams" and report["config"]["features"] == "six+ngrams"
    assert report["feature_names"][:6] == ["x1", "x2", "x3", "x4", "x5", "x6"] and len(report["feature_names"]) > 6
    with pytest.raises(ConfigError, match="unknown feature block 'bag'"):
        fit(TrainConfig(features="six+bag"), tmp_path / "x.sentclf")
    with pytest.raises(ConfigError, match="needs --embeddings"):
        fit(TrainConfig(features="emb"), tmp_path / "x.sentclf")


def test_training_calibration_error_is_reported_and_calibrate_wraps_the_models(tmp_path, fixtures):
    from sentclf.classify.validation.metrics import calibration_error

    assert calibration_error(["a", "a", "a", "b"], np.array([[0.75, 0.25]] * 4), ["a", "b"]) == pytest.approx(0)
    assert calibration_error(["a", "a", "a", "b"], np.array([[0.95, 0.05]] * 4), ["a", "b"]) == pytest.approx(0.2)
    config = TrainConfig(data=DataConfig(str(fixtures / "three_class.jsonl")), test_size=0.25, calibrate="sigmoid")
    report = fit(config, tmp_path / "c.sentclf")
    assert report["config"]["calibrate"] == "sigmoid" and 0 <= report["metrics"]["lr"]["calibration_error"] <= 1
    model = load_model(tmp_path / "c.sentclf")
    assert type(model.pipelines["lr"]).__name__ == "CalibratedClassifierCV"
    result = explain_text(model, "Great crew, thank you!")
    assert result["calibrated"]["method"] == "sigmoid"
    calibrated = model.pipelines["lr"].predict_proba(["Great crew, thank you!"])[0]
    assert list(result["calibrated"]["probabilities"].values()) == pytest.approx(calibrated.tolist())
    assert report["feature_names"] == ["x1", "x2", "x3", "x4", "x5", "x6"]
    with pytest.raises(ConfigError, match="--calibrate takes none, sigmoid, isotonic"):
        fit(replace(config, calibrate="platt"), tmp_path / "x.sentclf")


def test_training_predict_min_confidence_and_neutral_band(trained_model, trained_model_3class):
    texts = ("great fun!", "awful", "the train leaves at noon")
    plain = predicted(trained_model, texts, use="lr")
    top = [max(probabilities(row).values()) for row in plain]
    assert [r["label"] for r in plain] == [max(probabilities(r), key=probabilities(r).get) for r in plain]
    threshold = sorted(top)[1]  # between the least and the most confident document
    unsure = predicted(trained_model, texts, use="lr", min_confidence=threshold)
    assert [r["label"] == "uncertain" for r in unsure] == [t < threshold for t in top]
    band = predicted(trained_model, texts, use="lr", neutral_band=0.49)
    assert [r["label"] == "neutral" for r in band] == [t < 0.99 for t in top]
    assert [probabilities(r) for r in band] == [probabilities(r) for r in plain]
    with pytest.raises(ConfigError, match="--neutral-band is for two-class models"):
        predicted(trained_model_3class, texts, neutral_band=0.1)
    with pytest.raises(ConfigError, match="--min-confidence is a probability"):
        predicted(trained_model, texts, min_confidence=1.5)


def test_training_min_label_confidence_filters_training_rows_only(tmp_path, fixtures, caplog):
    data = tmp_path / "d.jsonl"
    data.write_text((fixtures / "three_class.jsonl").read_text())
    config = TrainConfig(data=DataConfig(str(data)), test_size=0.25, models=("lr",), min_label_confidence=0.7)
    with caplog.at_level(logging.WARNING, logger="sentclf"):
        report = fit(config, tmp_path / "a.sentclf")
    assert "carries no label confidence" in caplog.text and report["config"]["min_label_confidence"] == 0.7
    from sentclf.classify.training import confident

    kept = confident(np.arange(4, 16), [1.0] * 8 + [0.4] * 8, 0.7)  # training rows 4..15; 8..15 are unsure
    assert kept.tolist() == [4, 5, 6, 7]
    with pytest.raises(ConfigError, match="--min-label-confidence is a fraction"):
        fit(replace(config, min_label_confidence=2.0), tmp_path / "b.sentclf")


def test_training_default_corpus_carries_label_confidence():
    from sentclf.data.corpus import load_default_corpus

    dataset = load_default_corpus()
    assert (
        len(dataset.confidence) == len(dataset.texts) and 0.2 < min(dataset.confidence) <= max(dataset.confidence) == 1
    )
