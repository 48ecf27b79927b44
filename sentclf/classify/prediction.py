"""``predict``: label documents with a saved model, in batches, so memory stays flat on any input, and
send the rows (:mod:`sentclf.classify.rows`) where the config says: standard output (a table, JSONL
or CSV), a file by its extension, or a Parquet dataset written by a Dask cluster.

One scoring path for all three: a :class:`Scorer` is the model with its pipeline chosen and its
options checked (the model is loaded once per process, once per worker on a cluster, where each
partition takes a Scorer of it); it turns batches of documents into probabilities and labels, and
those into rows."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sentclf.classify.config import PredictConfig
from sentclf.classify.rows import (
    DECIMALS,
    PredictionTable,
    prediction_columns,
    prediction_row,
    write_file,
    write_prediction_stream,
)
from sentclf.errors import ConfigError
from sentclf.text import TokenBatch, tokenize_batch

UNCERTAIN, NEUTRAL = "uncertain", "neutral"
NO_STREAM = (
    "predict writes its rows to a stream or to -o: pass a stream (predict(config, sys.stdout)), give "
    "OutputConfig(path=...), or iterate sentclf.predictions(config)"
)


def tokenized_batches(documents, batch_size: int):
    """(documents, their token lists) in batches of ``batch_size``: input is pulled lazily."""
    iterator = iter(documents)
    while batch := list(itertools.islice(iterator, batch_size)):
        yield batch, tokenize_batch(doc.text for doc in batch).lists


@dataclass
class Scorer:
    """A loaded model with the pipeline that scores: the one asked for (``use``) or the best. A top
    probability below ``min_confidence`` labels a document 'uncertain'; for a two-class model, one
    below 0.5 + ``neutral_band`` labels it 'neutral' (VADER's and TextBlob's third answer).
    ``adapt_priors``: each batch's probabilities are corrected to the class priors EM estimates on that
    batch (:mod:`sentclf.classify.models.priors`), for data whose classes are mixed unlike the training
    data's. ``jobs``: the processes that score a long input (see :meth:`batches`)."""

    model: Any
    kind: str
    pipeline: Any
    classes: list
    min_confidence: float = 0.0
    neutral_band: float = 0.0
    adapt_priors: bool = False
    jobs: int = 1

    @classmethod
    def of(
        cls,
        model,
        use: str | None = None,
        min_confidence: float = 0.0,
        neutral_band: float = 0.0,
        adapt_priors: bool = False,
        jobs: int | None = 1,
    ) -> Scorer:
        """``jobs``: N processes, -1 one per core, None one per core for a model whose scoring is
        Python-bound (:func:`~sentclf.classify.parallel.scoring_pool.worker_count`)."""
        kind, pipeline = model.pipeline(use)
        classes = [str(c) for c in pipeline.classes_]
        if neutral_band and len(classes) != 2:
            raise ConfigError(
                f"--neutral-band is for two-class models; this one has {len(classes)} ({', '.join(classes)})"
            )
        if jobs != 1:
            from sentclf.classify.parallel.scoring_pool import worker_count

            jobs = worker_count(jobs, getattr(pipeline, "reads_token_batches", False))
        return cls(model, kind, pipeline, classes, min_confidence, neutral_band, adapt_priors, jobs)

    @property
    def labels(self) -> list:
        """The model's labels, in its probability-column order (the rows' p_<label> columns)."""
        return [str(label) for label in self.model.labels]

    def label(self, best: int, p: float) -> str:
        if p < self.min_confidence:
            return UNCERTAIN
        if self.neutral_band and p < 0.5 + self.neutral_band:
            return NEUTRAL
        return self.classes[best]

    def batches(self, documents, batch_size: int = 1000):
        """(documents, whether each has no tokens, probabilities (n × classes), labels) of each batch,
        in input order: scored in ``jobs`` worker processes when there are more than one and the
        input is long (:mod:`sentclf.classify.parallel.scoring_pool`), else here."""
        if self.adapt_priors:
            from sentclf.classify.models.priors import training_priors

            trained = training_priors(self.model.metadata, self.classes)
        else:
            trained = None
        if self.jobs > 1:
            from sentclf.classify.parallel.scoring_pool import scored_batches

            for batch, scored in scored_batches(self, documents, batch_size, self.jobs, trained):
                yield batch, *scored
            return
        iterator = iter(documents)
        while batch := list(itertools.islice(iterator, batch_size)):
            yield batch, *self.score_texts([doc.text for doc in batch], trained)

    def score_texts(self, texts: list, trained=None) -> tuple:
        """(whether each text has no tokens, probabilities, labels) of a batch of texts."""
        tokens = tokenize_batch(texts)
        return (tokens.empty, *self.score_tokens(tokens, trained))

    def score_tokens(self, tokens, trained=None) -> tuple:
        """(probabilities (n × classes), labels) of token lists or a :class:`~sentclf.text.TokenBatch`:
        the one place a batch is scored (``trained``: the training priors, with ``adapt_priors``). A
        pipeline that says it ``reads_token_batches`` is given the batch as it is, the others its lists."""
        if isinstance(tokens, TokenBatch) and not getattr(self.pipeline, "reads_token_batches", False):
            tokens = tokens.lists
        proba = self.pipeline.predict_proba(tokens)
        if self.adapt_priors:
            from sentclf.classify.models.priors import adapt_priors, training_priors

            priors = trained if trained is not None else training_priors(self.model.metadata, self.classes)
            proba = adapt_priors(proba, priors)[0]
        labels = [self.label(b, p) for b, p in zip(proba.argmax(axis=1).tolist(), proba.max(axis=1).tolist())]
        return proba, labels

    def scored(self, documents, batch_size: int = 1000):
        """Each batch as a :class:`ScoredBatch`, in input order: what the stream writers format."""
        for batch, empty, proba, predicted in self.batches(documents, batch_size):
            yield ScoredBatch(batch, proba, predicted, empty)

    def rows(self, documents, batch_size: int = 1000):
        """One prediction row per document, in input order."""
        for scored in self.scored(documents, batch_size):
            yield from scored.rows(self.classes, self.labels)


