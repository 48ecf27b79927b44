"""``train``: read data, fit LR and the MLP on a stratified split, score them on the held-out part,
save them in one model file."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import parallel_config
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_sample_weight

from sentclf import atomic
from sentclf import progress as steps
from sentclf.classify import modelfile
from sentclf.classify.config import TrainConfig
from sentclf.classify.encoder.sentence import encoder_for
from sentclf.classify.features.lexicons import Lexicon
from sentclf.classify.features.sentence_vectors import encode_all
from sentclf.classify.features.six import feature_matrix
from sentclf.classify.models.parts import feature_names, feature_parts, fine_tuned
from sentclf.classify.models.pipeline import build_pipeline, calibrated, fit_for_size, planned_fits
from sentclf.classify.models.spec import MODEL_TITLES, fitted_kinds
from sentclf.classify.validation.metrics import best_model, drop_details, score_model, timed_fit
from sentclf.classify.validation.plots import feature_distributions_png, held_out_plots
from sentclf.classify.validation.significance import held_out_comparison
from sentclf.classify.vectors.sources import load_table
from sentclf.data.readers import Dataset
from sentclf.errors import DataError
from sentclf.paths import default_model_path
from sentclf.text import tokenize_all

log = logging.getLogger("sentclf")


@dataclass
class TrainResult:
    """The model file written, its metadata (config, data, lexicon, metrics, best model) and any plots."""

    path: str
    metadata: dict
    plots: list

    def as_dict(self) -> dict:
        return {**self.metadata, "path": self.path, "plots": self.plots}


def prepare_dataset(dataset: Dataset, test_size: float) -> tuple:
    """Tokenize once, drop empty documents, and check the classes allow a stratified split."""
    tokens = tokenize_all(dataset.texts)
    keep = [i for i, toks in enumerate(tokens) if toks]
    n_empty = len(tokens) - len(keep)
    if n_empty:
        log.warning("skipped %d empty document(s) in %s (no tokens to classify)", n_empty, dataset.source)
    counts = Counter(dataset.labels[i] for i in keep)
    if len(counts) < 2:
        raise DataError(
            f"{dataset.source}: has one class only ({', '.join(map(str, counts)) or 'none'}): "
            "a classifier needs at least two labels"
        )
    n_test = int(np.ceil(test_size * len(keep)))
    if n_test < len(counts) or len(keep) - n_test < len(counts) or min(counts.values()) < 2:
        rare = min(counts, key=lambda label: counts[label])
        raise DataError(
            f"{dataset.source}: too few examples for a stratified {test_size:g} held-out split "
            f"(class '{rare}' has {counts[rare]}, {len(keep)} documents in all): add data or change --test-size"
        )
    confidence = [dataset.confidence[i] for i in keep] if dataset.confidence else None
    texts, labels = [dataset.texts[i] for i in keep], [dataset.labels[i] for i in keep]
    return texts, [tokens[i] for i in keep], labels, n_empty, confidence


def confident(idx_train: np.ndarray, confidence, threshold: float) -> np.ndarray:
    """The training rows whose label confidence reaches ``threshold``; the held-out part keeps every row,
    so its metrics stay comparable."""
    if not threshold:
        return idx_train
    if confidence is None:
        log.warning("the data carries no label confidence: --min-label-confidence is ignored")
        return idx_train
    kept = idx_train[np.asarray(confidence)[idx_train] >= threshold]
    log.info("training on %d of %d documents (label confidence >= %g)", len(kept), len(idx_train), threshold)
    return kept


def held_out_split(labels: list, test_size: float, seed: int) -> tuple:
    """(train rows, held-out rows): the stratified split every trained model file records, so that
    ``distill`` can split a teacher's data again exactly as ``train`` did."""
    return train_test_split(np.arange(len(labels)), test_size=test_size, stratify=labels, random_state=seed)


def fit_models(
    config: TrainConfig, lexicon: Lexicon, texts: list, tokens: list, labels: list, progress=None, confidence=None
) -> tuple:
    """Split, fit every requested model on the training part, score it on the held-out part."""
    model_config = config.model_config()
    seed = model_config.seed
    idx_train, idx_test = held_out_split(labels, config.test_size, seed)
    idx_train = confident(idx_train, confidence, config.min_label_confidence)
    y_train = [labels[i] for i in idx_train]
    X_train = [tokens[i] for i in idx_train]
    test_texts, y_test = [texts[i] for i in idx_test], [labels[i] for i in idx_test]
    label_order = sorted(set(labels), key=str)
    table = load_table(config.embeddings, X_train, progress)
    feature_set = config.feature_set()
    encoder = encoder_for(config.all_feature_sets())
    if encoder is not None and set(fitted_kinds(config.kinds, config.ensemble)) != {"ft"}:
        # encode every document once, with a progress bar; the fits read the cache (ft reads no vectors)
        encode_all(encoder, tokens)
    pipelines, metrics = {}, {}
    for kind in config.kinds:
        log.info("training %s on %d documents", MODEL_TITLES[kind], len(X_train))
        pipeline = fit_for_size(
            build_pipeline(
                kind, lexicon, model_config, config.embeddings, table, feature_set, encoder, config.ensemble
            ),
            len(X_train),
            len(label_order),
        )
        pipeline = calibrated(pipeline, config.calibrate, seed)
        fit_params = {}
        if kind == "mlp" and model_config.class_weight == "balanced":
            fit_params["clf__sample_weight"] = compute_sample_weight("balanced", y_train)
        fits = planned_fits(pipeline)
        if fits > 1:
            steps.start("fit", fits, f"fitting {fits} pipelines ({MODEL_TITLES[kind]})")
        with parallel_config(backend="threading", n_jobs=config.jobs):  # threads: the progress bar sees every fit
            seconds = timed_fit(pipeline, X_train, y_train, **fit_params)
        if fits > 1:
            steps.finish("fit")
        metrics[kind] = {**score_model(pipeline, test_texts, y_test, label_order), "train_seconds": seconds}
        pipelines[kind] = pipeline
    return pipelines, metrics, label_order, (len(idx_train), len(idx_test)), y_test


