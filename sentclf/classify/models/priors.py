"""Class-prior correction on the documents being scored (Saerens, Latinne & Decaestecker 2002).

A classifier's probabilities carry the class priors it was trained under. Scored on data whose
classes are mixed otherwise (tweets where a third are neutral, movie sentences where none are), its
decisions lean towards the training mix. Saerens et al.'s EM estimates the new priors from the
probabilities alone, with no labels: rescale every document's posterior by new prior / training
prior, renormalize, take the mean as the next estimate of the new priors, and repeat until it
settles. Both the adjusted probabilities and the estimate are returned.
"""

from __future__ import annotations

import numpy as np

MAX_ITER, TOL = 200, 1e-6


def training_priors(metadata: dict, classes: list) -> np.ndarray:
    """The priors a model file's models were trained under, in ``classes`` order: uniform when the
    classes were balanced (``class_weight="balanced"``, the accuracy recipe's default), else the
    training data's class frequencies."""
    if metadata.get("config", {}).get("model", {}).get("class_weight") == "balanced":
        return np.full(len(classes), 1.0 / len(classes))
    counts = metadata.get("data", {}).get("class_counts") or {}
    if not counts:
        return np.full(len(classes), 1.0 / len(classes))
    values = np.array([float(counts.get(c, 0)) for c in classes]) + 1.0  # a class never seen: tiny, not zero
    return values / values.sum()


def adapt_priors(proba: np.ndarray, train: np.ndarray, max_iter: int = MAX_ITER, tol: float = TOL) -> tuple:
    """(adjusted probabilities, estimated priors of the scored documents): Saerens et al.'s EM."""
    proba = np.asarray(proba, dtype=np.float64)
    train = np.asarray(train, dtype=np.float64)
    if not len(proba):
        return proba, train
    priors = proba.mean(axis=0)
    adjusted = proba
    for _ in range(max_iter):
        adjusted = proba * (priors / train)
        adjusted /= np.maximum(adjusted.sum(axis=1, keepdims=True), 1e-300)
        new = adjusted.mean(axis=0)
        if np.abs(new - priors).max() < tol:
            priors = new
            break
        priors = new
    return adjusted, priors
