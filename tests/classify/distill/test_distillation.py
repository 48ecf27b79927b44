"""`sentclf distill` end to end on the 24-line fixture: library and CLI (the static table needs the
minilm extra, so these students leave it out)."""

import json

import pytest
from click.testing import CliRunner

from sentclf.classify.distill.distill_config import DistillConfig
from sentclf.classify.distillation import distill
from sentclf.classify.modelfile import ModelSource, load
from sentclf.classify.models.distilled import auto_variants
from sentclf.cli import cli
from sentclf.data.readers import file_sha256


def run(*args, input=None):
    return CliRunner().invoke(cli, list(map(str, args)), input=input)


@pytest.fixture(scope="module")
def student(trained_model, tmp_path_factory):
    out = tmp_path_factory.mktemp("student") / "s.sentclf"
    unlabeled = tmp_path_factory.mktemp("texts") / "u.txt"
    unlabeled.write_text("what a lovely evening\nawful, just awful\nwhat a lovely evening\n", encoding="utf-8")
    result = run("distill", "-m", trained_model, unlabeled, "-o", out, "--no-static", "--augment", "3", "--json", "-q")
    assert result.exit_code == 0, result.stderr
    return out, json.loads(result.stdout), trained_model


def test_the_student_file_records_its_teacher_and_texts(student):
    out, report, teacher = student
    meta = load(out).metadata["distilled"]
    assert (
        meta["teacher"]["sha256"] == file_sha256(teacher) and report["teacher"]["sha256"] == meta["teacher"]["sha256"]
    )
    assert meta["unlabeled"]["documents"] == 2 and meta["unlabeled"]["duplicates"] == 1
    assert meta["labelled"]["train"] == 18 and meta["labelled"]["held_out"] == 6  # the teacher's own split
    assert meta["augmented"]["per_text"] == 3 and 0 < meta["augmented"]["variants"] <= 54
    assert meta["texts_labelled_by_teacher"] == 18 + 2 + meta["augmented"]["variants"]
    held = meta["held_out"]
    assert 0 <= held["agreement"] <= 1 and held["student_docs_per_second"] > 0
    assert report["model_path"] == str(out)


def test_every_command_uses_the_student(student):
    out, _, _ = student
    result = run("predict", "-m", out, "--jsonl", "-", input="I loved it, wonderful!\nawful and boring\n")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["label"] for r in rows] == ["pos", "neg"]
    info = run("info", "-m", out)
    assert info.exit_code == 0 and "distilled from" in info.stdout and "agreement" in info.stdout
    explained = run("explain", "-m", out, "--json", "I loved it, wonderful!")
    assert explained.exit_code == 0, explained.stderr
    words = json.loads(explained.stdout)["words"]
    assert max(words, key=lambda w: w["contributions"]["pos"])["word"] in ("loved", "wonderful", "!")


def test_the_table_says_teacher_and_student(trained_model, tmp_path):
    result = run("distill", "-m", trained_model, "-o", tmp_path / "s.sentclf", "--no-static", "--augment", "0")
    assert result.exit_code == 0, result.stderr
    assert "teacher" in result.stdout and "student" in result.stdout and "agreement" in result.stdout
    assert "the teacher labels" in result.stderr and "Student saved to" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--temperature", "0"], "--temperature must be above 0"),
        (["--label-weight", "2"], "--label-weight is a weight between 0 and 1"),
        (["--augment", "-1"], "--augment takes 0 to 100"),
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--test-size", "1.5"], "--test-size must be between 0 and 1"),
        (["--similar-words", "0.5"], "--similar-words finds neighbours in the static table"),
    ],
)
def test_bad_options_are_one_error_line(trained_model, tmp_path, args, message):
    result = run("distill", "-m", trained_model, "-o", tmp_path / "s.sentclf", "--no-static", *args)
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {message}") and not result.stdout
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "s.sentclf").exists()


