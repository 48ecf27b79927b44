"""The feedforward neural language model's network (Bengio et al. 2003, as the lecture draws it).

For a window of the previous n words with ids w1..wn::

    e = [E[w1]; ...; E[wn]]      one shared embedding matrix E (V × d), rows concatenated
    h = g(e W + b)               hidden layer, g = ReLU or tanh
    z = h U + c                  a score per vocabulary word
    ŷ = softmax(z)               P(w_t | window)

The backward pass is written out as the lecture derives it: ∂L/∂z = ŷ − y at the softmax, then the
chain rule back through U, g, W and into the rows of E that the window used. Everything runs on a
whole minibatch at once as matrix products (BLAS); no Python loop touches single tokens.

U and its bias c live in one (hidden + 1) × V matrix ``Uc`` (c is the last row), so one matrix
product gives z and one gives both gradients; :func:`output_views` hands them out separately.
"""

from __future__ import annotations

import numpy as np

from sentclf.nn.activations import activate, activation_slope
from sentclf.nn.threads import Workers

DTYPE = np.float32
SOFTMAX_BLOCK = 64  # rows per softmax chunk: 64 × 10k floats stay in the L2 cache between passes


class Workspace:
    """What one training run reuses from step to step: its worker threads, and the n × V score matrix.
    A fresh n × V array per step costs page faults on every step (10 MB for 256 × 10k floats), a
    visible share of it. One workspace serves one thread of training at a time."""

    def __init__(self, workers: Workers | None = None):
        self.workers = workers or Workers()
        self.scores: np.ndarray | None = None

    def scores_buffer(self, n: int, vocab_size: int, dtype) -> np.ndarray:
        buffer = self.scores
        if buffer is None or buffer.shape[0] < n or buffer.shape[1] != vocab_size or buffer.dtype != dtype:
            buffer = self.scores = np.empty((max(n, 1), vocab_size), dtype=dtype)
        return buffer[:n]


def init_params(vocab_size: int, window: int, dim: int, hidden: int, rng, unigram=None, tied: bool = False) -> dict:
    """Small random weights; the output bias starts at the log unigram distribution (if given), so
    training begins from the unigram model instead of from a uniform guess over V words.

    ``tied``: no U; the scores are z = (h P) Eᵀ + c, the output reusing the input embeddings E
    through a hidden × d projection P (Press & Wolf 2017): V × hidden fewer weights to overfit."""
    scale_in, scale_h = np.sqrt(2.0 / (window * dim)), np.sqrt(1.0 / hidden)
    bias = np.zeros(vocab_size) if unigram is None else np.log(np.maximum(unigram, 1e-12) / np.sum(unigram))
    params = {
        "E": rng.normal(0, 0.1, (vocab_size, dim)).astype(DTYPE),
        "W": rng.normal(0, scale_in, (window * dim, hidden)).astype(DTYPE),
        "b": np.full(hidden, 0.01, dtype=DTYPE),
    }
    if tied:
        params["P"] = rng.normal(0, scale_h, (hidden, dim)).astype(DTYPE)
        params["c"] = bias.astype(DTYPE)
    else:
        params["Uc"] = np.vstack([rng.normal(0, scale_h, (hidden, vocab_size)), bias[None, :]]).astype(DTYPE)
    return params


def output_factors(params: dict, h1: np.ndarray) -> tuple:
    """(x1, M) with z = x1 @ M: x1 = [h, 1] and M = [U; c], or for a tied model x1 = [h P, 1] and M = [Eᵀ; c]."""
    if "P" not in params:
        return h1, params["Uc"]
    E, P = params["E"], params["P"]
    x1 = np.empty((len(h1), P.shape[1] + 1), dtype=h1.dtype)
    np.matmul(h1[:, :-1], P, out=x1[:, :-1])
    x1[:, -1] = 1.0
    M = np.empty((E.shape[1] + 1, E.shape[0]), dtype=E.dtype)
    M[:-1], M[-1] = E.T, params["c"]
    return x1, M


def scores(params: dict, h1: np.ndarray) -> np.ndarray:
    x1, M = output_factors(params, h1)
    return x1 @ M


