"""``compare``: cross-validate models x feature sets on one dataset, with reference rows, the LR vs
MLP significance test per feature set, a learning curve and pictures."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sentclf.classify.config import CompareConfig
from sentclf.classify.parallel.processes import fold_backend, start_workers
from sentclf.text import tokenize_all

log = logging.getLogger("sentclf")


@dataclass
class CellFactory:
    """Builds the unfitted estimator of each cell (feature set, model) of a comparison: the models of
    the config, and the reference rows (the majority class, the zero-training lexicon rule)."""

    lexicon: Any
    config: CompareConfig
    table: Any = None
    encoder: Any = None
    static: Any = None  # the student's static table (None: the student has none)

    def __call__(self, cell: tuple):
        from sentclf.classify.models.pipeline import build_pipeline

        feature_set, kind = cell
        config = self.config
        if kind == "majority":
            from sentclf.classify.models.lexicon_rule import majority_class

            return majority_class()
        if kind == "lexicon rule":
            from sentclf.classify.models.lexicon_rule import LexiconRule

            return LexiconRule(lexicon=self.lexicon)
        if kind == "student":
            from sentclf.classify.models.distilled import Distilled

            teacher = self(("", "ensemble"))
            return Distilled(teacher=teacher, table=self.static, lexicon=self.lexicon, random_state=config.seed)
        features = None if kind == "ensemble" else feature_set
        return build_pipeline(
            kind,
            self.lexicon,
            config.model_config(),
            config.embeddings,
            self.table,
            features=features,
            encoder=self.encoder,
            ensemble=config.ensemble,
        )


def cells(config: CompareConfig, labels) -> list:
    """Every row of the comparison: the majority class, the lexicon rule (when the labels are
    recognizably positive and negative), then the config's cells."""
    from sentclf.classify.models.lexicon_rule import polarity_labels

    rows = [("reference", "majority")]
    if polarity_labels(sorted(set(labels)))[0] is not None:
        rows.append(("six", "lexicon rule"))
    return rows + config.cells()


def cross_validate(
    tokens: list, labels: list, lexicon, config: CompareConfig, table=None, folds=None, encoder=None
) -> dict:
    """Every cell on the same stratified folds (or the given ``folds``: [(train_idx, test_idx), ...],
    such as a corpus' own fold field or one train/test split), folds in parallel; per-fold scores
    kept, and the learning curve when the config asks for it."""
    import numpy as np

    from sentclf.classify.validation.crossval import learning_curve, run_cells, stratified_folds

    config.validate()
    y = np.asarray(labels, dtype=object).astype(str)
    folds = folds if folds is not None else stratified_folds(y, config.cv, config.seed)
    factory = CellFactory(lexicon, config, table, encoder)
    if "student" in config.kinds:
        factory.static = student_table()
    report = run_cells(tokens, y, cells(config, y), factory, folds, config.workers(), config.seed)
    if config.learning_curve:
        report["learning_curve"] = learning_curve(
            tokens, y, config.cells(), factory, folds, config.workers(), config.seed
        )
    return report


def student_table():
    """The static table for a student cell, or None (with a warning) where ``make minilm`` has not run."""
    from sentclf.classify.vectors.sources import load_static
    from sentclf.errors import SentclfError

    try:
        return load_static()
    except SentclfError as error:
        log.warning("the student has no static table (%s): it learns from n-grams and x1..x6 alone", error)
        return None


def compare_plots(folder, report: dict, tokens: list, labels: list, lexicon, source: str) -> list:
    """The comparison bar chart, the learning curve (if computed) and the per-class feature distributions."""
    from sentclf.classify.features.six import feature_matrix
    from sentclf.classify.validation.plots import comparison_png, feature_distributions_png, learning_curve_png

    caption = f"{source}: {report['cv']}-fold stratified CV (seed {report['seed']}), error bars: std over folds"
    paths = [comparison_png(report["cells"], caption, folder)]
    if report.get("learning_curve"):
        paths.append(learning_curve_png(report["learning_curve"], caption, folder))
    paths.append(
        feature_distributions_png(
            feature_matrix(tokens, lexicon),
            labels,
            f"{source}: {len(labels):,} documents",
            folder,
            "features_by_class.png",
        )
    )
    return paths


def compare(config: CompareConfig, progress=None) -> dict:
    """Cross-validate models x feature sets on the config's data (:func:`cross_validate`);
    ``progress(n_bytes)`` is called while a vectors file is read."""
    config.validate()
    workers = None if config.scheduler else start_workers(config.jobs)  # first: they import while we do
    from sentclf.classify.encoder.sentence import encoder_for
    from sentclf.classify.features.sentence_vectors import encode_all
    from sentclf.classify.vectors.sources import load_table

    lexicon = config.lexicon.load()
    dataset = config.data.load()
    tokens = tokenize_all(dataset.texts)
    keep = [i for i, toks in enumerate(tokens) if toks]
    if len(keep) < len(tokens):
        log.warning("skipped %d empty document(s) in %s", len(tokens) - len(keep), dataset.source)
    tokens, labels = [tokens[i] for i in keep], [dataset.labels[i] for i in keep]
    table = load_table(config.embeddings, tokens, progress) if config.embeddings.source else None
    log.info("%d-fold cross-validation of %s on %d documents", config.cv, ", ".join(config.feature_sets()), len(labels))
    encoder = encoder_for(config.all_feature_sets())
    if encoder is not None:  # encode every document once, here: the folds (in any process) read the cache
        encode_all(encoder, tokens)
    if config.scheduler:
        from joblib import parallel_config

        from sentclf.classify.parallel.cluster import connect

        with connect(config.scheduler), parallel_config(backend="dask"):  # the folds run on the cluster
            report = cross_validate(tokens, labels, lexicon, config, table, encoder=encoder)
    else:
        with fold_backend(workers, config.jobs):
            report = cross_validate(tokens, labels, lexicon, config, table, encoder=encoder)
    plot_dir = config.plot_dir
    report["plots"] = compare_plots(plot_dir, report, tokens, labels, lexicon, dataset.source) if plot_dir else []
    return {
        "data": {"source": dataset.source, "sha256": dataset.sha256, "empty_skipped": len(dataset) - len(keep)},
        "lexicon": {"source": lexicon.source, "sha256": lexicon.sha256()},
        "config": {
            "models": list(config.kinds),
            "features": list(config.feature_sets()),
            "model": config.model_config().as_dict(),
            "embeddings": config.embeddings.as_dict(),
        },
        **report,
    }
