"""The n-gram baseline: interpolated Kneser-Ney on exactly the neural model's token ids, boundaries and
vocabulary, so the two perplexities compare like with like. It scores as nltk.lm's
``KneserNeyInterpolated`` does (the tests check that, token by token), but counts with numpy from a
:class:`~sentclf.lm.stream.Stream`, so it holds no Python object per n-gram and no text in memory.

Each n-gram w1 … wn is one int64 key (its ids in base V). Every quantity a score needs (the n-gram's
count, its context's total and number of distinct followers, the lower orders' continuation counts)
involves the word just before the predicted one. So the n-grams are split into buckets by that word,
and each bucket's tables are built, used and dropped in turn: memory is bounded by a bucket
(:data:`BUCKET_TOKENS` positions), not by the text. Only the unigram continuation counts (V of them)
are kept for the whole text.
"""

from __future__ import annotations

import math

import numpy as np

from sentclf.errors import ConfigError
from sentclf.lm.stream import Stream

BUCKET_TOKENS = 1 << 21  # training positions per bucket


class KneserNey:
    """Interpolated Kneser-Ney of ``order`` fitted to the training stream (``discount`` None: estimated
    from the counts of counts)."""

    def __init__(self, train: Stream, vocab_size: int, order: int = 3, discount: float | None = None):
        if order < 2 or order > train.pad + 1:
            raise ConfigError(f"an order-{order} n-gram model needs a stream padded by {order - 1}, not {train.pad}")
        if float(vocab_size) ** order >= 2.0**63:
            raise ConfigError(
                f"--ngram-order {order} with a vocabulary of {vocab_size:,} words is too many n-grams to count "
                "(V^order must fit in 63 bits): lower --ngram-order or --max-vocab"
            )
        self.train, self.V, self.order = train, vocab_size, order
        self.buckets = max(1, math.ceil(train.n_tokens / BUCKET_TOKENS))
        continuation = np.zeros(vocab_size, dtype=np.int64)  # N1+(· w): distinct words seen before w
        n1 = n2 = 0
        for bucket in range(self.buckets):
            grams, counts = np.unique(self._keys(train, bucket), return_counts=True)
            n1, n2 = n1 + int(np.sum(counts == 1)), n2 + int(np.sum(counts == 2))
            continuation += np.bincount(np.unique(grams % vocab_size**2) % vocab_size, minlength=vocab_size)
        self.unigram = continuation / max(int(continuation.sum()), 1)
        self.discount = (n1 / (n1 + 2 * n2) if n1 + n2 else 0.75) if discount is None else discount

    def _pack(self, tokens, positions: np.ndarray) -> np.ndarray:
        """The key of the ``order``-gram ending at each position."""
        keys = np.zeros(len(positions), dtype=np.int64)
        for back in range(self.order - 1, -1, -1):
            keys = keys * self.V + np.asarray(tokens[positions - back], dtype=np.int64)
        return keys

    def _chosen(self, tokens, positions: np.ndarray, bucket: int) -> np.ndarray:
        """Which of the positions have their previous word in ``bucket`` (indices into ``positions``)."""
        if self.buckets == 1:
            return np.arange(len(positions))
        return np.flatnonzero(np.asarray(tokens[positions - 1]) % self.buckets == bucket)

    def _keys(self, stream: Stream, bucket: int) -> np.ndarray:
        """The keys of the n-grams ending at the stream's predicted tokens whose previous word is in ``bucket``."""
        parts = []
        for a, b in stream.spans():
            positions = stream.positions(a, b)
            parts.append(self._pack(stream.tokens, positions[self._chosen(stream.tokens, positions, bucket)]))
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def _tables(self, bucket: int) -> dict:
        """For each order k ≥ 2, over the bucket's n-grams: (k-gram keys, their counts — raw at the top
        order, continuation counts N1+(· k-gram) below —, contexts, each context's total and number of
        distinct followers)."""
        grams, counts = np.unique(self._keys(self.train, bucket), return_counts=True)
        tables = {}
        for k in range(self.order, 1, -1):
            if k < self.order:  # continuation counts: how many distinct words precede each k-gram
                grams, counts = np.unique(grams % self.V**k, return_counts=True)
            contexts, first, distinct = np.unique(grams // self.V, return_index=True, return_counts=True)
            totals = np.add.reduceat(counts, first) if len(first) else counts[:0]
            tables[k] = (grams, counts, contexts, totals, distinct)
        return tables

    def _score(self, tables: dict, queries: np.ndarray) -> np.ndarray:
        """P(w | context) for order-gram keys, interpolated from the unigram up, as nltk.lm does: an
        unseen context passes the lower order's probability through unchanged."""
        p = self.unigram[queries % self.V]
        for k in range(2, self.order + 1):
            grams, counts, contexts, totals, distinct = tables[k]
            q = queries % self.V**k
            count = _lookup(grams, counts, q, 0)
            total = _lookup(contexts, totals, q // self.V, 0)
            seen = total > 0
            total = np.where(seen, total, 1)
            alpha = np.maximum(count - self.discount, 0.0) / total
            gamma = np.where(seen, self.discount * _lookup(contexts, distinct, q // self.V, 0) / total, 1.0)
            p = np.where(seen, alpha, 0.0) + gamma * p
        return p

    def log_probs(self, data: Stream) -> np.ndarray:
        """Natural-log probability of every predicted token of ``data`` (in order), bucket by bucket."""
        if data.pad < self.order - 1:
            raise ConfigError(f"the text is padded by {data.pad}: an order-{self.order} model needs {self.order - 1}")
        out = np.empty(data.n_tokens)
        for bucket in range(self.buckets):
            tables, done = self._tables(bucket), 0
            for a, b in data.spans():
                positions = data.positions(a, b)
                chosen = self._chosen(data.tokens, positions, bucket)
                out[done + chosen] = self._score(tables, self._pack(data.tokens, positions[chosen]))
                done += len(positions)
        with np.errstate(divide="ignore"):
            return np.log(out)

    def probabilities(self, history) -> np.ndarray:
        """P(w | history) for every word id w (``history``: the order − 1 previous ids)."""
        history = list(history)[-(self.order - 1) :]
        key = 0
        for token in history:
            key = key * self.V + int(token)
        queries = key * self.V + np.arange(self.V, dtype=np.int64)
        return self._score(self._tables(history[-1] % self.buckets), queries)


def _lookup(keys: np.ndarray, values: np.ndarray, queries: np.ndarray, default) -> np.ndarray:
    """values[i] where keys[i] == query (keys sorted), else ``default``."""
    if not len(keys):
        return np.full(len(queries), default, dtype=values.dtype)
    index = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
    return np.where(keys[index] == queries, values[index], default)
