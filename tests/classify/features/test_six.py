import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from sentclf.classify.features.six import FEATURE_NAMES, LectureFeatures, class_means, feature_values, trace
from sentclf.text import tokenize
from tests.conftest import TEXTBOOK_REVIEW


def test_features_textbook_review_golden(lecture_lexicon):
    values = feature_values(tokenize(TEXTBOOK_REVIEW), lecture_lexicon)
    assert values[:5] == (3, 2, 1, 3, 0)
    assert round(values[5], 2) == 4.19
    assert values[5] == pytest.approx(math.log(66))


def test_features_textbook_logistic_regression_gives_070(lecture_lexicon):
    x = np.asarray([feature_values(tokenize(TEXTBOOK_REVIEW), lecture_lexicon)])
    lr = LogisticRegression()
    lr.classes_ = np.array(["neg", "pos"])
    lr.coef_ = np.array([[2.5, -5.0, -1.2, 0.5, 2.0, 0.7]])
    lr.intercept_ = np.array([0.1])
    assert float(lr.decision_function(x)[0]) == pytest.approx(0.833, abs=1e-3)
    assert round(float(lr.predict_proba(x)[0, 1]), 2) == 0.70


def test_features_trace_lists_matched_tokens(lecture_lexicon):
    result = trace(tokenize(TEXTBOOK_REVIEW), lecture_lexicon)
    assert result.matched == {
        "positive": ["enjoyable", "great", "nice"],
        "negative": ["hokey", "second-rate"],
        "pronouns": ["i", "me", "you"],
    }
    assert result.n_tokens == 66 and not result.empty


def test_features_exclamation_and_empty_document(lecture_lexicon):
    assert feature_values(tokenize("Great!!"), lecture_lexicon) == (1, 0, 0, 0, 1, math.log(3))
    empty = trace(tokenize("   "), lecture_lexicon)
    assert empty.values == (0, 0, 0, 0, 0, 0.0) and empty.empty


def test_features_transformer_contract(lecture_lexicon):
    step = LectureFeatures(lexicon=lecture_lexicon)
    assert step.fit(["x"]) is step
    assert list(step.get_feature_names_out()) == list(FEATURE_NAMES)
    matrix = step.transform([TEXTBOOK_REVIEW, tokenize("nice!")])
    assert matrix.shape == (2, 6)
    assert matrix[1].tolist() == [1, 0, 0, 0, 1, pytest.approx(math.log(2))]
    assert clone(step).get_params() == {"lexicon": lecture_lexicon}
    assert not hasattr(clone(step), "lexicon_")


def test_features_transform_before_fit_fails():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LectureFeatures().transform(["hello"])


def test_features_default_lexicon_is_builtin():
    step = LectureFeatures().fit([])
    assert step.lexicon_.source == "builtin"
    assert step.transform(["I love it :)"])[0, 0] == 2


def test_features_class_means(lecture_lexicon):
    means = class_means(["great nice", "hokey", "nice"], ["pos", "neg", "pos"], lecture_lexicon)
    assert means["pos"]["x1"] == 1.5 and means["pos"]["n"] == 2
    assert means["neg"]["x2"] == 1.0


def test_features_packed_counts_match_plain_counts(lecture_lexicon, monkeypatch):
    tokens = tokenize(TEXTBOOK_REVIEW) * 3 + ["great", "you", "hokey"]
    packed = feature_values(tokens, lecture_lexicon)
    monkeypatch.setattr("sentclf.classify.features.six._MAX_PACKED", 0)  # force the plain path
    assert feature_values(tokens, lecture_lexicon) == packed == (10, 7, 1, 10, 0, pytest.approx(math.log(201)))


def test_features_entry_in_two_lists_counts_in_both(tmp_path):
    from sentclf.classify.features.lexicons import load_lexicon

    (tmp_path / "positive.txt").write_text("envious\n")
    (tmp_path / "negative.txt").write_text("envious\n")
    (tmp_path / "pronouns.txt").write_text("envious\n")
    assert feature_values(["envious", "envious"], load_lexicon(lexicon_dir=tmp_path))[:4] == (2, 2, 0, 2)
