"""The library's front door: train, load, predict, explain, dump features. The CLI calls these."""
from __future__ import annotations

import itertools
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_sample_weight

from sentclf import bundle
from sentclf.corpus import load_default_corpus
from sentclf.data import Dataset, read_examples
from sentclf.datasets import dataset_path
from sentclf.errors import ConfigError, DataError
from sentclf.evaluate import best_model, drop_details, mcnemar, score_model, timed_fit, verdict
from sentclf.features import FEATURE_ALIASES, class_means, feature_matrix, trace
from sentclf.lexicons import Lexicon, load_lexicon
from sentclf.embeddings import load_vectors, parse_pool, pool_vectors, token_ids
from sentclf.models import (MODEL_KINDS, MODEL_TITLES, EmbeddingConfig, ModelConfig, build_pipeline, feature_parts,
                            fit_for_size)
from sentclf.plots import feature_distributions_png, held_out_plots
from sentclf.text import tokenize_all

log = logging.getLogger("sentclf")
DATASET_PREFIX = "data:"


@dataclass
class DataConfig:
    """Where training data comes from and how to read it (``path=None``: the default corpus)."""

    path: str | None = None
    fmt: str | None = None
    text_col: str | None = None
    label_col: str | None = None
    encoding: str = "utf-8"
    skip_bad: bool = False

    def load(self) -> Dataset:
        """The default corpus, a standard dataset ('data:mr', 'data:sst2/test'), or a file/folder/stdin."""
        if self.path is None:
            return load_default_corpus()
        path = self.path
        if path.startswith(DATASET_PREFIX):
            path = str(dataset_path(path[len(DATASET_PREFIX):]))
        return read_examples(path, self.fmt, self.text_col, self.label_col, self.encoding, self.skip_bad)


@dataclass
class TrainConfig:
    """Everything ``train`` needs; saved (but the output path) in the model's metadata."""

    data: DataConfig = field(default_factory=DataConfig)
    models: tuple = MODEL_KINDS
    test_size: float = 0.2
    lexicon: str = "builtin"
    lexicon_dir: str | None = None
    model: ModelConfig = field(default_factory=ModelConfig)
    embeddings: EmbeddingConfig = field(default_factory=EmbeddingConfig)

    def validate(self) -> None:
        unknown = [kind for kind in self.models if kind not in MODEL_KINDS]
        if unknown or not self.models:
            raise ConfigError(f"unknown model {unknown or '(none)'}: choose lr, mlp or both")
        if not 0 < self.test_size < 1:
            raise ConfigError(f"--test-size must be between 0 and 1 (a fraction), not {self.test_size}")
        self.model.validate()
        self.embeddings.validate()

    def as_dict(self) -> dict:
        return {"data": vars(self.data), "models": list(self.models), "test_size": self.test_size,
                "lexicon": self.lexicon, "lexicon_dir": self.lexicon_dir, "model": self.model.as_dict(),
                "embeddings": self.embeddings.as_dict()}


def prepare_dataset(dataset: Dataset, test_size: float) -> tuple:
    """Tokenize once, drop empty documents, and check the classes allow a stratified split."""
    tokens = tokenize_all(dataset.texts)
    keep = [i for i, toks in enumerate(tokens) if toks]
    n_empty = len(tokens) - len(keep)
    if n_empty:
        log.warning("skipped %d empty document(s) in %s (no tokens to classify)", n_empty, dataset.source)
    counts = Counter(dataset.labels[i] for i in keep)
    if len(counts) < 2:
        raise DataError(f"{dataset.source}: has one class only ({', '.join(map(str, counts)) or 'none'}): "
                        "a classifier needs at least two labels")
    n_test = int(np.ceil(test_size * len(keep)))
    if n_test < len(counts) or len(keep) - n_test < len(counts) or min(counts.values()) < 2:
        rare = min(counts, key=counts.get)
        raise DataError(f"{dataset.source}: too few examples for a stratified {test_size:g} held-out split "
                        f"(class '{rare}' has {counts[rare]}, {len(keep)} documents in all): add data or change --test-size")
    return [dataset.texts[i] for i in keep], [tokens[i] for i in keep], [dataset.labels[i] for i in keep], n_empty


def load_table(embeddings: EmbeddingConfig, train_tokens: list, progress=None):
    """The vectors the models will keep: the training vocabulary plus the most frequent rows."""
    if embeddings.source is None:
        return None
    vocab = set(itertools.chain.from_iterable(train_tokens))
    log.info("reading vectors from %s for %d training word types", embeddings.source, len(vocab))
    return load_vectors(embeddings.source, embeddings.fmt, vocab, embeddings.keep_vectors, progress)


