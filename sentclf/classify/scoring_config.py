"""The configs of the verbs that use a saved model or none: evaluate, predict, features and
explain (train's and compare's are in :mod:`.config`). Plain dataclasses, nothing heavy imported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sentclf.classify.config import MODEL_KINDS, EmbeddingConfig, LexiconConfig, parse_list
from sentclf.data.source import DataConfig
from sentclf.errors import ConfigError


@dataclass
class EvaluateConfig:
    """Score a model file's models on labelled data, with DATA's labels renamed by ``label_map``."""

    data: DataConfig
    model_path: str | None = None
    label_map: str | None = None  # 'pos=positive,neg=negative'
    plot_dir: str | None = None
    restrict: bool = False  # only DATA's labels compete (a 3-class model on pos/neg data: P(pos) vs P(neg))
    trusted: bool = False  # --trust-model: unpickle without the allowlist

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


@dataclass
class PredictConfig:
    """Label documents with a model file's best (or chosen) model: one per line of each file (or one
    per file), or the given ``texts``. ``model`` may hold an already loaded model."""

    files: tuple = ()
    texts: tuple = ()
    model_path: str | None = None
    model: Any = None
    trusted: bool = False  # --trust-model: unpickle without the allowlist
    skip_bad: bool = False  # leave out lines that are not valid in the encoding, and count them
    text_col: str | None = None  # tables: the text column (default: text, review, sentence...)
    id_col: str | None = None  # tables: the id column carried to the output (default: id, if present)
    keep_cols: tuple = ()  # tables: more columns carried to the output
    use: str | None = None
    whole_file: bool = False
    encoding: str = "utf-8"
    batch_size: int = 1000
    min_confidence: float = 0.0  # below this top probability the label is 'uncertain'
    neutral_band: float = 0.0  # two-class models: 'neutral' when the top probability is below 0.5 + this

    def validate(self) -> None:
        if not self.files and not self.texts:
            raise ConfigError("give at least one FILE, or - to read standard input")
        if not 0 <= self.min_confidence <= 1:
            raise ConfigError(f"--min-confidence is a probability between 0 and 1, not {self.min_confidence}")
        if not 0 <= self.neutral_band < 0.5:
            raise ConfigError(f"--neutral-band is a width in [0, 0.5), not {self.neutral_band}")
        if self.use is not None and self.use not in MODEL_KINDS:
            raise ConfigError(f"--use takes {' or '.join(MODEL_KINDS)}, not '{self.use}'")
        if self.batch_size < 1:
            raise ConfigError(f"the batch size must be at least 1, not {self.batch_size}")


@dataclass
class FeaturesConfig:
    """The feature dump: x1..x6 (and pooled vectors) per document, or per-class means over ``labelled``."""

    files: tuple = ()
    texts: tuple = ()
    labelled: DataConfig | None = None
    whole_file: bool = False
    encoding: str = "utf-8"
    lexicon: LexiconConfig = field(default_factory=LexiconConfig)
    embeddings: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    batch_size: int = 1000
    text_col: str | None = None  # tables: the text column (default: text, review, sentence...)
    id_col: str | None = None  # tables: the id column carried to the output (default: id, if present)
    keep_cols: tuple = ()  # tables: more columns carried to the output

    def validate(self) -> None:
        if self.labelled is None and not self.files and not self.texts:
            raise ConfigError("give at least one FILE, or - to read standard input")
        self.lexicon.validate()
        if self.embeddings.source is not None:
            self.embeddings.validate()


@dataclass
class ExplainConfig:
    """Explain one document with a model file's logistic regression (``model``: one already loaded)."""

    text: str
    model_path: str | None = None
    model: Any = None
    trusted: bool = False  # --trust-model: unpickle without the allowlist
