"""The reference rows of a comparison: the zero-training lexicon rule (the majority class is
scikit-learn's DummyClassifier), and recognizing which labels mean positive and negative."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from sentclf.classify.features.six import LectureFeatures
from sentclf.errors import ConfigError

POSITIVE_NAMES = {"pos", "positive", "1", "+1", "+", "true", "p"}
NEGATIVE_NAMES = {"neg", "negative", "0", "-1", "-", "false", "n"}


def polarity_labels(labels) -> tuple:
    """(positive label, negative label) recognized by name, or (None, None)."""
    positive = next((label for label in labels if str(label).lower() in POSITIVE_NAMES), None)
    negative = next((label for label in labels if str(label).lower() in NEGATIVE_NAMES), None)
    return (positive, negative) if positive is not None and negative is not None else (None, None)


class LexiconRule(BaseEstimator, ClassifierMixin):
    """The zero-training reference: positive if x1 > x2, negative if x2 > x1, ties to the majority class."""

    def __init__(self, lexicon=None):
        self.lexicon = lexicon

    def fit(self, X, y):
        labels, counts = np.unique(np.asarray(y, dtype=object).astype(str), return_counts=True)
        self.classes_ = labels
        self.positive_, self.negative_ = polarity_labels(labels)
        if self.positive_ is None:
            raise ConfigError(f"the lexicon rule needs labels named like pos/neg (found {', '.join(labels)})")
        self.majority_ = labels[np.argmax(counts)]
        self.features_ = LectureFeatures(lexicon=self.lexicon).fit(X)
        return self

    def predict(self, X):
        values = self.features_.transform(X)
        return np.where(
            values[:, 0] > values[:, 1],
            self.positive_,
            np.where(values[:, 1] > values[:, 0], self.negative_, self.majority_),
        ).astype(object)
