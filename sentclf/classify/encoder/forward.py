"""The sentence encoder's network in numpy: the readable reference that the ONNX graph
(:mod:`.graph`) follows node for node, and that the tests compare it with.

The sentence vector is the mean of the last layer over the real tokens ([CLS] and [SEP] included,
padding not), L2-normalized. tests/golden/minilm_reference.json holds vectors made by transformers +
torch, which this code matches. Q, K and V come from one fused product; the GELU runs in slices on
worker threads while BLAS uses every core for the products.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erf

from sentclf.classify.encoder.weights import EPS, EncoderWeights
from sentclf.nn.threads import Workers

SQRT_HALF = np.float32(np.sqrt(0.5))
GELU_SLICE = 8192  # rows per GELU slice handed to a worker thread


def layer_norm(x: np.ndarray, gain_bias: tuple) -> np.ndarray:
    """In place over the last axis: (x − mean) / sqrt(var + ε) · gain + bias."""
    gain, bias = gain_bias
    x -= x.mean(axis=-1, keepdims=True)
    scale = np.sqrt(np.mean(np.square(x), axis=-1, keepdims=True) + EPS, dtype=np.float32)
    x /= scale
    x *= gain
    x += bias
    return x


def gelu(x: np.ndarray, workers: Workers) -> np.ndarray:
    """In place: x · Φ(x) = x · ½ (1 + erf(x / √2)), the exact GELU, in slices on the worker threads."""

    def one(part: np.ndarray) -> None:
        half = erf(part * SQRT_HALF)
        half += 1.0
        half *= 0.5
        part *= half

    workers.map(one, [x[i : i + GELU_SLICE] for i in range(0, len(x), GELU_SLICE)])
    return x


def forward(
    weights: EncoderWeights, ids: np.ndarray, mask: np.ndarray, workers: Workers, normalize: bool = True
) -> np.ndarray:
    """(batch, 384) sentence vectors of padded id rows (``mask``: 1 for real tokens); ``normalize``
    False gives the mean of the last layer as it is (what a fine-tuned encoder's head reads)."""
    n, length = ids.shape
    x = hidden_states(weights, ids, mask, workers, len(weights.layers)).reshape(n, length, weights.width)
    pooled = np.einsum("nlw,nl->nw", x, mask) / mask.sum(axis=1, keepdims=True)
    if not normalize:
        return pooled
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def hidden_states(weights: EncoderWeights, ids: np.ndarray, mask: np.ndarray, workers: Workers, depth: int):
    """(batch · length, 384): the token rows after the first ``depth`` layers (0: the embeddings)."""
    n, length = ids.shape
    emb = weights.embeddings
    x = emb["word"][ids] + emb["position"][:length] + emb["segment"]
    width, heads = weights.width, weights.heads
    x = layer_norm(x.reshape(n * length, width), emb["ln"])
    head = width // heads
    blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :].astype(np.float32)  # no attention to padding
    for layer in weights.layers[:depth]:
        qkv = x @ layer["qkv"]
        qkv += layer["qkv_b"]
        q, k, v = qkv.reshape(n, length, 3, heads, head).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2)
        scores *= np.float32(1.0 / np.sqrt(head))
        if length > 1 and not mask.all():
            scores += blocked
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, width)
        attended = context @ layer["out"]
        attended += layer["out_b"]
        attended += x
        x = layer_norm(attended, layer["ln1"])
        hidden = x @ layer["up"]
        hidden += layer["up_b"]
        out = gelu(hidden, workers) @ layer["down"]
        out += layer["down_b"]
        out += x
        x = layer_norm(out, layer["ln2"])
    return x
