"""Distilled (a teacher fitted, then its student) and the commands built on it: `train --distill`
and the student row of `compare`. The static table needs the minilm extra, so these students run
without it (as they do wherever `make minilm` has not run)."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sentclf.classify import comparison
from sentclf.classify.features.six import LectureFeatures
from sentclf.classify.modelfile import load
from sentclf.classify.models.distilled import Distilled
from sentclf.cli import cli
from sentclf.text import tokenize

GOOD = ["a wonderful , lovely film", "great acting and a great story", "i loved it !", "superb and moving"]
BAD = ["an awful , boring mess", "terrible acting and a dull story", "i hated it", "bad and tedious"]


def run(*args, input=None):
    return CliRunner().invoke(cli, list(map(str, args)), input=input)


@pytest.fixture(autouse=True)
def no_static_table(monkeypatch):
    monkeypatch.setattr("sentclf.classify.vectors.package.minilm_installed", lambda: False)
    monkeypatch.setattr(comparison, "student_table", lambda: None)


def test_distilled_predicts_with_its_student_alone():
    docs = [tokenize(t) for t in (GOOD + BAD) * 3]
    labels = [("pos" if i % 8 < 4 else "neg") for i in range(len(docs))]
    model = Distilled(teacher=make_pipeline(LectureFeatures(), LogisticRegression()), augment=2, hidden=8).fit(
        docs, labels
    )
    assert not hasattr(model, "teacher_") and model.variants_ > 0
    assert list(model.classes_) == ["neg", "pos"]
    probabilities = model.predict_proba(docs)
    assert np.allclose(probabilities, model.student_.predict_proba(docs))
    assert np.allclose(probabilities.sum(axis=1), 1)
    assert (model.predict(docs) == np.asarray(labels)).mean() >= 0.75
    with pytest.raises(ValueError, match="needs a teacher"):
        Distilled().fit(docs, labels)


def test_train_distill_writes_the_student_beside_the_teacher(tmp_path, fixtures):
    unlabeled = tmp_path / "u.txt"
    unlabeled.write_text("what a lovely evening\nawful, just awful\n", encoding="utf-8")
    out = tmp_path / "t.sentclf"
    result = run(
        "train", fixtures / "tiny.csv", "-o", out, "--model", "lr", "--distill", "--unlabeled", unlabeled, "--json"
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    student = tmp_path / "t.student.sentclf"
    assert report["path"] == str(out) and report["student"]["model_path"] == str(student)
    meta = load(student).metadata["distilled"]
    assert meta["teacher"]["path"] == str(out) and meta["unlabeled"]["documents"] == 2
    assert meta["labelled"]["held_out"] == report["data"]["n_test"]  # the teacher's own split
    predicted = run("predict", "-m", student, "--jsonl", "-", input="I loved it, wonderful!\n")
    assert predicted.exit_code == 0 and json.loads(predicted.stdout)["label"] in ("pos", "neg")
    table = run("train", fixtures / "tiny.csv", "-o", out, "--model", "lr", "--distill", "--force")
    assert table.exit_code == 0, table.stderr
    assert "agreement" in table.stdout and "Student saved to" in table.stdout and "best: lr" in table.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--unlabeled", "u.txt"], 2, "--unlabeled gives the student texts: add --distill"),
        (["--distill", "--stream"], 2, "--distill and --stream cannot go together"),
    ],
)
def test_train_distill_refuses_what_it_cannot_do(tmp_path, fixtures, args, code, message):
    result = run("train", fixtures / "tiny.csv", "-o", tmp_path / "t.sentclf", "--model", "lr", *args)
    assert result.exit_code == code and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "t.sentclf").exists()


def test_train_distill_from_stdin_is_refused_before_training(tmp_path, fixtures):
    data = (fixtures / "tiny.csv").read_text(encoding="utf-8")
    result = run("train", "-", "-o", tmp_path / "t.sentclf", "--model", "lr", "--distill", input=data)
    assert result.exit_code == 1 and "give DATA as a file, not -" in result.stderr
    assert not (tmp_path / "t.sentclf").exists()


def test_train_distill_never_clobbers_an_existing_student(tmp_path, fixtures):
    (tmp_path / "t.student.sentclf").write_bytes(b"mine")
    result = run("train", fixtures / "tiny.csv", "-o", tmp_path / "t.sentclf", "--model", "lr", "--distill")
    assert result.exit_code == 1 and result.stderr.startswith("Error:") and "t.student.sentclf" in result.stderr
    assert (tmp_path / "t.student.sentclf").read_bytes() == b"mine" and not (tmp_path / "t.sentclf").exists()


def test_compare_shows_the_teacher_and_its_student_side_by_side(fixtures):
    result = run(
        "compare",
        fixtures / "tiny.csv",
        "--models",
        "ensemble,student",
        "--members",
        "nbngrams:lr,ngrams:nb",
        "--cv",
        "3",
        "--json",
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    cells = {cell["model"]: cell for cell in json.loads(result.stdout)["cells"]}
    assert {"ensemble", "student"} <= set(cells)
    student = cells["student"]
    assert student["features"] == "distilled from stack(nbngrams:lr + ngrams:nb)"
    assert len(student["folds"]) == 3 and student["predict_docs_per_s_mean"] > 0 and 0 <= student["accuracy_mean"] <= 1
