"""Teaching a student: a fitted teacher labels texts (the labelled ones, unlabeled ones, augmented
variants) and a :class:`~.student.DistilledStudent` learns its probabilities. :func:`teach` is that
step, shared by ``sentclf distill`` (a teacher from a model file) and :class:`Distilled`, the estimator
that fits its own teacher first, so that ``compare`` cross-validates teacher and student on the same
folds and ``train --distill`` writes one beside the other."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from sentclf import progress as steps
from sentclf.classify.distill.augment import Augmentation, augment, similar_words
from sentclf.classify.distill.targets import mixed, with_temperature
from sentclf.classify.distill.texts import digest
from sentclf.classify.features.tags import text_input_tags
from sentclf.classify.models.student import DistilledStudent
from sentclf.errors import DataError

log = logging.getLogger("sentclf")
AUTO_MULTIPLE = 10  # without enough unlabeled text, augment until there are this many texts per labelled one
MAX_AUTO_VARIANTS = 10


@dataclass(frozen=True)
class Teaching:
    """How the student learns: ``augment`` variants per labelled text (None: :func:`auto_variants`),
    the teacher's ``temperature``, the labels' weight in the labelled texts' targets, the student's
    hidden units and epochs, and the teacher's batch size."""

    augment: int | None = None
    similar_words: float = 0.0
    temperature: float = 1.0
    label_weight: float = 0.5
    hidden: int = 256
    epochs: int | None = None  # None: as many passes as make about AUTO_STEPS updates (student.py)
    batch_size: int = 1000


@dataclass
class Taught:
    """A fitted student and how it was taught (the texts' counts, the augmentation)."""

    student: DistilledStudent
    augmentation: Augmentation
    variants: int
    texts: int


def auto_variants(n_labelled: int, n_unlabeled: int) -> int:
    """Variants per labelled text, so that there are AUTO_MULTIPLE texts per labelled one in all."""
    missing = AUTO_MULTIPLE * n_labelled - n_labelled - n_unlabeled
    return 0 if missing <= 0 or n_labelled == 0 else min(MAX_AUTO_VARIANTS, math.ceil(missing / n_labelled))


def is_probability_row(row: np.ndarray, width: int) -> bool:
    """A cached row the student can learn from: ``width`` finite non-negative numbers summing to 1.
    Anything else (another teacher's width, a damaged file) is labelled again, as if never cached."""
    return row.shape == (width,) and bool(np.isfinite(row).all() and (row >= 0).all() and abs(row.sum() - 1) < 1e-6)


def label_all(pipeline, docs: list, batch_size: int, cache=None) -> tuple:
    """(the teacher's probabilities of every document, how many of them came from ``cache``), labelled
    a batch at a time with a progress bar. With a cache (:func:`~sentclf.classify.encoder.cache.teacher_cache`),
    the documents it holds are not labelled again, and each batch's probabilities are stored as soon as
    they are made, so that a run which was stopped resumes where it was."""
    width = len(pipeline.classes_)
    keys = [digest(doc) for doc in docs] if cache is not None else []
    known = {key: row for key, row in cache.get(keys).items() if is_probability_row(row, width)} if keys else {}
    proba = np.zeros((len(docs), width))
    todo = []
    for i in range(len(docs)):
        if keys and keys[i] in known:
            proba[i] = known[keys[i]]
        else:
            todo.append(i)
    if known:
        log.info("the teacher's probabilities of %d of the %d texts are cached", len(docs) - len(todo), len(docs))
    steps.start("teach", len(todo), f"the teacher labels {len(todo):,} texts")
    for start in range(0, len(todo), batch_size):
        rows = todo[start : start + batch_size]
        proba[rows] = np.asarray(pipeline.predict_proba([docs[i] for i in rows]), dtype=np.float64)
        if keys:
            cache.put({keys[i]: proba[i] for i in rows})
        steps.advance("teach", len(rows))
    steps.finish("teach")
    return proba, len(docs) - len(todo)


@dataclass
class Lesson:
    """What the teacher said, ready for a student: the texts (labelled ones first), their targets
    (columns in sorted class order, as the student's classes are), the hard labels, and how the
    texts were made."""

    docs: list
    targets: np.ndarray
    hard: np.ndarray
    augmentation: Augmentation
    variants: int
    cached: int


