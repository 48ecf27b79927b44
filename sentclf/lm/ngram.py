"""The n-gram baseline: interpolated Kneser-Ney on exactly the neural model's token ids, boundaries and
vocabulary, so the two perplexities compare like with like. It scores as nltk.lm's
``KneserNeyInterpolated`` does (the tests check that, token by token), but counts with numpy from a
:class:`~sentclf.lm.stream.Stream`, so it holds no Python object per n-gram and no text in memory.

Each n-gram w1 … wn is one int64 key (its ids in base V). Every quantity a score needs (the n-gram's
count, its context's total and number of distinct followers, the lower orders' continuation counts)
involves the word just before the predicted one. So the n-grams are split into buckets by that word,
and each bucket's tables are built, used and dropped in turn. A bucket that a frequent word makes
larger than :data:`BUCKET_TOKENS` positions is split again into parts by the word two back: every
table above the bigrams has both words in its contexts, and the bigrams' continuation counts (how
many distinct words precede each bigram) add up across parts. Counts are merged a block at a time,
so a part costs memory for its distinct n-grams, not its positions. Only the unigram continuation
counts (V of them) are kept for the whole text.
"""

from __future__ import annotations

import math

import numpy as np

from sentclf.errors import ConfigError
from sentclf.lm.stream import Stream

BUCKET_TOKENS = 1 << 21  # training positions per bucket (or part of one)
MERGE_KEYS = 1 << 20  # keys gathered before they are counted and merged into a part's table


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
        before = np.zeros(vocab_size, dtype=np.int64)  # how often each word precedes a predicted token
        for a, b in train.spans():
            before += np.bincount(np.asarray(train.tokens[train.positions(a, b) - 1]), minlength=vocab_size)
        sizes = np.bincount(np.arange(vocab_size) % self.buckets, weights=before, minlength=self.buckets)
        self.parts = np.ones(self.buckets, dtype=np.int64)
        if order > 2:
            self.parts = np.maximum(1, np.ceil(sizes / BUCKET_TOKENS)).astype(np.int64)
        continuation = np.zeros(vocab_size, dtype=np.int64)  # N1+(· w): distinct words seen before w
        n1 = n2 = 0
        for bucket in range(self.buckets):
            for part, tables in self._bucket_tables(bucket):
                counts = tables[order][1]
                n1, n2 = n1 + int(np.sum(counts == 1)), n2 + int(np.sum(counts == 2))
                if part == 0:  # the bigram table is the bucket's, shared by its parts
                    continuation += np.bincount(tables[2][0] % vocab_size, minlength=vocab_size)
        self.unigram = continuation / max(int(continuation.sum()), 1)
        self.discount = (n1 / (n1 + 2 * n2) if n1 + n2 else 0.75) if discount is None else discount

    def _pack(self, tokens, positions: np.ndarray) -> np.ndarray:
        """The key of the ``order``-gram ending at each position."""
        keys = np.zeros(len(positions), dtype=np.int64)
        for back in range(self.order - 1, -1, -1):
            keys = keys * self.V + np.asarray(tokens[positions - back], dtype=np.int64)
        return keys

    def _chosen(self, tokens, positions: np.ndarray, bucket: int, part: int) -> np.ndarray:
        """Which of the positions have their previous word in ``bucket`` and the word before that in
        ``part`` (indices into ``positions``)."""
        chosen = np.ones(len(positions), dtype=bool)
        if self.buckets > 1:
            chosen &= np.asarray(tokens[positions - 1]) % self.buckets == bucket
        if self.parts[bucket] > 1:
            chosen &= np.asarray(tokens[positions - 2]) % self.parts[bucket] == part
        return np.flatnonzero(chosen)

    def _counted(self, bucket: int, part: int) -> tuple:
        """(sorted distinct order-gram keys, their counts) in the training text's bucket and part."""
        keys, counts = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        pending: list = []
        for a, b in self.train.spans():
            positions = self.train.positions(a, b)
            chosen = positions[self._chosen(self.train.tokens, positions, bucket, part)]
            pending.append(self._pack(self.train.tokens, chosen))
            if sum(map(len, pending)) >= MERGE_KEYS:
                keys, counts = _merge(keys, counts, *np.unique(np.concatenate(pending), return_counts=True))
                pending = []
        if pending:
            keys, counts = _merge(keys, counts, *np.unique(np.concatenate(pending), return_counts=True))
        return keys, counts

    def _bucket_tables(self, bucket: int):
        """(part, tables) for each part of the bucket. tables[k], for each order k ≥ 2: (k-gram keys,
        their counts — raw at the top order, continuation counts N1+(· k-gram) below —, contexts, each
        context's total and number of distinct followers)."""
        n_parts, V = int(self.parts[bucket]), self.V
        counted = [self._counted(bucket, 0)] if n_parts == 1 else []  # counted once when it is whole
        if self.order == 2:  # one part: the bigrams are the top order
            grams, counts = counted[0]
            yield 0, {2: _table(grams, counts, V)}
            return
        bigrams = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
        for part in range(n_parts):
            grams = counted[0][0] if counted else self._counted(bucket, part)[0]
            bigrams = _merge(*bigrams, *np.unique(np.unique(grams % V**3) % V**2, return_counts=True))
        shared = _table(*bigrams, V)
        for part in range(n_parts):
            grams, counts = counted[0] if counted else self._counted(bucket, part)
            tables = {2: shared, self.order: _table(grams, counts, V)}
            for k in range(self.order - 1, 2, -1):  # continuation counts: distinct words before each k-gram
                grams, counts = np.unique(grams % V**k, return_counts=True)
                tables[k] = _table(grams, counts, V)
            yield part, tables

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
        """Natural-log probability of every predicted token of ``data`` (in order), part by part."""
        if data.pad < self.order - 1:
            raise ConfigError(f"the text is padded by {data.pad}: an order-{self.order} model needs {self.order - 1}")
        out = np.empty(data.n_tokens)
        for bucket in range(self.buckets):
            for part, tables in self._bucket_tables(bucket):
                done = 0
                for a, b in data.spans():
                    positions = data.positions(a, b)
                    chosen = self._chosen(data.tokens, positions, bucket, part)
                    out[done + chosen] = self._score(tables, self._pack(data.tokens, positions[chosen]))
                    done += len(positions)
        with np.errstate(divide="ignore"):
            return np.log(out)

    def probabilities(self, history) -> np.ndarray:
        """P(w | history) for every word id w (``history``: the order − 1 previous ids)."""
        history = [int(token) for token in history][-(self.order - 1) :]
        key = 0
        for token in history:
            key = key * self.V + token
        bucket = history[-1] % self.buckets
        wanted = history[-2] % self.parts[bucket] if len(history) > 1 else 0
        for part, tables in self._bucket_tables(bucket):
            if part == wanted:
                return self._score(tables, key * self.V + np.arange(self.V, dtype=np.int64))
        raise AssertionError("every bucket has its parts")


