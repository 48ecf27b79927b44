"""What shapes a model: the model kinds, the hyperparameters (:class:`ModelConfig`), the ensemble's
members (:class:`EnsembleConfig`) and the accuracy recipe. Plain values only: the CLI offers these
choices, and configs check them, before anything heavy is imported.

Options that only some models read default to None, so that giving one to a model that does not
read it is an error naming both options instead of a setting that silently does nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from sentclf.classify.features import BLOCKS, parse_feature_set
from sentclf.classify.vectors.embedding_config import EmbeddingConfig
from sentclf.errors import ConfigError, OptionConflictError
from sentclf.nn import ACTIVATIONS, SKLEARN_NAMES

MODEL_KINDS = ("lr", "mlp", "nb", "ft", "ensemble", "student")
DEFAULT_MODELS = ("lr", "mlp")
MODEL_TITLES = {
    "lr": "logistic regression",
    "mlp": "two-layer MLP",
    "nb": "multinomial naive Bayes",
    "ft": "fine-tuned encoder",
    "ensemble": "ensemble",
    "student": "distilled student",
}
TRAINED_KINDS = MODEL_KINDS[:-1]  # the student is made by `sentclf distill`, from a teacher
MEMBER_KINDS = ("lr", "mlp", "nb", "ft")
NB_FEATURES = ("ngrams",)  # nb needs non-negative term weights
FT_FEATURES = ("encoder",)  # ft is the sentence encoder itself, fine-tuned
# tune_layers None: every layer of the encoder (MiniLM's 6), its embeddings frozen: measured best (bench/README.md)
FT_DEFAULTS = {"tune_lr": 1e-4}
# tune_epochs None: at most AUTO_EPOCHS epochs and at most TOKEN_BUDGET wordpieces trained on, so that
# fine-tuning a large corpus (or long reviews) costs a bounded amount of work, not three passes whatever
# the size; at the rate measured in bench/README.md ("Fine-tuning the sentence encoder") that is minutes, not hours
AUTO_EPOCHS = 3
TOKEN_BUDGET = 1_200_000
FT_OPTIONS = ("tune_layers", "tune_epochs", "tune_lr")
TUNE_ALL = "all"  # --tune-layers all: every layer and the embedding tables
ENSEMBLE_METHODS = ("soft", "stack", "blend")
DEFAULT_ENSEMBLE_METHOD = "stack"
TUNED_ENSEMBLE_METHOD = "blend"  # the default when a member is fine-tuned: it is fine-tuned once, not k + 1 times
CALIBRATIONS = ("none", "sigmoid", "isotonic")
OPTIMIZE = ("efficiency", "accuracy")
# --optimize accuracy: the n-gram members measured best across MR, SST-2 and full reviews, and the
# fine-tuned encoder, blended (bench/README.md)
ACCURACY_MEMBERS = ("nbngrams:lr", "encoder:ft", "ngrams:nb", "nbchars:lr")
# ... with balanced class weights, so that its decisions do not lean on the training corpus's class
# priors: that is what lets a model trained on tweets score movie sentences (bench/README.md, zero-shot)
RECIPE_CLASS_WEIGHT = "balanced"
MLP_ACTIVATIONS = tuple(SKLEARN_NAMES.get(name, name) for name in ACTIVATIONS)  # relu, tanh, logistic
MLP_DEFAULTS = {"hidden": 100, "activation": "relu", "alpha": 1e-4}
MAX_HIDDEN = 100_000  # hidden units of the MLP: more is a typo, and would not fit in memory


def parse_member(member: str) -> tuple:
    """'six+encoder:mlp' → ('six+encoder', 'mlp'): an ensemble member is a feature set and lr, mlp or nb."""
    features, sep, kind = member.strip().rpartition(":")
    if not sep or kind not in MEMBER_KINDS:
        raise ConfigError(
            f"an ensemble member is FEATURES:lr, FEATURES:mlp, ngrams:nb or encoder:ft (such as nbngrams:lr), "
            f"not '{member}'"
        )
    parse_feature_set(features)
    check_nb(features, kind)
    return features, kind


def check_nb(feature_set: str, kind: str) -> None:
    """Naive Bayes models term weights, so it takes the n-gram block alone; ft is the encoder itself."""
    if kind == "nb" and tuple(parse_feature_set(feature_set)) != NB_FEATURES:
        raise ConfigError(f"the nb model (multinomial naive Bayes) takes --features ngrams, not '{feature_set}'")
    if kind == "ft" and tuple(parse_feature_set(feature_set)) != FT_FEATURES:
        raise ConfigError(f"the ft model (the fine-tuned encoder) takes --features encoder, not '{feature_set}'")


def check_feature_set(feature_set: str, embeddings: EmbeddingConfig) -> tuple:
    """The blocks of a feature set, checked against the registry and the embedding options."""
    blocks = parse_feature_set(feature_set)
    if any(BLOCKS[name].needs_embeddings for name in blocks) and embeddings.source is None:
        raise ConfigError(f"feature set '{feature_set}' needs --embeddings SOURCE")
    return blocks


@dataclass(frozen=True)
class ModelConfig:
    """Everything that shapes a pipeline; stored whole in the model file's metadata. ``hidden``,
    ``activation`` and ``alpha`` are the MLP's (None: :data:`MLP_DEFAULTS`); ``c`` is logistic
    regression's inverse L2 strength (None: 1.0, or 4.0 on TF-IDF n-grams alone)."""

    hidden: int | None = None
    activation: str | None = None
    class_weight: str | None = None
    seed: int = 0
    c: float | None = None
    alpha: float | None = None
    max_iter: int = 1000
    tune_layers: int | str | None = None  # ft: the top layers tuned (None: every layer), "all": the embeddings too
    tune_epochs: int | None = None  # ft: at most this many epochs (None: up to 3, within a wordpiece budget)
    tune_lr: float | None = None  # ft: the encoder's peak learning rate (None: 1e-4)

    def resolved(self) -> ModelConfig:
        """This config with the MLP's and the fine-tuning's defaults filled in (what the builders read)."""
        defaults: dict = {k: v for k, v in {**MLP_DEFAULTS, **FT_DEFAULTS}.items() if getattr(self, k) is None}
        return replace(self, **defaults)

    def under(self, optimize: str) -> ModelConfig:
        """This config as ``--optimize`` builds it: the accuracy recipe balances classes unless told."""
        if optimize == "accuracy" and self.class_weight is None:
            return replace(self, class_weight=RECIPE_CLASS_WEIGHT)
        return self

    def mlp_options(self) -> list:
        """The MLP-only options that were given, as the CLI names them."""
        names = {"hidden": "--hidden", "activation": "--activation", "alpha": "--alpha"}
        return [flag for field, flag in names.items() if getattr(self, field) is not None]

    def ft_options(self) -> list:
        """The fine-tuning options that were given, as the CLI names them."""
        names = {"tune_layers": "--tune-layers", "tune_epochs": "--tune-epochs", "tune_lr": "--tune-lr"}
        return [flag for field, flag in names.items() if getattr(self, field) is not None]

    def validate(self) -> None:
        config = self.resolved()
        if not 1 <= config.hidden <= MAX_HIDDEN:  # type: ignore[operator]
            raise ConfigError(f"--hidden must be between 1 and {MAX_HIDDEN:,}, not {config.hidden:,}")
        if config.activation not in MLP_ACTIVATIONS:
            raise ConfigError(f"unknown activation '{config.activation}': choose one of {', '.join(MLP_ACTIVATIONS)}")
        if self.c is not None and self.c <= 0:
            raise ConfigError(f"--lr-c must be above 0 (smaller is more regularized), not {self.c}")
        if config.alpha < 0:  # type: ignore[operator]
            raise ConfigError(f"--alpha must be 0 or more, not {config.alpha}")
        if self.class_weight not in (None, "balanced"):
            raise ConfigError(f"--class-weight takes 'balanced' only, not '{self.class_weight}'")
        if self.max_iter < 1:
            raise ConfigError(f"max_iter must be at least 1, not {self.max_iter}")
        layers = config.tune_layers
        if layers is not None and layers != TUNE_ALL and (not isinstance(layers, int) or layers < 1):
            raise ConfigError(f"--tune-layers takes a number of layers (1 or more) or '{TUNE_ALL}', not '{layers}'")
        if config.tune_epochs is not None and config.tune_epochs < 1:
            raise ConfigError(f"--tune-epochs must be at least 1, not {config.tune_epochs}")
        if config.tune_lr <= 0:  # type: ignore[operator]
            raise ConfigError(f"--tune-lr must be above 0, not {config.tune_lr}")

    def as_dict(self) -> dict:
        """The resolved config; the fine-tuning's fields only when given (the ft model records its own)."""
        return {k: v for k, v in asdict(self.resolved()).items() if k not in FT_OPTIONS or getattr(self, k) is not None}

    def check_used_by(self, kinds: set, described: str) -> None:
        """Refuse options that none of ``kinds`` (the model kinds a run fits, members included) reads."""
        if "mlp" not in kinds and self.mlp_options():
            raise OptionConflictError(
                f"{self.mlp_options()[0]} is an option of the MLP, and {described} trains none: "
                "add the MLP (--model both or --models lr,mlp) or drop it"
            )
        if "ft" not in kinds and self.ft_options():
            raise OptionConflictError(
                f"{self.ft_options()[0]} is an option of the fine-tuned encoder, and {described} trains none: "
                "add it (--model ft, or --members ...,encoder:ft) or drop it"
            )
        if "lr" not in kinds and self.c is not None:
            raise OptionConflictError(
                f"--lr-c is an option of logistic regression, and {described} trains none: drop --lr-c"
            )


