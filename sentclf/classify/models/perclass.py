"""NB-LR's classifier (Wang & Manning 2012) on the columns of the ``nbngrams`` and ``nbchars``
blocks: one binary logistic regression per class, each on that class's own NB-weighted copy of the
n-grams, as the paper fits it."""

from __future__ import annotations

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data


class PerClassLogistic(ClassifierMixin, BaseEstimator):
    """NB-LR's classifier on :class:`NBWeightedNgrams` columns: for two classes one binary logistic
    regression on the single copy; for K classes, one per class on its own copy (class vs rest), and
    P = softmax of the K scores z_k = w_k · x_k + b_k. ``coef_`` and ``intercept_`` give those
    weights as one linear model with block-diagonal weights, which is what ``explain`` reads.

    Each binary problem is solved by L-BFGS on the primal: deterministic, so an ensemble fitting its
    members on threads gives the same model every time. liblinear (the paper's solver) draws its
    coordinate order from C's one process-wide ``rand()``, so two fits on two threads change each
    other's models; it was also far slower to converge on the tweets, for the same accuracy
    (bench/README.md)."""

    _parameter_constraints: ClassVar[dict] = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, C=1.0, class_weight=None, max_iter=100, random_state=None):
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def fit(self, X, y):
        self._validate_params()
        X, labels = validate_data(self, X, y, accept_sparse="csr", reset=True)
        check_classification_targets(labels)
        self.classes_ = np.unique(labels)
        if len(self.classes_) < 2:
            raise ValueError(f"PerClassLogistic needs at least two classes, got {len(self.classes_)} class")
        targets = self.classes_[1:] if len(self.classes_) == 2 else self.classes_
        if X.shape[1] % len(targets):
            raise ValueError(f"{X.shape[1]} columns do not split into {len(targets)} per-class copies")
        model = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, random_state=self.random_state
        )
        self.estimators_ = [clone(model).fit(block, labels == label) for block, label in zip(self._blocks(X), targets)]
        self.n_iter_ = np.array([int(m.n_iter_[0]) for m in self.estimators_])
        return self

    def _blocks(self, X) -> list:
        n = len(self.classes_) if len(self.classes_) > 2 else 1
        width = X.shape[1] // n
        return [X[:, k * width : (k + 1) * width] for k in range(n)]

    def decision_function(self, X):
        check_is_fitted(self, "estimators_")
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        scores = np.column_stack([m.decision_function(b) for m, b in zip(self.estimators_, self._blocks(X))])
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict_proba(self, X):
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = 1.0 / (1.0 + np.exp(-scores))
            return np.column_stack([1.0 - p, p])
        scores = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, X):
        best = np.argmax(self.predict_proba(X), axis=1)
        return self.classes_[best]

    @property
    def coef_(self) -> np.ndarray:
        """(K or 1, n_features): each class's weights on its own copy, zero elsewhere."""
        check_is_fitted(self, "estimators_")
        weights = np.zeros((len(self.estimators_), self.n_features_in_))
        width = self.n_features_in_ // len(self.estimators_)
        for k, m in enumerate(self.estimators_):
            weights[k, k * width : (k + 1) * width] = m.coef_[0]
        return weights

    @property
    def intercept_(self) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        return np.array([m.intercept_[0] for m in self.estimators_])
