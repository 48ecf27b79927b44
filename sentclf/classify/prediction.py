"""``predict``: label documents with a saved model, in batches, so memory stays flat on any input."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from sentclf.classify import modelfile
from sentclf.classify.config import PredictConfig, documents_of
from sentclf.text import tokenize_all


def tokenized_batches(documents, batch_size: int):
    """(documents, their token lists) in batches of ``batch_size``: input is pulled lazily."""
    iterator = iter(documents)
    while batch := list(itertools.islice(iterator, batch_size)):
        yield batch, tokenize_all(doc.text for doc in batch)


def predict_documents(model: modelfile.Model, documents, use: str | None = None, batch_size: int = 1000):
    """Yield one result dict per document: file, line, text, label, probabilities, empty, model."""
    kind, pipeline = model.pipeline(use)
    classes = [str(c) for c in pipeline.classes_]
    for batch, tokens in tokenized_batches(documents, batch_size):
        proba = pipeline.predict_proba(tokens)
        for doc, toks, row, best in zip(batch, tokens, proba.tolist(), proba.argmax(axis=1).tolist()):
            yield {
                "file": doc.file,
                "line": doc.line,
                "text": doc.text,
                "label": classes[best],
                "probabilities": dict(zip(classes, row)),
                "empty": not toks,
                "model": kind,
            }


@dataclass
class Predictions:
    """The labels a model gives, in input order; iterate to score. ``n`` and ``n_empty`` count as you go."""

    model: modelfile.Model
    kind: str
    rows: Iterator = field(repr=False)
    n: int = 0
    n_empty: int = 0

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
    model = config.model or modelfile.load(config.model_path)
    kind, _ = model.pipeline(config.use)
    documents = documents_of(config.files, config.texts, config.whole_file, config.encoding)
    return Predictions(model, kind, predict_documents(model, documents, config.use, config.batch_size))
