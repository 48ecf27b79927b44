"""The classifier's verbs as config objects: what ``train``, ``compare``, ``evaluate``, ``predict``,
``features`` and ``explain`` are asked to do (with the two they share, :class:`ModelSource`, which
saved model, and :class:`OutputConfig`, where the rows go, from the modules that own them).
Each is frozen (nothing changes it once built: what a
run derives, such as the models ``--optimize accuracy`` means, is computed by a method) and checked
by its ``validate()``, which the verb calls first. Options that cannot go together, or that would do
nothing, raise :class:`~sentclf.errors.OptionConflictError` naming both. Nothing heavy is imported
here, so the CLI builds configs before any work."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sentclf.classify.features import default_feature_sets, parse_feature_set
from sentclf.classify.features.lexicons import LexiconConfig
from sentclf.classify.modelfile.model import ModelSource
from sentclf.classify.models.spec import (
    CALIBRATIONS,
    DEFAULT_MODELS,
    FT_FEATURES,
    MODEL_KINDS,
    NB_FEATURES,
    EnsembleConfig,
    ModelConfig,
    check_feature_set,
    check_nb,
    check_optimize,
    check_recipe,
    fitted_kinds,
)
from sentclf.classify.parallel import check_process_count
from sentclf.classify.rows import OutputConfig
from sentclf.classify.vectors.embedding_config import EmbeddingConfig
from sentclf.data.inputs import Inputs
from sentclf.data.source import DataConfig
from sentclf.errors import ConfigError, OptionConflictError

__all__ = (
    "CompareConfig",
    "EvaluateConfig",
    "ExplainConfig",
    "FeatureMeansConfig",
    "FeaturesConfig",
    "ModelSource",
    "OutputConfig",
    "PredictConfig",
    "StreamConfig",
    "TrainConfig",
    "parse_list",
)


def parse_list(text: str | None) -> tuple:
    """'lr, mlp' -> ('lr', 'mlp')."""
    return tuple(item.strip() for item in (text or "").split(",") if item.strip())


@dataclass(frozen=True)
class StreamConfig:
    """``train --stream``: passes over the data, the label set when known (else a survey pass finds
    it), rows per ``partial_fit`` and rows held to shuffle the file's order."""

    epochs: int = 1
    labels: tuple = ()
    batch: int = 4096
    shuffle_buffer: int = 100_000

    def validate(self) -> None:
        if self.epochs < 1 or self.batch < 1 or self.shuffle_buffer < 1:
            raise ConfigError("--epochs, the batch and the shuffle buffer take positive numbers")


