"""Backpropagation through the sentence encoder, written as the lecture writes it: every node of
:mod:`.forward`'s network keeps what its local derivative needs on the way forward, and on the way
back multiplies that derivative by the gradient arriving from above. The products (most of the
work) are matrix products, so BLAS does them; the rest is a few passes over arrays.

A layer, for T = batch × length token rows of width W (post-LayerNorm BERT, as MiniLM is)::

    q, k, v = split(x Wqkv + bqkv)            per head: p = softmax(q kᵀ/√d + mask)
    a = dropout((p v) Wo + bo) + x            x1 = LN1(a)
    h = x1 Wup + bup                          g = h Φ(h)            (the erf GELU)
    o = dropout(g Wdown + bdown) + x1         x2 = LN2(o)

and the embeddings: e = LN(word[ids] + position[:L] + segment). Gradients are returned in a dict
keyed like the parameters (``down``, ``ln2.g``, ...). tests/classify/encoder/test_backprop.py checks
every one against finite differences on a tiny random BERT in float64.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erf

from sentclf.classify.encoder.weights import EPS

LAYER_PARAMS = ("qkv", "qkv_b", "out", "out_b", "ln1.g", "ln1.b", "up", "up_b", "down", "down_b", "ln2.g", "ln2.b")
EMBEDDING_PARAMS = ("word", "position", "segment", "ln.g", "ln.b")
NO_DECAY = ("_b", ".b", ".g", "position", "segment")  # biases, LayerNorm gains and offsets: no weight decay
INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
# Abramowitz & Stegun 7.1.26: erf(a) = 1 − t(a1 + t(a2 + t(a3 + t(a4 + t a5)))) e^(−a²), t = 1/(1 + p a),
# for a ≥ 0, within 1.5e-7 of erf everywhere: float32's own precision. scipy's erf is exact but costs
# 8x a matrix product of the same rows (bench/README.md, "Fine-tuning"); the e^(−a²) it needs is the
# Gaussian density the backward pass needs too.
AS_P_HALF = np.float32(0.3275911 * np.sqrt(0.5))
AS_HALF = tuple(np.float32(a / 2) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))
GELU_CHUNK = 1 << 16  # elements per chunk: the three float32 chunks in flight stay in L2


def flat_layer(layer: dict) -> dict:
    """A layer of :class:`.weights.EncoderWeights` as one array per name (LayerNorm's gain and bias apart)."""
    out = {name: layer[name] for name in LAYER_PARAMS if "." not in name}
    for ln in ("ln1", "ln2"):
        out[f"{ln}.g"], out[f"{ln}.b"] = layer[ln]
    return out


def nested_layer(flat: dict) -> dict:
    """The inverse of :func:`flat_layer`: the same arrays (not copies), as the forward pass reads them."""
    out = {name: flat[name] for name in LAYER_PARAMS if "." not in name}
    for ln in ("ln1", "ln2"):
        out[ln] = (flat[f"{ln}.g"], flat[f"{ln}.b"])
    return out


def decays(name: str) -> bool:
    """Whether AdamW's weight decay applies to a parameter: matrices yes, biases and norms no."""
    return not name.endswith(NO_DECAY)


def column_sums(a: np.ndarray) -> np.ndarray:
    """Σ over the rows of a (T, W) array, as a BLAS product with a vector of ones: a bias's gradient.
    numpy's ``sum(axis=0)`` makes the same row-by-row sums, more slowly (bench/README.md, "Fine-tuning")."""
    return np.ones(a.shape[0], dtype=a.dtype) @ a


def ln_forward(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> tuple:
    """(y, (x̂, 1/σ)): y = x̂ · gain + bias over the last axis, x̂ = (x − μ)/σ, σ = √(var + ε).
    The row sums are einsums, which make no temporary array (bench/README.md, "Fine-tuning")."""
    width = x.shape[-1]
    xhat = x - (np.einsum("tw->t", x)[:, None] / width)
    variance = np.einsum("tw,tw->t", xhat, xhat)[:, None] / width
    rstd = (1.0 / np.sqrt(variance + EPS)).astype(x.dtype)
    xhat *= rstd
    y = np.multiply(xhat, gain)
    y += bias
    return y, (xhat, rstd)


def ln_backward(dy: np.ndarray, cache: tuple, gain: np.ndarray, grads: dict, name: str) -> np.ndarray:
    """dx of a LayerNorm; adds d(gain), d(bias) to ``grads[name + '.g' / '.b']``.

    With x̂ normalized, dx = (1/σ)(dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)), dx̂ = dy · gain."""
    xhat, rstd = cache
    width = xhat.shape[-1]
    grads[f"{name}.g"] = np.einsum("tw,tw->w", dy, xhat)
    grads[f"{name}.b"] = column_sums(dy)
    dx = dy * gain
    projection = np.einsum("tw,tw->t", dx, xhat)[:, None] / width
    dx -= np.einsum("tw->t", dx)[:, None] / width
    dx -= xhat * projection
    dx *= rstd
    return dx


def gelu(hidden: np.ndarray) -> tuple:
    """(h Φ(h), Φ(h) + h φ(h)): the erf GELU and its derivative, elementwise, φ the Gaussian density.

    The derivative is what the backward pass needs, so it is made here, while each chunk is in cache,
    and the forward pass keeps two arrays instead of h, Φ(h), e^(−h²/2) and h Φ(h).
    float32: :data:`AS_HALF`'s approximation, a cache-sized chunk at a time (on one thread: two
    threads measured no faster, bench/README.md); float64 (the gradient checks): scipy's exact erf."""
    if hidden.dtype != np.float32:
        phi = 0.5 * (1.0 + erf(hidden * np.sqrt(0.5)))
        return hidden * phi, phi + hidden * np.exp(-0.5 * np.square(hidden)) * INV_SQRT_2PI
    activated, slope = np.empty_like(hidden), np.empty_like(hidden)
    flat, out_act, out_slope = hidden.reshape(-1), activated.reshape(-1), slope.reshape(-1)
    t_buffer, g_buffer = np.empty(GELU_CHUNK, np.float32), np.empty(GELU_CHUNK, np.float32)

    def one(start: int) -> None:
        part = slice(start, min(start + GELU_CHUNK, flat.size))
        h = flat[part]
        t, g, phi = t_buffer[: len(h)], g_buffer[: len(h)], out_slope[part]
        np.abs(h, out=t)
        t *= AS_P_HALF  # p / √2: the approximation reads a = |h| / √2
        t += np.float32(1.0)
        np.reciprocal(t, out=t)
        np.square(h, out=g)
        g *= np.float32(-0.5)
        np.exp(g, out=g)
        q = np.multiply(t, AS_HALF[4], out=phi)  # the coefficients are halved: q = Φ(−|h|)
        for c in AS_HALF[3::-1]:
            q += c
            q *= t
        q *= g
        np.subtract(np.float32(0.5), q, out=q)  # Φ(h) = ½ + sign(h) (½ − Φ(−|h|))
        np.copysign(q, h, out=q)
        q += np.float32(0.5)
        np.multiply(h, phi, out=out_act[part])
        g *= h
        g *= np.float32(INV_SQRT_2PI)
        phi += g  # the slope, in place of Φ

    for start in range(0, flat.size, GELU_CHUNK):
        one(start)
    return activated, slope


def dropout_mask(shape: tuple, rate: float, rng, dtype) -> np.ndarray | None:
    """Inverted dropout's mask (kept units scaled by 1/(1 − rate)), or None when nothing is dropped.

    Each unit is kept when a 16-bit slice of the generator's raw 64-bit output reaches rate · 2¹⁶: four
    units per draw, a third of the cost of a float per unit (the rate is then a multiple of 2⁻¹⁶)."""
    if rate <= 0 or rng is None:
        return None
    size = int(np.prod(shape))
    raw = rng.bit_generator.random_raw(-(-size // 4)).view(np.uint16)[:size].reshape(shape)
    mask = np.greater_equal(raw, np.uint16(round(rate * 65536))).astype(dtype)
    mask *= dtype(1.0 / (1.0 - rate))
    return mask


def attention_bias(mask: np.ndarray, dtype) -> np.ndarray:
    """(n, 1, 1, L): 0 for real tokens, −1e9 for padding, added to the attention scores."""
    return ((1.0 - mask) * -1e9)[:, None, None, :].astype(dtype)


def layer_forward(layer: dict, x: np.ndarray, shape: tuple, bias: np.ndarray, dropout: float = 0.0, rng=None):
    """(x2, cache) of one layer; ``layer`` is flat (:func:`flat_layer`), ``x`` is (T, W), ``shape`` (n, L, heads)."""
    n, length, heads = shape
    width = x.shape[1]
    head = width // heads
    scale = x.dtype.type(1.0 / np.sqrt(head))
    qkv = x @ layer["qkv"]
    qkv += layer["qkv_b"]
    q, k, v = qkv.reshape(n, length, 3, heads, head).transpose(2, 0, 3, 1, 4)
    scores = q @ k.transpose(0, 1, 3, 2)
    scores *= scale
    scores += bias
    scores -= scores.max(axis=-1, keepdims=True)
    probs = np.exp(scores, out=scores)
    probs /= np.einsum("nhij->nhi", probs)[..., None]
    context = (probs @ v).transpose(0, 2, 1, 3).reshape(n * length, width)
    x1, drop1, ln1 = residual_norm(context, layer, "out", "ln1", x, dropout, rng)
    hidden = x1 @ layer["up"]
    hidden += layer["up_b"]
    activated, slope = gelu(hidden)
    del hidden  # the backward pass reads the GELU's slope, not its input
    x2, drop2, ln2 = residual_norm(activated, layer, "down", "ln2", x1, dropout, rng)
    return x2, (x, q, k, v, probs, context, drop1, x1, ln1, slope, activated, drop2, ln2, shape)


def residual_norm(inputs: np.ndarray, layer: dict, dense: str, norm: str, residual: np.ndarray, dropout, rng):
    """(LN(dropout(inputs · W + b) + residual), the dropout mask, LN's cache): how both of a layer's
    sublayers end, the attention's output projection and the feed-forward's down projection."""
    out = inputs @ layer[dense]
    out += layer[f"{dense}_b"]
    drop = dropout_mask(out.shape, dropout, rng, inputs.dtype.type)
    if drop is not None:
        out *= drop
    out += residual
    y, cache = ln_forward(out, layer[f"{norm}.g"], layer[f"{norm}.b"])
    return y, drop, cache


def layer_backward(layer: dict, cache: tuple, dy: np.ndarray, need_dx: bool = True) -> tuple:
    """(dx, grads) of one layer, from the gradient ``dy`` of its output (T, W); dx is None unless needed."""
    x, q, k, v, probs, context, drop1, x1, ln1, slope, activated, drop2, ln2, shape = cache
    n, length, heads = shape
    width = x.shape[1]
    head = width // heads
    scale = x.dtype.type(1.0 / np.sqrt(head))
    grads: dict = {}
    d_out = ln_backward(dy, ln2, layer["ln2.g"], grads, "ln2")
    dx1 = d_out.copy()  # the residual
    if drop2 is not None:
        d_out *= drop2
    grads["down"] = activated.T @ d_out
    grads["down_b"] = column_sums(d_out)
    d_hidden = d_out @ layer["down"].T
    d_hidden *= slope  # d/dh [h Φ(h)], made by gelu() on the way forward
    grads["up"] = x1.T @ d_hidden
    grads["up_b"] = column_sums(d_hidden)
    dx1 += d_hidden @ layer["up"].T
    d_att = ln_backward(dx1, ln1, layer["ln1.g"], grads, "ln1")
    dx = d_att.copy() if need_dx else None
    if drop1 is not None:
        d_att *= drop1
    grads["out"] = context.T @ d_att
    grads["out_b"] = column_sums(d_att)
    d_context = (d_att @ layer["out"].T).reshape(n, length, heads, head).transpose(0, 2, 1, 3)
    d_probs = d_context @ v.transpose(0, 1, 3, 2)
    d_qkv = np.empty((3, n, heads, length, head), dtype=x.dtype)
    np.matmul(probs.transpose(0, 1, 3, 2), d_context, out=d_qkv[2])
    # softmax: ds = p ⊙ (dp − Σ dp ⊙ p); then the 1/√d scale
    d_scores = d_probs
    d_scores -= np.einsum("nhij,nhij->nhi", d_probs, probs)[..., None]
    d_scores *= probs
    d_scores *= scale
    np.matmul(d_scores, k, out=d_qkv[0])
    np.matmul(d_scores.transpose(0, 1, 3, 2), q, out=d_qkv[1])
    d_qkv_rows = d_qkv.transpose(1, 3, 0, 2, 4).reshape(n * length, 3 * width)
    grads["qkv"] = x.T @ d_qkv_rows
    grads["qkv_b"] = column_sums(d_qkv_rows)
    if need_dx:
        dx += d_qkv_rows @ layer["qkv"].T
    return dx, grads


def embed_forward(emb: dict, ids: np.ndarray, dropout: float = 0.0, rng=None) -> tuple:
    """(e, cache): the embeddings' LayerNorm of word + position + segment, (T, W); ``emb`` is flat."""
    n, length = ids.shape
    x = emb["word"][ids] + emb["position"][:length] + emb["segment"]
    e, ln = ln_forward(x.reshape(n * length, -1), emb["ln.g"], emb["ln.b"])
    drop = dropout_mask(e.shape, dropout, rng, e.dtype.type)
    if drop is not None:
        e *= drop
    return e, (ids, ln, drop)


def embed_backward(emb: dict, cache: tuple, de: np.ndarray) -> dict:
    """The embeddings' gradients; the word table's as (rows, values): only the rows the batch used."""
    ids, ln, drop = cache
    n, length = ids.shape
    if drop is not None:
        de = de * drop
    grads: dict = {}
    dx = ln_backward(de, ln, emb["ln.g"], grads, "ln")
    grads["segment"] = column_sums(dx)
    grads["position"] = np.zeros_like(emb["position"])
    grads["position"][:length] = dx.reshape(n, length, -1).sum(axis=0)
    rows, inverse = np.unique(ids.reshape(-1), return_inverse=True)
    values = np.zeros((len(rows), dx.shape[1]), dtype=dx.dtype)
    np.add.at(values, inverse.reshape(-1), dx)
    grads["word"] = (rows, values)
    return grads


def mean_pool(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(n, W): the mean of each row's real tokens; ``x`` is (n, L, W)."""
    return np.einsum("nlw,nl->nw", x, mask) / mask.sum(axis=1, keepdims=True)


def mean_pool_backward(d_pooled: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(n·L, W): the gradient of the token rows from that of their mean."""
    share = (mask / mask.sum(axis=1, keepdims=True)).astype(d_pooled.dtype)
    return (share[:, :, None] * d_pooled[:, None, :]).reshape(-1, d_pooled.shape[1])


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray, weights: np.ndarray) -> tuple:
    """(loss, dlogits): Σᵢ wᵢ · −log softmax(zᵢ)[yᵢ] / Σᵢ wᵢ; ``targets`` are class indices or, as
    rows of probabilities (soft targets), −Σ_c t_c log p_c."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    if targets.ndim == 1:
        onehot = np.zeros_like(logits)
        onehot[np.arange(len(targets)), targets] = 1.0
        targets = onehot
    total = weights.sum()
    loss = float(-(weights[:, None] * targets * log_probs).sum() / total)
    dlogits = (np.exp(log_probs) - targets) * (weights / total)[:, None]
    return loss, dlogits.astype(logits.dtype)
