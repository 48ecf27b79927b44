"""The feedforward neural language model as a tool: train it on any text, save and load it, measure
perplexity, ask for next words and neighbours, export its embeddings for ``--embeddings``.

The network and its backward pass are in :mod:`sentclf.nnlm`; reading text and the vocabulary in
:mod:`sentclf.lmdata`; the Kneser-Ney baseline in :mod:`sentclf.ngram`. An LM file is a zip of
``metadata.json`` and ``lm.npz`` (plain arrays, read with ``allow_pickle=False``: loading it runs no code).
"""
from __future__ import annotations

import io
import logging
import math
from dataclasses import asdict, dataclass, field
from functools import cached_property

import numpy as np

from sentclf import bundle, nnlm
from sentclf.errors import ConfigError, ModelFileError
from sentclf.lmdata import BOS_ID, SPECIALS, UNK_ID, Encoded, contexts_at, padded_stream
from sentclf.neural import Adam
from sentclf.text import normalize_entry, tokenize

log = logging.getLogger("sentclf")
PAYLOAD = "lm.npz"
LM_ACTIVATIONS = ("relu", "tanh")
OPTIMIZERS = ("adam", "sgd")
BASELINE_MAX_TOKENS = 5_000_000  # training text kept in the file (for the n-gram baseline) up to this size


@dataclass
class LMConfig:
    """The model's shape and how it is trained (saved in the LM file's metadata)."""

    window: int = 3
    dim: int = 50
    hidden: int = 100
    activation: str = "relu"
    epochs: int = 10
    batch_size: int = 256
    lr: float | None = None          # None: 0.002 for Adam, 0.1 for SGD
    optimizer: str = "adam"
    momentum: float = 0.9
    min_count: int = 2
    max_vocab: int = 20000
    holdout: float = 0.1
    patience: int = 3
    dropout: float = 0.0
    tie: bool = False                # output scores through E (z = h P Eᵀ + c) instead of a separate U
    seed: int = 0
    ngram_order: int = 3

    def validate(self) -> None:
        if self.window < 2:
            raise ConfigError(f"--window must be at least 2 (the previous words the model sees), not {self.window}")
        for name in ("dim", "hidden", "epochs", "batch_size", "patience"):
            if getattr(self, name) < 1:
                raise ConfigError(f"--{name.replace('_', '-')} must be at least 1, not {getattr(self, name)}")
        if self.activation not in LM_ACTIVATIONS:
            raise ConfigError(f"unknown activation '{self.activation}': choose relu or tanh")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer '{self.optimizer}': choose adam or sgd")
        if self.lr is not None and not self.lr > 0:
            raise ConfigError(f"--lr must be positive, not {self.lr}")
        if not 0 <= self.dropout < 1:
            raise ConfigError(f"--dropout must be a fraction in [0, 1), not {self.dropout}")
        if not 0 <= self.holdout < 1:
            raise ConfigError(f"--holdout must be a fraction in [0, 1), not {self.holdout}")
        if self.ngram_order < 2:
            raise ConfigError(f"--ngram-order must be at least 2, not {self.ngram_order}")

    @property
    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else (0.002 if self.optimizer == "adam" else 0.1)


class MomentumSGD:
    """SGD with (heavy-ball) momentum over a dict of arrays, the same interface as :class:`Adam`."""

    def __init__(self, params: dict, lr: float, momentum: float = 0.9):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.velocity = {name: np.zeros_like(p) for name, p in params.items()}

    def step(self, grads: dict) -> None:
        for name, grad in grads.items():
            velocity, param = self.velocity[name], self.params[name]
            if isinstance(grad, tuple):
                rows, values = grad
                velocity[rows] = self.momentum * velocity[rows] - self.lr * values
                param[rows] += velocity[rows]
            else:
                velocity *= self.momentum
                velocity -= self.lr * grad
                param += velocity


