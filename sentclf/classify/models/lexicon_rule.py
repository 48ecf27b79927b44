"""The lexicon baseline: the zero-training rule a comparison measures every model against (and the
majority class, scikit-learn's DummyClassifier), with the recognition of which labels mean
positive and negative."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from sentclf.classify.features.lexicons import Lexicon
from sentclf.classify.features.six import LectureFeatures
from sentclf.classify.features.tags import text_input_tags
from sentclf.errors import ConfigError

POSITIVE_NAMES = {"pos", "positive", "1", "+1", "+", "true", "p"}
NEGATIVE_NAMES = {"neg", "negative", "0", "-1", "-", "false", "n"}


def polarity_labels(labels) -> tuple:
    """(positive label, negative label) recognized by name, or (None, None)."""
    positive = next((label for label in labels if str(label).lower() in POSITIVE_NAMES), None)
    negative = next((label for label in labels if str(label).lower() in NEGATIVE_NAMES), None)
    return (positive, negative) if positive is not None and negative is not None else (None, None)


def majority_class():
    """The reference row that always answers the most frequent training label."""
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy="most_frequent")


class LexiconRule(ClassifierMixin, BaseEstimator):
    """The zero-training reference: positive if x1 > x2, negative if x2 > x1, ties to the majority class.
    Input: documents (raw strings or token lists); labels recognizably positive and negative."""

    _parameter_constraints: ClassVar[dict] = {"lexicon": [None, Lexicon]}

    def __init__(self, lexicon=None):
        self.lexicon = lexicon

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__(), requires_y=True)

    def fit(self, X, y):
        self._validate_params()
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        check_classification_targets(y)
        labels, counts = np.unique(y, return_counts=True)
        if len(labels) < 2:
            raise ValueError(f"the lexicon rule needs two classes, positive and negative: got {len(labels)} class")
        positive, negative = polarity_labels(labels)
        if positive is None:
            raise ConfigError(f"the lexicon rule needs labels named like pos/neg (found {', '.join(map(str, labels))})")
        self.classes_ = labels
        self.positive_, self.negative_ = positive, negative
        self.majority_ = labels[np.argmax(counts)]
        self.features_ = LectureFeatures(lexicon=self.lexicon).fit(X)
        return self

    def predict(self, X):
        check_is_fitted(self, "features_")
        values = self.features_.transform(X)
        verdict = np.where(values[:, 0] > values[:, 1], 1, np.where(values[:, 1] > values[:, 0], -1, 0))
        index = {label: i for i, label in enumerate(self.classes_.tolist())}
        chosen = np.where(
            verdict > 0, index[self.positive_], np.where(verdict < 0, index[self.negative_], index[self.majority_])
        )
        return self.classes_[chosen]
