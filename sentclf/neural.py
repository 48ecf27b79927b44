"""The lecture's building blocks, in numpy: units and activations, softmax, a computation graph with
backward differentiation, the perceptron (and why it cannot do XOR), a two-layer network trained by
backpropagation, and the Adam optimizer that the neural language model (:mod:`sentclf.nnlm`) uses.

Everything here is small on purpose: the tests check it against the lecture's worked examples.

>>> round(float(unit([0.5, 0.6, 0.1], [0.2, 0.3, 0.9], 0.5)), 2)
0.7
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.optimize import linprog
from sklearn.base import BaseEstimator, ClassifierMixin

from sentclf.errors import ConfigError

ACTIVATIONS = ("relu", "tanh", "sigmoid")


def sigmoid(z):
    """σ(z) = 1 / (1 + e^−z), computed without overflow for large |z|."""
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))


def relu(z):
    return np.maximum(z, 0)


def activate(z, name: str):
    """Apply the named activation: relu, tanh or sigmoid."""
    if name == "relu":
        return relu(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return sigmoid(z)
    raise ConfigError(f"unknown activation '{name}': choose one of {', '.join(ACTIVATIONS)}")


def activation_slope(a, name: str):
    """dg/dz written with the activation's output a = g(z), as the backward pass has it at hand:
    ReLU 1 where a > 0, tanh 1 − a², sigmoid a(1 − a)."""
    if name == "relu":
        return (a > 0).astype(a.dtype)
    if name == "tanh":
        return 1 - a * a
    if name == "sigmoid":
        return a * (1 - a)
    raise ConfigError(f"unknown activation '{name}': choose one of {', '.join(ACTIVATIONS)}")


def unit(x, w, b: float, activation: str = "sigmoid"):
    """One neural unit: y = g(w·x + b)."""
    return activate(np.dot(np.asarray(w, dtype=float), np.asarray(x, dtype=float)) + b, activation)


def softmax(z, axis: int = -1):
    """exp(z_i) / Σ_j exp(z_j) along ``axis``; the maximum is subtracted first so nothing overflows."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


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
    result = linprog(np.zeros(X.shape[1] + 1), A_ub=constraints, b_ub=-np.ones(len(X)),
                     bounds=[(None, None)] * (X.shape[1] + 1), method="highs")
    return result.status == 0


def two_layer(X, W1, b1, W2, b2, activation: str = "relu", output: str = "sigmoid") -> tuple:
    """The lecture's two-layer network: h = g(W1 x + b1), y = output(W2 h + b2); returns (h, y).
    W1 is (hidden, inputs) as the lecture writes it; ``output`` is 'sigmoid' or 'identity'."""
    h = activate(np.asarray(X, dtype=float) @ np.asarray(W1, dtype=float).T + b1, activation)
    z = h @ np.asarray(W2, dtype=float).T + b2
    return h, (sigmoid(z) if output == "sigmoid" else z)


class TwoLayerNet(ClassifierMixin, BaseEstimator):
    """A binary two-layer network (one hidden layer, sigmoid output) trained by full-batch gradient
    descent with the backward pass written out: ∂L/∂z2 = ŷ − y, then back through W2 and g."""

    def __init__(self, hidden: int = 2, activation: str = "relu", learning_rate: float = 0.1,
                 epochs: int = 2000, random_state: int = 0):
        self.hidden, self.activation, self.learning_rate = hidden, activation, learning_rate
        self.epochs, self.random_state = epochs, random_state

    def fit(self, X, y):
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float).reshape(-1, 1)
        rng = np.random.default_rng(self.random_state)
        self.classes_ = np.array([0, 1])
        self.W1_ = rng.normal(0, 1, (self.hidden, X.shape[1]))
        self.b1_ = rng.uniform(0, 0.1, self.hidden)
        self.W2_, self.b2_ = rng.normal(0, 1, (1, self.hidden)), np.zeros(1)
        for _ in range(self.epochs):
            h, y_hat = two_layer(X, self.W1_, self.b1_, self.W2_, self.b2_, self.activation)
            dz2 = (y_hat - y) / len(X)                          # ∂L/∂z at the sigmoid + cross-entropy
            dz1 = (dz2 @ self.W2_) * activation_slope(h, self.activation)
            self.W2_ -= self.learning_rate * dz2.T @ h
            self.b2_ -= self.learning_rate * dz2.sum(axis=0)
            self.W1_ -= self.learning_rate * dz1.T @ X
            self.b1_ -= self.learning_rate * dz1.sum(axis=0)
        return self

    def predict_proba(self, X):
        p = two_layer(X, self.W1_, self.b1_, self.W2_, self.b2_, self.activation)[1].ravel()
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


_pool = None
PARALLEL_MIN = 1 << 18  # arrays at least this big are updated in one slice per core


def parallel(function, items: list) -> list:
    """``[function(item) for item in items]`` on a thread per core: numpy releases the GIL inside
    its loops, so slices of one big array are processed in parallel."""
    global _pool
    if len(items) < 2:
        return [function(item) for item in items]
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, 8), thread_name_prefix="sentclf")
    return list(_pool.map(function, items))


class Adam:
    """Adam (Kingma & Ba 2015) over a dict of numpy arrays, updated in place.

    ``step(grads)`` takes gradients by name: an array, or for embeddings a (rows, values) pair, in
    which case only those rows and their moments are updated ("lazy" Adam), so a batch costs what its
    words cost, not the whole vocabulary. Big arrays are updated in one slice per core.
    """

    def __init__(self, params: dict, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.m = {name: np.zeros_like(p) for name, p in params.items()}
        self.v = {name: np.zeros_like(p) for name, p in params.items()}
        self._buffers = {}

    def step(self, grads: dict) -> None:
        self.t += 1
        b1, b2 = self.betas
        rate = self.lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for name, grad in grads.items():
            if isinstance(grad, tuple):
                rows, values = grad
                m, v = self.m[name][rows], self.v[name][rows]
                self._update(m, v, values, self.params[name], rows, rate, None)
                self.m[name][rows], self.v[name][rows] = m, v
                continue
            parts = [self.m[name], self.v[name], grad, self.params[name]]
            n_slices = min(os.cpu_count() or 1, 8) if grad.size >= PARALLEL_MIN and grad.ndim else 1
            slices = list(zip(*(np.array_split(part, n_slices) for part in parts)))
            parallel(lambda job: self._update(*job[1], None, rate, self._scratch((name, job[0]), job[1][2])),
                     list(enumerate(slices)))

    def _update(self, m, v, grad, param, rows, rate: float, scratch) -> None:
        """m ← β1 m + (1 − β1) g; v ← β2 v + (1 − β2) g²; p ← p − rate · m / (√v + ε), all in place
        through one scratch array (fresh temporaries of a million floats cost page faults every step)."""
        b1, b2 = self.betas
        tmp = np.multiply(grad, 1 - b1, out=scratch)
        m *= b1
        m += tmp
        np.square(grad, out=tmp)
        tmp *= 1 - b2
        v *= b2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= rate
        if rows is None:
            param -= tmp
        else:
            param[rows] -= tmp

    def _scratch(self, key, like: np.ndarray) -> np.ndarray:
        """A scratch array per (parameter, slice), kept between steps."""
        if key not in self._buffers or self._buffers[key].shape != like.shape:
            self._buffers[key] = np.empty_like(like)
        return self._buffers[key]
