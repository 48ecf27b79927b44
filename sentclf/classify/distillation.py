"""``sentclf distill``: a teacher (any model file) labels texts, and a fast student
(:class:`~sentclf.classify.models.student.DistilledStudent`) learns the teacher's probabilities.

The texts: the teacher's own training part (its data is re-read and split exactly as ``train`` split
it, so the held-out part is one neither model trained on), any unlabeled texts given (deduplicated,
:mod:`.distill.texts`), and, when those are fewer than ten times the labelled ones,
augmented variants of the labelled texts (:mod:`.distill.augment`). The held-out part measures the
student against the teacher: each one's accuracy, their agreement, and their speed, all recorded in
the student's model file with the teacher's sha256 and the unlabeled texts' count and hash.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from sentclf import atomic
from sentclf.classify import modelfile
from sentclf.classify.distill.distill_config import DistillConfig
from sentclf.classify.distill.texts import digest, read_unlabeled
from sentclf.data.readers import file_sha256
from sentclf.errors import ConfigError, DataError

log = logging.getLogger("sentclf")


@dataclass
class DistillResult:
    path: str
    metadata: dict

    def as_dict(self) -> dict:
        return {"model_path": self.path, **self.metadata["distilled"]}


def teacher_data(config: DistillConfig, teacher) -> tuple:
    """(DataConfig, test_size, seed): the labelled data to distil on and how ``train`` split it."""
    from sentclf.data.source import DataConfig

    saved = teacher.metadata.get("config", {})
    test_size = config.test_size if config.test_size is not None else saved.get("test_size", 0.2)
    seed = config.seed if config.seed is not None else saved.get("model", {}).get("seed", 0)
    if config.data is not None:
        return config.data, test_size, seed
    data = saved.get("data") or {}
    if data.get("path") is None:
        return DataConfig(), test_size, seed
    fields = {k: data[k] for k in ("path", "fmt", "text_col", "label_col", "encoding") if data.get(k) is not None}
    return DataConfig(**fields), test_size, seed


def labelled_split(data, test_size: float, seed: int, sha256: str | None) -> tuple:
    """(train tokens, train labels, held-out tokens, held-out labels, source) as ``train`` splits them."""
    from sentclf.classify.training import held_out_split, prepare_dataset

    dataset = data.load()
    if sha256 and dataset.sha256 != sha256:
        log.warning(
            "%s is not the data the teacher was trained on (its sha256 differs): the held-out part may hold "
            "texts the teacher saw",
            dataset.source,
        )
    _, tokens, labels, _, _ = prepare_dataset(dataset, test_size)
    train, test = held_out_split(labels, test_size, seed)
    pick = lambda rows, items: [items[i] for i in rows]  # noqa: E731
    return pick(train, tokens), pick(train, labels), pick(test, tokens), pick(test, labels), dataset


def timed_proba(pipeline, docs: list) -> tuple:
    """(probabilities, docs/s), after a warm-up call on a few documents (first calls import and allocate)."""
    pipeline.predict_proba(docs[:8])
    start = time.perf_counter()
    proba = np.asarray(pipeline.predict_proba(docs))
    return proba, len(docs) / max(time.perf_counter() - start, 1e-9)


def distill(config: DistillConfig) -> DistillResult:
    """Label, augment, fit the student, measure it against the teacher on the held-out part, save."""
    from sentclf.classify.encoder.cache import teacher_cache
    from sentclf.classify.features.lexicons import load_lexicon
    from sentclf.classify.models.distilled import learn, make_lesson
    from sentclf.classify.validation.metrics import drop_details

    config.validate()
    output = config.output_path()
    inputs = (config.teacher.path, *(config.unlabeled.files if config.unlabeled else ()))
    atomic.check_writable(output, config.force, inputs=tuple(p for p in inputs if p))
    teacher_model = config.teacher.load()
    kind, teacher = teacher_model.pipeline(config.teacher.use)
    classes = [str(c) for c in teacher.classes_]
    data, test_size, seed = teacher_data(config, teacher_model)
    recorded = teacher_model.metadata.get("data", {}).get("sha256") if config.data is None else None
    train_tokens, train_labels, test_tokens, test_labels, dataset = labelled_split(data, test_size, seed, recorded)
    if not test_tokens:  # before any labelling: the comparison at the end needs them
        raise ConfigError("no held-out texts to compare the student with its teacher: raise --test-size")
    unknown = sorted(set(train_labels) - set(classes))
    if unknown:
        raise DataError(
            f"{dataset.source}: has labels the teacher does not know ({', '.join(unknown[:5])}); the teacher "
            f"knows {', '.join(classes)}: distil on the data it was trained on, or pass --data"
        )
    seen = {digest(tokens) for tokens in (*train_tokens, *test_tokens)}
    unlabeled = read_unlabeled(config.unlabeled, seen, config.max_unlabeled)
    table = None
    if config.static:
        from sentclf.classify.vectors.sources import load_static

        table = load_static()
        give_back_freed_memory()  # making the table (once per machine) ran the encoder over the vocabulary
    lexicon = load_lexicon()
    teacher_sha256, teacher_path = file_sha256(teacher_model.path), str(teacher_model.path)
    teacher_meta = teacher_model.metadata
    cache = teacher_cache(teacher_sha256, kind) if config.cache else None
    teaching = config.teaching()
    start = time.perf_counter()
    lesson = make_lesson(teacher, train_tokens, train_labels, unlabeled.tokens, teaching, table, seed, cache)
    label_seconds = time.perf_counter() - start
    held_proba, teacher_rate = timed_proba(teacher, test_tokens)
    teacher_held = HeldOut(held_proba, teacher_rate, classes)
    # the student's fit is the run's peak of memory: the teacher (an encoder, n-gram tables) is not needed in it
    del teacher, teacher_model
    give_back_freed_memory()
    start = time.perf_counter()
    student = learn(lesson, teaching, table, lexicon, seed).student
    fit_seconds = label_seconds + time.perf_counter() - start
    held_out, student_metrics = compare_on(teacher_held, student, test_tokens, test_labels)
    distilled = {
        "teacher": {
            "path": teacher_path,
            "sha256": teacher_sha256,
            "kind": kind,
            "description": teacher_meta.get("config", {}).get("ensemble") or kind,
        },
        "labelled": {
            "source": dataset.source,
            "sha256": dataset.sha256,
            "train": len(train_tokens),
            "held_out": len(test_tokens),
        },
        "unlabeled": unlabeled.summary(),
        "augmented": {**lesson.augmentation.as_dict(), "variants": lesson.variants},
        "texts_labelled_by_teacher": len(lesson.docs),
        "teacher_labels_cached": lesson.cached,
        "temperature": config.temperature,
        "label_weight": config.label_weight,
        "fit_seconds": round(fit_seconds, 1),
        "student": student.summary(),
        "held_out": held_out,
    }
    metadata = {
        "labels": sorted(classes),
        "config": {"distill": config.as_dict(), "model": {"seed": seed}, "test_size": test_size},
        "lexicon": {"source": lexicon.source, "sha256": lexicon.sha256(), "sizes": lexicon.sizes()},
        "models": {"student": "distilled student"},
        "best_model": "student",
        "feature_set": "student",
        "feature_names": ["word 1-3-grams (NB-weighted)", "static table, mean-pooled", "x1..x6"],
        "embeddings": None,
        "data": teacher_meta.get("data"),
        "metrics": drop_details({"student": student_metrics}),
        "significance": [],
        "distilled": distilled,
    }
    path = modelfile.save(output, {"student": student.runtime_}, metadata, force=config.force)
    return DistillResult(str(path), metadata)


@dataclass
class HeldOut:
    """The teacher's probabilities of the held-out texts, its docs/s, and its classes in their order."""

    proba: np.ndarray
    docs_per_second: float
    classes: list


