"""The lecture's z = w·x + b made visible for one document and a fitted linear model: logistic
regression, NB-LR, multinomial naive Bayes (linear in its term weights), or an ensemble's members."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.naive_bayes import MultinomialNB

from sentclf.classify.config import ExplainConfig
from sentclf.classify.features.six import FEATURE_ALIASES, LectureFeatures, trace
from sentclf.classify.models.parts import block_parts, feature_parts, uncalibrated, unwrap
from sentclf.classify.models.spec import MODEL_TITLES
from sentclf.errors import ConfigError
from sentclf.nn.activations import sigmoid, softmax
from sentclf.text import tokenize

EXPLAINED_FIRST = (
    "lr",
    "nb",
    "ensemble",
    "mlp",
    "ft",
    "student",
)  # without --use: the most readable model the file holds


def explain(config: ExplainConfig) -> dict:
    """Load the model (unless given) and explain ``config.text`` with the model ``config.model.use``
    names, or the file's most readable one (logistic regression first)."""
    config.validate()
    return explain_text(config.model.load(), config.text, config.model.use)


def explain_text(model, text: str, use: str | None = None) -> dict:
    """Feature values, scaled values, weights, contributions w_i·x_i, bias, z and σ(z) or softmax.

    For two classes the logistic regression has one weight vector, for the second label: z > 0
    means that label, P = σ(z). For more classes there is one (w, b) per class and P = softmax(z).
    x1..x6 get a row each; every other block (pooled embeddings, n-grams) one row with its
    contributions summed: hundreds of rows would hide the picture. The linear model is explained
    first (lr, then nb) unless ``use`` names one; an ensemble by its members; an MLP by occlusion
    (:func:`explain_network`).
    """
    kind = use or next((k for k in EXPLAINED_FIRST if k in model.pipelines), None)
    if kind is None:
        raise ConfigError(f"{model.path}: holds no model to explain: retrain it")
    kind, fitted = model.pipeline(kind)
    inner = uncalibrated(fitted)
    if kind == "ensemble":
        result = explain_ensemble(inner, text)
    elif kind == "mlp":
        result = explain_network(inner, text, model.metadata.get("feature_set"))
    elif kind in ("ft", "student"):
        result = explain_words(inner, text, model_name=MODEL_TITLES[kind])
    else:
        result = explain_pipeline(inner, text, model.metadata.get("feature_set"))
    if inner is not fitted:  # what predict gives: the probabilities after calibration
        proba = fitted.predict_proba([tokenize(text)])[0].tolist()
        result["calibrated"] = {"method": fitted.method, "probabilities": dict(zip(result["classes"], proba))}
        result["label"] = result["classes"][int(np.argmax(proba))]
    return result


def explain_ensemble(ensemble, text: str) -> dict:
    """Each member's probabilities (and, for a logistic-regression member, its z = w·x + b by block),
    then the combined probabilities: the average (soft voting) or the stacking model's."""
    from sentclf.classify.models.ensemble import members_of

    tokens = tokenize(text)
    classes = [str(c) for c in ensemble.classes_]
    members = []
    for name, member in members_of(ensemble):
        proba = member.predict_proba([tokens])[0].tolist()
        entry = {"name": name, "probabilities": dict(zip(classes, proba)), "label": classes[int(np.argmax(proba))]}
        if "features" not in member.named_steps:  # the fine-tuned encoder reads the words themselves
            entry["explanation"] = explain_words(member, text, classes)
        else:
            explainer = explain_pipeline if linear_view(member.named_steps["clf"]) is not None else explain_network
            entry["explanation"] = explainer(member, text, name.rsplit("_", 1)[0], classes)
        members.append(entry)
    combined = ensemble.predict_proba([tokens])[0]
    combined = (combined / combined.sum()).tolist()
    return {
        "text": text,
        "kind": "ensemble",
        "method": ensemble_method(ensemble),
        "n_tokens": len(tokens),
        "empty": not tokens,
        "classes": classes,
        "members": members,
        "probabilities": dict(zip(classes, combined)),
        "label": classes[int(np.argmax(combined))],
    }


