"""The lexicon baseline: the zero-training rule a comparison measures every model against (and the
majority class, scikit-learn's DummyClassifier), with the recognition of which labels mean
positive and negative."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

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

    def __init__(self, lexicon=None):
        self.lexicon = lexicon

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__(), requires_y=True)

    def fit(self, X, y):
        labels, counts = np.unique(np.asarray(y, dtype=object).astype(str), return_counts=True)
        positive, negative = polarity_labels(labels)
        if positive is None:
            raise ConfigError(f"the lexicon rule needs labels named like pos/neg (found {', '.join(labels)})")
        self.classes_ = labels
        self.positive_, self.negative_ = positive, negative
        self.majority_ = labels[np.argmax(counts)]
        self.features_ = LectureFeatures(lexicon=self.lexicon).fit(X)
        return self

    def predict(self, X):
        check_is_fitted(self, "features_")
        values = self.features_.transform(X)
        return np.where(
            values[:, 0] > values[:, 1],
            self.positive_,
            np.where(values[:, 1] > values[:, 0], self.negative_, self.majority_),
        ).astype(object)