@dataclass
class ScoredBatch:
    """A batch of documents with their probabilities (n × classes, the pipeline's order), labels and
    whether each had no words."""

    documents: list
    proba: Any
    labels: list
    empty: list

    def rows(self, classes: list, labels: list):
        for doc, values, label, empty in zip(self.documents, self.proba.tolist(), self.labels, self.empty):
            yield prediction_row(doc, label, dict(zip(classes, values)), empty, labels)


@dataclass
class Predictions:
    """The rows a model gives, in input order; iterate to score (or take :meth:`batches`). ``n`` and
    ``n_empty`` count as you go; ``skipped`` holds (file, line) of undecodable lines left out
    (``Inputs(skip_bad=True)``)."""

    scorer: Scorer
    source: Iterator = field(repr=False)  # of ScoredBatch
    n: int = 0
    n_empty: int = 0
    skipped: list = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.scorer.kind

    @property
    def labels(self) -> list:
        return self.scorer.labels

    def batches(self):
        for batch in self.source:
            self.n += len(batch.documents)
            self.n_empty += sum(batch.empty)
            yield batch

    def __iter__(self):
        for batch in self.batches():
            yield from batch.rows(self.scorer.classes, self.scorer.labels)


def predictions(config: PredictConfig) -> Predictions:
    """Load the model (checking its file first) and return the documents' rows, scored lazily: the
    Python API's way to read predictions (full precision; the written forms round)."""
    config.validate()
    scorer = Scorer.of(
        config.model.load(),
        config.model.use,
        config.min_confidence,
        config.neutral_band,
        config.adapt_priors,
        config.jobs,
    )
    skipped: list = []
    scored = scorer.scored(config.inputs.documents(skipped), config.batch_size)
    return Predictions(scorer, scored, skipped=skipped)