@dataclass
class LanguageModel:
    """A trained model: vocabulary, parameters, config; what the ``sentclf lm`` commands query."""

    vocab: list
    params: dict
    config: LMConfig
    metadata: dict = field(default_factory=dict)

    @cached_property
    def index(self) -> dict:
        return {word: i for i, word in enumerate(self.vocab)}

    def token_log_probs(self, data: Encoded) -> np.ndarray:
        """Natural-log probability of every predicted token of ``data`` (each word and each ``</s>``)."""
        stream, positions = padded_stream(data, self.config.window)
        contexts = contexts_at(stream, positions, self.config.window)
        return nnlm.target_log_probs(self.params, contexts, stream[positions], self.config.activation)

    def perplexity(self, data: Encoded) -> float:
        return perplexity(self.token_log_probs(data))

    def next_words(self, prefix: str, k: int = 10) -> list:
        """The ``k`` likeliest next tokens after ``prefix`` (its last ``window`` tokens), with P."""
        ids = [self.index.get(token, UNK_ID) for token in tokenize(prefix)][-self.config.window:]
        context = np.array([[BOS_ID] * (self.config.window - len(ids)) + ids])
        logp = nnlm.log_probs(self.params, context, self.config.activation)[0]
        order = np.argsort(-logp, kind="stable")
        top = order[order != BOS_ID][:k]         # <s> is padding, never a prediction
        return [{"word": self.vocab[i], "probability": float(np.exp(logp[i]))} for i in top]

    def neighbors(self, word: str, k: int = 10) -> list:
        """The ``k`` words whose embeddings (rows of E) have the highest cosine similarity to ``word``'s."""
        key = normalize_entry(word.strip())
        if key not in self.index or key in SPECIALS:
            raise ConfigError(f"'{word}' is not in the model's vocabulary ({len(self.vocab) - len(SPECIALS)} "
                              "words; rarer words became <unk>): try another word, or retrain with a lower "
                              "--min-count")
        E = self.params["E"].astype(np.float64)
        unit = E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)
        cosine = unit @ unit[self.index[key]]
        cosine[: len(SPECIALS)] = -np.inf
        cosine[self.index[key]] = -np.inf
        top = np.argsort(-cosine, kind="stable")[:k]
        return [{"word": self.vocab[i], "cosine": float(cosine[i])} for i in top if np.isfinite(cosine[i])]


def perplexity(log_probs: np.ndarray) -> float:
    """exp of the mean negative log-likelihood per token (infinite if a token had probability 0)."""
    return math.exp(-float(np.mean(log_probs))) if len(log_probs) and np.all(np.isfinite(log_probs)) else math.inf


def _optimizer(config: LMConfig, params: dict):
    if config.optimizer == "sgd":
        return MomentumSGD(params, config.learning_rate, config.momentum)
    return Adam(params, lr=config.learning_rate)


def fit(config: LMConfig, vocab: list, counts: np.ndarray, train: Encoded, held: Encoded | None,
        progress=None, checkpoint=None) -> dict:
    """Minibatch training with early stopping on held-out perplexity. ``progress(event)`` hears about
    batches and epochs; ``checkpoint(model, summary)`` is called whenever held-out perplexity improves.
    Ctrl-C stops training and returns the best model so far (``interrupted`` is then True)."""
    rng = np.random.default_rng(config.seed)
    params = nnlm.init_params(len(vocab), config.window, config.dim, config.hidden, rng, unigram=counts + 0.5,
                              tied=config.tie)
    model, optimizer = LanguageModel(vocab, params, config), _optimizer(config, params)
    stream, positions = padded_stream(train, config.window)
    notify = progress or (lambda event: None)
    state = {"best": None, "best_epoch": 0, "history": [], "interrupted": False, "stale": 0}
    try:
        for epoch in range(1, config.epochs + 1):
            loss = _epoch(model, optimizer, stream, rng.permutation(positions), epoch, notify, rng)
            if _end_epoch(model, held, epoch, loss, state, notify, checkpoint):
                break
            if state["stale"]:                  # no better than the best: go back to it, with half the step
                for name, value in state["best"].items():
                    params[name][...] = value
                optimizer.lr *= 0.5
    except KeyboardInterrupt:
        state["interrupted"] = True
    if state["best"] is None:                   # no held-out text, or stopped inside the first epoch
        state["best"] = {name: value.copy() for name, value in params.items()}
        state["best_epoch"] = len(state["history"])
    model.params = state["best"]
    return {"model": model, "history": state["history"], "best_epoch": state["best_epoch"],
            "interrupted": state["interrupted"]}


