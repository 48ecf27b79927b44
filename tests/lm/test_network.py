"""The language model's backward pass against finite differences, for every parameter group."""

import numpy as np
import pytest

from sentclf.lm import network as nnlm

V, WINDOW, DIM, HIDDEN = 7, 3, 4, 5


def tiny_model(seed=0, tied=False):
    rng = np.random.default_rng(seed)
    params = nnlm.init_params(V, WINDOW, DIM, HIDDEN, rng, unigram=rng.random(V) + 0.1, tied=tied)
    params = {name: value.astype(np.float64) for name, value in params.items()}
    nnlm.output_views(params)[1][...] += rng.normal(0, 0.5, V)  # a bias that is not just the unigram
    params["b"] += rng.normal(0, 0.3, HIDDEN)
    # word 4 twice in one window and in several windows; [3, 3, 3] repeats a word three times
    contexts = np.array([[1, 1, 1], [1, 1, 4], [1, 4, 5], [4, 5, 4], [5, 4, 6], [3, 3, 3]])
    targets = np.array([4, 5, 4, 6, 2, 3])
    return params, contexts, targets


def dense(grads, params):
    out = dict(grads)
    if isinstance(grads["E"], tuple):
        rows, values = grads["E"]
        out["E"] = np.zeros_like(params["E"])
        out["E"][rows] = values
    return out


def numeric_gradient(params, name, loss, eps=1e-6):
    grad = np.zeros_like(params[name])
    it = np.nditer(params[name], flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        saved = params[name][i]
        params[name][i] = saved + eps
        up = loss()
        params[name][i] = saved - eps
        down = loss()
        params[name][i] = saved
        grad[i] = (up - down) / (2 * eps)
    return grad


def groups(grad_dict):
    """E, W, b, U and c apart (U and c are stored together in Uc); E, W, b, P and c when tied."""
    if "Uc" not in grad_dict:
        return dict(grad_dict)
    return {
        "E": grad_dict["E"],
        "W": grad_dict["W"],
        "b": grad_dict["b"],
        "U": grad_dict["Uc"][:-1],
        "c": grad_dict["Uc"][-1],
    }


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("dropout", [0.0, 0.4])
@pytest.mark.parametrize("tied", [False, True], ids=["U", "tied"])
def test_every_parameter_group_matches_finite_differences(activation, dropout, tied):
    params, contexts, targets = tiny_model(tied=tied)
    masks = nnlm.dropout_masks(np.random.default_rng(3), len(contexts), params, dropout)

    def loss():
        return nnlm.loss_and_grads(params, contexts, targets, activation, masks)[0]

    analytic = groups(dense(nnlm.loss_and_grads(params, contexts, targets, activation, masks)[1], params))
    numeric = groups({name: numeric_gradient(params, name, loss) for name in params})
    assert set(analytic) == set(numeric) == ({"E", "W", "b", "P", "c"} if tied else {"E", "W", "b", "U", "c"})
    for name in numeric:
        scale = max(np.abs(numeric[name]).max(), 1e-8)
        assert np.abs(analytic[name] - numeric[name]).max() / scale < 1e-6, name
        assert np.abs(numeric[name]).max() > 1e-4, f"{name}: the check must exercise a nonzero gradient"


def test_the_softmax_gradient_is_y_hat_minus_y():
    params, contexts, targets = tiny_model()
    _, h1 = nnlm.hidden_layer(params, contexts, "relu")
    z = h1 @ params["Uc"]
    y_hat = np.exp(z - z.max(1, keepdims=True))
    y_hat /= y_hat.sum(1, keepdims=True)
    y = np.eye(V)[targets]
    grad_Uc = nnlm.loss_and_grads(params, contexts, targets, "relu")[1]["Uc"]
    assert grad_Uc == pytest.approx(h1.T @ (y_hat - y) / len(targets))


def test_loss_is_the_mean_negative_log_likelihood():
    params, contexts, targets = tiny_model()
    loss = nnlm.loss_and_grads(params, contexts, targets, "tanh")[0]
    logp = nnlm.log_probs(params, contexts, "tanh")
    assert loss == pytest.approx(-logp[np.arange(len(targets)), targets].mean())
    assert nnlm.target_log_probs(params, contexts, targets, "tanh", batch_size=4) == pytest.approx(
        logp[np.arange(len(targets)), targets]
    )
    assert np.exp(logp).sum(axis=1) == pytest.approx(np.ones(len(contexts)))


def test_float32_training_step_keeps_its_dtype_and_the_unigram_bias():
    rng = np.random.default_rng(0)
    counts = np.array([0, 0, 5, 1, 1, 10, 3], dtype=float)
    params = nnlm.init_params(V, WINDOW, DIM, HIDDEN, rng, unigram=counts + 0.5)
    assert all(value.dtype == np.float32 for value in params.values())
    assert np.exp(params["Uc"][-1]).sum() == pytest.approx(1.0, rel=1e-5)
    loss, grads = nnlm.loss_and_grads(params, np.array([[1, 1, 1]]), np.array([5]), "relu")
    assert grads["Uc"].dtype == np.float32 and np.isfinite(loss)


def test_summed_rows_adds_every_share_of_a_repeated_row():
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 40, 500)
    values = rng.standard_normal((500, 6))
    expected = np.zeros((40, 6))
    np.add.at(expected, rows, values)
    distinct, total = nnlm.summed_rows(rows, values)
    assert np.array_equal(distinct, np.unique(rows))
    np.testing.assert_allclose(total, expected[distinct], rtol=1e-12, atol=1e-12)
    empty_rows, empty_total = nnlm.summed_rows(rows[:0], values[:0])
    assert empty_rows.shape == (0,) and empty_total.shape == (0, 6)
