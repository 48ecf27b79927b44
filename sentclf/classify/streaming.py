"""``train --stream``: out-of-core training, for data larger than memory.

After scikit-learn's "strategies to scale computationally": the file is read a batch of rows at a
time, never whole, and every learned part is fitted incrementally.

- Features are blocks that learn nothing from the data (``six``, ``rules``, and ``hashed``: word
  1-2-grams hashed into 2**20 columns, so no vocabulary is kept); only their scaler is learned,
  with ``partial_fit``.
- Logistic regression is ``SGDClassifier(loss="log_loss")`` and the MLP is ``MLPClassifier``, both
  fitted with ``partial_fit``, one batch at a time, for ``epochs`` passes over the file.
- The held-out part is chosen by hashing each row's text (CRC-32 with the seed), so the split is
  deterministic, duplicates fall on the same side, and nothing is kept in memory per row.
- Rows pass through a shuffle buffer, so a file sorted by label still trains well.

Passes over the file: one survey pass (the label set, the number of training rows and the scaler's
statistics; the label set can be given instead), then ``epochs`` training passes, then one pass
scoring the held-out rows. Each pass has a progress bar over the file's bytes.
"""

from __future__ import annotations

import logging
import random
import time
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

from sentclf import progress as steps
from sentclf.classify.config import StreamConfig, TrainConfig
from sentclf.classify.features import BLOCKS
from sentclf.classify.models.pipeline import build_pipeline
from sentclf.classify.validation.metrics import drop_details, metrics_from_proba
from sentclf.data.readers import file_sha256
from sentclf.data.source import resolve
from sentclf.data.tables import LABEL_AUTO, Columns, iter_table, table_format
from sentclf.errors import ConfigError, DataError, OptionConflictError
from sentclf.text import tokenize_all

log = logging.getLogger("sentclf")
BUCKETS = 10_000  # the held-out fraction is resolved to 1/10,000


def check_streamable(config: TrainConfig) -> tuple:
    """The feature set's blocks, if ``train --stream`` can fit them; else an error saying why."""
    path = config.data.path
    if path == "-":
        raise ConfigError("train --stream reads its data several times: pass a table file, not stdin")
    if path is not None and table_format(resolve(path)) is None:
        raise ConfigError(
            f"{path}: train --stream reads tables (.csv, .tsv, .jsonl, maybe .gz, or .parquet), one row per "
            "document: convert it, or drop --stream to read it into memory"
        )
    kinds = config.kinds
    if "ensemble" in kinds or "nb" in kinds:
        raise OptionConflictError(
            f"--stream and --model {','.join(kinds)} cannot go together: streaming fits lr and mlp with partial_fit; "
            "ensembles and nb need the data in memory"
        )
    feature_set = config.feature_set()
    blocks = feature_set.split("+")
    learned = [name for name in blocks if not BLOCKS[name].stateless]
    if learned:
        stateless = ", ".join(name for name, block in BLOCKS.items() if block.stateless)
        raise OptionConflictError(
            f"--stream and --features {feature_set} cannot go together: '{learned[0]}' learns from all the data "
            f"at once: use --features made of {stateless} (hashed is the n-gram block for streaming)"
        )
    if "mlp" in kinds and any(not BLOCKS[name].dense for name in blocks):
        raise OptionConflictError(
            f"--stream --model mlp and --features {feature_set} cannot go together: an MLP on 2**20 hashed columns "
            "would need gigabytes: use --model lr, or --features six (or rules)"
        )
    return tuple(blocks)


def is_held_out(text: str, fraction: float, seed: int) -> bool:
    """Whether a row belongs to the held-out part: CRC-32 of the seed and the text, in 10,000 buckets."""
    return zlib.crc32(f"{seed}\x00{text}".encode("utf-8", "surrogatepass")) % BUCKETS < fraction * BUCKETS


class Reader:
    """Passes over a labelled table file: (text, label) of the chosen part, with a bar over bytes."""

    def __init__(self, config: TrainConfig):
        self.config = config
        self.path: str = resolve(config.data.path or "")
        self.source: str = config.data.path or ""
        self.fmt: str = table_format(self.path) or "csv"
        self.size = Path(self.path).stat().st_size if Path(self.path).is_file() else 0
        self.columns = Columns(text=config.data.text_col, label=config.data.label_col or LABEL_AUTO)
        self.n_bad = 0  # rows without a label, in one pass

    def sha256(self) -> str:
        return file_sha256(self.path)

    def rows(self, held_out: bool, label: str):
        """(text, label) of the training rows (``held_out=False``) or of the held-out rows."""
        data = self.config.data
        steps.start("bytes", self.size, label)
        bad = 0
        try:
            for doc in iter_table(self.path, self.fmt, self.columns, data.encoding, self._advance):
                if doc.label is None:
                    if not data.skip_bad:
                        raise DataError(
                            f"{doc.file} line {doc.line}: no label (fix the row, or pass --skip-bad to skip such rows)"
                        )
                    bad += 1
                    continue
                if is_held_out(doc.text, self.config.test_size, self.config.model.seed) == held_out:
                    yield doc.text, doc.label
        finally:
            steps.finish("bytes")
        self.n_bad = bad  # every pass meets every bad row (they are skipped before the split)

    def _advance(self, n: int) -> None:
        steps.advance("bytes", n)


