"""Metrics and the side-by-side comparison of trained models."""
from __future__ import annotations

import time

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support


def classification_metrics(y_true, y_pred, labels: list) -> dict:
    """Accuracy, macro-F1 and per-class precision/recall/F1/support, labels in the given order."""
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
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


def score_model(pipeline, texts: list, y_true: list, labels: list) -> dict:
    """Held-out metrics plus prediction throughput (docs/s, raw text in, tokenizing included)."""
    start = time.perf_counter()
    proba = pipeline.predict_proba(texts)
    seconds = time.perf_counter() - start
    classes = list(pipeline.classes_)
    y_pred = [classes[i] for i in np.argmax(proba, axis=1)]
    metrics = classification_metrics(y_true, y_pred, labels)
    metrics["predict_docs_per_s"] = len(texts) / seconds if seconds > 0 else float("inf")
    return metrics


def best_model(metrics: dict) -> str:
    """The model with the highest macro-F1 (then accuracy); ties go to the first, the simpler one."""
    return max(metrics, key=lambda kind: (round(metrics[kind]["macro_f1"], 6), round(metrics[kind]["accuracy"], 6)))
