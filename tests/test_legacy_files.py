"""Files written by sentclf 0.1.0 (before the package was reorganized) still load and give the same results.

``tests/golden/legacy-*.sentclf`` were trained on our fixtures with 0.1.0; ``*.predictions.jsonl`` hold
what 0.1.0's ``predict --jsonl`` printed for ``docs/sample.txt``.
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sentclf.cli import cli

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.parametrize("name", ["legacy-0.1.0", "legacy-emb-0.1.0"])
def test_legacy_model_files_predict_as_before(name, monkeypatch):
    monkeypatch.chdir(GOLDEN)
    result = CliRunner().invoke(cli, ["predict", "-m", f"{name}.sentclf", "../../docs/sample.txt", "--jsonl"])
    assert result.exit_code == 0, result.stderr
    expected = (GOLDEN / f"{name}.predictions.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in result.stdout.splitlines()] == [json.loads(line) for line in expected]


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
