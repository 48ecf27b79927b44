import numpy as np
import pytest

from sentclf.classify.validation.metrics import best_model, classification_metrics, probability_metrics, wilson_interval
from sentclf.classify.validation.significance import mcnemar, verdict


def test_evaluate_metrics_by_hand():
    metrics = classification_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    assert metrics["accuracy"] == 0.75
    assert metrics["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert metrics["per_class"]["b"]["precision"] == pytest.approx(2 / 3)
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)


def test_evaluate_best_model_by_macro_f1_then_simpler():
    assert best_model({"lr": {"macro_f1": 0.5, "accuracy": 0.9}, "mlp": {"macro_f1": 0.6, "accuracy": 0.6}}) == "mlp"
    assert best_model({"lr": {"macro_f1": 0.6, "accuracy": 0.7}, "mlp": {"macro_f1": 0.6, "accuracy": 0.7}}) == "lr"


@pytest.mark.parametrize(
    "correct, n, low, high", [(8, 10, 0.4902, 0.9433), (0, 10, 0.0, 0.2775), (50, 50, 0.9287, 1.0)]
)
def test_evaluate_wilson_interval_known_values(correct, n, low, high):
    interval = wilson_interval(correct, n)
    assert interval == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def test_evaluate_probability_metrics_by_hand():
    proba = np.array([[0.8, 0.2], [0.4, 0.6]])
    result = probability_metrics(["a", "a"], proba, ["a", "b"])
    assert result["brier"] == pytest.approx(((0.2**2 + 0.2**2) + (0.6**2 + 0.6**2)) / 2)
    assert result["log_loss"] == pytest.approx(-(np.log(0.8) + np.log(0.4)) / 2)


def test_evaluate_mcnemar_counts_discordant_pairs():
    truth = ["a"] * 12
    first = ["a"] * 12
    second = ["b"] * 10 + ["a"] * 2
    result = mcnemar(truth, first, second)
    assert (result["first_only_right"], result["second_only_right"]) == (10, 0)
    assert result["p_value"] == pytest.approx(2 * 0.5**10)
    assert mcnemar(truth, first, first)["p_value"] == 1.0


def test_evaluate_verdict_in_words():
    assert verdict("lr", "mlp", 0.02, 0.001) == "mlp is significantly better than lr (p = 0.001 < 0.05)"
    assert verdict("lr", "mlp", -0.02, 0.001).startswith("lr is significantly better than mlp")
    assert verdict("lr", "mlp", 0.02, 0.2) == "no significant difference between lr and mlp (p = 0.200)"
