"""The lecture's networks, small on purpose: one neural unit, a computation graph with backward
differentiation, the perceptron (and the proof that it cannot compute XOR), and a two-layer network
trained by backpropagation. The tests check each against the lecture's worked examples.

>>> round(float(unit([0.5, 0.6, 0.1], [0.2, 0.3, 0.9], 0.5)), 2)
0.7
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from scipy.optimize import linprog
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from sentclf.nn import ACTIVATIONS
from sentclf.nn.activations import activate, activation_slope, sigmoid


def unit(x, w, b: float, activation: str = "sigmoid"):
    """One neural unit: y = g(w·x + b)."""
    return activate(np.dot(np.asarray(w, dtype=float), np.asarray(x, dtype=float)) + b, activation)


class Scalar:
    """A node of a computation graph over numbers: the forward pass builds the graph, ``backward()``
    walks it in reverse topological order applying the chain rule, leaving ∂L/∂node in ``grad``.

    >>> a, b, c = Scalar(3), Scalar(1), Scalar(-2)
    >>> L = c * (a + 2 * b); L.backward(); (L.value, a.grad, b.grad, c.grad)
    (-10.0, -2.0, -4.0, 5.0)
    """

    def __init__(self, value: float, parents: tuple = ()):
        self.value, self.grad, self.parents = float(value), 0.0, parents  # parents: (node, ∂self/∂node)

    def __add__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        return Scalar(self.value + other.value, ((self, 1.0), (other, 1.0)))

    def __mul__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        return Scalar(self.value * other.value, ((self, other.value), (other, self.value)))

    __radd__, __rmul__ = __add__, __mul__

    def backward(self) -> None:
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent, _ in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in node.parents:
                parent.grad += node.grad * local  # chain rule: upstream gradient × local derivative


def perceptron(X, w, b: float):
    """The perceptron: 1 if w·x + b > 0 else 0, for each row of X."""
    return (np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + b > 0).astype(int)


def train_perceptron(X, y, epochs: int = 100) -> tuple:
    """Rosenblatt's learning rule; returns (w, b, converged). It converges iff the data are separable."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        errors = 0
        for x, target in zip(X, y):
            update = target - int(x @ w + b > 0)
            w, b, errors = w + update * x, b + update, errors + abs(update)
        if errors == 0:
            return w, b, True
    return w, b, False


def linearly_separable(X, y) -> bool:
    """Whether any (w, b) makes the perceptron compute y on X: a linear-programming feasibility test
    of (2y − 1)(w·x + b) ≥ 1 for every row. A proof, where a failed perceptron run is only a hint."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    signs = (2 * y - 1).astype(float)
    constraints = -signs[:, None] * np.hstack([X, np.ones((len(X), 1))])
    result = linprog(
        np.zeros(X.shape[1] + 1),
        A_ub=constraints,
        b_ub=-np.ones(len(X)),
        bounds=[(None, None)] * (X.shape[1] + 1),
        method="highs",
    )
    return result.status == 0


def two_layer(X, W1, b1, W2, b2, activation: str = "relu", output: str = "sigmoid") -> tuple:
    """The lecture's two-layer network: h = g(W1 x + b1), y = output(W2 h + b2); returns (h, y).
    W1 is (hidden, inputs) as the lecture writes it; ``output`` is 'sigmoid' or 'identity'."""
    h = activate(np.asarray(X, dtype=float) @ np.asarray(W1, dtype=float).T + b1, activation)
    z = h @ np.asarray(W2, dtype=float).T + b2
    return h, (sigmoid(z) if output == "sigmoid" else z)


class TwoLayerNet(ClassifierMixin, BaseEstimator):
    """A binary two-layer network (one hidden layer, sigmoid output) trained by full-batch gradient
    descent with the backward pass written out: ∂L/∂z2 = ŷ − y, then back through W2 and g.
    Two classes (0 and 1 in the lecture's truth tables): the second is the sigmoid's."""

    _parameter_constraints: ClassVar[dict] = {
        "hidden": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        hidden: int = 2,
        activation: str = "relu",
        learning_rate: float = 0.1,
        epochs: int = 2000,
        random_state: int = 0,
    ):
        self.hidden = hidden
        self.activation = activation
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.random_state = random_state

    def fit(self, X, y):
        self._validate_params()
        X, y = validate_data(self, X, y, reset=True, dtype=float)
        check_classification_targets(y)
        if type_of_target(y, input_name="y", raise_unknown=True) != "binary":
            raise ValueError("Only binary classification is supported: TwoLayerNet has one sigmoid output")
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"TwoLayerNet needs two classes to tell apart, got {len(self.classes_)} class")
        y = (np.asarray(y) == self.classes_[1]).astype(float).reshape(-1, 1)
        rng = np.random.default_rng(self.random_state)
        self.W1_ = rng.normal(0, 1, (self.hidden, X.shape[1]))
        self.b1_ = rng.uniform(0, 0.1, self.hidden)
        self.W2_, self.b2_ = rng.normal(0, 1, (1, self.hidden)), np.zeros(1)
        for _ in range(self.epochs):
            h, y_hat = two_layer(X, self.W1_, self.b1_, self.W2_, self.b2_, self.activation)
            dz2 = (y_hat - y) / len(X)  # ∂L/∂z at the sigmoid + cross-entropy
            dz1 = (dz2 @ self.W2_) * activation_slope(h, self.activation)
            self.W2_ -= self.learning_rate * dz2.T @ h
            self.b2_ -= self.learning_rate * dz2.sum(axis=0)
            self.W1_ -= self.learning_rate * dz1.T @ X
            self.b1_ -= self.learning_rate * dz1.sum(axis=0)
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "W1_")
        X = validate_data(self, X, reset=False, dtype=float)
        p = two_layer(X, self.W1_, self.b1_, self.W2_, self.b2_, self.activation)[1].ravel()
        return np.column_stack([1 - p, p])

    def predict(self, X):
        positive = self.predict_proba(X)[:, 1] > 0.5
        return self.classes_[positive.astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