@dataclass
class PredictReport:
    """What ``predict`` wrote: how many rows with which model, where, and what it met on the way."""

    kind: str
    rows: int
    empty: int = 0
    skipped: list = field(default_factory=list)
    path: str | None = None  # None: the stream
    format: str = "table"
    partitions: int | None = None  # a Dask dataset: how it was written
    workers: int | None = None
    seconds: float | None = None


def predict(config: PredictConfig, stream=None) -> PredictReport:
    """Score the inputs and write every row where ``config.output`` says: ``stream`` (a text file such
    as ``sys.stdout``) in its format, the file ``-o`` names, or a Dask dataset (``--scheduler``)."""
    config.validate()
    output = config.output
    if output.scheduler:
        return predict_on_cluster(config)
    found = predictions(config)
    if output.path:
        written = write_file(found, output.path, output.force, inputs=config.inputs.files)
        return PredictReport(
            found.kind, written["rows"], found.n_empty, found.skipped, written["path"], written["format"]
        )
    if stream is None:
        raise ConfigError(NO_STREAM)
    table = PredictionTable(found.scorer.classes, found.labels)
    count = write_prediction_stream(found.batches(), stream, output.stdout_format, table)
    return PredictReport(found.kind, count, found.n_empty, found.skipped, None, output.stdout_format)


def predict_on_cluster(config: PredictConfig) -> PredictReport:
    """``predict --scheduler``: every partition of the inputs scored on the cluster's workers by
    :func:`score_partition`, written as a Parquet dataset."""
    from sentclf.classify.parallel.dask_scoring import run_on_cluster

    chosen: list = []

    def prepare():  # runs while the cluster starts: the model is checked here before any worker sees it
        scorer = Scorer.of(
            config.model.load(), config.model.use, config.min_confidence, config.neutral_band, config.adapt_priors
        )
        chosen.append(scorer.kind)
        options = {k: getattr(config, k) for k in ("min_confidence", "neutral_band", "adapt_priors")}
        return scorer.model, {**options, "use": config.model.use, "labels": scorer.labels}

    def columns(fields: list, options: dict) -> list:
        return prediction_columns(fields, options["labels"])

    done = run_on_cluster(config.output, config.inputs, score_partition, columns, prepare, config.model.trusted)
    return PredictReport(
        chosen[0],
        done["rows"],
        path=done["path"],
        format="parquet",
        partitions=done["partitions"],
        workers=done["workers"],
        seconds=done["seconds"],
    )


def score_partition(frame, text: str, fields: list, options: dict):
    """One partition's predictions as the in-process ``-o`` file holds them (a pandas DataFrame),
    built column by column: per-row records would be a third of a worker's time."""
    import numpy as np
    import pandas as pd

    from sentclf.classify.parallel.dask_scoring import partition_documents, plain_column, worker_model

    scorer = Scorer.of(
        worker_model(), options["use"], options["min_confidence"], options["neutral_band"], options["adapt_priors"]
    )
    docs = partition_documents(frame, text)
    labels, probabilities, empty = [], [], []
    for _, blank, proba, predicted in scorer.batches(docs):
        labels += predicted
        probabilities.append(proba)
        empty += blank
    proba = np.concatenate(probabilities) if probabilities else np.zeros((0, len(scorer.classes)))
    names = options["columns"]
    columns: dict = {name: plain_column(frame[source]) for name, source in zip(names, fields)}
    columns["label"] = labels
    for label in scorer.labels:
        column = proba[:, scorer.classes.index(label)].tolist() if label in scorer.classes else None
        columns[f"p_{label}"] = [round(v, DECIMALS) for v in column] if column is not None else [None] * len(docs)
    columns.update(empty=empty, text=[doc.text for doc in docs])
    return pd.DataFrame(columns, columns=names)
