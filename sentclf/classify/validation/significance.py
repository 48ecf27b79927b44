"""Is one model better than another? McNemar's exact test on one held-out split, and Nadeau &
Bengio's corrected resampled t-test on cross-validation folds (the plain paired t-test is too eager
with CV because the training sets of different folds overlap), with the verdict in words."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def mcnemar(y_true: list, pred_a: list, pred_b: list) -> dict:
    """Exact McNemar test on one held-out set: do two models err on different documents?"""
    a_only = sum(a == t != b for t, a, b in zip(y_true, pred_a, pred_b))
    b_only = sum(b == t != a for t, a, b in zip(y_true, pred_a, pred_b))
    p = float(stats.binomtest(a_only, a_only + b_only, 0.5).pvalue) if a_only + b_only else 1.0
    return {"test": "exact McNemar", "first_only_right": a_only, "second_only_right": b_only, "p_value": p}


def verdict(first: str, second: str, difference: float, p_value: float, alpha: float = 0.05) -> str:
    """The comparison in words."""
    if p_value >= alpha:
        return f"no significant difference between {first} and {second} (p = {p_value:.3f})"
    better, worse = (second, first) if difference > 0 else (first, second)
    return f"{better} is significantly better than {worse} (p = {p_value:.3g} < {alpha})"


def corrected_t_test(first: list, second: list, k: int, test_train_ratio: float | None = None) -> dict:
    """Nadeau & Bengio's corrected resampled t-test for k-fold CV (n_test/n_train = 1/(k-1) by default)."""
    ratio = 1 / (k - 1) if test_train_ratio is None else test_train_ratio
    d = np.asarray(second, dtype=float) - np.asarray(first, dtype=float)
    variance = d.var(ddof=1)
    if variance == 0:
        return {
            "mean_difference": float(d.mean()),
            "t": 0.0 if d.mean() == 0 else math.inf,
            "p_value": 1.0 if d.mean() == 0 else 0.0,
            "df": k - 1,
        }
    t = d.mean() / math.sqrt((1 / k + ratio) * variance)
    return {
        "mean_difference": float(d.mean()),
        "t": float(t),
        "p_value": float(2 * stats.t.sf(abs(t), k - 1)),
        "df": k - 1,
    }


def significance(rows: list, k: int, ratio: float | None = None) -> list:
    """LR vs MLP on each feature set, paired on the same folds."""
    out = []
    for features in dict.fromkeys(r["features"] for r in rows):
        cell = {r["model"]: r for r in rows if r["features"] == features}
        if {"lr", "mlp"} <= set(cell):
            test = corrected_t_test(
                [f["accuracy"] for f in cell["lr"]["folds"]], [f["accuracy"] for f in cell["mlp"]["folds"]], k, ratio
            )
            out.append(
                {
                    "features": features,
                    "test": "corrected resampled t-test (Nadeau & Bengio)",
                    **test,
                    "verdict": verdict("lr", "mlp", test["mean_difference"], test["p_value"]),
                }
            )
    return out


def held_out_comparison(metrics: dict, y_true: list) -> dict | None:
    """McNemar's test of LR vs MLP on the same documents."""
    predictions = {kind: m["predictions"] for kind, m in metrics.items()}
    if set(predictions) != {"lr", "mlp"}:
        return None
    result = mcnemar(y_true, predictions["lr"], predictions["mlp"])
    difference = metrics["mlp"]["accuracy"] - metrics["lr"]["accuracy"]
    return {**result, "verdict": verdict("lr", "mlp", difference, result["p_value"])}
