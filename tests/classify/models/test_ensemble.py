"""The ensemble model kind: soft voting averages its members, stacking learns on their out-of-fold
probabilities, cross-validation fits members inside each fold, and every command takes the model."""

import json

import numpy as np
import pytest

from sentclf.classify.comparison import cross_validate
from sentclf.classify.config import CompareConfig, TrainConfig
from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.models.ensemble import member_probabilities
from sentclf.classify.models.pipeline import build_pipeline
from sentclf.classify.models.spec import EnsembleConfig, ModelConfig, parse_member
from sentclf.data.readers import read_examples
from sentclf.errors import ConfigError
from sentclf.text import tokenize_all
from tests.cli.test_cli import run


@pytest.fixture
def three(fixtures):
    data = read_examples(str(fixtures / "three_class.jsonl"))
    return tokenize_all(data.texts), data.labels


def test_ensemble_soft_voting_averages_its_members(three):
    tokens, labels = three
    ensemble = build_pipeline(
        "ensemble", load_lexicon(), ModelConfig(), ensemble=EnsembleConfig(("nbngrams:lr", "six:lr"), "soft")
    ).fit(tokens, labels)
    members = member_probabilities(ensemble, tokens[:5])
    assert set(members) == {"nbngrams_lr", "six_lr"}
    assert np.allclose(ensemble.predict_proba(tokens[:5]), np.mean(list(members.values()), axis=0))
    assert list(ensemble.classes_) == ["negative", "neutral", "positive"]


def test_ensemble_stacking_learns_on_member_probabilities(three):
    tokens, labels = three
    ensemble = build_pipeline(
        "ensemble", load_lexicon(), ModelConfig(), ensemble=EnsembleConfig(("nbngrams:lr", "six:mlp"), "stack")
    ).fit(tokens, labels)
    assert ensemble.final_estimator_.named_steps["clf"].coef_.shape == (3, 6)  # 3 classes x (2 members x 3 classes)
    members = np.hstack(list(member_probabilities(ensemble, tokens[:3]).values()))
    odds = np.log(np.clip(members, 1e-7, 1 - 1e-7) / (1 - np.clip(members, 1e-7, 1 - 1e-7)))
    meta = ensemble.final_estimator_.named_steps["clf"]
    assert np.allclose(ensemble.predict_proba(tokens[:3]), meta.predict_proba(odds))  # linear in the log-odds
    assert np.allclose(ensemble.predict_proba(tokens[:3]).sum(axis=1), 1)


def test_ensemble_in_cross_validation_is_one_row(three):
    tokens, labels = three
    config = CompareConfig(
        cv=3, models=("lr", "ensemble"), features=("six",), ensemble=EnsembleConfig(("nbngrams:lr", "six:lr"))
    )
    report = cross_validate(tokens, labels, load_lexicon(), config)
    rows = {(r["features"], r["model"]) for r in report["cells"]}
    assert ("stack(nbngrams:lr + six:lr)", "ensemble") in rows and ("six", "lr") in rows
    assert len(next(r for r in report["cells"] if r["model"] == "ensemble")["folds"]) == 3