class CorpusReader:
    """Passes over the default corpus, the first thing a user streams: it is small enough to hold
    (its cleaning, deduplication above all, needs every row once), so it is read once and handed
    out a row at a time, split and shuffled as a table file's rows are."""

    def __init__(self, config: TrainConfig):
        self.config = config
        self.dataset = config.data.load()
        self.source, self.fmt, self.n_bad = self.dataset.source, self.dataset.format, 0

    def sha256(self) -> str:
        return self.dataset.sha256

    def rows(self, held_out: bool, label: str):
        steps.start("rows", len(self.dataset), label)
        try:
            for i, (text, gold) in enumerate(zip(self.dataset.texts, self.dataset.labels)):
                if i % 4096 == 0:
                    steps.advance("rows", min(4096, len(self.dataset) - i))
                if is_held_out(text, self.config.test_size, self.config.model.seed) == held_out:
                    yield text, gold
        finally:
            steps.finish("rows")


def batches(rows, size: int):
    """Lists of ``size`` (text, label) rows."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def shuffled(rows, buffer: int, rng: random.Random):
    """The rows in a random order, as far as a buffer of ``buffer`` rows allows (memory: the buffer)."""
    pool: list = []
    for row in rows:
        if len(pool) < buffer:
            pool.append(row)
            continue
        i = rng.randrange(buffer)
        yield pool[i]
        pool[i] = row
    rng.shuffle(pool)
    yield from pool


def _non_empty(batch: list) -> tuple:
    """(tokens, labels) of the batch's documents that have tokens."""
    tokens = tokenize_all(text for text, _ in batch)
    kept = [i for i, toks in enumerate(tokens) if toks]
    return [tokens[i] for i in kept], [batch[i][1] for i in kept], len(batch) - len(kept)


def survey(reader: Reader | CorpusReader, pipeline, batch_size: int) -> tuple:
    """One pass over the training rows: the class counts, and the scaler's statistics (partial_fit)."""
    features, scale = pipeline.named_steps["features"], pipeline.named_steps["scale"]
    counts: Counter = Counter()
    n_empty = 0
    for batch in batches(reader.rows(False, "reading the labels and feature scales"), batch_size):
        tokens, labels, empty = _non_empty(batch)
        n_empty += empty
        counts.update(labels)
        if tokens and scale != "passthrough":
            scale.partial_fit(features.transform(tokens))
    return counts, n_empty


def stream_classifier(kind: str, config: TrainConfig, n_train: int | None, sparse: bool):
    """The partial_fit learner for a model kind.

    LR is SGD on the log loss, its penalty following ``C`` as in LogisticRegression (alpha = 1/(C·n))
    when the number of training rows is known. On sparse n-gram columns it takes scikit-learn's
    default ("optimal") step sizes with averaged weights; on dense standardized columns alone those
    first steps are far too large (bench/README.md, "Figures behind the code's choices"), so there it takes steps of
    0.01, divided by 5 whenever an epoch stops improving the loss ("adaptive")."""
    from sklearn.linear_model import SGDClassifier

    model = config.model_config().resolved()
    if kind == "lr":
        c = model.c if model.c is not None else 1.0
        alpha = 1.0 / (c * n_train) if n_train else 1e-5
        if sparse:
            return SGDClassifier(loss="log_loss", alpha=alpha, average=True, random_state=model.seed)
        return SGDClassifier(loss="log_loss", alpha=alpha, learning_rate="adaptive", eta0=0.01, random_state=model.seed)
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(
        hidden_layer_sizes=(model.hidden,), activation=model.activation, alpha=model.alpha, random_state=model.seed
    )


