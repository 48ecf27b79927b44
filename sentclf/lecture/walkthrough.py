"""The lecture's worked examples, computed step by step with :mod:`.networks` and returned as plain
values for ``sentclf lecture`` to print (and plot): one sigmoid unit, the sentiment classifier's
z = w·x + b, the computation graph L = c(a + 2b) forward and backward, and XOR (no perceptron
computes it; a two-layer ReLU network does, by hand and by backpropagation).

Every number here is the lecture's (Jurafsky & Martin, SLP ch. 5 and 7); the tests check each one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sentclf.lecture.networks import (
    Scalar,
    TwoLayerNet,
    linearly_separable,
    perceptron,
    train_perceptron,
    two_layer,
)
from sentclf.nn.activations import sigmoid

# the unit of the lecture's example
UNIT_W, UNIT_B, UNIT_X = (0.2, 0.3, 0.9), 0.5, (0.5, 0.6, 0.1)
# the sentiment classifier of SLP ch. 5: weights of x1..x6, bias, and the textbook review's features
SENTIMENT_W, SENTIMENT_B = (2.5, -5.0, -1.2, 0.5, 2.0, 0.7), 0.1
TEXTBOOK_X = (3.0, 2.0, 1.0, 3.0, 0.0, 4.19)
SIX_NAMES = ("x1 positive words", "x2 negative words", 'x3 "no"', "x4 1st/2nd pronouns", 'x5 "!"', "x6 ln(tokens)")
# XOR: the inputs, the targets, and the lecture's hand-set ReLU network (Goodfellow et al. 2016)
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
TARGETS = {"AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "XOR": (0, 1, 1, 0)}
XOR_W, XOR_B, XOR_U = np.array([[1, 1], [1, 1]]), np.array([0, -1]), np.array([[1, -2]])


@dataclass
class LinearStep:
    """y = σ(w·x + b) written out: each w_i·x_i, the sum z and σ(z)."""

    names: tuple
    w: tuple
    x: tuple
    b: float
    products: list = field(default_factory=list)
    z: float = 0.0
    y: float = 0.0

    def as_dict(self) -> dict:
        return {
            "names": list(self.names),
            "w": list(self.w),
            "x": list(self.x),
            "b": self.b,
            "products": self.products,
            "z": self.z,
            "y": self.y,
        }


def linear_step(names, w, x, b) -> LinearStep:
    step = LinearStep(tuple(names), tuple(float(v) for v in w), tuple(float(v) for v in x), float(b))
    step.products = [wi * xi for wi, xi in zip(step.w, step.x)]
    step.z = sum(step.products) + step.b
    step.y = float(sigmoid(step.z))
    return step


def unit() -> dict:
    """The lecture's unit: w = [0.2, 0.3, 0.9], b = 0.5, x = [0.5, 0.6, 0.1]: z = 0.87, y = 0.70."""
    return linear_step(("x1", "x2", "x3"), UNIT_W, UNIT_X, UNIT_B).as_dict()


def sentiment(x=TEXTBOOK_X, text: str | None = None) -> dict:
    """The ch. 5 classifier on a document's six features (the textbook review's by default):
    P(+) = σ(w·x + b), with w = [2.5, −5.0, −1.2, 0.5, 2.0, 0.7] and b = 0.1."""
    step = linear_step(SIX_NAMES, SENTIMENT_W, x, SENTIMENT_B).as_dict()
    return {**step, "text": text, "p_positive": step["y"], "p_negative": 1 - step["y"]}


def graph(a: float = 3.0, b: float = 1.0, c: float = -2.0) -> dict:
    """L(a, b, c) = c(a + 2b) as the graph d = 2b, e = a + d, L = c·e: the forward values, then the
    backward pass, where each node's gradient is its local derivative times the upstream one."""
    na, nb, nc = Scalar(a), Scalar(b), Scalar(c)
    d = 2 * nb
    e = na + d
    loss = nc * e
    loss.backward()
    forward = [("d = 2b", d.value), ("e = a + d", e.value), ("L = c·e", loss.value)]
    backward = [
        ("∂L/∂L", "1", 1.0),
        ("∂L/∂e", "c", e.grad),
        ("∂L/∂c", "e", nc.grad),
        ("∂L/∂d", "∂L/∂e · ∂e/∂d = c · 1", d.grad),
        ("∂L/∂a", "∂L/∂e · ∂e/∂a = c · 1", na.grad),
        ("∂L/∂b", "∂L/∂d · ∂d/∂b = ∂L/∂d · 2", nb.grad),
    ]
    return {
        "inputs": {"a": a, "b": b, "c": c},
        "forward": [{"node": n, "value": v} for n, v in forward],
        "backward": [{"gradient": g, "chain rule": rule, "value": v} for g, rule, v in backward],
    }


