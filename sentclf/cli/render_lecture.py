"""Plain-text rendering of ``sentclf lecture``'s worked examples. No I/O here."""

from __future__ import annotations

from sentclf.cli.render import table


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.4g}"


def step_text(result: dict, link: str) -> str:
    """w_i·x_i per input, then z = Σ w_i·x_i + b and σ(z)."""
    rows = [
        [name, _number(x), _number(w), f"{product:+.3f}"]
        for name, x, w, product in zip(result["names"], result["x"], result["w"], result["products"])
    ]
    rows.append(["bias b", "", "", f"{result['b']:+.3f}"])
    rows.append(["z = w·x + b", "", "", f"{result['z']:+.3f}"])
    lines = [f'"{result["text"]}"'] if result.get("text") else []
    lines += [table(rows, ["input", "x", "w", "w·x"]), f"{link} = 1 / (1 + e^-z) = {result['y']:.2f}"]
    return "\n".join(lines)


def graph_text(result: dict) -> str:
    inputs = ", ".join(f"{k} = {_number(v)}" for k, v in result["inputs"].items())
    forward = table([[r["node"], _number(r["value"])] for r in result["forward"]], ["forward", "value"])
    backward = table(
        [[r["gradient"], r["chain rule"], _number(r["value"])] for r in result["backward"]],
        ["backward", "local derivative × upstream gradient", "value"],
    )
    return "\n".join([f"L(a, b, c) = c(a + 2b) with {inputs}", forward, "", backward])


def xor_text(result: dict) -> str:
    tables = result["truth_tables"]
    head = table(
        [
            [name, "yes" if t["separable"] else "no", "yes" if t["perceptron_converged"] else "no"]
            for name, t in tables.items()
        ],
        ["function", "linearly separable", "a perceptron learns it"],
    )
    net = result["network"]
    rows = [
        [
            f"{r['x'][0]} {r['x'][1]}",
            str(r["xor"]),
            f"{_number(r['h'][0])} {_number(r['h'][1])}",
            _number(r["y"]),
            f"{r['learned_p']:.3f}",
        ]
        for r in result["rows"]
    ]
    learned = result["learned"]
    lines = [
        head,
        "",
        f"the lecture's network: h = ReLU(Wx + b), y = u·h with W = {net['W']}, b = {net['b']}, u = {net['U'][0]}",
        table(rows, ["x1 x2", "XOR", "h1 h2", "y", "P(1), learned"]),
        f"learned by backpropagation ({learned['hidden']} hidden ReLU units, {learned['epochs']} epochs, "
        f"seed {learned['seed']}): {learned['predictions']}",
    ]
    lines += [f"plot: {path}" for path in result.get("plots", [])]
    return "\n".join(lines)