def make_lesson(
    teacher, tokens: list, labels: list, unlabeled: list, teaching: Teaching, table, seed: int, cache=None
) -> Lesson:
    """A fitted ``teacher`` labels ``tokens`` (whose ``labels`` are mixed into their targets), the
    ``unlabeled`` token lists and the augmented variants of ``tokens`` (reading and storing its
    probabilities in ``cache``, see :func:`label_all`); the targets are its probabilities after
    ``teaching.temperature``. Nothing after this needs the teacher, so its memory can go."""
    classes = [str(c) for c in teacher.classes_]
    per_text = teaching.augment if teaching.augment is not None else auto_variants(len(tokens), len(unlabeled))
    augmentation = Augmentation(per_text=per_text, p_similar=teaching.similar_words)
    variants = []
    if per_text:
        neighbours = similar_words({w for doc in tokens for w in doc}, table) if teaching.similar_words else {}
        variants = augment(tokens, augmentation, neighbours, seed)
        log.info("augmented the %d labelled texts into %d variants", len(tokens), len(variants))
    docs = list(tokens) + list(unlabeled) + variants
    labelled, cached = label_all(teacher, docs, teaching.batch_size, cache)
    teacher_p = with_temperature(labelled, teaching.temperature)
    targets = teacher_p.copy()
    targets[: len(tokens)] = mixed(teacher_p[: len(tokens)], np.asarray(labels), classes, teaching.label_weight)
    hard = np.asarray(classes, dtype=object)[targets.argmax(axis=1)]
    hard[: len(tokens)] = labels
    if len(set(hard)) < len(classes):
        raise DataError(
            f"the texts hold no example of {', '.join(sorted(set(classes) - set(hard)))}: add labelled data"
        )
    order = np.argsort(np.asarray(classes, dtype=object))  # the student's classes are sorted, as np.unique sorts
    return Lesson(docs, targets[:, order], hard.astype(str), augmentation, len(variants), cached)


def learn(lesson: Lesson, teaching: Teaching, table, lexicon, seed: int) -> Taught:
    """A :class:`~.student.DistilledStudent` fitted to the lesson's targets."""
    student = DistilledStudent(
        hidden=teaching.hidden, epochs=teaching.epochs, random_state=seed, table=table, lexicon=lexicon
    )
    log.info("training the student on %d texts", len(lesson.docs))
    student.fit(lesson.docs, lesson.hard, targets=lesson.targets)
    return Taught(student, lesson.augmentation, lesson.variants, len(lesson.docs))


def teach(
    teacher, tokens: list, labels: list, unlabeled: list, teaching: Teaching, table, lexicon, seed: int
) -> Taught:
    """The student of a fitted ``teacher``: :func:`make_lesson`, then :func:`learn`."""
    return learn(make_lesson(teacher, tokens, labels, unlabeled, teaching, table, seed), teaching, table, lexicon, seed)


class Distilled(ClassifierMixin, BaseEstimator):
    """``fit(X, y)`` fits a clone of ``teacher`` on the token lists X and labels y, then teaches a
    student (:func:`teach`, with augmented variants as :func:`auto_variants` says unless ``augment``
    is given) and drops the teacher: predictions are the student's alone. ``table`` and ``lexicon``
    as :class:`~.student.DistilledStudent` takes them."""

    def __init__(
        self,
        teacher=None,
        augment=None,
        temperature=1.0,
        label_weight=0.5,
        hidden=256,
        epochs=None,
        table=None,
        lexicon=None,
        random_state=0,
    ):
        self.teacher = teacher
        self.augment = augment
        self.temperature = temperature
        self.label_weight = label_weight
        self.hidden = hidden
        self.epochs = epochs
        self.table = table
        self.lexicon = lexicon
        self.random_state = random_state

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__(), requires_y=True)

    def fit(self, X, y):
        from sklearn.utils.multiclass import check_classification_targets

        if self.teacher is None:
            raise ValueError("Distilled needs a teacher: an unfitted estimator over token lists")
        if y is None:
            raise ValueError("Distilled requires y to be passed, but the target y is None: give the labels")
        check_classification_targets(y)
        docs, labels = list(X), [str(label) for label in y]
        teacher = clone(self.teacher).fit(docs, labels)
        teaching = Teaching(
            augment=self.augment,
            temperature=self.temperature,
            label_weight=self.label_weight,
            hidden=self.hidden,
            epochs=self.epochs,
        )
        taught = teach(teacher, docs, labels, [], teaching, self.table, self.lexicon, self.random_state)
        self.student_ = taught.student
        self.classes_ = self.student_.classes_
        self.variants_ = taught.variants
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "student_")
        return self.student_.predict_proba(X)

    def predict(self, X):
        check_is_fitted(self, "student_")
        return self.student_.predict(X)
