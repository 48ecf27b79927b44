"""The sampled softmax: its gradients against finite differences, its proposal, and its training."""

import numpy as np
import pytest

from sentclf.lm import sampled
from sentclf.nn.optimizers import Adam
from tests.lm.test_network import V, numeric_gradient, tiny_model


def dense_grads(grads, params):
    out = dict(grads)
    rows, values = grads["E"]
    out["E"] = np.zeros_like(params["E"])
    out["E"][rows] = values
    columns, values, axis = grads["Uc"]
    assert axis == 1 and len(set(columns.tolist())) == len(columns)
    out["Uc"] = np.zeros_like(params["Uc"])
    out["Uc"][:, columns] = values.T
    return out


@pytest.mark.parametrize("dropout", [0.0, 0.4])
def test_sampled_gradients_match_finite_differences(dropout):
    from sentclf.lm import network as nnlm

    params, contexts, targets = tiny_model()
    masks = nnlm.dropout_masks(np.random.default_rng(3), len(contexts), params, dropout)
    samples = np.array([0, 2, 2, 6, 4])  # 2 twice; 4 and 6 are also some rows' targets (accidental hits)
    log_expected = sampled.Sampler(np.arange(1, V + 1)).log_expected(len(samples))

    def loss():
        return sampled.loss_and_grads(params, contexts, targets, "relu", samples, log_expected, masks)[0]

    analytic = dense_grads(
        sampled.loss_and_grads(params, contexts, targets, "relu", samples, log_expected, masks)[1], params
    )
    for name in params:
        numeric = numeric_gradient(params, name, loss)
        scale = max(np.abs(numeric).max(), 1e-8)
        assert np.abs(analytic[name] - numeric).max() / scale < 1e-6, name
        assert np.abs(numeric).max() > 1e-4, name
    untouched = sorted(set(range(V)) - set(targets.tolist()) - set(samples.tolist()))
    assert untouched == [1] and not analytic["Uc"][:, untouched].any()  # only targets' and samples' columns


def test_sampled_loss_is_the_cross_entropy_among_target_and_samples():
    params, contexts, targets = tiny_model()
    samples = np.array([0, 4])
    log_expected = np.zeros(V)
    loss = sampled.loss_and_grads(params, contexts[:1], targets[:1], "relu", samples, log_expected)[0]
    from sentclf.lm import network as nnlm

    z = nnlm.scores(params, nnlm.hidden_layer(params, contexts[:1], "relu")[1])[0]
    # row 0's target is 4, which is also a sample: that candidate is dropped, leaving {4 (target), 0}
    assert loss == pytest.approx(-(z[4] - np.logaddexp(z[4], z[0])))


def test_sampler_draws_by_count_to_the_three_quarters():
    sampler = sampled.Sampler(np.array([1, 16, 0, 81]))
    assert sampler.q == pytest.approx(np.array([1, 8, 1, 27]) / 37)  # a zero count counts as 1
    draws = sampler.draw(np.random.default_rng(0), 37_000)
    assert np.bincount(draws, minlength=4) / 37_000 == pytest.approx(sampler.q, abs=0.01)
    assert sampler.log_expected(10) == pytest.approx(np.log(10 * sampler.q))


def test_adam_updates_only_the_given_columns():
    params = {"Uc": np.ones((3, 5))}
    adam = Adam(params, lr=0.1)
    adam.step({"Uc": (np.array([1, 3]), np.ones((2, 3)), 1)})
    assert np.all(params["Uc"][:, [0, 2, 4]] == 1) and np.all(params["Uc"][:, [1, 3]] < 1)
    assert adam.m["Uc"][:, 1].any() and not adam.m["Uc"][:, 0].any()
