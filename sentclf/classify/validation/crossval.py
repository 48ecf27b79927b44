"""The lecture's comparison made rigorous: stratified k-fold CV over models x feature sets.

Every cell sees the same folds, so LR and the MLP are compared pairwise, fold by fold, with the
corrected resampled t-test of Nadeau & Bengio (2003): the plain paired t-test is too eager with CV
because the training sets of different folds overlap; the correction inflates the variance by
(1/k + n_test/n_train). What the cells are (the models, and the reference rows: the majority class
and the zero-training lexicon rule) is the caller's: ``compare`` builds them.
"""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from sentclf.classify.models.pipeline import fit_for_size
from sentclf.classify.parallel.packed import shared_tokens, unpacked
from sentclf.classify.parallel.processes import one_thread
from sentclf.classify.validation.significance import significance
from sentclf.errors import DataError

CURVE_FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)
REFERENCE_MODELS = ("majority", "lexicon rule")


def _run_fold(estimator, tokens, y: np.ndarray, train: np.ndarray, test: np.ndarray, in_worker: bool) -> dict:
    tokens = unpacked(tokens)
    fit_for_size(estimator, len(train), len(np.unique(y)))
    with one_thread(in_worker):
        start = time.perf_counter()
        estimator.fit([tokens[i] for i in train], y[train])
        fitted = time.perf_counter()
        predicted = estimator.predict([tokens[i] for i in test])
        seconds = time.perf_counter() - fitted
    return {
        "accuracy": float(accuracy_score(y[test], predicted)),
        "macro_f1": float(f1_score(y[test], predicted, average="macro", zero_division=0)),
        "train_seconds": fitted - start,
        "predict_docs_per_s": len(test) / seconds if seconds > 0 else math.inf,
        "n_train": len(train),
    }


def dispatch_rank(cell: tuple) -> tuple:
    """Slow cells first (the ensemble, the MLP, then anything on n-grams), so that with --jobs N the
    last tasks to finish are short ones and no worker waits long for another. Tasks go out one at a
    time (batch_size=1), so joblib's automatic batching cannot bundle several slow folds together."""
    features, model = cell
    return (model != "ensemble", model != "mlp", "ngrams" not in features, model in REFERENCE_MODELS)


def _run_tasks(tasks: list, tokens: list, y: np.ndarray, make_estimator, jobs: int) -> list:
    """Fit and score every (cell, key, train, test) task, in parallel with ``jobs`` workers. ``tasks``
    is sorted in place into dispatch order (stable: each cell's tasks keep their order); the results
    come back in that order."""
    tasks.sort(key=lambda task: dispatch_rank(task[0]))
    shared = shared_tokens(tokens, jobs)
    return Parallel(n_jobs=jobs, batch_size=1)(
        delayed(_run_fold)(make_estimator(cell), shared, y, train, test, jobs != 1) for cell, _, train, test in tasks
    )


def stratified_folds(y: np.ndarray, k: int, seed: int) -> list:
    """[(train_idx, test_idx)] of stratified k-fold CV, shuffled with ``seed``."""
    counts = np.unique(y, return_counts=True)[1]
    if len(counts) < 2 or counts.min() < k:
        raise DataError(
            f"{k}-fold CV needs at least {k} documents of every class and two "
            f"classes (smallest class: {counts.min()}): lower --cv or add data"
        )
    return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))


def run_cells(
    tokens: list, y: np.ndarray, cells: list, make_estimator, folds: list, jobs: int = 1, seed: int = 0
) -> dict:
    """Every cell (feature set, model) fitted and scored on the same folds, folds in parallel;
    ``make_estimator(cell)`` builds a cell's unfitted estimator. Per-fold scores are kept."""
    tasks = [(cell, fold, train, test) for cell in cells for fold, (train, test) in enumerate(folds)]
    results = _run_tasks(tasks, tokens, y, make_estimator, jobs)
    by_cell: dict[tuple, list] = {cell: [] for cell in cells}
    for (cell, _, _, _), result in zip(tasks, results):
        by_cell[cell].append(result)
    rows = [summarize(features, model, scores) for (features, model), scores in by_cell.items()]
    ratio = np.mean([len(test) for _, test in folds]) / np.mean([len(train) for train, _ in folds])
    return {
        "cv": len(folds),
        "seed": seed,
        "n_documents": len(y),
        "labels": sorted(set(y)),
        "cells": rows,
        "significance": significance(rows, len(folds), ratio) if len(folds) > 1 else [],
    }


def summarize(features: str, model: str, folds: list) -> dict:
    """Mean ± std over folds of each score, with every fold kept for re-analysis."""
    row: dict[str, Any] = {"features": features, "model": model, "folds": folds}
    for key in ("accuracy", "macro_f1", "train_seconds", "predict_docs_per_s"):
        values = np.asarray([f[key] for f in folds], dtype=float)
        row[f"{key}_mean"], row[f"{key}_std"] = (
            float(values.mean()),
            float(values.std(ddof=1)) if len(values) > 1 else 0.0,
        )
    return row


def learning_curve(
    tokens: list, y: np.ndarray, cells: list, make_estimator, folds: list, jobs: int = 1, seed: int = 0
) -> list:
    """Accuracy against training-set size: each fold's training part subsampled (stratified)."""
    tasks = []
    for cell, fraction, (train, test) in itertools.product(cells, CURVE_FRACTIONS, folds):
        tasks.append((cell, fraction, _subsample(train, fraction, y, seed), test))
    results = _run_tasks(tasks, tokens, y, make_estimator, jobs)
    curve: dict[tuple, list] = {}
    for (cell, fraction, subset, _), result in zip(tasks, results):
        curve.setdefault((cell, fraction), []).append((len(subset), result["accuracy"]))
    return [
        {
            "features": features,
            "model": model,
            "fraction": fraction,
            "n_train": int(np.mean([n for n, _ in runs])),
            "accuracy_mean": float(np.mean([a for _, a in runs])),
            "accuracy_std": float(np.std([a for _, a in runs], ddof=1)),
        }
        for ((features, model), fraction), runs in curve.items()
    ]


def _subsample(train: np.ndarray, fraction: float, y: np.ndarray, seed: int) -> np.ndarray:
    """A stratified fraction of a training fold, never fewer than two documents per class."""
    n_classes = len(np.unique(y[train]))
    size = min(max(round(fraction * len(train)), 2 * n_classes), len(train) - n_classes)
    if fraction >= 1.0 or size >= len(train) - n_classes:
        return train
    return train_test_split(train, train_size=size, stratify=y[train], random_state=seed)[0]
