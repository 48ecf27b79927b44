"""The ``emb`` feature block: pooled word embeddings, the lecture's "mean of all the word embeddings"
(and element-wise max), from a vectors file or ``minilm`` (see :mod:`sentclf.classify.vectors.sources`).

Policy for words first seen at predict time: the model keeps the training vocabulary plus the
``keep_vectors`` most frequent rows of the file (files list frequent words first); a token outside
both is out of vocabulary and is left out of the pool. A document with no known token pools to the
zero vector and is counted (``n_docs_without_vectors_``, and flagged by ``features``).
"""

from __future__ import annotations

import itertools
from numbers import Integral
from typing import ClassVar

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from sentclf.classify.features.tags import text_input_tags
from sentclf.classify.vectors.embedding_config import DEFAULT_KEEP, VECTOR_FORMATS, parse_pool
from sentclf.classify.vectors.files import VectorTable
from sentclf.classify.vectors.sources import WordPieceTable, load_vectors
from sentclf.errors import ConfigError


def build(context):
    """The block for the registry: pooled vectors as the embedding config says."""
    emb = context.embeddings
    return PooledEmbeddings(
        source=emb.source, fmt=emb.fmt, pool=",".join(emb.pools), keep_vectors=emb.keep, table=context.table
    )


def token_ids(table: VectorTable, docs: list, unknown: bool = True) -> tuple:
    """Row ids of each document's known tokens (or WordPieces), and (if asked) its unknown tokens."""
    if isinstance(table, WordPieceTable):
        unk = table.index.get("[UNK]", -1)
        joined = [" ".join(doc) for doc in docs]
        fast = getattr(table.tokenizer, "encode_batch_fast", None)  # no offsets, which only `unknown` needs
        encode = table.tokenizer.encode_batch if unknown or fast is None else fast
        encodings = encode(joined, add_special_tokens=False)
        ids = [[i for i in enc.ids if i != unk] if unk in enc.ids else enc.ids for enc in encodings]
        if not unknown:
            return ids, None
        return ids, [
            [text[a:b] for (a, b), i in zip(enc.offsets, enc.ids) if i == unk]  # the words behind [UNK]
            for text, enc in zip(joined, encodings)
        ]
    get = table.index.get
    ids = [[i for i in map(get, doc) if i is not None] for doc in docs]
    return ids, [[t for t in doc if t not in table.index] for doc in docs] if unknown else None


def pool_vectors(matrix: np.ndarray, ids: list, pools: tuple) -> np.ndarray:
    """(n_docs, len(pools) * dim): each document's rows mean- and/or max-pooled; zeros if it has none."""
    lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
    parts = [
        _mean_pool(matrix, flat, lengths) if name == "mean" else _max_pool(matrix, flat, lengths) for name in pools
    ]
    return np.hstack(parts).astype(np.float32, copy=False)


def _mean_pool(matrix: np.ndarray, flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A sparse (docs x vocabulary) matrix of 1/length weights times the table: no rows gathered."""
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    weights = np.repeat(1.0 / np.maximum(lengths, 1), lengths).astype(np.float32)
    averaging = sparse.csr_matrix((weights, flat, indptr), shape=(len(lengths), matrix.shape[0]))
    return np.asarray(averaging @ matrix, dtype=np.float32)


def _max_pool(matrix: np.ndarray, flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Position by position: the k-th token of every document that has one, longest documents first.

    Each step is one vectorized maximum over a prefix of the documents, so scratch memory stays at
    (docs x dim) whatever the number of tokens.
    """
    order = np.argsort(-lengths, kind="stable")
    ordered_lengths, starts = lengths[order], (np.cumsum(lengths) - lengths)[order]
    out = np.full((len(lengths), matrix.shape[1]), -np.inf, dtype=np.float32)
    longest = int(ordered_lengths[0]) if len(lengths) else 0
    for k, count in enumerate(np.searchsorted(-ordered_lengths, -np.arange(longest), side="left")):
        np.maximum(out[:count], matrix[flat[starts[:count] + k]], out=out[:count])
    out[ordered_lengths == 0] = 0.0
    result = np.empty_like(out)
    result[order] = out
    return result


class PooledEmbeddings(TransformerMixin, BaseEstimator):
    """Token lists in, pooled vectors out. ``table`` may be pre-loaded; else ``source`` is read in fit."""

    _parameter_constraints: ClassVar[dict] = {
        "source": [str, None],
        "fmt": [StrOptions(set(VECTOR_FORMATS)), None],
        "pool": [str],
        "keep_vectors": [Interval(Integral, 0, None, closed="left")],
        "table": [VectorTable, None],
    }

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__())

    def __init__(self, source=None, fmt=None, pool="mean,max", keep_vectors=DEFAULT_KEEP, table=None):
        self.source = source
        self.fmt = fmt
        self.pool = pool
        self.keep_vectors = keep_vectors
        self.table = table

    def fit(self, X, y=None):
        self._fit(list(X))
        return self

    def fit_transform(self, X, y=None, **fit_params):
        ids = self._fit(list(X))
        return pool_vectors(self.table_.matrix, ids, self.pools_)

    def _fit(self, docs: list) -> list:
        self._validate_params()
        self.pools_ = parse_pool(self.pool)
        if self.table is not None:
            self.table_ = self.table
        elif self.source is not None:
            vocab = set(itertools.chain.from_iterable(docs))
            self.table_ = load_vectors(self.source, self.fmt, vocab, self.keep_vectors)
        else:
            raise ConfigError("PooledEmbeddings needs a source (a vectors file or 'minilm') or a table")
        ids, unknown = token_ids(self.table_, docs)
        n_known, n_unknown = sum(map(len, ids)), sum(map(len, unknown))
        self.oov_rate_ = n_unknown / (n_known + n_unknown) if n_known + n_unknown else 0.0
        self.n_docs_without_vectors_ = sum(1 for doc in ids if not doc)
        return ids

    def transform(self, X):
        check_is_fitted(self, "table_")
        ids, _ = token_ids(self.table_, list(X), unknown=False)
        return pool_vectors(self.table_.matrix, ids, self.pools_)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "table_")
        dim = self.table_.dim
        return np.asarray([f"emb_{p}_{i}" for p in self.pools_ for i in range(dim)], dtype=object)