def output_views(params: dict) -> tuple:
    """(U, c): views into ``Uc``, so updating them updates the model (P and c for a tied model)."""
    if "P" in params:
        return params["P"], params["c"]
    return params["Uc"][:-1], params["Uc"][-1]


def dropout_masks(rng, n: int, params: dict, rate: float) -> tuple | None:
    """Inverted dropout for e and h: each unit kept with probability 1 − rate, kept ones scaled by
    1 / (1 − rate), so nothing changes at prediction time. None when rate is 0."""
    if not rate:
        return None
    sizes = (params["W"].shape[0], params["W"].shape[1])
    dtype = params["W"].dtype
    return tuple((rng.random((n, size)) >= rate).astype(dtype) * dtype.type(1 / (1 - rate)) for size in sizes)


def hidden_layer(params: dict, contexts: np.ndarray, activation: str, masks: tuple | None = None) -> tuple:
    """(e, h1): the concatenated window embeddings, and the hidden activations with a 1 appended
    (both multiplied by their dropout masks, if given)."""
    e = params["E"][contexts].reshape(len(contexts), -1)
    if masks is not None:
        e *= masks[0]
    h1 = np.empty((len(contexts), params["W"].shape[1] + 1), dtype=params["W"].dtype)
    np.matmul(e, params["W"], out=h1[:, :-1])
    h1[:, :-1] += params["b"]
    h1[:, :-1] = activate(h1[:, :-1], activation)
    if masks is not None:
        h1[:, :-1] *= masks[1]
    h1[:, -1] = 1.0
    return e, h1


def _exp_block(z: np.ndarray) -> np.ndarray:
    """In place: z becomes exp(z − max z) row by row. Returns [log Σ_j exp(z_j), 1 / Σ_j exp(z_j − max)]
    per row: the log-partition, and the scale that turns the row into softmax(z)."""
    top = z.max(axis=1, keepdims=True)
    z -= top
    np.exp(z, out=z)
    total = z.sum(axis=1, dtype=np.float64)
    return np.column_stack([np.log(total) + top.ravel(), 1.0 / total])


def exp_rows(z: np.ndarray, workers: Workers | None = None) -> tuple:
    """In place: each row of z becomes exp(z − max z), unnormalized (the caller folds 1/Σ into a smaller
    array). Cache-sized blocks go to a thread per core: numpy releases the GIL inside its loops, so the
    threads run in parallel. Returns (log-partition log Σ_j exp(z_j), softmax scale) per row."""
    blocks = [z[i : i + SOFTMAX_BLOCK] for i in range(0, len(z), SOFTMAX_BLOCK)]
    out = np.concatenate(workers.map(_exp_block, blocks) if workers else [_exp_block(b) for b in blocks])
    return out[:, 0], out[:, 1]


def loss_and_grads(
    params: dict,
    contexts: np.ndarray,
    targets: np.ndarray,
    activation: str,
    masks: tuple | None = None,
    workspace: Workspace | None = None,
) -> tuple:
    """Mean cross-entropy of the batch and its gradients: dense for W, b and U, c (or P, c); (rows,
    values) for E, dense when tied (the output then touches every row).

    With ŷ = softmax(z) and y one-hot, ∂L/∂z = (ŷ − y)/n. Written as ŷ = diag(1/s)·exp(z − m), with
    s a row's Σ exp(z − m), it is diag(1/(s n))·(exp(z − m) − s·y): the big matrix is exponentiated
    in place and only its n target entries are rewritten (each less its row's s), and the 1/(s n)
    scales the n rows of the small factors instead of the n × V matrix.
    """
    workspace = workspace or Workspace()
    n, rows_n = len(contexts), np.arange(len(contexts))
    e, h1 = hidden_layer(params, contexts, activation, masks)
    x1, M = output_factors(params, h1)
    z = np.matmul(x1, M, out=workspace.scores_buffer(n, M.shape[1], M.dtype))
    target_scores = z[rows_n, targets].astype(np.float64)
    log_partition, scale = exp_rows(z, workspace.workers)  # z now holds exp(z − max): ŷ up to a row scale
    loss = float(np.mean(log_partition - target_scores))
    z[rows_n, targets] -= (1.0 / scale).astype(z.dtype)  # z = s·(ŷ − y), row by row
    scale = (scale / n).astype(z.dtype)[:, None]
    # ∂L/∂M = x1ᵀ (ŷ − y)/n and ∂L/∂x = (ŷ − y)/n M[:-1]ᵀ, each one product
    grad_M = (x1 * scale).T @ z
    dx = (z @ M[:-1].T) * scale
    grads = _output_grads(params, grad_M, h1[:, :-1], dx)
    return loss, hidden_grads(params, contexts, e, h1, dx, activation, masks, grads)