def ensemble_method(ensemble) -> str:
    """How an ensemble combines its members, as explain names it."""
    if hasattr(ensemble, "voting"):
        return "soft voting"
    if hasattr(ensemble, "holdout"):  # a blend of too few documents to hold any out averages its members
        return "blending" if ensemble.final_estimator_ is not None else "averaging (too few documents to blend)"
    return "stacking"


def explain_pipeline(pipeline, text: str, feature_set: str | None = None, class_names: list | None = None) -> dict:
    """z = w·x + b of one logistic-regression pipeline for ``text``. An ensemble's members were fitted
    on label codes 0..K-1: ``class_names`` gives the labels back."""
    six, clf, tokens, scaled, classes = _document(pipeline, text, class_names)
    scored = classes[1:] if len(classes) == 2 else classes
    view = linear_view(clf)
    if view is None:
        raise ConfigError(f"a {type(clf).__name__} has no weights to show as z = w·x + b")
    coef, intercept = view
    weights = {label: coef[i] for i, label in enumerate(scored)}
    bias = {label: float(intercept[i]) for i, label in enumerate(scored)}
    z = {label: float(weights[label] @ scaled + bias[label]) for label in scored}
    if len(classes) == 2:
        p = float(sigmoid(z[classes[1]]))
        probabilities, link = {classes[0]: 1.0 - p, classes[1]: p}, "sigmoid"
    else:
        probabilities, link = dict(zip(classes, softmax([z[c] for c in classes]).tolist())), "softmax"
    rows = _rows(pipeline, feature_set, tokens, scaled, weights, scored)
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


def explain_network(pipeline, text: str, feature_set: str | None = None, class_names: list | None = None) -> dict:
    """An MLP has no weight per feature, so each feature (x1..x6 one by one, every other block as a
    whole) is scored by occlusion: log P(c | x) − log P(c | x with those columns at their training
    mean, i.e. scaled to 0). Positive: the feature pushes the document towards c."""
    six, clf, tokens, scaled, classes = _document(pipeline, text, class_names)

    def log_p(row: np.ndarray) -> np.ndarray:
        return np.log(np.clip(clf.predict_proba(row[None, :])[0], 1e-12, 1.0))

    base = log_p(scaled)
    rows = []
    for name, alias, value, columns in _groups(pipeline, feature_set, tokens):
        occluded = scaled.copy()
        occluded[columns] = 0.0
        change = base - log_p(occluded)
        rows.append(
            {
                "name": name,
                "alias": alias,
                "value": value,
                "scaled": float(scaled[columns][0]) if value is not None else None,
                "contributions": dict(zip(classes, change.tolist())),
            }
        )
    probabilities = dict(zip(classes, np.exp(base).tolist()))
    return {
        "text": text,
        "kind": "network",
        "n_tokens": len(tokens),
        "empty": not tokens,
        "matched": trace(tokens, six.lexicon_).matched if six is not None else {},
        "classes": classes,
        "features": rows,
        "probabilities": probabilities,
        "label": max(probabilities, key=lambda label: probabilities[label]),
    }