@dataclass(frozen=True)
class TrainConfig:
    """Everything ``train`` needs; saved (but the output path, --force and --plot) in the model's metadata."""

    data: DataConfig = field(default_factory=DataConfig)
    models: tuple | None = None  # None: LR and the MLP (or the ensemble, with optimize="accuracy")
    test_size: float = 0.2
    lexicon: LexiconConfig = field(default_factory=LexiconConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    embeddings: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    features: str | None = None  # a feature set (six, six+ngrams, ...); None: as the embedding options say
    output: str | None = None  # None: the default model path
    force: bool = False
    plot_dir: str | None = None
    ensemble: EnsembleConfig = field(default_factory=EnsembleConfig)
    optimize: str = "efficiency"  # accuracy: the ensemble of the recipe, with balanced classes
    calibrate: str = "none"  # sigmoid or isotonic: probabilities calibrated on 5-fold out-of-fold predictions
    min_label_confidence: float = 0.0  # train only on rows whose label confidence reaches this (default corpus)
    jobs: int = -1  # an ensemble's pipelines fitted on this many threads (-1: every core); not stored
    stream: StreamConfig | None = None  # out-of-core training: batches of rows, partial_fit (classify/streaming.py)

    @property
    def kinds(self) -> tuple:
        """The model kinds this run trains."""
        return check_recipe(self.optimize, self.models, self.ensemble, "--model")

    def model_config(self) -> ModelConfig:
        """The hyperparameters the models are built with."""
        return self.model.under(self.optimize)

    def all_feature_sets(self) -> list:
        """Every feature set a pipeline of this run uses (the ensemble's members' included)."""
        plain = [self.feature_set()] if set(self.kinds) - {"ensemble"} else []
        return plain + (self.ensemble.feature_sets() if "ensemble" in self.kinds else [])

    def feature_set(self) -> str:
        if self.kinds == ("ensemble",):
            return self.ensemble.describe()
        if self.kinds == ("ft",) and not self.features:
            return "encoder"
        return self.features or self.embeddings.default_feature_set()

    def validate(self) -> None:
        kinds = self.kinds
        if kinds == ("ensemble",) and self.features:
            raise OptionConflictError(
                "--features and the ensemble cannot go together: each member brings its own feature set "
                "(--members SET:KIND,...): drop --features"
            )
        if "ensemble" in kinds:
            self.ensemble.validate(self.embeddings)
        if "nb" in kinds:
            check_nb(self.features or self.embeddings.default_feature_set(), "nb")
        if "ft" in kinds and self.features:
            check_nb(self.features, "ft")
        if not 0 < self.test_size < 1:
            raise ConfigError(f"--test-size must be between 0 and 1 (a fraction), not {self.test_size}")
        if not 0 <= self.min_label_confidence <= 1:
            raise ConfigError(f"--min-label-confidence is a fraction in [0, 1], not {self.min_label_confidence}")
        if self.jobs == 0 or self.jobs < -1:
            raise ConfigError(f"--jobs takes a positive number of threads or -1 (every core), not {self.jobs}")
        if self.calibrate not in CALIBRATIONS:
            raise ConfigError(f"--calibrate takes {', '.join(CALIBRATIONS)}, not '{self.calibrate}'")
        if self.stream is not None:
            self.stream.validate()
            for flag, given in (
                ("--calibrate", self.calibrate != "none"),
                ("--min-label-confidence", bool(self.min_label_confidence)),
            ):
                if given:
                    raise OptionConflictError(
                        f"--stream and {flag} cannot go together: streaming fits a batch at a time and keeps no "
                        f"data to {'calibrate on' if flag == '--calibrate' else 'filter'}: drop one"
                    )
        self.data.validate()
        self.lexicon.validate()
        self.model.validate()
        self.model.check_used_by(fitted_kinds(kinds, self.ensemble), f"--model {','.join(kinds)}")
        self.embeddings.validate()
        if self.features and not self.embeddings.lexicon_features:
            raise OptionConflictError(
                "--features and --no-lexicon-features cannot go together: --features names every block; "
                "drop six from it instead"
            )
        if kinds != ("ensemble",):
            check_feature_set(self.feature_set(), self.embeddings)

    def as_dict(self) -> dict:
        kinds = self.kinds
        extra: dict[str, Any] = (
            {"ensemble": self.ensemble.as_dict(), "optimize": self.optimize} if "ensemble" in kinds else {}
        )
        if self.calibrate != "none":
            extra["calibrate"] = self.calibrate
        if self.min_label_confidence:
            extra["min_label_confidence"] = self.min_label_confidence
        if self.stream is not None:
            extra["stream"] = {
                "epochs": self.stream.epochs,
                "labels": list(self.stream.labels),
                "batch": self.stream.batch,
            }
        return {
            "data": vars(self.data),
            "models": list(kinds),
            "test_size": self.test_size,
            "lexicon": self.lexicon.name,
            "lexicon_dir": self.lexicon.directory,
            "model": self.model_config().as_dict(),
            "embeddings": self.embeddings.as_dict(),
            "features": self.feature_set(),
            **extra,
        }


@dataclass(frozen=True)
class CompareConfig:
    """What to cross-validate: data, folds, models, feature sets, and how to build them. The folds are
    shuffled with ``model.seed``, which also seeds every model."""

    data: DataConfig = field(default_factory=DataConfig)
    cv: int = 10
    models: tuple = DEFAULT_MODELS
    features: tuple | None = None  # None: six, six+ngrams, ngrams, and six+emb, emb with embeddings
    jobs: int = 1
    learning_curve: bool = False
    lexicon: LexiconConfig = field(default_factory=LexiconConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    embeddings: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    plot_dir: str | None = None
    ensemble: EnsembleConfig = field(default_factory=EnsembleConfig)
    optimize: str = "efficiency"  # accuracy: the ensemble too, beside the models asked for
    scheduler: str | None = None  # a Dask scheduler ('local' or tcp://HOST:PORT): the folds run there

    @property
    def seed(self) -> int:
        return self.model.seed

    @property
    def kinds(self) -> tuple:
        """The models compared: those asked for, and the ensemble with --optimize accuracy."""
        check_optimize(self.optimize)
        if self.optimize == "accuracy" and "ensemble" not in self.models:
            return ("ensemble", *self.models)
        return tuple(self.models)

    def model_config(self) -> ModelConfig:
        """The hyperparameters the models are built with."""
        return self.model.under(self.optimize)

    def workers(self) -> int:
        """joblib's n_jobs: every worker of the cluster with a scheduler, else --jobs."""
        return -1 if self.scheduler else self.jobs

    def all_feature_sets(self) -> list:
        """Every feature set a pipeline of this comparison uses (the ensemble's members' included)."""
        return [
            *self.feature_sets(),
            *(self.ensemble.feature_sets() if {"ensemble", "student"} & set(self.kinds) else []),
            *(FT_FEATURES if "ft" in self.kinds else ()),
        ]

    def cells(self) -> list:
        """(feature set, model) of every cell but the reference rows: LR and the MLP on each feature set,
        then the fine-tuned encoder and the ensemble once each (the one is its own features, the other's
        members bring theirs), and the student distilled from the ensemble. nb runs on ``ngrams`` only."""
        plain = [
            (f, m)
            for f in self.feature_sets()
            for m in self.kinds
            if m not in ("ensemble", "ft", "student") and (m != "nb" or tuple(parse_feature_set(f)) == NB_FEATURES)
        ]
        tuned = [("+".join(FT_FEATURES), "ft")] if "ft" in self.kinds else []
        ensemble = [(self.ensemble.describe(), "ensemble")] if "ensemble" in self.kinds else []
        student = [(f"distilled from {self.ensemble.describe()}", "student")] if "student" in self.kinds else []
        return plain + tuned + ensemble + student

    def feature_sets(self) -> tuple:
        chosen = self.features or default_feature_sets(self.embeddings.source is not None)
        for feature_set in chosen:
            check_feature_set(feature_set, self.embeddings)
        return tuple(chosen)

    def validate(self) -> None:
        if self.cv < 2:
            raise ConfigError(f"--cv must be at least 2, not {self.cv}")
        check_process_count(self.jobs)
        kinds = self.kinds
        if not kinds or any(m not in MODEL_KINDS for m in kinds):
            raise ConfigError(
                "--models takes lr, mlp, nb, ft, ensemble, student or a list of them, not "
                f"{','.join(kinds) or '(none)'}"
            )
        if {"ensemble", "student"} & set(kinds):
            self.ensemble.validate(self.embeddings)
        elif self.ensemble.given():
            raise OptionConflictError(
                f"{self.ensemble.given()[0]} and --models {','.join(kinds)} cannot go together: it shapes the "
                "ensemble: add ensemble to --models (or --optimize accuracy), or drop it"
            )
        if self.scheduler:
            from sentclf.classify.parallel.cluster import is_local

            is_local(self.scheduler)
            if self.jobs != 1:
                raise OptionConflictError(
                    "--scheduler and --jobs cannot go together: the cluster's workers run the folds"
                )
        self.data.validate()
        self.lexicon.validate()
        if "nb" in kinds and not any(m == "nb" for _, m in self.cells()):
            raise ConfigError(
                "the nb model (multinomial naive Bayes) runs on the ngrams feature set: add --features ngrams"
            )
        self.model.validate()
        teachers = tuple(kinds) + (("ensemble",) if "student" in kinds else ())
        self.model.check_used_by(fitted_kinds(teachers, self.ensemble) - {"student"}, f"--models {','.join(kinds)}")
        self.embeddings.validate()


@dataclass(frozen=True)
class EvaluateConfig:
    """Score a model file's models on labelled data, with DATA's labels renamed by ``label_map``."""

    data: DataConfig
    model: ModelSource = field(default_factory=ModelSource)
    label_map: str | None = None  # 'pos=positive,neg=negative'
    plot_dir: str | None = None
    restrict: bool = False  # only DATA's labels compete (a 3-class model on pos/neg data: P(pos) vs P(neg))
    adapt_priors: bool = False  # correct the probabilities to the class priors EM estimates on DATA (no labels)
    errors: int = 0  # keep the best model's N most confident errors, each explained word by word

    def labels(self) -> dict:
        """--label-map as a dict: 'pos=positive,neg=negative' -> {'pos': 'positive', 'neg': 'negative'}."""
        mapping = {}
        for item in parse_list(self.label_map):
            source, sep, target = item.partition("=")
            if not sep or not source.strip() or not target.strip():
                raise ConfigError(f"--label-map wants DATA_LABEL=MODEL_LABEL pairs separated by commas, not '{item}'")
            mapping[source.strip()] = target.strip()
        return mapping

    def validate(self) -> None:
        self.labels()
        self.data.validate()
        self.model.validate()
        if self.model.use is not None:
            raise OptionConflictError("evaluate scores every model in the file: drop --use")


@dataclass(frozen=True)
class PredictConfig:
    """Label documents with a model file's best (or chosen) model, and send the rows to ``output``."""

    inputs: Inputs = field(default_factory=Inputs)
    model: ModelSource = field(default_factory=ModelSource)
    output: OutputConfig = field(default_factory=OutputConfig)
    batch_size: int = 1000
    min_confidence: float = 0.0  # below this top probability the label is 'uncertain'
    neutral_band: float = 0.0  # two-class models: 'neutral' when the top probability is below 0.5 + this
    adapt_priors: bool = False  # correct each batch's probabilities to the class priors EM estimates on it
    jobs: int | None = None  # processes scoring a long input: None, one per core for a Python-bound model

    def validate(self) -> None:
        self.inputs.validate()
        self.model.validate()
        self.output.validate()
        if self.jobs is not None:
            check_process_count(self.jobs)
        if self.output.scheduler and self.jobs not in (None, 1):
            raise OptionConflictError(
                "--scheduler and --jobs cannot go together: the cluster's workers score the partitions"
            )
        if not 0 <= self.min_confidence <= 1:
            raise ConfigError(f"--min-confidence is a probability between 0 and 1, not {self.min_confidence}")
        if not 0 <= self.neutral_band < 0.5:
            raise ConfigError(f"--neutral-band is a width in [0, 0.5), not {self.neutral_band}")
        if self.batch_size < 1:
            raise ConfigError(f"the batch size must be at least 1, not {self.batch_size}")
        if self.output.scheduler and self.inputs.texts:
            raise ConfigError("--scheduler scores files, not texts")


@dataclass(frozen=True)
class FeaturesConfig:
    """The feature dump: x1..x6, the tokens behind them (and pooled vectors) of each document."""

    inputs: Inputs = field(default_factory=Inputs)
    lexicon: LexiconConfig = field(default_factory=LexiconConfig)
    embeddings: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    batch_size: int = 1000

    def validate(self) -> None:
        self.inputs.validate()
        self.lexicon.validate()
        self.embeddings.validate()
        self.output.validate()
        if self.embeddings.keep_vectors is not None or not self.embeddings.lexicon_features:
            raise ConfigError("the feature dump keeps every vector and always shows x1..x6")
        if self.output.scheduler and (self.embeddings.source is not None or self.inputs.texts):
            raise OptionConflictError(
                "--scheduler and --embeddings cannot go together: features --scheduler writes x1..x6 of files"
            )


@dataclass(frozen=True)
class FeatureMeansConfig:
    """Per-class means of x1..x6 over a labelled dataset (``features --labels``)."""

    data: DataConfig
    lexicon: LexiconConfig = field(default_factory=LexiconConfig)

    def validate(self) -> None:
        self.data.validate()
        self.lexicon.validate()


@dataclass(frozen=True)
class ExplainConfig:
    """Explain one document with a model file's model (``model.use``: which one; default as below)."""

    text: str
    model: ModelSource = field(default_factory=ModelSource)

    def validate(self) -> None:
        self.model.validate()