def fit_models(config: TrainConfig, lexicon: Lexicon, texts: list, tokens: list, labels: list,
               progress=None) -> tuple:
    """Split, fit every requested model on the training part, score it on the held-out part."""
    seed = config.model.seed
    idx_train, idx_test = train_test_split(np.arange(len(labels)), test_size=config.test_size,
                                           stratify=labels, random_state=seed)
    y_train = [labels[i] for i in idx_train]
    X_train = [tokens[i] for i in idx_train]
    test_texts, y_test = [texts[i] for i in idx_test], [labels[i] for i in idx_test]
    label_order = sorted(set(labels), key=str)
    table = load_table(config.embeddings, X_train, progress)
    pipelines, metrics = {}, {}
    for kind in config.models:
        log.info("training %s on %d documents", MODEL_TITLES[kind], len(X_train))
        pipeline = fit_for_size(build_pipeline(kind, lexicon, config.model, config.embeddings, table),
                                len(X_train), len(label_order))
        fit_params = {}
        if kind == "mlp" and config.model.class_weight == "balanced":
            fit_params["clf__sample_weight"] = compute_sample_weight("balanced", y_train)
        seconds = timed_fit(pipeline, X_train, y_train, **fit_params)
        metrics[kind] = {**score_model(pipeline, test_texts, y_test, label_order), "train_seconds": seconds}
        pipelines[kind] = pipeline
    return pipelines, metrics, label_order, (len(idx_train), len(idx_test)), y_test


def held_out_comparison(metrics: dict, y_true: list) -> dict | None:
    """McNemar's test of LR vs MLP on the same documents."""
    predictions = {kind: m["predictions"] for kind, m in metrics.items()}
    if set(predictions) != {"lr", "mlp"}:
        return None
    result = mcnemar(y_true, predictions["lr"], predictions["mlp"])
    difference = metrics["mlp"]["accuracy"] - metrics["lr"]["accuracy"]
    return {**result, "verdict": verdict("lr", "mlp", difference, result["p_value"])}


def embeddings_summary(pipeline) -> dict | None:
    """What the model file says about its embeddings: source, sha256, dimension, vocabulary kept, OOV rate."""
    _, pooled = feature_parts(pipeline)
    if pooled is None:
        return None
    table = pooled.table_
    return {"source": table.source, "sha256": table.sha256, "format": table.fmt, "dim": table.dim,
            "pool": list(pooled.pools_), "vocabulary_kept": len(table.words), "file_words": table.n_file_words,
            "duplicates_skipped": table.n_duplicates, "oov_rate": pooled.oov_rate_,
            "train_docs_without_vectors": pooled.n_docs_without_vectors_}


def train(config: TrainConfig, output, force: bool = False, progress=None, plot_dir=None) -> dict:
    """Read data, fit the models, score them on a stratified held-out split, save one model file.

    ``progress(n_bytes)`` is called while a vectors file is read; with ``plot_dir`` the held-out
    confusion matrices, reliability diagrams and per-class feature distributions are written there.
    Returns the saved metadata, with ``path`` and ``plots`` added.
    """
    config.validate()
    output = Path(output)
    bundle.check_writable(output, force)
    lexicon = load_lexicon(config.lexicon, config.lexicon_dir)
    dataset = config.data.load()
    texts, tokens, labels, n_empty = prepare_dataset(dataset, config.test_size)
    pipelines, metrics, label_order, (n_train, n_test), y_test = fit_models(config, lexicon, texts, tokens, labels,
                                                                            progress)
    significance = held_out_comparison(metrics, y_test)
    plots = []
    if plot_dir is not None:
        caption = f"{dataset.source}: held-out {n_test:,} of {n_train + n_test:,} documents (seed {config.model.seed})"
        plots = held_out_plots(plot_dir, metrics, y_test, label_order, caption) + [
            feature_distributions_png(feature_matrix(tokens, lexicon), labels, f"{dataset.source}: all "
                                      f"{len(labels):,} documents", plot_dir, "features_by_class.png")]
    drop_details(metrics)
    best = best_model(metrics)
    first = next(iter(pipelines.values()))
    embeddings = embeddings_summary(first)
    if embeddings:
        log.info("embeddings: %d of %d words kept, OOV rate %.1f%% on the training tokens",
                 embeddings["vocabulary_kept"], embeddings["file_words"], 100 * embeddings["oov_rate"])
    metadata = {
        "labels": label_order,
        "models": {kind: MODEL_TITLES[kind] for kind in pipelines},
        "best_model": best,
        "feature_names": first.named_steps["features"].get_feature_names_out().tolist(),
        "embeddings": embeddings,
        "config": config.as_dict(),
        "lexicon": {"source": lexicon.source, "sha256": lexicon.sha256(), "sizes": lexicon.sizes()},
        "data": {"source": dataset.source, "sha256": dataset.sha256, "format": dataset.format,
                 "rows_read": len(dataset) + dataset.n_bad, "bad_rows_skipped": dataset.n_bad,
                 "empty_skipped": n_empty, "n_train": n_train, "n_test": n_test,
                 "class_counts": dict(sorted(Counter(labels).items())), "notes": dataset.notes},
        "metrics": metrics,
        "significance": significance,
    }
    path = bundle.save(output, pipelines, metadata, force=force)
    return {**metadata, "path": str(path), "plots": plots}


