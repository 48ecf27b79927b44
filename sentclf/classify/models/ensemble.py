"""The ``ensemble`` model kind: several member pipelines, each a feature set with LR or the MLP,
combined by soft voting (their probabilities averaged), by stacking (a logistic regression on the
log-odds of the members' out-of-fold probabilities) or by blending (the same logistic regression
learned from one held-out share, :mod:`.blend`). scikit-learn's VotingClassifier and StackingClassifier
do the first two; every member is fitted inside each training fold, so cross-validation stays honest.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from sentclf.classify.models.blend import HoldoutStack
from sentclf.classify.models.spec import ENSEMBLE_METHODS, ModelConfig, parse_member
from sentclf.errors import ConfigError

# Stacking learns its weights on the members' out-of-fold probabilities: from 5 folds, or from 3 when
# the training data has LARGE_DATA documents or more. Each fold refits every member, so 3 folds fit
# each member 4 times instead of 6; on large data the out-of-fold probabilities are plentiful either way, while on
# small data each fold's members should see as much of it as they can (80%, not 67%). What the
# change cost and saved is measured in bench/README.md ("Figures behind the code's choices").
STACK_FOLDS = 5
LARGE_DATA_STACK_FOLDS = 3
LARGE_DATA = 20_000
# A fine-tuned encoder member (encoder:ft) costs minutes per fit, and stacking fits it once per fold
# and once on everything: 2 folds fit it 3 times (twice on half the data), 5 folds 6 times.
TUNED_STACK_FOLDS = 2


def stack_folds(n_train: int, tuned: bool = False) -> int:
    """How many folds the stacking model learns from, for ``n_train`` training documents (``tuned``:
    a member is the fine-tuned encoder)."""
    if tuned:
        return TUNED_STACK_FOLDS
    return LARGE_DATA_STACK_FOLDS if n_train >= LARGE_DATA else STACK_FOLDS


def member_name(member: str) -> str:
    """'six+encoder:mlp' → 'six+encoder_mlp' (a name scikit-learn accepts for a sub-estimator)."""
    features, kind = parse_member(member)
    return f"{features}_{kind}"


def build_ensemble(members: tuple, method: str, build_member, config: ModelConfig):
    """The combined estimator; ``build_member(feature_set, kind)`` builds one member's pipeline."""
    if method not in ENSEMBLE_METHODS:
        raise ConfigError(f"unknown ensemble method '{method}': choose {' or '.join(ENSEMBLE_METHODS)}")
    if len(members) < 2:
        raise ConfigError(f"an ensemble needs at least two members, not {len(members)}: --members A:lr,B:mlp")
    estimators = [(member_name(m), build_member(*parse_member(m))) for m in members]
    if method == "soft":
        return VotingClassifier(estimators, voting="soft")
    if method == "blend":
        return HoldoutStack(estimators, stacking_model(config), random_state=config.seed)
    return StackingClassifier(
        estimators,
        final_estimator=stacking_model(config),
        cv=StratifiedKFold(STACK_FOLDS, shuffle=True, random_state=config.seed),
        stack_method="predict_proba",
    )


def stacking_model(config: ModelConfig) -> Pipeline:
    """What stacking and blending learn on the members' probabilities: logistic regression on their log-odds."""
    return Pipeline(
        [
            ("log_odds", FunctionTransformer(log_odds)),
            (
                "clf",
                LogisticRegression(
                    C=1.0, class_weight=config.class_weight, max_iter=config.max_iter, random_state=config.seed
                ),
            ),
        ]
    )


def log_odds(probabilities):
    """log(p / (1 − p)) of each member's probabilities, clipped away from 0 and 1: the stacking model
    is linear in its members' log-odds, so a confident member (naive Bayes gives 0.999...) is not
    squashed into the same corner as a merely sure one (bench/README.md compares it with raw probabilities)."""
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-7, 1 - 1e-7)
    return np.log(p) - np.log1p(-p)


def is_ensemble(estimator) -> bool:
    return isinstance(estimator, (VotingClassifier, StackingClassifier, HoldoutStack))


def members_of(estimator) -> list:
    """[(member name, fitted pipeline)] of a fitted ensemble."""
    return list(zip([name for name, _ in estimator.estimators], estimator.estimators_))


def member_probabilities(estimator, documents: list) -> dict:
    """Each member's class probabilities for the documents: {member: array (n, classes)}."""
    return {name: member.predict_proba(documents) for name, member in members_of(estimator)}
