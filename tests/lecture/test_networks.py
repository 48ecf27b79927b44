"""The lecture's worked examples, computed through sentclf's own numpy code (sentclf.lecture.networks)."""

import numpy as np
import pytest

from sentclf.lecture import networks as neural

INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
AND, OR, XOR = np.array([0, 0, 0, 1]), np.array([0, 1, 1, 1]), np.array([0, 1, 1, 0])


def test_sigmoid_unit_gives_0_70():
    y = neural.unit(x=[0.5, 0.6, 0.1], w=[0.2, 0.3, 0.9], b=0.5)
    # z = 0.2·0.5 + 0.3·0.6 + 0.9·0.1 + 0.5 = 0.87; σ(0.87) = 0.7047
    assert y == pytest.approx(0.7047, abs=1e-4)
    assert round(float(y), 2) == 0.70


def test_computation_graph_backward_differentiation():
    a, b, c = neural.Scalar(3), neural.Scalar(1), neural.Scalar(-2)
    d = 2 * b
    e = a + d
    L = c * e
    L.backward()
    assert (d.value, e.value, L.value) == (2.0, 5.0, -10.0)
    assert (a.grad, b.grad, c.grad) == (-2.0, -4.0, 5.0)
    assert (e.grad, d.grad) == (-2.0, -2.0)  # ∂L/∂e = c, ∂L/∂d = ∂L/∂e · 1


def test_graph_accumulates_gradients_of_a_reused_node():
    x = neural.Scalar(3)
    y = x * x + x  # dy/dx = 2x + 1 = 7
    y.backward()
    assert x.grad == 7.0


@pytest.mark.parametrize("target", [AND, OR], ids=["AND", "OR"])
def test_perceptron_learns_and_and_or(target):
    w, b, converged = neural.train_perceptron(INPUTS, target)
    assert converged
    assert neural.perceptron(INPUTS, w, b).tolist() == target.tolist()
    assert neural.linearly_separable(INPUTS, target)


def test_the_lecture_perceptron_weights():
    assert neural.perceptron(INPUTS, [1, 1], -1).tolist() == AND.tolist()  # w = [1, 1], b = −1
    assert neural.perceptron(INPUTS, [1, 1], 0).tolist() == OR.tolist()  # w = [1, 1], b = 0


def test_no_perceptron_computes_xor():
    assert not neural.linearly_separable(INPUTS, XOR)  # a proof by linear programming
    assert not neural.train_perceptron(INPUTS, XOR, epochs=1000)[2]


def test_the_lecture_relu_network_computes_xor_exactly():
    W, b, u = np.array([[1, 1], [1, 1]]), np.array([0, -1]), np.array([[1, -2]])
    h, y = neural.two_layer(INPUTS, W, b, u, 0, activation="relu", output="identity")
    assert h.tolist() == [[0, 0], [1, 0], [1, 0], [2, 1]]  # the lecture's hidden values
    assert y.ravel().tolist() == XOR.tolist()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_two_layer_network_learns_xor_by_backprop(seed):
    net = neural.TwoLayerNet(hidden=4, activation="relu", learning_rate=0.5, epochs=3000, random_state=seed)
    assert net.fit(INPUTS, XOR) is net
    assert net.predict(INPUTS).tolist() == XOR.tolist()
    p = net.predict_proba(INPUTS)[:, 1]
    assert np.all(np.abs(p - XOR) < 0.2)
