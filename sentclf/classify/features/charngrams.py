"""Binarized character n-grams inside tokens (scikit-learn's ``char_wb``), counted once per distinct word.

A document's ``char_wb`` n-grams are the union of its tokens' n-grams, and text repeats its words:
30k tweets hold 450k tokens but about 60k distinct ones. So the n-grams of each distinct token are
found once (a words × n-grams matrix W), each document becomes the set of its tokens (a documents ×
words matrix D), and the binarized product D·W is the document × n-gram matrix, all in sparse
matrix code. The columns and values are exactly those of ``CountVectorizer(analyzer='char_wb',
binary=True, lowercase=False)`` on the tokens joined by spaces (a test checks it). On 30k tweets
the nbchars block's fit is the faster for it (bench/README.md has the figures).
"""

from __future__ import annotations

from numbers import Integral
from typing import ClassVar

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from sentclf.classify.features.tags import text_input_tags


class CharNgramCounts(TransformerMixin, BaseEstimator):
    """Token lists in, binary float32 CSR out: one column per character n-gram (``ngram_range``) seen
    inside the tokens of at least ``min_df`` training documents, in CountVectorizer's (sorted) order."""

    _parameter_constraints: ClassVar[dict] = {
        "ngram_range": [tuple],
        "min_df": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, ngram_range=(2, 5), min_df=1):
        self.ngram_range = ngram_range
        self.min_df = min_df

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__())

    def fit(self, X, y=None):
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        self._validate_params()
        documents, words = word_sets(X)
        chars = self._chars(None)
        counts = binarized(documents @ chars.fit_transform(words))
        frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        kept = np.flatnonzero(frequency >= self.min_df)
        names = chars.get_feature_names_out()[kept]
        self.chars_ = self._chars({name: i for i, name in enumerate(names)}).fit(words[:1])
        return counts[:, kept]

    def transform(self, X):
        check_is_fitted(self, "chars_")
        documents, words = word_sets(X)
        return binarized(documents @ self.chars_.transform(words))

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "chars_")
        return self.chars_.get_feature_names_out()

    def _chars(self, vocabulary):
        return CountVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(self.ngram_range),
            lowercase=False,
            binary=True,
            vocabulary=vocabulary,
            dtype=np.float32,
        )


def word_sets(documents) -> tuple:
    """(documents × distinct words binary CSR, the distinct words in column order)."""
    index: dict = {}
    indptr: list[int] = [0]
    indices: list[int] = []
    for tokens in documents:
        indices.extend({index.setdefault(token, len(index)) for token in tokens})
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
        shape=(len(indptr) - 1, max(len(index), 1)),
    )
    return matrix, list(index) or [""]


def binarized(matrix):
    """The CSR matrix with every stored value set to 1 (a product counts the words sharing an n-gram)."""
    matrix = matrix.tocsr()
    matrix.eliminate_zeros()
    matrix.data[:] = 1
    return matrix
