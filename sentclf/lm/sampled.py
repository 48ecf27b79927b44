"""Sampled softmax (Jean et al. 2015), for ``lm train --loss sampled``: training without the full
softmax over a large vocabulary, the model unchanged.

Each batch draws k words from a proposal q (the training unigram distribution raised to 0.75, as
word2vec and fastText do), shared by every row. A row's loss is the cross-entropy of its target
among the target and the k samples, each score corrected by − log(k·q(w)), the log of how often w
is expected among the draws: with that correction the gradient approximates the full softmax's, so
the trained network is still a full-softmax model. Only the output columns of the targets and the
samples are touched, so a step costs n × (h + 1) × k multiply-adds three times instead of × V, and
Adam updates just those columns.

Perplexity is always computed exactly, with the full softmax (:func:`network.target_log_probs`).
"""

from __future__ import annotations

import numpy as np

from sentclf.lm import network

PROPOSAL_POWER = 0.75


class Sampler:
    """Draws word ids from q ∝ count^0.75; ``log_expected(k)`` is log(k·q(w)) for every word."""

    def __init__(self, counts: np.ndarray, power: float = PROPOSAL_POWER):
        weights = np.maximum(np.asarray(counts, dtype=np.float64), 1.0) ** power
        self.q = weights / weights.sum()
        self.cdf = np.cumsum(self.q)

    def draw(self, rng, k: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cdf, rng.random(k), side="right"), len(self.q) - 1)

    def log_expected(self, k: int) -> np.ndarray:
        return np.log(k * self.q)


def loss_and_grads(
    params: dict,
    contexts: np.ndarray,
    targets: np.ndarray,
    activation: str,
    samples: np.ndarray,
    log_expected: np.ndarray,
    masks: tuple | None = None,
) -> tuple:
    """Mean sampled-softmax loss of the batch and its gradients: dense for W and b, (rows, values)
    for E, and (columns, values, 1) for Uc: only the columns of the targets and ``samples``.
    Untied models only (a tied model's output is E itself)."""
    n = len(contexts)
    e, h1 = network.hidden_layer(params, contexts, activation, masks)
    Uc = params["Uc"]
    dtype = Uc.dtype
    true = np.einsum("ij,ji->i", h1, Uc[:, targets]) - log_expected[targets].astype(dtype)
    sampled = h1 @ Uc[:, samples] - log_expected[samples].astype(dtype)
    sampled[samples[None, :] == targets[:, None]] = -np.inf  # a sample that is the row's target: not a negative
    logits = np.column_stack([true, sampled])
    top = logits.max(axis=1, keepdims=True)
    p = np.exp(logits - top)
    total = p.sum(axis=1, keepdims=True, dtype=np.float64)
    loss = float(np.mean(np.log(total).ravel() + top.ravel() - true))
    g = (p / (total * n)).astype(dtype)  # ∂L/∂logits: softmax over the k + 1 candidates, minus 1 at the target
    g[:, 0] -= dtype.type(1 / n)
    columns = np.concatenate([targets, samples])
    values = np.vstack([g[:, :1] * h1, (h1.T @ g[:, 1:]).T])
    grads: dict = {"Uc": (*network.summed_rows(columns, values), 1)}
    dx = g[:, :1] * Uc[:-1, targets].T + g[:, 1:] @ Uc[:-1, samples].T
    return loss, network.hidden_grads(params, contexts, e, h1, dx, activation, masks, grads)
