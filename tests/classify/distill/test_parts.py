"""The parts of distillation: targets, augmentation, unlabeled texts, the teacher's cache."""

import numpy as np
import pytest

from sentclf.classify.distill.augment import MASK, Augmentation, augment
from sentclf.classify.distill.targets import mixed, with_temperature
from sentclf.classify.distill.texts import digest, read_unlabeled
from sentclf.classify.encoder.cache import EncodingCache, teacher_cache
from sentclf.classify.models.distilled import label_all
from sentclf.data.inputs import Inputs


def test_temperature_softens_and_sharpens_and_one_leaves_alone():
    p = np.array([[0.8, 0.15, 0.05]])
    assert np.allclose(with_temperature(p, 1.0), p)
    soft, sharp = with_temperature(p, 4.0), with_temperature(p, 0.5)
    assert soft[0, 0] < 0.8 < sharp[0, 0] and np.allclose(soft.sum(), 1) and np.allclose(sharp.sum(), 1)
    assert np.argsort(soft[0]).tolist() == np.argsort(p[0]).tolist()  # the order of the classes is kept
    assert np.allclose(with_temperature(p, 1e6), 1 / 3, atol=1e-4)


def test_mixing_with_the_labels():
    teacher = np.array([[0.6, 0.4], [0.3, 0.7]])
    out = mixed(teacher, np.array(["neg", "neg"]), ["neg", "pos"], 0.5)
    assert np.allclose(out, [[0.8, 0.2], [0.65, 0.35]])
    assert mixed(teacher, None, ["neg", "pos"], 0.5) is teacher


def test_augmentation_is_seeded_and_each_operation_does_what_it_says():
    docs = [["a", "good", "film", "with", "great", "music", "and", "a", "fine", "cast"]]
    config = Augmentation(per_text=20)
    variants = augment(docs, config, {"good": ["fine"]}, seed=3)
    assert variants == augment(docs, config, {"good": ["fine"]}, seed=3)
    assert variants != augment(docs, config, {"good": ["fine"]}, seed=4)
    assert docs[0] not in variants and len({tuple(v) for v in variants}) == len(variants)
    masked = augment(docs, Augmentation(per_text=1, p_mask=1.0, p_ngram=0.0), {}, seed=0)
    assert masked == [[MASK] * 10]
    swapped = augment(
        [["good"] * 3], Augmentation(per_text=1, p_mask=0.0, p_similar=1.0, p_ngram=0.0), {"good": ["fine"]}
    )
    assert swapped == [["fine"] * 3]
    spans = augment(docs, Augmentation(per_text=30, p_mask=0.0, p_similar=0.0, p_ngram=1.0), {}, seed=0)
    assert spans and all(1 <= len(v) <= 5 for v in spans)
    assert all(" ".join(v) in " ".join(docs[0]) for v in spans)  # a span is contiguous


def test_unlabeled_texts_are_deduplicated_counted_and_hashed(tmp_path):
    path = tmp_path / "u.txt"
    path.write_text("A fine film.\nA FINE film.\n\nseen before\nsomething new\nand more\n", encoding="utf-8")
    seen = {digest(["seen", "before"])}
    texts = read_unlabeled(Inputs(files=(str(path),)), seen, limit=10)
    assert texts.tokens == [["a", "fine", "film", "."], ["something", "new"], ["and", "more"]]
    assert (texts.read, texts.duplicates, texts.empty, texts.truncated) == (6, 2, 1, False)
    again = read_unlabeled(Inputs(files=(str(path),)), {digest(["seen", "before"])}, limit=10)
    assert again.sha256 == texts.sha256 and len(texts.sha256) == 64
    capped = read_unlabeled(Inputs(files=(str(path),)), set(), limit=2)
    assert len(capped.tokens) == 2 and capped.truncated and capped.sha256 != texts.sha256
    assert read_unlabeled(None, set(), 5).summary()["documents"] == 0


