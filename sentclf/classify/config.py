"""The classifier's config objects: one per verb (train, compare, evaluate, predict, features,
explain), each validated by its ``validate()``, which the verb calls first. Plain dataclasses: this
module imports nothing heavy, so the CLI can build configs and offer choices before any work."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sentclf.classify.features import BLOCKS, default_feature_sets, parse_feature_set
from sentclf.data.source import DataConfig
from sentclf.errors import ConfigError
from sentclf.nn import ACTIVATIONS, SKLEARN_NAMES

MODEL_KINDS = ("lr", "mlp", "nb", "ensemble")
DEFAULT_MODELS = ("lr", "mlp")
MODEL_TITLES = {
    "lr": "logistic regression",
    "mlp": "two-layer MLP",
    "nb": "multinomial naive Bayes",
    "ensemble": "ensemble",
}
MEMBER_KINDS = ("lr", "mlp", "nb")
NB_FEATURES = ("ngrams",)  # nb needs non-negative term weights
ENSEMBLE_METHODS = ("soft", "stack")
CALIBRATIONS = ("none", "sigmoid", "isotonic")
OPTIMIZE = ("efficiency", "accuracy")
# --optimize accuracy: the members measured best across MR, SST-2 and full reviews, stacked (bench/README.md)
ACCURACY_MEMBERS = ("nbngrams:lr", "six+encoder:lr", "ngrams:nb", "nbchars:lr")
# ... with balanced class weights: its decisions do not lean on the training corpus's class priors, which
# zero-shot on movie sentences took it from 61.0 to 65.0 (MR) and 63.4 to 69.9 (SST-2) (bench/README.md)
RECIPE_CLASS_WEIGHT = "balanced"
MLP_ACTIVATIONS = tuple(SKLEARN_NAMES.get(name, name) for name in ACTIVATIONS)  # relu, tanh, logistic
LEXICON_NAMES = ("builtin", "huliu")
POOLS = ("mean", "max")
MINILM = "minilm"
DEFAULT_KEEP = 10_000
MAX_HIDDEN = 100_000  # hidden units of the MLP: more is a typo, and would not fit in memory
VECTOR_FORMATS = ("glove", "word2vec", "word2vec-bin", "fasttext")


def parse_pool(pool: str | tuple) -> tuple:
    """'mean,max' -> ('mean', 'max'), validated."""
    names = tuple(p.strip() for p in pool.split(",")) if isinstance(pool, str) else tuple(pool)
    if not names or any(p not in POOLS for p in names) or len(set(names)) != len(names):
        raise ConfigError(f"--pool takes mean, max or mean,max, not '{pool}'")
    return names


def parse_member(member: str) -> tuple:
    """'six+encoder:mlp' → ('six+encoder', 'mlp'): an ensemble member is a feature set and lr, mlp or nb."""
    features, sep, kind = member.strip().rpartition(":")
    if not sep or kind not in MEMBER_KINDS:
        raise ConfigError(
            f"an ensemble member is FEATURES:lr, FEATURES:mlp or ngrams:nb (such as nbngrams:lr), not '{member}'"
        )
    parse_feature_set(features)
    check_nb(features, kind)
    return features, kind


def check_nb(feature_set: str, kind: str) -> None:
    """Naive Bayes models term weights, so it takes the n-gram block alone."""
    if kind == "nb" and tuple(parse_feature_set(feature_set)) != NB_FEATURES:
        raise ConfigError(f"the nb model (multinomial naive Bayes) takes --features ngrams, not '{feature_set}'")


def parse_list(text: str | None) -> tuple:
    """'lr, mlp' -> ('lr', 'mlp')."""
    return tuple(item.strip() for item in (text or "").split(",") if item.strip())


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
        if not 1 <= self.hidden <= MAX_HIDDEN:
            raise ConfigError(f"--hidden must be between 1 and {MAX_HIDDEN:,}, not {self.hidden:,}")
        if self.activation not in MLP_ACTIVATIONS:
            raise ConfigError(f"unknown activation '{self.activation}': choose one of {', '.join(MLP_ACTIVATIONS)}")
        if (self.c is not None and self.c <= 0) or self.alpha < 0:
            raise ConfigError(f"--lr-c must be > 0 and --alpha >= 0 (got {self.c}, {self.alpha})")
        if self.class_weight not in (None, "balanced"):
            raise ConfigError(f"--class-weight takes 'balanced' only, not '{self.class_weight}'")

    def as_dict(self) -> dict:
        return asdict(self)


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

    def default_feature_set(self) -> str:
        """six, six+emb or emb, as the embedding options say."""
        if self.source is None:
            return "six"
        return "six+emb" if self.lexicon_features else "emb"


@dataclass
class EnsembleConfig:
    """The members of the ``ensemble`` model kind and how their probabilities are combined."""

    members: tuple = ACCURACY_MEMBERS
    # stack: a logistic regression on the members' out-of-fold probabilities (it learns to trust the better
    # member: full reviews 88.5 against 83.4 for soft voting, which averages the weak member in); soft: average
    method: str = "stack"

    def validate(self, embeddings: EmbeddingConfig) -> None:
        if self.method not in ENSEMBLE_METHODS:
            raise ConfigError(f"--ensemble takes {' or '.join(ENSEMBLE_METHODS)}, not '{self.method}'")
        if len(self.members) < 2:
            raise ConfigError("an ensemble needs at least two members: --members nbngrams:lr,six+encoder:lr")
        for member in self.members:
            check_feature_set(parse_member(member)[0], embeddings)

    def describe(self) -> str:
        return f"{self.method}({' + '.join(self.members)})"

    def as_dict(self) -> dict:
        return {"members": list(self.members), "method": self.method}

    def feature_sets(self) -> list:
        return [parse_member(member)[0] for member in self.members]


def optimized_models(optimize: str, models: tuple) -> tuple:
    """--optimize accuracy trains the ensemble; efficiency keeps the models asked for (LR and the MLP)."""
    if optimize not in OPTIMIZE:
        raise ConfigError(f"--optimize takes {' or '.join(OPTIMIZE)}, not '{optimize}'")
    return ("ensemble",) if optimize == "accuracy" else models


@dataclass
class LexiconConfig:
    """Which word lists feed x1, x2 and x4: a base lexicon and an optional folder of replacements."""

    name: str = "builtin"
    directory: str | None = None

    def validate(self) -> None:
        if self.name not in LEXICON_NAMES:
            raise ConfigError(f"unknown lexicon '{self.name}': choose one of {', '.join(LEXICON_NAMES)}")

    def load(self):
        from sentclf.classify.lexicons import load_lexicon

        return load_lexicon(self.name, self.directory)


def check_feature_set(feature_set: str, embeddings: EmbeddingConfig) -> tuple:
    """The blocks of a feature set, checked against the registry and the embedding options."""
    blocks = parse_feature_set(feature_set)
    if any(BLOCKS[name].needs_embeddings for name in blocks) and embeddings.source is None:
        raise ConfigError(f"feature set '{feature_set}' needs --embeddings SOURCE")
    return blocks


@dataclass
class TrainConfig:
    """Everything ``train`` needs; saved (but the output path, --force and --plot) in the model's metadata."""

    data: DataConfig = field(default_factory=DataConfig)
    models: tuple = DEFAULT_MODELS
    test_size: float = 0.2
    lexicon: str = "builtin"
    lexicon_dir: str | None = None
    model: ModelConfig = field(default_factory=ModelConfig)
    embeddings: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    features: str | None = None  # a feature set (six, six+ngrams, ...); None: as the embedding options say
    output: str | None = None  # None: the default model path
    force: bool = False
    plot_dir: str | None = None
    ensemble: EnsembleConfig = field(default_factory=EnsembleConfig)
    optimize: str = "efficiency"  # accuracy: models = ("ensemble",), with the ensemble's members
    calibrate: str = "none"  # sigmoid or isotonic: probabilities calibrated on 5-fold out-of-fold predictions
    min_label_confidence: float = 0.0  # train only on rows whose label confidence reaches this (default corpus)
    jobs: int = -1  # an ensemble's pipelines fitted on this many threads (-1: every core); not stored
    stream: bool = False  # out-of-core training: batches of rows, partial_fit (classify/streaming.py)
    epochs: int = 1  # --stream: passes over the training rows
    labels: tuple = ()  # --stream: the label set, when known (else a survey pass finds it)
    stream_batch: int = 4096  # --stream: rows per partial_fit
    shuffle_buffer: int = 100_000  # --stream: rows held to shuffle the file's order

    def all_feature_sets(self) -> list:
        """Every feature set a pipeline of this run uses (the ensemble's members' included)."""
        plain = [self.feature_set()] if set(self.models) - {"ensemble"} else []
        return plain + (self.ensemble.feature_sets() if "ensemble" in self.models else [])

    def feature_set(self) -> str:
        if self.models == ("ensemble",) and not self.features:
            return self.ensemble.describe()
        return self.features or self.embeddings.default_feature_set()

    def validate(self) -> None:
        self.models = optimized_models(self.optimize, self.models)
        if self.optimize == "accuracy":
            self.model.class_weight = self.model.class_weight or RECIPE_CLASS_WEIGHT
        unknown = [kind for kind in self.models if kind not in MODEL_KINDS]
        if unknown or not self.models:
            raise ConfigError(f"unknown model {unknown or '(none)'}: choose lr, mlp, nb, both or ensemble")
        if "ensemble" in self.models:
            self.ensemble.validate(self.embeddings)
        if "nb" in self.models:
            check_nb(self.features or self.embeddings.default_feature_set(), "nb")
        if not 0 < self.test_size < 1:
            raise ConfigError(f"--test-size must be between 0 and 1 (a fraction), not {self.test_size}")
        if not 0 <= self.min_label_confidence <= 1:
            raise ConfigError(f"--min-label-confidence is a fraction in [0, 1], not {self.min_label_confidence}")
        if self.jobs == 0 or self.jobs < -1:
            raise ConfigError(f"--jobs takes a positive number of threads or -1 (every core), not {self.jobs}")
        if self.calibrate not in CALIBRATIONS:
            raise ConfigError(f"--calibrate takes {', '.join(CALIBRATIONS)}, not '{self.calibrate}'")
        if self.epochs < 1 or self.stream_batch < 1 or self.shuffle_buffer < 1:
            raise ConfigError("--epochs, the batch and the shuffle buffer take positive numbers")
        if (self.epochs != 1 or self.labels) and not self.stream:
            raise ConfigError("--epochs and --labels are options of train --stream")
        LexiconConfig(self.lexicon, self.lexicon_dir).validate()
        self.model.validate()
        self.embeddings.validate()
        if self.models != ("ensemble",) or self.features:
            check_feature_set(self.feature_set(), self.embeddings)

    def as_dict(self) -> dict:
        extra: dict[str, Any] = (
            {"ensemble": self.ensemble.as_dict(), "optimize": self.optimize} if "ensemble" in self.models else {}
        )
        if self.calibrate != "none":
            extra["calibrate"] = self.calibrate
        if self.min_label_confidence:
            extra["min_label_confidence"] = self.min_label_confidence
        if self.stream:
            extra["stream"] = {"epochs": self.epochs, "labels": list(self.labels), "batch": self.stream_batch}
        return {
            "data": vars(self.data),
            "models": list(self.models),
            "test_size": self.test_size,
            "lexicon": self.lexicon,
            "lexicon_dir": self.lexicon_dir,
            "model": self.model.as_dict(),
            "embeddings": self.embeddings.as_dict(),
            "features": self.feature_set(),
            **extra,
        }


