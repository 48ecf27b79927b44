"""The two classifiers the lecture compares, as scikit-learn pipelines.

Both share the same front: tokenize → the six features → standardize. Then either
- ``lr``: logistic regression (sigmoid for two classes, multinomial softmax for more), or
- ``mlp``: a two-layer network, one hidden layer (ReLU by default) and a softmax output.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

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
    max_iter: int = 1000

    def validate(self) -> None:
        if self.hidden < 1:
            raise ConfigError(f"--hidden must be at least 1, not {self.hidden}")
        if self.activation not in ACTIVATIONS:
            raise ConfigError(f"unknown activation '{self.activation}': choose one of {', '.join(ACTIVATIONS)}")
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
        return MLPClassifier(hidden_layer_sizes=(config.hidden,), activation=config.activation,
                             early_stopping=True, n_iter_no_change=10, max_iter=config.max_iter,
                             random_state=config.seed)
    raise ConfigError(f"unknown model '{kind}': choose one of {', '.join(MODEL_KINDS)}")


def build_pipeline(kind: str, lexicon: Lexicon, config: ModelConfig | None = None) -> Pipeline:
    """tokenize → six features → standardize → classifier."""
    config = config or ModelConfig()
    config.validate()
    return Pipeline([
        ("tokens", Tokenizer()),
        ("features", LectureFeatures(lexicon=lexicon)),
        ("scale", StandardScaler()),
        ("clf", build_classifier(kind, config)),
    ])
