"""``predict``: label documents with a saved model, in batches, so memory stays flat on any input."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sentclf.classify import modelfile
from sentclf.classify.scoring_config import PredictConfig
from sentclf.data.documents import documents_of
from sentclf.data.tables import Columns
from sentclf.errors import ConfigError
from sentclf.text import tokenize_all


def tokenized_batches(documents, batch_size: int):
    """(documents, their token lists) in batches of ``batch_size``: input is pulled lazily."""
    iterator = iter(documents)
    while batch := list(itertools.islice(iterator, batch_size)):
        yield batch, tokenize_all(doc.text for doc in batch)


UNCERTAIN, NEUTRAL = "uncertain", "neutral"


def read_only_encodings(estimator) -> None:
    """Let every sentence-encoder block inside a loaded model (ensembles and calibration wrappers
    included) read the encoding cache but not add to it. The walk descends only into estimators and
    the containers that hold them, never into a fitted vocabulary's millions of entries (walking
    those took 4.4 s of a 3,000-tweet predict)."""
    from sentclf.classify.features.encoder import SentenceVectors

    def holds_estimators(item) -> bool:
        return isinstance(item, (list, tuple, dict)) or type(item).__module__.startswith(("sklearn.", "sentclf."))

    seen: set = set()
    stack = [estimator]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, SentenceVectors):
            item.cache = "read"
            continue
        values: Iterable
        if isinstance(item, dict):
            values = item.values()
            if item and not holds_estimators(next(iter(values))):
                continue  # a vocabulary or another table of plain values
        elif isinstance(item, (list, tuple)):
            values = item
        else:
            values = vars(item).values() if hasattr(item, "__dict__") else ()
        stack += [value for value in values if holds_estimators(value)]


def check_neutral_band(neutral_band: float, classes: list) -> None:
    if neutral_band and len(classes) != 2:
        raise ConfigError(f"--neutral-band is for two-class models; this one has {len(classes)} ({', '.join(classes)})")


def predict_documents(
    model: modelfile.Model,
    documents,
    use: str | None = None,
    batch_size: int = 1000,
    min_confidence: float = 0.0,
    neutral_band: float = 0.0,
):
    """Yield one result dict per document: file, line, text, label, probabilities, empty, model.

    A top probability below ``min_confidence`` labels the document 'uncertain'; for a two-class model,
    one below 0.5 + ``neutral_band`` labels it 'neutral' (VADER's and TextBlob's third answer)."""
    kind, pipeline = model.pipeline(use)
    classes = [str(c) for c in pipeline.classes_]
    for batch, tokens, proba, labels in scored_batches(model, documents, use, batch_size, min_confidence, neutral_band):
        for doc, toks, row, label in zip(batch, tokens, proba.tolist(), labels):
            yield {
                "file": doc.file,
                "line": doc.line,
                "text": doc.text,
                "label": label,
                "probabilities": dict(zip(classes, row)),
                "empty": not toks,
                "model": kind,
                "fields": doc.fields,
            }


def scored_batches(
    model: modelfile.Model,
    documents,
    use: str | None = None,
    batch_size: int = 1000,
    min_confidence: float = 0.0,
    neutral_band: float = 0.0,
):
    """(documents, token lists, probabilities (n x classes), labels) of each batch: what
    :func:`predict_documents` yields row by row, for callers that build columns (a Dask partition)."""
    _, pipeline = model.pipeline(use)
    read_only_encodings(pipeline)
    classes = [str(c) for c in pipeline.classes_]
    check_neutral_band(neutral_band, classes)
    for batch, tokens in tokenized_batches(documents, batch_size):
        proba = pipeline.predict_proba(tokens)
        labels = [
            UNCERTAIN if p < min_confidence else NEUTRAL if neutral_band and p < 0.5 + neutral_band else classes[best]
            for best, p in zip(proba.argmax(axis=1).tolist(), proba.max(axis=1).tolist())
        ]
        yield batch, tokens, proba, labels


@dataclass
class Predictions:
    """The labels a model gives, in input order; iterate to score. ``n`` and ``n_empty`` count as you go."""

    model: modelfile.Model
    kind: str
    rows: Iterator = field(repr=False)
    n: int = 0
    n_empty: int = 0
    skipped: list = field(default_factory=list)  # (file, line) of undecodable lines left out (--skip-bad)

    @property
    def labels(self) -> list:
        return self.model.labels

    def __iter__(self):
        for row in self.rows:
            self.n += 1
            self.n_empty += row["empty"]
            yield row


def predict(config: PredictConfig) -> Predictions:
    """Load the model (checking its file first) and return the lazily scored documents."""
    config.validate()
    model = config.model or modelfile.load(config.model_path, config.trusted)
    kind, pipeline = model.pipeline(config.use)
    check_neutral_band(config.neutral_band, [str(c) for c in pipeline.classes_])  # before any output is written
    skipped: list | None = [] if config.skip_bad else None
    columns = Columns(config.text_col, config.id_col, config.keep_cols)
    documents = documents_of(config.files, config.texts, config.whole_file, config.encoding, skipped, columns)
    rows = predict_documents(
        model, documents, config.use, config.batch_size, config.min_confidence, config.neutral_band
    )
    return Predictions(model, kind, rows, skipped=skipped if skipped is not None else [])
