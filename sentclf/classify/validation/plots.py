"""PNG pictures of results (matplotlib, non-interactive Agg backend). Each function writes one file
and returns its path; every figure carries a title, axis labels, class names and a caption naming
the data and the evaluation scheme."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sentclf.classify.features.six import FEATURE_ALIASES, FEATURE_NAMES
from sentclf.errors import ConfigError


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, folder, name: str, caption: str) -> str:
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{folder}: cannot create the plot folder ({exc.strerror})") from None
    fig.text(0.5, 0.01, caption, ha="center", va="bottom", fontsize=8, color="0.35", wrap=True)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    path = folder / name
    fig.savefig(path, dpi=120)
    _pyplot().close(fig)
    return str(path)


def confusion_png(matrix: list, labels: list, title: str, caption: str, folder, name: str) -> str:
    """Heatmap of counts, rows = true label, columns = predicted, each cell annotated."""
    plt = _pyplot()
    counts = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(1.6 + 1.1 * len(labels), 1.4 + 1.0 * len(labels)))
    image = ax.imshow(counts, cmap="Blues")
    ax.set(
        xticks=range(len(labels)),
        yticks=range(len(labels)),
        xticklabels=labels,
        yticklabels=labels,
        xlabel="predicted label",
        ylabel="true label",
        title=title,
    )
    for (i, j), value in np.ndenumerate(counts):
        ax.text(j, i, f"{value:,}", ha="center", va="center", color="white" if value > counts.max() / 2 else "black")
    fig.colorbar(image, ax=ax, label="documents")
    return _save(fig, folder, name, caption)


def reliability_png(
    y_true: list, proba: np.ndarray, classes: list, title: str, caption: str, folder, name: str, bins: int = 10
) -> str:
    """Calibration: for the predicted label's probability (top-label confidence), the observed accuracy
    in each of ``bins`` equal-width bins, against the diagonal of perfect calibration."""
    plt = _pyplot()
    confidence = proba.max(axis=1)
    correct = np.asarray(classes, dtype=object)[proba.argmax(axis=1)] == np.asarray(y_true, dtype=object)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges) - 1, 0, bins - 1)
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(5.5, 6.5), sharex=True, height_ratios=(3, 1))
    ax.plot([0, 1], [0, 1], "--", color="0.6", label="perfect calibration")
    filled = [b for b in range(bins) if (which == b).any()]
    ax.plot(
        [confidence[which == b].mean() for b in filled],
        [correct[which == b].mean() for b in filled],
        "o-",
        label="model",
    )
    ax.set(ylabel="observed accuracy", title=title, xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left")
    hist.hist(confidence, bins=edges, color="C0", alpha=0.7)
    hist.set(xlabel="predicted probability of the predicted label", ylabel="documents")
    return _save(fig, folder, name, caption)


def feature_distributions_png(values: np.ndarray, labels: list, caption: str, folder, name: str) -> str:
    """Per-class distributions of x1..x6: one box plot panel per feature."""
    plt = _pyplot()
    classes = sorted(set(labels), key=str)
    labels_arr = np.asarray(labels, dtype=object)
    fig, axes = plt.subplots(2, 3, figsize=(11, 6.5))
    for k, (ax, feature) in enumerate(zip(axes.flat, FEATURE_NAMES)):
        ax.boxplot([values[labels_arr == c, k] for c in classes], showmeans=True)
        ax.set_xticks(range(1, len(classes) + 1), classes)
        ax.set(title=f"{feature}: {FEATURE_ALIASES[feature]}", ylabel="value", xlabel="class")
    fig.suptitle("The six features by class (box: quartiles, line: median, triangle: mean)")
    return _save(fig, folder, name, caption)


def comparison_png(cells: list, caption: str, folder, name: str = "comparison.png") -> str:
    """Grouped bars: accuracy per feature set (groups) and model (bars), fold standard deviation as error bars."""
    plt = _pyplot()
    groups = list(dict.fromkeys(c["features"] for c in cells))
    models = list(dict.fromkeys(c["model"] for c in cells))
    width = 0.8 / len(models)
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(groups), 4.8))
    for m, model in enumerate(models):
        xs, means, stds = [], [], []
        for g, group in enumerate(groups):
            cell = next((c for c in cells if c["features"] == group and c["model"] == model), None)
            if cell:
                xs.append(g + (m - (len(models) - 1) / 2) * width)
                means.append(cell["accuracy_mean"])
                stds.append(cell["accuracy_std"])
        bars = ax.bar(xs, means, width, yerr=stds, capsize=3, label=model)
        ax.bar_label(bars, fmt="%.3f", fontsize=7, padding=2)
    ax.set_xticks(range(len(groups)), groups)
    ax.set(
        xlabel="feature set",
        ylabel="accuracy (mean over folds)",
        title="Models compared on each feature set",
        ylim=(0, 1),
    )
    ax.legend(title="model", loc="upper left", bbox_to_anchor=(1.01, 1))
    return _save(fig, folder, name, caption)


def learning_curve_png(curve: list, caption: str, folder, name: str = "learning_curve.png") -> str:
    """Accuracy against training-set size, one line per (feature set, model), fold std as a band."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for key in dict.fromkeys((c["features"], c["model"]) for c in curve):
        points = sorted(
            (c["n_train"], c["accuracy_mean"], c["accuracy_std"]) for c in curve if (c["features"], c["model"]) == key
        )
        n, mean, std = (np.asarray(v, dtype=float) for v in zip(*points))
        ax.plot(n, mean, "o-", label=f"{key[1]} on {key[0]}")
        ax.fill_between(n, mean - std, mean + std, alpha=0.15)
    ax.set(xlabel="training documents", ylabel="accuracy on the held-out fold", title="Learning curve")
    ax.legend()
    return _save(fig, folder, name, caption)


def held_out_plots(folder, metrics: dict, y_true: list, labels: list, caption: str) -> list:
    """Confusion matrix and reliability diagram of each model, from ``score_model`` results."""
    paths = []
    for kind, m in metrics.items():
        paths.append(
            confusion_png(
                m["confusion_matrix"], labels, f"Confusion matrix: {kind}", caption, folder, f"confusion_{kind}.png"
            )
        )
        paths.append(
            reliability_png(
                y_true,
                m["proba"],
                m["classes"],
                f"Reliability diagram: {kind}",
                caption,
                folder,
                f"reliability_{kind}.png",
            )
        )
    return paths