def test_bad_inputs(trained_model, tmp_path, fixtures):
    missing = run("distill", "-m", tmp_path / "nope.sentclf", "-o", tmp_path / "s.sentclf")
    assert missing.exit_code == 1 and missing.stderr.startswith("Error:") and "Traceback" not in missing.stderr
    assert run("distill", "-m", trained_model).exit_code == 2  # -o is required
    clobber = run("distill", "-m", trained_model, "-o", trained_model, "--force", "--no-static")
    assert clobber.exit_code == 1 and "Error:" in clobber.stderr  # never overwrites an input
    wrong = run(
        "distill",
        "-m",
        trained_model,
        "-o",
        tmp_path / "s.sentclf",
        "--no-static",
        "--data",
        fixtures / "three_class.jsonl",
    )
    assert wrong.exit_code == 1 and "labels the teacher does not know" in wrong.stderr
    nofile = run("distill", "-m", trained_model, tmp_path / "absent.txt", "-o", tmp_path / "s.sentclf", "--no-static")
    assert nofile.exit_code == 1 and nofile.stderr.startswith("Error:")


def test_auto_augmentation_fills_up_to_ten_texts_per_labelled_one():
    assert auto_variants(100, 0) == 9 and auto_variants(100, 450) == 5 and auto_variants(100, 5000) == 0
    assert auto_variants(10, 0) <= 10


def test_config_needs_an_output():
    with pytest.raises(Exception, match="give -o STUDENT"):
        distill(DistillConfig(teacher=ModelSource("x.sentclf")))


def test_a_second_student_of_the_same_teacher_reads_the_labels_from_the_cache(trained_model, tmp_path, monkeypatch):
    monkeypatch.setenv("SENTCLF_CACHE", str(tmp_path / "cache"))
    args = ["distill", "-m", trained_model, "--no-static", "--augment", "2", "--json", "-q"]
    first = run(*args, "-o", tmp_path / "a.sentclf")
    second = run(*args, "-o", tmp_path / "b.sentclf", "--hidden", "8")
    assert first.exit_code == 0 and second.exit_code == 0, first.stderr + second.stderr
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a["teacher_labels_cached"] == 0 and b["teacher_labels_cached"] == b["texts_labelled_by_teacher"] > 18
    table = run("distill", "-m", trained_model, "--no-static", "--augment", "2", "-o", tmp_path / "c.sentclf")
    assert table.exit_code == 0 and f"({b['texts_labelled_by_teacher']:,} of them from the cache)" in table.stdout
    elsewhere = tmp_path / "empty-cache"
    monkeypatch.setenv("SENTCLF_CACHE", str(elsewhere))
    uncached = run(*args, "-o", tmp_path / "d.sentclf", "--no-cache")
    assert uncached.exit_code == 0 and json.loads(uncached.stdout)["teacher_labels_cached"] == 0
    assert not (elsewhere / "teacher").exists()
    outputs = {
        run("predict", "-m", tmp_path / f"{name}.sentclf", "--jsonl", "-", input="loved it\nawful\n").stdout
        for name in "acd"
    }
    assert len(outputs) == 1 and "" not in outputs  # cached or not, the teacher's labels teach the same student


def test_the_teacher_is_let_go_before_the_student_is_fitted(trained_model, tmp_path, monkeypatch):
    import gc
    import weakref

    from sentclf.classify.modelfile.model import ModelSource as Source
    from sentclf.classify.models import distilled

    loaded, alive_at_fit = [], []
    load, learn = Source.load, distilled.learn

    def remembered(self):
        model = load(self)
        loaded.append(weakref.ref(model))
        return model

    def watched(*args, **kwargs):
        gc.collect()
        alive_at_fit.append([ref() is not None for ref in loaded])
        return learn(*args, **kwargs)

    monkeypatch.setattr(Source, "load", remembered)
    monkeypatch.setattr(distilled, "learn", watched)
    config = DistillConfig(teacher=ModelSource(str(trained_model)), output=str(tmp_path / "s.sentclf"), static=False)
    result = distill(config)
    assert alive_at_fit == [[False]] and result.metadata["distilled"]["held_out"]["teacher_accuracy"] >= 0


def test_giving_memory_back_is_a_no_op_without_glibc(monkeypatch):
    import ctypes

    from sentclf.classify.distillation import give_back_freed_memory

    trimmed = []

    class Glibc:
        def malloc_trim(self, pad):
            trimmed.append(pad)
            return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda name: Glibc())
    give_back_freed_memory()
    assert trimmed == [0]

    def missing(name):
        raise OSError(f"{name}: cannot open shared object file")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    give_back_freed_memory()  # macOS, musl: nothing to call, nothing raised
