"""The neural LM mixed with the Kneser-Ney baseline, as Bengio et al. (2003) report their best
results: P(w | h) = λ·P_neural(w | h) + (1 − λ)·P_KN(w | h).

λ is fitted on the held-out text by expectation-maximization. Each step sets λ to the mean, over the
held-out tokens, of the share of the mixed probability that came from the neural model. This is
the maximum-likelihood λ, and the held-out likelihood never goes down. It is stored in the LM file.
"""

from __future__ import annotations

import math

import numpy as np

EM_STEPS = 100
TOLERANCE = 1e-7


def fit_lambda(neural: np.ndarray, ngram: np.ndarray, steps: int = EM_STEPS) -> float:
    """The λ in [0, 1] that maximizes the held-out likelihood of the mixture, from each token's natural-log
    probability under the neural model and under the n-gram model."""
    neural, ngram = np.asarray(neural, dtype=np.float64), np.asarray(ngram, dtype=np.float64)
    if not len(neural):
        return 0.5
    lam = 0.5
    for _ in range(steps):
        a = math.log(lam) + neural if lam > 0 else np.full_like(neural, -np.inf)
        b = math.log1p(-lam) + ngram if lam < 1 else np.full_like(ngram, -np.inf)
        share = np.exp(a - np.logaddexp(a, b))
        new = float(np.mean(share))
        if abs(new - lam) < TOLERANCE:
            return new
        lam = new
    return lam


def mixed_log_probs(neural: np.ndarray, ngram: np.ndarray, lam: float) -> np.ndarray:
    """log(λ·exp(neural) + (1 − λ)·exp(ngram)), token by token."""
    neural, ngram = np.asarray(neural, dtype=np.float64), np.asarray(ngram, dtype=np.float64)
    if lam >= 1:
        return neural
    if lam <= 0:
        return ngram
    return np.logaddexp(math.log(lam) + neural, math.log1p(-lam) + ngram)
