"""The ``blend`` ensemble method: stacking that learns its weights from one held-out share of the
training documents instead of from k folds (Wolpert's stacked generalization with a hold-out, as
the Netflix Prize teams "blended").

k-fold stacking fits every member k + 1 times. That is cheap for n-gram members and dear for the
fine-tuned encoder, which costs minutes per fit: a blend fits it once, on the training share, and
early stopping checks it on the held-out share the stacking model then learns from (so the one
fine-tuning serves both). The other members are fitted on the training share to predict the
held-out one, then refitted on everything, as k-fold stacking refits them.

The held-out share also chose the encoder's best checkpoint, which flatters its held-out
probabilities a little; the stacking model may lean on it a little more than it has earned. What
the blend measures against k-fold stacking is in bench/README.md ("Fine-tuning the sentence encoder").
"""

from __future__ import annotations

import logging
from numbers import Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from sentclf.classify.models.parts import is_fine_tuned

log = logging.getLogger("sentclf")
HOLDOUT = 0.1
MIN_HELD = 20  # fewer held-out documents than this (or one class with fewer than 2): the members are averaged


def fit_member(estimator, X, y, X_held=None, y_held=None):
    """A fitted clone of ``estimator``; a fine-tuned encoder stops early on ``X_held``/``y_held``."""
    member = clone(estimator)
    if X_held is None or not is_fine_tuned(member):
        return member.fit(X, y)
    X_val = X_held
    for _, step in member.steps[:-1]:  # the tokenizer, which learns nothing
        X_val = step.transform(X_val)
    return member.fit(X, y, clf__X_val=X_val, clf__y_val=y_held)


class HoldoutStack(ClassifierMixin, BaseEstimator):
    """Members ``estimators`` ([(name, estimator)]) fitted on all but a stratified ``holdout`` share,
    and ``final_estimator`` fitted on their probabilities for that share; predicts with the members
    refitted on everything (the fine-tuned ones kept as fitted, their early stopping on the share)."""

    _parameter_constraints: ClassVar[dict] = {
        "estimators": [list],
        "final_estimator": [HasMethods(["fit", "predict_proba"])],
        "holdout": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimators, final_estimator, holdout=HOLDOUT, random_state=0):
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.holdout = holdout
        self.random_state = random_state

    def fit(self, X, y):
        from sklearn.model_selection import train_test_split

        self._validate_params()
        # the members learn label codes 0..K-1, as StackingClassifier's do, so that what reads an
        # ensemble's members (explain, info) reads both alike
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        n_held = round(self.holdout * len(codes))
        counts = np.bincount(codes)
        if n_held < max(MIN_HELD, len(counts)) or counts.min() < 2:
            log.info(
                "blend: %d documents are too few to hold %d out: the members' probabilities are averaged",
                len(codes),
                n_held,
            )
            self.estimators_ = Parallel()(delayed(fit_member)(est, X, codes) for _, est in self.estimators)
            self.final_estimator_ = None
            return self
        train, held = train_test_split(
            np.arange(len(codes)), test_size=n_held, stratify=codes, random_state=self.random_state
        )
        X_train, X_held = _safe_indexing(X, train), _safe_indexing(X, held)
        # in joblib's backend (train sets --jobs threads), as StackingClassifier fits its members
        fitted = Parallel()(
            delayed(fit_member)(est, X_train, codes[train], X_held, codes[held]) for _, est in self.estimators
        )
        probabilities = [member.predict_proba(X_held) for member in fitted]
        self.final_estimator_ = clone(self.final_estimator).fit(self._stacked(probabilities), codes[held])
        refitted = Parallel()(
            delayed(fit_member)(est, X, codes) for _, est in self.estimators if not is_fine_tuned(est)
        )
        self.estimators_ = [m if is_fine_tuned(m) else refitted.pop(0) for m in fitted]
        return self

    def _stacked(self, probabilities: list) -> np.ndarray:
        """The members' probabilities side by side; of two classes only the second's, as scikit-learn's
        StackingClassifier takes them (the first is one minus it)."""
        return np.hstack([p[:, 1:] if p.shape[1] == 2 else p for p in probabilities])

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        probabilities = [member.predict_proba(X) for member in self.estimators_]
        if self.final_estimator_ is None:
            return np.mean(probabilities, axis=0)
        return self.final_estimator_.predict_proba(self._stacked(probabilities))

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