def _table(grams: np.ndarray, counts: np.ndarray, base: int) -> tuple:
    """(keys, counts, contexts, each context's total count and number of distinct followers), for keys
    in base ``base`` (the vocabulary size)."""
    contexts, first, distinct = np.unique(grams // base, return_index=True, return_counts=True)
    totals = np.add.reduceat(counts, first) if len(first) else counts[:0]
    return grams, counts, contexts, totals, distinct


def _merge(keys: np.ndarray, counts: np.ndarray, more_keys: np.ndarray, more_counts: np.ndarray) -> tuple:
    """Two sorted (keys, counts) tables as one, the counts of shared keys added."""
    if not len(keys):
        return more_keys, more_counts
    keys, counts = np.concatenate([keys, more_keys]), np.concatenate([counts, more_counts])
    order = np.argsort(keys, kind="stable")  # two sorted runs: a linear merge
    keys, counts = keys[order], counts[order]
    first = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    return keys[first], np.add.reduceat(counts, first) if len(first) else counts


def _lookup(keys: np.ndarray, values: np.ndarray, queries: np.ndarray, default) -> np.ndarray:
    """values[i] where keys[i] == query (keys sorted), else ``default``."""
    if not len(keys):
        return np.full(len(queries), default, dtype=values.dtype)
    index = np.minimum(np.searchsorted(keys, queries), len(keys) - 1)
    return np.where(keys[index] == queries, values[index], default)
