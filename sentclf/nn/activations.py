"""Activations g(z), their slopes written with a = g(z) as the backward pass has it, and softmax."""

from __future__ import annotations

import numpy as np

from sentclf.errors import ConfigError
from sentclf.nn import ACTIVATIONS


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


def softmax(z, axis: int = -1):
    """exp(z_i) / Σ_j exp(z_j) along ``axis``; the maximum is subtracted first so nothing overflows."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