def embeddings_summary(pipeline) -> dict | None:
    """What the model file says about its embeddings: source, sha256, dimension, vocabulary kept, OOV rate."""
    _, pooled = feature_parts(pipeline)
    if pooled is None:
        return None
    table = pooled.table_
    return {
        "source": table.source,
        "sha256": table.sha256,
        "format": table.fmt,
        "dim": table.dim,
        "pool": list(pooled.pools_),
        "vocabulary_kept": len(table.words),
        "file_words": table.n_file_words,
        "duplicates_skipped": table.n_duplicates,
        "oov_rate": pooled.oov_rate_,
        "train_docs_without_vectors": pooled.n_docs_without_vectors_,
    }


def finetune_summary(pipelines: dict) -> dict:
    """{"finetune": {model or member: what it was fine-tuned from, how, and its validation curve}},
    or nothing when no model is fine-tuned."""
    found = {
        (kind if name == "ft" else f"{kind}/{name}"): clf.summary()
        for kind, pipeline in pipelines.items()
        for name, clf in fine_tuned(pipeline)
    }
    return {"finetune": found} if found else {}


def train(config: TrainConfig, progress=None) -> TrainResult:
    """Read data, fit the models, score them on a stratified held-out split, save one model file.

    ``progress(n_bytes)`` is called while a vectors file is read; with ``config.plot_dir`` the held-out
    confusion matrices, reliability diagrams and per-class feature distributions are written there.
    """
    config.validate()
    if config.stream is not None:  # what streaming cannot fit is said before anything is written
        from sentclf.classify.streaming import check_streamable

        check_streamable(config)
    output = Path(config.output) if config.output else default_model_path()
    plot_dir = config.plot_dir
    atomic.check_writable(output, config.force, inputs=(config.data.path,))
    lexicon = config.lexicon.load()
    if config.stream is not None:
        return train_streaming(config, lexicon, output)
    dataset = config.data.load()
    texts, tokens, labels, n_empty, confidence = prepare_dataset(dataset, config.test_size)
    pipelines, metrics, label_order, (n_train, n_test), y_test = fit_models(
        config, lexicon, texts, tokens, labels, progress, confidence
    )
    significance = held_out_comparison(metrics, y_test)
    plots = []
    if plot_dir is not None:
        caption = f"{dataset.source}: held-out {n_test:,} of {n_train + n_test:,} documents (seed {config.model.seed})"
        plots = [
            *held_out_plots(plot_dir, metrics, y_test, label_order, caption),
            feature_distributions_png(
                feature_matrix(tokens, lexicon),
                labels,
                f"{dataset.source}: all {len(labels):,} documents",
                plot_dir,
                "features_by_class.png",
            ),
        ]
    drop_details(metrics)
    best = best_model(metrics)
    first = next(iter(pipelines.values()))
    embeddings = embeddings_summary(first)
    if embeddings:
        log.info(
            "embeddings: %d of %d words kept, OOV rate %.1f%% on the training tokens",
            embeddings["vocabulary_kept"],
            embeddings["file_words"],
            100 * embeddings["oov_rate"],
        )
    metadata = {
        **_common_metadata(config, lexicon, label_order),
        "models": {kind: MODEL_TITLES[kind] for kind in pipelines},
        "best_model": best,
        "feature_set": config.feature_set(),
        "feature_names": feature_names(first, config.feature_set()),
        "embeddings": embeddings,
        **finetune_summary(pipelines),
        "data": {
            "source": dataset.source,
            "sha256": dataset.sha256,
            "format": dataset.format,
            "rows_read": len(dataset) + dataset.n_bad,
            "bad_rows_skipped": dataset.n_bad,
            "empty_skipped": n_empty,
            "n_train": n_train,
            "n_test": n_test,
            "class_counts": dict(sorted(Counter(labels).items())),
            "notes": dataset.notes,
        },
        "metrics": metrics,
        "significance": significance,
    }
    path = modelfile.save(output, pipelines, metadata, force=config.force)
    return TrainResult(str(path), metadata, plots)


def _common_metadata(config: TrainConfig, lexicon: Lexicon, labels: list) -> dict:
    return {
        "labels": labels,
        "config": config.as_dict(),
        "lexicon": {"source": lexicon.source, "sha256": lexicon.sha256(), "sizes": lexicon.sizes()},
    }


def train_streaming(config: TrainConfig, lexicon: Lexicon, output: Path) -> TrainResult:
    """``train --stream``: :mod:`.streaming` fits the models out of core; the file is the same kind."""
    from sentclf.classify.streaming import train_stream

    pipelines, metrics, labels, data = train_stream(config, lexicon)
    first = next(iter(pipelines.values()))
    metadata = {
        **_common_metadata(config, lexicon, labels),
        "models": {kind: MODEL_TITLES[kind] for kind in pipelines},
        "best_model": best_model(metrics),
        "feature_set": config.feature_set(),
        "feature_names": feature_names(first, config.feature_set()),
        "embeddings": None,
        "data": {**data, "notes": []},
        "metrics": metrics,
        "significance": [],
    }
    path = modelfile.save(output, pipelines, metadata, force=config.force)
    return TrainResult(str(path), metadata, [])
