"""The ``six`` feature block: the lecture's six hand-crafted features as a scikit-learn transformer,
plus the traces behind feature dumps.

x1 count of positive-lexicon tokens      x4 count of 1st and 2nd person pronouns
x2 count of negative-lexicon tokens      x5 1 if "!" occurs, else 0
x3 1 if the token "no" occurs, else 0    x6 ln(number of tokens); 0 for an empty document
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from sentclf.classify.features import SIX_ALIASES, SIX_NAMES
from sentclf.classify.features.lexicons import PACK_SHIFT, Lexicon, load_lexicon
from sentclf.classify.features.tags import text_input_tags
from sentclf.text import tokenize

FEATURE_NAMES, FEATURE_ALIASES = SIX_NAMES, SIX_ALIASES

# A packed field cannot carry into the next while the document has fewer than 2**20 tokens; longer
# documents take the plain path.
_MAX_PACKED = 1 << PACK_SHIFT
_MASK = _MAX_PACKED - 1


def feature_values(tokens: list, lexicon: Lexicon, codes: dict | None = None) -> tuple:
    """The six features of one tokenized document (the fast path: no trace kept)."""
    n_tokens = len(tokens)
    if n_tokens >= _MAX_PACKED:
        counts = [
            sum(map(getattr(lexicon, name).__contains__, tokens)) for name in ("positive", "negative", "pronouns")
        ]
    else:
        packed = sum(filter(None, map((codes or lexicon.codes).get, tokens)))
        counts = [packed & _MASK, (packed >> PACK_SHIFT) & _MASK, packed >> (2 * PACK_SHIFT)]
    return (
        counts[0],
        counts[1],
        1 if "no" in tokens else 0,
        counts[2],
        1 if "!" in tokens else 0,
        math.log(n_tokens) if n_tokens else 0.0,
    )


def feature_matrix(docs, lexicon: Lexicon) -> np.ndarray:
    """An (n_docs, 6) float matrix; each doc is a raw string or a token list."""
    codes = lexicon.codes
    rows = [feature_values(tokenize(doc) if isinstance(doc, str) else doc, lexicon, codes) for doc in docs]
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES))


@dataclass
class FeatureTrace:
    """The six values of one document and the tokens that produced them."""

    values: tuple
    n_tokens: int
    matched: dict = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.n_tokens == 0

    def as_dict(self) -> dict:
        return dict(zip(FEATURE_NAMES, self.values))


def trace(tokens: list, lexicon: Lexicon) -> FeatureTrace:
    """Feature values of one tokenized document, with the matched tokens in document order."""
    matched = {
        name: [t for t in tokens if t in getattr(lexicon, name)] for name in ("positive", "negative", "pronouns")
    }
    return FeatureTrace(values=feature_values(tokens, lexicon), n_tokens=len(tokens), matched=matched)


def build(context):
    """The block for the registry: x1..x6 with the run's lexicon."""
    return LectureFeatures(lexicon=context.lexicon)


class LectureFeatures(TransformerMixin, BaseEstimator):
    """x1..x6 for each document. Input: raw strings or token lists (from the pipeline's ``Tokenizer``).

    ``lexicon`` is a :class:`~sentclf.classify.features.lexicons.Lexicon`; None means the built-in one. The lexicon
    used is kept in ``lexicon_`` so that a saved pipeline needs no lexicon file to predict.
    """

    _parameter_constraints: ClassVar[dict] = {"lexicon": [None, Lexicon]}

    def __init__(self, lexicon=None):
        self.lexicon = lexicon

    def __sklearn_tags__(self):
        return text_input_tags(super().__sklearn_tags__())

    def fit(self, X, y=None):
        self._validate_params()
        self.lexicon_ = self.lexicon if self.lexicon is not None else load_lexicon()
        self.n_features_out_ = len(FEATURE_NAMES)
        return self

    def transform(self, X):
        check_is_fitted(self, "lexicon_")
        return feature_matrix(X, self.lexicon_)

    def get_feature_names_out(self, input_features=None):
        return np.asarray(FEATURE_NAMES, dtype=object)


def class_means(texts: list, labels: list, lexicon: Lexicon) -> dict:
    """Per-class mean of each feature, and each class's document count: ``{label: {"n": .., "x1": ..}}``."""
    matrix = feature_matrix(texts, lexicon)
    labels_arr = np.asarray(labels, dtype=object)
    result = {}
    for label in sorted(set(labels), key=str):
        rows = matrix[labels_arr == label]
        result[label] = {"n": len(rows), **dict(zip(FEATURE_NAMES, rows.mean(axis=0).tolist()))}
    return result
