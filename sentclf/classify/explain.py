"""The lecture's z = w·x + b made visible for one document and a fitted logistic regression."""

from __future__ import annotations

import numpy as np

from sentclf.classify import modelfile
from sentclf.classify.config import ExplainConfig
from sentclf.classify.features.six import FEATURE_ALIASES, trace
from sentclf.classify.pipeline import feature_parts
from sentclf.errors import ConfigError
from sentclf.nn.activations import sigmoid, softmax
from sentclf.text import tokenize


def explain(config: ExplainConfig) -> dict:
    """Load the model (unless given) and explain ``config.text`` with its logistic regression."""
    return explain_text(config.model or modelfile.load(config.model_path), config.text)


def explain_text(model, text: str) -> dict:
    """Feature values, scaled values, weights, contributions w_i·x_i, bias, z and σ(z) or softmax.

    For two classes the logistic regression has one weight vector, for the second label: z > 0
    means that label, P = σ(z). For more classes there is one (w, b) per class and P = softmax(z).
    Pooled-embedding dimensions are summed into one row: hundreds of rows would hide the picture.
    """
    if "lr" not in model.pipelines:
        raise ConfigError(f"{model.path}: holds no logistic regression to explain: retrain with --model lr or both")
    pipeline = model.pipelines["lr"]
    six, _ = feature_parts(pipeline)
    clf = pipeline.named_steps["clf"]
    tokens = tokenize(text)
    raw = pipeline.named_steps["features"].transform([tokens])
    x, scaled = raw[0].astype(np.float64), pipeline.named_steps["scale"].transform(raw)[0]
    names = list(pipeline.named_steps["features"].get_feature_names_out())
    classes = [str(c) for c in clf.classes_]
    scored = classes[1:] if len(classes) == 2 else classes
    weights = {label: clf.coef_[i] for i, label in enumerate(scored)}
    bias = {label: float(clf.intercept_[i]) for i, label in enumerate(scored)}
    z = {label: float(weights[label] @ scaled + bias[label]) for label in scored}
    if len(classes) == 2:
        p = float(sigmoid(z[classes[1]]))
        probabilities, link = {classes[0]: 1.0 - p, classes[1]: p}, "sigmoid"
    else:
        probabilities, link = dict(zip(classes, softmax([z[c] for c in classes]).tolist())), "softmax"
    rows = _rows(names, x, scaled, weights, scored)
    matched = trace(tokens, six.lexicon_).matched if six is not None else {}
    return {
        "text": text,
        "n_tokens": len(tokens),
        "empty": not tokens,
        "matched": matched,
        "classes": classes,
        "scored_classes": scored,
        "features": rows,
        "bias": bias,
        "z": z,
        "link": link,
        "probabilities": probabilities,
        "label": max(probabilities, key=lambda label: probabilities[label]),
    }


def _rows(names: list, x, scaled, weights: dict, scored: list) -> list:
    """One row per lecture feature, plus one summed row for all embedding dimensions."""
    rows = [
        {
            "name": name,
            "alias": FEATURE_ALIASES[name],
            "value": float(x[i]),
            "scaled": float(scaled[i]),
            "weights": {c: float(weights[c][i]) for c in scored},
            "contributions": {c: float(weights[c][i] * scaled[i]) for c in scored},
        }
        for i, name in enumerate(names)
        if name in FEATURE_ALIASES
    ]
    emb = [i for i, name in enumerate(names) if name not in FEATURE_ALIASES]
    if emb:
        rows.append(
            {
                "name": "emb",
                "alias": f"pooled embeddings ({len(emb)} dims, summed)",
                "value": None,
                "scaled": None,
                "weights": dict.fromkeys(scored),
                "contributions": {c: float(weights[c][emb] @ scaled[emb]) for c in scored},
            }
        )
    return rows
