import math

import numpy as np
import pytest
import scipy.sparse as sp

from sentclf.classify.comparison import cross_validate
from sentclf.classify.config import CompareConfig
from sentclf.classify.features.lexicons import load_lexicon
from sentclf.classify.models.lexicon_rule import LexiconRule, polarity_labels
from sentclf.classify.models.pipeline import build_features
from sentclf.classify.validation.significance import corrected_t_test
from sentclf.classify.vectors.embedding_config import EmbeddingConfig
from sentclf.data.readers import read_examples
from sentclf.errors import ConfigError, DataError
from sentclf.text import tokenize_all


@pytest.fixture
def tiny(fixtures):
    data = read_examples(str(fixtures / "tiny.csv"))
    return tokenize_all(data.texts), data.labels


def test_compare_corrected_t_test_by_hand():
    result = corrected_t_test([0.70, 0.70, 0.70], [0.71, 0.72, 0.73], k=3)
    # mean difference 0.02, sample variance 1e-4, corrected se = sqrt((1/3 + 1/2) * 1e-4)
    assert result["mean_difference"] == pytest.approx(0.02)
    assert result["t"] == pytest.approx(0.02 / math.sqrt((1 / 3 + 1 / 2) * 1e-4))
    assert result["df"] == 2 and 0.1 < result["p_value"] < 0.2
    same = corrected_t_test([0.7, 0.8], [0.7, 0.8], k=2)
    assert same["p_value"] == 1.0 and same["t"] == 0.0


def test_compare_lexicon_rule_predicts_by_counts(lecture_lexicon):
    docs = tokenize_all(["great and nice", "hokey", "plain words", "great but hokey", "nice"])
    rule = LexiconRule(lexicon=lecture_lexicon).fit(docs, ["pos", "neg", "neg", "neg", "pos"])
    assert rule.predict(docs).tolist() == ["pos", "neg", "neg", "neg", "pos"]  # ties -> 'neg', the majority
    with pytest.raises(ConfigError, match="needs labels named like pos/neg"):
        LexiconRule().fit(docs, ["a", "b", "a", "b", "a"])


@pytest.mark.parametrize(
    "labels, expected",
    [
        (["neg", "pos"], ("pos", "neg")),
        (["0", "1"], ("1", "0")),
        (["negative", "neutral", "positive"], ("positive", "negative")),
        (["sports", "news"], (None, None)),
    ],
)
def test_compare_polarity_labels(labels, expected):
    assert polarity_labels(labels) == expected


def test_compare_ngram_features_stay_sparse(tiny):
    tokens, labels = tiny
    union = build_features("six+ngrams", load_lexicon()).fit(tokens, labels)
    matrix = union.transform(tokens)
    assert sp.issparse(matrix) and matrix.shape[0] == 24
    assert list(union.get_feature_names_out()[:6]) == ["x1", "x2", "x3", "x4", "x5", "x6"]
    assert "the acting" in union.get_feature_names_out() or "a" in union.get_feature_names_out()
    alone = build_features("ngrams", load_lexicon()).fit(tokens)
    assert "x1" not in alone.get_feature_names_out()


def test_compare_cross_validate_report(tiny):
    tokens, labels = tiny
    config = CompareConfig(cv=3, features=("six", "ngrams"), learning_curve=True)
    report = cross_validate(tokens, labels, load_lexicon(), config)
    cells = {(r["features"], r["model"]) for r in report["cells"]}
    assert cells == {
        ("reference", "majority"),
        ("six", "lexicon rule"),
        ("six", "lr"),
        ("six", "mlp"),
        ("ngrams", "lr"),
        ("ngrams", "mlp"),
    }
    majority = next(r for r in report["cells"] if r["model"] == "majority")
    assert majority["accuracy_mean"] == 0.5 and len(majority["folds"]) == 3
    assert sum(f["n_train"] for f in majority["folds"]) == 2 * 24
    assert [s["features"] for s in report["significance"]] == ["six", "ngrams"]
    assert len(report["learning_curve"]) == 2 * 2 * 5
    assert {c["fraction"] for c in report["learning_curve"]} == {0.1, 0.25, 0.5, 0.75, 1.0}
    sizes = [c["n_train"] for c in report["learning_curve"] if c["features"] == "six" and c["model"] == "lr"]
    assert sizes == sorted(sizes) and sizes[0] >= 4 and sizes[-1] == 16


