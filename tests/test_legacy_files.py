"""Files written by earlier sentclf versions still load and give the same results.

``tests/golden/legacy-0.1.0*.sentclf`` were trained on our fixtures with 0.1.0, before the package was
organized by product; ``legacy-0.2.0-*.sentclf`` with the code just before the classifier was split
into subpackages (commit c606957): an ensemble holding every block and classifier a model file can
pickle (NB-weighted word and character n-grams with NB-LR, TF-IDF n-grams with naive Bayes, six +
rules + hashed n-grams with LR, six + pooled vectors with the MLP, stacked), and a calibrated
six+ngrams pair. ``*.predictions.jsonl`` hold what those versions' ``predict --jsonl`` printed for
``docs/sample.txt``, with probabilities nested and rounded to 4 decimals: today's rows flatten them
into ``p_<label>`` columns (6 decimals), so the values are compared at the old rounding.
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sentclf.cli import cli

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
MODELS = ["legacy-0.1.0", "legacy-emb-0.1.0", "legacy-0.2.0-ensemble", "legacy-0.2.0-calibrated"]


def as_recorded(row: dict) -> dict:
    """Today's row in the layout the legacy files' predictions were recorded in."""
    probabilities = {key[2:]: round(value, 4) for key, value in row.items() if key.startswith("p_")}
    keys = ("file", "line", "text", "label")
    return {**{key: row[key] for key in keys}, "probabilities": probabilities, "empty": row["empty"]}


@pytest.mark.parametrize("name", MODELS)
def test_legacy_model_files_predict_as_before(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["predict", "-m", str(GOLDEN / f"{name}.sentclf"), "docs/sample.txt", "--jsonl"])
    assert result.exit_code == 0, result.stderr
    expected = [json.loads(line) for line in (GOLDEN / f"{name}.predictions.jsonl").read_text().splitlines()]
    got = [as_recorded(json.loads(line)) for line in result.stdout.splitlines()]
    for row in expected:
        row["file"] = "docs/sample.txt"  # recorded from a neighbouring folder
    assert got == expected


@pytest.mark.parametrize("name", MODELS)
def test_legacy_model_files_are_explained(name):
    result = CliRunner().invoke(cli, ["explain", "-m", str(GOLDEN / f"{name}.sentclf"), "a wonderful film!", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["label"] in {"pos", "neg", "positive", "negative", "neutral"}


def test_legacy_lm_file_gives_the_same_perplexity():
    result = CliRunner().invoke(
        cli,
        [
            "lm",
            "perplexity",
            str(GOLDEN / "legacy-0.1.0.lm"),
            str(ROOT / "tests" / "fixtures" / "pets.txt"),
            "--json",
            "--no-baseline",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["perplexity"] == pytest.approx(26.725100472493914, rel=1e-6)