@dataclass
class CompareConfig:
    """What to cross-validate: data, folds, models, feature sets, and how to build them."""

    data: DataConfig = field(default_factory=DataConfig)
    cv: int = 10
    models: tuple = DEFAULT_MODELS
    features: tuple | None = None  # None: six, six+ngrams, ngrams, and six+emb, emb with embeddings
    seed: int = 0
    jobs: int = 1
    learning_curve: bool = False
    lexicon: LexiconConfig = field(default_factory=LexiconConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    embeddings: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    plot_dir: str | None = None
    ensemble: EnsembleConfig = field(default_factory=EnsembleConfig)
    optimize: str = "efficiency"  # accuracy: the ensemble too, beside the models asked for
    scheduler: str | None = None  # a Dask scheduler ('local' or tcp://HOST:PORT): the folds run there

    def workers(self) -> int:
        """joblib's n_jobs: every worker of the cluster with a scheduler, else --jobs."""
        return -1 if self.scheduler else self.jobs

    def all_feature_sets(self) -> list:
        """Every feature set a pipeline of this comparison uses (the ensemble's members' included)."""
        return [*self.feature_sets(), *(self.ensemble.feature_sets() if "ensemble" in self.models else [])]

    def cells(self) -> list:
        """(feature set, model) of every cell but the reference rows: LR and the MLP on each feature set,
        then the ensemble once (its members bring their own feature sets). nb runs on ``ngrams`` only."""
        plain = [
            (f, m)
            for f in self.feature_sets()
            for m in self.models
            if m != "ensemble" and (m != "nb" or tuple(parse_feature_set(f)) == NB_FEATURES)
        ]
        return plain + ([(self.ensemble.describe(), "ensemble")] if "ensemble" in self.models else [])

    def feature_sets(self) -> tuple:
        chosen = self.features or default_feature_sets(self.embeddings.source is not None)
        for feature_set in chosen:
            check_feature_set(feature_set, self.embeddings)
        return tuple(chosen)

    def validate(self) -> None:
        if self.cv < 2:
            raise ConfigError(f"--cv must be at least 2, not {self.cv}")
        if self.jobs == 0:
            raise ConfigError("--jobs must be a number of processes (1, 2, ...) or -1 for every core, not 0")
        if self.optimize == "accuracy" and "ensemble" not in self.models:
            self.models = (*optimized_models(self.optimize, ()), *self.models)
        if self.optimize == "accuracy":
            self.model.class_weight = self.model.class_weight or RECIPE_CLASS_WEIGHT
        if not self.models or any(m not in MODEL_KINDS for m in self.models):
            raise ConfigError(
                f"--models takes lr, mlp, nb, ensemble or a list of them, not {','.join(self.models) or '(none)'}"
            )
        if "ensemble" in self.models:
            self.ensemble.validate(self.embeddings)
        self.lexicon.validate()
        if "nb" in self.models and not any(m == "nb" for _, m in self.cells()):
            raise ConfigError(
                "the nb model (multinomial naive Bayes) runs on the ngrams feature set: add --features ngrams"
            )
        self.model.validate()
