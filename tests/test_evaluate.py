import pytest

from sentclf.evaluate import best_model, classification_metrics


def test_evaluate_metrics_by_hand():
    metrics = classification_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"])
    assert metrics["accuracy"] == 0.75
    assert metrics["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert metrics["per_class"]["b"]["precision"] == pytest.approx(2 / 3)
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)


def test_evaluate_best_model_by_macro_f1_then_simpler():
    assert best_model({"lr": {"macro_f1": 0.5, "accuracy": 0.9}, "mlp": {"macro_f1": 0.6, "accuracy": 0.6}}) == "mlp"
    assert best_model({"lr": {"macro_f1": 0.6, "accuracy": 0.7}, "mlp": {"macro_f1": 0.6, "accuracy": 0.7}}) == "lr"
