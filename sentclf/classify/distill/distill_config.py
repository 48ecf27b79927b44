"""``distill``'s config: the teacher, the texts, and how the student learns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sentclf.classify.modelfile.model import ModelSource
from sentclf.data.inputs import Inputs
from sentclf.data.source import DataConfig
from sentclf.errors import ConfigError


@dataclass(frozen=True)
class DistillConfig:
    """``distill``: the teacher, the labelled data (None: the teacher's own, split as ``train`` split
    it), unlabeled texts, and how the student learns. ``augment``: variants per labelled text (None:
    as many as make ten texts per labelled one, with the unlabeled ones counted, at most ten)."""

    teacher: ModelSource = field(default_factory=ModelSource)
    output: str | None = None
    data: DataConfig | None = None
    unlabeled: Inputs | None = None
    force: bool = False
    temperature: float = 1.0
    label_weight: float = 0.5  # labelled texts' targets: (1 - w)·teacher + w·label
    augment: int | None = None
    similar_words: float = 0.0  # augmenting: P(a word becomes a neighbour in the static table); 0: measured no gain
    hidden: int = 256  # the student's hidden units over the static table and x1..x6 (0: linear)
    epochs: int | None = None  # None: the student's passes for about 2,000 updates
    static: bool = True  # the static table distilled from the sentence encoder (needs make minilm)
    test_size: float | None = None  # None: the teacher's
    seed: int | None = None  # None: the teacher's
    max_unlabeled: int = 1_000_000
    batch_size: int = 1000
    cache: bool = True  # the teacher's probabilities read from and stored in $SENTCLF_CACHE/teacher

    def output_path(self):
        if self.output is None:
            raise ConfigError("give -o STUDENT: where to save the student's model file")
        return Path(self.output)

    def validate(self) -> None:
        self.teacher.validate()
        self.output_path()
        if self.data is not None:
            self.data.validate()
        if self.unlabeled is not None:
            self.unlabeled.validate()
        if not 0 < self.temperature <= 100:
            raise ConfigError(
                f"--temperature must be above 0 (1: the teacher's probabilities as they are), not {self.temperature}"
            )
        if not 0 <= self.label_weight <= 1:
            raise ConfigError(f"--label-weight is a weight between 0 and 1, not {self.label_weight}")
        if self.augment is not None and not 0 <= self.augment <= 100:
            raise ConfigError(f"--augment takes 0 to 100 variants per labelled text, not {self.augment}")
        if not 0 <= self.similar_words <= 1:
            raise ConfigError(f"--similar-words is a probability between 0 and 1, not {self.similar_words}")
        if self.similar_words and not self.static:
            raise ConfigError("--similar-words finds neighbours in the static table: drop --no-static, or it")
        if self.hidden < 0 or self.hidden > 100_000:
            raise ConfigError(f"--hidden must be between 0 (linear) and 100,000, not {self.hidden}")
        if self.epochs is not None and self.epochs < 1:
            raise ConfigError(f"--epochs must be at least 1, not {self.epochs}")
        if self.test_size is not None and not 0 < self.test_size < 1:
            raise ConfigError(f"--test-size must be between 0 and 1 (a fraction), not {self.test_size}")
        if self.max_unlabeled < 0:
            raise ConfigError(f"--max-unlabeled must be 0 or more, not {self.max_unlabeled}")
        if self.batch_size < 1:
            raise ConfigError(f"the batch size must be at least 1, not {self.batch_size}")

    def teaching(self):
        from sentclf.classify.models.distilled import Teaching

        return Teaching(
            augment=self.augment,
            similar_words=self.similar_words,
            temperature=self.temperature,
            label_weight=self.label_weight,
            hidden=self.hidden,
            epochs=self.epochs,
            batch_size=self.batch_size,
        )

    def as_dict(self) -> dict:
        return {
            "data": None if self.data is None else vars(self.data),
            "temperature": self.temperature,
            "label_weight": self.label_weight,
            "augment": self.augment,
            "similar_words": self.similar_words,
            "hidden": self.hidden,
            "epochs": self.epochs,
            "static": self.static,
            "max_unlabeled": self.max_unlabeled,
            "cache": self.cache,
        }
