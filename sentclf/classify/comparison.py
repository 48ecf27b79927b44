"""``compare``: cross-validate models x feature sets on one dataset, with reference rows, the LR vs
MLP significance test per feature set, a learning curve and pictures."""

from __future__ import annotations

import logging

from sentclf.classify.config import CompareConfig
from sentclf.classify.workers import fold_backend, start_workers
from sentclf.text import tokenize_all

log = logging.getLogger("sentclf")


def compare_plots(folder, report: dict, tokens: list, labels: list, lexicon, source: str) -> list:
    """The comparison bar chart, the learning curve (if computed) and the per-class feature distributions."""
    from sentclf.classify.features.six import feature_matrix
    from sentclf.classify.plots import comparison_png, feature_distributions_png, learning_curve_png

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
    """Cross-validate models x feature sets on the config's data (see :mod:`sentclf.classify.crossval`);
    ``progress(n_bytes)`` is called while a vectors file is read."""
    config.validate()
    workers = None if config.scheduler else start_workers(config.jobs)  # first: they import while we do
    from sentclf.classify.crossval import cross_validate
    from sentclf.classify.encoder import encoder_for
    from sentclf.classify.features.encoder import SentenceVectors
    from sentclf.classify.vector_sources import load_table

    lexicon = config.lexicon.load()
    dataset = config.data.load()
    plot_dir = config.plot_dir
    tokens = tokenize_all(dataset.texts)
    keep = [i for i, toks in enumerate(tokens) if toks]
    if len(keep) < len(tokens):
        log.warning("skipped %d empty document(s) in %s", len(tokens) - len(keep), dataset.source)
    tokens, labels = [tokens[i] for i in keep], [dataset.labels[i] for i in keep]
    table = load_table(config.embeddings, tokens, progress) if config.embeddings.source else None
    log.info("%d-fold cross-validation of %s on %d documents", config.cv, ", ".join(config.feature_sets()), len(labels))
    encoder = encoder_for(config.all_feature_sets())
    if encoder is not None:  # encode every document once, here: the folds (in any process) read the cache
        SentenceVectors(encoder=encoder).fit(tokens[:1]).transform(tokens)
    if config.scheduler:
        from joblib import parallel_config

        from sentclf.classify.dask_cluster import connect

        with connect(config.scheduler), parallel_config(backend="dask"):  # the folds run on the cluster
            report = cross_validate(tokens, labels, lexicon, config, table, encoder=encoder)
    else:
        with fold_backend(workers, config.jobs):
            report = cross_validate(tokens, labels, lexicon, config, table, encoder=encoder)
    report["plots"] = compare_plots(plot_dir, report, tokens, labels, lexicon, dataset.source) if plot_dir else []
    return {
        "data": {"source": dataset.source, "sha256": dataset.sha256, "empty_skipped": len(dataset) - len(keep)},
        "lexicon": {"source": lexicon.source, "sha256": lexicon.sha256()},
        "config": {
            "models": list(config.models),
            "features": list(config.feature_sets()),
            "model": config.model.as_dict(),
            "embeddings": config.embeddings.as_dict(),
        },
        **report,
    }
