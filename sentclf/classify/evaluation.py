"""``evaluate``: score every model in a model file on labelled data, with McNemar's test of LR vs MLP."""

from __future__ import annotations

from collections import Counter

from sentclf.classify.config import EvaluateConfig
from sentclf.classify.features.six import feature_matrix
from sentclf.classify.models.parts import feature_parts
from sentclf.classify.models.priors import training_priors
from sentclf.classify.validation.metrics import drop_details, score_model
from sentclf.classify.validation.plots import feature_distributions_png, held_out_plots
from sentclf.classify.validation.significance import held_out_comparison
from sentclf.errors import DataError
from sentclf.text import tokenize_all


def evaluate(config: EvaluateConfig) -> dict:
    """Score every model in the file on labelled DATA: the held-out metrics of ``train``, and McNemar."""
    config.validate()
    label_map, plot_dir = config.labels(), config.plot_dir
    model = config.model.load()
    dataset = config.data.load()
    labels = [label_map.get(label, label) for label in dataset.labels]
    unknown = sorted(set(labels) - set(model.labels))
    if unknown:
        raise DataError(
            f"{dataset.source}: labels the model does not know: {', '.join(unknown)} (it knows "
            f"{', '.join(model.labels)}): map them with --label-map {unknown[0]}={model.labels[0]},..."
        )
    if config.restrict and len(set(labels)) < 2:
        raise DataError(
            f"{dataset.source}: --restrict lets only DATA's labels compete, and it has one "
            f"({', '.join(sorted(set(labels)))}): check --label-map, or drop --restrict"
        )
    tokens = tokenize_all(dataset.texts)
    scored = sorted(set(labels)) if config.restrict else model.labels
    adapt = training_priors(model.metadata, model.labels) if config.adapt_priors else None
    metrics = {
        kind: score_model(p, tokens, labels, scored, config.restrict, adapt) for kind, p in model.pipelines.items()
    }
    plots = []
    if plot_dir is not None:
        caption = f"{dataset.source}: {len(labels):,} documents scored by {model.path.name}"
        six, _ = feature_parts(next(iter(model.pipelines.values())))
        plots = held_out_plots(plot_dir, metrics, labels, scored, caption)
        if six is not None:
            plots.append(
                feature_distributions_png(
                    feature_matrix(tokens, six.lexicon_), labels, caption, plot_dir, "features_by_class.png"
                )
            )
    significance = held_out_comparison(metrics, labels)
    best = model.metadata["best_model"] if model.metadata["best_model"] in metrics else next(iter(metrics))
    errors = confident_errors(model.pipelines[best], metrics[best], dataset.texts, labels, config.errors)
    return {
        "model": str(model.path),
        "source": dataset.source,
        "sha256": dataset.sha256,
        "n_documents": len(labels),
        "empty_documents": sum(1 for t in tokens if not t),
        "labels": scored,
        "label_counts": dict(sorted(Counter(labels).items())),
        "metrics": drop_details(metrics),
        "significance": significance,
        "best_model": model.metadata["best_model"],
        "plots": plots,
        **({"confident_errors": {"model": best, "errors": errors}} if config.errors else {}),
    }


def confident_errors(pipeline, metrics: dict, texts: list, labels: list, n: int) -> list:
    """The ``n`` documents the model got wrong most confidently, each with its words' pushes
    (:func:`~sentclf.classify.explain.explain_words`): where to look first for label noise, sarcasm,
    negation and what the features miss."""
    if n <= 0:
        return []
    from sentclf.classify.explain import explain_words

    confidence = metrics["proba"].max(axis=1)
    wrong = [i for i, (p, y) in enumerate(zip(metrics["predictions"], labels)) if p != y]
    worst = sorted(wrong, key=lambda i: -confidence[i])[:n]
    return [
        {
            "text": texts[i],
            "true": labels[i],
            "predicted": metrics["predictions"][i],
            "confidence": float(confidence[i]),
            "words": explain_words(pipeline, texts[i], model_name="the model evaluated"),
        }
        for i in worst
    ]
