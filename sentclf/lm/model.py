"""A trained feedforward language model and what can be asked of it: the probability of every token
of a text (hence perplexity), the likeliest next words, and the nearest words in embedding space."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from sentclf.errors import ConfigError
from sentclf.lm import network
from sentclf.lm.config import LMConfig
from sentclf.lm.encoding import BOS_ID, SPECIALS, UNK_ID, Encoded
from sentclf.lm.stream import Stream, as_stream
from sentclf.nn.threads import Workers
from sentclf.text import normalize_entry, tokenize


@dataclass
class LanguageModel:
    """A trained model: vocabulary, parameters, config; what the ``sentclf lm`` commands query."""

    vocab: list
    params: dict
    config: LMConfig
    metadata: dict = field(default_factory=dict)
    workers: Workers = field(default_factory=Workers, repr=False, compare=False)

    @cached_property
    def index(self) -> dict:
        return {word: i for i, word in enumerate(self.vocab)}

    def token_log_probs(self, data: Encoded | Stream) -> np.ndarray:
        """Natural-log probability of every predicted token of ``data`` (each word and each ``</s>``),
        a chunk of the stream at a time."""
        stream, window = as_stream(data, self.config.window), self.config.window
        out, done = np.empty(stream.n_tokens), 0
        for a, b in stream.spans():
            positions = stream.positions(a, b)
            out[done : done + len(positions)] = network.target_log_probs(
                self.params,
                stream.contexts(positions, window),
                np.asarray(stream.tokens[positions]),
                self.config.activation,
                workers=self.workers,
            )
            done += len(positions)
        return out

    def perplexity(self, data: Encoded | Stream) -> float:
        return perplexity(self.token_log_probs(data))

    def next_words(self, prefix: str, k: int = 10, mix: tuple | None = None) -> list:
        """The ``k`` likeliest next tokens after ``prefix`` (its last ``window`` tokens), with P.
        ``mix`` = (λ, a :class:`~sentclf.lm.ngram.KneserNey`): P = λ·P_neural + (1 − λ)·P_ngram."""
        ids = [self.index.get(token, UNK_ID) for token in tokenize(prefix)][-self.config.window :]
        context = np.array([[BOS_ID] * (self.config.window - len(ids)) + ids])
        logp = network.log_probs(self.params, context, self.config.activation)[0]
        if mix is not None:
            lam, ngram = mix
            history = tuple([BOS_ID] * (ngram.order - 1) + ids)[-(ngram.order - 1) :]
            logp = np.log(np.maximum(lam * np.exp(logp) + (1 - lam) * ngram.probabilities(history), 1e-300))
        order = np.argsort(-logp, kind="stable")
        top = order[order != BOS_ID][:k]  # <s> is padding, never a prediction
        return [{"word": self.vocab[i], "probability": float(np.exp(logp[i]))} for i in top]

    def neighbors(self, word: str, k: int = 10) -> list:
        """The ``k`` words whose embeddings (rows of E) have the highest cosine similarity to ``word``'s."""
        key = normalize_entry(word.strip())
        if key not in self.index or key in SPECIALS:
            raise ConfigError(
                f"'{word}' is not in the model's vocabulary ({len(self.vocab) - len(SPECIALS)} "
                "words; rarer words became <unk>): try another word, or retrain with a lower "
                "--min-count"
            )
        E = self.params["E"].astype(np.float64)
        unit = E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)
        cosine = unit @ unit[self.index[key]]
        cosine[: len(SPECIALS)] = -np.inf
        cosine[self.index[key]] = -np.inf
        top = np.argsort(-cosine, kind="stable")[:k]
        return [{"word": self.vocab[i], "cosine": float(cosine[i])} for i in top if np.isfinite(cosine[i])]


MAX_LOG_PERPLEXITY = 700.0  # e^700 is about the largest float: beyond it, the perplexity is inf


def perplexity(log_probs: np.ndarray) -> float:
    """exp of the mean negative log-likelihood per token (infinite if a token had probability 0)."""
    if not len(log_probs) or not np.all(np.isfinite(log_probs)):
        return math.inf
    mean = -float(np.mean(log_probs))
    return math.exp(mean) if mean < MAX_LOG_PERPLEXITY else math.inf
