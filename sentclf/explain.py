"""The lecture's z = w·x + b made visible for one document and a fitted logistic regression."""
from __future__ import annotations

import numpy as np

from sentclf.errors import ConfigError
from sentclf.features import FEATURE_ALIASES, FEATURE_NAMES, trace
from sentclf.text import tokenize


def sigmoid(z: float) -> float:
    return float(1.0 / (1.0 + np.exp(-z)))


def softmax(z) -> np.ndarray:
    shifted = np.exp(np.asarray(z, dtype=np.float64) - np.max(z))
    return shifted / shifted.sum()


def explain_text(model, text: str) -> dict:
    """Feature values, scaled values, weights, contributions w_i·x_i, bias, z and σ(z) or softmax.

    For two classes the logistic regression has one weight vector, for the second label: z > 0
    means that label, P = σ(z). For more classes there is one (w, b) per class and P = softmax(z).
    """
    if "lr" not in model.pipelines:
        raise ConfigError(f"{model.path}: holds no logistic regression to explain: retrain with --model lr or both")
    pipeline = model.pipelines["lr"]
    features, scaler, clf = (pipeline.named_steps[name] for name in ("features", "scale", "clf"))
    tokens = tokenize(text)
    result = trace(tokens, features.lexicon_)
    x = np.asarray(result.values, dtype=np.float64)
    scaled = scaler.transform(x.reshape(1, -1))[0]
    classes = [str(c) for c in clf.classes_]
    scored = classes[1:] if len(classes) == 2 else classes
    weights = {label: clf.coef_[i] for i, label in enumerate(scored)}
    bias = {label: float(clf.intercept_[i]) for i, label in enumerate(scored)}
    z = {label: float(weights[label] @ scaled + bias[label]) for label in scored}
    if len(classes) == 2:
        p = sigmoid(z[classes[1]])
        probabilities, link = {classes[0]: 1.0 - p, classes[1]: p}, "sigmoid"
    else:
        probabilities, link = dict(zip(classes, softmax([z[c] for c in classes]).tolist())), "softmax"
    rows = [{"name": name, "alias": FEATURE_ALIASES[name], "value": float(x[i]), "scaled": float(scaled[i]),
             "weights": {label: float(weights[label][i]) for label in scored},
             "contributions": {label: float(weights[label][i] * scaled[i]) for label in scored}}
            for i, name in enumerate(FEATURE_NAMES)]
    return {"text": text, "n_tokens": len(tokens), "empty": not tokens, "matched": result.matched,
            "classes": classes, "scored_classes": scored, "features": rows, "bias": bias, "z": z, "link": link,
            "probabilities": probabilities, "label": max(probabilities, key=probabilities.get)}
