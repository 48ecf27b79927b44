"""Multinomial logistic regression that learns from probability targets, not only from labels: the
student of a distillation (Hinton et al. 2015; Tang et al. 2019) learns a teacher's class
probabilities for each document, which say how sure the teacher was and which class came second.

The objective is scikit-learn's LogisticRegression's with the one-hot labels replaced by the target
distributions q:  C · Σ_i s_i · (− Σ_c q_ic log p_ic) + ½‖W‖², p_i = softmax(x_i W + b), the biases
not penalized (for two classes ‖W‖², scikit-learn's binary penalty: see soft_cross_entropy). Its
gradient is C · Xᵀ(s ∘ (P − Q)) + W: the softmax cross-entropy's local derivative P − Q, sent back
through the linear layer (the lecture's backward pass, one layer deep). L-BFGS minimizes it over
sparse or dense X; with one-hot targets it is scikit-learn's multinomial LR.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from sentclf.nn.activations import softmax

TARGET_TOLERANCE = 1e-6  # how far a target row may be from summing to 1


def soft_cross_entropy(params: np.ndarray, X, targets: np.ndarray, weights: np.ndarray, C: float) -> tuple:
    """(objective, gradient) at ``params`` (W flattened, (features, classes), then b) for targets
    (n, classes) and sample weights (n,)."""
    n_classes = targets.shape[1]
    W = params[:-n_classes].reshape(-1, n_classes)
    b = params[-n_classes:]
    z = np.asarray(X @ W) + b
    z -= z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(z).sum(axis=1, keepdims=True))
    log_p = z - log_norm
    # two classes: W's two columns share the one weight vector w = W₁ − W₀ that scikit-learn
    # penalizes by ½‖w‖²; at the optimum W₀ = −W₁, where ‖W‖² = ½‖w‖², so the penalty is doubled
    penalty = 2.0 if n_classes == 2 else 1.0
    loss = C * float(-(weights * (targets * log_p).sum(axis=1)).sum()) + 0.5 * penalty * float((W * W).sum())
    residual = (np.exp(log_p) - targets) * (C * weights)[:, None]
    grad_W = np.asarray(X.T @ residual) + penalty * W
    return loss, np.concatenate([grad_W.ravel(), residual.sum(axis=0)])


class SoftTargetLogistic(ClassifierMixin, BaseEstimator):
    """``fit(X, y)`` with ``y`` the labels, or an (n, classes) array of target probabilities whose
    columns are ``classes`` (None: 0..classes − 1). ``C``: inverse L2 strength, as LogisticRegression's."""

    _parameter_constraints: ClassVar[dict] = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "classes": [None, "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, C=1.0, classes=None, max_iter=1000, tol=1e-6):
        self.C = C
        self.classes = classes
        self.max_iter = max_iter
        self.tol = tol

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def fit(self, X, y, sample_weight=None):
        from scipy.optimize import minimize

        self._validate_params()
        if y is None:
            raise ValueError("SoftTargetLogistic requires y to be passed, but the target y is None")
        X = validate_data(self, X, accept_sparse="csr", dtype=np.float64)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            import warnings

            from sklearn.exceptions import DataConversionWarning

            warnings.warn(
                "A column-vector y was passed when a 1d array was expected: give labels as a 1d array",
                DataConversionWarning,
                stacklevel=2,
            )
            y = y.ravel()
        targets = self._targets(y, X.shape[0])
        weights = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if weights.shape != (X.shape[0],) or (weights < 0).any() or not weights.sum() > 0:
            raise ValueError("sample weights must be one per document, ≥ 0, and not all zero")
        start = np.zeros((X.shape[1] + 1) * targets.shape[1])
        result = minimize(
            soft_cross_entropy,
            start,
            args=(X, targets, weights, float(self.C)),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "gtol": self.tol},
        )
        k = targets.shape[1]
        self.weights_ = result.x[:-k].reshape(-1, k)
        self.biases_ = result.x[-k:]
        self.n_iter_ = np.array([result.nit])
        if k == 2:  # as LogisticRegression shows two classes: one row, for the second
            self.coef_ = (self.weights_[:, 1] - self.weights_[:, 0])[None, :]
            self.intercept_ = np.array([self.biases_[1] - self.biases_[0]])
        else:
            self.coef_, self.intercept_ = self.weights_.T.copy(), self.biases_.copy()
        return self

    def _targets(self, y: np.ndarray, n: int) -> np.ndarray:
        if y.ndim == 2:
            targets = y.astype(np.float64)
            if targets.shape[0] != n or targets.shape[1] < 2:
                raise ValueError(f"targets must be (documents, classes ≥ 2), not {targets.shape}, for {n} documents")
            if (targets < 0).any() or not np.allclose(targets.sum(axis=1), 1, atol=TARGET_TOLERANCE):
                raise ValueError("each row of target probabilities must be ≥ 0 and sum to 1")
            names = np.arange(targets.shape[1]) if self.classes is None else np.asarray(self.classes)
            if len(names) != targets.shape[1]:
                raise ValueError(f"{len(names)} classes named for {targets.shape[1]} target columns")
            self.classes_ = names
            return targets
        from sklearn.utils.multiclass import check_classification_targets

        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"this needs at least two classes, and the labels hold 1 class ({self.classes_[0]})")
        return np.eye(len(self.classes_))[codes]

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self, "weights_")
        X = validate_data(self, X, accept_sparse="csr", dtype=np.float64, reset=False)
        scores = np.asarray(X @ self.weights_) + self.biases_
        return scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else scores

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "weights_")
        X = validate_data(self, X, accept_sparse="csr", dtype=np.float64, reset=False)
        return softmax(np.asarray(X @ self.weights_) + self.biases_, axis=1)

    def predict(self, X):
        check_is_fitted(self, "weights_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
