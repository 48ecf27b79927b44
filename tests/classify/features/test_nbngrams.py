"""The nbngrams block: NB log-count ratios by hand, one-vs-rest for three classes, and a pipeline that
never rescales the weighted columns."""

import math

import numpy as np
import pytest

from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.features.nbngrams import NBWeightedNgrams
from sentclf.classify.models.perclass import PerClassLogistic
from sentclf.classify.models.pipeline import build_pipeline
from sentclf.classify.models.spec import ModelConfig
from sentclf.data.readers import read_examples
from sentclf.text import tokenize_all

DOCS = [["good"], ["good", "fun"], ["bad"], ["bad", "fun"]]
LABELS = ["pos", "pos", "neg", "neg"]


def test_nbngrams_log_count_ratios_by_hand():
    block = NBWeightedNgrams(ngram_range=(1, 1)).fit(DOCS, LABELS)
    # alpha = 1: p = 1 + counts in pos = good 3, fun 2, bad 1 (sum 6); q = good 1, fun 2, bad 3 (sum 6)
    ratios = dict(zip(block.vectorizer_.get_feature_names_out(), block.ratios_[0].tolist()))
    assert ratios == pytest.approx({"bad": math.log(1 / 3), "fun": 0.0, "good": math.log(3)})
    row = block.transform([["good", "good", "bad"]]).toarray()[0]  # binarized: 'good' counts once
    assert sorted(row.tolist()) == pytest.approx([math.log(1 / 3), 0.0, math.log(3)])
    assert list(block.get_feature_names_out()) == ["nb_bad", "nb_fun", "nb_good"]


def test_nbngrams_three_classes_get_one_ratio_each_against_the_rest():
    docs, labels = [*DOCS, ["meh"], ["meh", "fun"]], [*LABELS, "neu", "neu"]
    block = NBWeightedNgrams(ngram_range=(1, 1)).fit(docs, labels)
    assert block.ratios_.shape == (3, 4) and block.transform(docs).shape == (6, 12)
    neu = dict(zip(block.vectorizer_.get_feature_names_out(), block.ratios_[list(block.classes_).index("neu")]))
    assert neu["meh"] > 0 > neu["good"]
    assert block.get_feature_names_out()[0].startswith("nb[neg]_")


def test_nbngrams_needs_labels():
    with pytest.raises(ValueError, match="needs the labels"):
        NBWeightedNgrams().fit(DOCS)


def test_nbngrams_in_a_pipeline_keeps_its_weights_beside_dense_features(fixtures):
    data = read_examples(str(fixtures / "tiny.csv"))
    tokens = tokenize_all(data.texts)
    alone = build_pipeline("lr", load_lexicon(), ModelConfig(), features="nbngrams").fit(tokens, data.labels)
    assert alone.score(tokens, data.labels) == 1.0
    both = build_pipeline("lr", load_lexicon(), ModelConfig(), features="six+nbngrams").fit(tokens, data.labels)
    assert both.named_steps["scale"] == "passthrough"
    union = both.named_steps["features"]
    nb_columns = union.transform(tokens).toarray()[:, 6:]
    expected = union.transformer_list[1][1].transform(tokens).toarray()
    assert np.allclose(nb_columns, expected)  # not rescaled after the union
    six_columns = union.transform(tokens).toarray()[:, :6]
    assert np.allclose(six_columns.mean(axis=0), 0, atol=1e-9)  # x1..x6 standardized on their own
    assert both.predict(["a wonderful, enjoyable film"])[0] == "pos"


def test_nbngrams_alone_with_lr_fits_one_binary_model_per_class():
    """NB-LR: each class's logistic regression sees only its own NB-weighted copy of the n-grams."""
    docs, labels = [*DOCS, ["meh"], ["meh", "fun"]], [*LABELS, "neu", "neu"]
    pipeline = build_pipeline("lr", load_lexicon(), ModelConfig(), features="nbngrams").fit(docs, labels)
    clf = pipeline.named_steps["clf"]
    assert isinstance(clf, PerClassLogistic) and len(clf.estimators_) == 3
    X = pipeline.named_steps["features"].transform(docs)
    width = X.shape[1] // 3
    for k, label in enumerate(clf.classes_):  # class k's model is a binary LR on columns k*width..(k+1)*width
        block = X[:, k * width : (k + 1) * width]
        assert np.allclose(clf.estimators_[k].decision_function(block), clf.decision_function(X)[:, k])
        assert list(clf.estimators_[k].classes_) == [False, True] and label in {"neg", "neu", "pos"}
    coef = clf.coef_  # block-diagonal: z = coef·x + intercept gives the same scores
    assert coef.shape == (3, X.shape[1]) and not coef[0, width:].any()
    assert np.allclose(X @ coef.T + clf.intercept_, clf.decision_function(X))
    proba = clf.predict_proba(X)
    assert np.allclose(proba.sum(axis=1), 1) and list(pipeline.predict(docs)) == labels


def test_nbngrams_two_classes_are_one_binary_model():
    clf = PerClassLogistic().fit(NBWeightedNgrams(ngram_range=(1, 1)).fit_transform(DOCS, LABELS), LABELS)
    assert len(clf.estimators_) == 1 and clf.coef_.shape == (1, 3)
    with pytest.raises(ValueError, match="do not split"):
        PerClassLogistic().fit(np.ones((6, 4)), [*LABELS, "neu", "neu"])


def test_nbchars_weights_character_ngrams_inside_words():
    from sentclf.classify.features import BLOCKS

    block = BLOCKS["nbchars"].build(None)
    docs = [["boring"], ["bored", "stiff"], ["lovely"], ["loved", "it"]] * 2
    labels = ["neg", "neg", "pos", "pos"] * 2
    block.fit(docs, labels)
    ratios = dict(zip(block.vectorizer_.get_feature_names_out(), block.ratios_[0].tolist()))
    assert ratios["bor"] < 0 < ratios["lov"]  # shared stems carry the evidence
    assert " b" in ratios and "ored " in ratios  # char_wb: n-grams inside words, padded by a space
    unseen = block.transform([["lovingly"], ["boredom"]]).toarray().sum(axis=1)
    assert unseen[0] > 0 > unseen[1]  # words never seen in training still score by their pieces


def test_nbchars_alone_with_lr_is_nb_lr_and_every_command_uses_it(fixtures, tmp_path):
    from tests.cli.test_cli import run

    model = tmp_path / "c.sentclf"
    result = run("train", fixtures / "tiny.csv", "--features", "nbchars", "--model", "lr", "-o", model, "--json")
    assert result.exit_code == 0, result.stderr
    pipeline = __import__("sentclf").classify.modelfile.load(model).pipelines["lr"]
    assert isinstance(pipeline.named_steps["clf"], PerClassLogistic)
    assert run("predict", "-m", model, "-", input="what a lovely day\n").exit_code == 0
    assert "nbchars" in run("explain", "what a lovely day", "-m", model).stdout
