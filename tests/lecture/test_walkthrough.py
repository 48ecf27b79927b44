"""``sentclf lecture``: the worked examples print the lecture's own numbers."""

from __future__ import annotations

import json

import pytest

from sentclf.lecture import walkthrough
from tests.cli.test_cli import run
from tests.conftest import FIXTURES, TEXTBOOK_REVIEW


def test_walkthrough_unit_is_the_lectures_0_70():
    result = walkthrough.unit()
    assert result["products"] == pytest.approx([0.1, 0.18, 0.09]) and result["z"] == pytest.approx(0.87)
    assert round(result["y"], 2) == 0.70


def test_walkthrough_sentiment_of_the_textbook_review():
    result = walkthrough.sentiment()
    assert result["z"] == pytest.approx(0.833, abs=1e-3) and round(result["p_positive"], 2) == 0.70


def test_walkthrough_graph_forward_and_backward():
    result = walkthrough.graph(3, 1, -2)
    assert [row["value"] for row in result["forward"]] == [2.0, 5.0, -10.0]
    grads = {row["gradient"]: row["value"] for row in result["backward"]}
    assert (grads["∂L/∂a"], grads["∂L/∂b"], grads["∂L/∂c"], grads["∂L/∂e"]) == (-2.0, -4.0, 5.0, -2.0)


def test_walkthrough_xor_no_perceptron_but_a_hidden_layer():
    result = walkthrough.xor()
    tables = result["truth_tables"]
    assert tables["AND"]["separable"] and tables["OR"]["perceptron_converged"]
    assert not tables["XOR"]["separable"] and not tables["XOR"]["perceptron_converged"]
    assert [row["h"] for row in result["rows"]] == [[0, 0], [1, 0], [1, 0], [2, 1]]
    assert [row["y"] for row in result["rows"]] == [0, 1, 1, 0] == result["learned"]["predictions"]


def test_walkthrough_cli_prints_each_example(tmp_path):
    unit = run("lecture", "unit")
    assert unit.exit_code == 0 and "y = σ(z) = 1 / (1 + e^-z) = 0.70" in unit.stdout
    sentiment = run("lecture", "sentiment", TEXTBOOK_REVIEW, "--lexicon-dir", FIXTURES / "lexicon_dir", "--json")
    x = json.loads(sentiment.stdout)["x"]
    assert x[:5] == [3, 2, 1, 3, 0] and x[5] == pytest.approx(4.19, abs=0.01)  # the lecture's x, from its text
    graph = run("lecture", "graph")
    assert "L = c·e      -10" in graph.stdout and "∂L/∂b" in graph.stdout
    xor = run("lecture", "xor", "--plot", tmp_path)
    assert xor.exit_code == 0 and "XOR                       no" in xor.stdout
    assert (tmp_path / "xor.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
