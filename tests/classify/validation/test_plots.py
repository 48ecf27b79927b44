import numpy as np
import pytest

from sentclf.classify.validation import plots
from sentclf.errors import ConfigError

PNG = b"\x89PNG\r\n\x1a\n"


def is_png(path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(8) == PNG


def test_plots_each_picture_is_a_png(tmp_path):
    paths = [
        plots.confusion_png([[5, 1], [2, 4]], ["neg", "pos"], "Confusion", "caption", tmp_path, "c.png"),
        plots.reliability_png(
            ["a", "b", "a"],
            np.array([[0.9, 0.1], [0.3, 0.7], [0.4, 0.6]]),
            ["a", "b"],
            "Reliability",
            "caption",
            tmp_path,
            "r.png",
        ),
        plots.feature_distributions_png(
            np.random.default_rng(0).random((20, 6)), ["a", "b"] * 10, "caption", tmp_path, "f.png"
        ),
        plots.comparison_png(
            [
                {"features": "six", "model": "lr", "accuracy_mean": 0.6, "accuracy_std": 0.02},
                {"features": "six", "model": "mlp", "accuracy_mean": 0.62, "accuracy_std": 0.03},
            ],
            "caption",
            tmp_path,
        ),
        plots.learning_curve_png(
            [
                {"features": "six", "model": "lr", "n_train": n, "accuracy_mean": a, "accuracy_std": 0.01}
                for n, a in ((10, 0.5), (100, 0.6))
            ],
            "caption",
            tmp_path,
        ),
    ]
    assert [p.rsplit("/", 1)[1] for p in paths] == ["c.png", "r.png", "f.png", "comparison.png", "learning_curve.png"]
    assert all(is_png(p) for p in paths)


def test_plots_unwritable_folder_is_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot create the plot folder"):
        plots.confusion_png([[1]], ["a"], "t", "c", blocker / "sub", "c.png")