@dataclass
class Model:
    """A loaded model file: its metadata and its fitted pipelines."""

    path: Path
    metadata: dict
    pipelines: dict

    @property
    def labels(self) -> list:
        return list(self.metadata["labels"])

    def pipeline(self, use: str | None = None):
        kind = use or self.metadata["best_model"]
        if kind not in self.pipelines:
            raise ConfigError(f"{self.path}: holds no '{kind}' model (it holds {', '.join(self.pipelines)}): "
                              f"choose --use {' or --use '.join(self.pipelines)}, or retrain with --model {kind}")
        return kind, self.pipelines[kind]


def load_model(path=None) -> Model:
    """Load a model file (default: :func:`sentclf.bundle.default_model_path`), checking metadata first."""
    path = Path(path) if path else bundle.default_model_path()
    metadata, pipelines = bundle.load(path)
    return Model(path, metadata, pipelines)


def tokenized_batches(documents, batch_size: int):
    """(documents, their token lists) in batches of ``batch_size``: input is pulled lazily."""
    iterator = iter(documents)
    while batch := list(itertools.islice(iterator, batch_size)):
        yield batch, tokenize_all(doc.text for doc in batch)


def predict(model: Model, documents, use: str | None = None, batch_size: int = 1000):
    """Yield one result dict per document, in batches so that memory stays flat on any input size."""
    kind, pipeline = model.pipeline(use)
    classes = [str(c) for c in pipeline.classes_]
    for batch, tokens in tokenized_batches(documents, batch_size):
        proba = pipeline.predict_proba(tokens)
        for doc, toks, row, best in zip(batch, tokens, proba.tolist(), proba.argmax(axis=1).tolist()):
            yield {"file": doc.file, "line": doc.line, "text": doc.text, "label": classes[best],
                   "probabilities": dict(zip(classes, row)), "empty": not toks, "model": kind}


def feature_rows(documents, lexicon: Lexicon, embeddings: EmbeddingConfig | None = None, progress=None,
                 batch_size: int = 1000):
    """Yield the feature dump of each document: x1..x6, token count, matched tokens, and with
    embeddings the pooled vector(s), the tokens without a vector and a ``no_vectors`` flag.

    For a dump every row of the vectors file is kept (case-folded): no training vocabulary exists.
    """
    table = None
    if embeddings is not None and embeddings.source is not None:
        embeddings.validate()
        table = load_vectors(embeddings.source, embeddings.fmt, None, 0, progress)
        pools = parse_pool(embeddings.pool)
    for batch, tokens in tokenized_batches(documents, batch_size):
        if table is not None:
            ids, unknown = token_ids(table, tokens)
            vectors = pool_vectors(table.matrix, ids, pools)
        for i, (doc, toks) in enumerate(zip(batch, tokens)):
            result = trace(toks, lexicon)
            row = {"file": doc.file, "line": doc.line, "text": doc.text, **result.as_dict(),
                   "n_tokens": result.n_tokens, "empty": result.empty, "matched": result.matched}
            if table is not None:
                dim = table.dim
                row.update({f"emb_{p}": vectors[i, k * dim:(k + 1) * dim].tolist() for k, p in enumerate(pools)})
                row.update(oov=unknown[i], no_vectors=not ids[i])
            yield row


def feature_means(data: DataConfig, lexicon: Lexicon) -> dict:
    """Per-class means of x1..x6 over a labelled dataset."""
    dataset = data.load()
    return {"source": dataset.source, "aliases": FEATURE_ALIASES,
            "classes": class_means(dataset.texts, dataset.labels, lexicon)}