@dataclass(frozen=True)
class EnsembleConfig:
    """The members of the ``ensemble`` model kind and how their probabilities are combined: ``stack``
    (a logistic regression on the members' out-of-fold probabilities, which learns how far to trust
    each member), ``blend`` (the same, learned from a held-out tenth) or ``soft`` (their average).
    None: the accuracy recipe's members; stacked, or blended when a member is fine-tuned."""

    members: tuple | None = None
    method: str | None = None

    @property
    def chosen_members(self) -> tuple:
        return ACCURACY_MEMBERS if self.members is None else tuple(self.members)

    @property
    def chosen_method(self) -> str:
        if self.method is not None:
            return self.method
        return TUNED_ENSEMBLE_METHOD if "ft" in self.kinds() else DEFAULT_ENSEMBLE_METHOD

    def given(self) -> list:
        """The ensemble options that were given, as the CLI names them."""
        return [flag for flag, value in (("--members", self.members), ("--ensemble", self.method)) if value is not None]

    def validate(self, embeddings: EmbeddingConfig) -> None:
        if self.chosen_method not in ENSEMBLE_METHODS:
            raise ConfigError(f"--ensemble takes {' or '.join(ENSEMBLE_METHODS)}, not '{self.method}'")
        for member in self.chosen_members:
            check_feature_set(parse_member(member)[0], embeddings)
        if len(self.chosen_members) < 2:
            raise ConfigError("an ensemble needs at least two members: --members nbngrams:lr,six+encoder:lr")

    def describe(self) -> str:
        return f"{self.chosen_method}({' + '.join(self.chosen_members)})"

    def as_dict(self) -> dict:
        return {"members": list(self.chosen_members), "method": self.chosen_method}

    def feature_sets(self) -> list:
        return [parse_member(member)[0] for member in self.chosen_members]

    def kinds(self) -> set:
        """The model kinds of the members: lr, mlp, nb (the stacking model's own LR takes no options)."""
        return {parse_member(member)[1] for member in self.chosen_members}


