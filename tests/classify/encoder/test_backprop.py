"""Backpropagation through the encoder, checked against finite differences on a tiny random BERT in
float64: every parameter of a layer, the embeddings, the pooling and the head, with padding and dropout."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from sentclf.classify.encoder import backprop as bp
from sentclf.classify.encoder.weights import load_weights
from tests.classify.encoder.test_encoder import make_fake_bert


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    folder = make_fake_bert(tmp_path_factory.mktemp("bert"), width=8, heads=2, layers=2)
    loaded, _ = load_weights(folder)
    return loaded


def as64(arrays: dict) -> dict:
    return {name: np.array(a, dtype=np.float64) for name, a in arrays.items()}


def network(weights, seed: int = 0, dropout: float = 0.0):
    """Parameters (float64) of both layers, the embeddings and a 3-class head; a padded batch; the loss."""
    rng = np.random.default_rng(seed)
    emb = weights.embeddings
    params = as64(
        {
            "word": emb["word"],
            "position": emb["position"],
            "segment": emb["segment"],
            "ln.g": emb["ln"][0],
            "ln.b": emb["ln"][1],
        }
    )
    for i, layer in enumerate(weights.layers):
        params.update({f"l{i}.{k}": v for k, v in as64(bp.flat_layer(layer)).items()})
    params["head.w"] = rng.normal(0, 0.5, (weights.width, 3))
    params["head.b"] = rng.normal(0, 0.1, 3)
    ids = np.array([[2, 4, 7, 8, 3], [2, 6, 3, 0, 0], [2, 9, 5, 7, 3]])
    mask = (np.arange(5)[None, :] < np.array([[5], [3], [5]])).astype(np.float64)
    y = np.array([0, 2, 1])
    sample_weights = np.array([1.0, 2.0, 0.5])

    def run(p: dict, want_grads: bool = False, drop_seed: int = 1):
        drng = np.random.default_rng(drop_seed) if dropout else None
        embedding = {k: p[k] for k in bp.EMBEDDING_PARAMS}
        x, ecache = bp.embed_forward(embedding, ids, dropout, drng)
        caches = []
        bias = bp.attention_bias(mask, np.float64)
        for i in range(len(weights.layers)):
            layer = {k: p[f"l{i}.{k}"] for k in bp.LAYER_PARAMS}
            x, cache = bp.layer_forward(layer, x, (3, 5, weights.heads), bias, dropout, drng)
            caches.append((layer, cache))
        pooled = bp.mean_pool(x.reshape(3, 5, -1), mask)
        logits = pooled @ p["head.w"] + p["head.b"]
        loss, dlogits = bp.softmax_cross_entropy(logits, y, sample_weights)
        if not want_grads:
            return loss
        grads = {"head.w": pooled.T @ dlogits, "head.b": dlogits.sum(axis=0)}
        dx = bp.mean_pool_backward(dlogits @ p["head.w"].T, mask)
        for i in reversed(range(len(weights.layers))):
            dx, layer_grads = bp.layer_backward(*caches[i], dx)
            grads.update({f"l{i}.{k}": v for k, v in layer_grads.items()})
        embedding_grads = bp.embed_backward(embedding, ecache, dx)
        rows, values = embedding_grads.pop("word")
        word = np.zeros_like(p["word"])
        word[rows] = values
        grads.update(embedding_grads, word=word)
        return loss, grads

    return params, run


def numeric(run, params: dict, name: str, n: int = 12, h: float = 1e-6, seed: int = 0) -> tuple:
    """Central differences of the loss along ``n`` entries of one parameter (the entries chosen at random)."""
    rng = np.random.default_rng(seed)
    flat = params[name].reshape(-1)
    picks = rng.choice(flat.size, size=min(n, flat.size), replace=False)
    out = []
    for i in picks:
        keep = flat[i]
        flat[i] = keep + h
        up = run(params)
        flat[i] = keep - h
        down = run(params)
        flat[i] = keep
        out.append((up - down) / (2 * h))
    return picks, np.array(out)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_every_gradient_matches_finite_differences(weights, dropout):
    params, run = network(weights, dropout=dropout)
    _, grads = run(params, want_grads=True)
    assert set(grads) == set(params)
    for name in params:
        picks, want = numeric(run, params, name)
        got = grads[name].reshape(-1)[picks]
        if name == "word":  # rows the batch never used have no gradient: check those it used
            assert np.all(grads[name][[1, 0]] == 0.0)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8, err_msg=name)


def test_the_checker_fails_on_a_wrong_gradient(weights, monkeypatch):
    """The check above can fail: with the GELU's derivative taken as Φ(h) alone (the h φ(h) term
    dropped), the up-projection's gradient no longer matches."""
    params, run = network(weights)
    monkeypatch.setattr(bp, "INV_SQRT_2PI", 0.0)
    _, grads = run(params, want_grads=True)
    monkeypatch.undo()
    picks, want = numeric(run, params, "l0.up")
    assert not np.allclose(grads["l0.up"].reshape(-1)[picks], want, rtol=1e-3)