def hidden_grads(params: dict, contexts, e, h1, dx, activation: str, masks, grads: dict) -> dict:
    """Add to ``grads`` those of P (tied), W, b and E, from ∂L/∂x, the loss's gradient at the output
    layer's input x (h for an untied model): the chain rule back through g, W and into E's rows."""
    h = h1[:, :-1]
    dh = dx @ params["P"].T if "P" in params else dx
    if masks is not None:  # back through the dropout: only kept units pass
        dh *= masks[1]
        h = h / np.where(masks[1] > 0, masks[1], 1)  # the activations before dropout, for g'(z)
    dz_hidden = dh * activation_slope(h, activation)
    grads["W"], grads["b"] = e.T @ dz_hidden, dz_hidden.sum(axis=0)
    de = dz_hidden @ params["W"].T
    if masks is not None:
        de *= masks[0]
    de = de.reshape(-1, params["E"].shape[1])
    if "P" in params:
        distinct, total = summed_rows(contexts.ravel(), de)
        grads["E"][distinct] += total
        return grads
    grads["E"] = summed_rows(contexts.ravel(), de)
    return grads


def summed_rows(rows: np.ndarray, values: np.ndarray) -> tuple:
    """(distinct rows, their summed values): a row that occurs twice in a batch collects both shares.
    The values are sorted by row and each run summed at once (np.add.at, one value at a time, was a
    sixteenth of a training step)."""
    if not len(rows):
        return rows, values[:0]
    order = np.argsort(rows, kind="stable")
    ordered = rows[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return ordered[starts], np.add.reduceat(values[order], starts, axis=0)


def _output_grads(params: dict, grad_M: np.ndarray, h: np.ndarray, dx: np.ndarray) -> dict:
    if "P" not in params:
        return {"Uc": grad_M}
    return {"P": h.T @ dx, "c": grad_M[-1].copy(), "E": np.ascontiguousarray(grad_M[:-1].T)}


def log_probs(params: dict, contexts: np.ndarray, activation: str, workers: Workers | None = None) -> np.ndarray:
    """log P(w | window) for every word: one row per context (use small batches for big V)."""
    _, h1 = hidden_layer(params, contexts, activation)
    z = scores(params, h1)
    log_partition, _ = exp_rows(z.copy(), workers)
    return z - log_partition[:, None]


def target_log_probs(
    params: dict,
    contexts: np.ndarray,
    targets: np.ndarray,
    activation: str,
    batch_size: int = 512,
    workers: Workers | None = None,
) -> np.ndarray:
    """log P(target | window) for each row, in batches, as float64; one batch × V score matrix is
    reused throughout (a fresh one per batch would hold two at once: 160 MB at V = 20k)."""
    out = np.empty(len(targets), dtype=np.float64)
    buffer = None
    for start in range(0, len(targets), batch_size):
        stop = start + batch_size
        _, h1 = hidden_layer(params, contexts[start:stop], activation)
        x1, M = output_factors(params, h1)
        if buffer is None:
            buffer = np.empty((len(x1), M.shape[1]), dtype=np.result_type(x1, M))
        z = np.matmul(x1, M, out=buffer[: len(x1)])
        picked = z[np.arange(len(z)), targets[start:stop]].astype(np.float64)
        out[start:stop] = picked - exp_rows(z, workers)[0]
    return out
