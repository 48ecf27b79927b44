"""The two classifiers the lecture compares, as scikit-learn pipelines.

Both share the same front: tokenize → the six features → standardize. Then either
- ``lr``: logistic regression (sigmoid for two classes, multinomial softmax for more), or
- ``mlp``: a two-layer network, one hidden layer (ReLU by default) and a softmax output.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

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
    c: float = 1.0
    alpha: float = 1e-4
    max_iter: int = 1000

    def validate(self) -> None:
        if self.hidden < 1:
            raise ConfigError(f"--hidden must be at least 1, not {self.hidden}")
        if self.activation not in ACTIVATIONS:
            raise ConfigError(f"unknown activation '{self.activation}': choose one of {', '.join(ACTIVATIONS)}")
        if self.c <= 0 or self.alpha < 0:
            raise ConfigError(f"--lr-c must be > 0 and --alpha >= 0 (got {self.c}, {self.alpha})")
        if self.class_weight not in (None, "balanced"):
            raise ConfigError(f"--class-weight takes 'balanced' only, not '{self.class_weight}'")

    def as_dict(self) -> dict:
        return asdict(self)


def build_classifier(kind: str, config: ModelConfig):
    """The final estimator of a pipeline."""
    if kind == "lr":
        return LogisticRegression(C=config.c, class_weight=config.class_weight, max_iter=config.max_iter,
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


def build_features(lexicon: Lexicon, embeddings: EmbeddingConfig | None = None, table=None):
    """The feature step: x1..x6, pooled embeddings, or both side by side (x1..x6 first)."""
    if embeddings is None or embeddings.source is None:
        return LectureFeatures(lexicon=lexicon)
    embeddings.validate()
    pooled = PooledEmbeddings(source=embeddings.source, fmt=embeddings.fmt, pool=embeddings.pool,
                              keep_vectors=embeddings.keep_vectors, table=table)
    if not embeddings.lexicon_features:
        return pooled
    return FeatureUnion([("six", LectureFeatures(lexicon=lexicon)), ("emb", pooled)], verbose_feature_names_out=False)


def build_pipeline(kind: str, lexicon: Lexicon, config: ModelConfig | None = None,
                   embeddings: EmbeddingConfig | None = None, table=None) -> Pipeline:
    """tokenize → features (six and/or pooled embeddings) → standardize → classifier."""
    config = config or ModelConfig()
    config.validate()
    return Pipeline([
        ("tokens", Tokenizer()),
        ("features", build_features(lexicon, embeddings, table)),
        ("scale", StandardScaler()),
        ("clf", build_classifier(kind, config)),
    ])


def feature_parts(pipeline: Pipeline) -> tuple:
    """(LectureFeatures or None, PooledEmbeddings or None) of a fitted pipeline."""
    step = pipeline.named_steps["features"]
    parts = dict(step.transformer_list) if isinstance(step, FeatureUnion) else {"only": step}
    six = next((p for p in parts.values() if isinstance(p, LectureFeatures)), None)
    emb = next((p for p in parts.values() if isinstance(p, PooledEmbeddings)), None)
    return six, emb