def train_stream(config: TrainConfig, lexicon) -> tuple:
    """Fit every requested model out of core, ``config`` passing :func:`check_streamable` (``train``
    checks it before anything is written); returns (pipelines, metrics, labels, data summary)."""
    stream = config.stream or StreamConfig()
    reader: Reader | CorpusReader = CorpusReader(config) if config.data.is_default_corpus() else Reader(config)
    feature_set = config.feature_set()
    model_config = config.model_config()
    pipelines = {
        kind: build_pipeline("lr", lexicon, model_config, config.embeddings, features=feature_set)
        for kind in config.kinds
    }
    first = next(iter(pipelines.values()))
    first.named_steps["features"].fit([["a"]])
    batch_size = stream.batch
    counts: Counter = Counter()
    n_empty = 0
    if stream.labels and first.named_steps["scale"] == "passthrough":
        labels = sorted(stream.labels)  # nothing to survey: the label set is given and nothing is scaled
    else:
        counts, n_empty = survey(reader, first, batch_size)
        labels = sorted(counts)
        if stream.labels:
            unknown = sorted(set(labels) - set(stream.labels))
            if unknown:
                raise DataError(f"{reader.source}: labels outside --labels: {', '.join(unknown[:5])}")
            labels = sorted(stream.labels)
    if len(labels) < 2:
        raise DataError(f"{reader.source}: has one class only ({', '.join(labels) or 'none'}) in its training rows")
    n_train = sum(counts.values()) or None
    sparse = any(not BLOCKS[name].dense for name in feature_set.split("+"))
    shared = {"features": first.named_steps["features"], "scale": first.named_steps["scale"]}
    for kind, pipeline in pipelines.items():  # one fitted feature step and scaler, shared
        pipeline.set_params(clf=stream_classifier(kind, config, n_train, sparse), **shared)
    classes = np.asarray(labels, dtype=object)
    known = set(labels)
    rng = random.Random(model_config.seed)
    start = time.perf_counter()
    surveyed = bool(counts)
    for epoch in range(1, stream.epochs + 1):
        rows = shuffled(reader.rows(False, f"epoch {epoch} of {stream.epochs}"), stream.shuffle_buffer, rng)
        for batch in batches(rows, batch_size):
            tokens, y, empty = _non_empty(batch)
            if not surveyed and epoch == 1:
                counts.update(y)
                n_empty += empty
                if not known.issuperset(y):
                    unknown = sorted(set(y) - known)
                    raise DataError(f"{reader.source}: labels outside --labels: {', '.join(unknown[:5])}")
            if not tokens:
                continue
            X = first.named_steps["features"].transform(tokens)
            if first.named_steps["scale"] != "passthrough":
                X = first.named_steps["scale"].transform(X)
            for pipeline in pipelines.values():
                pipeline.named_steps["clf"].partial_fit(X, np.asarray(y, dtype=object), classes=classes)
    seconds = time.perf_counter() - start
    metrics, n_test = score_held_out(reader, pipelines, labels, batch_size)
    for kind in metrics:
        metrics[kind]["train_seconds"] = seconds / len(pipelines)
    n_train = sum(counts.values())
    summary = {
        "source": reader.source,
        "sha256": reader.sha256(),
        "format": reader.fmt,
        "rows_read": n_train + n_test + n_empty + reader.n_bad,
        "bad_rows_skipped": reader.n_bad,
        "empty_skipped": n_empty,
        "n_train": n_train,
        "n_test": n_test,
        "class_counts": dict(sorted(counts.items())),
        "stream": {"epochs": stream.epochs, "batch": batch_size, "shuffle_buffer": stream.shuffle_buffer},
    }
    return pipelines, metrics, labels, summary


def score_held_out(reader: Reader | CorpusReader, pipelines: dict, labels: list, batch_size: int) -> tuple:
    """Each model's metrics on the held-out rows, read in one more pass; only their labels and
    probabilities are kept (a few bytes per held-out row)."""
    y_true: list = []
    probas: dict = {kind: [] for kind in pipelines}
    seconds = dict.fromkeys(pipelines, 0.0)
    for batch in batches(reader.rows(True, "scoring the held-out rows"), batch_size):
        tokens, y, _ = _non_empty(batch)
        if not tokens:
            continue
        y_true.extend(y)
        for kind, pipeline in pipelines.items():
            start = time.perf_counter()
            probas[kind].append(pipeline.predict_proba(tokens).astype(np.float32))
            seconds[kind] += time.perf_counter() - start
    if not y_true:
        raise DataError(f"{reader.source}: no row fell in the held-out part: add data or raise --test-size")
    metrics = {}
    for kind, pipeline in pipelines.items():
        proba = np.vstack(probas[kind]).astype(np.float64)
        metrics[kind] = metrics_from_proba(y_true, proba, [str(c) for c in pipeline.classes_], labels, seconds[kind])
    return drop_details(metrics), len(y_true)
