"""The lecture's comparison made rigorous: stratified k-fold CV over models x feature sets.

Every cell sees the same folds, so LR and the MLP are compared pairwise, fold by fold, with the
corrected resampled t-test of Nadeau & Bengio (2003): the plain paired t-test is too eager with CV
because the training sets of different folds overlap; the correction inflates the variance by
(1/k + n_test/n_train). Reference rows: the majority class and the zero-training lexicon rule.
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np
from joblib import Parallel, delayed
from scipy import stats
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from sentclf.errors import ConfigError, DataError
from sentclf.evaluate import verdict
from sentclf.models import (MODEL_KINDS, EmbeddingConfig, LexiconRule, ModelConfig, build_pipeline, fit_for_size,
                            polarity_labels)

FEATURE_SETS = ("six", "six+emb", "emb", "six+ngrams", "ngrams")
CURVE_FRACTIONS = (0.1, 0.25, 0.5, 0.75, 1.0)


@dataclass
class CompareConfig:
    """What to cross-validate: folds, models, feature sets, and how to build them."""

    cv: int = 10
    models: tuple = MODEL_KINDS
    features: tuple | None = None  # None: six, six+ngrams, ngrams, and six+emb, emb with embeddings
    seed: int = 0
    jobs: int = 1
    learning_curve: bool = False
    model: ModelConfig = field(default_factory=ModelConfig)
    embeddings: EmbeddingConfig = field(default_factory=EmbeddingConfig)

    def feature_sets(self) -> tuple:
        has_emb = self.embeddings.source is not None
        chosen = self.features or (("six", "six+emb", "emb") if has_emb else ("six",)) + ("six+ngrams", "ngrams")
        unknown = [f for f in chosen if f not in FEATURE_SETS]
        if unknown:
            raise ConfigError(f"unknown feature set {', '.join(unknown)}: choose from {', '.join(FEATURE_SETS)}")
        if not has_emb and any("emb" in f for f in chosen):
            raise ConfigError("feature sets with 'emb' need --embeddings SOURCE")
        return tuple(chosen)

    def validate(self) -> None:
        if self.cv < 2:
            raise ConfigError(f"--cv must be at least 2, not {self.cv}")
        if not self.models or any(m not in MODEL_KINDS for m in self.models):
            raise ConfigError(f"--models takes lr, mlp or lr,mlp, not {','.join(self.models) or '(none)'}")
        self.feature_sets()
        self.model.validate()


def make_estimator(feature_set: str, kind: str, lexicon, config: CompareConfig, table):
    """The pipeline of one cell; 'majority' and 'lexicon rule' are the reference rows."""
    if kind == "majority":
        return DummyClassifier(strategy="most_frequent")
    if kind == "lexicon rule":
        return LexiconRule(lexicon=lexicon)
    parts = set(feature_set.split("+"))
    emb = EmbeddingConfig(config.embeddings.source, config.embeddings.fmt, config.embeddings.pool,
                          config.embeddings.keep_vectors) if "emb" in parts else None
    return build_pipeline(kind, lexicon, config.model, emb, table, ngrams="ngrams" in parts, six="six" in parts)


def _run_fold(estimator, tokens: list, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> dict:
    fit_for_size(estimator, len(train), len(np.unique(y)))
    start = time.perf_counter()
    estimator.fit([tokens[i] for i in train], y[train])
    fitted = time.perf_counter()
    predicted = estimator.predict([tokens[i] for i in test])
    seconds = time.perf_counter() - fitted
    return {"accuracy": float(accuracy_score(y[test], predicted)),
            "macro_f1": float(f1_score(y[test], predicted, average="macro", zero_division=0)),
            "train_seconds": fitted - start, "predict_docs_per_s": len(test) / seconds if seconds > 0 else math.inf,
            "n_train": int(len(train))}


def _cells(config: CompareConfig, labels: np.ndarray) -> list:
    cells = [("reference", "majority")]
    if polarity_labels(np.unique(labels))[0] is not None:
        cells.append(("six", "lexicon rule"))
    return cells + [(f, m) for f in config.feature_sets() for m in config.models]


def cross_validate(tokens: list, labels: list, lexicon, config: CompareConfig, table=None, folds=None) -> dict:
    """Every cell on the same stratified folds (or the given ``folds``: [(train_idx, test_idx), ...],
    e.g. a corpus' own fold field or one train/test split), folds in parallel; per-fold scores kept."""
    config.validate()
    y = np.asarray(labels, dtype=object).astype(str)
    counts = np.unique(y, return_counts=True)[1]
    if folds is None:
        if len(counts) < 2 or counts.min() < config.cv:
            raise DataError(f"{config.cv}-fold CV needs at least {config.cv} documents of every class and two "
                            f"classes (smallest class: {counts.min()}): lower --cv or add data")
        folds = list(StratifiedKFold(config.cv, shuffle=True, random_state=config.seed).split(np.zeros(len(y)), y))
    cells = _cells(config, y)
    tasks = [(cell, fold, train, test) for cell in cells for fold, (train, test) in enumerate(folds)]
    results = Parallel(n_jobs=config.jobs)(
        delayed(_run_fold)(make_estimator(*cell, lexicon, config, table), tokens, y, train, test)
        for cell, _, train, test in tasks)
    by_cell = {cell: [] for cell in cells}
    for (cell, _, _, _), result in zip(tasks, results):
        by_cell[cell].append(result)
    rows = [summarize(features, model, scores) for (features, model), scores in by_cell.items()]
    ratio = np.mean([len(test) for _, test in folds]) / np.mean([len(train) for train, _ in folds])
    report = {"cv": len(folds), "seed": config.seed, "n_documents": len(y), "labels": sorted(set(y)),
              "cells": rows, "significance": significance(rows, len(folds), ratio) if len(folds) > 1 else []}
    if config.learning_curve:
        report["learning_curve"] = learning_curve(tokens, y, folds, lexicon, config, table)
    return report


def summarize(features: str, model: str, folds: list) -> dict:
    """Mean ± std over folds of each score, with every fold kept for re-analysis."""
    row = {"features": features, "model": model, "folds": folds}
    for key in ("accuracy", "macro_f1", "train_seconds", "predict_docs_per_s"):
        values = np.asarray([f[key] for f in folds], dtype=float)
        row[f"{key}_mean"], row[f"{key}_std"] = float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0
    return row


def corrected_t_test(first: list, second: list, k: int, test_train_ratio: float | None = None) -> dict:
    """Nadeau & Bengio's corrected resampled t-test for k-fold CV (n_test/n_train = 1/(k-1) by default)."""
    ratio = 1 / (k - 1) if test_train_ratio is None else test_train_ratio
    d = np.asarray(second, dtype=float) - np.asarray(first, dtype=float)
    variance = d.var(ddof=1)
    if variance == 0:
        return {"mean_difference": float(d.mean()), "t": 0.0 if d.mean() == 0 else math.inf,
                "p_value": 1.0 if d.mean() == 0 else 0.0, "df": k - 1}
    t = d.mean() / math.sqrt((1 / k + ratio) * variance)
    return {"mean_difference": float(d.mean()), "t": float(t), "p_value": float(2 * stats.t.sf(abs(t), k - 1)),
            "df": k - 1}


def significance(rows: list, k: int, ratio: float | None = None) -> list:
    """LR vs MLP on each feature set, paired on the same folds."""
    out = []
    for features in dict.fromkeys(r["features"] for r in rows):
        cell = {r["model"]: r for r in rows if r["features"] == features}
        if {"lr", "mlp"} <= set(cell):
            test = corrected_t_test([f["accuracy"] for f in cell["lr"]["folds"]],
                                    [f["accuracy"] for f in cell["mlp"]["folds"]], k, ratio)
            out.append({"features": features, "test": "corrected resampled t-test (Nadeau & Bengio)", **test,
                        "verdict": verdict("lr", "mlp", test["mean_difference"], test["p_value"])})
    return out


def learning_curve(tokens: list, y: np.ndarray, folds: list, lexicon, config: CompareConfig, table) -> list:
    """Accuracy against training-set size: each fold's training part subsampled (stratified)."""
    cells = [(f, m) for f in config.feature_sets() for m in config.models]
    tasks = []
    for cell, fraction, (train, test) in itertools.product(cells, CURVE_FRACTIONS, folds):
        tasks.append((cell, fraction, _subsample(train, fraction, y, config.seed), test))
    results = Parallel(n_jobs=config.jobs)(
        delayed(_run_fold)(make_estimator(*cell, lexicon, config, table), tokens, y, subset, test)
        for cell, _, subset, test in tasks)
    curve = {}
    for (cell, fraction, subset, _), result in zip(tasks, results):
        curve.setdefault((cell, fraction), []).append((len(subset), result["accuracy"]))
    return [{"features": features, "model": model, "fraction": fraction,
             "n_train": int(np.mean([n for n, _ in runs])), "accuracy_mean": float(np.mean([a for _, a in runs])),
             "accuracy_std": float(np.std([a for _, a in runs], ddof=1))}
            for ((features, model), fraction), runs in curve.items()]


def _subsample(train: np.ndarray, fraction: float, y: np.ndarray, seed: int) -> np.ndarray:
    """A stratified fraction of a training fold, never fewer than two documents per class."""
    n_classes = len(np.unique(y[train]))
    size = min(max(int(round(fraction * len(train))), 2 * n_classes), len(train) - n_classes)
    if fraction >= 1.0 or size >= len(train) - n_classes:
        return train
    return train_test_split(train, train_size=size, stratify=y[train], random_state=seed)[0]