class CountingTeacher:
    """A teacher whose probabilities are a function of the text, which counts what it labels and can
    be told to fail after some batches (a run stopped half-way)."""

    classes_ = np.array(["neg", "pos"])

    def __init__(self, fail_after=None):
        self.labelled, self.calls, self.fail_after = [], 0, fail_after

    def predict_proba(self, docs):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise KeyboardInterrupt
        self.calls += 1
        self.labelled += docs
        p = np.array([(len(doc) % 7) / 7 for doc in docs])
        return np.column_stack([1 - p, p])


def test_the_teacher_cache_labels_each_text_once_and_a_stopped_run_resumes(tmp_path):
    docs = [["word"] * n + [str(n)] for n in range(25)]
    cache = EncodingCache(tmp_path / "p.sqlite", "teacher-sha:lr", np.float64)
    stopped = CountingTeacher(fail_after=2)
    with pytest.raises(KeyboardInterrupt):
        label_all(stopped, docs, 10, cache)
    assert len(stopped.labelled) == 20  # two batches made, and stored, before the stop
    resumed = CountingTeacher()
    proba, cached = label_all(resumed, docs, 10, cache)
    assert cached == 20 and resumed.labelled == docs[20:]
    uncached, none = label_all(CountingTeacher(), docs, 10)
    assert none == 0 and np.array_equal(proba, uncached)  # the stored float64 rows are the rows
    again = CountingTeacher()
    assert label_all(again, docs, 10, cache)[1] == 25 and again.calls == 0
    other = EncodingCache(tmp_path / "p.sqlite", "another-teacher:lr", np.float64)
    assert label_all(CountingTeacher(), docs, 10, other)[1] == 0  # keyed by the teacher


def test_cached_rows_of_the_wrong_width_are_labelled_again(tmp_path):
    docs = [["a", "b"], ["c"]]
    cache = EncodingCache(tmp_path / "p.sqlite", "t:lr", np.float64)
    cache.put({digest(docs[0]): np.array([0.2, 0.3, 0.5]), digest(docs[1]): np.array([0.1, 0.9])})
    teacher = CountingTeacher()
    proba, cached = label_all(teacher, docs, 10, cache)
    assert cached == 1 and teacher.labelled == [docs[0]] and np.allclose(proba[1], [0.1, 0.9])


@pytest.mark.parametrize(
    "damaged", [[0.5, np.nan], [1.5, -0.5], [0.3, 0.3], [np.inf, 0.0]], ids=["nan", "negative", "sum", "inf"]
)
def test_cached_rows_that_are_not_probabilities_are_labelled_again(tmp_path, damaged):
    docs = [["a", "b"], ["c"]]
    cache = EncodingCache(tmp_path / "p.sqlite", "t:lr", np.float64)
    cache.put({digest(docs[0]): np.array(damaged), digest(docs[1]): np.array([0.1, 0.9])})
    teacher = CountingTeacher()
    proba, cached = label_all(teacher, docs, 10, cache)
    assert cached == 1 and teacher.labelled == [docs[0]]
    assert np.allclose(proba[0], [1 - 2 / 7, 2 / 7]) and np.allclose(proba[1], [0.1, 0.9])


def test_an_unreadable_teacher_cache_is_named_as_one_in_the_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("SENTCLF_CACHE", str(tmp_path))
    (tmp_path / "teacher").mkdir()
    (tmp_path / "teacher" / "probabilities.sqlite").write_bytes(b"not a database" * 100)
    teacher = CountingTeacher()
    with caplog.at_level("WARNING", logger="sentclf"):
        proba, cached = label_all(teacher, [["a"], ["b", "c"]], 10, teacher_cache("f" * 64, "lr"))
    assert cached == 0 and len(teacher.labelled) == 2 and np.allclose(proba.sum(axis=1), 1)
    assert "the cache of the teacher's probabilities" in caplog.text and "probabilities.sqlite" in caplog.text