def xor(seed: int = 0) -> dict:
    """AND and OR are linearly separable (a perceptron learns them); XOR is not (a linear program
    proves it). The lecture's two-layer ReLU network computes XOR exactly, through a hidden layer
    where the four points become separable, and backpropagation finds such a network itself."""
    perceptrons = {}
    for name, target in TARGETS.items():
        y = np.asarray(target)
        w, b, converged = train_perceptron(XOR_X, y, epochs=1000)
        perceptrons[name] = {
            "separable": bool(linearly_separable(XOR_X, y)),
            "perceptron_converged": bool(converged),
            "perceptron_output": perceptron(XOR_X, w, b).tolist(),
        }
    h, y = two_layer(XOR_X, XOR_W, XOR_B, XOR_U, 0, activation="relu", output="identity")
    net = TwoLayerNet(hidden=4, activation="relu", learning_rate=0.5, epochs=3000, random_state=seed).fit(
        XOR_X, np.asarray(TARGETS["XOR"])
    )
    learned = net.predict_proba(XOR_X)[:, 1]
    rows = [
        {
            "x": XOR_X[i].tolist(),
            "xor": TARGETS["XOR"][i],
            "h": h[i].tolist(),
            "y": float(y.ravel()[i]),
            "learned_p": float(learned[i]),
        }
        for i in range(len(XOR_X))
    ]
    return {
        "truth_tables": perceptrons,
        "network": {"W": XOR_W.tolist(), "b": XOR_B.tolist(), "U": XOR_U.tolist()},
        "rows": rows,
        "learned": {"hidden": 4, "epochs": 3000, "seed": seed, "predictions": net.predict(XOR_X).tolist()},
    }


def xor_plot(folder) -> str:
    """The lecture's picture of XOR: the four inputs, which no line separates, and the same points in
    the hidden layer h = ReLU(Wx + b), where one line does. Returns the PNG's path."""
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    h, _ = two_layer(XOR_X, XOR_W, XOR_B, XOR_U, 0, activation="relu", output="identity")
    target = np.asarray(TARGETS["XOR"])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6))
    for ax, points, title, labels in (
        (axes[0], XOR_X, "the input space x:\nno line separates XOR", ("x1", "x2")),
        (axes[1], h, "the hidden layer h = ReLU(Wx + b):\none line does", ("h1", "h2")),
    ):
        for value, marker, colour in ((0, "o", "C0"), (1, "s", "C3")):
            chosen = points[target == value]
            ax.scatter(chosen[:, 0], chosen[:, 1], marker=marker, s=120, color=colour, label=f"XOR = {value}")
        named: dict = {}  # inputs that land on the same hidden point share one label
        for point, x in zip(points.tolist(), XOR_X.tolist()):
            named.setdefault(tuple(point), []).append(f"({x[0]}, {x[1]})")
        for point, inputs in named.items():
            ax.annotate("x = " + ", ".join(inputs), point, textcoords="offset points", xytext=(8, 6), fontsize=8)
        ax.set(title=title, xlabel=labels[0], ylabel=labels[1], xlim=(-0.5, 2.6), ylim=(-0.5, 1.6))
    axes[1].plot([0, 2.5], [-0.25, 1.0], "--", color="0.4", label="h1 − 2·h2 = 0.5")
    axes[1].legend(loc="upper left", fontsize=8)
    fig.suptitle("XOR, solved by one hidden layer (W = [[1, 1], [1, 1]], b = [0, −1], u = [1, −2])")
    fig.tight_layout()
    path = folder / "xor.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return str(path)