def check_optimize(optimize: str) -> None:
    if optimize not in OPTIMIZE:
        raise ConfigError(f"--optimize takes {' or '.join(OPTIMIZE)}, not '{optimize}'")


def check_recipe(optimize: str, models: tuple | None, ensemble: EnsembleConfig, flag: str) -> tuple:
    """The model kinds a run fits: ``models`` (None: LR and the MLP), or the ensemble with
    ``optimize='accuracy'``; the ensemble's options without an ensemble are refused."""
    check_optimize(optimize)
    if optimize == "accuracy":
        if models is not None and "ensemble" not in models:
            raise OptionConflictError(
                f"--optimize accuracy and {flag} {','.join(models)} cannot go together: the recipe trains the "
                f"ensemble: drop {flag}, or use --optimize efficiency"
            )
        kinds = tuple(models) if models is not None else ("ensemble",)
    else:
        kinds = tuple(models) if models is not None else DEFAULT_MODELS
    if "ensemble" not in kinds and ensemble.given():
        raise OptionConflictError(
            f"{ensemble.given()[0]} and {flag} {','.join(kinds)} cannot go together: {ensemble.given()[0]} shapes "
            "the ensemble: add the ensemble (--model ensemble, or --optimize accuracy), or drop it"
        )
    if "student" in kinds:
        raise ConfigError("a student is made from a teacher by `sentclf distill -m TEACHER -o STUDENT`, not trained")
    unknown = [kind for kind in kinds if kind not in MODEL_KINDS]
    if unknown or not kinds:
        raise ConfigError(f"unknown model {unknown or '(none)'}: choose lr, mlp, nb, ft, both or ensemble")
    return kinds


def fitted_kinds(kinds: tuple, ensemble: EnsembleConfig) -> set:
    """Every model kind a run fits, an ensemble's members included."""
    return set(kinds) - {"ensemble"} | (ensemble.kinds() if "ensemble" in kinds else set())