def compare_on(teacher: HeldOut, student, tokens: list, labels: list) -> tuple:
    """({each model's held-out accuracy and docs/s, and how often they agree}, the student's metrics)."""
    from sentclf.classify.validation.metrics import metrics_from_proba

    student_p, student_rate = timed_proba(student, tokens)
    t_label = np.asarray(teacher.classes)[teacher.proba.argmax(axis=1)]
    s_label = np.asarray([str(c) for c in student.classes_])[student_p.argmax(axis=1)]
    y = np.asarray(labels, dtype=str)
    seconds = len(tokens) / student_rate
    metrics = metrics_from_proba(
        list(labels), student_p, [str(c) for c in student.classes_], sorted(set(labels)), seconds
    )
    held_out = {
        "documents": len(tokens),
        "teacher_accuracy": float(np.mean(t_label == y)),
        "student_accuracy": float(np.mean(s_label == y)),
        "agreement": float(np.mean(t_label == s_label)),
        "teacher_docs_per_second": round(teacher.docs_per_second),
        "student_docs_per_second": round(student_rate),
    }
    return held_out, metrics


def give_back_freed_memory() -> None:
    """Collect, then hand the C heap's free pages back to the system. glibc keeps what the teacher's
    labelling freed (onnxruntime's buffers, the tokenizer's) for later mallocs, and the student's fit
    then starts hundreds of megabytes higher (bench/README.md, "Distillation"); elsewhere a no-op."""
    import ctypes

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def student_path(teacher_path) -> Path:
    """Where ``train --distill`` writes the student: beside the teacher, ``NAME.student.SUFFIX``."""
    path = Path(teacher_path)
    return path.with_name(f"{path.stem}.student{path.suffix or '.sentclf'}")


def train_and_distill(config, unlabeled=None, progress=None) -> tuple:
    """``train --distill``: train the teacher as ``config`` (a TrainConfig) says, then distil its student
    (on its data, split as it was, and the ``unlabeled`` Inputs) into :func:`student_path`, with the
    static table where ``make minilm`` has installed it.
    (TrainResult, DistillResult); both outputs are checked writable before anything is trained."""
    from sentclf.classify.modelfile.model import ModelSource
    from sentclf.classify.training import train
    from sentclf.classify.vectors.package import minilm_installed
    from sentclf.errors import OptionConflictError
    from sentclf.paths import default_model_path

    if config.stream is not None:
        raise OptionConflictError("--distill and --stream cannot go together: the student learns from texts in memory")
    if config.data.path == "-":
        raise ConfigError("--distill reads the training data again to teach the student: give DATA as a file, not -")
    teacher_path = Path(config.output) if config.output else default_model_path()
    static = minilm_installed()
    distill_config = DistillConfig(
        teacher=ModelSource(path=str(teacher_path)),
        output=str(student_path(teacher_path)),
        unlabeled=unlabeled,
        static=static,
    )
    if unlabeled is not None:
        unlabeled.validate()
    inputs = (str(teacher_path), config.data.path, *(unlabeled.files if unlabeled else ()))
    atomic.check_writable(distill_config.output_path(), config.force, inputs=tuple(p for p in inputs if p))
    if not static:
        log.info("the student has no static table ('make minilm' installs it): n-grams and x1..x6 alone")
    trained = train(config, progress)
    return trained, distill(replace(distill_config, force=config.force))
