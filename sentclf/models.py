"""The two classifiers the lecture compares, as scikit-learn pipelines.

Both share the same front: tokenize → the six features → standardize. Then either
- ``lr``: logistic regression (sigmoid for two classes, multinomial softmax for more), or
- ``mlp``: a two-layer network, one hidden layer (ReLU by default) and a softmax output.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import MaxAbsScaler, StandardScaler

from sentclf.embeddings import DEFAULT_KEEP, PooledEmbeddings, parse_pool
from sentclf.errors import ConfigError
from sentclf.features import LectureFeatures
from sentclf.lexicons import Lexicon
from sentclf.text import Tokenizer

MODEL_KINDS = ("lr", "mlp")
MODEL_TITLES = {"lr": "logistic regression", "mlp": "two-layer MLP"}
ACTIVATIONS = ("relu", "tanh", "logistic")


@dataclass
class ModelConfig:
    """Everything that shapes a pipeline; stored whole in the model file's metadata."""

    hidden: int = 100
    activation: str = "relu"
    class_weight: str | None = None
    seed: int = 0
    c: float | None = None  # LR's inverse L2 strength; None: 1.0, or 4.0 on TF-IDF n-grams alone
    alpha: float = 1e-4
    max_iter: int = 1000

    def validate(self) -> None:
        if self.hidden < 1:
            raise ConfigError(f"--hidden must be at least 1, not {self.hidden}")
        if self.activation not in ACTIVATIONS:
            raise ConfigError(f"unknown activation '{self.activation}': choose one of {', '.join(ACTIVATIONS)}")
        if (self.c is not None and self.c <= 0) or self.alpha < 0:
            raise ConfigError(f"--lr-c must be > 0 and --alpha >= 0 (got {self.c}, {self.alpha})")
        if self.class_weight not in (None, "balanced"):
            raise ConfigError(f"--class-weight takes 'balanced' only, not '{self.class_weight}'")

    def as_dict(self) -> dict:
        return asdict(self)


# Measured (bench/README.md): TF-IDF n-grams alone do best as they are with C = 4 (MR 10-fold 0.779,
# against 0.765 max-abs scaled with C = 1); beside dense features every column is max-abs scaled and
# C = 1 (full reviews: 0.886, against 0.82-0.84 with the dense part standardized and TF-IDF raw).
DEFAULT_C, DEFAULT_C_NGRAMS = 1.0, 4.0


def build_classifier(kind: str, config: ModelConfig, ngrams_only: bool = False):
    """The final estimator of a pipeline."""
    if kind == "lr":
        c = config.c if config.c is not None else DEFAULT_C_NGRAMS if ngrams_only else DEFAULT_C
        return LogisticRegression(C=c, class_weight=config.class_weight, max_iter=config.max_iter,
                                  random_state=config.seed)
    if kind == "mlp":
        # MLPClassifier has no class_weight: balancing is done with sample weights at fit time.
        return MLPClassifier(hidden_layer_sizes=(config.hidden,), activation=config.activation, alpha=config.alpha,
                             early_stopping=True, n_iter_no_change=10, max_iter=config.max_iter,
                             random_state=config.seed)
    raise ConfigError(f"unknown model '{kind}': choose one of {', '.join(MODEL_KINDS)}")


@dataclass
class EmbeddingConfig:
    """Pooled word embeddings appended after x1..x6 (or alone, with ``lexicon_features=False``)."""

    source: str | None = None
    fmt: str | None = None
    pool: str = "mean,max"
    keep_vectors: int = DEFAULT_KEEP
    lexicon_features: bool = True

    def validate(self) -> None:
        parse_pool(self.pool)
        if self.keep_vectors < 0:
            raise ConfigError(f"--keep-vectors must be 0 or more, not {self.keep_vectors}")
        if self.source is None and not self.lexicon_features:
            raise ConfigError("--no-lexicon-features leaves no features: add --embeddings SOURCE")

    def as_dict(self) -> dict:
        return asdict(self)


def passthrough(tokens):
    """Identity for TfidfVectorizer's preprocessor and tokenizer: documents arrive as token lists."""
    return tokens


def ngram_vectorizer() -> TfidfVectorizer:
    """Word 1-2-grams over sentclf's tokens, TF-IDF with sublinear tf, n-grams seen in >= 2 documents."""
    return TfidfVectorizer(preprocessor=passthrough, tokenizer=passthrough, token_pattern=None, lowercase=False,
                           ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float32)