def test_padding_changes_nothing(weights):
    """A row's loss and gradients do not depend on how much padding its batch adds."""
    params, _ = network(weights)
    layer = {k: params[f"l0.{k}"] for k in bp.LAYER_PARAMS}
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1 * 3, weights.width))
    short, _ = bp.layer_forward(layer, x, (1, 3, weights.heads), bp.attention_bias(np.ones((1, 3)), np.float64))
    padded_x = np.vstack([x, rng.normal(size=(2, weights.width))])
    mask = np.array([[1.0, 1.0, 1.0, 0.0, 0.0]])
    long, _ = bp.layer_forward(layer, padded_x, (1, 5, weights.heads), bp.attention_bias(mask, np.float64))
    np.testing.assert_allclose(long[:3], short, rtol=1e-10)


def test_soft_targets_give_the_cross_entropy_gradient():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4, 3))
    targets = rng.dirichlet(np.ones(3), size=4)
    weights = np.ones(4)
    loss, grad = bp.softmax_cross_entropy(logits, targets, weights)
    h = 1e-6
    for i, j in [(0, 0), (1, 2), (3, 1)]:
        up, down = logits.copy(), logits.copy()
        up[i, j] += h
        down[i, j] -= h
        numeric_grad = (
            bp.softmax_cross_entropy(up, targets, weights)[0] - bp.softmax_cross_entropy(down, targets, weights)[0]
        ) / (2 * h)
        assert grad[i, j] == pytest.approx(numeric_grad, rel=1e-5)
    assert loss > 0


def test_decay_applies_to_matrices_only():
    assert bp.decays("l5.qkv") and bp.decays("head.w") and bp.decays("word")
    assert not any(bp.decays(n) for n in ("l5.qkv_b", "l5.ln1.g", "l5.ln2.b", "ln.g", "position", "segment", "head.b"))


def test_the_float32_gelu_and_its_slope_are_within_float32_precision_of_the_exact_ones():
    from scipy.special import erf

    h = np.concatenate([np.linspace(-12, 12, 200_001), [0.0, -0.0, 1e-30, -1e-30]]).astype(np.float32)
    activated, slope = bp.gelu(h)  # 200,005 values: the last chunk is a ragged one
    exact_h = h.astype(np.float64)
    phi = 0.5 * (1 + erf(exact_h / np.sqrt(2)))
    # Φ is within 1.5e-7 of erf's (A&S 7.1.26): h Φ(h) within that times |h|, plus float32 rounding
    assert np.all(np.abs(activated - exact_h * phi) <= 3e-7 * np.abs(exact_h) + 1.2e-7 * np.abs(exact_h * phi))
    # Φ(h) + h φ(h), whose h φ(h) is at most 0.242
    want_slope = phi + exact_h * np.exp(-0.5 * exact_h**2) / np.sqrt(2 * np.pi)
    assert np.abs(slope - want_slope).max() < 1e-6
    assert activated.dtype == slope.dtype == np.float32
    assert slope[np.argmin(np.abs(h - 1.0))] == pytest.approx(1.0833, abs=1e-4)  # Φ(1) + φ(1)


def test_the_float64_gelu_is_the_exact_one():
    h = np.linspace(-5, 5, 11)
    activated, slope = bp.gelu(h)
    step = 1e-6
    numeric = (bp.gelu(h + step)[0] - bp.gelu(h - step)[0]) / (2 * step)  # central differences
    np.testing.assert_allclose(slope, numeric, rtol=1e-7, atol=1e-9)
    assert activated[5] == 0.0 and activated[-1] == pytest.approx(5 * 0.9999997133, rel=1e-9)


def test_dropout_keeps_the_asked_share_and_scales_what_it_keeps():
    rng = np.random.default_rng(0)
    mask = bp.dropout_mask((1000, 384), 0.1, rng, np.float32)
    kept = mask > 0
    assert abs(kept.mean() - 0.9) < 0.003
    np.testing.assert_allclose(mask[kept], 1 / 0.9, rtol=1e-6)
    assert (
        bp.dropout_mask((3, 5), 0.0, rng, np.float32) is None and bp.dropout_mask((3, 5), 0.1, None, np.float32) is None
    )
    odd = bp.dropout_mask((3, 5), 0.5, rng, np.float64)  # 15 units: not a multiple of four per draw
    assert odd.shape == (3, 5) and odd.dtype == np.float64


@pytest.mark.skipif(
    importlib.util.find_spec("onnxruntime") is None or importlib.util.find_spec("onnx") is None,
    reason="onnxruntime not installed",
)
def test_the_graph_of_the_frozen_layers_gives_the_numpy_hidden_states(weights):
    from sentclf.classify.encoder.forward import hidden_states
    from sentclf.classify.encoder.graph import session
    from sentclf.nn.threads import Workers

    ids = np.array([[2, 4, 7, 8, 3], [2, 6, 3, 0, 0]])
    mask = (ids > 0).astype(np.float32)
    for depth in (0, 1, 2):
        got = session(weights, 1, depth=depth).run(["hidden"], {"ids": ids, "mask": mask})[0]
        want = hidden_states(weights, ids, mask, Workers(1), depth).reshape(2, 5, -1)
        np.testing.assert_allclose(got[mask > 0], want[mask > 0], rtol=1e-4, atol=1e-5)
