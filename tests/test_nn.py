"""The shared numpy blocks (sentclf.nn): softmax on the lecture's vector, activation slopes, Adam, workers."""

import numpy as np
import pytest

from sentclf.nn import ACTIVATIONS
from sentclf.nn.activations import activate, activation_slope, softmax
from sentclf.nn.optimizers import Adam
from sentclf.nn.threads import Workers


def test_softmax_of_the_lecture_vector():
    out = softmax([0.6, 1.1, -1.5, 1.2, 3.2, -1.1])
    lecture = [0.055, 0.090, 0.006, 0.099, 0.74, 0.010]
    # The slide mixes rounding and truncation (0.0067 is printed 0.006, 0.0999 is 0.099), so each value
    # is checked to within one unit of the slide's last digit.
    last_digit = np.array([1e-3, 1e-3, 1e-3, 1e-3, 1e-2, 1e-3])  # 0.74 is printed with two digits
    assert np.all(np.abs(out - lecture) <= last_digit)
    assert round(float(out[4]), 2) == 0.74
    assert out.tolist() == pytest.approx([0.05483, 0.09039, 0.00671, 0.09990, 0.73815, 0.01002], abs=1e-5)
    assert out.sum() == pytest.approx(1.0)


def test_softmax_survives_large_scores_and_works_row_wise():
    rows = softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    assert rows.ravel().tolist() == pytest.approx([0.5, 0.5, 0.25, 0.75])


def test_activation_slopes_match_finite_differences():
    z = np.array([-1.3, -0.2, 0.4, 2.0])
    for name in ACTIVATIONS:
        eps = 1e-6
        numeric = (activate(z + eps, name) - activate(z - eps, name)) / (2 * eps)
        assert activation_slope(activate(z, name), name) == pytest.approx(numeric, abs=1e-6)


def test_adam_minimizes_a_quadratic():
    params = {"x": np.array([5.0, -3.0])}
    opt = Adam(params, lr=0.1)
    for _ in range(500):
        opt.step({"x": 2 * params["x"]})
    assert np.abs(params["x"]).max() < 1e-2


@pytest.mark.parametrize("order", ["C", "F"])
def test_adam_on_big_arrays_in_slices_and_chunks_matches_the_formula(order):
    """An array past PARALLEL_MIN is split per core and each slice into CHUNK-sized pieces (a strided
    slice, of a Fortran-ordered array, in one piece); a lazy (rows, values) gradient updates only its
    rows: all the same numbers as Adam written out."""
    from sentclf.nn import optimizers

    rng = np.random.default_rng(0)
    shape = (7, optimizers.PARALLEL_MIN // 5)  # more than one slice per core and ragged last chunks
    start = rng.standard_normal(shape)
    params = {"U": start.copy(order=order), "E": start[:, :50].copy()}
    opt = Adam(params, lr=0.01, workers=Workers(2))
    m, v, x = np.zeros(shape), np.zeros(shape), start.copy()
    for t in range(1, 4):
        grad = np.asarray(rng.standard_normal(shape), order=order)
        opt.step({"U": grad, "E": (np.array([1, 4]), grad[[1, 4], :50])})
        m, v = 0.9 * m + 0.1 * grad, 0.999 * v + 0.001 * grad**2
        x -= 0.01 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(params["U"], x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(params["E"][[1, 4]], x[[1, 4], :50], rtol=1e-12, atol=1e-12)
    assert np.array_equal(params["E"][[0, 2, 3, 5, 6]], start[[0, 2, 3, 5, 6], :50])


def test_unknown_activation_is_a_config_error():
    from sentclf.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown activation"):
        activate(np.zeros(2), "softplus")


def test_workers_map_in_order_and_each_owner_has_its_own():
    a, b = Workers(2), Workers(2)
    assert a.map(lambda x: x * x, list(range(10))) == [x * x for x in range(10)]
    assert a.map(str, [1]) == ["1"] and b._pool is None  # one item runs inline; b never started threads
