"""Class-prior correction (Saerens et al. 2002): EM finds a known prior shift from posteriors alone,
corrects the decisions, leaves unshifted data as it is, and predict/evaluate offer it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import norm

from sentclf.classify.models.priors import adapt_priors, training_priors
from tests.cli.test_cli import run


def shifted_sample(priors: list, n: int = 20_000, seed: int = 0) -> tuple:
    """Two Gaussian classes (means ∓1, σ = 1.5) drawn with ``priors``, and the exact posteriors under
    uniform training priors."""
    rng = np.random.default_rng(seed)
    y = rng.choice(2, size=n, p=priors)
    x = rng.normal(np.where(y == 0, -1.0, 1.0), 1.5)
    likelihood = np.stack([norm.pdf(x, -1, 1.5), norm.pdf(x, 1, 1.5)], axis=1)
    return y, likelihood / likelihood.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("true", [[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
def test_em_recovers_the_priors_of_the_scored_data(true):
    y, proba = shifted_sample(true)
    adjusted, estimate = adapt_priors(proba, np.array([0.5, 0.5]))
    assert estimate == pytest.approx(true, abs=0.02)
    np.testing.assert_allclose(adjusted.sum(axis=1), 1.0)
    before, after = np.mean(proba.argmax(1) == y), np.mean(adjusted.argmax(1) == y)
    if true == [0.5, 0.5]:
        assert after == pytest.approx(before, abs=0.005)  # nothing to correct: nothing changes
    else:
        assert after > before + 0.03  # the Bayes decision under the true priors is better


def test_em_on_no_documents_returns_the_training_priors():
    proba, priors = adapt_priors(np.zeros((0, 3)), np.array([0.2, 0.3, 0.5]))
    assert proba.shape == (0, 3) and priors.tolist() == [0.2, 0.3, 0.5]


def test_training_priors_are_uniform_when_balanced_else_the_class_frequencies():
    classes = ["negative", "neutral", "positive"]
    balanced = {"config": {"model": {"class_weight": "balanced"}}, "data": {"class_counts": {"negative": 90}}}
    assert training_priors(balanced, classes).tolist() == pytest.approx([1 / 3] * 3)
    counted = {"config": {"model": {"class_weight": None}}, "data": {"class_counts": {"negative": 59, "positive": 39}}}
    assert training_priors(counted, classes).tolist() == pytest.approx([60 / 101, 1 / 101, 40 / 101])  # +1: none is 0


def test_predict_and_evaluate_adapt_priors_from_the_cli(trained_model, tmp_path):
    texts = ["I loved it, wonderful and great!"] * 3 + ["What a boring waste of time."] * 27
    source = tmp_path / "skewed.txt"
    source.write_text("\n".join(texts) + "\n")
    plain = [json.loads(line) for line in run("predict", "-m", trained_model, source, "--jsonl").stdout.splitlines()]
    result = run("predict", "-m", trained_model, source, "--jsonl", "--adapt-priors")
    assert result.exit_code == 0, result.output
    adapted = [json.loads(line) for line in result.stdout.splitlines()]
    p_neg = [r["p_neg"] for r in plain], [r["p_neg"] for r in adapted]
    assert all(b > a for a, b in zip(*p_neg))  # a batch that is 90% negative: every P(neg) rises

    table = tmp_path / "skewed.csv"
    table.write_text("text,label\n" + "".join(f'"{t}",{"pos" if "loved" in t else "neg"}\n' for t in texts))
    base = json.loads(run("evaluate", table, "-m", trained_model, "--json").stdout)
    shifted = run("evaluate", table, "-m", trained_model, "--json", "--adapt-priors")
    assert shifted.exit_code == 0, shifted.output
    report = json.loads(shifted.stdout)
    for kind, metrics in report["metrics"].items():
        assert metrics["log_loss"] < base["metrics"][kind]["log_loss"]