def _epoch(model, optimizer, stream, order, epoch: int, notify, rng) -> float:
    config = model.config
    n_batches, total = math.ceil(len(order) / config.batch_size), 0.0
    notify({"event": "epoch", "epoch": epoch, "epochs": config.epochs, "batches": n_batches})
    for b in range(n_batches):
        positions = order[b * config.batch_size:(b + 1) * config.batch_size]
        masks = nnlm.dropout_masks(rng, len(positions), model.params, config.dropout)
        loss, grads = nnlm.loss_and_grads(model.params, contexts_at(stream, positions, config.window),
                                          stream[positions], config.activation, masks)
        if not math.isfinite(loss):
            raise ConfigError(f"training diverged in epoch {epoch} (the loss became {loss}): "
                              f"lower --lr (it was {config.learning_rate})")
        optimizer.step(grads)
        total += loss * len(positions)
        notify({"event": "batch", "loss": total / min((b + 1) * config.batch_size, len(order))})
    return total / len(order)


def _end_epoch(model, held, epoch: int, loss: float, state: dict, notify, checkpoint) -> bool:
    """Record the epoch, keep the best parameters, checkpoint; True when training should stop."""
    held_ppl = model.perplexity(held) if held is not None and len(held.lengths) else None
    best_ppl = state["history"][state["best_epoch"] - 1]["heldout_perplexity"] if state["best"] else None
    improved = held_ppl is not None and (best_ppl is None or held_ppl < best_ppl)
    summary = {"epoch": epoch, "train_loss": loss, "train_perplexity": math.exp(loss),
               "heldout_perplexity": held_ppl, "best": improved}
    state["history"].append(summary)
    notify({"event": "epoch_end", **summary})
    if held_ppl is None:
        return False
    if improved:
        state.update(best={n: v.copy() for n, v in model.params.items()}, best_epoch=epoch, stale=0)
        if checkpoint:
            checkpoint(LanguageModel(model.vocab, state["best"], model.config), summary)
        return False
    state["stale"] += 1
    return state["stale"] >= model.config.patience


def save(path, model: LanguageModel, metadata: dict, train: Encoded | None = None, force: bool = False):
    """Write the LM file atomically: parameters (U and c apart), the vocabulary, and the training ids
    (for the n-gram baseline) when they are at most :data:`BASELINE_MAX_TOKENS`."""
    U, c = nnlm.output_views(model.params)
    arrays = {"E": model.params["E"], "W": model.params["W"], "b": model.params["b"], "c": c,
              "P" if model.config.tie else "U": U, "vocab": np.array(model.vocab, dtype=str)}
    if train is not None and train.n_tokens <= BASELINE_MAX_TOKENS:
        arrays.update(train_ids=train.ids, train_lengths=train.lengths)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    meta = {"kind": "feedforward neural language model", "config": asdict(model.config),
            "vocab_size": len(model.vocab), **metadata}
    return bundle.write_archive(path, bundle.LM_FORMAT, meta, PAYLOAD, buffer.getvalue(), force)


def load(path) -> tuple:
    """(model, training ids or None): metadata checked first, then the payload's sha256, then arrays."""
    meta = bundle.read_metadata(path, bundle.LM_FORMAT)
    payload = bundle.read_payload(path, meta, PAYLOAD)
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:
            data = {name: arrays[name] for name in arrays.files}
        config = LMConfig(**meta["config"])
        params = {"E": data["E"], "W": data["W"], "b": data["b"]}
        if config.tie:
            params.update(P=data["P"], c=data["c"])
        else:
            params["Uc"] = np.vstack([data["U"], data["c"][None, :]])
        vocab = data["vocab"].tolist()
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise ModelFileError(f"{path}: the language model's arrays are unreadable ({exc}): "
                             "remake it with 'sentclf lm train'") from None
    if params["E"].shape[0] != len(vocab) or len(nnlm.output_views(params)[1]) != len(vocab):
        raise ModelFileError(f"{path}: the language model's arrays do not match its vocabulary: remake it")
    train = Encoded(data["train_ids"], data["train_lengths"]) if "train_ids" in data else None
    return LanguageModel(vocab, params, config, meta), train
