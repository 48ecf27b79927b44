"""The language model's configuration: its shape and how it is trained (saved in the LM file)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from sentclf.errors import ConfigError, OptionConflictError
from sentclf.nn import ACTIVATIONS

LM_ACTIVATIONS = ACTIVATIONS
OPTIMIZERS = ("adam", "sgd")
LOSSES = ("full", "sampled")  # the training loss; perplexity is always the full softmax's


MAX_WIDTH = 100_000  # --dim and --hidden: more is a typo, and would not fit in memory
AUTO_BATCH = 512  # tokens a step when --batch-size is not given, on text of 16k training tokens or more
MIN_STEPS = 32  # ... and on less, as many tokens as give an epoch 32 steps


def auto_batch_size(train_tokens: int) -> int:
    """The default batch: 512 tokens, or fewer on small text so an epoch still takes 32 steps.
    512 beat 256 on MR, the tweets and the movie reviews (bench/README.md); on a 500-word text
    one or two steps an epoch left the network far behind Kneser-Ney."""
    return max(1, min(AUTO_BATCH, math.ceil(train_tokens / MIN_STEPS)))


@dataclass
class LMConfig:
    """The model's shape and how it is trained (saved in the LM file's metadata)."""

    window: int = 3
    dim: int = 50
    hidden: int = 100
    activation: str = "relu"
    epochs: int = 10
    batch_size: int | None = None  # None: auto_batch_size(training tokens), decided by with_batch_for
    lr: float | None = None  # None: 0.002 for Adam, 0.1 for SGD
    optimizer: str = "adam"
    momentum: float = 0.9
    min_count: int = 2
    max_vocab: int = 20000
    holdout: float = 0.1
    patience: int = 3
    dropout: float = 0.0
    tie: bool = False  # output scores through E (z = h P Eᵀ + c) instead of a separate U
    seed: int = 0
    ngram_order: int = 3
    loss: str = "full"  # 'sampled': sampled softmax over `samples` words a batch (sentclf.lm.sampled)
    samples: int = 1024

    def validate(self) -> None:
        if self.window < 2:
            raise ConfigError(f"--window must be at least 2 (the previous words the model sees), not {self.window}")
        for name in ("dim", "hidden", "epochs", "batch_size", "patience"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ConfigError(f"--{name.replace('_', '-')} must be at least 1, not {getattr(self, name)}")
        for name in ("dim", "hidden"):
            if getattr(self, name) > MAX_WIDTH:
                raise ConfigError(f"--{name} must be at most {MAX_WIDTH:,}, not {getattr(self, name):,}")
        if self.activation not in LM_ACTIVATIONS:
            raise ConfigError(f"unknown activation '{self.activation}': choose one of {', '.join(LM_ACTIVATIONS)}")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer '{self.optimizer}': choose adam or sgd")
        if self.lr is not None and not self.lr > 0:
            raise ConfigError(f"--lr must be positive, not {self.lr}")
        if not 0 <= self.dropout < 1:
            raise ConfigError(f"--dropout must be a fraction in [0, 1), not {self.dropout}")
        if not 0 <= self.holdout < 1:
            raise ConfigError(f"--holdout must be a fraction in [0, 1), not {self.holdout}")
        if self.loss not in LOSSES:
            raise ConfigError(f"unknown --loss '{self.loss}': choose one of {', '.join(LOSSES)}")
        if self.samples < 1:
            raise ConfigError(f"--samples must be at least 1, not {self.samples}")
        if self.loss == "sampled" and self.tie:
            raise OptionConflictError(
                "--loss sampled and --tie cannot go together: the sampled softmax trains a separate output "
                "layer: drop --tie, or use --loss full"
            )
        if self.ngram_order < 2:
            raise ConfigError(f"--ngram-order must be at least 2, not {self.ngram_order}")

    def with_batch_for(self, train_tokens: int) -> LMConfig:
        """This config with its batch size decided: the one given, else :func:`auto_batch_size`."""
        return self if self.batch_size is not None else replace(self, batch_size=auto_batch_size(train_tokens))

    @property
    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (0.002 if self.optimizer == "adam" else 0.1)