def explain_words(pipeline, text: str, class_names: list | None = None, model_name: str = "fine-tuned encoder") -> dict:
    """A model with no features to weigh (the fine-tuned encoder reads wordpieces) explained word by
    word, by occlusion: log P(c | text) − log P(c | text without that word). Positive: the word pushes
    the text towards c. A text of more than MAX_OCCLUDED words is occluded in spans of neighbours,
    so that explaining a long review costs a few hundred predictions, not thousands."""
    tokens = tokenize(text)
    clf = pipeline.steps[-1][1] if hasattr(pipeline, "steps") else pipeline  # a student is no Pipeline
    classes = [str(c) if class_names is None else class_names[int(c)] for c in clf.classes_]
    width = max(1, -(-len(tokens) // MAX_OCCLUDED))
    spans = [(i, min(i + width, len(tokens))) for i in range(0, len(tokens), width)]
    variants = [tokens, *[tokens[:a] + tokens[b:] for a, b in spans]]
    log_p = np.log(np.clip(pipeline.predict_proba(variants), 1e-12, 1.0))
    words = [
        {"word": " ".join(tokens[a:b]), "position": a, "contributions": dict(zip(classes, (log_p[0] - row).tolist()))}
        for (a, b), row in zip(spans, log_p[1:])
    ]
    probabilities = dict(zip(classes, np.exp(log_p[0]).tolist()))
    return {
        "text": text,
        "kind": "words",
        "model": model_name,
        "n_tokens": len(tokens),
        "empty": not tokens,
        "matched": {},
        "classes": classes,
        "words": words,
        "probabilities": probabilities,
        "label": max(probabilities, key=lambda label: probabilities[label]),
    }


MAX_OCCLUDED = 200  # words (or spans of words) occluded one at a time by explain_words


def _document(pipeline, text: str, class_names: list | None) -> tuple:
    """(six-feature block or None, classifier, tokens, the scaled feature row, class names) of ``text``."""
    six, _ = feature_parts(pipeline)
    clf = pipeline.named_steps["clf"]
    tokens = tokenize(text)
    features = pipeline.named_steps["features"].transform([tokens])
    scale = pipeline.named_steps["scale"]
    scaled = _row(features if scale == "passthrough" else scale.transform(features))
    classes = [str(c) if class_names is None else class_names[int(c)] for c in clf.classes_]
    return six, clf, tokens, scaled, classes


def _groups(pipeline, feature_set, tokens: list) -> list:
    """(name, alias, raw value or None, column slice) per lecture feature, and one per other block."""
    groups: list = []
    start = 0
    for name, part in block_parts(pipeline, feature_set):
        width = part.transform([tokens]).shape[1]
        if isinstance(unwrap(part), LectureFeatures):
            raw = _row(unwrap(part).transform([tokens]))
            groups += [
                (column, FEATURE_ALIASES[column], float(raw[k]), slice(start + k, start + k + 1))
                for k, column in enumerate(FEATURE_ALIASES)
            ]
        else:
            alias = SUMMED_TITLES.get(name, "{n} columns, summed").format(n=width).replace("summed", "together")
            groups.append((name, alias, None, slice(start, start + width)))
        start += width
    return groups


def linear_view(clf) -> tuple | None:
    """(weights, biases) with z = w·x + b scored like a logistic regression's (one row for two
    classes, for the second; one per class otherwise), or None for a model that is not linear.
    Multinomial naive Bayes is linear in the term weights: z_c = log P(c) + Σ x_i log θ_ci, and for two
    classes the difference of the two rows."""
    if isinstance(clf, MultinomialNB):
        coef, intercept = clf.feature_log_prob_, clf.class_log_prior_
        if len(clf.classes_) == 2:
            return coef[1:] - coef[:1], intercept[1:] - intercept[:1]
        return coef, intercept
    if hasattr(clf, "coef_") and hasattr(clf, "intercept_"):
        return clf.coef_, clf.intercept_
    return None


def _row(matrix) -> np.ndarray:
    """The single row of a (1, n) dense or sparse matrix, as float64."""
    return (matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix, dtype=np.float64))[0]


SUMMED_TITLES = {"emb": "pooled embeddings ({n} dims, summed)"}


def _rows(pipeline, feature_set, tokens: list, scaled, weights: dict, scored: list) -> list:
    """One row per lecture feature, and one summed row for each other block."""
    rows, start = [], 0
    for name, part in block_parts(pipeline, feature_set):
        width = part.transform([tokens]).shape[1]
        columns = range(start, start + width)
        if isinstance(unwrap(part), LectureFeatures):
            raw = _row(unwrap(part).transform([tokens]))
            rows += [
                {
                    "name": column,
                    "alias": FEATURE_ALIASES[column],
                    "value": float(raw[k]),
                    "scaled": float(scaled[i]),
                    "weights": {c: float(weights[c][i]) for c in scored},
                    "contributions": {c: float(weights[c][i] * scaled[i]) for c in scored},
                }
                for k, (i, column) in enumerate(zip(columns, FEATURE_ALIASES))
            ]
        else:
            alias = SUMMED_TITLES.get(name, "{n} columns, summed").format(n=width)
            block = slice(start, start + width)
            rows.append(
                {
                    "name": name,
                    "alias": alias,
                    "value": None,
                    "scaled": None,
                    "weights": dict.fromkeys(scored),
                    "contributions": {c: float(weights[c][block] @ scaled[block]) for c in scored},
                }
            )
        start += width
    return rows