@pytest.mark.parametrize(
    "config, message",
    [
        (EnsembleConfig(("six:lr",)), "at least two members"),
        (EnsembleConfig(("six:svm", "six:lr")), "FEATURES:lr, FEATURES:mlp, ngrams:nb or encoder:ft"),
        (EnsembleConfig(("six:nb", "six:lr")), "the nb model .* takes --features ngrams"),
        (EnsembleConfig(("six:lr", "bogus:lr")), "unknown feature block 'bogus'"),
        (EnsembleConfig(("six:lr", "emb:lr")), "needs --embeddings"),
        (EnsembleConfig(("six:lr", "ngrams:lr"), "median"), "--ensemble takes soft or stack"),
    ],
)
def test_ensemble_bad_configs_are_config_errors(config, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig(models=("ensemble",), ensemble=config).validate()


def test_ensemble_optimize_accuracy_trains_the_recipe():
    config = TrainConfig(optimize="accuracy")
    with pytest.raises(ConfigError, match="--optimize takes efficiency or accuracy"):
        TrainConfig(optimize="speed").validate()
    config.validate()
    assert config.kinds == ("ensemble",) and parse_member(config.ensemble.chosen_members[0]) == ("nbngrams", "lr")
    assert config.model_config().class_weight == "balanced" and config.model.class_weight is None  # derived, not set
    assert config.as_dict()["optimize"] == "accuracy" and "encoder" in " ".join(config.all_feature_sets())


def test_ensemble_every_command_takes_an_ensemble_model(tmp_path, fixtures):
    model = tmp_path / "e.sentclf"

    trained = run(
        "train",
        fixtures / "three_class.jsonl",
        "-o",
        model,
        "--test-size",
        "0.25",
        "--model",
        "ensemble",
        "--members",
        "nbngrams:lr,six:mlp",
        "--ensemble",
        "soft",
        "--json",
        "-q",
    )
    assert trained.exit_code == 0, trained.stderr
    report = json.loads(trained.stdout)
    assert report["best_model"] == "ensemble" and report["feature_set"] == "soft(nbngrams:lr + six:mlp)"
    assert report["feature_names"][0].startswith("nbngrams_lr: nbngrams[")
    explained = run("explain", "-m", model, "Great crew, thank you!")
    assert "ensemble (soft voting)" in explained.stdout and "nbngrams_lr: z = w·x + b" in explained.stdout
    data = json.loads(run("explain", "-m", model, "Great crew, thank you!", "--json").stdout)
    assert [m["name"] for m in data["members"]] == ["nbngrams_lr", "six_mlp"]
    assert data["probabilities"]["positive"] == pytest.approx(
        np.mean([m["probabilities"]["positive"] for m in data["members"]])
    )
    rows = run("predict", "-m", model, "-", "--jsonl", input="great crew!\n").stdout.splitlines()
    assert json.loads(rows[0])["label"] in {"negative", "neutral", "positive"}
    assert run("evaluate", fixtures / "three_class.jsonl", "-m", model).exit_code == 0
    assert "ensemble (ensemble)" in run("info", model).stdout


def test_ensemble_optimize_accuracy_without_the_model_package_says_how_to_install(fixtures, tmp_path, monkeypatch):
    monkeypatch.setattr("sentclf.classify.vectors.package.MINILM_DIST", "no-such-distribution-sentclf")
    result = run("train", fixtures / "tiny.csv", "-o", tmp_path / "m", "--optimize", "accuracy")
    assert result.exit_code == 1 and "make minilm" in result.stderr and "Traceback" not in result.stderr


def test_ensemble_planned_fits_count_what_fitting_does(three, caplog):
    """The progress bar's length: stacking fits each member on 5 folds and then on all the data."""
    import logging

    from sentclf.classify.models.pipeline import calibrated, planned_fits
    from sentclf.progress import LOGGER

    tokens, labels = three
    ensemble = build_pipeline(
        "ensemble", load_lexicon(), ModelConfig(), ensemble=EnsembleConfig(("nbngrams:lr", "six:lr"), "stack")
    )
    assert planned_fits(ensemble) == 12 and planned_fits(calibrated(ensemble, "sigmoid", 0)) == 72
    assert planned_fits(build_pipeline("lr", load_lexicon())) == 1
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        ensemble.fit(tokens, labels)
    advances = [r for r in caplog.records if getattr(r, "progress", (None, None))[1] == "advance"]
    assert len(advances) == 12


def test_ensemble_stacks_on_fewer_folds_on_large_data():
    """5 folds below 20,000 training documents, 3 from there on; the members' own sizes follow."""
    from sentclf.classify.models.pipeline import fit_for_size, planned_fits

    def stack(n_train):
        config = EnsembleConfig(("nbngrams:lr", "six:mlp"), "stack")
        return fit_for_size(build_pipeline("ensemble", load_lexicon(), ModelConfig(), ensemble=config), n_train, 3)

    small, large = stack(19_999), stack(20_000)
    assert small.cv.get_n_splits() == 5 and planned_fits(small) == 12
    assert large.cv.get_n_splits() == 3 and planned_fits(large) == 8
    assert large.cv.shuffle and large.cv.random_state == small.cv.random_state == 0
    tiny = stack(40)  # 40 * 4/5 = 32 per member: 3 per class cannot fill a 10% validation split
    assert tiny.estimators[1][1].named_steps["clf"].early_stopping is False


def test_ensemble_predict_reads_the_encoding_cache_but_never_grows_it(three, tmp_path, monkeypatch):
    """Scoring new texts must not add 1.5 kB per document to the cache (100M reviews: 150 GB)."""
    import sqlite3

    from sentclf.classify import modelfile
    from sentclf.classify.config import ModelSource, PredictConfig
    from sentclf.classify.encoder.sentence import SentenceEncoder
    from sentclf.classify.models.pipeline import calibrated
    from sentclf.classify.prediction import predictions
    from sentclf.data.inputs import Inputs
    from tests.classify.encoder.test_encoder import make_fake_bert

    monkeypatch.setenv("SENTCLF_MINILM_DIR", str(make_fake_bert(tmp_path / "bert")))
    monkeypatch.setenv("SENTCLF_CACHE", str(tmp_path / "cache"))
    tokens, labels = three
    members = EnsembleConfig(("nbngrams:lr", "six+encoder:lr"), "stack")
    encoder = SentenceEncoder()
    model = build_pipeline("ensemble", load_lexicon(), ModelConfig(), ensemble=members, encoder=encoder)
    model = calibrated(model, "sigmoid", 0).fit(tokens, labels)
    meta = {"labels": sorted(set(labels)), "best_model": "ensemble"}
    path = modelfile.save(tmp_path / "m.sentclf", {"ensemble": model}, meta)
    cache = tmp_path / "cache" / "encodings" / "minilm.sqlite"

    def rows() -> int:
        with sqlite3.connect(cache) as connection:
            return connection.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]

    before = rows()
    new = tuple(f"a brand new sentence number {i}" for i in range(20))
    config = PredictConfig(Inputs(texts=new), ModelSource(str(path)))
    scored = list(predictions(config))
    assert len(scored) == 20 and rows() == before > 0  # scored, read from the cache, nothing added
    again = list(predictions(config))
    assert again == scored
