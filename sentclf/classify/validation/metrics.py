"""Held-out metrics of a fitted model: accuracy with its Wilson interval, macro-F1, per-class
precision/recall/F1, confusion matrix, log loss, Brier score, throughput; and picking the best model."""

from __future__ import annotations

import math
import time

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, log_loss, precision_recall_fscore_support

Z95 = 1.959963984540054


def classification_metrics(y_true, y_pred, labels: list) -> dict:
    """Accuracy, macro-F1 and per-class precision/recall/F1/support, labels in the given order."""
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per_class = {
        str(label): {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support)
    }
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "per_class": per_class,
    }


def timed_fit(pipeline, X, y, **fit_params) -> float:
    """Fit and return the seconds it took."""
    start = time.perf_counter()
    pipeline.fit(X, y, **fit_params)
    return time.perf_counter() - start


def wilson_interval(correct: int, n: int, z: float = Z95) -> tuple:
    """Wilson score interval for a proportion (accuracy): better than ±1.96·se near 0 or 1 and for small n."""
    if n == 0:
        return (0.0, 1.0)
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def probability_metrics(y_true: list, proba: np.ndarray, classes: list) -> dict:
    """Log loss, the (multi-class) Brier score (mean over documents of sum_k (p_k - [y = k])^2) and the
    expected calibration error."""
    onehot = (np.asarray(y_true, dtype=object)[:, None] == np.asarray(classes, dtype=object)[None, :]).astype(float)
    return {
        "log_loss": float(log_loss(y_true, proba, labels=classes)),
        "brier": float(np.mean(np.sum((proba - onehot) ** 2, axis=1))),
        "calibration_error": calibration_error(y_true, proba, classes),
    }


def calibration_error(y_true: list, proba: np.ndarray, classes: list, bins: int = 10) -> float:
    """Expected calibration error of the top label: over 10 equal-width confidence bins, the
    document-weighted mean of |accuracy − mean confidence| (0: a label given with P = 0.8 is right 80%
    of the time). The reliability diagram of ``--plot`` draws the same bins."""
    if not len(proba):
        return 0.0
    confidence = proba.max(axis=1)
    correct = np.asarray(classes, dtype=object)[proba.argmax(axis=1)] == np.asarray(y_true, dtype=object)
    which = np.clip(np.digitize(confidence, np.linspace(0, 1, bins + 1)) - 1, 0, bins - 1)
    gaps = [
        abs(correct[which == b].mean() - confidence[which == b].mean()) * np.mean(which == b)
        for b in range(bins)
        if (which == b).any()
    ]
    return float(np.sum(gaps))


def score_model(pipeline, texts: list, y_true: list, labels: list, restrict: bool = False, priors=None) -> dict:
    """Held-out metrics, confusion matrix, log loss, Brier score, accuracy CI and throughput (docs/s,
    raw text in, tokenizing included). ``predictions``, ``proba`` and ``classes`` keep the
    per-document results for McNemar and plots: :func:`drop_details` removes them.

    ``restrict``: only ``labels`` compete; the model's other classes are dropped and the remaining
    probabilities renormalized (a three-class model scored on positive/negative data). ``priors``: the
    training priors, to correct the probabilities to those EM estimates on ``texts`` (before any
    restriction: the classes the data lacks are what the estimate learns to give little)."""
    start = time.perf_counter()
    proba = np.asarray(pipeline.predict_proba(texts), dtype=np.float64)
    if priors is not None:
        from sentclf.classify.models.priors import adapt_priors

        proba = adapt_priors(proba, priors)[0]
    seconds = time.perf_counter() - start
    return metrics_from_proba(y_true, proba, [str(c) for c in pipeline.classes_], labels, seconds, restrict)


def metrics_from_proba(y_true: list, proba: np.ndarray, classes: list, labels: list, seconds: float, restrict=False):
    """:func:`score_model`'s metrics from probabilities already computed (in ``seconds``)."""
    sums = proba.sum(axis=1, keepdims=True)
    if len(proba) and np.abs(sums - 1).max() > 1e-9:  # float32 members and averaging leave sums a hair off 1
        proba /= sums
    if restrict:
        columns = [classes.index(label) for label in labels]
        proba, classes = proba[:, columns], list(labels)
        proba /= np.maximum(proba.sum(axis=1, keepdims=True), 1e-12)
    y_pred = [classes[i] for i in np.argmax(proba, axis=1)]
    metrics = classification_metrics(y_true, y_pred, labels)
    correct = sum(a == b for a, b in zip(y_true, y_pred))
    metrics["accuracy_ci95"] = list(wilson_interval(correct, len(y_true)))
    metrics["confusion_matrix"] = confusion_matrix(y_true, y_pred, labels=labels).tolist()
    metrics.update(probability_metrics(y_true, proba, classes))
    metrics["predict_docs_per_s"] = len(y_true) / seconds if seconds > 0 else float("inf")
    metrics.update(predictions=y_pred, proba=proba, classes=classes)  # for tests and plots; see drop_details
    return metrics


def drop_details(metrics: dict) -> dict:
    """Remove the per-document arrays ``score_model`` keeps, leaving what a report or metadata stores."""
    for m in metrics.values():
        for key in ("predictions", "proba", "classes"):
            m.pop(key, None)
    return metrics


def best_model(metrics: dict) -> str:
    """The model with the highest macro-F1 (then accuracy); ties go to the first, the simpler one."""
    return max(metrics, key=lambda kind: (round(metrics[kind]["macro_f1"], 6), round(metrics[kind]["accuracy"], 6)))