def test_compare_is_reproducible_and_parallel_gives_the_same(tiny):
    tokens, labels = tiny
    serial = cross_validate(tokens, labels, load_lexicon(), CompareConfig(cv=3, features=("six",)))
    parallel = cross_validate(tokens, labels, load_lexicon(), CompareConfig(cv=3, features=("six",), jobs=2))
    assert [r["accuracy_mean"] for r in serial["cells"]] == [r["accuracy_mean"] for r in parallel["cells"]]


@pytest.mark.parametrize(
    "config, error, message",
    [
        (CompareConfig(cv=1), ConfigError, "--cv must be at least 2"),
        (CompareConfig(features=("six", "bag")), ConfigError, "unknown feature block 'bag'"),
        (CompareConfig(features=("emb",)), ConfigError, "needs --embeddings SOURCE"),
        (CompareConfig(models=("svm",)), ConfigError, "--models takes lr, mlp"),
        (CompareConfig(cv=13), DataError, "13-fold CV needs at least 13 documents of every class"),
    ],
)
def test_compare_bad_config(tiny, config, error, message):
    with pytest.raises(error, match=message):
        cross_validate(*tiny, load_lexicon(), config)


def test_compare_with_embeddings(tiny, fixtures):
    from sentclf.classify.vectors.files import read_vectors

    table = read_vectors(fixtures / "vectors" / "tiny.glove.txt")
    config = CompareConfig(
        cv=3,
        features=("six+emb", "emb"),
        models=("lr",),
        embeddings=EmbeddingConfig(source=str(fixtures / "vectors" / "tiny.glove.txt")),
    )
    report = cross_validate(*tiny, load_lexicon(), config, table)
    assert [r["features"] for r in report["cells"]][-2:] == ["six+emb", "emb"]
    assert all(0 <= r["accuracy_mean"] <= 1 for r in report["cells"])
    assert report["significance"] == []  # one model only: nothing to pair


def test_compare_given_folds_are_used(tiny):
    tokens, labels = tiny
    train, test = np.arange(0, 24, 2), np.arange(1, 24, 2)
    report = cross_validate(tokens, labels, load_lexicon(), CompareConfig(features=("six",)), folds=[(train, test)])
    assert report["cv"] == 1 and report["significance"] == []
    assert all(len(r["folds"]) == 1 and r["folds"][0]["n_train"] == 12 for r in report["cells"])


def test_crossval_packed_tokens_travel_as_arrays_and_unpack_unchanged():
    from sentclf.classify.parallel.packed import PackedTokens, shared_tokens, unpacked

    tokens = [["i", "loved", "it", "!"], [], ["naïve", "😀", "\udcff"], ["it", "i"]]
    packed = shared_tokens(tokens, 2)
    assert isinstance(packed, PackedTokens) and len(packed) == 4
    assert all(isinstance(v, np.ndarray) for v in vars(packed).values())  # joblib sends them as raw buffers
    assert unpacked(packed) == tokens and unpacked(tokens) is tokens
    assert shared_tokens(tokens, 1) is tokens
    assert PackedTokens([]).unpack() == [] and PackedTokens([[]]).unpack() == [[]]


def test_compare_slow_cells_are_dispatched_first():
    from sentclf.classify.validation.crossval import dispatch_rank

    cells = [("reference", "majority"), ("six", "lr"), ("ngrams", "lr"), ("six", "mlp"), ("ngrams", "mlp")]
    assert sorted(cells, key=dispatch_rank) == [
        ("ngrams", "mlp"),
        ("six", "mlp"),
        ("ngrams", "lr"),
        ("six", "lr"),
        ("reference", "majority"),
    ]
    assert dispatch_rank(("ensemble", "ensemble")) < dispatch_rank(("ngrams", "mlp"))


def test_compare_jobs_2_runs_the_folds_in_forked_workers_with_the_same_results(fixtures):
    from sentclf.classify.comparison import compare
    from sentclf.data.source import DataConfig

    def run(jobs):
        config = CompareConfig(data=DataConfig(str(fixtures / "tiny.csv")), cv=3, features=("six",), jobs=jobs)
        return compare(config)["cells"]

    one, two = run(1), run(2)
    assert [c["model"] for c in one] == ["majority", "lexicon rule", "lr", "mlp"]
    assert [[f["accuracy"] for f in c["folds"]] for c in one] == [[f["accuracy"] for f in c["folds"]] for c in two]
