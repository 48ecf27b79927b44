"""`evaluate --html` and `compare --html`: one self-contained file with the tables, the pictures
embedded and, for evaluate, the most confident errors with their words highlighted."""

from __future__ import annotations

import csv

from click.testing import CliRunner

from sentclf.cli import cli
from tests.html.dom import Elements, fetches_nothing


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def flipped(fixtures, tmp_path):
    """The fixture with every third label swapped: errors the model makes with confidence."""
    rows = list(csv.DictReader((fixtures / "tiny.csv").open(encoding="utf-8")))
    for i, row in enumerate(rows):
        if i % 3 == 0:
            row["label"] = {"pos": "neg", "neg": "pos"}[row["label"]]
    path = tmp_path / "flipped.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_evaluate_html_holds_metrics_matrices_pictures_and_errors(trained_model, fixtures, tmp_path):
    data, out = flipped(fixtures, tmp_path), tmp_path / "report.html"
    result = run("evaluate", data, "-m", trained_model, "--html", out, "--errors", "3")
    assert result.exit_code == 0, result.stderr
    assert "report:" in result.stderr and "plot:" not in result.stdout  # pictures in the page only
    page = out.read_text(encoding="utf-8")
    elements = Elements(page)
    assert fetches_nothing(page)
    assert "accuracy 95% CI" in page and "Confusion matrices" in page
    images = elements.all("img")
    assert len(images) >= 4 and all(a["src"].startswith("data:image/png;base64,") and a["alt"] for a, _ in images)
    cases = [a for a, _ in elements.all("section") if a.get("class") == "error-case"]
    assert len(cases) == 3 and elements.all("mark", "data-contribution")
    assert page.count("away from it") == 1  # one legend
    json_run = run("evaluate", data, "-m", trained_model, "--json", "--errors", "2")
    import json

    errors = json.loads(json_run.stdout)["confident_errors"]
    assert len(errors["errors"]) == 2 and errors["errors"][0]["confidence"] >= errors["errors"][1]["confidence"]
    assert all(e["true"] != e["predicted"] for e in errors["errors"])


def test_evaluate_html_never_overwrites_without_force(trained_model, fixtures, tmp_path):
    out = tmp_path / "report.html"
    out.write_text("mine", encoding="utf-8")
    refused = run("evaluate", fixtures / "tiny.csv", "-m", trained_model, "--html", out)
    assert refused.exit_code == 1 and "already exists" in refused.stderr and out.read_text() == "mine"
    clobber = run("evaluate", fixtures / "tiny.csv", "-m", trained_model, "--html", trained_model, "--force")
    assert clobber.exit_code == 1 and "is also the input" in clobber.stderr
    forced = run("evaluate", fixtures / "tiny.csv", "-m", trained_model, "--html", out, "--force")
    assert forced.exit_code == 0 and out.read_text().startswith("<!DOCTYPE html>")


def test_compare_html_holds_the_table_the_verdicts_and_the_learning_curve(fixtures, tmp_path):
    out = tmp_path / "compare.html"
    result = run(
        "compare", fixtures / "tiny.csv", "--features", "six", "--cv", "3", "--learning-curve", "--html", out, "-q"
    )
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert fetches_nothing(page) and "MLP against LR" in page and "Learning curve" in page
    cells = [t for _, t in Elements(page).all("th", "scope")]
    assert {"reference", "six"} <= set(cells)
    alts = [a["alt"] for a, _ in Elements(page).all("img")]
    assert any("learning curve" in alt for alt in alts) and any("accuracy by model" in alt for alt in alts)