def build_features(lexicon: Lexicon, embeddings: EmbeddingConfig | None = None, table=None, ngrams: bool = False,
                   six: bool | None = None):
    """The feature step: x1..x6, pooled embeddings and/or TF-IDF n-grams, side by side (x1..x6 first).

    ``six=None`` means: the six features unless the embedding config drops them.
    """
    if six is None:
        six = embeddings is None or embeddings.source is None or embeddings.lexicon_features
    parts = [("six", LectureFeatures(lexicon=lexicon))] if six else []
    if embeddings is not None and embeddings.source is not None:
        embeddings.validate()
        parts.append(("emb", PooledEmbeddings(source=embeddings.source, fmt=embeddings.fmt, pool=embeddings.pool,
                                              keep_vectors=embeddings.keep_vectors, table=table)))
    if ngrams:
        parts.append(("ngrams", ngram_vectorizer()))
    if not parts:
        raise ConfigError("no features chosen: keep x1..x6, or add embeddings or n-grams")
    if len(parts) == 1:
        return parts[0][1]
    return FeatureUnion(parts, verbose_feature_names_out=False)


def build_pipeline(kind: str, lexicon: Lexicon, config: ModelConfig | None = None,
                   embeddings: EmbeddingConfig | None = None, table=None, ngrams: bool = False,
                   six: bool | None = None) -> Pipeline:
    """tokenize → features → scale → classifier. Dense features are standardized. TF-IDF n-grams alone
    are left as they are (rows are L2-normalized already); n-grams beside dense features are scaled
    column by column by their maximum absolute value, which keeps the matrix sparse."""
    config = config or ModelConfig()
    config.validate()
    features = build_features(lexicon, embeddings, table, ngrams, six)
    ngrams_only = ngrams and not isinstance(features, FeatureUnion)
    scale = "passthrough" if ngrams_only else MaxAbsScaler() if ngrams else StandardScaler()
    return Pipeline([("tokens", Tokenizer()), ("features", features), ("scale", scale),
                     ("clf", build_classifier(kind, config, ngrams_only))])


def fit_for_size(pipeline: Pipeline, n_train: int, n_classes: int) -> Pipeline:
    """Switch off the MLP's early stopping when its 10% validation split could not hold two
    documents of every class (sklearn would fail, or stop on noise)."""
    clf = pipeline.named_steps.get("clf") if isinstance(pipeline, Pipeline) else None
    if isinstance(clf, MLPClassifier) and clf.early_stopping and n_train // 10 < 2 * n_classes:
        pipeline.set_params(clf__early_stopping=False)
    return pipeline


POSITIVE_NAMES = {"pos", "positive", "1", "+1", "+", "true", "p"}
NEGATIVE_NAMES = {"neg", "negative", "0", "-1", "-", "false", "n"}


def polarity_labels(labels) -> tuple:
    """(positive label, negative label) recognized by name, or (None, None)."""
    positive = next((label for label in labels if str(label).lower() in POSITIVE_NAMES), None)
    negative = next((label for label in labels if str(label).lower() in NEGATIVE_NAMES), None)
    return (positive, negative) if positive is not None and negative is not None else (None, None)


class LexiconRule(BaseEstimator, ClassifierMixin):
    """The zero-training reference: positive if x1 > x2, negative if x2 > x1, ties to the majority class."""

    def __init__(self, lexicon=None):
        self.lexicon = lexicon

    def fit(self, X, y):
        labels, counts = np.unique(np.asarray(y, dtype=object).astype(str), return_counts=True)
        self.classes_ = labels
        self.positive_, self.negative_ = polarity_labels(labels)
        if self.positive_ is None:
            raise ConfigError(f"the lexicon rule needs labels named like pos/neg (found {', '.join(labels)})")
        self.majority_ = labels[np.argmax(counts)]
        self.features_ = LectureFeatures(lexicon=self.lexicon).fit(X)
        return self

    def predict(self, X):
        values = self.features_.transform(X)
        return np.where(values[:, 0] > values[:, 1], self.positive_,
                        np.where(values[:, 1] > values[:, 0], self.negative_, self.majority_)).astype(object)


def feature_parts(pipeline: Pipeline) -> tuple:
    """(LectureFeatures or None, PooledEmbeddings or None) of a fitted pipeline."""
    step = pipeline.named_steps["features"]
    parts = dict(step.transformer_list) if isinstance(step, FeatureUnion) else {"only": step}
    six = next((p for p in parts.values() if isinstance(p, LectureFeatures)), None)
    emb = next((p for p in parts.values() if isinstance(p, PooledEmbeddings)), None)
    return six, emb
