"""``sentclf distill``: a teacher (any model file) labels texts, and a fast student
(:class:`~sentclf.classify.models.student.DistilledStudent`) learns the teacher's probabilities.

The texts: the teacher's own training part (its data is re-read and split exactly as ``train`` split
it, so the held-out part is one neither model trained on), any unlabeled texts given (deduplicated,
:mod:`.distill.texts`), and, when those are fewer than AUTO_MULTIPLE times the labelled ones,
augmented variants of the labelled texts (:mod:`.distill.augment`). The held-out part measures the
student against the teacher: each one's accuracy, their agreement, and their speed, all recorded in
the student's model file with the teacher's sha256 and the unlabeled texts' count and hash.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np

from sentclf import atomic
from sentclf import progress as steps
from sentclf.classify import modelfile
from sentclf.classify.distill.augment import Augmentation, augment, similar_words
from sentclf.classify.distill.distill_config import DistillConfig
from sentclf.classify.distill.targets import mixed, with_temperature
from sentclf.classify.distill.texts import digest, read_unlabeled
from sentclf.data.readers import file_sha256
from sentclf.errors import ConfigError, DataError

log = logging.getLogger("sentclf")
AUTO_MULTIPLE = 10  # without enough unlabeled text, augment until there are this many texts per labelled one
MAX_AUTO_VARIANTS = 10


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


def label_all(pipeline, docs: list, batch_size: int) -> np.ndarray:
    """The teacher's probabilities for every document, a batch at a time, with a progress bar."""
    steps.start("teach", len(docs), f"the teacher labels {len(docs):,} texts")
    out = []
    for start in range(0, len(docs), batch_size):
        batch = docs[start : start + batch_size]
        out.append(np.asarray(pipeline.predict_proba(batch), dtype=np.float64))
        steps.advance("teach", len(batch))
    steps.finish("teach")
    return np.vstack(out) if out else np.zeros((0, len(pipeline.classes_)))


def timed_proba(pipeline, docs: list) -> tuple:
    """(probabilities, docs/s), after a warm-up call on a few documents (first calls import and allocate)."""
    pipeline.predict_proba(docs[:8])
    start = time.perf_counter()
    proba = np.asarray(pipeline.predict_proba(docs))
    return proba, len(docs) / max(time.perf_counter() - start, 1e-9)


def auto_variants(n_labelled: int, n_unlabeled: int) -> int:
    """Variants per labelled text, so that there are AUTO_MULTIPLE texts per labelled one in all."""
    missing = AUTO_MULTIPLE * n_labelled - n_labelled - n_unlabeled
    return 0 if missing <= 0 else min(MAX_AUTO_VARIANTS, math.ceil(missing / n_labelled))


def distill(config: DistillConfig) -> DistillResult:
    """Label, augment, fit the student, measure it against the teacher on the held-out part, save."""
    from sentclf.classify.features.lexicons import load_lexicon
    from sentclf.classify.models.student import DistilledStudent
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
    per_text = config.augment if config.augment is not None else auto_variants(len(train_tokens), len(unlabeled.tokens))
    augmentation = Augmentation(per_text=per_text, p_similar=config.similar_words)
    variants = []
    if per_text:
        neighbours = similar_words({w for doc in train_tokens for w in doc}, table) if config.similar_words else {}
        variants = augment(train_tokens, augmentation, neighbours, seed)
        log.info("augmented the %d labelled texts into %d variants", len(train_tokens), len(variants))
    docs = train_tokens + unlabeled.tokens + variants
    teacher_p = with_temperature(label_all(teacher, docs, config.batch_size), config.temperature)
    targets = teacher_p.copy()
    targets[: len(train_tokens)] = mixed(
        teacher_p[: len(train_tokens)], np.asarray(train_labels), classes, config.label_weight
    )
    hard = np.asarray(classes, dtype=object)[targets.argmax(axis=1)]
    hard[: len(train_tokens)] = train_labels
    if len(set(hard)) < len(classes):
        raise DataError(
            f"the texts hold no example of {', '.join(sorted(set(classes) - set(hard)))}: add labelled data"
        )
    lexicon = load_lexicon()
    order = np.argsort(np.asarray(classes, dtype=object))  # the student's classes are sorted, as np.unique sorts
    student = DistilledStudent(
        hidden=config.hidden, epochs=config.epochs, random_state=seed, table=table, lexicon=lexicon
    )
    log.info("training the student on %d texts", len(docs))
    start = time.perf_counter()
    student.fit(docs, hard.astype(str), targets=targets[:, order])
    fit_seconds = time.perf_counter() - start
    held_out, student_metrics = compare_on(teacher, student, test_tokens, test_labels)
    distilled = {
        "teacher": {
            "path": str(teacher_model.path),
            "sha256": file_sha256(teacher_model.path),
            "kind": kind,
            "description": teacher_model.metadata.get("config", {}).get("ensemble") or kind,
        },
        "labelled": {
            "source": dataset.source,
            "sha256": dataset.sha256,
            "train": len(train_tokens),
            "held_out": len(test_tokens),
        },
        "unlabeled": unlabeled.summary(),
        "augmented": {**augmentation.as_dict(), "variants": len(variants)},
        "texts_labelled_by_teacher": len(docs),
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
        "data": teacher_model.metadata.get("data"),
        "metrics": drop_details({"student": student_metrics}),
        "significance": [],
        "distilled": distilled,
    }
    path = modelfile.save(output, {"student": student.runtime_}, metadata, force=config.force)
    return DistillResult(str(path), metadata)


def compare_on(teacher, student, tokens: list, labels: list) -> tuple:
    """({each model's held-out accuracy and docs/s, and how often they agree}, the student's metrics)."""
    from sentclf.classify.validation.metrics import metrics_from_proba

    if not tokens:
        raise ConfigError("no held-out texts to compare the student with its teacher: raise --test-size")
    teacher_p, teacher_rate = timed_proba(teacher, tokens)
    student_p, student_rate = timed_proba(student, tokens)
    t_label = np.asarray([str(c) for c in teacher.classes_])[teacher_p.argmax(axis=1)]
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
        "teacher_docs_per_second": round(teacher_rate),
        "student_docs_per_second": round(student_rate),
    }
    return held_out, metrics
